"""Fee calendar catch-up: stored next-fee dates follow the calendar and recorded fees without a rescore;
idempotent; rows without a date are left to the rescore; the command and the hourly task run it."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from panhuo.evaluation import tasks
from panhuo.evaluation.fee_dates import fee_dates_refresh
from panhuo.evaluation.models import Scenario, ValueScore, WeightSet
from panhuo.patents.models import Patent, PatentType

pytestmark = pytest.mark.django_db


def _score(patent, due):
    ws = WeightSet.objects.filter(scenario=Scenario.MANAGEMENT).first() or WeightSet.objects.create(
        scenario=Scenario.MANAGEMENT, version=98, weights={}
    )
    return ValueScore.objects.create(
        patent=patent, scenario=Scenario.MANAGEMENT, weight_set=ws, model_version="t", score=50.0,
        fee_due_date=due, computed_at=timezone.now(),
    )  # fmt: skip


def test_dates_move_on_once_and_follow_payments():
    p = Patent.objects.create(
        app_no="202010000001.2",
        title="测试",
        patent_type=PatentType.INVENTION,
        application_date=date(2020, 3, 10),
    )
    q = Patent.objects.create(
        app_no="202010000002.7",
        title="无日期",
        patent_type=PatentType.INVENTION,
        application_date=date(2020, 3, 10),
    )
    stale = _score(p, date(2026, 3, 10))
    undated = _score(q, None)
    assert fee_dates_refresh(today=date(2026, 12, 6)) == 1
    stale.refresh_from_db()
    undated.refresh_from_db()
    assert stale.fee_due_date == date(2027, 3, 10) and undated.fee_due_date is None
    assert fee_dates_refresh(today=date(2026, 12, 6)) == 0  # idempotent
    Patent.objects.filter(pk=p.pk).update(annual_fee_paid_until=date(2028, 3, 9))
    out = StringIO()
    call_command("fee_dates", "--today", "2026-12-06", stdout=out)
    stale.refresh_from_db()
    assert stale.fee_due_date == date(2028, 3, 10) and "1" in out.getvalue()


def test_hourly_task_is_registered():
    from huey.contrib.djhuey import HUEY

    assert "fee_dates_catch_up" in [t.__name__ for t in HUEY._registry._periodic_tasks]
    stale = _score(
        Patent.objects.create(app_no="202010000003.1", title="任务", application_date=date(2019, 1, 5)),
        date(2020, 1, 5),
    )
    tasks.fee_dates_catch_up.call_local()
    stale.refresh_from_db()
    assert stale.fee_due_date > timezone.localdate()
