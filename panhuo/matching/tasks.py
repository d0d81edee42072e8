"""Background work (Huey): index builds, the incremental index update, the push digest."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from panhuo.matching import index as idx
from panhuo.matching.models import IndexBuild, JobState
from panhuo.matching.services import (
    enterprise_index_stale,
    index_build_request,
    index_build_run,
    push_run_busy,
    push_run_execute,
    push_run_start,
)


@db_task()
def index_build_task(build_id: int) -> None:
    index_build_run(build_id)


@db_task()
def push_run_task(run_id: int) -> None:
    push_run_execute(run_id)


@db_periodic_task(crontab(minute="*/10"))
def index_incremental_periodic() -> None:
    """Every 10 minutes: patents changed since the index watermark go into the delta (auto full rebuild past 20%)."""
    if not IndexBuild.objects.filter(state__in=[JobState.QUEUED, JobState.RUNNING]).exists():
        index_build_request(kind=IndexBuild.Kind.DELTA)


@db_periodic_task(crontab(minute="*/10"))
def enterprise_index_periodic() -> None:
    """Every 10 minutes: rebuild the patent → enterprise index when profiles or needs changed (web reads it only)."""
    busy = IndexBuild.objects.filter(
        kind=IndexBuild.Kind.ENTERPRISE, state__in=[JobState.QUEUED, JobState.RUNNING]
    ).exists()
    if not busy and enterprise_index_stale():
        index_build_request(kind=IndexBuild.Kind.ENTERPRISE)


@db_periodic_task(crontab(minute="5", hour="*"))
def index_upgrade_periodic() -> None:
    """Hourly: a static-tier index (large import) is upgraded to full-model vectors in the background, resumably."""
    manifest = idx.store().manifest()
    busy = IndexBuild.objects.filter(state__in=[JobState.QUEUED, JobState.RUNNING]).exists()
    if manifest is not None and manifest.tier == "static" and not busy:
        index_build_request(kind=IndexBuild.Kind.UPGRADE)


@db_periodic_task(crontab(minute="0", hour="3"))
def index_nightly_rebuild() -> None:
    index_build_request(kind=IndexBuild.Kind.FULL)


@db_periodic_task(crontab(minute="0", hour="8", day_of_week="1"))
def push_weekly_digest() -> None:
    if push_run_busy() is None:  # a run started by hand is still going: it covers this week
        push_run_start()
