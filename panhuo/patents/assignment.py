"""Writes that put patents into an institution's 基础库 and assign its records to colleges and inventor accounts.

The 基础库 is assigned to colleges by first inventor (DOMAIN.md §2): `inventory_autoassign` links inventor accounts
by name and gives college-less records their first inventor's college; `inventory_assign` is the admin's manual
choice. Both write an audit record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import College, Organization, Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.patents.inventory_fields import FILLABLE_STATES
from panhuo.patents.models import InventoryRecord, Patent
from panhuo.patents.permissions import same_tenant
from panhuo.patents.services import lock_record, refresh_into


def _college_refusal() -> ApplicationError:
    return ApplicationError(
        "college", "学院不属于该机构", "college belongs to another institution", "college"
    )


def _inventor_refusal() -> ApplicationError:
    return ApplicationError(
        "inventor_users", "发明人账号不属于该机构", "inventor of another institution", "inventor_users"
    )


def inventory_open(
    *,
    organization: Organization,
    patent: Patent,
    college: College | None = None,
    inventor_users: Iterable[User] = (),
    actor: User | None = None,
    is_demo: bool = False,
) -> InventoryRecord:
    """Put a patent into an institution's 基础库 (state 未建档); idempotent per (institution, patent)."""
    if college is not None and college.organization_id != organization.pk:
        raise _college_refusal()
    with transaction.atomic():
        record, created = InventoryRecord.objects.get_or_create(
            organization=organization,
            patent=patent,
            defaults={"college": college, "is_demo": is_demo},
        )
        users = list(inventor_users)
        if any(u.organization_id != organization.pk for u in users):
            raise _inventor_refusal()
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
    actor: User,
    record: InventoryRecord,
    college: College | None,
    inventor_users: Iterable[User] | None = None,
) -> InventoryRecord:
    """Institution admin assigns a record to a college and (optionally) its inventor accounts."""
    same_tenant(actor, record)
    if actor.role != Role.INSTITUTION_ADMIN:
        raise PermissionRefused("只有学校管理员可以分配学院", "only the institution admin assigns colleges")
    if college is not None and college.organization_id != record.organization_id:
        raise _college_refusal()
    users = list(inventor_users) if inventor_users is not None else None
    if users is not None and any(u.organization_id != record.organization_id for u in users):
        raise _inventor_refusal()
    with transaction.atomic():
        locked = lock_record(record)
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
    refresh_into(record, locked)
    return record


def _inventor_accounts(organization: Organization) -> dict[str, list[tuple[int, int | None]]]:
    """Display name → [(user id, college id)] of the institution's active inventor accounts."""
    inventors: dict[str, list[tuple[int, int | None]]] = {}
    for pk, name, college_id in User.objects.filter(
        organization=organization, role=Role.INVENTOR, is_active=True
    ).values_list("pk", "display_name", "college_id"):
        if name:
            inventors.setdefault(name.strip(), []).append((pk, college_id))
    return inventors


def _plan_links(
    organization: Organization, inventors: dict[str, list[tuple[int, int | None]]]
) -> tuple[list[Any], dict[int, int]]:
    """The new (record, inventor account) links, and record id → college for college-less fillable records."""
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
    return links, college_of


def inventory_autoassign(*, organization: Organization, actor: User | None = None) -> dict[str, int]:
    """Link inventor accounts to records by name, and give college-less records their first inventor's college.

    Names match `User.display_name` against the patent's inventor list exactly; only inventor accounts of the
    same institution are used. Returns {"linked": new inventor links, "colleges": records given a college}.
    """
    if actor is not None:
        if getattr(actor, "organization_id", None) != organization.pk:
            raise NotFound()
        if actor.role != Role.INSTITUTION_ADMIN:
            raise PermissionRefused(
                "只有学校管理员可以批量分配", "only the institution admin assigns records"
            )
    inventors = _inventor_accounts(organization)
    if not inventors:
        return {"linked": 0, "colleges": 0}
    links, college_of = _plan_links(organization, inventors)
    with transaction.atomic():
        InventoryRecord.inventor_users.through.objects.bulk_create(
            links, batch_size=1000, ignore_conflicts=True
        )
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
