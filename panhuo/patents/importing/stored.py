"""Changes to records stored before this batch: merged patent fields (audited) and this tenant's 建档 records.

These are the rare rows of an import (a first import inserts only); they go through the ORM.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from panhuo.common.audit import audit_record
from panhuo.imports.models import ImportJob
from panhuo.patents.importing.batch import Target
from panhuo.patents.importing.inserts import Inserts, NewInventory
from panhuo.patents.importing.parse import INVENTORY_VALUE_FIELDS, Parsed
from panhuo.patents.importing.sql import select_inventory
from panhuo.patents.models import InventoryRecord, InventoryState, Patent

_EDITABLE_STATES = (InventoryState.UNFILED, InventoryState.DRAFT)
RowTarget = tuple[Parsed, Target, str]  # (row, patent, "insert" | "update" | "unchanged" | "co_holder")


def _plain(value: Any) -> Any:
    """A field value as JSON takes it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def update_patents(job: ImportJob, targets: list[Target], now: dt.datetime) -> None:
    """Apply the merged changes to stored patents, each change audited with its before/after values."""
    stored = [t for t in targets if t.id is not None and t.changes]
    if not stored:
        return
    objs = Patent.objects.in_bulk([t.id for t in stored])
    fields: set[str] = {"content_hash", "updated_at"}
    for t in stored:
        obj = objs[t.id]  # type: ignore[index]
        before = {name: getattr(obj, name) for name in t.changes}
        for name, value in t.changes.items():
            setattr(obj, name, value)
            fields.add(name)
        after = {name: getattr(obj, name) for name in t.changes if getattr(obj, name) != before[name]}
        if after:
            audit_record(
                "patent.fields_change",
                tenant_id=job.organization_id,
                obj=obj,
                detail={
                    "job": job.pk,
                    "before": {k: _plain(before[k]) for k in after},
                    "after": {k: _plain(v) for k, v in after.items()},
                },
            )
        obj.content_hash = t.content_hash
        obj.updated_at = now
    Patent.objects.bulk_update(list(objs.values()), sorted(fields))


def _existing_records(org_id: int, row_targets: list[RowTarget]) -> dict[int, dict[str, Any]]:
    """patent id -> this tenant's stored 建档 record (id, state, college; the 建档 fields where the row has some)."""
    # Only patents stored before this batch can already have this tenant's record.
    ids = list({t.id for _, t, action in row_targets if action != "insert" and t.id is not None})
    existing = select_inventory(org_id, ids)
    wanted = [existing[t.id]["id"] for p, t, _ in row_targets if p.inventory and t.id in existing]
    if wanted:  # rare: compare the 建档 fields only where the file carries some
        for r in InventoryRecord.objects.filter(pk__in=wanted).values(
            "id", "patent_id", *INVENTORY_VALUE_FIELDS
        ):
            existing[r["patent_id"]].update(r)
    return existing


def _record_changes(current: dict[str, Any], p: Parsed) -> dict[str, Any]:
    """What the row changes on a record: its college, and the 建档 fields while the record is editable."""
    changes: dict[str, Any] = {}
    if p.college_id is not None and current.get("college_id") != p.college_id:
        changes["college_id"] = p.college_id
    if current["state"] in _EDITABLE_STATES:
        for name, value in (p.inventory or {}).items():
            if current.get(name) != value:
                changes[name] = value
        if p.inventory and current["state"] == InventoryState.UNFILED:
            changes["state"] = str(InventoryState.DRAFT)
    return changes


def _save_updates(updates: list[tuple[int, dict[str, Any]]]) -> None:
    for record_id, changes in updates:
        obj = InventoryRecord.objects.get(pk=record_id)
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.proxy_filing = obj.proxy_filing or bool(set(changes) & set(INVENTORY_VALUE_FIELDS))
        obj.save(update_fields=[*changes, "proxy_filing", "updated_at"])


def file_inventory(
    row_targets: list[RowTarget], *, job: ImportJob, new: NewInventory, inserts: Inserts
) -> list[str]:
    """The importing tenant's 建档 record for each row: insert, update (unfiled/draft only) or unchanged."""
    if not row_targets:
        return []
    existing = _existing_records(job.organization_id, row_targets)
    rows: list[tuple[Any, ...]] = []
    updates: list[tuple[int, dict[str, Any]]] = []
    actions: list[str] = []
    pending: dict[int, dict[str, Any]] = {}
    for p, t, _ in row_targets:
        pid = t.id
        assert pid is not None
        current = existing.get(pid) or pending.get(pid)
        if current is None:
            row = new.row(pid, p.college_id, p.first_inventor, p.inventory)
            rows.append(row)
            pending[pid] = {"state": row[3], "college_id": p.college_id, **(p.inventory or {})}
            actions.append("insert")
            continue
        changes = _record_changes(current, p)
        if changes and "id" in current:
            updates.append((current["id"], changes))
            current.update(changes)
            actions.append("update")
        else:
            actions.append("unchanged")
    inserts.inventory(rows)
    _save_updates(updates)
    return actions
