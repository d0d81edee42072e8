from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from panhuo.accounts.models import OrganizationType, Role
from panhuo.deals.models import DealKind
from panhuo.monitoring.aggregates import aggregates_rebuild
from panhuo.monitoring.regions import parse_period
from panhuo.monitoring.tests.factories import deal, hold, org, patent
from panhuo.reports.content import report_content
from panhuo.reports.pdf import render_pdf
from panhuo.reports.xlsx import render_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(office):
    uni = org(OrganizationType.UNIVERSITY, "500107", name="@重庆大学")
    sme = org(OrganizationType.ENTERPRISE, "500107", sme=True)
    p = patent()
    hold(uni, p)
    d = deal(DealKind.TRANSFER, uni, sme, [p], on=date(2026, 9, 3), amount=123_45)
    d.title = "=cmd|' /C calc'!A0"
    d.save()
    aggregates_rebuild()
    return uni


def test_office_report_xlsx_is_formula_safe_and_has_chart(office, data):
    # an enterprise that holds a patent and sells it is no 高校院所: it must not be ranked as one
    company = org(OrganizationType.ENTERPRISE, "500107", name="某科技公司")
    owned = patent()
    hold(company, owned)
    deal(
        DealKind.TRANSFER,
        company,
        org(OrganizationType.ENTERPRISE, "500107"),
        [owned],
        on=date(2026, 9, 5),
        amount=0,
    )
    aggregates_rebuild()
    c = report_content(organization=office, period=parse_period("2026-B5"))
    assert c["title"] == "重庆市知识产权局专利转化运用监测双月报告（2026年9–10月）"
    assert c["period"] == "2026年9–10月"
    wb = load_workbook(io.BytesIO(render_xlsx(c)))
    assert wb.sheetnames == ["概览", "转化交易", "下级区域", "高校院所", "KPI"]
    # money is a number of yuan (formatted), not text
    assert wb["转化交易"]["D2"].value == 123.45 and wb["转化交易"]["D2"].number_format == "#,##0.00"
    assert wb["高校院所"]["A2"].value == "'@重庆大学"
    assert [row[0].value for row in wb["高校院所"].iter_rows(min_row=2)] == ["'@重庆大学"]
    assert [cell.value for cell in wb["下级区域"]["A"][1:]] == ["重庆市市辖区"]  # GB/T 2260 name, not "5001"
    assert len(wb["转化交易"]._charts) == 1
    c["stats"]["totals"]["transfer"]["received_fen"] = -12345
    c["stats"]["totals"]["transfer"]["contract_fen"] = 123_456_789
    wb = load_workbook(io.BytesIO(render_xlsx(c)))
    # amounts stay numbers (so no formula-injection prefix): a large one and a negative one, formatted
    d2, e2 = wb["转化交易"]["D2"], wb["转化交易"]["E2"]
    assert [d2.value, e2.value] == [1234567.89, -123.45]
    assert d2.number_format == e2.number_format == "#,##0.00"


def test_institution_annual_report_and_pdf(data):
    c = report_content(organization=data, period=parse_period("2026"))
    assert c["title"] == "@重庆大学2026年度专利运营年报"
    wb = load_workbook(io.BytesIO(render_xlsx(c)))
    assert wb["交易明细"]["C2"].value == "'=cmd|' /C calc'!A0"
    pdf = render_pdf(c)
    assert pdf.startswith(b"%PDF")
    lines = _pdf_lines(pdf)
    assert lines[0] == "@重庆大学2026年度专利运营年报"
    # 二、转化交易: kind, deals, patents, contract, received — the figures of the one transfer
    at = lines.index("二、转化交易")
    assert lines[at + 7 : at + 12] == ["转让", "1", "1", "123.45", "0.00"]


def _pdf_lines(pdf: bytes) -> list[str]:
    """The PDF's text, one stripped line per entry (pypdf reads the fonts' ToUnicode maps)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [ln.strip() for page in reader.pages for ln in page.extract_text().splitlines() if ln.strip()]


def test_office_pdf_prints_figures_and_negative_money(office, data):
    c = report_content(organization=office, period=parse_period("2026"))
    c["stats"]["totals"]["transfer"][
        "received_fen"
    ] = -12345  # a refund larger than the receipts: sign on the whole amount
    lines = _pdf_lines(render_pdf(c))
    # the annual title names no period in brackets; the period is printed on the line below it
    assert lines[:2] == ["重庆市知识产权局专利转化运用监测年度报告", "单位：重庆市知识产权局 期间：2026年"]
    at = lines.index("二、转化交易")
    assert lines[at + 7 : at + 12] == ["转让", "1", "1", "123.45", "-123.45"]
    assert lines[lines.index("三、高校院所") + 4 : lines.index("三、高校院所") + 7] == [
        "@重庆大学",
        "1",
        "123.45",
    ]


def test_report_command(office, data, tmp_path):
    out = tmp_path / "r.pdf"
    call_command(
        "report",
        "--office",
        office.code,
        "--period",
        "2026",
        "--format",
        "pdf",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert out.read_bytes().startswith(b"%PDF")
    out2 = tmp_path / "r.xlsx"
    call_command(
        "report",
        "--institution",
        data.code,
        "--period",
        "2026-B5",
        "--format",
        "xlsx",
        "--out",
        str(out2),
        stdout=io.StringIO(),
    )
    assert load_workbook(out2).sheetnames[0] == "概览"


def test_report_view_uses_own_organization_only(client, office_user, data, make_user):
    client.force_login(office_user)
    r = client.get(reverse("reports:report"), {"period": "2026", "format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    admin = make_user(Role.INSTITUTION_ADMIN, data)
    client.force_login(admin)
    r = client.get(reverse("reports:report"), {"period": "2026", "format": "pdf"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    ent = make_user(Role.ENTERPRISE_USER, org(OrganizationType.ENTERPRISE, "500107", sme=True))
    client.force_login(ent)
    assert client.get(reverse("reports:report"), {"period": "2026"}).status_code == 403
