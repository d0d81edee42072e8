"""Technology clusters: spherical k-means over document vectors, labelled by class-based TF-IDF terms.

Vectors come from the caller: the matching index's dense vectors when one is built, else `term_vectors`
(TF-IDF over the segmenter's tokens, projected to `dim` dimensions by a sparse random projection, which keeps
cosine similarities approximately). Everything is deterministic for a given input and seed.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.landscape.metrics import window_growth

EMERGING_GROWTH_PERCENT = 50.0
# Claim boilerplate that ends many software / device patents' titles: never a cluster's characteristic term.
LABEL_STOP_TERMS = frozenset(
    "电子设备 存储介质 可读存储介质 计算机可读存储介质 计算机设备 计算机程序 程序产品 处理方法 相关 介质 终端 设备 "
    "方法 系统 装置 应用 制备 制备方法 及其 其制备方法 用途 一种 包括".split()
)


@dataclass(frozen=True)
class ClusterResult:
    """One cluster: its label (top terms joined), terms, size, yearly counts, growth and whether it emerges."""

    number: int
    label: str
    terms: tuple[str, ...]
    patents: int
    by_year: dict[int, int]
    growth: float | None  # percent, last 3 years over the 3 before; None without a base
    recent_share: float  # share of its patents filed in the last 3 years
    emerging: bool
    patent_ids: tuple[int, ...]

    def as_dict(self, *, with_ids: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "number": self.number,
            "label": self.label,
            "terms": list(self.terms),
            "patents": self.patents,
            "by_year": {str(k): v for k, v in sorted(self.by_year.items())},
            "growth": self.growth,
            "recent_share": self.recent_share,
            "emerging": self.emerging,
        }
        if with_ids:
            data["patent_ids"] = list(self.patent_ids)
        return data


def _term_slot(term: str, dim: int) -> tuple[int, int, float, float]:
    h = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
    return (
        h[0] | (h[1] << 8) | (h[2] << 16),
        h[3] | (h[4] << 8) | (h[5] << 16),
        (1.0 if h[6] & 1 else -1.0),
        (1.0 if h[7] & 1 else -1.0),
    )


def term_vectors(token_lists: Sequence[Sequence[str]], *, dim: int = 256) -> np.ndarray:
    """L2-normalised TF-IDF vectors projected to `dim` dims (each term → two signed slots by hash)."""
    n = len(token_lists)
    df: Counter[str] = Counter()
    for tokens in token_lists:
        df.update(set(tokens))
    out = np.zeros((n, dim), dtype=np.float32)
    slots: dict[str, tuple[int, int, float, float]] = {}
    for row, tokens in enumerate(token_lists):
        for term, tf in Counter(tokens).items():
            if df[term] < 2:  # a term in one document cannot relate it to another
                continue
            s = slots.get(term)
            if s is None:
                s = slots[term] = _term_slot(term, dim)
            weight = (1.0 + math.log(tf)) * math.log((1 + n) / (1 + df[term]))
            out[row, s[0] % dim] += s[2] * weight
            out[row, s[1] % dim] += s[3] * weight
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def choose_k(n: int, *, max_k: int = 20) -> int:
    """About √(n/2) clusters, at least 2, at most `max_k`; fewer than 6 documents make one cluster."""
    if n < 6:
        return 1
    return int(min(max_k, max(2, round(math.sqrt(n / 2)))))


def cluster_vectors(vectors: np.ndarray, k: int, *, iterations: int = 25, seed: int = 7) -> np.ndarray:
    """Spherical k-means (cosine), k-means++ seeding; returns the cluster number of each row (0..k-1).

    Rows with a zero vector (no usable text) go to the cluster nearest the origin's tie: cluster 0.
    """
    x = np.asarray(vectors, dtype=np.float32)
    n = x.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    k = max(1, min(k, n))
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    rng = np.random.default_rng(seed)
    centres = np.empty((k, x.shape[1]), dtype=np.float32)
    centres[0] = x[rng.integers(n)]
    nearest = 1.0 - x @ centres[0]
    for c in range(1, k):
        weights = np.clip(nearest, 0, None) ** 2
        total = float(weights.sum())
        pick = int(rng.choice(n, p=weights / total)) if total > 0 else int(rng.integers(n))
        centres[c] = x[pick]
        nearest = np.minimum(nearest, 1.0 - x @ centres[c])
    labels = np.zeros(n, dtype=np.int32)
    for step in range(iterations):
        new = np.argmax(x @ centres.T, axis=1).astype(np.int32)
        if step and np.array_equal(new, labels):
            break
        labels = new
        for c in range(k):
            members = x[labels == c]
            if len(members):
                centre = members.sum(axis=0)
                norm = float(np.linalg.norm(centre))
                if norm > 0:
                    centres[c] = centre / norm
    return labels


def characteristic_terms(
    labels: np.ndarray, token_lists: Sequence[Sequence[str]], *, top: int = 5, min_len: int = 2
) -> dict[int, tuple[str, ...]]:
    """Class-based TF-IDF: a term's share in the cluster × log(1 + mean cluster size in words / its total count)."""
    per_cluster: dict[int, Counter[str]] = {}
    total: Counter[str] = Counter()
    for label, tokens in zip(labels.tolist(), token_lists, strict=True):
        kept = [t for t in tokens if len(t) >= min_len and not t.isdigit() and t not in LABEL_STOP_TERMS]
        per_cluster.setdefault(label, Counter()).update(kept)
        total.update(kept)
    if not per_cluster:
        return {}
    mean_words = sum(total.values()) / len(per_cluster)
    out: dict[int, tuple[str, ...]] = {}
    for label, counts in per_cluster.items():
        words = sum(counts.values()) or 1
        scored = sorted(
            ((c / words) * math.log(1 + mean_words / total[t]), t)
            for t, c in counts.items()
            if c >= 2 or words < 50
        )
        scored.sort(key=lambda st: (-st[0], st[1]))
        out[label] = tuple(t for _, t in scored[:top])
    return out


def describe_clusters(
    labels: np.ndarray,
    patent_ids: Sequence[int],
    app_years: Sequence[int | None],
    token_lists: Sequence[Sequence[str]],
    *,
    last_year: int | None,
    recent_years: int = 3,
) -> list[ClusterResult]:
    """Size, yearly counts, growth, emerging flag and terms of each cluster, largest first (renumbered 1..k)."""
    terms = characteristic_terms(labels, token_lists)
    members: dict[int, list[int]] = {}
    for label, pid in zip(labels.tolist(), patent_ids, strict=True):
        members.setdefault(label, []).append(pid)
    years_of: dict[int, Counter[int]] = {}
    for label, year in zip(labels.tolist(), app_years, strict=True):
        if year is not None:
            years_of.setdefault(label, Counter())[year] += 1
    recent_total = sum(1 for y in app_years if y is not None and last_year and y > last_year - recent_years)
    scope_recent = recent_total / len(app_years) if app_years else 0.0
    drafts = []
    for label, ids in members.items():
        by_year = dict(years_of.get(label, Counter()))
        growth = window_growth(by_year, last_year=last_year, window=recent_years) if last_year else None
        recent = sum(v for y, v in by_year.items() if last_year and y > last_year - recent_years)
        recent_share = round(recent / len(ids), 4)
        emerging = (
            recent > 0
            and recent_share >= scope_recent
            and (growth is None or growth >= EMERGING_GROWTH_PERCENT)
        )
        drafts.append((label, ids, by_year, growth, recent_share, emerging))
    drafts.sort(key=lambda d: (-len(d[1]), min(d[1])))
    out = []
    for number, (label, ids, by_year, growth, recent_share, emerging) in enumerate(drafts, start=1):
        t = terms.get(label, ())
        out.append(
            ClusterResult(
                number=number,
                label="·".join(t[:3]) or f"聚类 {number}",
                terms=t,
                patents=len(ids),
                by_year=by_year,
                growth=growth,
                recent_share=recent_share,
                emerging=emerging,
                patent_ids=tuple(sorted(ids)),
            )
        )
    return out
