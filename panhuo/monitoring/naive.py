"""The naive queries: the aggregates' questions answered straight from the source tables.

The source of truth that tests and the benchmark compare `aggregates_rebuild()`'s tables with.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum

from engine.monitoring.aggregates import response_figures
from panhuo.accounts.models import HOLDER_TYPES
from panhuo.deals.models import CONTRACT_STATES, Deal, DealParty, DealPatent
from panhuo.demand.models import EnterpriseProfile, NeedAnswer
from panhuo.monitoring.aggregates import CONVEYING, ENTERPRISE_ROLE, SME_SIZES, answers_of, response_summary
from panhuo.patents.models import InventoryRecord, InventoryState, LegalStatus


def _region_q(field: str, prefix: str) -> Q:
    return Q(**{f"{field}__startswith": prefix}) if prefix else Q()


def naive_deal_totals(
    *, prefix: str, year: int, bimonths: list[int] | None = None
) -> dict[str, dict[str, int]]:
    """Per kind: deals, patents, contract_fen, received_fen for deals whose holder is in the region."""
    qs = Deal.objects.filter(state__in=CONTRACT_STATES).filter(_region_q("institution__region_code", prefix))
    qs = qs.filter(Q(contract_date__year=year) | Q(contract_date__isnull=True, created_at__year=year))
    if bimonths is not None:
        months = [m for b in bimonths for m in (2 * b - 1, 2 * b)]
        qs = qs.filter(
            Q(contract_date__month__in=months) | Q(contract_date__isnull=True, created_at__month__in=months)
        )
    out: dict[str, dict[str, int]] = {}
    for row in qs.values("kind").annotate(
        deals=Count("id", distinct=True),
        contract_fen=Sum("contract_amount_fen"),
        received_fen=Sum("received_fen"),
    ):
        out[row["kind"]] = {
            "deals": row["deals"],
            "contract_fen": row["contract_fen"] or 0,
            "received_fen": row["received_fen"] or 0,
        }
    prow: Any
    for prow in (
        DealPatent.objects.filter(deal__in=qs.values("id"))
        .values("deal__kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[prow["deal__kind"]]["patents"] = prow["n"]
    for v in out.values():
        v.setdefault("patents", 0)
    return out


def naive_inventory(*, prefix: str) -> dict[str, int]:
    qs = InventoryRecord.objects.filter(_region_q("organization__region_code", prefix))
    return qs.aggregate(
        total=Count("id"),
        filed=Count("id", filter=~Q(state=InventoryState.UNFILED)),
        pooled=Count("id", filter=Q(state=InventoryState.POOLED)),
        valid=Count("id", filter=Q(patent__legal_status=LegalStatus.VALID)),
    )


def naive_smes_served_by_institutions(*, prefix: str, year: int) -> int:
    """Distinct SMEs (enterprise side in region) that received a transfer/licence/equity from an institution."""
    sme = EnterpriseProfile.objects.filter(size__in=SME_SIZES).values("organization_id")
    q = Q()
    for kind in CONVEYING:
        q |= Q(deal__kind=kind, role=ENTERPRISE_ROLE[kind])
    return (
        DealParty.objects.filter(q, deal__state__in=CONTRACT_STATES, deal__institution__type__in=HOLDER_TYPES)
        .filter(
            Q(deal__contract_date__year=year)
            | Q(deal__contract_date__isnull=True, deal__created_at__year=year)
        )
        .filter(_region_q("organization__region_code", prefix), organization_id__in=sme)
        .values("organization_id")
        .distinct()
        .count()
    )


def naive_top_institutions(*, prefix: str, year: int, limit: int = 20) -> list[dict[str, int]]:
    """Universities and institutes in the region ranked by their contract deals of the year (ties by id)."""
    qs = (
        Deal.objects.filter(state__in=CONTRACT_STATES, institution__type__in=HOLDER_TYPES)
        .filter(_region_q("institution__region_code", prefix))
        .filter(Q(contract_date__year=year) | Q(contract_date__isnull=True, created_at__year=year))
        .values("institution_id")
        .annotate(
            deals=Count("id"), contract_fen=Sum("contract_amount_fen"), received_fen=Sum("received_fen")
        )
        .order_by("-deals", "institution_id")
    )
    return [
        {
            "id": r["institution_id"],
            "deals": r["deals"],
            "contract_fen": r["contract_fen"] or 0,
            "received_fen": r["received_fen"] or 0,
        }
        for r in qs[:limit]
    ]


def naive_response_hours(*, prefix: str = "", institution_id: int | None = None, year: int) -> dict[str, Any]:
    """Response time straight from the answers (institution's region prefix, or one institution)."""
    qs = NeedAnswer.objects.filter(answered_at__year=year)
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    else:
        qs = qs.filter(_region_q("institution__region_code", prefix))
    values = [ms for _, _, _, ms in answers_of(qs)]
    return response_summary(*response_figures(values)) if values else response_summary(0, 0, 0)
