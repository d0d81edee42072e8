"""Small parsers shared by the community services: text length, money in yuan, every error at once."""

from __future__ import annotations

from engine.deals.money import MoneyError, parse_yuan
from panhuo.common.errors import ErrorCollector

Errors = list[tuple[str, str, str]]


def text(
    raw: str | None, field: str, zh: str, errors: Errors, *, max_len: int, required: bool = False
) -> str:
    value = (raw or "").strip()
    if required and not value:
        errors.append((field, f"请填写{zh}", f"{field} is required"))
    elif len(value) > max_len:
        errors.append((field, f"{zh}不超过 {max_len} 字", f"{field} is longer than {max_len}"))
    return value[:max_len]


def yuan(raw: str | None, field: str, zh: str, errors: Errors) -> int:
    if not (raw or "").strip():
        return 0
    try:
        return parse_yuan(raw or "")
    except MoneyError as exc:
        errors.append((field, f"{zh}：{exc.message_zh}", exc.message_en))
        return 0


def count(
    value: int | None, field: str, zh: str, errors: Errors, *, low: int = 0, high: int = 10_000_000
) -> int:
    if value is None:
        return 0
    if not low <= value <= high:
        errors.append((field, f"{zh}应为 {low}–{high} 之间的整数", f"{field} out of range"))
        return 0
    return value


__all__ = ["ErrorCollector", "Errors", "count", "text", "yuan"]
