"""Background work of the patents app: keep the keyword-search index current."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from panhuo.patents import search

ANALYSE_AFTER = 1000  # rows indexed in one pass before planner statistics are refreshed


@db_task()
def search_index_build() -> int:
    """Index every patent changed since the watermark (after a big import, or on a fresh database)."""
    indexed, _ = search.sync()
    if indexed >= ANALYSE_AFTER:
        search.analyse()
    return indexed


@db_periodic_task(crontab(minute="*/5"))
def search_index_refresh() -> int:
    indexed, _ = search.sync(revisit=True)
    if indexed >= ANALYSE_AFTER:
        search.analyse()
    return indexed
