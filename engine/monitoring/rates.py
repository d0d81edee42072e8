"""The rates offices report, each an exact fraction (docs/monitoring.md gives every formula).

| rate   | numerator                                             | denominator                       |
|--------|-------------------------------------------------------|-----------------------------------|
| 建档率 | inventory records past 未建档 (state != unfiled)       | all inventory records (存量专利)  |
| 入库率 | inventory records in the 转化资源库 (state = pooled)  | all inventory records             |
| 转让率 | distinct valid patents with >= 1 transfer in period   | valid patents held                |
| 许可率 | distinct valid patents with >= 1 licence (incl. open) | valid patents held                |
| 实施率 | distinct patents transferred, licensed, put into equity or self-implemented | valid patents held |
| 产业化率 | distinct patents marked industrialised (implementation_status) | valid patents held     |
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, kept exact; `value` is None when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Fraction | None:
        if self.denominator == 0:
            return None
        return Fraction(self.numerator, self.denominator)

    def percent(self, digits: int = 2) -> float | None:
        v = self.value
        return None if v is None else round(float(v * 100), digits)

    def as_dict(self) -> dict[str, int | float | None]:
        return {"numerator": self.numerator, "denominator": self.denominator, "percent": self.percent()}


def filing_rate(*, filed: int, total: int) -> Rate:
    """建档率 = filed records / all records."""
    return Rate(filed, total)


def pooling_rate(*, pooled: int, total: int) -> Rate:
    """入库率 = pooled records / all records."""
    return Rate(pooled, total)


def transfer_rate(*, transferred: int, valid: int) -> Rate:
    """转让率 = distinct valid patents transferred / valid patents."""
    return Rate(transferred, valid)


def licence_rate(*, licensed: int, valid: int) -> Rate:
    """许可率 = distinct valid patents licensed (ordinary, exclusive, open) / valid patents."""
    return Rate(licensed, valid)


def implementation_rate(*, implemented: int, valid: int) -> Rate:
    """实施率 = distinct patents transferred, licensed, equity-invested or self-implemented / valid patents."""
    return Rate(implemented, valid)


def industrialisation_rate(*, industrialised: int, valid: int) -> Rate:
    """产业化率 = distinct patents industrialised / valid patents."""
    return Rate(industrialised, valid)


def growth(*, current: int, previous: int) -> Fraction | None:
    """Year-on-year growth (current - previous) / previous; None when there is no base."""
    if previous == 0:
        return None
    return Fraction(current - previous, previous)


def growth_percent(*, current: int, previous: int, digits: int = 2) -> float | None:
    g = growth(current=current, previous=previous)
    return None if g is None else round(float(g * 100), digits)
