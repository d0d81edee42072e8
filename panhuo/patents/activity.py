"""Writes that higher apps (deals, demand, evaluation, matching) make on patents through this layer.

They keep `PatentActivity` counters and holder / converted flags current without patents importing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from panhuo.accounts.models import User
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


def inventory_mark_converted(
    *, patent_id: int, organization_id: int | None = None, actor: User | None = None
) -> int:
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


@dataclass(frozen=True)
class CounterDrift:
    patent_id: int
    counter: str
    stored: int
    expected: int


def activity_counters_reconcile(
    *, expected: Mapping[str, Mapping[int, int]], apply: bool, actor: User | None = None
) -> list[CounterDrift]:
    """Compare every counter with `expected` (counter -> patent id -> count, absent = 0); with `apply`, fix them.

    The higher app that owns each counter's source rows computes `expected` (`panhuo activity_rebuild`)."""
    unknown = set(expected) - COUNTERS
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    names = sorted(expected)
    stored = {row[0]: row[1:] for row in PatentActivity.objects.values_list("patent_id", *names).iterator()}
    patent_ids = set(stored) | {pid for counts in expected.values() for pid in counts}
    drifts = [
        CounterDrift(pid, name, stored_value, expected_value)
        for pid in sorted(patent_ids)
        for i, name in enumerate(names)
        if (stored_value := int(stored[pid][i]) if pid in stored else 0)
        != (expected_value := int(expected[name].get(pid, 0)))
    ]
    if apply and drifts:
        fixes: dict[int, dict[str, int]] = {}
        for d in drifts:
            fixes.setdefault(d.patent_id, {})[d.counter] = d.expected
        with transaction.atomic():
            for pid, values in fixes.items():
                PatentActivity.objects.get_or_create(patent_id=pid)
                PatentActivity.objects.filter(patent_id=pid).update(**values, updated_at=timezone.now())
            audit_record(
                "patent.activity_reconcile",
                actor=actor,
                object_type="patents.PatentActivity",
                detail={"patents": len(fixes), "counters": len(drifts)},
            )
    return drifts
