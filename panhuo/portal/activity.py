"""Recount `PatentActivity` counters from the rows the services bump them for (`panhuo activity_rebuild`).

The counters live in `patents` so evaluation and matching read market signals without importing deals or demand;
only the top layer sees every source, so the reconcile's expected figures are computed here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from panhuo.accounts.models import User
from panhuo.deals.models import DealKind, DealPatent, DealState
from panhuo.demand.models import Favourite, Need
from panhuo.evaluation.models import POSITIVE_ASSESSMENT, Assessment, AssessmentKind
from panhuo.patents.activity import CounterDrift, activity_counters_reconcile


def _per_patent(qs: Any) -> dict[int, int]:
    return dict(Counter(qs.values_list("patent_id", flat=True).iterator(20_000)))


def expected_counters() -> dict[str, dict[int, int]]:
    """counter -> patent id -> count, following the services that bump them.

    Deals count once they reached a contract state through the deal services (`Deal.activity_applied`; imported
    history does not count), transfers once completed; needs count the patents they name."""
    applied = DealPatent.objects.filter(deal__activity_applied=True)
    enterprise = Assessment.objects.filter(kind=AssessmentKind.ENTERPRISE)
    return {
        "transfers": _per_patent(
            applied.filter(deal__kind=DealKind.TRANSFER, deal__state=DealState.COMPLETED)
        ),
        "licences": _per_patent(applied.filter(deal__kind__in=(DealKind.LICENCE, DealKind.OPEN_LICENCE))),
        "pledges": _per_patent(applied.filter(deal__kind=DealKind.PLEDGE)),
        "equity_deals": _per_patent(applied.filter(deal__kind=DealKind.EQUITY)),
        "favourites": _per_patent(Favourite.objects.all()),
        "matching_needs": _per_patent(Need.patents.through.objects.all()),
        "enterprise_evaluations": _per_patent(enterprise),
        "positive_evaluations": _per_patent(enterprise.filter(POSITIVE_ASSESSMENT)),
    }


def activity_rebuild(*, apply: bool = True, actor: User | None = None) -> list[CounterDrift]:
    """The counters that differ from their sources (fixed unless `apply` is False)."""
    return activity_counters_reconcile(expected=expected_counters(), apply=apply, actor=actor)
