"""Background writers (imports, index catch-up) leave SQLite's single write lock free between transactions.

SQLite's lock is not a queue: a page request that must write polls for it (every 100 ms once it has waited a
while), while a background loop that commits and begins again at once takes it back first. Under load that
starved page writes for seconds and filled every server thread with waiting requests. After each commit a
background writer sleeps PANHUO_BACKGROUND_WRITE_GAP_SECONDS (longer than one poll interval), so a waiting
request always gets its turn. PostgreSQL has row locks and needs no gap.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection


def yield_write_lock() -> None:
    """Call between the transactions of a long background write loop (not inside a transaction)."""
    gap = float(getattr(settings, "PANHUO_BACKGROUND_WRITE_GAP_SECONDS", 0.0))
    if gap > 0 and connection.vendor == "sqlite" and not connection.in_atomic_block:
        time.sleep(gap)
