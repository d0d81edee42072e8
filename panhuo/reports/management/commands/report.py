from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panhuo.accounts.models import Organization
from panhuo.common.errors import ApplicationError
from panhuo.monitoring.regions import parse_period
from panhuo.reports.content import report_content
from panhuo.reports.pdf import render_pdf
from panhuo.reports.xlsx import render_xlsx


class Command(BaseCommand):
    help = "Periodic report. panhuo report --office CODE|--institution CODE --period 2026-B5|2026 --format xlsx|pdf --out FILE"

    def add_arguments(self, parser: Any) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--office", default="")
        who.add_argument("--institution", default="")
        parser.add_argument("--period", required=True)
        parser.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx")
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **o: Any) -> None:
        code = o["office"] or o["institution"]
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise CommandError(f"unknown organization {code}")
        try:
            content = report_content(organization=org, period=parse_period(o["period"]))
        except ApplicationError as e:
            raise CommandError(str(e))
        if o["office"] and content["kind"] != "office":
            raise CommandError(f"{code} is not an IP office")
        data = render_pdf(content) if o["format"] == "pdf" else render_xlsx(content)
        Path(o["out"]).write_bytes(data)
        self.stdout.write(f"{content['title']} -> {o['out']} ({len(data)} bytes)")
