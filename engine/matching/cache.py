"""Vectors cached on disk by text hash: enterprise query vectors (profiles re-encoded only when their text changes).
(The background upgrade keeps its own per-segment chunks: `panhuo.matching.services._upgrade`.)"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from engine.matching.dense import DIM, Embedder
from engine.matching.segment import text_hash


class QueryVectorCache:
    """`queries(texts)` through an embedder, remembering each text's vector (float16, npz, atomic replace).

    `kind="passage"` caches `embedder.passages` instead (the background full-model upgrade)."""

    def __init__(
        self, path: Path, embedder: Embedder, *, max_rows: int = 2_000_000, kind: str = "query"
    ) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self.kind = kind
        self.max_rows = max_rows
        self.hits = 0
        self.misses = 0
        self._rows: dict[int, int] = {}
        self._vectors = np.zeros((0, DIM), dtype=np.float16)
        if self.path.exists():
            data = np.load(self.path, allow_pickle=False)
            if str(data["model"]) == f"{embedder.name}:{kind}":
                self._vectors = data["vectors"]
                self._rows = {int(h): i for i, h in enumerate(data["hashes"])}

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        hashes = [text_hash(t) for t in texts]
        known = sum(1 for h in hashes if h in self._rows)
        self.hits += known
        self.misses += len(hashes) - known
        missing = list(dict.fromkeys(h for h in hashes if h not in self._rows))
        if missing:
            first = {h: i for i, h in reversed(list(enumerate(hashes)))}
            encode = self.embedder.queries if self.kind == "query" else self.embedder.passages
            fresh = encode([texts[first[h]] for h in missing]).astype(np.float16)
            start = self._vectors.shape[0]
            self._vectors = np.vstack([self._vectors, fresh])
            self._rows.update((h, start + i) for i, h in enumerate(missing))
            self._save()
        rows = [self._rows[h] for h in hashes]
        return self._vectors[rows].astype(np.float32) if rows else np.zeros((0, DIM), dtype=np.float32)

    def has(self, text_hash_value: int) -> bool:
        return text_hash_value in self._rows

    def get(self, text_hash_value: int) -> np.ndarray | None:
        row = self._rows.get(text_hash_value)
        return None if row is None else self._vectors[row]

    def _save(self) -> None:
        if self._vectors.shape[0] > self.max_rows:  # keep the newest rows
            keep = sorted(self._rows.items(), key=lambda kv: kv[1])[-self.max_rows :]
            self._vectors = self._vectors[[r for _, r in keep]]
            self._rows = {h: i for i, (h, _) in enumerate(keep)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.stem}-{uuid.uuid4().hex}.npz")
        hashes = np.zeros(len(self._rows), dtype=np.int64)
        for h, r in self._rows.items():
            hashes[r] = h
        with tmp.open("wb") as fh:
            np.savez(
                fh, hashes=hashes, vectors=self._vectors, model=np.array(f"{self.embedder.name}:{self.kind}")
            )
        os.replace(tmp, self.path)
