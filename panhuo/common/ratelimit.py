"""Per-user and per-IP rate limits answering 429 (DJ-5). Counters live in the shared cache."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.http import HttpRequest, HttpResponse

from panhuo.common.request_context import client_ip

F = TypeVar("F", bound=Callable[..., Any])


def _parse(rate: str) -> tuple[int, int]:
    count, _, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[-1]] * int(period[:-1] or 1)
    return int(count), seconds


def hit(bucket: str, rate: str) -> bool:
    """Count one request in `bucket`; True while within the rate."""
    if not getattr(settings, "PANHUO_RATE_LIMITS_ENABLED", True):
        return True
    limit, window = _parse(rate)
    slot = int(time.time() // window)
    key = f"rl:{bucket}:{slot}"
    cache = caches["default"]
    with _counter_lock(cache):
        # Redis: INCR is atomic; locmem: incr holds the cache's lock; the file cache reads and rewrites a file,
        # so its read-modify-write is serialised by an exclusive lock shared by every process on the host.
        cache.add(key, 0, timeout=window + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 0, timeout=window + 5)
            count = cache.incr(key)
    return count <= limit


@contextmanager
def _counter_lock(cache: Any) -> Iterator[None]:
    if not isinstance(cache, FileBasedCache):
        yield
        return
    lock_path = Path(cache._dir) / ".ratelimit.lock"  # type: ignore[attr-defined]
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def rate_limited(name: str, rate: str, methods: tuple[str, ...] = ("GET", "POST")) -> Callable[[F], F]:
    """Limit a view per client IP and, when signed in, per user: `@rate_limited("search", "60/m")`."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                ip = client_ip(request)
                user_id = getattr(request.user, "pk", None) if hasattr(request, "user") else None
                ok = hit(f"{name}:ip:{ip}", rate)
                if user_id:
                    ok = hit(f"{name}:user:{user_id}", rate) and ok
                if not ok:
                    return HttpResponse(
                        "请求过于频繁，请稍后再试 Too many requests",
                        status=429,
                        content_type="text/plain; charset=utf-8",
                    )
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
