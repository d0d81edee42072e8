"""Background work (Huey): rescoring after a weight change."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from panhuo.evaluation.services import score_job_run


@db_task()
def score_job_task(job_id: int) -> None:
    score_job_run(job_id)
