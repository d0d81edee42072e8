from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and the task-queue worker (huey) together. 启动服务。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        # 8 threads a worker: a request waiting for SQLite's write lock must not hold up the reads behind it.
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="do not start the task-queue worker")

    def handle(self, *args: Any, **o: Any) -> None:
        procs: list[subprocess.Popen[bytes]] = []
        if not o["no_worker"]:
            nice = int(settings.PANHUO_WORKER_NICE)
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "panhuo.cli", "run_huey", "--workers", "2", "-k", "thread"],
                    # Background work (a million-row import, index builds) yields the CPU to page requests.
                    preexec_fn=(lambda: os.nice(nice)) if nice > 0 else None,  # noqa: PLW1509 - nice only
                )
            )
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "--bind",
                    o["bind"],
                    "--workers",
                    str(o["workers"]),
                    "--threads",
                    str(o["threads"]),
                    # Keep idle connections longer than a browser's think time: with gunicorn's 2 s default a
                    # request sent just as the server closed the connection was reset (load bench, 0.1-0.2 %).
                    "--keep-alive",
                    "10",
                    "--access-logfile",
                    "-",
                ]
            )
        )
        self.stdout.write(f"盘活已启动 Panhuo is running on http://{o['bind']}/  (Ctrl-C 停止)")

        def stop(*_: Any) -> None:
            for p in procs:
                p.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            for p in procs:
                p.wait()
        except KeyboardInterrupt:
            stop()
            for p in procs:
                p.wait()
