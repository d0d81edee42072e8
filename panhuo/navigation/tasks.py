"""Background work (Huey): technology clusters of a saved scope."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from panhuo.navigation.postings import postings_sync
from panhuo.navigation.services import clusters_run


@db_task()
def clusters_task(run_id: int) -> None:
    clusters_run(run_id)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("navigation-postings")
def postings_refresh() -> None:
    """Every 5 minutes: IPC postings of the patents changed since the last run."""
    postings_sync()
