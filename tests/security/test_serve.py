"""`panhuo serve` (issue 15 row 13): a killed task worker is restarted (logged, with back-off) and reaped; each
instance has its own gunicorn control socket; in production it refuses to start behind its audit anchor."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("serve-data")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PANHUO_") and k != "DATABASE_URL"}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PANHUO_DATA_DIR": str(data),
        "PANHUO_WORKER_NICE": "0",
    }
    subprocess.run(
        [sys.executable, "-m", "panhuo.cli", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    return env


def _wait_for(condition, seconds: float = 90.0):  # polling for a state, not a timing assertion
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not reached")


def _children(proc: psutil.Process, marker: str) -> list[psutil.Process]:
    found = []
    for child in proc.children(recursive=True):
        try:
            if marker in " ".join(child.cmdline()):
                found.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def serve(env, tmp_path) -> Iterator:
    started: list[subprocess.Popen[str]] = []

    def start(port: int) -> tuple[subprocess.Popen[str], Path]:
        log = tmp_path / f"serve-{port}.log"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "panhuo.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(proc)
        return proc, log

    yield start
    for proc in started:
        proc.send_signal(signal.SIGTERM)
    for proc in started:
        proc.wait(timeout=60)


def test_a_killed_worker_is_restarted_logged_and_reaped(serve):
    port = _free_port()
    proc, log = serve(port)
    parent = psutil.Process(proc.pid)
    first = _wait_for(lambda: _children(parent, "run_huey"))[0]
    _wait_for(lambda: _answers(port))
    os.kill(first.pid, signal.SIGKILL)
    second = _wait_for(lambda: [c for c in _children(parent, "run_huey") if c.pid != first.pid])[0]
    assert second.pid != first.pid
    text = _wait_for(lambda: "restarting" in log.read_text() and log.read_text())
    assert "task worker exited (-9)" in text
    zombies = [c for c in parent.children(recursive=True) if c.status() == psutil.STATUS_ZOMBIE]
    assert (
        zombies == [] and not psutil.pid_exists(first.pid) or psutil.Process(first.pid).status() != "zombie"
    )
    assert _answers(port)


def test_two_instances_have_their_own_control_socket(serve):
    ports = [_free_port(), _free_port()]
    procs = [serve(port)[0] for port in ports]
    sockets = []
    for proc, port in zip(procs, ports, strict=True):
        _wait_for(lambda port=port: _answers(port))
        web = _wait_for(lambda proc=proc: _children(psutil.Process(proc.pid), "gunicorn"))[0]
        args = web.cmdline()
        assert "--control-socket" in args
        sockets.append(args[args.index("--control-socket") + 1])
    assert sockets[0] != sockets[1]
    assert all(Path(s).exists() for s in sockets)
    assert all(_answers(port) for port in ports)


def test_production_refuses_to_start_behind_its_audit_anchor(env, tmp_path):
    prod = {
        **env,
        "PANHUO_ENV": "prod",
        "PANHUO_SECRET_KEY": "s" * 50,
        "PANHUO_AUDIT_HMAC_KEY": "a" * 32,
        "PANHUO_AUDIT_ANCHOR_FILE": str(tmp_path / "anchor.log"),
    }
    ahead = "import django; django.setup(); from panhuo.common.audit import anchor_write; anchor_write(10**6, 'f' * 64)"
    subprocess.run([sys.executable, "-c", ahead], cwd=ROOT, env=prod, check=True)
    result = subprocess.run(
        [sys.executable, "-m", "panhuo.cli", "serve", "--bind", f"127.0.0.1:{_free_port()}"],
        cwd=ROOT,
        env=prod,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "newest rows missing" in result.stderr and "refusing to start" in result.stderr
