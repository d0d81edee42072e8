"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a mod-31 check character.

The check character comes from python-stdnum (`stdnum.cn.uscc`); this module keeps the project's names and its
bilingual errors. It does not call `uscc.validate`, which also demands eight leading digits: GB 32100's first
character (登记管理部门代码) may be a letter — `A` 中央军委改革和编制办公室, `N` 农业, `Y` 其他 — and such codes
are real (tests keep one).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from stdnum.cn import uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # digits and capitals without I O S V Z


@dataclass
class CreditCodeError(ValueError):
    code: str
    message_zh: str
    message_en: str


def credit_check_character(first17: str) -> str:
    """The 18th character for 17 characters of ALPHABET."""
    return str(uscc.calc_check_digit(first17))


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
