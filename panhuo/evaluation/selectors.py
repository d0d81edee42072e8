"""Reads for evaluation. Tenant visibility of scores, assessments and lists is decided here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet

from engine.scoring import ValueScore as EngineValueScore
from engine.scoring import explain
from engine.scoring.fees import annual_fee_fen, next_fee_due, remaining_fees_fen
from engine.scoring.flags import HIGH_VALUE_CATEGORIES
from panhuo.accounts.models import Role
from panhuo.accounts.visibility import HOLDER_STAFF, MARKET_ROLES, office_prefix  # noqa: F401
from panhuo.common.errors import NotFound
from panhuo.evaluation.models import Assessment, Scenario, Tier, ValueScore
from panhuo.evaluation.services import policy_for
from panhuo.patents.models import InventoryRecord, InventoryState, Patent, PatentIndustry

UNSCORED_PRIOR = 0.5
_CHUNK = 5000


def value_priors(patent_ids: Iterable[int], scenario: str = Scenario.LICENSING) -> dict[int, float]:
    """0..1 value prior per patent (score / 100 in `scenario`); 0.5 for a patent that has no score yet.

    Scores are not tenant-private (they are computed from public bibliographic and activity data),
    so matching may use them for any patent.
    """
    ids = list(dict.fromkeys(int(i) for i in patent_ids))
    priors = dict.fromkeys(ids, UNSCORED_PRIOR)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = ValueScore.objects.filter(patent_id__in=chunk, scenario=scenario).values_list(
            "patent_id", "score"
        )
        for patent_id, score in rows:
            priors[patent_id] = max(0.0, min(1.0, score / 100.0))
    return priors


def score_breakdown(vs: ValueScore) -> EngineValueScore:
    """Recompute the explanation of a stored score from its values and its own (immutable) weight set."""
    return explain(vs.values, vs.raw, vs.weight_set.weights, model_version=vs.model_version)


def score_document(vs: ValueScore) -> dict[str, Any]:
    """The `panhuo score --json` shape; contributions (rounded) add up to the score (rounded the same way)."""
    ex = score_breakdown(vs)
    indicators: list[dict[str, Any]] = [
        {
            "name": i.name,
            "label": i.label_zh,
            "dimension": i.dimension,
            "raw": i.raw,
            "value": None if i.value is None else round(i.value, 6),
            "base_weight": round(i.base_weight, 6),
            "weight": round(i.weight, 6),
            "contribution": round(i.contribution, 6),
            "missing": i.missing,
        }
        for i in ex.indicators
    ]
    return {
        "patent": vs.patent.key,
        "scenario": vs.scenario,
        "score": round(sum(i["contribution"] for i in indicators), 6),
        "model_version": vs.model_version,
        "dimensions": {d: (None if v is None else round(v, 4)) for d, v in ex.dimensions.items()},
        "indicators": indicators,
        "missing": list(ex.missing),
        "high_value": list(vs.high_value),
        "sleeping": vs.sleeping,
        "tier": vs.tier,
        "tier_reason": vs.tier_reason,
        "computed_at": vs.computed_at.isoformat(),
    }


# --- Visibility ---------------------------------------------------------------------------------


def holder_records_visible(user: Any) -> QuerySet[InventoryRecord]:
    """Inventory records whose scores and assessments this user may see (their holder's side)."""
    records = InventoryRecord.objects.all()
    role = getattr(user, "role", None)
    if role == Role.INSTITUTION_ADMIN:
        return records.filter(organization_id=user.organization_id)
    if role == Role.COLLEGE_ADMIN:
        return records.filter(organization_id=user.organization_id, college_id=user.college_id)
    if role == Role.INVENTOR:
        return records.filter(organization_id=user.organization_id).filter(
            Q(inventor_users=user) | Q(filer=user)
        )
    prefix = office_prefix(user)
    if prefix is not None:
        return records.filter(organization__region_code__startswith=prefix)
    return records.none()


def patents_visible(user: Any) -> QuerySet[Patent]:
    """Patents whose evaluation panel the user may open: held (per role) or published in the pool."""
    held = holder_records_visible(user).values("patent_id")
    pooled = InventoryRecord.objects.filter(state=InventoryState.POOLED).values("patent_id")
    if getattr(user, "role", None) in MARKET_ROLES:
        return Patent.objects.filter(pk__in=pooled)
    return Patent.objects.filter(Q(pk__in=held) | Q(pk__in=pooled))


def is_holder_side(user: Any, patent: Patent) -> bool:
    return holder_records_visible(user).filter(patent=patent).exists()


def scores_visible(user: Any, scenario: str = Scenario.MANAGEMENT) -> QuerySet[ValueScore]:
    """Score rows the user may list: own holdings per role, the region for offices, the pool for the market."""
    if getattr(user, "role", None) in MARKET_ROLES:
        ids = InventoryRecord.objects.filter(state=InventoryState.POOLED).values("patent_id")
    else:
        ids = holder_records_visible(user).values("patent_id")
    return ValueScore.objects.filter(scenario=scenario, patent_id__in=ids)


@dataclass(frozen=True)
class ScoreFilters:
    scenario: str = Scenario.MANAGEMENT
    tier: str = ""
    min_score: float | None = None
    max_score: float | None = None
    high_value: str = ""  # "any" or a category name
    sleeping: bool | None = None
    organization_id: int | None = None
    college_id: int | None = None
    industry: str = ""  # industry code in any scheme (PatentIndustry.code)


def score_list(user: Any, f: ScoreFilters) -> QuerySet[ValueScore]:
    qs = scores_visible(user, f.scenario).select_related("patent", "organization")
    if f.tier:
        qs = qs.filter(tier=f.tier)
    if f.min_score is not None:
        qs = qs.filter(score__gte=f.min_score)
    if f.max_score is not None:
        qs = qs.filter(score__lte=f.max_score)
    if f.high_value == "any":
        qs = qs.filter(high_value_bits__gt=0)
    elif f.high_value in HIGH_VALUE_CATEGORIES:
        bit = 1 << HIGH_VALUE_CATEGORIES.index(f.high_value)
        qs = qs.annotate(_hv=F("high_value_bits").bitand(bit)).filter(_hv__gt=0)
    if f.sleeping is not None:
        qs = qs.filter(sleeping=f.sleeping)
    if f.organization_id is not None:
        qs = qs.filter(patent__inventory_records__organization_id=f.organization_id)
    if f.college_id is not None:
        qs = qs.filter(patent__inventory_records__college_id=f.college_id)
    if f.industry:
        qs = qs.filter(patent_id__in=PatentIndustry.objects.filter(code=f.industry).values("patent_id"))
    return qs.order_by("-score", "patent_id")


# --- Assessments side by side -------------------------------------------------------------------

GRADE_RANK = {"A": 3, "B": 2, "C": 1, "D": 0}
PROSPECT_RANK: dict[str, float] = {"good": 3.0, "fair": 1.5, "poor": 0.0}


@dataclass(frozen=True)
class AssessmentView:
    kind: str
    kind_label: str
    who: str
    organization: str
    when: Any
    trl: int | None
    value_grade: str
    prospect: str
    cooperation: str
    improvement_need: str
    recommended_mode: str
    price_min_fen: int | None
    price_max_fen: int | None
    comment: str
    is_demo: bool


def assessments_for(user: Any, patent: Patent) -> list[AssessmentView]:
    """Self-assessment (from 建档) + stored assessments the user may see; holders and offices see all,
    an enterprise only its own evaluations."""
    holder_side = is_holder_side(user, patent)
    views: list[AssessmentView] = []
    if holder_side:
        for r in holder_records_visible(user).filter(patent=patent).select_related("organization", "filer"):
            if not r.is_filed:
                continue
            views.append(
                AssessmentView(
                    kind="self",
                    kind_label="发明人自评(建档)",
                    who=r.filer.name if r.filer else r.first_inventor,
                    organization=r.organization.name,
                    when=r.submitted_at or r.updated_at,
                    trl=r.trl,
                    value_grade=r.value_self_grade,
                    prospect="",
                    cooperation="",
                    improvement_need="",
                    recommended_mode="、".join(r.conversion_modes or []),
                    price_min_fen=None,
                    price_max_fen=None,
                    comment=r.industrialisation_prospects or r.application_scenarios,
                    is_demo=r.is_demo,
                )
            )
    stored = Assessment.objects.filter(patent=patent).select_related("author", "organization")
    if not holder_side:
        stored = stored.filter(organization_id=getattr(user, "organization_id", None) or 0)
    for a in stored:
        views.append(
            AssessmentView(
                kind=a.kind,
                kind_label=a.get_kind_display(),
                who=a.expert_name or (a.author.name if a.author else ""),
                organization=a.organization.name,
                when=a.created_at,
                trl=a.trl,
                value_grade=a.value_grade,
                prospect=a.prospect,
                cooperation=a.cooperation,
                improvement_need=a.improvement_need,
                recommended_mode=a.recommended_mode,
                price_min_fen=a.price_min_fen,
                price_max_fen=a.price_max_fen,
                comment=a.comment,
                is_demo=a.is_demo,
            )
        )
    return views


def disagreements(views: list[AssessmentView]) -> list[str]:
    """Where assessments disagree: value grades (or enterprise prospects) two steps apart, TRL 3+ apart."""
    notes: list[str] = []
    rated: list[tuple[AssessmentView, float]] = [
        (v, GRADE_RANK[v.value_grade]) for v in views if v.value_grade in GRADE_RANK
    ]
    rated += [(v, PROSPECT_RANK[v.prospect]) for v in views if v.kind == "enterprise" and v.prospect]
    if rated:
        hi = max(rated, key=lambda t: t[1])
        lo = min(rated, key=lambda t: t[1])
        if hi[1] - lo[1] >= 2:
            notes.append(
                f"价值判断分歧：{hi[0].kind_label}({hi[0].who}) 明显高于 {lo[0].kind_label}({lo[0].who})"
            )
    trls = [(v, v.trl) for v in views if v.trl is not None]
    if trls:
        hi_t = max(trls, key=lambda t: t[1])
        lo_t = min(trls, key=lambda t: t[1])
        if hi_t[1] - lo_t[1] >= 3:
            notes.append(
                f"技术成熟度分歧：{hi_t[0].kind_label} TRL {hi_t[1]} 与 {lo_t[0].kind_label} TRL {lo_t[1]}"
            )
    return notes


# --- Annual fee calendar ------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeRow:
    patent_id: int
    key: str
    title: str
    patent_type: str
    due: date
    patent_year: int
    fee_fen: int
    open_licence: bool
    score: float
    tier: str
    suggest_drop: bool
    saving_fen: int  # all remaining fees to the end of the term if dropped now


def fee_calendar(
    user: Any, *, organization_id: int, today: date, horizon_days: int | None = None
) -> list[FeeRow]:
    """What is due when for one institution's valid patents, and which ones the score suggests dropping."""
    if not holder_records_visible(user).filter(organization_id=organization_id).exists() and not (
        getattr(user, "role", None) == Role.INSTITUTION_ADMIN and user.organization_id == organization_id
    ):
        raise NotFound()
    policy = policy_for(organization_id)
    horizon = today + timedelta(days=horizon_days or policy.fee_horizon_days)
    held = holder_records_visible(user).filter(organization_id=organization_id).values("patent_id")
    qs = (
        ValueScore.objects.filter(
            scenario=Scenario.MANAGEMENT,
            patent_id__in=held,
            fee_due_date__isnull=False,
            fee_due_date__lte=horizon,
        )
        .select_related("patent", "patent__activity")
        .order_by("fee_due_date", "patent_id")
    )
    rows: list[FeeRow] = []
    for vs in qs:
        p = vs.patent
        if p.application_date is None:
            continue
        due, year = next_fee_due(p.application_date, today, p.annual_fee_paid_until)
        activity = getattr(p, "activity", None)
        open_licence = bool(activity and activity.open_licence_active)
        fee = annual_fee_fen(
            p.patent_type, year, open_licence=open_licence, reduction=policy.open_licence_fee_reduction
        )
        drop = vs.tier == Tier.FEE_REVIEW or (vs.sleeping and vs.score < policy.drop_below_score)
        saving = (
            remaining_fees_fen(
                p.patent_type, year, open_licence=open_licence, reduction=policy.open_licence_fee_reduction
            )
            if drop
            else 0
        )
        rows.append(
            FeeRow(
                patent_id=p.pk,
                key=p.key,
                title=p.title,
                patent_type=p.get_patent_type_display(),
                due=due,
                patent_year=year,
                fee_fen=fee,
                open_licence=open_licence,
                score=vs.score,
                tier=vs.get_tier_display(),
                suggest_drop=drop,
                saving_fen=saving,
            )
        )
    return rows
