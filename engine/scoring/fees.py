"""CNIPA annual fee (年费) schedule and due dates.

Source: 国家知识产权局 专利收费标准 (国家发展改革委、财政部 专利收费标准, published on cnipa.gov.cn,
in force since 2017-07-01 after 财税〔2017〕8号 removed the separate 年费滞纳/维持费 items). Amounts in yuan.
The design rows for years 11–15 (term 15 years for designs filed from 2021-06-01) are an assumption
(3,000 yuan, same step as the official schedule) until verified. Fee reductions (费减) for individuals
and small entities are not applied; the open-licence reduction is a parameter (default 15%).
"""

from __future__ import annotations

from datetime import date

# (first year, last year, yuan)
SCHEDULE: dict[str, tuple[tuple[int, int, int], ...]] = {
    "invention": ((1, 3, 900), (4, 6, 1200), (7, 9, 2000), (10, 12, 4000), (13, 15, 6000), (16, 20, 8000)),
    "utility": ((1, 3, 600), (4, 5, 900), (6, 8, 1200), (9, 10, 2000)),
    "design": ((1, 3, 600), (4, 5, 900), (6, 8, 1200), (9, 10, 2000), (11, 15, 3000)),
}
TERM = {"invention": 20, "utility": 10, "design": 15}


def annual_fee_fen(
    patent_type: str, year: int, *, open_licence: bool = False, reduction: float = 0.15
) -> int:
    """The fee for patent year `year` (1 = the year from the filing date), in fen; 0 beyond the term."""
    for first, last, yuan in SCHEDULE.get(patent_type, ()):
        if first <= year <= last:
            fen = yuan * 100
            if open_licence:
                fen = round(fen * (1.0 - reduction))
            return int(fen)
    return 0


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def next_fee_due(application_date: date, today: date, paid_until: date | None = None) -> tuple[date, int]:
    """(due date, patent year) of the next annual fee: due before the filing anniversary opening that year."""
    ref = paid_until if paid_until is not None and paid_until >= today else today
    year = ref.year - application_date.year
    if (ref.month, ref.day) > (application_date.month, application_date.day):
        year += 1
    year = max(year, 1)
    return add_years(application_date, year), year + 1


def remaining_fees_fen(
    patent_type: str, from_year: int, *, open_licence: bool = False, reduction: float = 0.15
) -> int:
    """All fees from `from_year` to the end of the term: what dropping the patent now would save."""
    return sum(
        annual_fee_fen(patent_type, y, open_licence=open_licence, reduction=reduction)
        for y in range(from_year, TERM.get(patent_type, 0) + 1)
    )
