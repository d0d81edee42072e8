"""Writes on inventory records: 建档 (fill), submit, two-level review (approve / return).

State machine (DOMAIN.md §2): 未建档 → 草稿 → 待学院审核 → 待学校审核 → 已入库; 退回修改 from either review
state back to 草稿 with a reason. A record with no college skips 学院审核. Every transition writes a
`ReviewEvent` and an audit record in the same transaction; a refusal raises `ApplicationError` and
changes nothing. Putting records into the 基础库 and assigning them is in `assignment`; the fields and
their validation in `inventory_fields`; who may act in `permissions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, FieldErrors, PermissionRefused
from panhuo.patents.inventory_fields import (
    FILL_FIELDS,
    FILLABLE_STATES,
    SUBMIT_REQUIRED,
    TEXT_LIMIT,
    invalid_field,
    inventory_validate,
)
from panhuo.patents.models import InventoryRecord, InventoryState, ReviewEvent
from panhuo.patents.permissions import may_fill, may_review, same_tenant


def lock_record(record: InventoryRecord) -> InventoryRecord:
    """Re-read the record under a row lock so two reviewers cannot both move it."""
    return InventoryRecord.objects.select_for_update().get(pk=record.pk)


def _event(
    *,
    record: InventoryRecord,
    actor: User,
    action: str,
    from_state: str,
    comment: str = "",
    detail: Any = None,
) -> None:
    ReviewEvent.objects.create(
        record=record,
        action=action,
        from_state=from_state,
        to_state=record.state,
        actor=actor,
        comment=comment,
    )
    audit_record(
        f"inventory.{action}",
        actor=actor,
        tenant_id=record.organization_id,
        obj=record,
        detail={"from": from_state, "to": record.state, "patent": record.patent_id, **(detail or {})},
    )


def refresh_into(target: InventoryRecord, source: InventoryRecord) -> None:
    """Hand the caller's instance the committed values, so it is not stale after a service call."""
    for field in InventoryRecord._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def inventory_fill(
    *,
    actor: User,
    record: InventoryRecord,
    changes: Mapping[str, Any],
    proxy_filing: bool | None = None,
) -> InventoryRecord:
    """建档: write the official fields (未建档/草稿 only); the record becomes a 草稿."""
    same_tenant(actor, record)
    if not may_fill(actor, record):
        raise PermissionRefused(
            "只有该专利的发明人或本单位管理员可以建档", "not an inventor or admin of this record"
        )
    cleaned = inventory_validate(changes)
    with transaction.atomic():
        locked = lock_record(record)
        if locked.state not in FILLABLE_STATES:
            raise ApplicationError(
                "invalid_state",
                f"当前状态（{locked.get_state_display()}）不能修改建档信息",
                f"cannot edit in state {locked.state}",
                "state",
            )
        from_state = locked.state
        changed = sorted(k for k, v in cleaned.items() if getattr(locked, k) != v)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.filer = actor
        if proxy_filing is not None:
            locked.proxy_filing = proxy_filing
        elif actor.role != Role.INVENTOR:
            locked.proxy_filing = True  # an admin filing for the inventor
        locked.state = InventoryState.DRAFT
        locked.save()
        _event(record=locked, actor=actor, action="fill", from_state=from_state, detail={"fields": changed})
    refresh_into(record, locked)
    return record


def inventory_submit(*, actor: User, record: InventoryRecord) -> InventoryRecord:
    """草稿 → 待学院审核 (or straight to 待学校审核 when the record has no college)."""
    same_tenant(actor, record)
    if not may_fill(actor, record):
        raise PermissionRefused(
            "只有该专利的发明人或本单位管理员可以提交", "not an inventor or admin of this record"
        )
    with transaction.atomic():
        locked = lock_record(record)
        if locked.state != InventoryState.DRAFT:
            raise ApplicationError(
                "invalid_state",
                f"只有草稿可以提交审核（当前：{locked.get_state_display()}）",
                f"only drafts can be submitted (state {locked.state})",
                "state",
            )
        missing = [f for f in SUBMIT_REQUIRED if getattr(locked, f) in (None, "")]
        if locked.conversion_intent and not locked.conversion_modes:
            missing.append("conversion_modes")
        if missing:  # every missing field at once, each on its own field
            raise FieldErrors(
                [
                    ApplicationError("incomplete", f"提交前请填写{FILL_FIELDS[f][0]}", f"{f} is required", f)
                    for f in missing
                ],
                message_zh=f"请先填写：{'、'.join(FILL_FIELDS[f][0] for f in missing)}",
                message_en=f"required before submitting: {', '.join(missing)}",
            )
        from_state = locked.state
        locked.state = (
            InventoryState.COLLEGE_REVIEW if locked.college_id else InventoryState.INSTITUTION_REVIEW
        )
        locked.submitted_at = timezone.now()
        locked.return_reason = ""
        locked.save(update_fields=["state", "submitted_at", "return_reason", "updated_at"])
        _event(record=locked, actor=actor, action="submit", from_state=from_state)
    refresh_into(record, locked)
    return record


def _review_guard(actor: User, locked: InventoryRecord) -> None:
    if locked.state not in (InventoryState.COLLEGE_REVIEW, InventoryState.INSTITUTION_REVIEW):
        raise ApplicationError(
            "invalid_state",
            f"该记录不在审核中（当前：{locked.get_state_display()}）",
            f"record is not under review (state {locked.state})",
            "state",
        )
    if not may_review(actor, locked):
        raise PermissionRefused("当前审核环节不由您负责", "this review step belongs to another reviewer")


def inventory_approve(*, actor: User, record: InventoryRecord, comment: str = "") -> InventoryRecord:
    """学院 admin: 待学院审核 → 待学校审核; 学校 admin: 待学校审核 → 已入库 (sets pooled_at)."""
    same_tenant(actor, record)
    comment = (comment or "").strip()
    if len(comment) > TEXT_LIMIT:
        raise invalid_field("comment", "审核意见过长", "comment is too long")
    with transaction.atomic():
        locked = lock_record(record)
        _review_guard(actor, locked)
        from_state = locked.state
        fields = ["state", "updated_at"]
        if from_state == InventoryState.COLLEGE_REVIEW:
            locked.state = InventoryState.INSTITUTION_REVIEW
        else:
            locked.state = InventoryState.POOLED
            locked.pooled_at = timezone.now()
            fields.append("pooled_at")
        locked.save(update_fields=fields)
        _event(record=locked, actor=actor, action="approve", from_state=from_state, comment=comment)
    refresh_into(record, locked)
    return record


def inventory_return(*, actor: User, record: InventoryRecord, reason: str) -> InventoryRecord:
    """退回修改: either review level sends the record back to 草稿; the reason is required."""
    same_tenant(actor, record)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("reason_required", "退回时必须填写原因", "a reason is required", "reason")
    if len(reason) > TEXT_LIMIT:
        raise invalid_field("reason", "退回原因过长", "reason is too long")
    with transaction.atomic():
        locked = lock_record(record)
        _review_guard(actor, locked)
        from_state = locked.state
        locked.state = InventoryState.DRAFT
        locked.return_reason = reason
        locked.save(update_fields=["state", "return_reason", "updated_at"])
        _event(record=locked, actor=actor, action="return", from_state=from_state, comment=reason)
    refresh_into(record, locked)
    return record
