"""Units of KPI indicators: what an integer means and how it is shown. Money through `format_fen` only.

Stored values are integers: counts as they are, money in fen (shown in 元, 万元 or 亿元), rates in basis points
(shown as %), durations in whole hours. "fen" is the older name of "yuan" (both: fen shown in 元).
"""

from __future__ import annotations

from decimal import Decimal

from engine.deals.money import MoneyError, format_bp, format_fen, parse_yuan, yuan_number

COUNT_UNITS = ("次", "家", "件", "项", "人", "个", "场", "份")
MONEY_UNITS: dict[str, tuple[str, int]] = {  # unit -> (word, fen per displayed 0.01)
    "yuan": ("元", 1),
    "fen": ("元", 1),
    "wan_yuan": ("万元", 10_000),
    "yi_yuan": ("亿元", 100_000_000),
}
UNITS: dict[str, str] = {
    **{u: f"数量（{u}）" for u in COUNT_UNITS},
    "yuan": "金额（元）",
    "wan_yuan": "金额（万元）",
    "yi_yuan": "金额（亿元）",
    "bp": "比率（%）",
    "hours": "时长（小时）",
}


def unit_kind(unit: str) -> str:
    """count | amount | rate | duration."""
    if unit in MONEY_UNITS:
        return "amount"
    if unit == "bp":
        return "rate"
    if unit == "hours":
        return "duration"
    return "count"


def unit_word(unit: str) -> str:
    if unit in MONEY_UNITS:
        return MONEY_UNITS[unit][0]
    if unit == "bp":
        return "%"
    if unit == "hours":
        return "小时"
    return unit


def _scaled_fen(value: int, unit: str) -> int:
    """Fen rescaled so that `format_fen` prints the unit's amount with two decimals (rounded half up)."""
    step = MONEY_UNITS[unit][1]
    if step == 1:
        return value
    sign = -1 if value < 0 else 1
    return sign * ((abs(value) + step // 2) // step)


def format_value(value: int | None, unit: str) -> str:
    """An indicator value in its unit: 5 件 -> '5 件', 110,000,000 fen in 万元 -> '110.00 万元', 2000 bp -> '20.00%'."""
    v = int(value or 0)
    if unit in MONEY_UNITS:
        return f"{format_fen(_scaled_fen(v, unit))} {unit_word(unit)}"
    if unit == "bp":
        return format_rate(v)
    return f"{v:,} {unit_word(unit)}".strip()


def format_rate(bp: int | None) -> str:
    """A rate indicator's value: 2000 bp -> '20.00%' (none counts as 0)."""
    return format_bp(int(bp or 0))


def spreadsheet_number(value: int | None, unit: str) -> tuple[Decimal | float | int, str]:
    """(number, unit word) for a spreadsheet cell: 110,000,000 fen in 万元 -> (Decimal('110.00'), '万元')."""
    v = int(value or 0)
    if unit in MONEY_UNITS:
        return yuan_number(_scaled_fen(v, unit)), unit_word(unit)
    if unit == "bp":
        return v / 100, "%"
    return v, unit_word(unit)


def parse_value(text: str, unit: str) -> int:
    """What a person types for a value in `unit` -> the stored integer ('200' 万元 -> 200,000,000 fen; '2.5' % ->
    250 bp; '12' 件 -> 12). ValueError with a Chinese message otherwise."""
    raw = (text or "").strip().replace("％", "%")
    if unit in MONEY_UNITS:
        word = unit_word(unit)
        raw = raw[: -len(word)] if raw.endswith(word) else raw
        try:
            return parse_yuan(raw) * MONEY_UNITS[unit][1]
        except MoneyError as exc:
            raise ValueError(exc.message_zh) from exc
    if unit == "bp":
        try:
            return parse_yuan(raw.rstrip("%"))
        except MoneyError as exc:
            raise ValueError(exc.message_zh.replace("金额", "比率")) from exc
    cleaned = raw.replace(",", "")
    for word in (unit_word(unit), "小时"):
        if word and cleaned.endswith(word):
            cleaned = cleaned[: -len(word)].strip()
    if not cleaned.isdigit():
        raise ValueError(f"应为非负整数：{text}")
    return int(cleaned)
