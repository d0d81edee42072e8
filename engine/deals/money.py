"""Parse amounts of money typed by people ("1,234.50", "￥１２３４．５元") into integer fen; format fen back."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

# 1,234,567.89 (thousands separators only in groups of three) or 1234567.89; at most two decimals.
_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$")
MAX_FEN = 10**17  # far above any real contract; keeps sums inside a signed 64-bit integer


@dataclass
class MoneyError(ValueError):
    code: str
    message_zh: str
    message_en: str


def parse_yuan(raw: str) -> int:
    """Yuan text -> fen. Full-width characters are normalised; negatives and European separators refused."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    text = text.replace(" ", "").replace("\u00a0", "")
    for prefix in ("¥", "￥", "RMB", "CNY"):
        if text.upper().startswith(prefix):
            text = text[len(prefix) :]
    if text.endswith("元"):
        text = text[:-1]
    if not text:
        raise MoneyError("money_empty", "金额为空", "amount is empty")
    if text.startswith("-") or text.startswith("−"):
        raise MoneyError("money_negative", "金额不能为负数", "amount must not be negative")
    match = _AMOUNT.match(text)
    if not match:
        raise MoneyError(
            "money_format",
            f"金额格式不正确：{raw}（应如 1,234.50）",
            f"malformed amount: {raw!r} (expected like 1,234.50)",
        )
    whole, _, frac = text.replace(",", "").partition(".")
    fen = int(whole) * 100 + int((frac + "00")[:2])
    if fen > MAX_FEN:
        raise MoneyError("money_too_large", "金额过大", "amount too large")
    return fen


def format_fen(fen: int) -> str:
    """Fen -> yuan text with thousands separators: 12345 -> '123.45', 123450 -> '1,234.50', -12345 -> '-123.45'.

    The one formatter for money shown to people (pages, exports, reports): integer arithmetic only, and the sign
    applies to the whole amount (floor division would print -12345 fen as '-124.55').
    """
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def yuan_number(fen: int) -> Decimal:
    """Fen -> an exact number of yuan (12345 -> Decimal('123.45')) where money must stay a number: spreadsheet
    cells, a form field's initial value. The one conversion: a float would turn 0.1 + 0.2 into 0.30000000000000004."""
    return Decimal(int(fen)).scaleb(-2)


def format_bp(bp: int, *, trim: bool = False) -> str:
    """Basis points -> percent text: 9050 -> '90.50%', or with `trim` 9050 -> '90.5%', 5000 -> '50%'.

    The one formatter for rates and shares shown to people (royalties, equity shares, KPI scores, loan rates):
    integer arithmetic, so 1 bp is '0.01%' and never a float's '0.010000000000000002%'.
    """
    sign = "-" if bp < 0 else ""
    whole, frac = divmod(abs(bp), 100)
    decimals = f"{frac:02d}".rstrip("0") if trim else f"{frac:02d}"
    return f"{sign}{whole}.{decimals}%" if decimals else f"{sign}{whole}%"
