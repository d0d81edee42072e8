from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from panhuo.common.audit import audit_record
from panhuo.common.backup import backup_create


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup / pg_dump), encrypted, with an SM3 manifest. 备份。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", default="", help="folder for backups (default: data/backups)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        folder = backup_create(out_dir=Path(o["out"]) if o["out"] else None)
        audit_record("system.backup", detail={"folder": folder.name})
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if o["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "folder": str(folder),
                        "tables": len(manifest["tables"]),
                        "audit_rows": manifest["audit"]["rows"],
                    }
                )
            )
        else:
            self.stdout.write(f"备份完成 backup written: {folder}")
