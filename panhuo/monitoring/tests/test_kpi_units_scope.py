"""KPI indicators in their unit and over their scope.

Before: the Jilin preset printed 5 deals as "0.05%（上年 1）" and ¥1.1m as "1100000.00%" (growth indicators stored
with unit "bp"), its revenue / employment targets had no metric, and the 重庆高新区 preset counted all of 重庆.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from panhuo.accounts.models import OrganizationType, Role
from panhuo.common.errors import ApplicationError
from panhuo.deals.models import DealKind
from panhuo.monitoring import kpi
from panhuo.monitoring.aggregates import aggregates_rebuild
from panhuo.monitoring.templatetags.monitoring_tags import kpi_display, kpi_number
from panhuo.outcomes.models import DealOutcome

from .factories import deal, hold, org, patent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 11, 2), tick=False):
        yield


@pytest.fixture
def cq(make_user):
    office = org(OrganizationType.IP_OFFICE, "500000", name="重庆市知识产权局")
    uni = org(OrganizationType.UNIVERSITY, "500106", name="重庆甲大学")
    gxq_sme = org(OrganizationType.ENTERPRISE, "500107", sme=True, name="高新区小企")
    yz_sme = org(OrganizationType.ENTERPRISE, "500103", sme=True, name="渝中小企")
    last = deal(DealKind.TRANSFER, uni, gxq_sme, [patent()], on=date(2025, 4, 1), amount=50_000_000)
    patents = [patent() for _ in range(5)]
    for p in patents:
        hold(uni, p)
    this = deal(DealKind.TRANSFER, uni, gxq_sme, patents, on=date(2026, 3, 1), amount=110_000_000)
    deal(DealKind.LICENCE, uni, yz_sme, [patent()], on=date(2026, 5, 1), amount=0)
    for d, year, revenue, jobs in ((last, 2025, 100_000_000, 10), (this, 2026, 120_000_000, 12)):
        DealOutcome.objects.create(deal=d, year=year, revenue_fen=revenue, jobs=jobs, reporter=gxq_sme)
    aggregates_rebuild()
    return {"user": make_user(Role.OFFICE_OFFICIAL, office)}


def test_jilin_counts_and_amounts_are_shown_in_their_unit(cq, client):
    p = kpi.programme_create(
        actor=cq["user"],
        code="JL",
        name="吉林",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        preset="jilin",
    )
    data = kpi.programme_evaluate(p)
    rows = {r["code"]: r for r in data["indicators"]}
    # SMEs of 重庆 (the office's region) received 5 + 1 patents this year, 1 last year
    assert (rows["jl1"]["actual"], rows["jl1"]["base"]) == (6, 1)
    assert kpi_display(rows["jl1"], "actual") == "6 件" and kpi_display(rows["jl1"], "base") == "1 件"
    assert kpi_display(rows["jl2"], "actual") == "110.00 万元"  # the ¥1.1m contract
    assert kpi_display(rows["jl2"], "target") == "10.00%"  # a growth target stays a rate
    assert kpi_number(rows["jl2"], "actual") == (110.0, "万元")
    client.force_login(cq["user"])
    page = client.get(reverse("monitoring:kpi-detail", args=["JL"])).content.decode()
    assert "6 件（上年 1 件）" in page and "110.00 万元" in page
    assert "0.06%" not in page and "1100000.00%" not in page


def test_jilin_revenue_and_employment_come_from_outcome_records(cq):
    p = kpi.programme_create(
        actor=cq["user"],
        code="JL",
        name="吉林",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        preset="jilin",
    )
    rows = {r["code"]: r for r in kpi.programme_evaluate(p)["indicators"]}
    assert (rows["jl11"]["actual"], rows["jl11"]["base"], rows["jl11"]["unit"]) == (
        120_000_000,
        100_000_000,
        "wan_yuan",
    )
    assert (rows["jl12"]["actual"], rows["jl12"]["base"], rows["jl12"]["unit"]) == (12, 10, "人")
    assert rows["jl12"]["progress_bp"] == 10_000  # +20% against a 20% target


def test_the_gaoxin_preset_counts_its_districts_not_all_of_chongqing(cq, client):
    gxq = kpi.programme_create(
        actor=cq["user"],
        code="GXQ",
        name="高新区",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        preset="cq-gxq",
    )
    assert gxq.scope == ["500106", "500107"]
    rows = {r["code"]: r for r in kpi.programme_evaluate(gxq)["indicators"]}
    assert rows["cq1"]["actual"] == 1  # the 渝中区 SME's licence is outside 重庆高新区
    whole = kpi.programme_create(
        actor=cq["user"], code="CQ", name="全市", start=date(2026, 1, 1), end=date(2026, 12, 31), preset="cq-gxq",
        scope=["50"],
    )  # fmt: skip
    assert {r["code"]: r for r in kpi.programme_evaluate(whole)["indicators"]}["cq1"]["actual"] == 2
    client.force_login(cq["user"])
    page = client.get(reverse("monitoring:kpi-detail", args=["GXQ"])).content.decode()
    assert "重庆市沙坪坝区" in page and "重庆市九龙坡区" in page


def test_a_scope_outside_the_region_or_overlapping_is_refused_with_every_reason(cq, client):
    p = kpi.programme_create(
        actor=cq["user"],
        code="GXQ",
        name="高新区",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        preset="cq-gxq",
    )
    with pytest.raises(ApplicationError) as exc:
        kpi.programme_scope_set(actor=cq["user"], programme=p, codes=["310101", "50", "500107", "5x"])
    assert [e["zh"] for e in exc.value.extra["errors"]] == [
        "上海市（行政区划 310101）不在本局辖区内",
        "行政区划代码无效：5x",
        "重庆市九龙坡区已包含在重庆市中",
    ]
    p.refresh_from_db()
    assert p.scope == ["500106", "500107"]
    client.force_login(cq["user"])
    r = client.post(reverse("monitoring:kpi-detail", args=["GXQ"]), {"action": "scope", "scope": "500107"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.scope == ["500107"]
