"""Concentration (CR4, HHI), year-on-year growth, compound growth, new entrants."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from engine.monitoring.rates import growth_percent


@dataclass(frozen=True)
class Concentration:
    """CR4 = share of the four largest holders (0..1); HHI = Σ share² × 10,000 (0..10,000).

    Shares are of holder-patent counts (a co-owned patent counts once for each of its holders), the usual
    convention for patent concentration; `total` is that denominator.
    """

    cr4: float
    hhi: float
    total: int
    holders: int


def concentration(counts: Iterable[int]) -> Concentration:
    values = sorted((int(c) for c in counts if c > 0), reverse=True)
    total = sum(values)
    if total == 0:
        return Concentration(0.0, 0.0, 0, 0)
    cr4 = Fraction(sum(values[:4]), total)
    hhi = sum(Fraction(v, total) ** 2 for v in values) * 10_000
    return Concentration(round(float(cr4), 4), round(float(hhi), 1), total, len(values))


def growth_series(by_year: Mapping[int, int]) -> list[dict[str, float | int | None]]:
    """Year-on-year growth percent for each year from the first to the last (missing years count 0)."""
    if not by_year:
        return []
    first, last = min(by_year), max(by_year)
    out: list[dict[str, float | int | None]] = []
    for year in range(first, last + 1):
        current = by_year.get(year, 0)
        previous = by_year.get(year - 1, 0)
        out.append(
            {
                "year": year,
                "count": current,
                "growth_percent": growth_percent(current=current, previous=previous),
            }
        )
    return out


def window_growth(by_year: Mapping[int, int], *, last_year: int, window: int = 3) -> float | None:
    """Growth of the last `window` years over the `window` years before them, percent; None without a base."""
    recent = sum(by_year.get(y, 0) for y in range(last_year - window + 1, last_year + 1))
    before = sum(by_year.get(y, 0) for y in range(last_year - 2 * window + 1, last_year - window + 1))
    return growth_percent(current=recent, previous=before)


def new_entrants(first_year: Mapping[str, int], *, since: int) -> list[str]:
    """Holders whose first patent in the scope was filed in or after `since`, sorted by name."""
    return sorted(name for name, year in first_year.items() if year >= since)


def concentration_level(hhi: float) -> str:
    """Market-structure reading of HHI (the usual 1,500 / 2,500 thresholds): 竞争型 / 中度集中 / 高度集中."""
    if hhi < 1500:
        return "竞争型（HHI < 1500）"
    if hhi <= 2500:
        return "中度集中（1500 ≤ HHI ≤ 2500）"
    return "高度集中（HHI > 2500）"
