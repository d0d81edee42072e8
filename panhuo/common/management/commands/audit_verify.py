from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panhuo.common.audit import anchor_reset, audit_verify


class Command(BaseCommand):
    help = "Verify the audit hash chain; name the first tampered row. 校验审计日志哈希链。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--reanchor",
            action="store_true",
            help="after a deliberate restore: anchor the current head (PANHUO_AUDIT_ANCHOR_FILE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reanchor"]:
            anchor = anchor_reset()
            self.stdout.write(f"已重新锚定 re-anchored at row {anchor.id if anchor else '-'}")
        report = audit_verify()
        payload = {
            "ok": report.ok,
            "checked": report.checked,
            "first_bad_id": report.first_bad_id,
            "reason": report.reason,
        }
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        elif report.ok:
            self.stdout.write(f"审计链完整 audit chain intact: {report.checked} rows")
        if not report.ok:
            raise CommandError(
                f"审计链被篡改 audit chain broken at row {report.first_bad_id}: {report.reason}"
            )
