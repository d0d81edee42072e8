"""Writes on inventory records: 建档 (fill), submit, two-level review (approve / return), assignment.

State machine (DOMAIN.md §2): 未建档 → 草稿 → 待学院审核 → 待学校审核 → 已入库; 退回修改 from either review
state back to 草稿 with a reason. A record with no college skips 学院审核. Every transition writes a
`ReviewEvent` and an audit record in the same transaction; a refusal raises `ApplicationError` and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import College, Organization, Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, FieldErrors, NotFound, PermissionRefused
from panhuo.patents.models import (
    ConversionMode,
    ImplementationStatus,
    InventoryRecord,
    InventoryState,
    Patent,
    ReviewEvent,
    ValueSelfGrade,
)

FILLABLE_STATES = frozenset({InventoryState.UNFILED, InventoryState.DRAFT})
TEXT_LIMIT = 5000

# field name → (中文 label, kind)
FILL_FIELDS: dict[str, tuple[str, str]] = {
    "first_inventor": ("第一发明人", "short"),
    "fiscal_funded": ("是否财政资助科研项目形成", "bool"),
    "implementation_status": ("实施状态", "implementation"),
    "conversion_intent": ("有转化意愿", "bool"),
    "conversion_modes": ("可接受的转化方式", "modes"),
    "trl": ("技术成熟度", "trl"),
    "value_self_grade": ("价值分级自评", "grade"),
    "application_scenarios": ("应用场景", "text"),
    "industrialisation_prospects": ("产业化前景", "text"),
    "contact_name": ("联系人", "short"),
    "contact_phone": ("联系电话", "phone"),
    "contact_email": ("联系邮箱", "email"),
}
# Required before a record can be submitted for review.
SUBMIT_REQUIRED = ("fiscal_funded", "implementation_status", "conversion_intent", "trl", "value_self_grade")


def _invalid(field: str, zh: str, en: str) -> ApplicationError:
    return ApplicationError("invalid_field", zh, en, field)


def _clean_value(field: str, kind: str, value: Any) -> Any:
    """Validate one official field; returns the value to store."""
    label = FILL_FIELDS[field][0]
    if kind == "bool":
        if value is None or isinstance(value, bool):
            return value
        raise _invalid(field, f"{label}须为是或否", f"{field} must be true or false")
    if kind == "trl":
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _invalid(field, "技术成熟度须为 1–9 的整数", "trl must be an integer 1-9")
        try:
            number = int(value)
        except ValueError:
            raise _invalid(field, "技术成熟度须为 1–9 的整数", "trl must be an integer 1-9") from None
        if not 1 <= number <= 9:
            raise _invalid(field, "技术成熟度须为 1–9 的整数", "trl must be an integer 1-9")
        return number
    if kind == "modes":
        if value is None:
            return []
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise _invalid(field, "转化方式须为列表", "conversion_modes must be a list")
        unknown = [v for v in value if v not in ConversionMode.values]
        if unknown:
            raise _invalid(
                field,
                f"未知的转化方式：{'、'.join(unknown)}",
                f"unknown conversion modes: {', '.join(unknown)}",
            )
        return [m for m in ConversionMode.values if m in set(value)]  # canonical order, no duplicates
    if kind == "grade":
        value = value or ""
        if value not in ("", *ValueSelfGrade.values):
            raise _invalid(field, "价值分级自评须为 A、B、C 或 D", "value_self_grade must be A, B, C or D")
        return value
    if kind == "implementation":
        value = value or ""
        if value not in ("", *ImplementationStatus.values):
            raise _invalid(field, "实施状态无效", "unknown implementation status")
        return value
    if not isinstance(value, str | type(None)):
        raise _invalid(field, f"{label}须为文本", f"{field} must be text")
    text = (value or "").strip()
    if kind == "short":
        if len(text) > 100:
            raise _invalid(field, f"{label}不能超过 100 个字", f"{field} is longer than 100")
        return text
    if kind == "text":
        if len(text) > TEXT_LIMIT:
            raise _invalid(field, f"{label}不能超过 {TEXT_LIMIT} 个字", f"{field} is too long")
        return text
    if kind == "phone":
        if text and (not 7 <= len(text) <= 20 or not all(c.isdigit() or c in "+- " for c in text)):
            raise _invalid(field, "联系电话格式不正确", "phone number is not valid")
        return text
    if kind == "email":
        if text:
            try:
                validate_email(text)
            except ValidationError:
                raise _invalid(field, "联系邮箱格式不正确", "e-mail address is not valid") from None
        return text
    raise AssertionError(kind)  # pragma: no cover


def inventory_validate(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a set of field changes (unknown fields are refused); returns the cleaned values."""
    unknown = sorted(set(changes) - set(FILL_FIELDS))
    if unknown:
        raise ApplicationError(
            "unknown_field",
            f"不能修改这些字段：{'、'.join(unknown)}",
            f"fields that cannot be written: {', '.join(unknown)}",
            unknown[0],
        )
    return {name: _clean_value(name, FILL_FIELDS[name][1], value) for name, value in changes.items()}


# ---------------------------------------------------------------- permission checks


def _same_tenant(actor: Any, record: InventoryRecord) -> None:
    """Another tenant's record does not exist for the actor (404, not 403)."""
    if not getattr(actor, "is_authenticated", False) or actor.organization_id != record.organization_id:
        raise NotFound()


def may_fill(actor: Any, record: InventoryRecord) -> bool:
    """Inventor listed on the record, the college admin of its college, or the institution admin."""
    if not getattr(actor, "is_authenticated", False) or actor.organization_id != record.organization_id:
        return False
    if actor.role == Role.INSTITUTION_ADMIN:
        return True
    if actor.role == Role.COLLEGE_ADMIN:
        return actor.college_id is not None and actor.college_id == record.college_id
    if actor.role == Role.INVENTOR:
        return record.inventor_users.filter(pk=actor.pk).exists()
    return False


def may_review(actor: Any, record: InventoryRecord) -> bool:
    """学院 admin of the record's college at 学院审核; the institution admin at 学校审核."""
    if not getattr(actor, "is_authenticated", False) or actor.organization_id != record.organization_id:
        return False
    if record.state == InventoryState.COLLEGE_REVIEW:
        return (
            actor.role == Role.COLLEGE_ADMIN
            and actor.college_id is not None
            and actor.college_id == record.college_id
        )
    if record.state == InventoryState.INSTITUTION_REVIEW:
        return actor.role == Role.INSTITUTION_ADMIN
    return False


def _lock(record: InventoryRecord) -> InventoryRecord:
    """Re-read the record under a row lock so two reviewers cannot both move it."""
    return InventoryRecord.objects.select_for_update().get(pk=record.pk)


def _event(
    *,
    record: InventoryRecord,
    actor: Any,
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


def _refresh_into(target: InventoryRecord, source: InventoryRecord) -> None:
    """Hand the caller's instance the committed values, so it is not stale after a service call."""
    for field in InventoryRecord._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


# ---------------------------------------------------------------- services


def inventory_open(
    *,
    organization: Organization,
    patent: Patent,
    college: College | None = None,
    inventor_users: Iterable[User] = (),
    actor: Any = None,
    is_demo: bool = False,
) -> InventoryRecord:
    """Put a patent into an institution's 基础库 (state 未建档); idempotent per (institution, patent)."""
    if college is not None and college.organization_id != organization.pk:
        raise ApplicationError(
            "college", "学院不属于该机构", "college belongs to another institution", "college"
        )
    with transaction.atomic():
        record, created = InventoryRecord.objects.get_or_create(
            organization=organization,
            patent=patent,
            defaults={"college": college, "is_demo": is_demo},
        )
        users = list(inventor_users)
        if any(u.organization_id != organization.pk for u in users):
            raise ApplicationError(
                "inventor_users",
                "发明人账号不属于该机构",
                "inventor of another institution",
                "inventor_users",
            )
        if users:
            record.inventor_users.add(*users)
        if created:
            audit_record(
                "inventory.open",
                actor=actor,
                tenant_id=organization.pk,
                obj=record,
                detail={"patent": patent.pk, "college": college.pk if college else None},
            )
    return record


def inventory_assign(
    *,
    actor: Any,
    record: InventoryRecord,
    college: College | None,
    inventor_users: Iterable[User] | None = None,
) -> InventoryRecord:
    """Institution admin assigns a record to a college and (optionally) its inventor accounts."""
    _same_tenant(actor, record)
    if actor.role != Role.INSTITUTION_ADMIN:
        raise PermissionRefused("只有学校管理员可以分配学院", "only the institution admin assigns colleges")
    if college is not None and college.organization_id != record.organization_id:
        raise ApplicationError(
            "college", "学院不属于该机构", "college belongs to another institution", "college"
        )
    users = list(inventor_users) if inventor_users is not None else None
    if users is not None and any(u.organization_id != record.organization_id for u in users):
        raise ApplicationError(
            "inventor_users", "发明人账号不属于该机构", "inventor of another institution", "inventor_users"
        )
    with transaction.atomic():
        locked = _lock(record)
        if locked.state not in FILLABLE_STATES:
            raise ApplicationError(
                "invalid_state",
                "审核中或已入库的记录不能重新分配",
                "record is under review or pooled",
                "state",
            )
        old_college = locked.college_id
        locked.college = college
        locked.save(update_fields=["college", "updated_at"])
        if users is not None:
            locked.inventor_users.set(users)
        audit_record(
            "inventory.assign",
            actor=actor,
            tenant_id=locked.organization_id,
            obj=locked,
            detail={
                "college": [old_college, college.pk if college else None],
                "inventors": [u.pk for u in users] if users is not None else None,
            },
        )
    _refresh_into(record, locked)
    return record


def inventory_fill(
    *,
    actor: Any,
    record: InventoryRecord,
    changes: Mapping[str, Any],
    proxy_filing: bool | None = None,
) -> InventoryRecord:
    """建档: write the official fields (未建档/草稿 only); the record becomes a 草稿."""
    _same_tenant(actor, record)
    if not may_fill(actor, record):
        raise PermissionRefused(
            "只有该专利的发明人或本单位管理员可以建档", "not an inventor or admin of this record"
        )
    cleaned = inventory_validate(changes)
    with transaction.atomic():
        locked = _lock(record)
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
    _refresh_into(record, locked)
    return record


def inventory_submit(*, actor: Any, record: InventoryRecord) -> InventoryRecord:
    """草稿 → 待学院审核 (or straight to 待学校审核 when the record has no college)."""
    _same_tenant(actor, record)
    if not may_fill(actor, record):
        raise PermissionRefused(
            "只有该专利的发明人或本单位管理员可以提交", "not an inventor or admin of this record"
        )
    with transaction.atomic():
        locked = _lock(record)
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
    _refresh_into(record, locked)
    return record


def _review_guard(actor: Any, locked: InventoryRecord) -> None:
    if locked.state not in (InventoryState.COLLEGE_REVIEW, InventoryState.INSTITUTION_REVIEW):
        raise ApplicationError(
            "invalid_state",
            f"该记录不在审核中（当前：{locked.get_state_display()}）",
            f"record is not under review (state {locked.state})",
            "state",
        )
    if not may_review(actor, locked):
        raise PermissionRefused("当前审核环节不由您负责", "this review step belongs to another reviewer")


def inventory_approve(*, actor: Any, record: InventoryRecord, comment: str = "") -> InventoryRecord:
    """学院 admin: 待学院审核 → 待学校审核; 学校 admin: 待学校审核 → 已入库 (sets pooled_at)."""
    _same_tenant(actor, record)
    comment = (comment or "").strip()
    if len(comment) > TEXT_LIMIT:
        raise _invalid("comment", "审核意见过长", "comment is too long")
    with transaction.atomic():
        locked = _lock(record)
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
    _refresh_into(record, locked)
    return record


def inventory_return(*, actor: Any, record: InventoryRecord, reason: str) -> InventoryRecord:
    """退回修改: either review level sends the record back to 草稿; the reason is required."""
    _same_tenant(actor, record)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("reason_required", "退回时必须填写原因", "a reason is required", "reason")
    if len(reason) > TEXT_LIMIT:
        raise _invalid("reason", "退回原因过长", "reason is too long")
    with transaction.atomic():
        locked = _lock(record)
        _review_guard(actor, locked)
        from_state = locked.state
        locked.state = InventoryState.DRAFT
        locked.return_reason = reason
        locked.save(update_fields=["state", "return_reason", "updated_at"])
        _event(record=locked, actor=actor, action="return", from_state=from_state, comment=reason)
    _refresh_into(record, locked)
    return record


@dataclass(frozen=True)
class Action:
    """An action the acting user may take on a record now (drives buttons and the API's `actions`)."""

    name: str
    label: str


def inventory_actions(actor: Any, record: InventoryRecord) -> list[Action]:
    actions: list[Action] = []
    if record.state in FILLABLE_STATES and may_fill(actor, record):
        actions.append(Action("fill", "建档"))
        if record.state == InventoryState.DRAFT:
            actions.append(Action("submit", "提交审核"))
    if may_review(actor, record):
        actions += [Action("approve", "审核通过"), Action("return", "退回修改")]
    return actions


def inventory_autoassign(*, organization: Organization, actor: Any = None) -> dict[str, int]:
    """Link inventor accounts to records by name, and give college-less records their first inventor's college.

    The 基础库 is assigned to colleges by first inventor (DOMAIN.md §2). Names match `User.display_name`
    against the patent's inventor list exactly; only inventor accounts of the same institution are used.
    Returns {"linked": new inventor links, "colleges": records given a college}.
    """
    if actor is not None:
        if getattr(actor, "organization_id", None) != organization.pk:
            raise NotFound()
        if actor.role != Role.INSTITUTION_ADMIN:
            raise PermissionRefused(
                "只有学校管理员可以批量分配", "only the institution admin assigns records"
            )
    inventors: dict[str, list[tuple[int, int | None]]] = {}
    for pk, name, college_id in User.objects.filter(
        organization=organization, role=Role.INVENTOR, is_active=True
    ).values_list("pk", "display_name", "college_id"):
        if name:
            inventors.setdefault(name.strip(), []).append((pk, college_id))
    if not inventors:
        return {"linked": 0, "colleges": 0}
    through = InventoryRecord.inventor_users.through
    existing = set(
        through.objects.filter(inventoryrecord__organization=organization).values_list(
            "inventoryrecord_id", "user_id"
        )
    )
    links: list[Any] = []
    college_of: dict[int, int] = {}
    records = InventoryRecord.objects.filter(organization=organization).values_list(
        "pk", "college_id", "state", "patent__inventors"
    )
    for record_id, college_id, state, names in records.iterator(chunk_size=2000):
        for position, name in enumerate(names or []):
            for user_id, user_college in inventors.get(str(name).strip(), []):
                if (record_id, user_id) not in existing:
                    existing.add((record_id, user_id))
                    links.append(through(inventoryrecord_id=record_id, user_id=user_id))
                if position == 0 and college_id is None and user_college and state in FILLABLE_STATES:
                    college_of.setdefault(record_id, user_college)
    with transaction.atomic():
        through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
        by_college: dict[int, list[int]] = {}
        for record_id, college_id in college_of.items():
            by_college.setdefault(college_id, []).append(record_id)
        for college_id, ids in by_college.items():
            InventoryRecord.objects.filter(pk__in=ids, college__isnull=True).update(
                college_id=college_id, updated_at=timezone.now()
            )
        result = {"linked": len(links), "colleges": len(college_of)}
        audit_record(
            "inventory.autoassign", actor=actor, tenant_id=organization.pk, obj=organization, detail=result
        )
    return result
