"""panhuo landscape_sync: build the IPC postings and landscape facts now, or check every fact (--reconcile)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from panhuo.navigation.facts import facts_reconcile
from panhuo.navigation.postings import postings_sync


class Command(BaseCommand):
    help = (
        "专利导航 facts and IPC postings: changed patents since the worker's last run (default), all of them "
        "(--full), or every fact compared with its patent now and the wrong ones rebuilt (--reconcile; "
        "--check-only reports without rebuilding). Prints JSON."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild every posting and fact")
        parser.add_argument("--reconcile", action="store_true", help="compare every fact with its patent")
        parser.add_argument(
            "--check-only", action="store_true", help="with --reconcile: report, change nothing"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        if o["reconcile"]:
            result = facts_reconcile(fix=not o["check_only"])
        else:
            result = postings_sync(full=o["full"])
        self.stdout.write(json.dumps(result, ensure_ascii=False))
