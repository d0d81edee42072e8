"""Reads: results visible with their deals, the reminder list (signed deals without last year's results),
and the statistics of a region or institution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from panhuo.accounts.models import Role, User
from panhuo.deals.models import CONTRACT_STATES, Deal, DealParty
from panhuo.deals.selectors import deals_visible
from panhuo.outcomes.models import DealOutcome
from panhuo.outcomes.services import ENTERPRISE_SIDE, STAFF


def outcomes_visible(user: User) -> QuerySet[DealOutcome]:
    return DealOutcome.objects.filter(deal__in=deals_visible(user).values("pk")).select_related("deal")


def _reportable(user: User) -> QuerySet[Deal]:
    role = user.role
    qs = deals_visible(user).filter(state__in=CONTRACT_STATES)
    if user.organization_id is None:
        return qs.none()
    if role in STAFF:
        return qs.filter(institution_id=user.organization_id)
    if role == Role.ENTERPRISE_USER:
        side = DealParty.objects.filter(
            deal=OuterRef("pk"), organization_id=user.organization_id, role__in=ENTERPRISE_SIDE
        )
        return qs.filter(Exists(side))
    return qs.none()


def outcomes_due(user: User, *, today: date) -> QuerySet[Deal]:
    """Signed deals the user reports for whose contract year is before this year and that have no results for last
    year yet (the reminder list: results of year Y are due in year Y + 1)."""
    last = today.year - 1
    reported = DealOutcome.objects.filter(deal=OuterRef("pk"), year=last)
    return (
        _reportable(user)
        .filter(contract_date__year__lte=last)
        .exclude(Exists(reported))
        .order_by("contract_date", "pk")
    )


def outcomes_due_count(*, today: date, institution_id: int | None = None) -> int:
    """All institutions (or one): signed deals of earlier years without last year's results (the command)."""
    last = today.year - 1
    qs = Deal.objects.filter(state__in=CONTRACT_STATES, contract_date__year__lte=last)
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    return qs.exclude(Exists(DealOutcome.objects.filter(deal=OuterRef("pk"), year=last))).count()


@dataclass(frozen=True)
class OutcomeStats:
    year: int
    deals: int  # deals with results for the year
    revenue_fen: int
    output_fen: int
    jobs: int
    new_products: int


def outcome_statistics(
    *, year: int, region_prefix: str = "", institution_id: int | None = None
) -> OutcomeStats:
    """Results of the year for the deals of a region's institutions (or of one institution)."""
    qs = DealOutcome.objects.filter(year=year)
    if institution_id is not None:
        qs = qs.filter(deal__institution_id=institution_id)
    else:
        qs = qs.filter(Q(deal__institution__region_code__startswith=region_prefix))
    row = qs.aggregate(r=Sum("revenue_fen"), o=Sum("output_fen"), j=Sum("jobs"), p=Sum("new_products"))
    return OutcomeStats(
        year=year,
        deals=qs.values("deal_id").distinct().count(),
        revenue_fen=row["r"] or 0,
        output_fen=row["o"] or 0,
        jobs=row["j"] or 0,
        new_products=row["p"] or 0,
    )
