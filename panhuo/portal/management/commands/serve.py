"""`panhuo serve`: the web server (gunicorn) and a supervised task-queue worker (huey) together.

The worker is restarted when it dies (back-off 1 s, 2 s, 4 s … 60 s, reset after a minute of running; every
restart logged). `serve` makes itself the child subreaper, so processes the worker started (the import parser)
come back to it when the worker dies: they are killed with the worker's process group and reaped, never left as
zombies. Gunicorn's control socket lives in a folder of this instance, so two instances on one host never share it.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

log = logging.getLogger("panhuo.serve")

PR_SET_CHILD_SUBREAPER = 36
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
STABLE_SECONDS = 60.0  # a worker that ran this long resets the back-off
POLL_SECONDS = 0.2
GRACEFUL_SECONDS = 10  # gunicorn's graceful stop; `serve` kills what is left a little later


def _become_subreaper() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        log.warning("could not become the child subreaper; orphaned worker children go to init")


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and the supervised task-queue worker (huey) together. 启动服务。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        # 8 threads a worker: a request waiting for SQLite's write lock must not hold up the reads behind it.
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="do not start the task-queue worker")
        parser.add_argument(
            "--allow-audit-mismatch",
            action="store_true",
            help="start even when the audit table is behind its anchored head (investigate first)",
        )

    def _say(self, message: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        self.stderr.write(f"{stamp} [serve] {message}")
        self.stderr.flush()

    def _start_worker(self) -> subprocess.Popen[bytes]:
        nice = int(settings.PANHUO_WORKER_NICE)
        worker = subprocess.Popen(
            [sys.executable, "-m", "panhuo.cli", "run_huey", "--workers", "2", "-k", "thread"],
            # Background work (a million-row import, index builds) yields the CPU to page requests.
            preexec_fn=(lambda: os.nice(nice)) if nice > 0 else None,  # noqa: PLW1509 - nice only
            start_new_session=True,  # its own process group: its children die with it
        )
        self._say(f"任务进程已启动 task worker started (pid {worker.pid})")
        return worker

    def _start_web(self, o: dict[str, Any], control_dir: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
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
                "--control-socket",
                os.path.join(control_dir, "gunicorn.ctl"),
                "--graceful-timeout",
                str(GRACEFUL_SECONDS),
                "--access-logfile",
                "-",
            ],
            start_new_session=True,  # its own process group: no worker outlives a master that had to be killed
        )

    def handle(self, *args: Any, **o: Any) -> None:
        from panhuo.common.audit import anchor_check

        anchored = anchor_check()
        if not anchored.ok:
            self._say(
                f"审计日志与锚定的链头不符 audit table does not match its anchored head: {anchored.reason}"
            )
            # Production refuses; a development checkout (a database deleted and loaded again) only warns.
            if settings.ENV == "prod" and not o["allow_audit_mismatch"]:
                self._say("拒绝启动；调查后可用 --allow-audit-mismatch 启动 refusing to start")
                sys.exit(1)
        _become_subreaper()
        control_dir = tempfile.mkdtemp(prefix="panhuo-serve-")
        web = self._start_web(o, control_dir)
        worker = None if o["no_worker"] else self._start_worker()
        worker_started = time.monotonic()
        backoff = BACKOFF_FIRST_SECONDS
        restart_at: float | None = None
        stopping = {"now": False}
        self.stdout.write(f"盘活已启动 Panhuo is running on http://{o['bind']}/  (Ctrl-C 停止)")
        self.stdout.flush()

        def stop(*_: Any) -> None:
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping["now"]:
                for pid, status in self._reap():
                    code = os.waitstatus_to_exitcode(status)
                    if pid == web.pid:
                        web.returncode = code
                        self._say(f"网页服务已退出 web server exited ({code})")
                        stopping["now"] = True
                    elif worker is not None and pid == worker.pid:
                        worker.returncode = code
                        _kill_group(worker.pid)  # the worker's own children (an import's parser)
                        ran = time.monotonic() - worker_started
                        backoff = BACKOFF_FIRST_SECONDS if ran >= STABLE_SECONDS else backoff
                        self._say(
                            f"任务进程意外退出 task worker exited ({code}) after {ran:.0f} s; "
                            f"{backoff:.0f} 秒后重启 restarting in {backoff:.0f} s"
                        )
                        restart_at = time.monotonic() + backoff
                        backoff = min(backoff * 2, BACKOFF_MAX_SECONDS)
                        worker = None
                    # any other pid: an orphan handed to us as subreaper, now reaped
                if restart_at is not None and time.monotonic() >= restart_at and not stopping["now"]:
                    worker = self._start_worker()
                    worker_started = time.monotonic()
                    restart_at = None
                time.sleep(POLL_SECONDS)
        finally:
            self._shutdown(web, worker)
            shutil.rmtree(control_dir, ignore_errors=True)
        if web.returncode:
            sys.exit(web.returncode)

    def _reap(self) -> list[tuple[int, int]]:
        reaped = []
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            reaped.append((pid, status))
        return reaped

    def _shutdown(self, web: subprocess.Popen[bytes], worker: subprocess.Popen[bytes] | None) -> None:
        for proc in (web, worker):
            if proc is not None and proc.returncode is None:
                proc.terminate()
        deadline = time.monotonic() + GRACEFUL_SECONDS + 5
        while time.monotonic() < deadline and any(
            p is not None and p.returncode is None for p in (web, worker)
        ):
            for pid, status in self._reap():
                for p in (web, worker):
                    if p is not None and p.pid == pid:
                        p.returncode = os.waitstatus_to_exitcode(status)
            time.sleep(POLL_SECONDS)
        for p in (web, worker):
            if p is not None and p.returncode is None:
                p.kill()
                p.wait()
        for p in (web, worker):
            if p is not None:
                _kill_group(p.pid)  # anything of theirs still running (gunicorn workers, an import's parser)
        self._reap()


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
