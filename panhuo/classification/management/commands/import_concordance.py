from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from panhuo.classification.services import edition_import
from panhuo.common.errors import ApplicationError


class Command(BaseCommand):
    help = "Import an official IPC concordance table (XLSX/CSV: 行业代码, 行业名称, IPC/参照IPC). 导入官方对照表。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--target", choices=["gbt4754", "sei"], default="gbt4754")
        parser.add_argument("--name", required=True)
        parser.add_argument("--key")
        parser.add_argument("--exact", action="store_true", help="codes without * match only themselves")

    def handle(self, *args: Any, **o: Any) -> None:
        path = Path(o["file"])
        try:
            outcome = edition_import(
                filename=path.name,
                content=path.read_bytes(),
                target=o["target"],
                name=o["name"],
                key=o["key"],
                exact_codes=o["exact"],
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message_zh} / {exc.message_en}") from exc
        for e in outcome.errors:
            self.stderr.write(f"第 {e.row} 行 row {e.row} [{e.field}] {e.message_zh} / {e.message_en}")
        if outcome.edition is None:
            raise CommandError("没有可导入的有效行 / no valid rows to import")
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 imported {outcome.rules} rules as {outcome.edition.key}; {len(outcome.errors)} row errors"
            )
        )
