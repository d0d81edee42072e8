from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from panhuo.monitoring.anomalies import anomalies_run, case_json


class Command(BaseCommand):
    help = (
        "Run the abnormal-deal rules over the whole database. panhuo anomalies [--json] [--as-of YYYY-MM-DD]"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--as-of", default="")

    def handle(self, *args: Any, **o: Any) -> None:
        run, cases = anomalies_run(as_of=date.fromisoformat(o["as_of"]) if o["as_of"] else None)
        if o["json"]:
            self.stdout.write(
                json.dumps({"cases": [case_json(c) for c in cases]}, ensure_ascii=False, indent=1)
            )
            return
        self.stdout.write(
            f"scanned {run.deals_scanned} deals in {run.seconds:.1f}s: {run.cases_found} cases ({run.cases_new} new)"
        )
        for c in cases[:50]:
            self.stdout.write(
                f"  [{c.rule}] {c.confidence:.2f} {','.join(c.patents[:5])} {' / '.join(c.parties)}"
            )
