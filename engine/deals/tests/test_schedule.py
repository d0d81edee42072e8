"""先使用后付费 schedules: free period, whole and pro-rata periods, exact split, revenue share; every error at once."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.deals.schedule import (
    FIXED,
    REVENUE,
    SPLIT,
    ScheduleError,
    ScheduleTerms,
    add_months,
    pay_after_use_schedule,
    schedule_errors,
)


def test_add_months_clamps_the_day():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


def test_free_year_then_fixed_yearly_with_a_pro_rata_last_period():
    t = ScheduleTerms(
        date(2026, 1, 1), date(2029, 7, 1), free_months=12, period_months=12, mode=FIXED, amount_fen=100_000
    )
    rows = pay_after_use_schedule(t)
    assert [(r.due_date, r.amount_fen) for r in rows] == [
        (date(2028, 1, 1), 100_000),
        (date(2029, 1, 1), 100_000),
        (date(2029, 7, 1), 100_000 * 181 // 365),
    ]
    assert rows[0].note.startswith("第 1 期（2027-01-01 至 2028-01-01）") and "折算" in rows[2].note


def test_split_is_exact_and_revenue_share_estimates():
    t = ScheduleTerms(
        date(2026, 1, 1), date(2027, 1, 1), free_months=0, period_months=3, mode=SPLIT, amount_fen=100_001
    )
    rows = pay_after_use_schedule(t)
    assert [r.amount_fen for r in rows] == [25_001, 25_000, 25_000, 25_000]
    r = ScheduleTerms(
        date(2026, 1, 1),
        date(2026, 7, 1),
        free_months=0,
        period_months=6,
        mode=REVENUE,
        revenue_bp=350,
        revenue_fen=2_000_000,
    )
    (only,) = pay_after_use_schedule(r)
    assert (only.due_date, only.amount_fen) == (date(2026, 7, 1), 70_000) and "3.5%" in only.note


def test_all_errors_at_once():
    t = ScheduleTerms(date(2026, 1, 1), date(2025, 1, 1), free_months=-1, period_months=5, mode="x")
    assert {e.field for e in schedule_errors(t)} == {"end", "free_months", "period_months", "mode"}
    with pytest.raises(ScheduleError):
        pay_after_use_schedule(t)
    covered = ScheduleTerms(
        date(2026, 1, 1), date(2027, 1, 1), free_months=12, period_months=12, mode=FIXED, amount_fen=1
    )
    assert [e.field for e in schedule_errors(covered)] == ["free_months"]


@given(
    total=st.integers(1, 10**12),
    months=st.integers(1, 120),
    period=st.sampled_from([1, 3, 6, 12]),
)
def test_split_always_sums_to_the_total(total, months, period):
    start = date(2026, 3, 31)
    t = ScheduleTerms(
        start, add_months(start, months), free_months=0, period_months=period, mode=SPLIT, amount_fen=total
    )
    rows = pay_after_use_schedule(t)
    assert sum(r.amount_fen for r in rows) == total
    assert all(a.due_date < b.due_date for a, b in zip(rows, rows[1:], strict=False))
