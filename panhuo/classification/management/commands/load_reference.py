from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from panhuo.classification.loaders import load_reference
from panhuo.classification.services import derived_mapping_load


class Command(BaseCommand):
    help = "Load IPC, GB/T 4754, SEI, NACE reference tables and the derived mapping. 加载分类参考数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="reload even when the row counts match")

    def handle(self, *args: Any, **o: Any) -> None:
        done = load_reference(force=o["force"], out=self.stdout)
        edition = derived_mapping_load(force=o["force"])
        self.stdout.write(
            f"  derived: {edition.rule_count if edition else 0} rules ({edition.key if edition else '-'})"
        )
        self.stdout.write(self.style.SUCCESS(f"参考数据已加载 reference data loaded: {done}"))
