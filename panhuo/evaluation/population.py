"""The whole patent population as engine columns (one plain read per table), for `scores_recompute`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, NamedTuple

import numpy as np
from django.db import connection
from django.db.models import Count, Q

from engine.scoring.batch import Population
from engine.scoring.features import SELF_GRADE_VALUES, STATUS_CODES, TYPE_CODES, PatentColumns, build_raw
from engine.scoring.model import normalise
from panhuo.patents.models import InventoryRecord, Patent, PatentActivity, PatentIndustry

AWARD_WORDS = ("国家科学技术", "国家技术发明", "国家自然科学", "国家科技进步", "中国专利")
GRANTED_KINDS = frozenset({"B", "C", "U", "Y", "S"})  # publication kinds of a granted patent


class PatentRow(NamedTuple):
    """The Patent columns scoring reads (field name == column name), in SELECT order."""

    id: int
    patent_type: str
    legal_status: str
    application_date: date | None
    grant_date: date | None
    pub_kind: str
    claims_count: int | None
    independent_claims_count: int | None
    patentees: list[Any]
    ipc_codes: list[Any]
    ipc_section: str
    ipc_class: str
    citations_forward: int | None
    citations_backward: int | None
    family_size: int | None
    overseas_granted: bool
    award: str
    annual_fee_paid_until: date | None


class ActivityRow(NamedTuple):
    patent_id: int
    transfers: int
    licences: int
    pledges: int
    equity_deals: int
    favourites: int
    matching_needs: int
    enterprise_evaluations: int
    positive_evaluations: int
    implemented: bool
    ownership_dispute: bool
    max_pledge_fen: int
    open_licence_active: bool


def _f(v: object) -> float:
    return np.nan if v is None else float(v)  # type: ignore[arg-type]


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


def patent_rows() -> list[PatentRow]:
    """All patents, read with one plain cursor: Django's per-value converters cost more than the scoring."""
    q = connection.ops.quote_name
    table = q(Patent._meta.db_table)
    cols = ", ".join(q(f) for f in PatentRow._fields)  # plain fields: column name == field name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {table} ORDER BY {q('id')}")  # noqa: S608 (constant identifiers)
        return [
            row._replace(
                application_date=_as_date(row.application_date),
                grant_date=_as_date(row.grant_date),
                annual_fee_paid_until=_as_date(row.annual_fee_paid_until),
                patentees=_as_list(row.patentees),
                ipc_codes=_as_list(row.ipc_codes),
                overseas_granted=bool(row.overseas_granted),
            )
            for row in map(PatentRow._make, cursor.fetchall())
        ]


class _Activity:
    """PatentActivity as named columns (0 where a patent has no activity row)."""

    def __init__(self, n: int, index: dict[int, int]) -> None:
        self.deals, self.demand, self.evaluations = np.zeros(n), np.zeros(n), np.zeros(n)
        self.positive, self.implemented, self.dispute = np.zeros(n), np.zeros(n), np.zeros(n)
        self.max_pledge_fen, self.open_licence = np.zeros(n), np.zeros(n)
        for a in map(ActivityRow._make, PatentActivity.objects.values_list(*ActivityRow._fields)):
            i = index.get(a.patent_id)
            if i is None:
                continue
            self.deals[i] = a.transfers + a.licences + a.pledges + a.equity_deals
            self.demand[i] = a.favourites + a.matching_needs + a.enterprise_evaluations
            self.evaluations[i] = a.enterprise_evaluations
            self.positive[i] = a.positive_evaluations
            self.implemented[i] = 1.0 if a.implemented else 0.0
            self.dispute[i] = 1.0 if a.ownership_dispute else 0.0
            self.max_pledge_fen[i] = a.max_pledge_fen
            self.open_licence[i] = 1.0 if a.open_licence_active else 0.0


def _industry_columns(n: int, index: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """SEI and IP-intensive flags (NaN for patents never classified)."""
    classified = np.zeros(n, dtype=bool)
    sei = np.zeros(n)
    intensive = np.zeros(n)
    for pid, scheme, code in PatentIndustry.objects.values_list("patent_id", "scheme", "code"):
        i = index.get(pid)
        if i is None:
            continue
        classified[i] = True
        if scheme == PatentIndustry.Scheme.SEI or (
            scheme == PatentIndustry.Scheme.TAG and code == "strategic"
        ):
            sei[i] = 1.0
        elif scheme == PatentIndustry.Scheme.TAG and code == "ip_intensive":
            intensive[i] = 1.0
    return np.where(classified, sei, np.nan), np.where(classified, intensive, np.nan)


class _Holding:
    """The holding institution of each patent (lowest organization id), its inventory answers and conversion rate."""

    def __init__(self, n: int, index: dict[int, int], activity: _Activity) -> None:
        org_rate: dict[int, float] = {}
        for org_id, total, converted in (
            InventoryRecord.objects.values("organization_id")
            .annotate(total=Count("id"), conv=Count("id", filter=Q(converted=True)))
            .values_list("organization_id", "total", "conv")
        ):
            org_rate[org_id] = converted / total if total else 0.0
        self.holder = np.zeros(n, dtype=np.int64)
        self.trl = np.full(n, np.nan)
        self.grade = np.full(n, np.nan)
        self.rate = np.full(n, np.nan)
        for pid, org_id, trl, grade, impl, conv in InventoryRecord.objects.order_by(
            "organization_id"
        ).values_list(
            "patent_id", "organization_id", "trl", "value_self_grade", "implementation_status", "converted"
        ):
            i = index.get(pid)
            if i is None or self.holder[i]:
                continue
            self.holder[i] = org_id
            self.trl[i] = _f(trl)
            self.grade[i] = SELF_GRADE_VALUES.get(grade or "", np.nan)
            self.rate[i] = org_rate.get(org_id, np.nan)
            if impl in ("implemented", "industrialised") or conv:
                activity.implemented[i] = 1.0


def _cohorts(rows: list[PatentRow]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fine (IPC class) and coarse (IPC section) cohorts by grant year (application + 3 when ungranted)."""
    keys: dict[tuple[str, int], int] = {}
    fine = np.zeros(len(rows), dtype=np.int64)
    coarse = np.zeros(len(rows), dtype=np.int64)
    app_ord = np.full(len(rows), np.nan)
    for i, r in enumerate(rows):
        app = r.application_date
        grant_year = r.grant_date.year if r.grant_date else (app.year + 3 if app else 0)
        fine[i] = keys.setdefault((r.ipc_class or "?", grant_year), len(keys))
        coarse[i] = keys.setdefault((r.ipc_section or "?", grant_year), len(keys))
        if app:
            app_ord[i] = app.toordinal()
    return fine, coarse, app_ord


def load_population(today: date) -> Population:
    """Every patent as engine columns (one values_list per table)."""
    rows = patent_rows()
    n = len(rows)
    index = {r.id: i for i, r in enumerate(rows)}
    activity = _Activity(n, index)
    sei, intensive = _industry_columns(n, index)
    holding = _Holding(n, index, activity)
    fine, coarse, app_ord = _cohorts(rows)
    cols = PatentColumns(
        patent_type=np.array([TYPE_CODES.get(r.patent_type, -1) for r in rows], dtype=np.int8),
        legal_status=np.array([STATUS_CODES.get(r.legal_status, -1) for r in rows], dtype=np.int8),
        application_ord=app_ord,
        claims=np.array([_f(r.claims_count) for r in rows]),
        independent_claims=np.array([_f(r.independent_claims_count) for r in rows]),
        owners=np.array([float(len(r.patentees)) if r.patentees else np.nan for r in rows]),
        dispute=activity.dispute,
        ipc_subclasses=np.array(
            [float(len({c[:4] for c in r.ipc_codes})) if r.ipc_codes else np.nan for r in rows]
        ),
        trl=holding.trl,
        citations_forward=np.array([_f(r.citations_forward) for r in rows]),
        citations_backward=np.array([_f(r.citations_backward) for r in rows]),
        family_size=np.array([_f(r.family_size) for r in rows]),
        self_grade=holding.grade,
        sei=sei,
        ip_intensive=intensive,
        deals=activity.deals,
        demand=activity.demand,
        evaluations=activity.evaluations,
        positive_evaluations=activity.positive,
        implemented=activity.implemented,
        institution_rate=holding.rate,
        cohort_fine=fine,
        cohort_coarse=coarse,
    )
    raw, display = build_raw(cols, today_ord=today.toordinal())
    assert display is not None
    return Population(
        ids=np.array([r.id for r in rows], dtype=np.int64),
        cols=cols,
        raw_display=display,
        norm=normalise(raw, inplace=True),
        holder=holding.holder,
        patent_type=[r.patent_type for r in rows],
        application_dates=[r.application_date for r in rows],
        grant_dates=[r.grant_date or r.application_date for r in rows],
        paid_until=[r.annual_fee_paid_until for r in rows],
        is_granted=np.array([bool(r.grant_date) or r.pub_kind in GRANTED_KINDS for r in rows], dtype=bool),
        overseas=np.array([r.overseas_granted for r in rows], dtype=bool),
        award=np.array([any(w in (r.award or "") for w in AWARD_WORDS) for r in rows], dtype=bool),
        max_pledge_fen=activity.max_pledge_fen,
        open_licence=activity.open_licence > 0,
    )
