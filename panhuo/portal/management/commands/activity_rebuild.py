"""`panhuo activity_rebuild [--check] [--json]`: reconcile PatentActivity counters with their source rows."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panhuo.portal.activity import activity_rebuild


class Command(BaseCommand):
    help = (
        "Recount PatentActivity counters from deals, favourites, needs and evaluations. 重算专利活跃度计数。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="report drift only (exit status 1 when any)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        drifts = activity_rebuild(apply=not o["check"])
        if o["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "fixed": 0 if o["check"] else len(drifts),
                        "drift": [
                            {
                                "patent": d.patent_id,
                                "counter": d.counter,
                                "stored": d.stored,
                                "expected": d.expected,
                            }
                            for d in drifts
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            verb = "发现 found" if o["check"] else "已修正 fixed"
            self.stdout.write(f"{verb} {len(drifts)} 个计数偏差 counter drift(s)")
        if o["check"] and drifts:
            raise CommandError("计数与来源不一致 counters differ from their sources")
