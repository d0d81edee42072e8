"""Writes that higher apps (deals, demand, evaluation, matching) make on patents through this layer.

They keep `PatentActivity` counters and holder / converted flags current without patents importing them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from panhuo.common.audit import audit_record
from panhuo.patents.models import InventoryRecord, PatentActivity

COUNTERS = frozenset(
    {
        "transfers",
        "licences",
        "pledges",
        "equity_deals",
        "favourites",
        "enterprise_evaluations",
        "positive_evaluations",
        "matching_needs",
    }
)
FLAGS = frozenset(
    {"open_licence_active", "implemented", "ownership_dispute", "exclusive_licence_until", "max_pledge_fen"}
)


def activity_bump(*, patent_id: int, **deltas: int) -> None:
    """Add to counters atomically: activity_bump(patent_id=1, licences=1, favourites=-1)."""
    unknown = set(deltas) - COUNTERS
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    PatentActivity.objects.get_or_create(patent_id=patent_id)
    PatentActivity.objects.filter(patent_id=patent_id).update(
        **{name: F(name) + delta for name, delta in deltas.items()}, updated_at=timezone.now()
    )


def activity_set(*, patent_id: int, **values: Any) -> None:
    """Set flags: activity_set(patent_id=1, open_licence_active=True, exclusive_licence_until=date(2030,1,1))."""
    unknown = set(values) - FLAGS
    if unknown:
        raise ValueError(f"unknown flags: {sorted(unknown)}")
    PatentActivity.objects.get_or_create(patent_id=patent_id)
    PatentActivity.objects.filter(patent_id=patent_id).update(**values, updated_at=timezone.now())


def activity_of(patent_id: int) -> PatentActivity:
    activity, _ = PatentActivity.objects.get_or_create(patent_id=patent_id)
    return activity


def inventory_mark_converted(*, patent_id: int, organization_id: int | None = None, actor: Any = None) -> int:
    """Mark inventory records as converted (licence, equity, industrialisation)."""
    records = InventoryRecord.objects.filter(patent_id=patent_id)
    if organization_id is not None:
        records = records.filter(organization_id=organization_id)
    count = records.update(converted=True, converted_at=timezone.now())
    audit_record(
        "inventory.converted",
        actor=actor,
        object_type="patents.Patent",
        object_id=str(patent_id),
        detail={"records": count},
    )
    return count
