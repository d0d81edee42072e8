"""Cohort normalisation and the weighted, renormalised score, vectorised with numpy.

Shapes: n patents × k indicators (k = len(INDICATORS)); NaN marks a missing indicator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.scoring.indicators import DIMENSIONS, INDICATORS

_DIM_MATRIX = np.array(
    [[1.0 if ind.dimension == d else 0.0 for d in DIMENSIONS] for ind in INDICATORS], dtype=np.float64
)
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
    if vec.sum() <= 0:
        raise ValueError("at least one weight must be positive")
    return vec


def cohort_percentile(x: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mid-rank percentile of each x within its group ((less + equal/2) / size); NaN stays NaN.

    Returns (percentile, size of the group's non-missing population) per element.
    """
    n = x.shape[0]
    pct = np.full(n, np.nan)
    size_out = np.zeros(n, dtype=np.int64)
    idx = np.flatnonzero(~np.isnan(x))
    m = idx.shape[0]
    if m == 0:
        return pct, size_out
    v = x[idx]
    g = group[idx]
    order = np.argsort(v, kind="stable")
    order = order[np.argsort(g[order], kind="stable")]
    gs = g[order]
    vs = v[order]
    new_group = np.empty(m, dtype=bool)
    new_group[0] = True
    np.not_equal(gs[1:], gs[:-1], out=new_group[1:])
    new_val = new_group.copy()
    new_val[1:] |= vs[1:] != vs[:-1]
    pos = np.arange(m)
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    val_start = np.maximum.accumulate(np.where(new_val, pos, 0))
    val_ids = np.cumsum(new_val) - 1
    equal = np.bincount(val_ids)[val_ids]
    group_ids = np.cumsum(new_group) - 1
    size = np.bincount(group_ids)[group_ids]
    target = idx[order]
    pct[target] = (val_start - group_start + 0.5 * equal) / size
    size_out[target] = size
    return pct, size_out


def normalise(raw: RawIndicators, *, min_cohort: int = 30) -> np.ndarray:
    """Cohort indicators → percentile within (IPC class, grant year), falling back to (section, year),
    then to all patents, when the cohort has fewer than `min_cohort` patents with the indicator.
    Absolute indicators are clipped to 0..1.
    """
    values = raw.values
    out = np.empty_like(values)
    out[:, _ABSOLUTE_COLS] = np.clip(values[:, _ABSOLUTE_COLS], 0.0, 1.0)
    everyone = np.zeros(values.shape[0], dtype=np.int8)
    for col in _COHORT_COLS:
        x = values[:, col]
        pct, size = cohort_percentile(x, raw.cohort_fine)
        small = (size < min_cohort) & ~np.isnan(x)
        if small.any():
            pct_c, size_c = cohort_percentile(x, raw.cohort_coarse)
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


def score_normalised(norm: np.ndarray, weights: np.ndarray) -> ScoreArrays:
    present = ~np.isnan(norm)
    w_present = present * weights[None, :]
    filled = np.where(present, norm, 0.0)
    weighted = filled * weights[None, :]
    total_w = w_present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(total_w > 0, weighted.sum(axis=1) / total_w * 100.0, 0.0)
        dim_num = weighted @ _DIM_MATRIX
        dim_den = w_present @ _DIM_MATRIX
        dims = np.where(dim_den > 0, dim_num / dim_den * 100.0, np.nan)
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
