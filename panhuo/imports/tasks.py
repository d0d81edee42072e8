"""Huey tasks: run one import job; every minute (and when a worker starts) resume jobs whose worker died."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, on_startup

from panhuo.imports.services import import_job_run, import_jobs_stale

log = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=10)
def import_job_task(job_id: int) -> None:
    job = import_job_run(
        job_id, batch_rows=int(settings.PANHUO_IMPORT_BACKGROUND_BATCH_ROWS), background=True
    )
    log.info("import job %s: %s rows_done=%s", job.pk, job.status, job.rows_done)


@db_periodic_task(crontab(minute="*"))
def import_jobs_resume() -> list[int]:
    """Queued jobs nobody started and running jobs with a heartbeat older than the stale limit (2 min)."""
    ids = import_jobs_stale()
    for job_id in ids:
        import_job_task(job_id)
    return ids


@on_startup("imports_resume_on_startup")
def _resume_on_startup() -> None:
    if HUEY.immediate:
        return
    try:
        for job_id in import_jobs_stale():
            import_job_task(job_id)
    finally:
        close_old_connections()
