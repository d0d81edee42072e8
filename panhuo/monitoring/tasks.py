"""Background jobs: keep the aggregates fresh, run the anomaly rules nightly, snapshot KPIs each bi-month."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from panhuo.monitoring.aggregates import aggregates_rebuild, aggregates_stale
from panhuo.monitoring.anomalies import anomalies_run
from panhuo.monitoring.kpi import snapshot_take
from panhuo.monitoring.models import KpiProgramme
from panhuo.monitoring.regions import Period


@db_periodic_task(crontab(minute="*/10"))
@lock_task("monitoring-aggregates")  # a national-scale run can outlast the interval: never two at once
def aggregates_refresh() -> None:
    if aggregates_stale():
        aggregates_rebuild()


@db_task()
@lock_task("monitoring-aggregates")  # a national-scale run can outlast the interval: never two at once
def aggregates_rebuild_now() -> None:
    aggregates_rebuild()


@db_task()
@lock_task("monitoring-anomalies")  # a national-scale run can outlast the interval: never two at once
def anomalies_run_now() -> None:
    anomalies_run()


@db_periodic_task(crontab(hour="2", minute="15"))
@lock_task("monitoring-anomalies")  # a national-scale run can outlast the interval: never two at once
def anomalies_nightly() -> None:
    anomalies_run()


@db_periodic_task(crontab(day="1", hour="3", minute="0"))
def kpi_snapshots() -> None:
    """On the first day of an odd month, freeze the bi-month that just ended for every running programme."""
    from django.utils import timezone

    today = timezone.localdate()
    if today.month % 2 == 0:
        return
    prev = Period(today.year - 1, 6) if today.month == 1 else Period(today.year, (today.month - 1) // 2)
    aggregates_rebuild()
    for programme in KpiProgramme.objects.filter(start__lte=prev.end, end__gte=prev.start):
        snapshot_take(programme=programme, period=prev)
