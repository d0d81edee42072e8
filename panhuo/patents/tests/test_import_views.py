"""Import pages: upload → job page/status JSON, formula-safe reject CSV, template, tenant isolation, limits."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from engine.identifiers.application_number import check_character
from panhuo.accounts.models import Role
from panhuo.imports.models import ImportJob
from panhuo.patents.models import InventoryRecord, Patent


def _app_no(serial: int) -> str:
    body = f"20191{serial:07d}"
    return f"{body}.{check_character(body)}"


def _upload(client, data: bytes, name: str = "p.csv", kind: str = "patents"):
    return client.post(reverse("imports:job-list"), {"kind": kind, "file": SimpleUploadedFile(name, data)})


def test_upload_runs_job_and_pages_show_it(client, institution_admin, django_capture_on_commit_callbacks):
    client.force_login(institution_admin)
    text = f'申请号,名称,申请日\n{_app_no(1)},一种装置,2019-01-02\n{_app_no(2)},=HYPERLINK("x"),2019-13-01\n'
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, text.encode())
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "imports:job-detail", args=[job.pk]
    )
    status = client.get(reverse("imports:job-status", args=[job.pk])).json()
    assert {k: status[k] for k in ("status", "total", "inserted", "rejected", "finished")} == {
        "status": "done",
        "total": 2,
        "inserted": 1,
        "rejected": 1,
        "finished": True,
    }
    page = client.get(reverse("imports:job-detail", args=[job.pk]))
    assert page.status_code == 200
    # the page names the column by its template heading and says what is wrong, never the codes
    assert "申请日" in page.content.decode() and "date_format" not in page.content.decode()
    csv_text = client.get(reverse("imports:job-rejects", args=[job.pk])).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "行号,列,值,错误代码,说明,message"
    assert csv_text.splitlines()[1].startswith("3,申请日,2019-13-01,date_format,")
    listing = client.get(reverse("imports:job-list"))
    assert listing.status_code == 200 and "p.csv" in listing.content.decode()


def test_reject_csv_neutralises_formulas(client, institution_admin, django_capture_on_commit_callbacks):
    client.force_login(institution_admin)
    text = f"申请号,名称,技术成熟度\n{_app_no(3)},一种装置,=1+2\n"
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, text.encode())
    job = ImportJob.objects.get()
    csv_text = client.get(reverse("imports:job-rejects", args=[job.pk])).content.decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("2,技术成熟度,'=1+2,trl_range,")


def test_bad_file_shows_message_and_changes_nothing(client, institution_admin):
    client.force_login(institution_admin)
    response = _upload(client, b"\x89PNG\r\n\x1a\n\x00\x00", "p.csv")
    assert response.status_code == 400
    assert "文件内容不是 CSV 文本" in response.content.decode()
    assert ImportJob.objects.count() == 0 and Patent.objects.count() == 0


def test_too_large_upload_is_413(client, institution_admin, settings):
    settings.PANHUO_MAX_CSV_BYTES = 100
    settings.PANHUO_MAX_XLSX_BYTES = 100
    client.force_login(institution_admin)
    text = "申请号,名称\n" + "".join(f"{_app_no(i)},一种装置{i}\n" for i in range(10))
    response = _upload(client, text.encode())
    assert response.status_code == 413
    assert ImportJob.objects.count() == 0


def test_other_tenant_job_is_404(
    client, institution_admin, other_university, make_user, django_capture_on_commit_callbacks
):
    client.force_login(institution_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, f"申请号,名称\n{_app_no(4)},一种装置\n".encode())
    job = ImportJob.objects.get()
    stranger = make_user(Role.INSTITUTION_ADMIN, other_university)
    client.force_login(stranger)
    for name in ("imports:job-detail", "imports:job-status", "imports:job-rejects"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert "p.csv" not in client.get(reverse("imports:job-list")).content.decode()


def test_roles_refused(client, inventor):
    client.force_login(inventor)
    assert client.get(reverse("imports:job-list")).status_code == 403


def test_template_download_is_importable(client, institution_admin, django_capture_on_commit_callbacks):
    client.force_login(institution_admin)
    response = client.get(reverse("imports:template", args=["patents"]))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    header = [c.value for c in wb.worksheets[0][1]]
    assert header[:3] == ["申请号", "公开（公告）号", "名称*"]
    for name in (
        "是否财政资助",
        "实施状态",
        "转化意愿",
        "转化方式",
        "技术成熟度",
        "价值分级自评",
        "应用场景",
        "产业化前景",
        "联系人",
        "学院",
        "第一发明人",
    ):
        assert name in header
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, response.content, "模板.xlsx")
    job = ImportJob.objects.get()
    assert (job.status, job.total, job.inserted, job.rejected) == ("done", 1, 1, 0)
    record = InventoryRecord.objects.get()
    assert (record.state, record.college.code, record.trl, record.contact_phone) == (
        "draft",
        "CS",
        5,
        "023-12345678",
    )
