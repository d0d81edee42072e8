"""The scenario-independent part of a batch rescore: flags, fee dates and tier reasons for the rows written.

`panhuo.evaluation.population` loads the patents as a `Population`; `panhuo.evaluation.scoring` scores the
scenarios and writes rows. Everything between is here, Django-free.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import numpy as np

from engine.scoring.features import PatentColumns
from engine.scoring.fees import next_fee_due
from engine.scoring.flags import HIGH_VALUE_CATEGORIES, HIGH_VALUE_LABELS, high_value_matrix


@dataclass(frozen=True)
class Population:
    """Every patent as engine columns, in id order; `rows` below index into it."""

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


@dataclass(frozen=True)
class RowFlags:
    """Per written row (aligned with `rows`): what the tiers and the ValueScore row need besides the score."""

    high_value: np.ndarray  # (rows, categories) bool
    categories: list[list[str]]
    category_bits: list[int]
    sleeping: np.ndarray
    sleeping_years: list[int | None]
    fee_due: list[date | None]
    days_to_fee: np.ndarray  # inf when no fee is due
    positive: np.ndarray
    high_value_or_positive: np.ndarray


def row_flags(
    pop: Population, rows: np.ndarray, *, today: date, pledge_threshold_fen: np.ndarray
) -> RowFlags:
    """高价值 categories (the pledge one against each holder's threshold), 沉睡, next annual fee."""
    is_valid = pop.cols.legal_status == 0
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
    hv[:, HIGH_VALUE_CATEGORIES.index("pledge")] &= pop.max_pledge_fen[rows] >= pledge_threshold_fen
    sleeping = (
        is_valid[rows]
        & pop.is_granted[rows]
        & (pop.cols.deals[rows] == 0)
        & (pop.cols.implemented[rows] == 0)
    )
    fee_due: list[date | None] = []
    days_to_fee = np.full(rows.shape[0], np.inf)
    years: list[int | None] = []
    for j, i in enumerate(rows):
        app = pop.application_dates[i]
        if is_valid[i] and app is not None:
            due, _year = next_fee_due(app, today, pop.paid_until[i])
            fee_due.append(due)
            days_to_fee[j] = (due - today).days
        else:
            fee_due.append(None)
        since = pop.grant_dates[i]
        # 沉睡 age: years since grant (since application when the grant date is unknown)
        years.append(max(0, (today - since).days // 365) if sleeping[j] and since is not None else None)
    positive = pop.cols.positive_evaluations[rows] > 0
    categories = [
        [c for c, on in zip(HIGH_VALUE_CATEGORIES, hv[j], strict=True) if on] for j in range(rows.shape[0])
    ]
    bits: list[int] = (
        (hv.astype(np.int64) * (1 << np.arange(len(HIGH_VALUE_CATEGORIES)))).sum(axis=1).tolist()
    )
    return RowFlags(
        high_value=hv,
        categories=categories,
        category_bits=bits,
        sleeping=sleeping,
        sleeping_years=years,
        fee_due=fee_due,
        days_to_fee=days_to_fee,
        positive=positive,
        high_value_or_positive=hv.any(axis=1) | positive,
    )


def tier_reason(
    reason_zh: str, *, score: float, categories: list[str], positive_evaluations: int, days_to_fee: float
) -> str:
    """The rule's reason with the facts that put the patent there, at most 300 characters."""
    bits = [f"价值分 {score:.1f}"]
    if categories:
        bits.append("高价值：" + "、".join(HIGH_VALUE_LABELS[c] for c in categories))
    if positive_evaluations > 0:
        bits.append(f"企业正面评价 {positive_evaluations} 条")
    if np.isfinite(days_to_fee):
        bits.append(f"距下次年费 {int(days_to_fee)} 天")
    return f"{reason_zh}（{'；'.join(bits)}）"[:300]


def json_rows(matrix: np.ndarray) -> list[str]:
    """Each row as a JSON list, rounded to 6 places, NaN as null."""
    return [json.dumps([None if v != v else v for v in r]) for r in np.round(matrix, 6).tolist()]
