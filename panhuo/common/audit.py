"""Write and verify the audit chain: h_n = HMAC-SM3(k, h_{n-1} || canonical row) (AU-2)."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction

from panhuo.common.crypto import hmac_sm3_hex
from panhuo.common.models import AuditEvent
from panhuo.common.request_context import current_client_ip, current_client_request_id, current_request_id

log = logging.getLogger("panhuo.audit")

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


def _with_client_request_id(detail: dict[str, Any]) -> dict[str, Any]:
    """The client's own X-Request-Id (length-limited) is recorded apart from the server's request id."""
    client_id = current_client_request_id()
    return {**detail, "client_request_id": client_id} if client_id else detail


class Actor(Protocol):
    """Who acted, as audit reads it: `accounts.User` (or Django's AnonymousUser: recorded without an id).

    A protocol because common sits below accounts; the attributes are read with getattr (a system actor is None).
    """

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...


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
    actor: Actor | None = None,
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
            detail=_scrub(_with_client_request_id(detail or {})),
            prev_hash=last or GENESIS,
        )
        # JSONField round-trips through json; hash what will be read back.
        event.detail = json.loads(json.dumps(event.detail, ensure_ascii=False, default=str))
        event.row_hash = hmac_sm3_hex(_chain_key(), event.prev_hash.encode() + canonical(event))
        event.save()
        event_id, head = event.pk, event.row_hash
        transaction.on_commit(lambda: anchor_write(event_id, head))
    return event


# --- The head anchored outside the table -----------------------------------------------------------------
# After every commit that appended audit rows, one signed line {"id", "hash", "at", "sig"} is appended to
# PANHUO_AUDIT_ANCHOR_FILE (a file the database administrator cannot write: another host / volume, append-only).
# Deleting or rolling back the newest rows leaves the table behind its anchor, which audit_verify and `panhuo
# serve` report. A line with "reset": true (written by `panhuo audit_verify --reanchor` after a deliberate restore)
# supersedes every line before it.
ANCHOR_TAIL_BYTES = 64 * 1024


@dataclass(frozen=True)
class Anchor:
    id: int
    hash: str
    at: str
    reset: bool = False


def _anchor_path() -> Path | None:
    value = getattr(settings, "PANHUO_AUDIT_ANCHOR_FILE", "")
    return Path(value) if value else None


def _anchor_sig(event_id: int, head: str, at: str, reset: bool) -> str:
    message = f"panhuo-audit-anchor\x1f{event_id}\x1f{head}\x1f{at}\x1f{int(reset)}"
    return hmac_sm3_hex(_chain_key(), message.encode("utf-8"))


def anchor_write(event_id: int, head: str, *, reset: bool = False) -> None:
    path = _anchor_path()
    if path is None:
        return
    at = datetime.now(UTC).isoformat()
    line: dict[str, Any] = {"id": event_id, "hash": head, "at": at}
    if reset:
        line["reset"] = True
    line["sig"] = _anchor_sig(event_id, head, at, reset)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(
                fd, (json.dumps(line) + "\n").encode("utf-8")
            )  # one write(2) of < 4 KiB: never interleaved
        finally:
            os.close(fd)
    except OSError:
        # The row is committed; a missing anchor line only leaves the anchor behind (never a false alarm).
        log.exception("audit anchor %s not written for event %s", path, event_id)


class AnchorError(Exception):
    pass


def anchor_read() -> Anchor | None:
    """The newest signed head in the anchor file; None when there is no file. AnchorError: a line is forged."""
    path = _anchor_path()
    if path is None or not path.exists():
        return None
    with path.open("rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - ANCHOR_TAIL_BYTES))
        lines = handle.read().decode("utf-8", errors="replace").splitlines()
    if size > ANCHOR_TAIL_BYTES:
        lines = lines[1:]  # the first line of the window may be cut
    best: Anchor | None = None
    for raw in lines:
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            anchor = Anchor(int(data["id"]), str(data["hash"]), str(data["at"]), bool(data.get("reset")))
            sig = str(data["sig"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorError(f"unreadable anchor line: {raw[:80]!r}") from exc
        if sig != _anchor_sig(anchor.id, anchor.hash, anchor.at, anchor.reset):
            raise AnchorError(f"anchor line with a wrong signature (id {anchor.id})")
        if anchor.reset or best is None or anchor.id > best.id:
            best = anchor
    return best


def anchor_check() -> ChainReport:
    """Cheap start-up check: the table's newest row is at or past the anchored head, and that row is unchanged."""
    try:
        anchor = anchor_read()
    except AnchorError as exc:
        return ChainReport(False, 0, None, f"anchor file tampered: {exc}")
    if anchor is None:
        return ChainReport(True, 0)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    row = AuditEvent.objects.filter(pk=anchor.id).values_list("row_hash", flat=True).first()
    if row is None:
        from panhuo.common.models import AuditArchive

        if AuditArchive.objects.filter(archived_through_id__gte=anchor.id).exists():
            return ChainReport(True, 0)  # the anchored row was archived (retention), with the rows before it
        return ChainReport(
            False,
            0,
            (last or 0) + 1,
            f"newest rows missing: the anchored head is row {anchor.id} ({anchor.at}), "
            f"the table ends at row {last or 0}",
        )
    if row != anchor.hash:
        return ChainReport(False, 0, anchor.id, "row differs from the anchored head (chain rewritten)")
    return ChainReport(True, 0)


def anchor_reset() -> Anchor | None:
    """After a deliberate restore: anchor the table's current head (an audited, signed reset line)."""
    audit_record("audit.reanchor", result="ok")
    last = AuditEvent.objects.order_by("-id").values_list("id", "row_hash").first()
    if last is None:
        return None
    anchor_write(last[0], last[1], reset=True)
    return anchor_read()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def audit_verify(*, anchored: bool = True) -> ChainReport:
    """Recompute the chain (from the last archive anchor); name the first row whose hash or link does not match.

    `anchored`: also compare the newest rows with the head anchored outside the table (truncation, rollback).
    """
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
    if anchored:
        head = anchor_check()
        if not head.ok:
            return ChainReport(False, checked, head.first_bad_id, head.reason)
    return ChainReport(True, checked)
