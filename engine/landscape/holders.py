"""Holder names (专利权人 / 申请人): one spelling per holder, and its type from the name."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache


class HolderType(StrEnum):
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    ENTERPRISE = "enterprise"
    INDIVIDUAL = "individual"
    OTHER = "other"


HOLDER_TYPE_LABELS = {
    HolderType.UNIVERSITY: "高校",
    HolderType.INSTITUTE: "科研院所",
    HolderType.ENTERPRISE: "企业",
    HolderType.INDIVIDUAL: "个人",
    HolderType.OTHER: "其他",
}

_SPACES = re.compile(r"\s+")
# Company-form suffix variants that name the same holder: "有限责任公司" and "有限公司" (and the older
# "股份有限公司" stays: it is a different legal form). Brackets are unified by NFKC (（） -> ()).
_COMPANY_SUFFIXES = (("有限责任公司", "有限公司"), ("有限公司", "有限公司"))


@lru_cache(maxsize=200_000)  # names repeat across a scope's rows; the function is pure
def normalise_holder(name: str) -> str:
    """NFKC (full-width → half-width), no spaces, upper-case Latin, 有限责任公司 → 有限公司; "" for blanks."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _SPACES.sub("", text).upper()
    text = text.strip(",;，；、.。")
    for variant, canonical in _COMPANY_SUFFIXES:
        if text.endswith(variant):
            text = text[: -len(variant)] + canonical
            break
    return text


_UNIVERSITY = re.compile(r"(大学|学院|学校|UNIVERSITY|COLLEGE)")
_INSTITUTE = re.compile(r"(研究院|研究所|科学院|研究中心|实验室|INSTITUTE|ACADEMY)")
_ENTERPRISE = re.compile(r"(公司|厂|集团|企业|合作社|事务所|商行|CO\.?,?LTD|INC\.?$|CORP|GMBH|LTD)")
_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


@lru_cache(maxsize=200_000)
def holder_type(name: str) -> HolderType:
    """University / institute / enterprise / individual from the (normalised) name; other when unsure.

    Institutes are tested before universities' "学院" so 中国科学院… is an institute; a company named
    …研究院有限公司 is an enterprise (the legal form decides).
    """
    text = normalise_holder(name)
    if not text:
        return HolderType.OTHER
    if _ENTERPRISE.search(text):
        return HolderType.ENTERPRISE
    if _INSTITUTE.search(text):
        return HolderType.INSTITUTE
    if _UNIVERSITY.search(text):
        return HolderType.UNIVERSITY
    if _PERSON.match(text):
        return HolderType.INDIVIDUAL
    return HolderType.OTHER


def holders_of(
    patentees: list[str] | tuple[str, ...], applicants: list[str] | tuple[str, ...]
) -> tuple[str, ...]:
    """The 专利权人, else the 申请人, normalised, blanks dropped, each once in first-seen order."""
    names = [normalise_holder(n) for n in (patentees or ())]
    names = [n for n in names if n]
    if not names:
        names = [n for n in (normalise_holder(a) for a in (applicants or ())) if n]
    return tuple(dict.fromkeys(names))
