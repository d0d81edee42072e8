"""A patent that carries only a subclass (e.g. "G06F") -> the main group whose titles best match its title."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from engine.classification.text import TfidfIndex, bag, terms


class GroupGuesser:
    """TF-IDF over main-group titles; a guess is kept only above `min_score` cosine."""

    def __init__(self, group_texts: Mapping[str, str], min_score: float = 0.15) -> None:
        docs = [(g, bag([(t, 1)])) for g, t in sorted(group_texts.items())]
        self.index = TfidfIndex.build(docs)
        self.min_score = min_score
        self._memo: dict[tuple[str, str], tuple[str, float] | None] = {}

    def guess(self, subclass: str, text: str) -> tuple[str, float] | None:
        key = (subclass, text)
        if key in self._memo:
            return self._memo[key]
        query: Counter[str] = Counter(terms(text))
        best: tuple[str, float] | None = None
        if query:
            for i, s in self.index.query(query).items():
                group = self.index.doc_ids[i]
                if group.startswith(subclass) and s >= self.min_score and (best is None or s > best[1]):
                    best = (group, round(s, 4))
        if len(self._memo) < 200_000:
            self._memo[key] = best
        return best
