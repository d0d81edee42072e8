from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from engine.deals.money import format_bp
from panhuo.monitoring.kpi import programme_evaluate, snapshot_take
from panhuo.monitoring.models import KpiProgramme


class Command(BaseCommand):
    help = "Evaluate a KPI programme (progress, forecast, laggards). panhuo kpi PROGRAMME --json [--snapshot 2026-B5]"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("programme", help="programme code")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--as-of", default="", help="YYYY-MM-DD (default today)")
        parser.add_argument("--snapshot", default="", help="store (or show the stored) bi-monthly snapshot")

    def handle(self, *args: Any, **o: Any) -> None:
        programme = KpiProgramme.objects.filter(code=o["programme"]).first()
        if programme is None:
            raise CommandError(f"unknown programme {o['programme']}")
        if o["snapshot"]:
            data = snapshot_take(programme=programme, period=o["snapshot"]).results
        else:
            data = programme_evaluate(programme, as_of=date.fromisoformat(o["as_of"]) if o["as_of"] else None)
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        self.stdout.write(
            f"{data['name']} {data['start']}..{data['end']} as of {data['as_of']} score {format_bp(data['score_bp'])}"
        )
        for r in data["indicators"]:
            flag = "" if r["on_track"] else "  <- 滞后"
            self.stdout.write(
                f"  {r['code']:5} {r['name'][:28]:30} actual={r['actual']} target={r['target']} "
                f"forecast={r['forecast']} progress={format_bp(r['progress_bp'])}{flag}"
            )
