"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a mod-31 check character."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@dataclass
class CreditCodeError(ValueError):
    code: str
    message_zh: str
    message_en: str


def credit_check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    value = 31 - total % 31
    return ALPHABET[0 if value == 31 else value]


def normalise_credit_code(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "").strip().upper().replace(" ", "")
    if len(text) != 18:
        raise CreditCodeError(
            "credit_code_length", "统一社会信用代码应为 18 位", "credit code must have 18 characters"
        )
    bad = [c for c in text if c not in ALPHABET]
    if bad:
        raise CreditCodeError(
            "credit_code_chars", f"统一社会信用代码含非法字符：{bad[0]}", f"invalid character {bad[0]!r}"
        )
    expected = credit_check_character(text[:17])
    if text[17] != expected:
        raise CreditCodeError(
            "credit_code_check",
            f"统一社会信用代码校验位错误（应为 {expected}）",
            f"check character should be {expected}",
        )
    return text
