"""Rate-limit counters under concurrency (issue 14 item 8): processes sharing the file cache or Redis never
let more requests through than the limit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HITS = """
import sys, django
django.setup()
from django.conf import settings
settings.PANHUO_RATE_LIMITS_ENABLED = True
from panhuo.common.ratelimit import hit
allowed = sum(hit("probe:ip:192.0.2.1", "100/d") for _ in range(int(sys.argv[1])))
print(allowed)
"""
PROCESSES, HITS_EACH = 6, 40  # 240 requests for a limit of 100


def _run_concurrently(env: dict[str, str]) -> int:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", HITS, str(HITS_EACH)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(PROCESSES)
    ]
    total = 0
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        total += int(out.strip())
    return total


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PANHUO_") and k != "DATABASE_URL"}
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PANHUO_DATA_DIR": str(tmp_path),
        **extra,
    }


def test_file_cache_counts_every_request_once_across_processes(tmp_path):
    assert _run_concurrently(_env(tmp_path)) == 100


def test_redis_counts_every_request_once_across_processes(tmp_path):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/3"
    try:
        client = redis.Redis.from_url(url)
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    for key in client.scan_iter("*rl:probe*"):
        client.delete(key)
    try:
        assert _run_concurrently(_env(tmp_path, PANHUO_REDIS_URL=url)) == 100
    finally:
        for key in client.scan_iter("*rl:probe*"):
            client.delete(key)
