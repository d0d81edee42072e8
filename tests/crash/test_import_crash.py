"""Crash and resume with a REAL Huey worker: SIGKILL it mid-file, start it again, the job ends exactly right.

Own temp SQLite DB and Huey file (not the pytest DB). The worker resumes the job from its checkpoint when it starts
(the stale-heartbeat limit is 2 s here instead of 2 min). The result is compared with an uninterrupted import of
the same file by a second institution: same counts, same rejects, no duplicate patents or 建档 rows.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PANHUO = [sys.executable, "-m", "panhuo.cli"]
ROWS = int(os.environ.get("PANHUO_CRASH_ROWS", "60000"))  # 100000 passes too (~75 s here)

pytestmark = pytest.mark.slow


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PANHUO_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PANHUO_ENV="dev",
        PANHUO_DEBUG="0",
        PANHUO_DATA_DIR=str(tmp),
        PANHUO_HUEY_FILE=str(tmp / "huey.sqlite3"),
        PANHUO_IMPORT_STALE_SECONDS="2",
        PYTHONPATH=str(ROOT),
    )
    return env


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*PANHUO, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _job(db: Path, job_id: int) -> dict[str, object]:
    con = sqlite3.connect(db, timeout=30)
    try:
        con.row_factory = sqlite3.Row
        row = con.execute("SELECT * FROM imports_importjob WHERE id = ?", [job_id]).fetchone()
        return dict(row)
    finally:
        con.close()


def _query(db: Path, sql: str, *params: object) -> list[tuple]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*PANHUO, "run_huey", "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _name_co_holder(path, name: str) -> None:
    """Add `name` to every row's 申请人: the control import by that institution is then a co-holder's (docs/rights.md)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    column = rows[0].index("申请人")
    for row in rows[1:]:
        if len(row) > column:
            row[column] = f"{row[column]};{name}" if row[column] else name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_sigkill_mid_file_then_resume(tmp_path):
    env = _env(tmp_path)
    db = tmp_path / "panhuo.sqlite3"
    log = tmp_path / "worker.log"
    _run(env, "migrate", "-v0")
    _run(env, "createorg", "--type", "university", "--code", "CRASH-A", "--name", "崩溃测试大学")
    _run(env, "createorg", "--type", "university", "--code", "CRASH-B", "--name", "对照大学")
    data = tmp_path / "synth.csv"
    _run(env, "synth", "--n", str(ROWS), "--out", str(data), "--seed", "7", "--bad-rate", "0.01")
    _name_co_holder(data, "对照大学")  # the control institution re-imports as a co-holder, not as a stranger

    queued = json.loads(_run(env, "import", str(data), "--institution", "CRASH-A", "--background", "--json"))
    job_id = int(queued["job"])
    assert queued["status"] == "queued"

    worker = _worker(env, log)
    try:
        _wait(lambda: int(_job(db, job_id)["rows_done"]) > 0, 120, "the first checkpoint")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    killed = _job(db, job_id)
    assert killed["status"] == "running", "the worker must die mid-file (use more rows)"
    assert 0 < int(killed["rows_done"]) < ROWS
    assert int(killed["total"]) == int(killed["rows_done"])  # counters and checkpoint committed together

    time.sleep(2.5)  # the heartbeat goes stale
    worker = _worker(env, log)
    try:
        _wait(lambda: _job(db, job_id)["status"] in ("done", "failed"), 600, "the resumed job")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    resumed = _job(db, job_id)
    assert resumed["status"] == "done", log.read_text()[-3000:]

    control = json.loads(
        _run(env, "import", str(data), "--institution", "CRASH-B", "--json", "--no-progress")
    )
    keys = ("total", "inserted", "updated", "unchanged", "rejected")
    assert [resumed[k] for k in keys] == [control[k] for k in keys]
    assert resumed["total"] == ROWS
    assert resumed["inserted"] + resumed["rejected"] == ROWS
    assert 0 < int(resumed["rejected"]) < ROWS // 20

    def rejects(job: int) -> list[tuple]:
        return _query(
            db,
            'SELECT line, "column", code, value FROM imports_importreject WHERE job_id = ? ORDER BY line, "column"',
            job,
        )

    assert rejects(job_id) == rejects(int(control["job"]))
    assert len(rejects(job_id)) == int(resumed["rejected"])  # synth defects: one bad column per bad row
    patents = _query(db, "SELECT count(*), count(DISTINCT app_no) FROM patents_patent")[0]
    assert patents == (resumed["inserted"], resumed["inserted"])
    per_org = _query(
        db,
        "SELECT o.code, count(*), count(DISTINCT r.patent_id) FROM patents_inventoryrecord r "
        "JOIN accounts_organization o ON o.id = r.organization_id GROUP BY o.code ORDER BY o.code",
    )
    assert per_org == [
        ("CRASH-A", resumed["inserted"], resumed["inserted"]),
        ("CRASH-B", resumed["inserted"], resumed["inserted"]),
    ]
