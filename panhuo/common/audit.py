"""Write and verify the audit chain: h_n = HMAC-SM3(k, h_{n-1} || canonical row) (AU-2)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from panhuo.common.crypto import hmac_sm3_hex
from panhuo.common.middleware import current_client_ip, current_request_id
from panhuo.common.models import AuditEvent

GENESIS = "0" * 64
_CONTROL = re.compile(r"[\r\n\t\x00-\x1f]")
_SECRET_KEYS = {"password", "password1", "password2", "otp", "token", "otp_token", "secret"}


@lru_cache(maxsize=1)
def _chain_key() -> bytes:
    key = settings.PANHUO_AUDIT_HMAC_KEY or settings.SECRET_KEY
    return key.encode("utf-8")


def _clean(value: str) -> str:
    """Encode CR/LF and control characters so a value cannot forge a log line."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def _scrub(detail: dict[str, Any]) -> dict[str, Any]:
    return {
        k: "[removed]" if k.lower() in _SECRET_KEYS else _clean(v) if isinstance(v, str) else v
        for k, v in detail.items()
    }


def canonical(event: AuditEvent) -> bytes:
    fields = [
        event.at.astimezone(UTC).isoformat(),
        str(event.actor_id or ""),
        event.actor_name,
        str(event.tenant_id or ""),
        event.ip,
        event.action,
        event.object_type,
        event.object_id,
        event.result,
        event.request_id,
        json.dumps(event.detail, sort_keys=True, ensure_ascii=False, default=str),
    ]
    return "\x1f".join(fields).encode("utf-8")


def audit_record(
    action: str,
    *,
    actor: Any = None,
    tenant_id: int | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    result: str = "ok",
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction: if this fails, the business write rolls back (AU-4)."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
    actor_id = (
        getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", True) else None
    )
    if tenant_id is None and actor is not None:
        tenant_id = getattr(actor, "organization_id", None)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [0x50A4_0001])
        last = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
        event = AuditEvent(
            at=datetime.now(UTC),
            actor_id=actor_id,
            actor_name=_clean(str(getattr(actor, "username", "") or ""))[:150],
            tenant_id=tenant_id,
            ip=_clean(ip if ip is not None else current_client_ip())[:64],
            action=_clean(action)[:64],
            object_type=_clean(object_type)[:64],
            object_id=_clean(str(object_id))[:64],
            result=_clean(result)[:16],
            request_id=current_request_id() if current_request_id() != "-" else "",
            detail=_scrub(detail or {}),
            prev_hash=last or GENESIS,
        )
        # JSONField round-trips through json; hash what will be read back.
        event.detail = json.loads(json.dumps(event.detail, ensure_ascii=False, default=str))
        event.row_hash = hmac_sm3_hex(_chain_key(), event.prev_hash.encode() + canonical(event))
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def audit_verify() -> ChainReport:
    """Recompute the chain (from the last archive anchor); name the first row whose hash or link does not match."""
    from panhuo.common.models import AuditArchive

    anchor = AuditArchive.objects.order_by("-archived_through_id").first()
    prev = anchor.last_hash if anchor else GENESIS
    checked = 0
    events = AuditEvent.objects.order_by("id")
    if anchor:
        events = events.filter(id__gt=anchor.archived_through_id)
    for event in events.iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainReport(False, checked, event.pk, "link broken (row deleted or reordered)")
        expected = hmac_sm3_hex(_chain_key(), prev.encode() + canonical(event))
        if expected != event.row_hash:
            return ChainReport(False, checked, event.pk, "row content does not match its hash")
        prev = event.row_hash
        checked += 1
    return ChainReport(True, checked)
