"""Many queries against one small segment (the window of patents new since the last digest), in numpy blocks.

The push digest asks, for every subscribed enterprise, which NEW patents match it. Instead of a full-index search per
enterprise, the candidates are only the window's rows: per block of queries one matrix product gives every cosine
(block × window), one bincount over the query terms' postings gives every BM25 score, and each query's top
`candidates` by BM25 and by cosine go through the same second stage as an interactive search (`HybridIndex.fuse`:
normalisation, affinity, prior, reasons). Rows a query must not see (`exclude`: already pushed, not pooled) are
removed BEFORE the candidate cut, so they never take a slot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from engine.matching.dense import Embedder
from engine.matching.hybrid import HybridIndex, PriorLookup, _Cand
from engine.matching.segment import Segment
from engine.matching.types import FusionConfig, MatchHit, NeedQuery, PatentDoc
from engine.text import Tokenizer


def window_segment(index: HybridIndex, docs: Sequence[PatentDoc]) -> Segment:
    """A small segment over `docs` (patents new since the last digests), reusing the index's stored vectors.

    A doc whose dense text changed since it was indexed (hash differs) or that is not indexed yet is embedded with
    the index's own embedder (the static tier: table lookups).
    """
    wanted = np.fromiter((d.doc_id for d in docs), dtype=np.int64, count=len(docs))
    where: dict[int, tuple[int, int]] = {}
    for s, seg in enumerate(index.segments):
        if seg.dense_name != index.embedder.name:  # a segment of another tier (upgrade half-way): re-encode
            continue
        for r in np.flatnonzero(np.isin(seg.ids, wanted) & ~index._dead[s]):
            where[int(seg.ids[r])] = (s, int(r))

    def reuse(doc_id: int, h: int) -> np.ndarray | None:
        hit = where.get(doc_id)
        if hit is None:
            return None
        seg = index.segments[hit[0]]
        return seg.vectors[hit[1]] if int(seg.hashes[hit[1]]) == h else None

    tokenizer: Tokenizer = index.tokenizer
    embedder: Embedder = index.embedder
    return Segment.build(docs, tokenizer=tokenizer, embedder=embedder, reuse=reuse)


def _bm25_block(index: HybridIndex, tokens: Sequence[Sequence[str]]) -> np.ndarray:
    """(len(tokens) × window) BM25 scores, from the postings of each query's terms (one bincount)."""
    seg = index.segments[0]
    width = seg.size
    m = seg.bm25._retriever.scores
    indptr, indices, data = m["indptr"], m["indices"], m["data"]
    qpos: list[int] = []
    terms: list[int] = []
    for i, tok in enumerate(tokens):
        ids = seg.bm25.query_ids(tok)
        qpos.extend([i] * len(ids))
        terms.extend(ids)
    if not terms:
        return np.zeros((len(tokens), width), dtype=np.float64)
    t = np.asarray(terms, dtype=np.int64)
    starts = indptr[t].astype(np.int64)
    lens = indptr[t + 1].astype(np.int64) - starts
    total = int(lens.sum())
    offsets = np.cumsum(lens) - lens
    flat = np.repeat(starts - offsets, lens) + np.arange(total, dtype=np.int64)
    owner = np.repeat(np.asarray(qpos, dtype=np.int64), lens)
    cells = owner * width + indices[flat].astype(np.int64)
    scores = np.bincount(cells, weights=data[flat], minlength=len(tokens) * width)
    return scores.reshape(len(tokens), width)


def batch_search(
    index: HybridIndex,
    queries: Sequence[NeedQuery],
    tokens: Sequence[Sequence[str]],
    vectors: np.ndarray,
    *,
    config: FusionConfig | None = None,
    priors: PriorLookup | None = None,
    exclude: Callable[[int], set[int]] | None = None,
    row_time: np.ndarray | None = None,
    since: np.ndarray | None = None,
    block: int = 512,
) -> Iterator[tuple[int, list[MatchHit]]]:
    """Yield (query position, ranked hits) for every query, against a single-segment index (the window).

    `row_time` (one timestamp per window row) and `since` (one per query): a query only sees rows newer than its
    own `since` (each enterprise's window starts at its own last digest).
    """
    if len(index.segments) != 1:
        raise ValueError("batch_search runs against one segment (build the window as a single segment)")
    cfg = config or index.config
    seg = index.segments[0]
    width = seg.size
    if width == 0:
        for i in range(len(queries)):
            yield i, []
        return
    window = seg.vectors.astype(np.float32)
    row_of = {int(d): r for r, d in enumerate(seg.ids)}
    dead = index._dead_rows[0]
    c = min(cfg.candidates, width)
    for start in range(0, len(queries), block):
        stop = min(start + block, len(queries))
        cos = np.asarray(vectors[start:stop], dtype=np.float32) @ window.T
        bm = _bm25_block(index, tokens[start:stop])
        if dead.size:
            cos[:, dead] = -np.inf
            bm[:, dead] = 0.0
        if row_time is not None and since is not None:
            old = row_time[None, :] <= np.asarray(since[start:stop], dtype=np.float64)[:, None]
            cos[old] = -np.inf
            bm[old] = 0.0
        if exclude is not None:
            for i in range(start, stop):
                skip = [row_of[d] for d in exclude(i) if d in row_of]
                if skip:
                    cos[i - start, skip] = -np.inf
                    bm[i - start, skip] = 0.0
        if c < width:
            top_dense = np.argpartition(-cos, c - 1, axis=1)[:, :c]
            top_bm = np.argpartition(-bm, c - 1, axis=1)[:, :c]
        else:
            top_dense = top_bm = np.broadcast_to(np.arange(width), (stop - start, width))
        for i in range(start, stop):
            j = i - start
            d_rows = top_dense[j][np.isfinite(cos[j, top_dense[j]])]
            b_rows = top_bm[j][bm[j, top_bm[j]] > 0]
            rows = np.union1d(d_rows, b_rows)
            if not rows.size:
                yield i, []
                continue
            qtok = tokens[i]
            ub = seg.bm25.upper_bound(qtok)
            cands = [
                _Cand(
                    int(seg.ids[r]),
                    0,
                    int(r),
                    float(bm[j, r]),
                    float(cos[j, r]),
                    min(1.0, float(bm[j, r]) / ub) if ub > 0 else 0.0,
                )
                for r in rows
            ]
            yield i, index.fuse(cands, qtok, queries[i], priors=priors, config=cfg)
