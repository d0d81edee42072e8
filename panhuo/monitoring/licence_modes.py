"""Licences by mode (开放许可 / 先使用后付费 / 零入门费 / 普通·独占·排他): counts and money of a region or institution.

Read straight from the deals (licences and open-licence licences in contract states, by contract year); the
dashboard shows it next to the pre-aggregated totals. 先使用后付费 deals also report what their instalment
schedule (`PaymentInstalment`) still expects and what is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from panhuo.deals.models import CONTRACT_STATES, Deal, DealKind, LicenceType, PaymentInstalment


@dataclass(frozen=True)
class ModeRow:
    label: str
    deals: int
    contract_fen: int
    received_fen: int


@dataclass(frozen=True)
class LicenceModes:
    year: int
    rows: tuple[ModeRow, ...]
    pay_after_use_scheduled_fen: int  # instalments of 先使用后付费 licences due from today on
    pay_after_use_overdue_fen: int  # instalments due before today, beyond what those deals received


def _licences(year: int, region_prefix: str, institution_id: int | None) -> QuerySet[Deal]:
    qs = Deal.objects.filter(
        kind__in=[DealKind.LICENCE, DealKind.OPEN_LICENCE],
        state__in=CONTRACT_STATES,
        contract_date__year=year,
    )
    if institution_id is not None:
        return qs.filter(institution_id=institution_id)
    return qs.filter(institution__region_code__startswith=region_prefix)


def licence_modes(
    *, year: int, today: date, region_prefix: str = "", institution_id: int | None = None
) -> LicenceModes:
    qs = _licences(year, region_prefix, institution_id)
    groups = (
        ("开放许可", Q(kind=DealKind.OPEN_LICENCE)),
        ("先使用后付费", Q(pay_after_use=True)),
        ("零入门费", Q(zero_entry_fee=True)),
        *((t.label, Q(kind=DealKind.LICENCE, licence_type=t.value)) for t in LicenceType),
    )
    aggregates: dict[str, Count | Sum] = {}
    for i, (_, condition) in enumerate(groups):
        aggregates[f"n{i}"] = Count("id", filter=condition)
        aggregates[f"c{i}"] = Sum("contract_amount_fen", filter=condition)
        aggregates[f"r{i}"] = Sum("received_fen", filter=condition)
    totals = qs.aggregate(**aggregates)
    rows = tuple(
        ModeRow(label, totals[f"n{i}"], totals[f"c{i}"] or 0, totals[f"r{i}"] or 0)
        for i, (label, _) in enumerate(groups)
    )
    deferred = PaymentInstalment.objects.filter(deal__in=qs.filter(pay_after_use=True))
    scheduled = deferred.filter(due_date__gte=today).aggregate(s=Sum("amount_fen"))["s"] or 0
    due_before = deferred.filter(due_date__lt=today).aggregate(s=Sum("amount_fen"))["s"] or 0
    received = (
        qs.filter(pay_after_use=True, instalments__isnull=False)
        .distinct()
        .aggregate(s=Sum("received_fen"))["s"]
    )
    return LicenceModes(
        year=year,
        rows=rows,
        pay_after_use_scheduled_fen=scheduled,
        pay_after_use_overdue_fen=max(0, due_before - (received or 0)),
    )
