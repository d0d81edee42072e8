"""Region prefixes and periods shared by statistics, KPI and reports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from panhuo.accounts.visibility import region_prefix
from panhuo.common.errors import ApplicationError

__all__ = ["Period", "parse_period", "period_of", "prefixes_of", "region_prefix"]


def prefixes_of(region_code: str) -> list[str]:
    """All prefixes a region code rolls up into: "", province, city, district (no duplicates)."""
    code = (region_code or "")[:6]
    out = [""]
    for n in (2, 4, 6):
        if len(code) >= n:
            p = region_prefix(code[:n].ljust(6, "0"))
            if p and p not in out:
                out.append(p)
    return out


@dataclass(frozen=True)
class Period:
    """A year ("2026") or a bi-month ("2026-B5" = September–October)."""

    year: int
    bimonth: int | None = None

    @property
    def label(self) -> str:
        return f"{self.year}" if self.bimonth is None else f"{self.year}-B{self.bimonth}"

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.bimonth is None else 2 * self.bimonth - 1, 1)

    @property
    def end(self) -> date:
        if self.bimonth is None or self.bimonth == 6:
            return date(self.year, 12, 31)
        nxt = date(self.year, 2 * self.bimonth + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)

    @property
    def bimonths(self) -> list[int]:
        return list(range(1, 7)) if self.bimonth is None else [self.bimonth]


def parse_period(text: str) -> Period:
    m = re.fullmatch(r"\s*(\d{4})(?:-B([1-6]))?\s*", text or "")
    if not m:
        raise ApplicationError(
            "bad_period",
            "期间格式应为 2026 或 2026-B5",
            "period must look like 2026 or 2026-B5",
            field="period",
        )
    return Period(int(m.group(1)), int(m.group(2)) if m.group(2) else None)


def bimonth_of(d: date) -> int:
    return (d.month - 1) // 2 + 1


def period_of(d: date) -> Period:
    return Period(d.year, bimonth_of(d))
