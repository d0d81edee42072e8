from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panhuo.common.audit import audit_record
from panhuo.common.retention import RetentionError, audit_archive


class Command(BaseCommand):
    help = "Archive audit rows older than the retention period (≥ 180 days) to a file. 审计日志归档。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=180)

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            archive = audit_archive(retention_days=o["days"])
        except RetentionError as exc:
            raise CommandError(str(exc))
        if archive is None:
            self.stdout.write("没有需要归档的记录 nothing to archive")
            return
        audit_record("audit.archive", detail={"rows": archive.rows, "through": archive.archived_through_id})
        self.stdout.write(f"已归档 archived {archive.rows} rows to {archive.file}")
