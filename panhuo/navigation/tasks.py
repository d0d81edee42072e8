"""Background work (Huey): technology clusters of a saved scope; IPC postings and landscape facts; the snapshot
of the landscape store that web workers start from."""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from panhuo.navigation.facts import facts_build, facts_reconcile
from panhuo.navigation.postings import postings_sync
from panhuo.navigation.services import clusters_run
from panhuo.navigation.store import snapshot_path, write_snapshot
from panhuo.patents.models import Patent


@db_task()
def clusters_task(run_id: int) -> None:
    clusters_run(run_id)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("navigation-postings")
def postings_refresh() -> None:
    """Every 5 minutes: IPC postings and landscape facts of the patents changed since the last run."""
    postings_sync()


@db_periodic_task(crontab(hour="3", minute="20"))
@lock_task("navigation-postings")
def facts_nightly_reconcile() -> None:
    """Nightly: every fact against its patent now (industries and holding institutions change apart from it)."""
    facts_reconcile()
    landscape_snapshot()  # the reconcile rebuilt facts: the next snapshot, queued


@db_periodic_task(crontab(minute="*/10"))
@lock_task("navigation-snapshot")
def landscape_snapshot() -> bool:
    """Every 10 minutes: the landscape store's snapshot (`store.write_snapshot`), rewritten only when the store
    moved on since (a fold, a reload). The worker keeps its own store in memory for it (~450 MB at 1,000,000
    facts), caught up at each run like a web worker's."""
    path = snapshot_path()
    return write_snapshot(path) if path is not None else False


@db_task()
def facts_refresh(patent_ids: list[int]) -> None:
    facts_build(patent_ids)


_pending = threading.local()


def _flush() -> None:
    ids = sorted(getattr(_pending, "ids", set()))
    _pending.ids = set()
    if ids:
        facts_refresh(ids)


def patent_saved(sender: type[Patent], instance: Patent, raw: bool = False, **kwargs: Any) -> None:
    """post_save of a patent: rebuild its landscape fact in the worker once the change is committed.

    The patents saved in one transaction go to the worker as one task (the first callback takes them all, the
    others find nothing; a rolled-back save only costs a needless rebuild later).
    """
    if raw or instance.pk is None:
        return
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    _pending.ids.add(int(instance.pk))
    transaction.on_commit(_flush)
