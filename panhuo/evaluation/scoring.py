"""Batch scoring: load the patent population as columns, run engine.scoring, upsert ValueScore rows.

Cohorts are always the whole population (so an institution's rescore normalises exactly like a full
one); only the rows written are limited to the institution or patents asked for.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from engine.scoring import weight_vector
from engine.scoring.features import SELF_GRADE_VALUES, STATUS_CODES, TYPE_CODES, PatentColumns, build_raw
from engine.scoring.fees import next_fee_due
from engine.scoring.flags import HIGH_VALUE_CATEGORIES, HIGH_VALUE_LABELS, assign_tiers, high_value_matrix
from engine.scoring.flags import TierRule as EngineTierRule
from engine.scoring.model import normalise, score_normalised
from panhuo.common.audit import audit_record
from panhuo.evaluation.models import Assessment, EvaluationPolicy, Scenario, TierRule, ValueScore, WeightSet
from panhuo.evaluation.services import defaults_ensure, policy_for
from panhuo.patents.models import InventoryRecord, Patent, PatentActivity, PatentIndustry

Progress = Callable[[int, int], None]
AWARD_WORDS = ("国家科学技术", "国家技术发明", "国家自然科学", "国家科技进步", "中国专利")
_WRITE_CHUNK = 10_000


@dataclass(frozen=True)
class Population:
    ids: np.ndarray
    cols: PatentColumns
    raw_display: np.ndarray
    norm: np.ndarray
    holder: np.ndarray  # holding organization id, 0 when none
    patent_type: list[str]
    application_dates: list[date | None]
    grant_dates: list[date | None]
    paid_until: list[date | None]
    is_granted: np.ndarray
    overseas: np.ndarray
    award: np.ndarray
    max_pledge_fen: np.ndarray
    open_licence: np.ndarray


def _f(v: object) -> float:
    return np.nan if v is None else float(v)  # type: ignore[arg-type]


_PATENT_FIELDS = (
    "id",
    "patent_type",
    "legal_status",
    "application_date",
    "grant_date",
    "pub_kind",
    "claims_count",
    "independent_claims_count",
    "patentees",
    "ipc_codes",
    "ipc_section",
    "ipc_class",
    "citations_forward",
    "citations_backward",
    "family_size",
    "overseas_granted",
    "award",
    "annual_fee_paid_until",
)
_DATE_COLS = (3, 4, 17)
_JSON_COLS = (8, 9)


def _as_date(v: object) -> date | None:
    if v is None or isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])


def _as_list(v: object) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, str):
        loaded = json.loads(v)
        return loaded if isinstance(loaded, list) else []
    return v if isinstance(v, list) else []


def _patent_rows() -> list[list[Any]]:
    """All patents, read with one plain cursor: Django's per-value converters cost more than the scoring."""
    q = connection.ops.quote_name
    table = q(Patent._meta.db_table)
    cols = ", ".join(q(f) for f in _PATENT_FIELDS)  # plain fields: column name == field name
    out: list[list[Any]] = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {table} ORDER BY {q('id')}")  # noqa: S608 (constant identifiers)
        for raw in cursor.fetchall():
            row = list(raw)
            for c in _DATE_COLS:
                row[c] = _as_date(row[c])
            for c in _JSON_COLS:
                row[c] = _as_list(row[c])
            row[15] = bool(row[15])
            out.append(row)
    return out


def load_population(today: date) -> Population:
    """Every patent as engine columns (one values_list per table)."""
    rows = _patent_rows()
    n = len(rows)
    index = {r[0]: i for i, r in enumerate(rows)}
    ids = np.array([r[0] for r in rows], dtype=np.int64)

    activity = np.zeros((n, 9))  # deals, demand, evaluations, positive, implemented, dispute, pledge, open, -
    for a in PatentActivity.objects.values_list(
        "patent_id",
        "transfers",
        "licences",
        "pledges",
        "equity_deals",
        "favourites",
        "matching_needs",
        "enterprise_evaluations",
        "positive_evaluations",
        "implemented",
        "ownership_dispute",
        "max_pledge_fen",
        "open_licence_active",
    ):
        i = index.get(a[0])
        if i is None:
            continue
        activity[i, 0] = a[1] + a[2] + a[3] + a[4]
        activity[i, 1] = a[5] + a[6] + a[7]
        activity[i, 2] = a[7]
        activity[i, 3] = a[8]
        activity[i, 4] = 1.0 if a[9] else 0.0
        activity[i, 5] = 1.0 if a[10] else 0.0
        activity[i, 6] = a[11]
        activity[i, 7] = 1.0 if a[12] else 0.0

    classified = np.zeros(n, dtype=bool)
    sei = np.zeros(n)
    intensive = np.zeros(n)
    for pid, scheme, code in PatentIndustry.objects.values_list("patent_id", "scheme", "code"):
        i = index.get(pid)
        if i is None:
            continue
        classified[i] = True
        if scheme == PatentIndustry.Scheme.SEI:
            sei[i] = 1.0
        elif scheme == PatentIndustry.Scheme.TAG and code in ("ip_intensive", "strategic"):
            if code == "ip_intensive":
                intensive[i] = 1.0
            else:
                sei[i] = 1.0
    sei = np.where(classified, sei, np.nan)
    intensive = np.where(classified, intensive, np.nan)

    org_rate: dict[int, float] = {}
    for org_id, total, converted in (
        InventoryRecord.objects.values("organization_id")
        .annotate(total=Count("id"), conv=Count("id", filter=Q(converted=True)))
        .values_list("organization_id", "total", "conv")
    ):
        org_rate[org_id] = converted / total if total else 0.0
    holder = np.zeros(n, dtype=np.int64)
    trl = np.full(n, np.nan)
    grade = np.full(n, np.nan)
    rate = np.full(n, np.nan)
    for pid, org_id, t, g, impl, conv in InventoryRecord.objects.order_by("organization_id").values_list(
        "patent_id", "organization_id", "trl", "value_self_grade", "implementation_status", "converted"
    ):
        i = index.get(pid)
        if i is None or holder[i]:
            continue
        holder[i] = org_id
        trl[i] = _f(t)
        grade[i] = SELF_GRADE_VALUES.get(g or "", np.nan)
        rate[i] = org_rate.get(org_id, np.nan)
        if impl in ("implemented", "industrialised") or conv:
            activity[i, 4] = 1.0

    cohort_keys: dict[tuple[str, int], int] = {}
    fine = np.zeros(n, dtype=np.int64)
    coarse = np.zeros(n, dtype=np.int64)
    app_ord = np.full(n, np.nan)
    for i, r in enumerate(rows):
        grant_year = r[4].year if r[4] else (r[3].year + 3 if r[3] else 0)
        fine[i] = cohort_keys.setdefault((r[11] or "?", grant_year), len(cohort_keys))
        coarse[i] = cohort_keys.setdefault((r[10] or "?", grant_year), len(cohort_keys))
        if r[3]:
            app_ord[i] = r[3].toordinal()

    cols = PatentColumns(
        patent_type=np.array([TYPE_CODES.get(r[1], -1) for r in rows], dtype=np.int8),
        legal_status=np.array([STATUS_CODES.get(r[2], -1) for r in rows], dtype=np.int8),
        application_ord=app_ord,
        claims=np.array([_f(r[6]) for r in rows]),
        independent_claims=np.array([_f(r[7]) for r in rows]),
        owners=np.array([float(len(r[8])) if r[8] else np.nan for r in rows]),
        dispute=activity[:, 5],
        ipc_subclasses=np.array([float(len({c[:4] for c in r[9]})) if r[9] else np.nan for r in rows]),
        trl=trl,
        citations_forward=np.array([_f(r[12]) for r in rows]),
        citations_backward=np.array([_f(r[13]) for r in rows]),
        family_size=np.array([_f(r[14]) for r in rows]),
        self_grade=grade,
        sei=sei,
        ip_intensive=intensive,
        deals=activity[:, 0],
        demand=activity[:, 1],
        evaluations=activity[:, 2],
        positive_evaluations=activity[:, 3],
        implemented=activity[:, 4],
        institution_rate=rate,
        cohort_fine=fine,
        cohort_coarse=coarse,
    )
    raw, display = build_raw(cols, today_ord=today.toordinal())
    assert display is not None
    return Population(
        ids=ids,
        cols=cols,
        raw_display=display,
        norm=normalise(raw, inplace=True),
        holder=holder,
        patent_type=[r[1] for r in rows],
        application_dates=[r[3] for r in rows],
        grant_dates=[r[4] or r[3] for r in rows],
        paid_until=[r[17] for r in rows],
        is_granted=np.array([bool(r[4]) or r[5] in {"B", "C", "U", "Y", "S"} for r in rows], dtype=bool),
        overseas=np.array([bool(r[15]) for r in rows], dtype=bool),
        award=np.array([any(w in (r[16] or "") for w in AWARD_WORDS) for r in rows], dtype=bool),
        max_pledge_fen=activity[:, 6],
        open_licence=activity[:, 7] > 0,
    )


def _tier_rules(org_id: int) -> list[TierRule]:
    rules = list(TierRule.objects.filter(organization_id=org_id).order_by("priority")) if org_id else []
    if not rules:
        rules = list(TierRule.objects.filter(organization__isnull=True).order_by("priority"))
    return rules


def _latest_weight_sets(scenario: str) -> tuple[WeightSet, dict[int, WeightSet]]:
    default = (
        WeightSet.objects.filter(organization__isnull=True, scenario=scenario).order_by("-version").first()
    )
    assert default is not None  # defaults_ensure ran
    per_org: dict[int, WeightSet] = {}
    for ws in WeightSet.objects.filter(organization__isnull=False, scenario=scenario).order_by("version"):
        per_org[ws.organization_id] = ws  # type: ignore[index]  # ascending: the last one wins
    return default, per_org


_COLUMNS = (
    "patent_id",
    "scenario",
    "organization_id",
    "weight_set_id",
    "model_version",
    "score",
    "legal",
    "technical",
    "economic",
    "values",
    "raw",
    "high_value",
    "high_value_bits",
    "sleeping",
    "sleeping_years",
    "tier",
    "tier_reason",
    "fee_due_date",
    "computed_at",
)
_JSON_COLUMNS = {"values", "raw", "high_value"}


def _upsert_sql() -> str:
    """One INSERT … ON CONFLICT (patent, scenario) DO UPDATE: same syntax on SQLite >= 3.24 and PostgreSQL.

    Written by hand because bulk_create spends most of a 50,000-patent rescore building model instances.
    """
    q = connection.ops.quote_name
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    marks = ", ".join(f"%s{json_cast}" if c in _JSON_COLUMNS else "%s" for c in _COLUMNS)
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in _COLUMNS if c not in ("patent_id", "scenario"))
    # Only constant, backend-quoted identifiers are interpolated; every value is a bound parameter.
    return (
        f"INSERT INTO {q(ValueScore._meta.db_table)} ({', '.join(q(c) for c in _COLUMNS)}) VALUES ({marks}) "  # noqa: S608
        f"ON CONFLICT ({q('patent_id')}, {q('scenario')}) DO UPDATE SET {updates}"
    )


def _none(v: float) -> float | None:
    return None if np.isnan(v) else round(float(v), 6)


def scores_recompute(
    *,
    organization_id: int | None = None,
    patent_ids: Iterable[int] | None = None,
    scenarios: Iterable[str] | None = None,
    actor: object = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> int:
    """Rescore the patents held by `organization_id` (or `patent_ids`, or all); returns rows written."""
    defaults_ensure()
    today = today or timezone.localdate()
    pop = load_population(today)
    target = np.ones(pop.ids.shape[0], dtype=bool)
    if organization_id is not None:
        target &= pop.holder == organization_id
    if patent_ids is not None:
        target &= np.isin(pop.ids, np.array(list(patent_ids), dtype=np.int64))
    rows = np.flatnonzero(target)
    scenario_list = list(scenarios or Scenario.values)
    total = rows.shape[0] * len(scenario_list)
    if progress:
        progress(0, total)

    # Scenario-independent flags.
    is_valid = pop.cols.legal_status == 0
    policies: dict[int, EvaluationPolicy] = {}

    def policy(org_id: int) -> EvaluationPolicy:
        if org_id not in policies:
            policies[org_id] = policy_for(org_id or None)
        return policies[org_id]

    threshold = np.array([policy(int(h)).pledge_threshold_fen for h in pop.holder[rows]], dtype=np.float64)
    hv = high_value_matrix(
        is_invention=pop.cols.patent_type[rows] == 0,
        is_valid=is_valid[rows],
        sei=pop.cols.sei[rows],
        overseas_granted=pop.overseas[rows],
        application_ord=pop.cols.application_ord[rows],
        max_pledge_fen=pop.max_pledge_fen[rows],
        award=pop.award[rows],
        today_ord=today.toordinal(),
        pledge_threshold_fen=0,  # compared below per holder
    )
    hv[:, HIGH_VALUE_CATEGORIES.index("pledge")] &= pop.max_pledge_fen[rows] >= threshold
    sleeping = (
        is_valid[rows]
        & pop.is_granted[rows]
        & (pop.cols.deals[rows] == 0)
        & (pop.cols.implemented[rows] == 0)
    )
    due_dates: list[date | None] = []
    days_to_fee = np.full(rows.shape[0], np.inf)
    for j, i in enumerate(rows):
        app = pop.application_dates[i]
        if is_valid[i] and app is not None:
            due, _year = next_fee_due(app, today, pop.paid_until[i])
            due_dates.append(due)
            days_to_fee[j] = (due - today).days
        else:
            due_dates.append(None)
    positive = pop.cols.positive_evaluations[rows] > 0
    hv_or_pos = hv.any(axis=1) | positive

    now = timezone.now()
    written = 0
    upsert = _upsert_sql()
    now_db = connection.ops.adapt_datetimefield_value(now)
    due_db = [connection.ops.adapt_datefield_value(d) for d in due_dates]
    norm_rows = np.round(pop.norm[rows], 6).tolist()
    raw_rows = np.round(pop.raw_display[rows], 6).tolist()
    values_json = [json.dumps([None if v != v else v for v in r]) for r in norm_rows]
    raw_json = [json.dumps([None if v != v else v for v in r]) for r in raw_rows]
    cats_of = [
        [c for c, on in zip(HIGH_VALUE_CATEGORIES, hv[j], strict=True) if on] for j in range(rows.shape[0])
    ]
    cats_json = [json.dumps(c) for c in cats_of]
    bits_of = (hv.astype(np.int64) * (1 << np.arange(len(HIGH_VALUE_CATEGORIES)))).sum(axis=1).tolist()
    years_of: list[int | None] = []
    for j, i in enumerate(rows):
        since = pop.grant_dates[i]
        # 沉睡 age: years since grant (filing when the grant date is unknown)
        years_of.append(max(0, (today - since).days // 365) if sleeping[j] and since is not None else None)
    version_of: dict[int, str] = {}
    for scenario in scenario_list:
        default_ws, org_ws = _latest_weight_sets(scenario)
        for ws_ in (default_ws, *org_ws.values()):
            version_of[ws_.pk] = ws_.model_version
        score = np.zeros(rows.shape[0])
        dims = np.zeros((rows.shape[0], 3))
        ws_of = np.empty(rows.shape[0], dtype=object)
        groups: dict[int, list[int]] = defaultdict(list)
        for j, i in enumerate(rows):
            groups[int(pop.holder[i])].append(j)
        tier_idx = np.full(rows.shape[0], -1, dtype=np.int16)
        tier_rules_of: dict[int, list[TierRule]] = {}
        for org_id, js in groups.items():
            sel = np.array(js, dtype=np.intp)
            ws = org_ws.get(org_id, default_ws)
            arrays = score_normalised(pop.norm[rows[sel]], weight_vector(ws.weights))
            score[sel] = arrays.score
            dims[sel] = arrays.dimensions
            ws_of[sel] = ws
            rules = _tier_rules(org_id)
            tier_rules_of[org_id] = rules
            engine_rules = [
                EngineTierRule(
                    tier=r.tier,
                    reason_zh=r.reason_zh,
                    min_score=r.min_score,
                    max_score=r.max_score,
                    require_high_value_or_positive=r.require_high_value_or_positive,
                    min_demand=r.min_demand,
                    fee_due_within_days=r.fee_due_within_days,
                )
                for r in rules
            ]
            tier_idx[sel] = assign_tiers(
                engine_rules,
                score=arrays.score,
                high_value_or_positive=hv_or_pos[sel],
                demand=pop.cols.demand[rows[sel]],
                days_to_fee=days_to_fee[sel],
            )
        params: list[tuple[Any, ...]] = []
        for j, i in enumerate(rows):
            org_id = int(pop.holder[i])
            ws = ws_of[j]
            cats = cats_of[j]
            tier, reason = "", ""
            if tier_idx[j] >= 0:
                rule = tier_rules_of[org_id][tier_idx[j]]
                tier = rule.tier
                bits = [f"价值分 {score[j]:.1f}"]
                if cats:
                    bits.append("高价值：" + "、".join(HIGH_VALUE_LABELS[c] for c in cats))
                if positive[j]:
                    bits.append(f"企业正面评价 {int(pop.cols.positive_evaluations[i])} 条")
                if np.isfinite(days_to_fee[j]):
                    bits.append(f"距下次年费 {int(days_to_fee[j])} 天")
                reason = f"{rule.reason_zh}（{'；'.join(bits)}）"[:300]
            params.append(
                (
                    int(pop.ids[i]),
                    scenario,
                    org_id or None,
                    ws.pk,
                    version_of[ws.pk],
                    round(float(score[j]), 6),
                    _none(dims[j, 0]),
                    _none(dims[j, 1]),
                    _none(dims[j, 2]),
                    values_json[j],
                    raw_json[j],
                    cats_json[j],
                    bits_of[j],
                    bool(sleeping[j]),
                    years_of[j],
                    tier,
                    reason,
                    due_db[j],
                    now_db,
                )
            )
        for start in range(0, len(params), _WRITE_CHUNK):
            chunk = params[start : start + _WRITE_CHUNK]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(upsert, chunk)
            written += len(chunk)
            if progress:
                progress(written, total)
    with transaction.atomic():
        audit_record(
            "evaluation.scores_recompute",
            actor=actor,
            tenant_id=organization_id,
            object_type="evaluation.ValueScore",
            detail={"rows": written, "scenarios": scenario_list, "organization": organization_id},
        )
    return written


# How far back the minute-by-minute rescore looks for changed inputs (the nightly run covers longer outages).
CHANGE_WINDOW = timedelta(minutes=30)


def changed_since_scored(*, now: datetime | None = None) -> list[int]:
    """Patents whose scoring inputs changed after their scores were computed, looking back CHANGE_WINDOW.

    Inputs: the patent, its 建档 record (TRL, 自评…), its market signals (PatentActivity) and assessments.
    """
    now = now or timezone.now()
    since = now - CHANGE_WINDOW
    latest: dict[int, datetime] = {}
    sources = (
        Patent.objects.filter(updated_at__gte=since).values_list("pk", "updated_at"),
        InventoryRecord.objects.filter(updated_at__gte=since).values_list("patent_id", "updated_at"),
        PatentActivity.objects.filter(updated_at__gte=since).values_list("patent_id", "updated_at"),
        Assessment.objects.filter(created_at__gte=since).values_list("patent_id", "created_at"),
    )
    for rows in sources:
        for patent_id, at in rows:
            if at > latest.get(patent_id, since):
                latest[patent_id] = at
    if not latest:
        return []
    scored = dict(
        ValueScore.objects.filter(patent_id__in=list(latest))
        .values("patent_id")
        .annotate(oldest=Min("computed_at"))
        .values_list("patent_id", "oldest")
    )
    return sorted(pid for pid, at in latest.items() if pid not in scored or scored[pid] < at)


def scores_refresh_changed(*, now: datetime | None = None) -> int:
    """Rescore the patents whose inputs changed since they were scored (the worker runs this every minute)."""
    stale = changed_since_scored(now=now)
    return scores_recompute(patent_ids=stale) if stale else 0
