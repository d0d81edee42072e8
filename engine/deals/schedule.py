"""先使用后付费 (pay after use) payment schedules, and month arithmetic for loan and licence terms.

From a licence's terms — a free period, then one instalment per period until the end date, each a fixed amount,
an even share of the contract amount, or a percentage of the (estimated) revenue of the period — the schedule of
instalments due. Pure: integer fen, no Django. An instalment is due at the end of its period (paid in arrears);
a last, shorter period pays pro rata by days.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from engine.deals.money import format_bp

FIXED = "fixed"  # each period pays `amount_fen`
SPLIT = "split"  # `amount_fen` (the contract amount) split evenly over the periods, exactly
REVENUE = "revenue"  # `revenue_bp` of `revenue_fen` (the estimated revenue of one period)
MODES = (FIXED, SPLIT, REVENUE)
PERIODS = (1, 3, 6, 12)
MAX_INSTALMENTS = 240


def add_months(d: date, months: int) -> date:
    """2026-01-31 + 1 month -> 2026-02-28: the day is clamped to the month's length."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class ScheduleTerms:
    start: date  # the licence's term start: use begins
    end: date  # the licence's term end: the last instalment is due on it at the latest
    free_months: int  # 免费使用期
    period_months: int  # 1, 3, 6 or 12
    mode: str
    amount_fen: int = 0  # FIXED: per period; SPLIT: the total
    revenue_bp: int = 0  # REVENUE: share of revenue, basis points
    revenue_fen: int = 0  # REVENUE: estimated revenue of one full period


@dataclass(frozen=True)
class Instalment:
    due_date: date
    amount_fen: int
    note: str


class ScheduleError(ValueError):
    def __init__(self, field: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.field, self.message_zh, self.message_en = field, message_zh, message_en


def schedule_errors(t: ScheduleTerms) -> list[ScheduleError]:
    """Every problem with the terms (empty when they make a schedule)."""
    out: list[ScheduleError] = []
    if t.end <= t.start:
        out.append(ScheduleError("end", "付费截止日须晚于许可起始日", "the end must follow the start"))
    if not 0 <= t.free_months <= 120:
        out.append(
            ScheduleError("free_months", "免费使用期应为 0–120 个月", "free period must be 0-120 months")
        )
    elif t.end > t.start and add_months(t.start, t.free_months) >= t.end:
        out.append(
            ScheduleError(
                "free_months", "免费使用期覆盖了整个期限，无需付款计划", "the free period covers the term"
            )
        )
    if t.period_months not in PERIODS:
        out.append(
            ScheduleError(
                "period_months", "付款周期应为 1、3、6 或 12 个月", "period must be 1, 3, 6 or 12 months"
            )
        )
    if t.mode not in MODES:
        out.append(ScheduleError("mode", "请选择付费方式", "choose a payment mode"))
    elif t.mode in (FIXED, SPLIT) and t.amount_fen <= 0:
        out.append(ScheduleError("amount", "金额须大于 0", "the amount must be positive"))
    elif t.mode == REVENUE:
        if not 0 < t.revenue_bp <= 10000:
            out.append(ScheduleError("revenue_percent", "提成比例应在 0–100% 之间", "share must be 0-100 %"))
        if t.revenue_fen <= 0:
            out.append(
                ScheduleError("revenue", "请填写每期预计销售额", "give the estimated revenue per period")
            )
    return out


def _periods(t: ScheduleTerms) -> list[tuple[date, date, int, int]]:
    """(from, to, days, full days) of each paying period after the free period, the last one cut at the end."""
    out: list[tuple[date, date, int, int]] = []
    begin = add_months(t.start, t.free_months)
    while begin < t.end and len(out) < MAX_INSTALMENTS:
        full_end = add_months(begin, t.period_months)
        to = min(full_end, t.end)
        out.append((begin, to, (to - begin).days, (full_end - begin).days))
        begin = full_end
    return out


def pay_after_use_schedule(t: ScheduleTerms) -> list[Instalment]:
    """The instalments, in due order; raises the first ScheduleError (callers show `schedule_errors` first)."""
    problems = schedule_errors(t)
    if problems:
        raise problems[0]
    periods = _periods(t)
    out: list[Instalment] = []
    if t.mode == SPLIT:
        base, rest = divmod(t.amount_fen, len(periods))
        amounts = [base + (1 if i < rest else 0) for i in range(len(periods))]
    else:
        per = t.amount_fen if t.mode == FIXED else t.revenue_fen * t.revenue_bp // 10000
        amounts = [per * days // full for _, _, days, full in periods]
    for n, ((frm, to, days, full), amount) in enumerate(zip(periods, amounts, strict=True), start=1):
        if amount <= 0:
            continue
        part = "" if days == full or t.mode == SPLIT else f"，按 {days}/{full} 天折算"
        basis = f"，按销售额 {format_bp(t.revenue_bp, trim=True)} 预估" if t.mode == REVENUE else ""
        out.append(Instalment(to, amount, f"第 {n} 期（{frm.isoformat()} 至 {to.isoformat()}）{basis}{part}"))
    return out
