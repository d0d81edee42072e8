from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from panhuo.classification.services import (
    DERIVED_CSV,
    derived_mapping_store,
    derived_rows_compute,
    derived_rows_write,
)


class Command(BaseCommand):
    help = "Recompute the DERIVED IPC main group -> GB/T 4754 mapping from the loaded reference data. 重建推导对照。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--write", action="store_true", help=f"also rewrite the shipped table {DERIVED_CSV.name}"
        )
        parser.add_argument("--top", type=int, default=3)

    def handle(self, *args: Any, **o: Any) -> None:
        rows = derived_rows_compute(top=o["top"], out=self.stdout)
        if o["write"]:
            derived_rows_write(rows)
            self.stdout.write(f"  wrote {DERIVED_CSV}")
        edition = derived_mapping_store(rows=rows)
        self.stdout.write(
            self.style.SUCCESS(f"推导对照已生成 derived mapping stored: {edition.rule_count} rules")
        )
