"""经营范围 (business scope) -> suggested GB/T 4754 小类, scored against class names and the official notes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from engine.classification.text import TfidfIndex, bag, terms

# The official notes: "◇ 包括…" lists what a class covers, "◆ 不包括…" what it does not.
_EXCLUDES = re.compile(r"◆[^◇]*")
# Licence boilerplate at the end of most scopes.
_TRADE_WORDS = ("批发", "零售", "贸易", "进出口")
_TRADE_DIVISIONS = frozenset({"51", "52"})
_BOILERPLATE = re.compile(r"[（(]?(除)?依法须经批准的项目[^。；;]*[。；;)）]?")


@dataclass(frozen=True)
class IndustryText:
    code: str  # 4-digit 小类
    name: str
    notes: str = ""  # official ◇/◆ notes
    parent_names: str = ""  # 中类 + 大类 names


@dataclass(frozen=True)
class IndustrySuggestion:
    code: str
    name: str
    score: float  # 0..1, cosine of the scope with the class text plus a name bonus
    matched_terms: tuple[str, ...]


def includes_only(notes: str) -> str:
    return _EXCLUDES.sub(" ", notes or "")


class ScopeSuggester:
    """TF-IDF over class name (x3), parent names and ◇ notes; ◆ 不包括 text is left out."""

    def __init__(self, industries: Sequence[IndustryText]) -> None:
        self.industries = list(industries)
        docs = []
        self._name_terms: list[frozenset[str]] = []
        for ind in self.industries:
            docs.append(
                (ind.code, bag([(ind.name, 3), (ind.parent_names, 1), (includes_only(ind.notes), 1)]))
            )
            self._name_terms.append(frozenset(terms(ind.name)))
        self.index = TfidfIndex.build(docs)
        self._doc_terms = [frozenset(b) for _, b in docs]

    def suggest(self, text: str, top: int = 5) -> list[IndustrySuggestion]:
        cleaned = _BOILERPLATE.sub(" ", text or "")
        query: Counter[str] = Counter(terms(cleaned))
        if not query:
            return []
        scores = self.index.query(query)
        trade = any(w in cleaned for w in _TRADE_WORDS)
        results = []
        for i, s in scores.items():
            ind = self.industries[i]
            if not trade and ind.code[:2] in _TRADE_DIVISIONS:
                s *= 0.6  # 批发/零售 classes only when the scope says it trades
            name_hits = self._name_terms[i] & query.keys()
            bonus = 0.15 * len(name_hits) / max(1, len(self._name_terms[i]))
            if ind.name and ind.name in cleaned:
                bonus += 0.2
            results.append((min(1.0, s + bonus), i))
        results.sort(key=lambda r: (-r[0], self.industries[r[1]].code))
        out = []
        for s, i in results[:top]:
            ind = self.industries[i]
            matched = tuple(sorted(self._doc_terms[i] & query.keys(), key=lambda t: (-query[t], t)))
            out.append(IndustrySuggestion(ind.code, ind.name, round(s, 4), matched))
        return out
