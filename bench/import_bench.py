"""Bulk patent import benchmark: rows/s end to end and peak RSS, against a plain `csv` parse of the same file.

    .venv/bin/python bench/import_bench.py --n 1000000

Generates the file with `panhuo synth`, imports it into a FRESH SQLite DB with `panhuo import` (a child process:
its wall time includes start-up), imports it again (must insert 0), and prints ONE JSON object. Baseline:
`csv.reader` over the same file in this process (rows/s), measured in the same run.

Memory: a large import runs as TWO processes (the writer and a forked parser, see panhuo/imports/pipeline.py),
so besides wait4's peak RSS of the largest one, a sampler reads both every 0.25 s and reports the peak of the
SUM of their RSS (counts the pages they share twice: an upper bound) and of their PSS (shared pages split
between them: the real footprint). The target is checked against the RSS sum, the stricter one.
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
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PANHUO = [sys.executable, "-m", "panhuo.cli"]


def _tree(pid: int) -> list[int]:
    """pid and its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _kib(path: str, field: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


class MemorySampler(threading.Thread):
    """Peak of the summed RSS and PSS of a process tree, sampled every 0.25 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss_sum = 0
        self.peak_pss_sum = 0
        self.max_processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            pids = _tree(self.pid)
            rss = sum(_kib(f"/proc/{p}/status", "VmRSS:") for p in pids)
            pss = sum(_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
            self.peak_rss_sum = max(self.peak_rss_sum, rss)
            self.peak_pss_sum = max(self.peak_pss_sum, pss)
            self.max_processes = max(self.max_processes, len(pids))


def run_measured(env: dict[str, str], *args: str) -> tuple[str, float, float, float, MemorySampler]:
    """(stdout, wall seconds, peak RSS MiB of the largest process, CPU seconds of all, memory sampler)."""
    started = time.perf_counter()
    errfile = tempfile.TemporaryFile()
    proc = subprocess.Popen([*PANHUO, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=errfile)
    sampler = MemorySampler(proc.pid)
    sampler.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    sampler.done.set()
    sampler.join()
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    errfile.seek(0)
    err = errfile.read()
    if proc.returncode != 0:
        raise SystemExit(f"panhuo {' '.join(args)} failed: {out.decode()[-2000:]} {err.decode()[-2000:]}")
    # ru_maxrss: KiB; the forked parser is reaped by the import process, so its CPU is in ru_*time too
    return out.decode(), wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, sampler


def csv_baseline(path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    n = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for _ in csv.reader(fh):
            n += 1
    return n - 1, time.perf_counter() - started


def bench_env(tmp: Path) -> dict[str, str]:
    """The environment of the benchmark's `panhuo` child processes: a fresh SQLite database under `tmp`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PANHUO_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PANHUO_ENV="dev",
        PANHUO_DEBUG="0",
        PANHUO_DATA_DIR=str(tmp),
        PANHUO_MAX_CSV_BYTES=str(2 * 1024**3),  # a 1M-row synthetic file is larger than the 200 MB upload cap
        PYTHONPATH=str(ROOT),
    )
    return env


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bad-rate", type=float, default=0.001)
    ap.add_argument("--workdir", default="")
    args = ap.parse_args()
    tmp = Path(args.workdir or tempfile.mkdtemp(prefix="panhuo-import-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    env = bench_env(tmp)
    run_measured(env, "migrate", "-v0")  # current schema (indexes as the product has them)
    run_measured(env, "createorg", "--type", "university", "--code", "BENCH-UNI", "--name", "基准测试大学")
    data = tmp / "synth.csv"
    _, synth_s, _, _, _ = run_measured(
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
    first_out, first_s, first_rss, first_cpu, first_mem = run_measured(
        env, "import", str(data), "--institution", "BENCH-UNI", "--json", "--no-progress"
    )
    again_out, again_s, again_rss, again_cpu, again_mem = run_measured(
        env, "import", str(data), "--institution", "BENCH-UNI", "--json", "--no-progress"
    )
    first, again = json.loads(first_out), json.loads(again_out)
    result = {
        "bench": "import",
        "n": args.n,
        "rows": rows,
        "file_mib": round(data.stat().st_size / 1024**2, 1),
        "database": "sqlite (fresh, WAL; batches synchronous=NORMAL, the final commit FULL)",
        "synth_seconds": round(synth_s, 2),
        "baseline_csv_parse": {"seconds": round(base_s, 2), "rows_per_s": round(rows / base_s)},
        "import": {
            **{k: first[k] for k in ("total", "inserted", "updated", "unchanged", "rejected")},
            "seconds": round(first_s, 2),
            "rows_per_s": round(rows / first_s),
            "cpu_seconds": round(first_cpu, 2),
            "rows_per_cpu_s": round(rows / first_cpu),
            "peak_rss_mib": round(first_rss, 1),
            "processes": first_mem.max_processes,
            "peak_rss_sum_mib": round(first_mem.peak_rss_sum / 1024, 1),
            "peak_pss_sum_mib": round(first_mem.peak_pss_sum / 1024, 1),
        },
        "reimport": {
            **{k: again[k] for k in ("total", "inserted", "updated", "unchanged", "rejected")},
            "seconds": round(again_s, 2),
            "rows_per_s": round(rows / again_s),
            "cpu_seconds": round(again_cpu, 2),
            "rows_per_cpu_s": round(rows / again_cpu),
            "peak_rss_mib": round(again_rss, 1),
            "processes": again_mem.max_processes,
            "peak_rss_sum_mib": round(again_mem.peak_rss_sum / 1024, 1),
            "peak_pss_sum_mib": round(again_mem.peak_pss_sum / 1024, 1),
        },
        "import_vs_csv_parse": round((rows / first_s) / (rows / base_s), 4),
        "target": {"rows_per_s": 20000, "peak_rss_mib": 512},
        "meets_target": rows / first_s >= 20000 and max(first_rss, first_mem.peak_rss_sum / 1024) <= 512,
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
