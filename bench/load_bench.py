"""L-1 / L-3: locust against real pages with login on SQLite, alone and during a 1,000,000-row import.

Usage: .venv/bin/python bench/load_bench.py [--users 100] [--minutes 5] [--import-rows 1000000] [--skip-import-run]
Prints one JSON object. Rate limits are switched off for the run (all virtual users share one IP).

The server is the product's own `panhuo serve` with its defaults (gunicorn 2 workers x 8 threads + the Huey worker at
PANHUO_WORKER_NICE). The import of the second run is the product's background path: `panhuo import --background`
queues the job and the Huey worker runs it (in PANHUO_IMPORT_BACKGROUND_BATCH_ROWS transactions), as a web
upload would. Users log in during the ramp (20 a second): logins are in the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SETUP = r"""
import json, os
from panhuo.accounts.models import Organization, Role
from panhuo.accounts.services import user_create
from panhuo.patents.models import InventoryRecord, InventoryState
out = {"accounts": [], "pool_patents": [], "own_patents": [], "own_records": []}
uni = Organization.objects.get(code="DEMO-UNI-1"); ent = Organization.objects.get(code="DEMO-ENT-1")
for i in range(int(os.environ["N_USERS"])):
    kind = "enterprise" if i % 2 == 0 else "institution"
    name = f"load_{kind}_{i}"; password = f"Ld#{i:04d}xYz!q"
    role = Role.ENTERPRISE_USER if kind == "enterprise" else Role.INSTITUTION_ADMIN
    user_create(username=name, role=role, organization=ent if kind == "enterprise" else uni, password=password,
                must_change_password=False)
    out["accounts"].append({"username": name, "password": password, "kind": kind})
out["pool_patents"] = list(InventoryRecord.objects.filter(state=InventoryState.POOLED).values_list("patent_id", flat=True)[:500])
own = InventoryRecord.objects.filter(organization=uni, state__in=[InventoryState.UNFILED, InventoryState.DRAFT]).values_list("id", "patent_id")[:500]
out["own_records"] = [r for r, _ in own]; out["own_patents"] = [p for _, p in own]
open(os.environ["FIXTURE"], "w").write(json.dumps(out))
"""


def run(cmd: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True, check=True, **kw)


def _job(db: Path, job_id: int) -> dict:
    con = sqlite3.connect(db, timeout=30)
    try:
        con.row_factory = sqlite3.Row
        return dict(con.execute("SELECT * FROM imports_importjob WHERE id = ?", [job_id]).fetchone())
    finally:
        con.close()


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("server did not start")


def locust_run(env: dict[str, str], tmp: Path, tag: str, users: int, minutes: float, host: str) -> dict:
    prefix = tmp / f"locust_{tag}"
    proc = subprocess.run(
        [
            PY,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench/load/locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            "20",
            "-t",
            f"{int(minutes * 60)}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
        ],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
    )
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))
    server_errors = sum(
        int(f["Occurrences"]) for f in failures if "50" in f["Error"][:40] or "Server" in f["Error"]
    )
    per_endpoint = {
        r["Name"]: {
            "requests": int(r["Request Count"]),
            "p50_ms": float(r["50%"] or 0),
            "p95_ms": float(r["95%"] or 0),
            "p99_ms": float(r["99%"] or 0),
        }
        for r in rows
        if r["Name"] != "Aggregated"
    }
    no_login = [r for r in rows if r["Name"] not in ("Aggregated", "login", "login page")]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "server_errors_5xx": server_errors,
        "p95_ms_excluding_login_max_endpoint": max((float(r["95%"] or 0) for r in no_login), default=0.0),
        "endpoints": per_endpoint,
        "locust_exit_code": proc.returncode,
        "failure_samples": [f["Error"][:160] for f in failures[:5]],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--import-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-import-run", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="panhuo-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PANHUO_ENV": "dev",
        "PANHUO_DEBUG": "0",
        "PANHUO_DATA_DIR": str(tmp / "data"),
        "DATABASE_URL": f"sqlite:///{tmp / 'load.sqlite3'}",
        "PANHUO_RATE_LIMITS": "0",
        "PANHUO_LOG_LEVEL": "WARNING",
        "FIXTURE": str(tmp / "fixture.json"),
        "PANHUO_LOAD_FIXTURE": str(tmp / "fixture.json"),
        "N_USERS": str(args.users),
    }
    started = time.time()
    run([PY, "-m", "panhuo.cli", "migrate", "--no-input", "-v0"], env)
    run([PY, "-m", "panhuo.cli", "demo"], env)
    run([PY, "-m", "panhuo.cli", "shell", "-c", SETUP], env)
    setup_s = time.time() - started
    log = open(tmp / "server.log", "w")
    server = subprocess.Popen(
        [PY, "-m", "panhuo.cli", "serve", "--bind", "127.0.0.1:8765"],  # the product defaults
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    result: dict = {
        "benchmark": "load_locust_sqlite",
        "users": args.users,
        "minutes": args.minutes,
        "server": "panhuo serve defaults: gunicorn 2 workers x 8 threads + Huey worker (nice 10)",
        "setup_s": round(setup_s, 1),
    }
    try:
        wait_http("http://127.0.0.1:8765/accounts/login/")
        result["alone"] = locust_run(env, tmp, "alone", args.users, args.minutes, "http://127.0.0.1:8765")
        if not args.skip_import_run:
            csv_path = tmp / "synth.csv"
            run([PY, "-m", "panhuo.cli", "synth", "--n", str(args.import_rows), "--out", str(csv_path)], env)
            queued = run(
                [
                    PY,
                    "-m",
                    "panhuo.cli",
                    "import",
                    str(csv_path),
                    "--institution",
                    "DEMO-UNI-2",
                    "--json",
                    "--background",
                ],
                # 1,000,000 synthetic rows are ~205 MiB: raise the 200 MiB upload cap for this one import.
                {**env, "PANHUO_MAX_CSV_BYTES": str(400 * 2**20)},
            )
            job_id = int(json.loads(queued.stdout.strip().splitlines()[-1])["job"])
            t0 = time.time()
            result["during_import"] = locust_run(
                env, tmp, "import", args.users, args.minutes, "http://127.0.0.1:8765"
            )
            status = _job(tmp / "load.sqlite3", job_id)
            result["during_import"]["import_still_running_at_end"] = status["status"] != "done"
            result["during_import"]["import_rows_done_at_end"] = status["rows_done"]
            while status["status"] in ("queued", "running") and time.time() - t0 < 1800:
                time.sleep(2)
                status = _job(tmp / "load.sqlite3", job_id)
            result["import"] = {
                "summary": {
                    k: status[k] for k in ("status", "total", "inserted", "updated", "unchanged", "rejected")
                },
                "seconds_from_queue_to_done": round(time.time() - t0, 1),
                "path": "panhuo import --background -> Huey worker",
            }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    text = (tmp / "server.log").read_text(encoding="utf-8", errors="replace")
    result["database_is_locked_in_server_log"] = text.count("database is locked")
    result["tracebacks_in_server_log"] = text.count("Traceback")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
