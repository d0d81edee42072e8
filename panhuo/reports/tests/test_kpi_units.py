"""The XLSX report carries each KPI value as a number in its indicator's unit (before: Jilin amounts as %)."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from openpyxl import load_workbook

from panhuo.accounts.models import OrganizationType, Role
from panhuo.deals.models import DealKind
from panhuo.monitoring import kpi
from panhuo.monitoring.aggregates import aggregates_rebuild
from panhuo.monitoring.regions import parse_period
from panhuo.monitoring.tests.factories import deal, hold, org, patent
from panhuo.reports.content import report_content
from panhuo.reports.xlsx import render_xlsx

pytestmark = pytest.mark.django_db


def test_jilin_kpi_sheet_has_counts_and_wan_yuan(make_user):
    office = org(OrganizationType.IP_OFFICE, "220000", name="吉林省知识产权局")
    uni = org(OrganizationType.UNIVERSITY, "220102", name="吉林甲大学")
    sme = org(OrganizationType.ENTERPRISE, "220102", sme=True, name="吉小企")
    patents = [patent() for _ in range(5)]
    for p in patents:
        hold(uni, p)
    deal(DealKind.TRANSFER, uni, sme, patents, on=date(2026, 3, 1), amount=110_000_000)
    aggregates_rebuild()
    user = make_user(Role.OFFICE_OFFICIAL, office)
    with time_machine.travel(date(2026, 11, 2), tick=False):
        kpi.programme_create(
            actor=user, code="JL", name="吉林", start=date(2026, 1, 1), end=date(2026, 12, 31), preset="jilin"
        )
        content = report_content(organization=office, period=parse_period("2026"))
    ws = load_workbook(io.BytesIO(render_xlsx(content)))["KPI"]
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    jl1 = rows["中小微企业受让/许可/入股专利数量年均增幅"]
    jl2 = rows["中小微企业受让/许可/入股成交金额年均增幅"]
    assert (jl1[2].value, jl1[4].value) == ("件", 5)
    assert (jl2[2].value, jl2[4].value, jl2[4].number_format) == ("万元", 110.0, "#,##0.00")
    assert jl2[3].value == 10.0  # the growth target stays a rate (10%)
