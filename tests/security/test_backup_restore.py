"""BR-1 drill: seed → backup → restore into a FRESH database → row counts, per-table digests, audit chain match.

Runs the real `panhuo` command in subprocesses against its own database (not the pytest one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def panhuo(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "panhuo.cli", *args],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
        check=check,
        timeout=300,
    )


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A source and a target database; on PostgreSQL two fresh ones, dropped again afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    base = url.rsplit("/", 1)[0]
    names = [f"bk_{uuid.uuid4().hex[:8]}", f"bk_{uuid.uuid4().hex[:8]}"]
    for name in names:
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    finally:
        for name in names:
            subprocess.run(
                ["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                check=False,
            )


def _migrated_source(tmp_path: Path, source_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PANHUO_ENV": "dev",
        "PANHUO_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": source_url,
    }
    panhuo(env, "migrate", "--no-input", "-v0")
    return env


def test_backup_then_restore_into_a_fresh_database(tmp_path, databases):
    source_url, target_url = databases
    env = _migrated_source(tmp_path, source_url)
    panhuo(
        env,
        "createorg",
        "--type",
        "university",
        "--code",
        "BK-U",
        "--name",
        "备份大学",
        "--college",
        "CS=计算机学院",
    )
    panhuo(
        env,
        "createuser",
        "--username",
        "bk_inventor",
        "--role",
        "inventor",
        "--org",
        "BK-U",
        "--college",
        "CS",
    )
    made = json.loads(panhuo(env, "backup", "--out", str(tmp_path / "backups"), "--json").stdout)
    folder = Path(made["folder"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["accounts_organization"]["rows"] == 1
    assert manifest["audit"]["rows"] >= 3
    assert b"bk_inventor" not in (folder / "db.enc").read_bytes()  # encrypted at rest

    restored = panhuo({**env, "DATABASE_URL": target_url}, "restore", str(folder), "--json")
    report = json.loads(restored.stdout)
    assert report["mismatched"] == []
    assert report["audit_ok"] and report["audit_head_ok"]
    assert report["audit_rows"] == manifest["audit"]["rows"]

    # A backup that was altered is refused, and says why.
    data = bytearray((folder / "db.enc").read_bytes())
    data[100] ^= 0xFF
    (folder / "db.enc").write_bytes(bytes(data))
    refused = panhuo({**env, "DATABASE_URL": target_url}, "restore", str(folder), check=False)
    assert refused.returncode != 0 and "摘要不符" in refused.stderr


WRITER = """
import os, sys, django
django.setup()
from panhuo.accounts.services import organization_create
stop, progress = sys.argv[1], sys.argv[2]
n = 0
while not os.path.exists(stop):
    organization_create(code=f"W{n}", name=f"写入机构{n}", type="university")
    n += 1
    with open(progress + ".tmp", "w") as handle:
        handle.write(str(n))
    os.replace(progress + ".tmp", progress)
"""


def _written(progress: Path) -> int:
    try:
        return int(progress.read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def test_a_backup_taken_while_users_write_restores_and_verifies(tmp_path, databases):
    """Digests and audit head come from the copied snapshot, not from the live database read afterwards."""
    import time

    source_url, target_url = databases
    env = _migrated_source(tmp_path, source_url)
    stop, progress = tmp_path / "stop", tmp_path / "progress"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(stop), str(progress)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 120
        while _written(progress) < 20 and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # polling for the writer to be under way, not a timing assertion
        before = _written(progress)
        made = json.loads(panhuo(env, "backup", "--out", str(tmp_path / "backups"), "--json").stdout)
        after = _written(progress)
    finally:
        stop.touch()
        writer.wait(timeout=120)
    assert writer.returncode == 0
    assert before >= 20 and after > before  # the writer really wrote during the backup
    folder = Path(made["folder"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert before <= manifest["tables"]["accounts_organization"]["rows"] <= after
    restored = panhuo({**env, "DATABASE_URL": target_url}, "restore", str(folder), "--json")
    report = json.loads(restored.stdout)
    assert report["mismatched"] == []
    assert report["audit_ok"] and report["audit_head_ok"]
    assert report["audit_rows"] == manifest["audit"]["rows"]
