from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panhuo.common.audit import anchor_reset, audit_record
from panhuo.common.backup import backup_restore


class Command(BaseCommand):
    help = "Restore a backup folder into the configured (fresh) database and verify it. 恢复并校验。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            report = backup_restore(source=Path(o["folder"]))
        except (RuntimeError, OSError) as exc:
            raise CommandError(f"恢复失败 restore failed: {exc}")
        ok = not report["mismatched"] and report["audit_ok"] and report["audit_head_ok"]
        audit_record(
            "system.restore", result="ok" if ok else "fail", detail={"folder": Path(o["folder"]).name}
        )
        if ok:
            anchor_reset()  # a deliberate restore: the restored head is the new anchor (an audited reset line)
        self.stdout.write(
            json.dumps(report, ensure_ascii=False) if o["json"] else f"恢复完成 restored: {report}"
        )
        if not ok:
            raise CommandError("恢复后校验失败 verification failed after restore")
