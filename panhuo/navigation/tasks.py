"""Background work (Huey): technology clusters of a saved scope."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from panhuo.navigation.services import clusters_run


@db_task()
def clusters_task(run_id: int) -> None:
    clusters_run(run_id)
