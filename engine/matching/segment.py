"""An immutable index segment: doc ids, labels (CSR), BM25, stored vectors and a vector index, on disk as npy+json."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.matching.bm25 import BM25Segment
from engine.matching.dense import DIM, Embedder, ExactIndex, FlatSQ8Index, IVFSQ8Index, VectorIndex
from engine.matching.types import PatentDoc
from engine.text import Tokenizer

SEGMENT_FORMAT = "panhuo-match-segment"
SEGMENT_VERSION = 1
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def text_hash(text: str) -> int:
    """64-bit content hash of what the dense tier embeds (decides whether a stored vector can be reused)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little") >> 1


def dense_input(doc: PatentDoc, dense_chars: int) -> str:
    return doc.dense_text or doc.text[:dense_chars]


@dataclass
class Segment:
    ids: np.ndarray  # int64 doc ids, row order
    hashes: np.ndarray  # int64 text hashes
    label_vocab: list[str]
    label_indptr: np.ndarray
    label_idx: np.ndarray
    bm25: BM25Segment
    vectors: np.ndarray  # float16 (n, 384), L2-normalised before rounding
    vindex: VectorIndex
    dense_name: str

    @property
    def size(self) -> int:
        return int(self.ids.shape[0])

    def labels(self, row: int) -> tuple[str, ...]:
        return tuple(
            self.label_vocab[i] for i in self.label_idx[self.label_indptr[row] : self.label_indptr[row + 1]]
        )

    def row_of(self) -> dict[int, int]:
        return {int(d): r for r, d in enumerate(self.ids)}

    @classmethod
    def build(
        cls,
        docs: Sequence[PatentDoc],
        *,
        tokenizer: Tokenizer,
        embedder: Embedder,
        dense_chars: int = 160,
        reuse: Callable[[int, int], np.ndarray | None] | None = None,
        progress: Progress | None = None,
        batch: int = 256,
        flat_sq8_min: int = 5000,
        ivf_min: int = 100_000,
        ivf_template: IVFSQ8Index | None = None,
    ) -> Segment:
        """Tokenise + index BM25, embed (reusing stored vectors whose text hash is unchanged), index vectors.

        `ivf_template`: a trained IVF quantizer to add this segment's vectors to (the other segments of the same
        build and dense tier), instead of running k-means again."""
        n = len(docs)
        token_lists = []
        for i, doc in enumerate(docs):
            token_lists.append(tokenizer.search_tokens(doc.text))
            if progress and (i + 1) % 10000 == 0:
                progress("tokenise", i + 1, n)
        bm25 = BM25Segment.build(token_lists)
        del token_lists
        if progress:
            progress("bm25", n, n)
        ids = np.fromiter((d.doc_id for d in docs), dtype=np.int64, count=n)
        texts = [dense_input(d, dense_chars) for d in docs]
        hashes = np.fromiter((text_hash(t) for t in texts), dtype=np.int64, count=n)
        vectors = np.zeros((n, DIM), dtype=np.float16)
        todo: list[int] = []
        for i in range(n):
            old = reuse(int(ids[i]), int(hashes[i])) if reuse else None
            if old is None:
                todo.append(i)
            else:
                vectors[i] = old
        for start in range(0, len(todo), batch):
            rows = todo[start : start + batch]
            vectors[rows] = embedder.passages([texts[r] for r in rows]).astype(np.float16)
            if progress:
                progress("embed", min(start + batch, len(todo)), len(todo))
        vocab: dict[str, int] = {}
        indptr = [0]
        idx: list[int] = []
        for d in docs:
            idx.extend(vocab.setdefault(lab, len(vocab)) for lab in dict.fromkeys(d.labels))
            indptr.append(len(idx))
        return cls(
            ids=ids,
            hashes=hashes,
            label_vocab=list(vocab),
            label_indptr=np.asarray(indptr, dtype=np.int64),
            label_idx=np.asarray(idx, dtype=np.int32),
            bm25=bm25,
            vectors=vectors,
            vindex=_vector_index(vectors, flat_sq8_min, ivf_min, ivf_template),
            dense_name=embedder.name,
        )

    def with_vectors(
        self, vectors: np.ndarray, hashes: np.ndarray, dense_name: str, *, ivf_min: int = 100_000
    ) -> Segment:
        """The same rows (ids, labels, BM25) with other dense vectors: a static segment upgraded to the full model."""
        v = np.asarray(vectors, dtype=np.float16).reshape(self.size, DIM)
        return Segment(
            ids=self.ids,
            hashes=np.asarray(hashes, dtype=np.int64),
            label_vocab=self.label_vocab,
            label_indptr=self.label_indptr,
            label_idx=self.label_idx,
            bm25=self.bm25,
            vectors=v,
            vindex=_vector_index(v, 5000, ivf_min),
            dense_name=dense_name,
        )

    def save_vectors_beside(self, source: Path, directory: Path) -> None:
        """Save a `with_vectors` segment whose other files are those of the segment saved in `source`: they are
        hard-linked (copied where links are not possible), only vectors, hashes and the vector index are written."""
        own = {"vectors.npy", "hashes.npy", "ivf.npy", "segment.json"}
        # Listed before `directory` exists: a single-segment index keeps its files in the generation directory and
        # the upgraded copy goes INSIDE it, so walking while writing would copy the copy into itself, endlessly.
        # Other segments in there (an earlier upgrade, a crashed attempt) are not this segment's files.
        files = []
        for path in source.rglob("*"):
            rel = path.relative_to(source)
            if path.is_dir() or (len(rel.parts) == 1 and rel.name in own):
                continue
            if len(rel.parts) > 1 and (rel.parts[0].startswith("seg-") or source / rel.parts[0] == directory):
                continue
            files.append((path, rel))
        directory.mkdir(parents=True, exist_ok=True)
        for path, rel in files:
            target = directory / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:
                shutil.copy2(path, target)
        np.save(directory / "vectors.npy", self.vectors, allow_pickle=False)
        np.save(directory / "hashes.npy", self.hashes, allow_pickle=False)
        if isinstance(self.vindex, IVFSQ8Index):
            np.save(directory / "ivf.npy", self.vindex.to_array(), allow_pickle=False)
        self._write_meta(directory)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for name, arr in (
            ("ids", self.ids),
            ("hashes", self.hashes),
            ("label_indptr", self.label_indptr),
            ("label_idx", self.label_idx),
            ("vectors", self.vectors),
        ):
            np.save(directory / f"{name}.npy", arr, allow_pickle=False)
        if isinstance(self.vindex, IVFSQ8Index):  # trained cells + codes: a load does not re-run k-means
            np.save(directory / "ivf.npy", self.vindex.to_array(), allow_pickle=False)
        self.bm25.save(directory / "bm25")
        self._write_meta(directory)

    def _write_meta(self, directory: Path) -> None:
        meta = {
            "format": SEGMENT_FORMAT,
            "version": SEGMENT_VERSION,
            "n": self.size,
            "dim": DIM,
            "dense": self.dense_name,
            "label_vocab": self.label_vocab,
        }
        (directory / "segment.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, *, flat_sq8_min: int = 5000, ivf_min: int = 100_000) -> Segment:
        meta = json.loads((directory / "segment.json").read_text(encoding="utf-8"))
        if meta.get("format") != SEGMENT_FORMAT or meta.get("version") != SEGMENT_VERSION:
            raise ValueError(
                f"unsupported segment format in {directory}: {meta.get('format')} v{meta.get('version')}"
            )

        def arr(name: str) -> np.ndarray:
            loaded: np.ndarray = np.load(directory / f"{name}.npy", allow_pickle=False)
            return loaded

        vectors = arr("vectors")
        vindex: VectorIndex | None = None
        if (directory / "ivf.npy").exists():
            ivf = IVFSQ8Index.from_array(arr("ivf"))
            vindex = ivf if ivf.size == vectors.shape[0] else None
        return cls(
            ids=arr("ids"),
            hashes=arr("hashes"),
            label_vocab=list(meta["label_vocab"]),
            label_indptr=arr("label_indptr"),
            label_idx=arr("label_idx"),
            bm25=BM25Segment.load(directory / "bm25"),
            vectors=vectors,
            vindex=vindex or _vector_index(vectors, flat_sq8_min, ivf_min),
            dense_name=meta["dense"],
        )


def read_dense_name(directory: Path) -> str:
    """The dense tier a saved segment was embedded with (without loading it)."""
    return str(json.loads((directory / "segment.json").read_text(encoding="utf-8"))["dense"])


def _vector_index(
    vectors: np.ndarray, flat_sq8_min: int, ivf_min: int = 100_000, template: IVFSQ8Index | None = None
) -> VectorIndex:
    # small segments (deltas, tests): exact float32 scan; mid-size: faiss flat SQ8 (4× smaller, recall ≈ 0.99);
    # large: IVF over SQ8 codes (a query scans nprobe of nlist cells; recall vs exact measured in bench/match_speed.py)
    if vectors.shape[0] < flat_sq8_min:
        return ExactIndex(vectors.astype(np.float32))
    if vectors.shape[0] < ivf_min:
        return FlatSQ8Index(vectors.astype(np.float32))
    return IVFSQ8Index(vectors, trained=template)
