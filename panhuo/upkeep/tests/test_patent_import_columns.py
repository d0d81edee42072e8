"""批量建档 carries upkeep's value-fact and annual-fee columns (Chinese and English headings), real CSV/XLSX files."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from engine.identifiers.application_number import check_character
from panhuo.imports.models import ImportReject
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.imports.template import template_xlsx
from panhuo.patents.activity import activity_of
from panhuo.patents.models import InventoryRecord, Patent
from panhuo.upkeep.models import AnnualFeePayment

pytestmark = pytest.mark.django_db


def app_no(serial: int) -> str:
    body = f"20191{serial:07d}"
    return f"{body}.{check_character(body)}"


def run(org, actor, data: bytes, name: str = "p.csv"):
    job = import_job_create(
        organization=org, kind="patents", uploaded_file=io.BytesIO(data), original_name=name, actor=actor
    )
    return import_job_run(job)


def rejects(job):
    return sorted(ImportReject.objects.filter(job=job).values_list("line", "column", "code"))


ZH = "申请号,名称,申请日,同族数,海外授权同族,权利要求数,独立权利要求数,被引次数,引用次数,获奖,权属纠纷,年费年度,缴费日期,年费金额（元）\n"


def test_csv_with_chinese_headings_sets_facts_dispute_and_fee(university, institution_admin):
    row = f'{app_no(1)},一种阀门,2019-03-01,3,是,10,2,5,12,第二十四届中国专利奖优秀奖,是,5,2024-02-20,"1,200.00"\n'
    job = run(university, institution_admin, (ZH + row).encode())
    assert (job.inserted, job.rejected) == (1, 0)
    p = Patent.objects.get(app_no=app_no(1))
    assert (p.family_size, p.overseas_granted, p.claims_count, p.independent_claims_count) == (3, True, 10, 2)
    assert (p.citations_forward, p.citations_backward, p.award) == (5, 12, "第二十四届中国专利奖优秀奖")
    assert activity_of(p.pk).ownership_dispute is True
    fee = AnnualFeePayment.objects.get(patent=p)
    assert (fee.patent_year, fee.amount_fen, fee.paid_on) == (5, 120000, dt.date(2024, 2, 20))
    # year 5 of a patent filed 2019-03-01 runs to the day before the 5th anniversary
    assert p.annual_fee_paid_until == dt.date(2024, 2, 29)

    again = run(university, institution_admin, (ZH + row).encode())
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 1, 0)
    assert AnnualFeePayment.objects.count() == 1


def test_a_changed_fact_alone_counts_the_row_updated(university, institution_admin):
    header = "申请号,名称,权利要求数\n"
    run(university, institution_admin, (header + f"{app_no(2)},一种泵,8\n").encode())
    job = run(university, institution_admin, (header + f"{app_no(2)},一种泵,9\n").encode())
    assert (job.updated, job.unchanged) == (1, 0)
    assert Patent.objects.get(app_no=app_no(2)).claims_count == 9


def test_xlsx_with_english_headings(university, institution_admin):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["application number", "title", "family size", "overseas granted", "claims", "independent claims"]
    )
    ws.append([app_no(3), "A gear", 2, "yes", 6, 1])
    buf = io.BytesIO()
    wb.save(buf)
    job = run(university, institution_admin, buf.getvalue(), "p.xlsx")
    assert (job.inserted, job.rejected) == (1, 0)
    p = Patent.objects.get(app_no=app_no(3))
    assert (p.family_size, p.overseas_granted, p.claims_count, p.independent_claims_count) == (2, True, 6, 1)


def test_bad_fact_cells_reject_the_row_with_every_field_and_write_nothing(university, institution_admin):
    header = "申请号,名称,同族数,海外授权同族,权利要求数,独立权利要求数,权属纠纷,年费年度,缴费日期\n"
    rows = (
        f"{app_no(4)},一种阀,x,也许,3,5,否,,\n"  # not a number, not yes/no, more independent claims than claims
        f"{app_no(5)},一种轴,1,是,,,,五,2024-13-01\n"  # overseas family of 1, bad fee year, bad date
    )
    job = run(university, institution_admin, (header + rows).encode())
    assert (job.inserted, job.rejected) == (0, 2)
    assert rejects(job) == [
        (2, "family_size", "int_format"),
        (2, "overseas_granted", "bool_format"),
        (3, "fee_paid_on", "date_format"),
        (3, "fee_year", "int_format"),
    ]
    assert Patent.objects.count() == 0 and InventoryRecord.objects.count() == 0

    # the cross-field rules once the cells themselves are well-formed
    good_cells = f"{app_no(4)},一种阀,2,否,3,5,否,,\n{app_no(5)},一种轴,1,是,,,,,\n"
    job = run(university, institution_admin, (header + good_cells).encode())
    assert rejects(job) == [(2, "independent_claims_count", "invalid"), (3, "family_size", "invalid")]
    assert Patent.objects.count() == 0


def test_a_fee_before_the_rows_filing_date_rejects_the_row(university, institution_admin):
    header = "申请号,名称,申请日,年费年度,缴费日期,年费金额\n"
    job = run(
        university, institution_admin, (header + f"{app_no(6)},一种轮,2019-03-01,5,2018-01-01,100\n").encode()
    )
    assert (job.inserted, job.rejected) == (0, 1)
    assert rejects(job) == [(2, "fee_paid_on", "invalid")]
    assert Patent.objects.count() == 0 and AnnualFeePayment.objects.count() == 0


def test_a_fee_the_stored_patent_refuses_is_reported_and_the_row_counted_once(university, institution_admin):
    run(university, institution_admin, f"申请号,名称\n{app_no(7)},一种轴承\n".encode())  # no filing date
    header = "申请号,名称,权利要求数,年费年度,缴费日期,年费金额\n"
    job = run(university, institution_admin, (header + f"{app_no(7)},一种轴承,4,5,2024-01-01,100\n").encode())
    assert (job.total, job.inserted, job.updated, job.unchanged, job.rejected) == (1, 0, 0, 0, 1)
    assert rejects(job) == [(2, "patent", "invalid")]
    assert ImportReject.objects.get(job=job).message_zh.startswith("专利已导入，但")
    # the savepoint undid the row's facts with its fee: nothing of the refused extension cells is stored
    assert Patent.objects.get(app_no=app_no(7)).claims_count is None
    assert AnnualFeePayment.objects.count() == 0


def test_template_has_the_new_columns(university):
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx("patents")))
    headings = [c.value for c in next(wb.worksheets[0].iter_rows(max_row=1))]
    for heading in (
        "同族数",
        "海外授权同族",
        "权利要求数",
        "被引次数",
        "引用次数",
        "获奖",
        "权属纠纷",
        "年费年度",
        "缴费日期",
        "项目组合",
    ):
        assert heading in headings
