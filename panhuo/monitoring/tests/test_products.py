"""专利密集型产品备案: enterprises record, the office of the region confirms, KPIs count confirmed records only;
other tenants / regions see and change nothing; the certified list imports with every bad row reported."""

from __future__ import annotations

import importlib
import json
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.test import Client

from engine.identifiers.application_number import check_character
from engine.identifiers.credit_code import credit_check_character
from panhuo.accounts.models import OrganizationType, Role
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.imports.models import ImportReject, ImportStatus
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.monitoring import products
from panhuo.monitoring.metrics import product_filings
from panhuo.monitoring.models import ProductFiling, ProductStatus

pytestmark = pytest.mark.django_db


def key(body: str) -> str:
    return f"{body}.{check_character(body)}"


def credit(n: int) -> str:
    first = f"9150010{n:06d}MA5U"[:17]
    return first + credit_check_character(first)


K1, K2 = key("202110123456"), key("202120654321")
TODAY = date.today()


def row(**kw):
    args = {
        "product": "智能巡检机器人",
        "filed_on": TODAY,
        "filing_number": "ZLMJ2025500001",
        "patent_keys": f"{K1}；{K2}",
        "sales_year": TODAY.year - 1,
        "sales_yuan": "1,200,000.50",
    }
    args.update(kw)
    return products.product_row_validate(**args)


@pytest.fixture
def cq_enterprise(make_org):
    return make_org(
        OrganizationType.ENTERPRISE, code="ENT-CQ", name="渝企", credit_code=credit(1), region_code="500107"
    )


@pytest.fixture
def bj_enterprise(make_org):
    return make_org(
        OrganizationType.ENTERPRISE, code="ENT-BJ", name="京企", credit_code=credit(2), region_code="110108"
    )


@pytest.fixture
def cq_user(cq_enterprise, make_user):
    return make_user(Role.ENTERPRISE_USER, cq_enterprise)


@pytest.fixture
def bj_user(bj_enterprise, make_user):
    return make_user(Role.ENTERPRISE_USER, bj_enterprise)


@pytest.fixture
def bj_office_user(make_org, make_user):
    office = make_org(
        OrganizationType.IP_OFFICE,
        code="OFFICE-BJ",
        name="北京市知识产权局",
        region_code="110000",
        office_level="province",
    )
    return make_user(Role.OFFICE_OFFICIAL, office)


def test_every_error_at_once():
    with pytest.raises(ApplicationError) as caught:
        products.product_row_validate(
            product="", filed_on=TODAY + timedelta(days=1), patent_keys="20211012345, 123", sales_yuan="-5"
        )
    assert [e.field for e in caught.value.errors] == [
        "product",
        "filed_on",
        "patent_keys",
        "sales",
        "sales_year",
    ]
    assert "专利申请号不正确：20211012345、123" in caught.value.message_zh
    r = row()
    assert r.patent_keys == (K1, K2) and r.sales_fen == 120_000_050 and r.filing_number == "ZLMJ2025500001"


def test_enterprise_records_office_confirms_kpi_counts_confirmed_only(cq_user, office_user):
    pf = products.product_record(actor=cq_user, row=row())
    assert pf.status == ProductStatus.PENDING
    count = lambda: product_filings(prefix="50", start=date(TODAY.year, 1, 1), end=TODAY)  # noqa: E731
    assert count() == 0
    products.product_confirm(actor=office_user, product=pf)
    pf.refresh_from_db()
    assert pf.status == ProductStatus.CONFIRMED and pf.confirmed_by_id == office_user.pk
    assert count() == 1
    with pytest.raises(ApplicationError) as caught:
        products.product_update(actor=cq_user, product=pf, row=row(product="改名"))
    assert caught.value.code == "product_confirmed"
    s = products.product_statistics(year=TODAY.year, region_prefix="50")
    assert (s.recorded, s.confirmed, s.pending, s.enterprises) == (1, 1, 0, 1)
    assert s.sales_fen == 0  # sales are of last year
    assert products.product_statistics(year=TODAY.year - 1, region_prefix="50").sales_fen == 120_000_050


def test_other_tenants_and_regions_see_and_change_nothing(cq_user, bj_user, bj_office_user, office_user):
    pf = products.product_record(actor=cq_user, row=row())
    assert list(products.products_visible(office_user)) == [pf]
    for user in (bj_user, bj_office_user):
        assert list(products.products_visible(user)) == []
        with pytest.raises(NotFound):
            products.product_get(user, pf.pk)
    with pytest.raises(NotFound):
        products.product_confirm(actor=bj_office_user, product=pf)
    with pytest.raises(NotFound):
        products.product_update(actor=bj_user, product=pf, row=row(product="抢注"))
    with pytest.raises(PermissionRefused):
        products.product_confirm(actor=cq_user, product=pf)
    pf.refresh_from_db()
    assert pf.status == ProductStatus.PENDING and pf.product == "智能巡检机器人"


def test_office_records_only_in_its_region_and_numbers_are_unique(office_user, bj_enterprise, cq_enterprise):
    with pytest.raises(ApplicationError) as caught:
        products.product_record(actor=office_user, row=row(), enterprise=bj_enterprise)
    assert caught.value.code == "enterprise_region"
    pf = products.product_record(actor=office_user, row=row(), enterprise=cq_enterprise)
    assert pf.status == ProductStatus.CONFIRMED
    with pytest.raises(ApplicationError) as caught:
        products.product_record(actor=office_user, row=row(product="另一个"), enterprise=cq_enterprise)
    assert caught.value.code == "filing_number_used"
    assert ProductFiling.objects.count() == 1


def test_reject_needs_reason_then_enterprise_resubmits(cq_user, office_user):
    pf = products.product_record(actor=cq_user, row=row())
    with pytest.raises(ApplicationError):
        products.product_reject(actor=office_user, product=pf, reason=" ")
    pf.refresh_from_db()
    assert pf.status == ProductStatus.PENDING
    products.product_reject(actor=office_user, product=pf, reason="备案号与证书不符")
    pf.refresh_from_db()
    assert (pf.status, pf.reject_reason) == (ProductStatus.REJECTED, "备案号与证书不符")
    products.product_update(actor=cq_user, product=pf, row=row(filing_number="ZLMJ2025500009"))
    pf.refresh_from_db()
    assert (pf.status, pf.reject_reason, pf.filing_number) == (ProductStatus.PENDING, "", "ZLMJ2025500009")


HEADER = "企业统一社会信用代码,产品名称,备案号,备案日期,专利申请号,销售额年度,年销售额（元）"


def test_office_imports_the_certified_list(office, office_user, cq_enterprise, bj_enterprise, tmp_path):
    lines = [
        f'{credit(1)},智能巡检机器人,ZLMJ2025500001,2025/6/30,{K1}；{K2},2025,"12,000,000.00"',
        f"{credit(2)},京企产品,ZLMJ2025110001,2025-06-30,{K1},,",
        f"{credit(9)},未知企业产品,ZLMJ2025500002,2025-06-30,{K1},,",
        f"{credit(1)},坏行,ZLMJ2025500003,2025-13-40,12345,2025,abc",
    ]
    path = tmp_path / "products.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")

    def run():
        return import_job_run(
            import_job_create(organization=office, kind="products", path=path, actor=office_user)
        )

    job = run()
    assert job.status == ImportStatus.DONE
    assert (job.inserted, job.updated, job.unchanged, job.rejected) == (1, 0, 0, 3)
    rejects = sorted(ImportReject.objects.filter(job=job).values_list("line", "code"))
    assert rejects == [(3, "enterprise_region"), (4, "enterprise_unknown"), (5, "date_format")]
    pf = ProductFiling.objects.get()
    assert (pf.status, pf.sales_fen, pf.patent_keys) == (ProductStatus.CONFIRMED, 1_200_000_000, [K1, K2])
    again = run()
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 1, 3)


def test_pages_and_api(cq_user, bj_user, office_user):
    c = Client()
    c.force_login(cq_user)
    r = c.post("/monitoring/products/new/", {"product": "", "patent_keys": "abc", "filed_on": ""})
    assert r.status_code == 400
    page = r.content.decode()
    assert "请填写产品名称" in page and "专利申请号不正确：abc" in page and "请填写备案日期" in page
    r = c.post(
        "/api/monitoring/products/",
        json.dumps(
            {
                "product": "在线监测终端",
                "filed_on": TODAY.isoformat(),
                "patent_keys": [K1],
                "sales_year": TODAY.year - 1,
                "sales_yuan": "5,000",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert r.json()["sales_yuan"] == "5,000.00" and r.json()["status_label"] == "待确认"
    stranger = Client()
    stranger.force_login(bj_user)
    assert stranger.get(f"/api/monitoring/products/{pid}").status_code == 404
    assert stranger.get(f"/monitoring/products/{pid}/").status_code == 404
    office = Client()
    office.force_login(office_user)
    r = office.post(f"/monitoring/products/{pid}/review/", {"action": "confirm"})
    assert r.status_code == 302
    assert ProductFiling.objects.get(pk=pid).status == ProductStatus.CONFIRMED
    dash = office.get("/monitoring/").content.decode()
    assert "登记 <a" in dash and "已确认 1 项（1 家企业）" in dash
    assert office.get("/api/monitoring/products/stats").json()["confirmed"] == 1


def test_migration_confirms_rows_recorded_before(cq_enterprise):
    m = importlib.import_module("panhuo.monitoring.migrations.0007_product_filing_records_confirmation")
    pf = ProductFiling.objects.create(enterprise=cq_enterprise, product="旧记录", filed_on=TODAY)
    assert pf.status == ProductStatus.PENDING
    m.existing_rows_confirmed(apps, None)
    pf.refresh_from_db()
    assert pf.status == ProductStatus.CONFIRMED
