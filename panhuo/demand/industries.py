"""GB/T 4754-2017 小类 look-up and the industry suggestion used on the enterprise profile page.

The classification app owns the real suggester (`panhuo.classification.selectors.suggest_industries_for_scope`);
until it is importable, `suggest_industries` falls back to a character-bigram overlap against the class names in
`reference/industry/gbt4754_2017.csv` and says so (`source="fallback"`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

_NON_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_STOP_BIGRAMS = frozenset(
    {"制造", "其他", "服务", "生产", "加工", "销售", "技术", "相关", "产品", "设备", "用品"}
)


@dataclass(frozen=True)
class IndustryClass:
    code: str  # 4-digit 小类, e.g. "3831"
    name: str
    section: str  # 门类 letter


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    score: float
    matched_terms: tuple[str, ...]
    source: str  # "classification" | "reference" | "fallback"


def _csv_path() -> Path:
    return Path(settings.BASE_DIR) / "reference" / "industry" / "gbt4754_2017.csv"


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[IndustryClass, str], ...]:
    out: list[tuple[IndustryClass, str]] = []
    with _csv_path().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["level"] == "4":
                out.append((IndustryClass(row["code"], row["name"], row["section"]), row["description"]))
    return tuple(out)


@lru_cache(maxsize=1)
def industry_classes() -> dict[str, IndustryClass]:
    return {cls.code: cls for cls, _ in _rows()}


def industry_descriptions() -> dict[str, str]:
    return {cls.code: desc for cls, desc in _rows()}


def normalise_industry_code(raw: str) -> str:
    """Accept "3831" or "C3831" (门类 letter in front); return the 4-digit 小类 or raise KeyError."""
    code = (raw or "").strip().upper()
    if len(code) == 5 and code[0].isalpha():
        code = code[1:]
    if code not in industry_classes():
        raise KeyError(code)
    return code


def _bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in _NON_CJK.split(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams - _STOP_BIGRAMS


@lru_cache(maxsize=1)
def _name_grams() -> tuple[tuple[IndustryClass, frozenset[str]], ...]:
    return tuple((cls, frozenset(_bigrams(cls.name))) for cls, _ in _rows())


def _fallback(text: str, top: int) -> list[Suggestion]:
    grams = _bigrams(text)
    scored: list[Suggestion] = []
    for cls, name_grams in _name_grams():
        if not name_grams:
            continue
        hit = grams & name_grams
        if hit:
            score = len(hit) / len(name_grams)
            scored.append(Suggestion(cls.code, cls.name, round(score, 4), tuple(sorted(hit)), "fallback"))
    scored.sort(key=lambda s: (-s.score, -len(s.matched_terms), s.code))
    return scored[:top]


@lru_cache(maxsize=1)
def _reference_suggester() -> Any:
    """The classification engine's TF-IDF suggester built from the CSV in `reference/` (no DB needed)."""
    from engine.classification.scope import IndustryText, ScopeSuggester

    names: dict[str, str] = {}
    with _csv_path().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["level"] in ("2", "3"):
                names[row["code"]] = row["name"]
    texts = [
        IndustryText(
            code=cls.code,
            name=cls.name,
            notes=desc,
            parent_names=f"{names.get(cls.code[:3], '')} {names.get(cls.code[:2], '')}",
        )
        for cls, desc in _rows()
    ]
    return ScopeSuggester(texts)


def _convert(hits: Any, source: str) -> list[Suggestion]:
    out: list[Suggestion] = []
    for s in hits:
        code = str(s.code)
        if len(code) == 5 and code[0].isalpha():
            code = code[1:]
        terms = tuple(getattr(s, "matched_terms", ()) or ())
        out.append(Suggestion(code, s.name, round(float(s.score), 4), terms, source))
    return out


def suggest_industries(text: str, top: int = 5) -> list[Suggestion]:
    """Best GB/T 4754 小类 for a 经营范围 text, best first.

    Order of preference: the classification app's suggester (DB reference tables); when those tables are not
    loaded, the same engine over `reference/industry/gbt4754_2017.csv`; when that engine is absent, bigram overlap.
    """
    if not text.strip():
        return []
    suggester: Any = None
    try:
        from panhuo.classification.selectors import suggest_industries_for_scope as suggester
    except ImportError:
        pass
    if suggester is not None:
        hits = _convert(suggester(text, top=top), "classification")
        if hits:
            return hits
    try:
        return _convert(_reference_suggester().suggest(text, top=top), "reference")
    except ImportError:
        return _fallback(text, top)
