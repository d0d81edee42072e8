"""Batch scoring: load the patent population as columns, run engine.scoring, upsert ValueScore rows.

Cohorts are always the whole population (so an institution's rescore normalises exactly like a full
one); only the rows written are limited to the institution or patents asked for.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from engine.scoring import weight_vector
from engine.scoring.batch import Population, RowFlags, json_rows, row_flags, tier_reason
from engine.scoring.flags import TierRule as EngineTierRule
from engine.scoring.flags import assign_tiers
from engine.scoring.model import score_normalised
from panhuo.accounts.models import User
from panhuo.common.audit import audit_record
from panhuo.evaluation.models import (
    Assessment,
    EvaluationPolicy,
    Scenario,
    ScoreJob,
    TierRule,
    ValueScore,
    WeightSet,
)
from panhuo.evaluation.policies import defaults_ensure, policy_for
from panhuo.evaluation.population import load_population
from panhuo.patents.models import InventoryRecord, Patent, PatentActivity

__all__ = ["load_population", "score_job_run", "scores_recompute"]

Progress = Callable[[int, int], None]
_WRITE_CHUNK = 10_000


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
    actor: User | None = None,
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
    policies: dict[int, EvaluationPolicy] = {}
    for h in {int(h) for h in pop.holder[rows]}:
        policies[h] = policy_for(h or None)
    threshold = np.array([policies[int(h)].pledge_threshold_fen for h in pop.holder[rows]], dtype=np.float64)
    flags = row_flags(pop, rows, today=today, pledge_threshold_fen=threshold)
    written = 0
    upsert = _upsert_sql()
    shared = _SharedColumns(
        now_db=connection.ops.adapt_datetimefield_value(timezone.now()),
        due_db=[connection.ops.adapt_datefield_value(d) for d in flags.fee_due],
        values_json=json_rows(pop.norm[rows]),
        raw_json=json_rows(pop.raw_display[rows]),
    )
    for scenario in scenario_list:
        params = _scenario_params(pop, rows, flags, shared, scenario)
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


class _SharedColumns:
    """Row values that do not depend on the scenario, already adapted for the database."""

    def __init__(
        self, *, now_db: Any, due_db: list[Any], values_json: list[str], raw_json: list[str]
    ) -> None:
        self.now_db, self.due_db, self.values_json, self.raw_json = now_db, due_db, values_json, raw_json


def _scenario_params(
    pop: Population, rows: np.ndarray, flags: RowFlags, shared: _SharedColumns, scenario: str
) -> list[tuple[Any, ...]]:
    """One upsert parameter tuple per row: scored with its holder's latest weights, tiered by its holder's rules."""
    default_ws, org_ws = _latest_weight_sets(scenario)
    score = np.zeros(rows.shape[0])
    dims = np.zeros((rows.shape[0], 3))
    ws_of = np.empty(rows.shape[0], dtype=object)
    tier_idx = np.full(rows.shape[0], -1, dtype=np.int16)
    tier_rules_of: dict[int, list[TierRule]] = {}
    groups: dict[int, list[int]] = defaultdict(list)
    for j, i in enumerate(rows):
        groups[int(pop.holder[i])].append(j)
    for org_id, js in groups.items():
        sel = np.array(js, dtype=np.intp)
        ws = org_ws.get(org_id, default_ws)
        arrays = score_normalised(pop.norm[rows[sel]], weight_vector(ws.weights))
        score[sel] = arrays.score
        dims[sel] = arrays.dimensions
        ws_of[sel] = ws
        tier_rules_of[org_id] = rules = _tier_rules(org_id)
        tier_idx[sel] = assign_tiers(
            [_engine_rule(r) for r in rules],
            score=arrays.score,
            high_value_or_positive=flags.high_value_or_positive[sel],
            demand=pop.cols.demand[rows[sel]],
            days_to_fee=flags.days_to_fee[sel],
        )
    params: list[tuple[Any, ...]] = []
    for j, i in enumerate(rows):
        org_id = int(pop.holder[i])
        ws = ws_of[j]
        tier, reason = "", ""
        if tier_idx[j] >= 0:
            rule = tier_rules_of[org_id][tier_idx[j]]
            tier = rule.tier
            reason = tier_reason(
                rule.reason_zh,
                score=float(score[j]),
                categories=flags.categories[j],
                positive_evaluations=int(pop.cols.positive_evaluations[i]),
                days_to_fee=float(flags.days_to_fee[j]),
            )
        params.append(
            (
                int(pop.ids[i]),
                scenario,
                org_id or None,
                ws.pk,
                ws.model_version,
                round(float(score[j]), 6),
                _none(dims[j, 0]),
                _none(dims[j, 1]),
                _none(dims[j, 2]),
                shared.values_json[j],
                shared.raw_json[j],
                json.dumps(flags.categories[j]),
                flags.category_bits[j],
                bool(flags.sleeping[j]),
                flags.sleeping_years[j],
                tier,
                reason,
                shared.due_db[j],
                shared.now_db,
            )
        )
    return params


def _engine_rule(r: TierRule) -> EngineTierRule:
    return EngineTierRule(
        tier=r.tier,
        reason_zh=r.reason_zh,
        min_score=r.min_score,
        max_score=r.max_score,
        require_high_value_or_positive=r.require_high_value_or_positive,
        min_demand=r.min_demand,
        fee_due_within_days=r.fee_due_within_days,
    )


def score_job_run(job_id: int) -> ScoreJob:
    """Run a queued job, recording progress on the row (called by the Huey task)."""
    job = ScoreJob.objects.get(pk=job_id)
    ScoreJob.objects.filter(pk=job_id).update(state=ScoreJob.State.RUNNING, started_at=timezone.now())

    def progress(done: int, total: int) -> None:
        ScoreJob.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        scores_recompute(
            organization_id=job.organization_id,
            scenarios=[job.scenario] if job.scenario else None,
            actor=job.created_by,
            progress=progress,
        )
    except Exception as exc:  # recorded on the job so the page shows it; re-raised for the queue's log
        ScoreJob.objects.filter(pk=job_id).update(
            state=ScoreJob.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    ScoreJob.objects.filter(pk=job_id).update(state=ScoreJob.State.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


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
