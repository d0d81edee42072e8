"""Background work (Huey): rescoring after a weight change or a changed input (every minute), and nightly.

The nightly run picks up what other apps changed through PatentActivity (deals, favourites, needs)
and moves remaining terms, fee dates and the 10-year category on with the calendar.
Imports point one way: services → tasks → scoring → policies.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from panhuo.evaluation.scoring import score_job_run, scores_recompute


@db_task()
def score_job_task(job_id: int) -> None:
    score_job_run(job_id)


@db_periodic_task(crontab(minute="*"))
def rescore_changed() -> None:
    """Within a minute of a change to an input (建档, TRL, 自评, a deal, an assessment) the value panel agrees."""
    from panhuo.evaluation.scoring import scores_refresh_changed

    scores_refresh_changed()


@db_periodic_task(crontab(minute="15"))
def fee_dates_catch_up() -> None:
    """Hourly: the fee calendar's next due dates follow the calendar and newly recorded fees (no rescore)."""
    from panhuo.evaluation.fee_dates import fee_dates_refresh

    fee_dates_refresh()


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_rescore() -> None:
    scores_recompute()
