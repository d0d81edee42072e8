"""Office statistics of disclosures: how many, what the 申请前评估 decided, and how many filings went through it.

Counts only (never a disclosure's text): offices see their region's institutions, institution staff their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from panhuo.accounts.models import HOLDER_TYPES
from panhuo.disclosures.models import FILING_DECISIONS, Decision, Disclosure, Filing, PreFilingEvaluation
from panhuo.patents.models import InventoryRecord


@dataclass(frozen=True)
class DisclosureStats:
    year: int
    region_prefix: str
    institution_id: int | None
    disclosures: int  # submitted in the year
    decided: int  # evaluations decided in the year
    outcomes: dict[str, int] = field(default_factory=dict)  # decision label -> count
    filings: int = 0  # applications filed in the year from a disclosure
    applications: int = 0  # the scope's institutions' applications of the year in the inventory
    applications_evaluated: int = 0  # of which linked to a disclosure with a 申请前评估
    overdue: int = 0  # a filing decision past its deadline, not filed

    @property
    def evaluated_share_percent(self) -> float | None:
        if not self.applications:
            return None
        return round(self.applications_evaluated * 100 / self.applications, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "region_prefix": self.region_prefix,
            "institution_id": self.institution_id,
            "disclosures": self.disclosures,
            "decided": self.decided,
            "outcomes": self.outcomes,
            "filings": self.filings,
            "applications": self.applications,
            "applications_evaluated": self.applications_evaluated,
            "evaluated_share_percent": self.evaluated_share_percent,
            "overdue": self.overdue,
        }


def _scope(path: str, region_prefix: str, institution_id: int | None) -> Q:
    """Rows whose institution (reached through `path`, e.g. "disclosure__institution") is in the scope."""
    if institution_id is not None:
        return Q(**{f"{path}_id": institution_id})
    return Q(**{f"{path}__type__in": HOLDER_TYPES, f"{path}__region_code__startswith": region_prefix})


def disclosure_statistics(
    *, year: int, region_prefix: str = "", institution_id: int | None = None
) -> DisclosureStats:
    """The figures of one scope (a region prefix, "" = national; or one institution) and calendar year."""
    disclosures = Disclosure.objects.filter(
        _scope("institution", region_prefix, institution_id), submitted_at__year=year
    ).count()
    via_disclosure = _scope("disclosure__institution", region_prefix, institution_id)
    evaluations = PreFilingEvaluation.objects.filter(via_disclosure, decided_at__year=year).exclude(
        decision=""
    )
    by_decision = dict(evaluations.values_list("decision").annotate(n=Count("id")).order_by())
    outcomes = {Decision(d).label: by_decision[d] for d in Decision.values if by_decision.get(d)}
    filings = Filing.objects.filter(via_disclosure, filed_on__year=year).count()
    records = InventoryRecord.objects.filter(
        _scope("organization", region_prefix, institution_id), patent__application_date__year=year
    )
    applications = records.count()
    evaluated = (
        records.filter(patent__disclosure_filings__disclosure__evaluation__decided_at__isnull=False)
        .values("patent_id")
        .distinct()
        .count()
    )
    overdue = PreFilingEvaluation.objects.filter(
        via_disclosure,
        decision__in=FILING_DECISIONS,
        deadline__lt=timezone.localdate(),
        disclosure__filing__isnull=True,
    ).count()
    return DisclosureStats(
        year=year,
        region_prefix=region_prefix,
        institution_id=institution_id,
        disclosures=disclosures,
        decided=sum(by_decision.values()),
        outcomes=outcomes,
        filings=filings,
        applications=applications,
        applications_evaluated=evaluated,
        overdue=overdue,
    )


def deadlines_due(*, within_days: int, institution_id: int | None = None) -> list[dict[str, Any]]:
    """Filing decisions not yet filed whose deadline is past or within `within_days` (reminder list)."""
    today = timezone.localdate()
    qs = PreFilingEvaluation.objects.filter(
        decision__in=FILING_DECISIONS,
        deadline__lte=today + timedelta(days=within_days),
        disclosure__filing__isnull=True,
    ).select_related("disclosure__institution")
    if institution_id is not None:
        qs = qs.filter(disclosure__institution_id=institution_id)
    return [
        {
            "disclosure_id": e.disclosure_id,
            "institution": e.disclosure.institution.name,
            "title": e.disclosure.title,
            "decision": e.get_decision_display(),
            "deadline": e.deadline.isoformat() if e.deadline else None,
            "overdue": bool(e.deadline and e.deadline < today),
        }
        for e in qs.order_by("deadline", "disclosure_id")
    ]
