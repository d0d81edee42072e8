from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from panhuo.evaluation.fee_dates import fee_dates_refresh


class Command(BaseCommand):
    help = "Move the fee calendar's next annual-fee dates on (idempotent; hourly in the task queue). 刷新年费日历。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        n = fee_dates_refresh(today=o["today"])
        self.stdout.write(f"年费日期已更新 {n} 条 fee dates moved: {n}")
