"""Deal import: every rejected row reported, idempotent re-run, unknown parties created unverified, CLI JSON."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from panhuo.accounts.models import Organization
from panhuo.deals.models import Deal, Filing, Payment
from panhuo.imports.models import ImportReject
from panhuo.imports.services import import_job_create, import_job_run

pytestmark = pytest.mark.django_db

HEADER = "申请号,交易类型,许可类型,让与人,受让人,受让人统一社会信用代码,合同日期,备案日期,合同金额（元）,到账金额（元）,备案号\n"


def rows(a, b):
    return (
        f'{a.app_no},许可,独占许可,甲大学,丙科技有限公司,,2024-03-01,2024-04-15,"300,000.00","100,000.50",X2024001\n'
        f"CN{b.app_no},转让,,甲大学,新买家有限公司,91500107MA5U7Q0K2L,2024/5/1,2024.6.1,１２,0,ZR2024002\n"
        f'{b.app_no},质押,,甲大学,丁银行,,2024-05-01,,"1.234,5",,\n'  # European separators: rejected
        f"{b.app_no},赠与,,甲大学,某公司,,2024-05-01,,1,,\n"  # unknown kind
        f"201999999999.9,许可,普通,甲大学,某公司,,2024-05-01,,1,,\n"  # patent not in the system
        f"{b.app_no},许可,普通,甲大学,坏公司,91350100M000100Y44,2024-05-01,,1,,\n"  # bad credit code
        f"{a.app_no},许可,排他许可,甲大学,戊公司,,2024-07-01,2024-07-02,5,,X2024003\n"  # exclusive conflict
        f"{b.app_no},许可,普通,甲大学,己公司,,2024-05-01,,-5,,\n"  # negative
    )


def run(tmp_path, university, text, name="deals.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    job = import_job_create(organization=university, kind="deals", path=path)
    return import_job_run(job)


def test_import_reports_every_rejected_row_and_is_idempotent(tmp_path, university, make_patent, enterprise):
    a, b = make_patent(), make_patent()
    job = run(tmp_path, university, HEADER + rows(a, b))
    assert (job.status, job.total, job.inserted, job.rejected) == ("done", 8, 2, 6)
    assert list(ImportReject.objects.filter(job=job).values_list("line", "code")) == [
        (4, "money_format"),
        (5, "deal_kind"),
        (6, "patent_unknown"),
        (7, "credit_code"),
        (8, "exclusive_conflict"),
        (9, "money_negative"),
    ]
    licence = Deal.objects.get(kind="licence")
    assert (licence.state, licence.licence_type, licence.contract_amount_fen, licence.received_fen) == (
        "filed",
        "exclusive",
        300_000_00,
        100_000_50,
    )
    assert Filing.objects.get(deal=licence).number == "X2024001"
    buyer = Organization.objects.get(name="新买家有限公司")
    assert buyer.verified is False and buyer.credit_code == "91500107MA5U7Q0K2L"
    transfer = Deal.objects.get(kind="transfer")
    assert transfer.contract_amount_fen == 1200 and transfer.parties.filter(organization=buyer).exists()
    before = (
        Deal.objects.count(),
        Payment.objects.count(),
        Organization.objects.count(),
        Filing.objects.count(),
    )
    again = run(tmp_path, university, HEADER + rows(a, b), name="again.csv")
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 6)
    assert (
        Deal.objects.count(),
        Payment.objects.count(),
        Organization.objects.count(),
        Filing.objects.count(),
    ) == before


def test_more_money_received_is_an_update(tmp_path, university, make_patent, enterprise):
    a = make_patent()
    line = f"{a.app_no},许可,普通许可,甲大学,丙科技有限公司,,2024-03-01,2024-04-15,100,{{}},X1\n"
    run(tmp_path, university, HEADER + line.format("10"))
    job = run(tmp_path, university, HEADER + line.format("25.5"), name="2.csv")
    assert (job.updated, job.unchanged) == (1, 0)
    assert Deal.objects.get().received_fen == 2550 and Payment.objects.count() == 2


def test_cli_json_summary(tmp_path, university, make_patent, enterprise):
    a = make_patent()
    path = tmp_path / "cli.csv"
    path.write_text(
        HEADER + f"{a.app_no},许可,普通,甲大学,丙科技有限公司,,2024-03-01,,100,,\n", encoding="utf-8"
    )
    out = StringIO()
    call_command("import-deals", str(path), "--institution", "UNI-A", "--json", "--no-progress", stdout=out)
    summary = json.loads(out.getvalue())
    assert {k: summary[k] for k in ("total", "inserted", "updated", "unchanged", "rejected")} == {
        "total": 1,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }


def test_xlsx_import(tmp_path, university, make_patent, enterprise):
    from openpyxl import Workbook

    a = make_patent()
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    ws.append(
        [a.app_no, "质押", "", "甲大学", "丁银行", "", "2024-03-01", "2024-03-20", "5,000,000.00", "", "ZX01"]
    )
    path = tmp_path / "deals.xlsx"
    wb.save(path)
    job = import_job_create(organization=university, kind="deals", path=path)
    job = import_job_run(job)
    assert (job.inserted, job.rejected) == (1, 0)
    pledge = Deal.objects.get()
    assert pledge.kind == "pledge" and pledge.filings.get().kind == "pledge_reg"
    assert Organization.objects.get(name="丁银行").type == "bank"
