"""Raw indicator values from columnar patent data (one numpy array per field; NaN = unknown)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.scoring.indicators import INDICATORS, indicator_index
from engine.scoring.model import RawIndicators

# Codes used in the columns.
TYPE_CODES = {"invention": 0, "utility": 1, "design": 2}
STATUS_VALID, STATUS_PENDING, STATUS_DEAD, STATUS_UNKNOWN = 0, 1, 2, -1
STATUS_CODES = {
    "valid": STATUS_VALID,
    "pending": STATUS_PENDING,
    "lapsed": STATUS_DEAD,
    "expired": STATUS_DEAD,
    "invalidated": STATUS_DEAD,
    "rejected": STATUS_DEAD,
    "withdrawn": STATUS_DEAD,
    "unknown": STATUS_UNKNOWN,
}
SELF_GRADE_VALUES = {"A": 1.0, "B": 2.0 / 3.0, "C": 1.0 / 3.0, "D": 0.0}
TERM_YEARS = np.array([20.0, 10.0, 15.0])  # invention, utility model, design (designs filed from 2021-06-01)
TYPE_VALUES = np.array([1.0, 0.5, 0.3])
# An institution converting 20% of its stock or more gets the full institution-record value.
INSTITUTION_RATE_FULL = 0.2


@dataclass(frozen=True)
class PatentColumns:
    """n patents as columns. Floats use NaN for unknown; counters from activity are 0 when absent."""

    patent_type: np.ndarray  # int8 TYPE_CODES, -1 unknown
    legal_status: np.ndarray  # int8 STATUS_*
    application_ord: np.ndarray  # float64 date ordinal
    claims: np.ndarray
    independent_claims: np.ndarray
    owners: np.ndarray  # number of patentees
    dispute: np.ndarray  # 0/1
    ipc_subclasses: np.ndarray  # distinct 4-character subclasses
    trl: np.ndarray  # 1..9
    citations_forward: np.ndarray
    citations_backward: np.ndarray
    family_size: np.ndarray
    self_grade: np.ndarray  # 0..1 (SELF_GRADE_VALUES)
    sei: np.ndarray  # 0/1, NaN when the patent was never classified
    ip_intensive: np.ndarray  # 0/1, NaN when never classified
    deals: np.ndarray  # transfers + licences + pledges + equity deals
    demand: np.ndarray  # favourites + matching needs + enterprise evaluations
    evaluations: np.ndarray
    positive_evaluations: np.ndarray
    implemented: np.ndarray  # 0/1
    institution_rate: np.ndarray  # converted / inventoried at the holding institution, NaN if none
    cohort_fine: np.ndarray  # int labels: IPC class × grant year
    cohort_coarse: np.ndarray  # int labels: IPC section × grant year


def build_raw(
    cols: PatentColumns, *, today_ord: int, with_display: bool = True
) -> tuple[RawIndicators, np.ndarray | None]:
    """Raw indicator matrix (input of normalise) and, optionally, the human-readable raw values."""
    n = cols.patent_type.shape[0]
    k = len(INDICATORS)
    # Column-major: every step works column by column, so columns are kept contiguous.
    values = np.full((n, k), np.nan, order="F")
    display = np.full((n, k), np.nan, order="F") if with_display else None

    def put(name: str, v: np.ndarray, shown: np.ndarray | None = None) -> None:
        i = indicator_index(name)
        values[:, i] = v
        if display is not None:
            display[:, i] = v if shown is None else shown

    ptype = cols.patent_type.astype(np.intp)
    known_type = ptype >= 0
    safe_type = np.where(known_type, ptype, 0)
    status = cols.legal_status
    legal = np.select(
        [status == STATUS_VALID, status == STATUS_PENDING, status == STATUS_DEAD], [1.0, 0.5, 0.0], np.nan
    )
    put("legal_status", legal)
    term_days = TERM_YEARS[safe_type] * 365.25
    remaining_days = cols.application_ord + term_days - today_ord
    remaining = np.clip(remaining_days / term_days, 0.0, 1.0)
    remaining = np.where(known_type, remaining, np.nan)
    remaining = np.where(status == STATUS_DEAD, 0.0, remaining)
    put(
        "remaining_term",
        remaining,
        np.where(np.isnan(remaining), np.nan, np.maximum(remaining_days, 0) / 365.25),
    )
    put("patent_type", np.where(known_type, TYPE_VALUES[safe_type], np.nan))
    put("claims", cols.claims)
    put("independent_claims", cols.independent_claims)
    owners = cols.owners
    put("sole_ownership", np.select([owners == 1, owners == 2, owners >= 3], [1.0, 0.7, 0.5], np.nan), owners)
    put("dispute_free", 1.0 - cols.dispute, cols.dispute)
    put("ipc_scope", cols.ipc_subclasses)
    put("maturity", (cols.trl - 1.0) / 8.0, cols.trl)
    put("forward_citations", cols.citations_forward)
    put("backward_citations", cols.citations_backward)
    put("family_size", cols.family_size)
    put("self_grade", cols.self_grade)
    put("sei_industry", cols.sei)
    put("ip_intensive", cols.ip_intensive)
    put("market_deals", cols.deals)
    put("demand_signals", cols.demand)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(cols.evaluations > 0, cols.positive_evaluations / cols.evaluations, np.nan)
    put("positive_feedback", share)
    put("implemented", cols.implemented)
    put(
        "institution_record",
        np.minimum(1.0, cols.institution_rate / INSTITUTION_RATE_FULL),
        cols.institution_rate,
    )
    raw = RawIndicators(values=values, cohort_fine=cols.cohort_fine, cohort_coarse=cols.cohort_coarse)
    return raw, display
