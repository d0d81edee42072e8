"""Reads: a patent's fee payments, and the 财政资助 patents left unused for five years (国家可以安排实施的情形)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from engine.scoring.fees import add_years
from panhuo.accounts.models import HOLDER_TYPES, User
from panhuo.patents.models import ImplementationStatus, InventoryRecord, LegalStatus, Patent
from panhuo.patents.selectors import inventory_own
from panhuo.upkeep.models import AnnualFeePayment
from panhuo.upkeep.services import holder_record

UNUSED_YEARS = 5


def fee_payments(user: User, patent: Patent) -> QuerySet[AnnualFeePayment]:
    record = holder_record(user, patent.pk)
    return AnnualFeePayment.objects.filter(patent_id=patent.pk, organization_id=record.organization_id)


def _unused(records: QuerySet[InventoryRecord], today: date) -> QuerySet[InventoryRecord]:
    """Fiscally funded, granted at least five years ago, still in force, and no sign of use: not converted, not
    (self-)implemented, no transfer, licence or equity deal recorded."""
    cutoff = add_years(today, -UNUSED_YEARS)
    used = (
        Q(converted=True)
        | Q(implementation_status__in=[ImplementationStatus.IMPLEMENTED, ImplementationStatus.INDUSTRIALISED])
        | Q(patent__activity__implemented=True)
        | Q(patent__activity__transfers__gt=0)
        | Q(patent__activity__licences__gt=0)
        | Q(patent__activity__equity_deals__gt=0)
    )
    return (
        records.filter(
            fiscal_funded=True,
            patent__grant_date__isnull=False,
            patent__grant_date__lte=cutoff,
            patent__legal_status__in=[LegalStatus.VALID, LegalStatus.UNKNOWN],
        )
        .exclude(used)
        .select_related("patent", "college")
    )


@dataclass(frozen=True)
class UnusedRow:
    record: InventoryRecord
    years_since_grant: int


def fiscal_unused(user: User, *, today: date) -> list[UnusedRow]:
    """The user's institution's records in that situation (institution staff; empty for everyone else)."""
    rows = []
    for r in _unused(inventory_own(user), today).order_by("patent__grant_date", "pk"):
        grant = r.patent.grant_date
        assert grant is not None
        years = today.year - grant.year - ((today.month, today.day) < (grant.month, grant.day))
        rows.append(UnusedRow(r, years))
    return rows


def fiscal_unused_count(*, today: date, region_prefix: str = "", institution_id: int | None = None) -> int:
    """How many of a scope's records are in that situation (the office dashboard's figure)."""
    records = InventoryRecord.objects.all()
    if institution_id is not None:
        records = records.filter(organization_id=institution_id)
    else:
        records = records.filter(
            organization__type__in=HOLDER_TYPES, organization__region_code__startswith=region_prefix
        )
    return _unused(records, today).count()
