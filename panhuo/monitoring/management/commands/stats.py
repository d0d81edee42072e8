from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from panhuo.accounts.models import Organization
from panhuo.common.errors import ApplicationError
from panhuo.monitoring.aggregates import aggregates_rebuild
from panhuo.monitoring.regions import parse_period, region_prefix
from panhuo.monitoring.stats import Scope, dashboard


class Command(BaseCommand):
    help = "Conversion statistics from the pre-aggregates. 统计监测: panhuo stats --json [--rebuild] [--office CODE]"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--rebuild", action="store_true", help="rebuild the aggregates first (exact)")
        parser.add_argument("--period", default="", help="2026 or 2026-B5 (default: this year)")
        parser.add_argument("--region", default="", help="region prefix, e.g. 50 or 5001 (default: national)")
        parser.add_argument("--office", default="", help="an IP office code: its region")
        parser.add_argument("--institution", default="", help="an institution code: its own statistics")
        parser.add_argument(
            "--side", default="S", choices=["S", "E"], help="S: holder's region, E: enterprise's"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        if o["rebuild"]:
            info = aggregates_rebuild()
            if not o["json"]:
                self.stdout.write(f"aggregates rebuilt: {info}")
        try:
            period = parse_period(o["period"] or str(timezone.localdate().year))
        except ApplicationError as e:
            raise CommandError(str(e))
        scope = Scope(o["region"], None, o["region"] or "全国")
        if o["office"]:
            office = Organization.objects.filter(code=o["office"]).first()
            if office is None:
                raise CommandError(f"unknown office {o['office']}")
            scope = Scope(region_prefix(office.region_code), None, office.name)
        if o["institution"]:
            inst = Organization.objects.filter(code=o["institution"]).first()
            if inst is None:
                raise CommandError(f"unknown institution {o['institution']}")
            scope = Scope("", inst.id, inst.name)
        data = dashboard(scope, period, side=o["side"])
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str))
            return
        self.stdout.write(f"{data['scope']} {data['period']}")
        for kind, t in data["totals"].items():
            self.stdout.write(
                f"  {kind:13} deals={t['deals']} patents={t['patents']} contract_fen={t['contract_fen']} "
                f"received_fen={t['received_fen']}"
            )
        for name, r in data["rates"].items():
            self.stdout.write(f"  {name:24} {r['percent']}% ({r['numerator']}/{r['denominator']})")
