"""项目组合 (Dazhou): a record marked as belonging to a named portfolio in 建档, the import, the page, the API, the pool."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from engine.identifiers.application_number import check_character
from panhuo.common.errors import ApplicationError
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.patents.assignment import inventory_open
from panhuo.patents.inventory_fields import inventory_validate
from panhuo.patents.models import InventoryRecord, InventoryState
from panhuo.patents.services import inventory_approve, inventory_fill, inventory_submit
from panhuo.patents.tests.conftest import FULL_FILL

pytestmark = pytest.mark.django_db
API = "/api/patents"


def app_no(serial: int) -> str:
    body = f"20191{serial:07d}"
    return f"{body}.{check_character(body)}"


def pooled(record, inventor, college_admin, institution_admin, portfolio):
    inventory_fill(actor=inventor, record=record, changes={**FULL_FILL, "portfolio": portfolio})
    inventory_submit(actor=inventor, record=record)
    inventory_approve(actor=college_admin, record=record)
    inventory_approve(actor=institution_admin, record=record)
    return record


def test_import_reads_the_portfolio_column_in_csv_and_xlsx(university, institution_admin):
    csv = f"申请号,名称,项目组合\n{app_no(1)},一种电池,新能源专利包\n".encode()
    job = import_job_run(
        import_job_create(
            organization=university, kind="patents", uploaded_file=io.BytesIO(csv), original_name="p.csv"
        )
    )
    assert (job.inserted, job.rejected) == (1, 0)
    record = InventoryRecord.objects.get(patent__app_no=app_no(1))
    assert (record.portfolio, record.state) == ("新能源专利包", InventoryState.DRAFT)

    wb = openpyxl.Workbook()
    wb.active.append(["application number", "title", "patent portfolio"])
    wb.active.append([app_no(2), "A valve", "x" * 101])  # longer than the field: refused on its cell
    buf = io.BytesIO()
    wb.save(buf)
    job = import_job_run(
        import_job_create(organization=university, kind="patents", uploaded_file=buf, original_name="p.xlsx")
    )
    assert (job.inserted, job.rejected) == (0, 1)
    assert list(job.rejects.values_list("column", flat=True)) == ["portfolio"]


def test_fill_validates_the_portfolio_name():
    assert inventory_validate({"portfolio": "  智能制造专利包 "}) == {"portfolio": "智能制造专利包"}
    with pytest.raises(ApplicationError) as caught:
        inventory_validate({"portfolio": "组" * 101})
    assert caught.value.field == "portfolio"


def test_form_page_api_and_pool_filter(
    client, record, inventor, college_admin, institution_admin, enterprise_user, make_patent, university
):
    client.force_login(inventor)
    form = {k: v for k, v in FULL_FILL.items() if k not in ("conversion_modes",)}
    form.update(
        fiscal_funded="yes", conversion_intent="yes", conversion_modes=["licence"], portfolio="极片检测专利包"
    )
    response = client.post(reverse("patents:fill", args=[record.pk]), {**form, "then": "save"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.portfolio == "极片检测专利包"
    inventory_submit(actor=inventor, record=record)
    inventory_approve(actor=college_admin, record=record)
    inventory_approve(actor=institution_admin, record=record)
    other = inventory_open(
        organization=university,
        patent=make_patent(title="另一件专利"),
        college=university.colleges.get(code="CS"),
        inventor_users=[inventor],
    )
    pooled(other, inventor, college_admin, institution_admin, "")

    client.force_login(enterprise_user)
    page = client.get(reverse("patents:detail", args=[record.patent_id])).content.decode()
    assert "项目组合" in page and "极片检测专利包" in page
    rows = client.get(f"{API}/pool", {"portfolio": "极片检测专利包"}).json()["results"]
    assert [(r["record_id"], r["portfolio"]) for r in rows] == [(record.pk, "极片检测专利包")]
    assert client.get(f"{API}/pool").json()["count"] == 2
    assert client.get(f"{API}/inventory/{record.pk}").json()["portfolio"] == "极片检测专利包"
    listing = client.get(reverse("patents:pool"), {"portfolio": "极片检测专利包"}).content.decode()
    assert record.patent.title in listing and "另一件专利" not in listing
