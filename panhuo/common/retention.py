"""Audit retention (AU-3): keep ≥ 180 days; older rows are archived to a file, then removed from the live table.

The removal runs in ONE transaction that lifts the append-only trigger, deletes exactly the archived rows and
restores the trigger, so no other writer ever sees the table unguarded (SQLite IMMEDIATE / PostgreSQL DDL lock).
In production this command runs under the maintenance database role; the application role cannot DELETE.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from panhuo.common.crypto import sm3_hex
from panhuo.common.models import AuditArchive, AuditEvent

MINIMUM_RETENTION_DAYS = 180
_SQLITE_TRIGGER = """CREATE TRIGGER audit_no_delete BEFORE DELETE ON common_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"""


class RetentionError(ValueError):
    pass


def _lift_and_delete(through_id: int) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_no_delete")
            cursor.execute("DELETE FROM common_auditevent WHERE id <= %s", [through_id])
            deleted = cursor.rowcount
            cursor.execute(_SQLITE_TRIGGER)
        else:
            cursor.execute("ALTER TABLE common_auditevent DISABLE TRIGGER audit_no_update_delete")
            cursor.execute("DELETE FROM common_auditevent WHERE id <= %s", [through_id])
            deleted = cursor.rowcount
            cursor.execute("ALTER TABLE common_auditevent ENABLE TRIGGER audit_no_update_delete")
    return deleted


def audit_archive(
    *, retention_days: int, now: datetime | None = None, out_dir: Path | None = None
) -> AuditArchive | None:
    if retention_days < MINIMUM_RETENTION_DAYS:
        raise RetentionError(f"审计日志至少保留 {MINIMUM_RETENTION_DAYS} 天 (retention must be ≥ 180 days)")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    folder = out_dir or Path(settings.DATA_DIR) / "audit-archive"
    folder.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        old = list(AuditEvent.objects.filter(at__lt=cutoff).order_by("id"))
        if not old:
            return None
        through = old[-1]
        if AuditEvent.objects.filter(id__lt=through.pk, at__gte=cutoff).exists():
            # Only a prefix of the chain can be archived; stop at the first row that must stay.
            first_kept = (
                AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
            )
            old = [e for e in old if first_kept is None or e.pk < first_kept]
            through = old[-1]
        lines = [
            json.dumps(
                {
                    "id": e.pk,
                    "at": e.at.isoformat(),
                    "actor_id": e.actor_id,
                    "actor_name": e.actor_name,
                    "tenant_id": e.tenant_id,
                    "ip": e.ip,
                    "action": e.action,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                    "result": e.result,
                    "request_id": e.request_id,
                    "detail": e.detail,
                    "prev_hash": e.prev_hash,
                    "row_hash": e.row_hash,
                },
                ensure_ascii=False,
            )
            for e in old
        ]
        body = ("\n".join(lines) + "\n").encode("utf-8")
        path = folder / f"audit-{old[0].pk}-{through.pk}.jsonl"
        path.write_bytes(body)
        deleted = _lift_and_delete(through.pk)
        if deleted != len(old):
            raise RuntimeError("archive count mismatch; rolled back")
        return AuditArchive.objects.create(
            at=datetime.now(UTC),
            archived_through_id=through.pk,
            rows=len(old),
            last_hash=through.row_hash,
            file=str(path),
            file_sm3=sm3_hex(body),
        )
