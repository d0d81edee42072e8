"""Chinese patent application numbers (申请号, ZC 0006-2003) and publication numbers.

Forms accepted: 201710601862.3, CN201710601862.3, ZL 2017 1 0601862.3, full-width digits, 2017106018623;
old form 95115608.X (8 digits + check). Canonical form: digits, a dot, the check character ("201710601862.3").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_NEW_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_OLD_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)
_PREFIX = re.compile(r"^(?:CN|ZL)+")
_STRIP = re.compile(r"[\s.\-·。．_]")
_PUB = re.compile(r"^(CN)(\d{7,9})([ABCUYS]\d?)?$")

# The type digit (5th of the 12-digit form, 3rd of the 8-digit form) tells the patent type.
TYPE_BY_DIGIT = {"1": "invention", "2": "utility", "3": "design", "8": "invention", "9": "utility"}


@dataclass
class NumberError(ValueError):
    code: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"


def check_character(digits: str) -> str:
    """The mod-11 check character for 12 (new) or 8 (old) digits; 10 is written "X"."""
    weights = _NEW_WEIGHTS if len(digits) == 12 else _OLD_WEIGHTS
    if len(digits) not in (8, 12) or not digits.isdigit():
        raise NumberError(
            "app_no_length",
            "申请号位数不对（应为 8+1 或 12+1 位）",
            "application number must be 8+1 or 12+1 digits",
        )
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "X" if total == 10 else str(total)


def _fold(raw: str) -> str:
    return _STRIP.sub("", unicodedata.normalize("NFKC", raw)).upper()


def normalise_application_number(raw: str) -> str:
    """Return the canonical 申请号 or raise NumberError (never guesses a missing check digit)."""
    text = _PREFIX.sub("", _fold(raw or ""))
    if not text:
        raise NumberError("app_no_empty", "申请号为空", "application number is empty")
    if len(text) in (8, 12) and text.isdigit():
        raise NumberError(
            "app_no_check_missing", "申请号缺少校验位", "application number lacks its check digit"
        )
    body, check = text[:-1], text[-1]
    if len(body) not in (8, 12) or not body.isdigit() or not (check.isdigit() or check == "X"):
        raise NumberError("app_no_format", "申请号格式不正确", "application number is malformed")
    expected = check_character(body)
    if check != expected:
        raise NumberError(
            "app_no_check_digit", f"申请号校验位错误（应为 {expected}）", f"check digit should be {expected}"
        )
    return f"{body}.{check}"


def application_number_type(canonical: str) -> str | None:
    """Patent type implied by a canonical number ("invention" | "utility" | "design"), if known."""
    body = canonical.split(".")[0]
    digit = body[4] if len(body) == 12 else body[2]
    return TYPE_BY_DIGIT.get(digit)


def application_year(canonical: str) -> int:
    body = canonical.split(".")[0]
    if len(body) == 12:
        return int(body[:4])
    yy = int(body[:2])
    return 1900 + yy if yy >= 85 else 2000 + yy


def normalise_publication_number(raw: str) -> tuple[str, str]:
    """ "cn 114081026 a" -> ("CN114081026", "A"); the kind code may be absent ("")."""
    text = _fold(raw or "")
    if text and text[0].isdigit():
        text = "CN" + text
    match = _PUB.match(text)
    if not match:
        raise NumberError("pub_no_format", "公开（公告）号格式不正确", "publication number is malformed")
    return match.group(1) + match.group(2), (match.group(3) or "")
