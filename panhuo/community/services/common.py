"""Small parsers shared by the community services: text length, money in yuan, every error at once."""

from __future__ import annotations

from engine.deals.money import MoneyError, parse_yuan
from panhuo.common.errors import ErrorCollector


def text(
    raw: str | None, field: str, zh: str, errors: ErrorCollector, *, max_len: int, required: bool = False
) -> str:
    value = (raw or "").strip()
    if required and not value:
        errors.refuse(field, f"请填写{zh}", f"{field} is required")
    elif len(value) > max_len:
        errors.refuse(field, f"{zh}不超过 {max_len} 字", f"{field} is longer than {max_len}")
    return value[:max_len]


def yuan(raw: str | None, field: str, zh: str, errors: ErrorCollector) -> int:
    if not (raw or "").strip():
        return 0
    try:
        return parse_yuan(raw or "")
    except MoneyError as exc:
        errors.refuse(field, f"{zh}：{exc.message_zh}", exc.message_en)
        return 0


def count(
    value: int | None, field: str, zh: str, errors: ErrorCollector, *, low: int = 0, high: int = 10_000_000
) -> int:
    if value is None:
        return 0
    if not low <= value <= high:
        errors.refuse(field, f"{zh}应为 {low}–{high} 之间的整数", f"{field} out of range")
        return 0
    return value


def ref(value: int | None) -> int:
    """An id as the database can hold it; 0 (matches nothing) for a missing or out-of-range one."""
    return value if value is not None and 0 < value < 2**63 else 0


__all__ = ["ErrorCollector", "count", "ref", "text", "yuan"]
