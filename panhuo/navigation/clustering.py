"""Technology clusters of a scope (run in the worker): vectors from the matching index, else TF-IDF term vectors.

Also counts, for the scope's open needs, how many have a good match among the scope's patents (a search per
need: worker work too).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine.landscape import LandscapeRow, cluster_vectors, describe_clusters, term_vectors
from engine.landscape.clusters import ClusterResult, choose_k
from engine.landscape.columns import FactTable
from panhuo.common.idsets import ids_in
from panhuo.matching import index as match_index
from panhuo.navigation.conversion import GOOD_MATCH_SCORE, needs_in_scope, subclass_counts
from panhuo.navigation.scope import ScopeDefinition
from panhuo.navigation.selectors import Visibility, scope_rows_status
from panhuo.patents.models import Patent

# How many of a need's best matches are read before keeping those inside the scope.
SCOPE_HIT_WINDOW = 50

MIN_INDEX_COVERAGE = 0.95  # below this share of the scope in the built index, the term vectors are used
MAX_NEEDS_SEARCHED = 200
Progress = Callable[[str, int, int], None]


def vectors_in_one_space(
    segments: Sequence[tuple[np.ndarray, np.ndarray, str]], patent_ids: Sequence[int]
) -> tuple[np.ndarray | None, str, float]:
    """Each patent's vector from its latest segment (a later segment re-indexed it), all from ONE vector space.

    `segments`: (ids, vectors, space name) in index order. During an upgrade some segments hold the static tier
    and others the full model: cosines across two spaces mean nothing, so the space holding the latest row of
    most of the patents is used and the patents whose latest row is in another space count as not covered.
    Returns (vectors or None when no patent is covered, the space, the share of `patent_ids` covered).
    """
    latest: dict[int, tuple[int, int]] = {}
    for s, (ids, _, _) in enumerate(segments):
        for row, doc_id in enumerate(ids.tolist()):
            latest[doc_id] = (s, row)
    found = [latest.get(pid) for pid in patent_ids]
    per_space: dict[str, int] = {}
    for f in found:
        if f is not None:
            per_space[segments[f[0]][2]] = per_space.get(segments[f[0]][2], 0) + 1
    if not per_space:
        return None, "", 0.0
    space = max(per_space, key=lambda name: (per_space[name], name))
    dim = next(vectors.shape[1] for _, vectors, name in segments if name == space)
    out = np.zeros((len(patent_ids), dim), dtype=np.float32)
    for i, f in enumerate(found):
        if f is not None and segments[f[0]][2] == space:
            out[i] = segments[f[0]][1][f[1]]
    return out, space, per_space[space] / len(patent_ids)


def index_vectors(patent_ids: Sequence[int]) -> tuple[np.ndarray | None, str]:
    """Dense vectors of the patents from the matching index (one vector space), or None with the reason."""
    index = match_index.patent_index()
    if index is None:
        return None, "匹配索引尚未构建，改用 TF-IDF 词向量 (no matching index: TF-IDF term vectors)"
    vectors, space, coverage = vectors_in_one_space(
        [(seg.ids, seg.vectors, seg.dense_name) for seg in index.segments], patent_ids
    )
    if vectors is None or coverage < MIN_INDEX_COVERAGE:
        spaces = "（索引升级中，部分专利为另一向量模型）" if len(index.tiers) > 1 else ""
        return None, (
            f"匹配索引只覆盖本范围 {coverage:.0%} 的专利{spaces}，改用 TF-IDF 词向量 "
            f"(index covers {coverage:.0%} of the scope in one vector space: TF-IDF term vectors)"
        )
    return vectors, f"匹配索引向量（{space}）"


def patent_tokens(patent_ids: Sequence[int], progress: Progress | None = None) -> list[list[str]]:
    tokenizer = match_index.tokenizer()
    texts: dict[int, str] = {}
    rows = Patent.objects.filter(pk__in=ids_in(patent_ids)).values_list("pk", "title", "abstract")
    for pid, title, abstract in rows.iterator(chunk_size=5000):
        texts[pid] = f"{title}。{abstract[:600]}"
    out = []
    for i, pid in enumerate(patent_ids):
        out.append(tokenizer.tokens(texts.get(pid, "")))
        if progress and (i + 1) % 5000 == 0:
            progress("tokenise", i + 1, len(patent_ids))
    return out


def clusters_compute(
    rows: Sequence[LandscapeRow], *, vectors_from: str = "auto", progress: Progress | None = None
) -> tuple[list[ClusterResult], str, str]:
    """(clusters, vector source code, the sentence saying where the vectors came from)."""
    ids = [r.patent_id for r in rows]
    if not ids:
        return [], "none", "范围内没有专利 (no patents in the scope)"
    tokens = patent_tokens(ids, progress)
    vectors, note = (
        (None, "TF-IDF 词向量 (TF-IDF term vectors)") if vectors_from == "tfidf" else index_vectors(ids)
    )
    source = "index" if vectors is not None else "tfidf"
    if vectors is None:
        vectors = term_vectors(tokens)
    labels = cluster_vectors(vectors, choose_k(len(ids)))
    years = [r.app_year for r in rows]
    known = [y for y in years if y is not None]
    clusters = describe_clusters(labels, ids, years, tokens, last_year=max(known) if known else None)
    return clusters, source, note


def good_matches(definition: ScopeDefinition, table: FactTable) -> dict[str, Any]:
    """Open needs in the scope and how many have a match scoring ≥ GOOD_MATCH_SCORE among the scope's patents."""
    from panhuo.matching.documents import need_labels, need_text
    from panhuo.matching.selectors import make_query, match_patents

    scope_ids = set(table.patent_id.tolist())
    needs = needs_in_scope(definition, list(subclass_counts(table)))
    if match_index.patent_index() is None:
        return {
            "needs": len(needs),
            "searched": 0,
            "good": None,
            "threshold": GOOD_MATCH_SCORE,
            "note": "匹配索引尚未构建，无法计算匹配 (no matching index)",
        }
    good: list[int] = []
    searched = needs[:MAX_NEEDS_SEARCHED]
    for need in searched:
        # The scope can hold more patents than one SQL statement may bind, so its best hits are read from a
        # wider top list and kept when they fall inside the scope.
        hits = [
            m
            for m in match_patents(make_query(need_text(need), need_labels(need), SCOPE_HIT_WINDOW))
            if m.patent.pk in scope_ids
        ]
        if hits and hits[0].hit.score >= GOOD_MATCH_SCORE:
            good.append(need.pk)
    return {
        "needs": len(needs),
        "searched": len(searched),
        "good": len(good),
        "good_need_ids": good,
        "threshold": GOOD_MATCH_SCORE,
        "note": "",
    }


def run_for(
    definition: ScopeDefinition, visibility: Visibility, *, vectors_from: str = "auto"
) -> dict[str, Any]:
    """Everything a cluster run stores."""
    started = time.monotonic()
    table = scope_rows_status(definition, visibility.records).table
    rows = table.rows()
    clusters, source, note = clusters_compute(rows, vectors_from=vectors_from)
    matches = good_matches(definition, table)
    return {
        "patents": len(rows),
        "clusters": [c.as_dict(with_ids=True) for c in clusters],
        "vectors": source,
        "note": note,
        "matches": matches,
        "seconds": round(time.monotonic() - started, 2),
    }
