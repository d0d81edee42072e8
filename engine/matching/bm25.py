"""BM25 over rjieba search tokens (bm25s), with query-time vocabulary mapping and pickle-free persistence."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np

# bm25s sets its own logger to DEBUG when imported, so "Building index from IDs" reached every terminal (panhuo demo,
# panhuo index build, the worker) whatever the logging config said; its warnings still come through.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class BM25Segment:
    """bm25s index over pre-tokenised documents; scores every document for a query (fast sparse matvec)."""

    def __init__(self, retriever: bm25s.BM25, vocab: dict[str, int]) -> None:
        self._retriever = retriever
        self.vocab = vocab

    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> BM25Segment:
        vocab: dict[str, int] = {}
        ids: list[list[int]] = []
        for tokens in token_lists:
            ids.append([vocab.setdefault(t, len(vocab)) for t in tokens])
        if "" not in vocab:
            vocab[""] = len(vocab)  # bm25s' empty token: keeps empty documents indexable
        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        retriever.index((ids, vocab), create_empty_token=False, show_progress=False)
        return cls(retriever, vocab)

    @property
    def size(self) -> int:
        return int(self._retriever.scores["num_docs"])

    def query_ids(self, tokens: Sequence[str]) -> list[int]:
        return sorted({self.vocab[t] for t in tokens if t in self.vocab and t})

    def _postings(self, ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        m = self._retriever.scores
        indptr, indices, data = m["indptr"], m["indices"], m["data"]
        spans = [(int(indptr[t]), int(indptr[t + 1])) for t in ids]
        rows = np.concatenate([indices[a:b] for a, b in spans]) if spans else np.zeros(0, dtype=np.int32)
        vals = np.concatenate([data[a:b] for a, b in spans]) if spans else np.zeros(0, dtype=np.float32)
        return rows, vals

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Every document's score (dense array; `top` and `scores_of` avoid it on large segments)."""
        ids = self.query_ids(tokens)
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        rows, vals = self._postings(ids)
        return np.bincount(rows, weights=vals, minlength=self.size).astype(np.float32)

    def top(self, tokens: Sequence[str], k: int, dead_rows: np.ndarray | None = None) -> np.ndarray:
        """Exact top-k rows by BM25 among documents holding at least one query term (best first; rows tied at the cut
        may be any of the tied ones).

        Only the postings of the query terms are touched: one `bincount` sums them, then the cut runs over the
        postings' own entries (a document appears at most once per query term, so the best k·terms entries hold the
        best k distinct documents) — no sort or scan of the whole corpus. `dead_rows` (masked rows) are excluded.
        """
        ids = self.query_ids(tokens)
        if not ids or k <= 0:
            return np.zeros(0, dtype=np.int64)
        rows, vals = self._postings(ids)
        full = np.bincount(rows, weights=vals, minlength=self.size)
        if dead_rows is not None and dead_rows.size:
            full[dead_rows] = 0.0
        acc = full[rows]
        m = k * len(ids)
        pick = np.argpartition(-acc, m - 1)[:m] if acc.size > m else np.arange(acc.size)
        hit = np.unique(rows[pick]).astype(np.int64)
        score = full[hit]
        keep = score > 0
        hit, score = hit[keep], score[keep]
        order = np.lexsort((hit, -score))[:k]
        return hit[order]

    def scores_of(self, tokens: Sequence[str], rows: np.ndarray) -> np.ndarray:
        """Exact scores of the given rows only (binary search in each query term's postings)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(rows.shape[0], dtype=np.float64)
        if not rows.size:
            return out.astype(np.float32)
        m = self._retriever.scores
        indptr, indices, data = m["indptr"], m["indices"], m["data"]
        for t in self.query_ids(tokens):
            a, b = int(indptr[t]), int(indptr[t + 1])
            postings = indices[a:b]
            pos = np.searchsorted(postings, rows)
            ok = pos < (b - a)
            ok[ok] = postings[pos[ok]] == rows[ok]
            out[ok] += data[a + pos[ok]]
        return out.astype(np.float32)

    def upper_bound(self, tokens: Sequence[str]) -> float:
        """Score of a document holding each distinct query term once at average length: Σ idf / (1 + k1).

        Dividing by it turns raw BM25 into "share of the query matched" (capped at 1 by the caller), which unlike
        min–max over the candidates does not blow a single weak term match up to 1.
        """
        distinct = {t for t in tokens if t}
        if not distinct:
            return 0.0
        indptr = self._retriever.scores["indptr"]
        n = self.size
        # a query term absent from the corpus counts as the rarest possible term (df = 0): it is unmatched content
        df = np.array(
            [
                int(indptr[self.vocab[t] + 1]) - int(indptr[self.vocab[t]]) if t in self.vocab else 0
                for t in distinct
            ],
            dtype=np.float64,
        )
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        return float(idf.sum() / (1.0 + self._retriever.k1))

    def has(self, term: str, row: int) -> bool:
        """Does document `row` contain `term`? (binary search in the term's postings of the CSC score matrix)"""
        tid = self.vocab.get(term)
        if tid is None:
            return False
        scores = self._retriever.scores
        start, end = int(scores["indptr"][tid]), int(scores["indptr"][tid + 1])
        postings = scores["indices"][start:end]
        pos = int(np.searchsorted(postings, row))
        return pos < len(postings) and int(postings[pos]) == row

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(directory), allow_pickle=False)
        (directory / "panhuo_vocab.json").write_text(
            json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path, *, mmap: bool = True) -> BM25Segment:
        retriever = bm25s.BM25.load(str(directory), mmap=mmap, allow_pickle=False, load_corpus=False)
        vocab = json.loads((directory / "panhuo_vocab.json").read_text(encoding="utf-8"))
        return cls(retriever, vocab)
