"""公开发布: which pooled records an institution shows on the public front door (no sign-in), and what of them.

A record is public only while it is pooled (入库) AND its institution chose to publish it (`public_since`).
Reopening a record takes it out of the pool, so it leaves the front door at once. The public view of a record is
a whitelist: bibliographic facts, the holder's name and the record's conversion offer; never inventors,
contacts, review notes or self-assessment.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from panhuo.accounts.models import Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import NotFound, PermissionRefused
from panhuo.patents.models import InventoryRecord, InventoryState

# Patent fields shown without sign-in (inventors and claims text stay behind the login).
PUBLIC_PATENT_FIELDS = (
    "title",
    "abstract",
    "app_no",
    "pub_no",
    "pub_kind",
    "grant_no",
    "patent_type",
    "ipc_main",
    "application_date",
    "publication_date",
    "grant_date",
    "legal_status",
    "patentees",
)


def inventory_public() -> QuerySet[InventoryRecord]:
    """Records on the public front door: pooled and published by their institution."""
    return InventoryRecord.objects.filter(state=InventoryState.POOLED, public_since__isnull=False)


def inventory_public_search(q: str = "") -> QuerySet[InventoryRecord]:
    records = inventory_public().select_related("patent", "organization")
    q = q.strip()[:100]
    if q:
        records = records.filter(
            Q(patent__title__icontains=q)
            | Q(patent__abstract__icontains=q)
            | Q(patent__app_no__icontains=q.upper())
            | Q(patent__pub_no__icontains=q.upper())
            | Q(organization__name__icontains=q)
        )
    return records.order_by("-public_since", "-pk")


def inventory_public_get(record_id: int) -> InventoryRecord:
    record = inventory_public_search().filter(pk=record_id).first() if 0 < record_id < 2**63 else None
    if record is None:
        raise NotFound()
    return record


def inventory_public_view(record: InventoryRecord) -> dict[str, Any]:
    """The whitelisted fields of a published record (what the public pages render)."""
    patent = record.patent
    data: dict[str, Any] = {name: getattr(patent, name) for name in PUBLIC_PATENT_FIELDS}
    data.update(
        id=record.pk,
        key=patent.key,
        patent_type_display=patent.get_patent_type_display(),
        legal_status_display=patent.get_legal_status_display(),
        holder=record.organization.name,
        conversion_modes=record.conversion_mode_labels,
        application_scenarios=record.application_scenarios,
        pooled_at=record.pooled_at,
        patent_id=patent.pk,
    )
    return data


def inventory_publish(*, actor: User, record_ids: list[int], publish: bool) -> int:
    """The institution admin shows (or hides) its own pooled records on the front door; returns how many changed."""
    if actor.role != Role.INSTITUTION_ADMIN or actor.organization_id is None:
        raise PermissionRefused()
    records = InventoryRecord.objects.filter(
        organization_id=actor.organization_id, pk__in=record_ids, state=InventoryState.POOLED
    )
    with transaction.atomic():
        if publish:
            changed = list(records.filter(public_since__isnull=True).values_list("pk", flat=True))
            InventoryRecord.objects.filter(pk__in=changed).update(public_since=timezone.now())
        else:
            changed = list(records.filter(public_since__isnull=False).values_list("pk", flat=True))
            InventoryRecord.objects.filter(pk__in=changed).update(public_since=None)
        if changed:
            audit_record(
                "inventory.publish" if publish else "inventory.unpublish",
                actor=actor,
                tenant_id=actor.organization_id,
                object_type="patents.InventoryRecord",
                object_id=f"{min(changed)}..{max(changed)}",
                detail={"records": changed[:1000], "count": len(changed)},
            )
    return len(changed)
