"""Bulk patent import benchmark: rows/s end to end and peak RSS, against a plain `csv` parse of the same file.

    .venv/bin/python bench/import_bench.py --n 1000000

Generates the file with `panhuo synth`, imports it into a FRESH SQLite DB with `panhuo import` (a child process:
its wall time includes start-up, its peak RSS comes from wait4), imports it again (must insert 0), and prints ONE
JSON object. Baseline: `csv.reader` over the same file in this process (rows/s), measured in the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PANHUO = [sys.executable, "-m", "panhuo.cli"]


def run_measured(env: dict[str, str], *args: str) -> tuple[str, float, float, float]:
    """(stdout, wall seconds, peak RSS MiB, CPU seconds) of one child process."""
    started = time.perf_counter()
    errfile = tempfile.TemporaryFile()
    proc = subprocess.Popen([*PANHUO, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=errfile)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    errfile.seek(0)
    err = errfile.read()
    if proc.returncode != 0:
        raise SystemExit(f"panhuo {' '.join(args)} failed: {out.decode()[-2000:]} {err.decode()[-2000:]}")
    return out.decode(), wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss: KiB


def csv_baseline(path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    n = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for _ in csv.reader(fh):
            n += 1
    return n - 1, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bad-rate", type=float, default=0.001)
    ap.add_argument("--workdir", default="")
    args = ap.parse_args()
    tmp = Path(args.workdir or tempfile.mkdtemp(prefix="panhuo-import-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PANHUO_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PANHUO_ENV="dev",
        PANHUO_DEBUG="0",
        PANHUO_DATA_DIR=str(tmp),
        PANHUO_MAX_CSV_BYTES=str(2 * 1024**3),  # a 1M-row synthetic file is larger than the 200 MB upload cap
        PYTHONPATH=str(ROOT),
    )
    run_measured(env, "migrate", "-v0")
    run_measured(env, "createorg", "--type", "university", "--code", "BENCH-UNI", "--name", "基准测试大学")
    data = tmp / "synth.csv"
    _, synth_s, _, _ = run_measured(
        env,
        "synth",
        "--n",
        str(args.n),
        "--out",
        str(data),
        "--seed",
        str(args.seed),
        "--bad-rate",
        str(args.bad_rate),
    )
    rows, base_s = csv_baseline(data)
    first_out, first_s, first_rss, first_cpu = run_measured(
        env, "import", str(data), "--institution", "BENCH-UNI", "--json", "--no-progress"
    )
    again_out, again_s, again_rss, again_cpu = run_measured(
        env, "import", str(data), "--institution", "BENCH-UNI", "--json", "--no-progress"
    )
    first, again = json.loads(first_out), json.loads(again_out)
    result = {
        "bench": "import",
        "n": args.n,
        "rows": rows,
        "file_mib": round(data.stat().st_size / 1024**2, 1),
        "database": "sqlite (fresh, WAL, synchronous=FULL)",
        "synth_seconds": round(synth_s, 2),
        "baseline_csv_parse": {"seconds": round(base_s, 2), "rows_per_s": round(rows / base_s)},
        "import": {
            **{k: first[k] for k in ("total", "inserted", "updated", "unchanged", "rejected")},
            "seconds": round(first_s, 2),
            "rows_per_s": round(rows / first_s),
            "cpu_seconds": round(first_cpu, 2),
            "rows_per_cpu_s": round(rows / first_cpu),
            "peak_rss_mib": round(first_rss, 1),
        },
        "reimport": {
            **{k: again[k] for k in ("total", "inserted", "updated", "unchanged", "rejected")},
            "seconds": round(again_s, 2),
            "rows_per_s": round(rows / again_s),
            "cpu_seconds": round(again_cpu, 2),
            "rows_per_cpu_s": round(rows / again_cpu),
            "peak_rss_mib": round(again_rss, 1),
        },
        "import_vs_csv_parse": round((rows / first_s) / (rows / base_s), 4),
        "target": {"rows_per_s": 20000, "peak_rss_mib": 512},
        "meets_target": rows / first_s >= 20000 and first_rss <= 512,
        "reimport_inserted_zero": again["inserted"] == 0,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_1m": os.getloadavg()[0],
        },
        "workdir": str(tmp),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
