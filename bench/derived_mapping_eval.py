"""Held-out agreement of the DERIVED IPC main group -> GB/T 4754 mapping with the official SEI chain.

Truth for an IPC main group covered by the SEI 2021 table: the GB/T 4754 classes tagged `strategic` under the
SEI branches its rows point to. A deterministic 20% of those groups are held out: their own SEI rows are hidden
when the mapping is built (they may still borrow their subclass neighbours' branches, which are not held out).
Baselines in the same run: text only, NACE only (+ text inside the 大类), SEI neighbours only, and chance.

    .venv/bin/python bench/derived_mapping_eval.py [--n 0 (all held-out groups)] [--percent 20]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.classification.derived import (  # noqa: E402
    DerivedInputs,
    DerivedMapper,
    StrategicClass,
    held_out_split,
    ipc_group_texts,
    sei_chain_classes,
)
from engine.classification.ipc import parse_ipc  # noqa: E402
from engine.classification.scope import IndustryText  # noqa: E402

REF = ROOT / "reference"


def rows(rel: str) -> list[dict[str, str]]:
    with open(REF / rel, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_inputs() -> DerivedInputs:
    ipc_texts = ipc_group_texts(
        (r["code"], r["level"], r["parent"], r["title_cn"]) for r in rows("ipc/ipc_2026_01_zh.csv")
    )
    gbt = rows("industry/gbt4754_2017.csv")
    names = {r["code"]: r["name"] for r in gbt}
    classes = [
        IndustryText(
            r["code"], r["name"], r["description"], f"{names[r['parent_code']]} {names[r['code'][:2]]}"
        )
        for r in gbt
        if r["level"] == "4"
    ]
    strategic = [
        StrategicClass(
            r["code"],
            tuple(p.strip() for p in r["category_path"].split(">")),
            f"{r['category_path']} {r['products']}",
        )
        for r in rows("industry/gbt4754_2017_special_tags.csv")
        if r["tag"] == "strategic"
    ]
    sei = {r["id"]: r for r in rows("concordance/sei_2021.csv")}
    sei_rows: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows("concordance/ipc_to_sei_2021.csv"):
        ipc = parse_ipc(r["ipcCode"])
        if ipc.main_group is None:
            continue
        rule = sei[r["seiId"]]
        sei_rows[ipc.main_group].append((rule["seiCode"], rule["keywords"]))
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows("concordance/ipc3_to_nace2_fraunhofer_isi_2019.csv"):
        shares[r["ipc_class"]][r["nace2"]] = float(r["share"])
    sei_names = {r["seiCode"]: r["seiName"] for r in sei.values()}
    return DerivedInputs(
        ipc_texts=ipc_texts,
        classes=classes,
        sei_rows=sei_rows,
        sei_names=sei_names,
        strategic=strategic,
        nace_shares=shares,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=0, help="evaluate at most n held-out groups (0 = all)")
    ap.add_argument("--percent", type=int, default=20)
    args = ap.parse_args()
    t0 = time.perf_counter()
    base = load_inputs()
    covered = sorted(g for g in base.sei_rows if g in base.ipc_texts)
    held = held_out_split(covered, args.percent)
    base.held_out = held
    variants = {
        "derived": None,
        "text_only": {"sei": 0.0, "nace": 0.0, "text": 1.0},
        "nace_only": {"sei": 0.0, "nace": 1.0, "text": 0.0},
        "sei_neighbour_only": {"sei": 1.0, "nace": 0.0, "text": 0.0},
    }
    mappers = {k: DerivedMapper(base, w) for k, w in variants.items()}
    build_s = time.perf_counter() - t0
    sample = sorted(held)
    if args.n and args.n < len(sample):
        sample = sorted(random.Random(7).sample(sample, args.n))
    results = {k: {"top1": 0, "top3": 0, "top1_division": 0} for k in variants}
    evaluated, no_chain, chance = 0, 0, 0.0
    ref = mappers["derived"]
    n_classes = len(base.classes)
    t1 = time.perf_counter()
    for g in sample:
        chain = sei_chain_classes(ref, {c for c, _ in base.sei_rows[g]})
        if not chain:
            no_chain += 1
            continue
        evaluated += 1
        chance += len(chain) / n_classes
        divisions = {c[:2] for c in chain}
        for k, m in mappers.items():
            top = m.map_group(g, top=3)
            if not top:
                continue
            results[k]["top1"] += top[0].code in chain
            results[k]["top3"] += any(r.code in chain for r in top)
            results[k]["top1_division"] += top[0].code[:2] in divisions
    eval_s = time.perf_counter() - t1
    out = {
        "benchmark": "derived_mapping_eval",
        "sei_covered_main_groups": len(covered),
        "held_out_groups": len(held),
        "evaluated": evaluated,
        "skipped_no_chain": no_chain,
        "agreement": {
            k: {m: round(v / evaluated, 4) if evaluated else None for m, v in r.items()}
            for k, r in results.items()
        },
        "chance_top1": round(chance / evaluated, 4) if evaluated else None,
        "build_s": round(build_s, 2),
        "eval_s": round(eval_s, 2),
        "groups_per_s": round(evaluated * len(variants) / eval_s, 1) if eval_s else None,
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
