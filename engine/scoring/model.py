"""Cohort normalisation and the weighted, renormalised score, vectorised with numpy.

Shapes: n patents × k indicators (k = len(INDICATORS)); NaN marks a missing indicator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.scoring.indicators import DIMENSIONS, INDICATORS

_COHORT_COLS = np.array([i for i, ind in enumerate(INDICATORS) if ind.cohort], dtype=np.intp)
_ABSOLUTE_COLS = np.array([i for i, ind in enumerate(INDICATORS) if not ind.cohort], dtype=np.intp)


@dataclass(frozen=True)
class RawIndicators:
    """Raw indicator values (n, k) plus two cohort levels: fine (IPC class + grant year), coarse (section + year)."""

    values: np.ndarray  # float64 (n, k), NaN = missing
    cohort_fine: np.ndarray  # int (n,), any labels
    cohort_coarse: np.ndarray  # int (n,)


@dataclass(frozen=True)
class ScoreArrays:
    score: np.ndarray  # (n,) 0..100
    dimensions: np.ndarray  # (n, 3) 0..100, NaN where a whole dimension is missing
    normalised: np.ndarray  # (n, k) 0..1 or NaN


@dataclass(frozen=True)
class IndicatorContribution:
    name: str
    dimension: str
    label_zh: str
    raw: float | None
    value: float | None  # normalised 0..1
    base_weight: float  # configured weight
    weight: float  # effective weight after renormalising over present indicators (0 when missing)
    contribution: float  # 100 * value * weight; the contributions add up to the score
    missing: bool


@dataclass(frozen=True)
class ValueScore:
    score: float
    model_version: str
    dimensions: Mapping[str, float | None]
    indicators: tuple[IndicatorContribution, ...]
    missing: tuple[str, ...]


def weight_vector(weights: Mapping[str, float]) -> np.ndarray:
    """Weights by indicator name → (k,) vector; unknown names are refused, absent ones weigh 0."""
    names = {ind.name for ind in INDICATORS}
    unknown = set(weights) - names
    if unknown:
        raise ValueError(f"unknown indicators: {sorted(unknown)}")
    vec = np.array([float(weights.get(ind.name, 0.0)) for ind in INDICATORS], dtype=np.float64)
    if (vec < 0).any() or not np.isfinite(vec).all():
        raise ValueError("weights must be finite and non-negative")
    if vec.max() < 1e-9:
        raise ValueError("at least one weight must be positive")
    # A weight a billion times below the largest cannot be told from 0, and it underflows in score_normalised's
    # x·w while explain() divides it by the present weights first: the two paths then disagreed (50 vs 0).
    vec[vec < vec.max() * 1e-9] = 0.0
    return vec


def _dense(labels: np.ndarray) -> np.ndarray:
    """Any labels → 0..G-1."""
    _, inverse = np.unique(labels, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


# Above this many (cohort × distinct value) cells the histogram method would use too much memory: sort instead.
_MAX_HIST_CELLS = 16_000_000


def cohort_percentile(x: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mid-rank percentile of each x within its group ((less + equal/2) / size); NaN stays NaN.

    `group` holds dense labels 0..G-1 (see `_dense`). Returns (percentile, size of the group's
    non-missing population) per element. Exact: values are replaced by their dense rank, then counted
    per (group, rank) cell with one bincount — no per-column sort by group.
    """
    n = x.shape[0]
    pct = np.full(n, np.nan)
    size_out = np.zeros(n, dtype=np.int64)
    idx = np.flatnonzero(~np.isnan(x))
    if idx.shape[0] == 0:
        return pct, size_out
    v = x[idx]
    g = group[idx]
    lo, hi = float(v.min()), float(v.max())
    if lo >= 0.0 and hi < 4096.0 and np.array_equal(v, np.floor(v)):
        vr = v.astype(np.int64)  # small non-negative integers (counts) are their own ranks: no sort
        r = int(hi) + 1
    else:
        uniq, vr = np.unique(v, return_inverse=True)
        r = uniq.shape[0]
    groups = int(group.max()) + 1
    if groups * r <= _MAX_HIST_CELLS:
        key = g * r + vr.reshape(-1)
        hist = np.bincount(key, minlength=groups * r)
        cum = np.cumsum(hist.reshape(groups, r), axis=1)
        sizes = cum[:, -1]
        equal = hist[key]
        less = cum.reshape(-1)[key] - equal
        size = sizes[g]
    else:
        order = np.lexsort((v, g))
        gs, vs = g[order], v[order]
        m = order.shape[0]
        new_group = np.empty(m, dtype=bool)
        new_group[0] = True
        np.not_equal(gs[1:], gs[:-1], out=new_group[1:])
        new_val = new_group.copy()
        new_val[1:] |= vs[1:] != vs[:-1]
        pos = np.arange(m)
        group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
        val_start = np.maximum.accumulate(np.where(new_val, pos, 0))
        val_ids = np.cumsum(new_val) - 1
        group_ids = np.cumsum(new_group) - 1
        less_sorted = val_start - group_start
        equal_sorted = np.bincount(val_ids)[val_ids]
        size_sorted = np.bincount(group_ids)[group_ids]
        less = np.empty(m, dtype=np.int64)
        equal = np.empty(m, dtype=np.int64)
        size = np.empty(m, dtype=np.int64)
        less[order], equal[order], size[order] = less_sorted, equal_sorted, size_sorted
    pct[idx] = (less + 0.5 * equal) / size
    size_out[idx] = size
    return pct, size_out


def normalise(raw: RawIndicators, *, min_cohort: int = 30, inplace: bool = False) -> np.ndarray:
    """Cohort indicators → percentile within (IPC class, grant year), falling back to (section, year),
    then to all patents, when the cohort has fewer than `min_cohort` patents with the indicator.
    Absolute indicators are clipped to 0..1. `inplace` overwrites raw.values (saves n × k floats).
    """
    values = raw.values
    out = values if inplace else values.copy(order="K")
    for col in _ABSOLUTE_COLS:
        np.clip(values[:, col], 0.0, 1.0, out=out[:, col])
    fine = _dense(raw.cohort_fine)
    coarse: np.ndarray | None = None
    everyone = np.zeros(values.shape[0], dtype=np.int64)
    for col in _COHORT_COLS:
        x = values[:, col]  # read fully before out[:, col] (maybe the same memory) is written
        pct, size = cohort_percentile(x, fine)
        small = (size < min_cohort) & ~np.isnan(x)
        if small.any():
            if coarse is None:
                coarse = _dense(raw.cohort_coarse)
            pct_c, size_c = cohort_percentile(x, coarse)
            pct = np.where(small, pct_c, pct)
            tiny = small & (size_c < min_cohort)
            if tiny.any():
                pct_g, _ = cohort_percentile(x, everyone)
                pct = np.where(tiny, pct_g, pct)
        out[:, col] = pct
    return out


def score_arrays(raw: RawIndicators, weights: np.ndarray, *, min_cohort: int = 30) -> ScoreArrays:
    """Score n patents with one weight vector: Σ value·w over present indicators / Σ w present, × 100."""
    norm = normalise(raw, min_cohort=min_cohort)
    return score_normalised(norm, weights)


_DIM_OF = np.array([DIMENSIONS.index(ind.dimension) for ind in INDICATORS], dtype=np.intp)


def score_normalised(norm: np.ndarray, weights: np.ndarray) -> ScoreArrays:
    """Column by column (columns are contiguous), accumulating per-dimension numerator and denominator."""
    n = norm.shape[0]
    num = np.zeros((len(DIMENSIONS), n))
    den = np.zeros((len(DIMENSIONS), n))
    for col in range(norm.shape[1]):
        w = float(weights[col])
        if w == 0.0:
            continue
        x = norm[:, col]
        present = ~np.isnan(x)
        d = _DIM_OF[col]
        num[d] += np.where(present, x, 0.0) * w
        den[d] += present * w
    total_num = num.sum(axis=0)
    total_w = den.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(total_w > 0, total_num / total_w * 100.0, 0.0)
        dims = np.where(den > 0, num / den * 100.0, np.nan).T
    return ScoreArrays(score=score, dimensions=dims, normalised=norm)


def explain(
    normalised_row: Sequence[float | None],
    raw_row: Sequence[float | None],
    weights: Mapping[str, float],
    *,
    model_version: str,
) -> ValueScore:
    """The breakdown of one patent's score; contributions add up to the score."""
    base = weight_vector(weights)
    values = [
        None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v) for v in normalised_row
    ]
    present_w = sum(float(w) for w, v in zip(base, values, strict=True) if v is not None)
    items: list[IndicatorContribution] = []
    dim_num = dict.fromkeys(DIMENSIONS, 0.0)
    dim_den = dict.fromkeys(DIMENSIONS, 0.0)
    for ind, w, v, r in zip(INDICATORS, base, values, raw_row, strict=True):
        missing = v is None
        eff = 0.0 if missing or present_w <= 0 else float(w) / present_w
        contribution = 0.0 if v is None else 100.0 * v * eff
        if v is not None:
            dim_num[ind.dimension] += v * float(w)
            dim_den[ind.dimension] += float(w)
        raw_value = None if r is None or (isinstance(r, float) and np.isnan(r)) else float(r)
        items.append(
            IndicatorContribution(
                name=ind.name,
                dimension=ind.dimension,
                label_zh=ind.label_zh,
                raw=raw_value,
                value=v,
                base_weight=float(w),
                weight=eff,
                contribution=contribution,
                missing=missing,
            )
        )
    dims: dict[str, float | None] = {
        d: (100.0 * dim_num[d] / dim_den[d] if dim_den[d] > 0 else None) for d in DIMENSIONS
    }
    return ValueScore(
        score=sum(i.contribution for i in items),
        model_version=model_version,
        dimensions=dims,
        indicators=tuple(items),
        missing=tuple(i.name for i in items if i.missing),
    )
