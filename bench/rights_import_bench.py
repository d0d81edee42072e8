"""Re-import by a second institution touching another holder's patents: rows/s and the conflict list.

    .venv/bin/python bench/rights_import_bench.py --n 100000 [--touch 0.10] [--co-held 0.5]

One run, one fresh SQLite database, one JSON object:
1. `plain`: institution A imports N synthetic rows (`panhuo synth`): every patent new, A holds them.
2. `second_institution`: institution B imports N rows of which `--touch` (10%) are A's patents with a changed
   title; of those, `--co-held` (half) name B among their 申请人 in A's file (co-owned: B becomes a co-holder,
   its differing title goes to A's review list), the rest are refused (held by A alone). The other rows are new
   patents of B. Both imports run through `panhuo import` in a child process (wall time includes start-up).
Figures: rows/s of each, their ratio (target: the second within 20% of the plain one), rejected rows and the
size of the conflict list, and A's stored titles unchanged. The issue's 1,000,000-row figure takes ~2 minutes
per import on a free machine; `--n` sets the size.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import bench_env, run_measured  # noqa: E402  (bench/ is a folder of scripts, not a package)

B_NAME = "基准测试大学乙"


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, list(reader)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--touch", type=float, default=0.10)
    ap.add_argument("--co-held", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", default="")
    args = ap.parse_args()
    tmp = Path(args.workdir or tempfile.mkdtemp(prefix="panhuo-rights-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    env = bench_env(tmp)
    run_measured(env, "migrate", "-v0")
    run_measured(env, "createorg", "--type", "university", "--code", "BENCH-A", "--name", "基准测试大学甲")
    run_measured(env, "createorg", "--type", "university", "--code", "BENCH-B", "--name", B_NAME)
    # two synthetic files with disjoint keys: A's, and B's own new patents
    pool = tmp / "pool.csv"
    run_measured(env, "synth", "--n", str(2 * args.n + args.n // 5), "--out", str(pool), "--seed", str(args.seed),
                 "--bad-rate", "0")  # fmt: skip
    header, rows = _rows(pool)
    seen: set[str] = set()
    unique = []
    for r in rows:
        if r[0] not in seen:
            seen.add(r[0])
            unique.append(r)
    a_rows, b_new = unique[: args.n], unique[args.n : 2 * args.n]
    rng = random.Random(args.seed)
    touched = rng.sample(range(len(a_rows)), int(len(a_rows) * args.touch))
    co_held = set(touched[: int(len(touched) * args.co_held)])
    applicant = header.index("申请人")
    title = header.index("名称")
    for i in co_held:
        a_rows[i][applicant] = f"{a_rows[i][applicant]};{B_NAME}"
    b_rows = [list(a_rows[i]) for i in touched]
    for r in b_rows:
        r[title] = r[title] + "（乙校版本）"
    b_rows += b_new[: args.n - len(b_rows)]
    rng.shuffle(b_rows)
    a_file, b_file = tmp / "a.csv", tmp / "b.csv"
    _write(a_file, header, a_rows)
    _write(b_file, header, b_rows)

    out, a_s, a_rss, _, _ = run_measured(
        env, "import", str(a_file), "--institution", "BENCH-A", "--json", "--no-progress"
    )
    plain = json.loads(out)
    out, b_s, b_rss, _, _ = run_measured(
        env, "import", str(b_file), "--institution", "BENCH-B", "--json", "--no-progress"
    )
    second = json.loads(out)
    probe = (
        "import json; from panhuo.patents.models import RightsConflict, PatentHolder, Patent;"
        "print(json.dumps({'conflicts': RightsConflict.objects.count(),"
        "'co_holders_added': PatentHolder.objects.filter(organization__code='BENCH-B', patent__inventory_records__organization__code='BENCH-A').count(),"
        "'a_titles_changed': Patent.objects.filter(title__endswith='（乙校版本）').count()}))"
    )  # fmt: skip
    out, _, _, _, _ = run_measured(env, "shell", "-c", probe)
    db = json.loads(out.strip().splitlines()[-1])
    plain_rate, second_rate = len(a_rows) / a_s, len(b_rows) / b_s
    keys = ("total", "inserted", "updated", "unchanged", "rejected")
    print(
        json.dumps(
            {
                "bench": "rights_import",
                "n": args.n,
                "database": "sqlite (fresh, WAL)",
                "plain": {**{k: plain[k] for k in keys}, "seconds": round(a_s, 2), "rows_per_s": round(plain_rate),
                          "peak_rss_mib": round(a_rss, 1)},
                "second_institution": {
                    **{k: second[k] for k in keys},
                    "touched_rows": len(touched),
                    "co_held_rows": len(co_held),
                    "seconds": round(b_s, 2),
                    "rows_per_s": round(second_rate),
                    "peak_rss_mib": round(b_rss, 1),
                    "conflict_list_size": db["conflicts"],
                    "co_holders_added": db["co_holders_added"],
                    "holder_titles_overwritten": db["a_titles_changed"],
                },
                "second_vs_plain": round(second_rate / plain_rate, 3),
                "target": "second_vs_plain >= 0.8",
                "meets_target": second_rate >= 0.8 * plain_rate,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                            "load_1m": os.getloadavg()[0]},
                "workdir": str(tmp),
            },
            ensure_ascii=False,
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
