"""Enterprise list import through the generic framework: rejects reported, idempotent, DB unchanged on bad files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from engine.identifiers.credit_code import credit_check_character
from panhuo.accounts.models import Organization, OrganizationType
from panhuo.common.errors import ApplicationError
from panhuo.demand.models import EnterpriseProfile
from panhuo.imports.models import ImportReject, ImportStatus
from panhuo.imports.services import import_job_create, import_job_run

HEADER = "企业名称,统一社会信用代码,所属地区/行政区划代码,行业代码,经营范围,企业规模,资质,联系人,联系电话"


def code(n: int) -> str:
    first = f"9150010{n:06d}MA5U"[:17]
    return first + credit_check_character(first)


def _write(tmp_path: Path, lines: list[str], name: str = "ent.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return p


def _run(office, user, path: Path):
    return import_job_run(import_job_create(organization=office, kind="enterprises", path=path, actor=user))


def test_import_inserts_reports_rejects_and_reimports_unchanged(office, office_user, tmp_path):
    bad_check = code(3)[:-1] + ("0" if code(3)[-1] != "0" else "1")
    path = _write(
        tmp_path,
        [
            f"甲精密（演示）,{code(1)},500107,3831,电线电缆制造,小,专精特新；高新技术企业,张三,13812345678",
            f"乙材料,{code(2)},500106,C2929,塑料制品,中,,李四,",
            f"丙坏码,{bad_check},500107,,,,,,13900001111",
            f"丁坏行业,{code(4)},500107,9999,,,,,",
            f"戊坏规模,{code(5)},5001,,,巨型,,,",
            f",{code(6)},500107,,,,,,",
        ],
    )
    job = _run(office, office_user, path)
    assert job.status == ImportStatus.DONE
    assert (job.inserted, job.updated, job.unchanged, job.rejected) == (2, 0, 0, 4)
    rejects = {(r.line, r.code) for r in ImportReject.objects.filter(job=job)}
    assert (4, "credit_code_check") in rejects
    assert (5, "industry_code") in rejects
    assert (6, "region_code") in rejects  # first bad field of line 6 (region before size)
    assert any(line == 7 for line, _ in rejects)  # missing name
    assert ImportReject.objects.get(job=job, line=4).value == bad_check
    orgs = Organization.objects.filter(type=OrganizationType.ENTERPRISE, credit_code__in=[code(1), code(2)])
    assert orgs.count() == 2
    p1 = EnterpriseProfile.objects.get(organization__credit_code=code(1))
    assert (p1.industry_code, p1.size, p1.qualifications) == ("3831", "small", ["specialised", "high_tech"])
    assert p1.contact_phone == "13812345678"
    assert p1.source == "import"
    assert EnterpriseProfile.objects.get(organization__credit_code=code(2)).industry_code == "2929"

    again = _run(office, office_user, path)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 4)
    assert Organization.objects.filter(type=OrganizationType.ENTERPRISE).count() == 2


def test_import_updates_changed_rows(office, office_user, tmp_path):
    _run(office, office_user, _write(tmp_path, [f"甲精密,{code(1)},500107,3831,电线,小,,,"], "a.csv"))
    job = _run(
        office, office_user, _write(tmp_path, [f"甲精密股份,{code(1)},500107,3831,电线,中,,,"], "b.csv")
    )
    assert (job.inserted, job.updated, job.unchanged) == (0, 1, 0)
    org = Organization.objects.get(credit_code=code(1))
    assert org.name == "甲精密股份"
    assert org.enterprise_profile.size == "medium"


def test_reject_report_masks_phone(office, office_user, tmp_path):
    job = _run(office, office_user, _write(tmp_path, [f"甲,{code(1)},500107,,,,,,abc<script>"]))
    reject = ImportReject.objects.get(job=job)
    assert reject.code == "phone"
    assert "<script>" not in reject.value


def test_code_of_a_university_is_refused(office, office_user, tmp_path, make_org):
    make_org(OrganizationType.UNIVERSITY, code="UNI-X", credit_code=code(7))
    job = _run(office, office_user, _write(tmp_path, [f"伪企业,{code(7)},500107,,,,,,"]))
    assert job.rejected == 1
    assert ImportReject.objects.get(job=job).code == "credit_code_not_enterprise"
    assert Organization.objects.get(credit_code=code(7)).type == OrganizationType.UNIVERSITY


def test_bad_file_leaves_db_unchanged(office, office_user, tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("名称,电话\n甲,1\n", encoding="utf-8")
    before = (Organization.objects.count(), EnterpriseProfile.objects.count())
    with pytest.raises(ApplicationError):
        import_job_create(organization=office, kind="enterprises", path=p, actor=office_user)
    assert (Organization.objects.count(), EnterpriseProfile.objects.count()) == before


def test_xlsx_import(office, office_user, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(
        ["己科技", code(8), "500107", "6513", "应用软件开发", "微", "科技型中小企业", "王五", "13700000000"]
    )
    path = tmp_path / "ent.xlsx"
    wb.save(path)
    job = _run(office, office_user, path)
    assert (job.inserted, job.rejected) == (1, 0)
    assert EnterpriseProfile.objects.get().qualifications == ["tech_sme"]


def test_office_upload_page_runs_the_job(client, office_user, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(office_user)
    assert client.get("/demand/enterprises/import/").status_code == 200
    body = (
        "\n".join(
            [
                HEADER,
                f"甲精密,{code(1)},500107,3831,,,,,",
                f"乙,{code(2)[:-1]}{'1' if code(2)[-1] == '0' else '0'},500107,,,,,,",
            ]
        )
        + "\n"
    )
    upload = SimpleUploadedFile("ent.csv", body.encode("utf-8"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        with_commit = client.post("/demand/enterprises/import/", {"file": upload})
    assert with_commit.status_code == 302
    job_url = with_commit["Location"]
    page = client.get(job_url).content.decode()
    assert 'id="inserted">1<' in page
    assert 'id="rejected">1<' in page
    rejects = client.get(job_url + "rejects.csv")
    assert rejects.status_code == 200
    assert "credit_code" in rejects.content.decode("utf-8-sig")
    assert client.get("/demand/enterprises/import/template.xlsx").status_code == 200


def test_institution_cannot_use_office_upload(client, institution_admin):
    client.force_login(institution_admin)
    assert client.get("/demand/enterprises/import/").status_code == 403


def test_same_code_twice_in_one_file(office, office_user, tmp_path):
    path = _write(
        tmp_path,
        [
            f"甲精密,{code(1)},500107,3831,,,,,",
            f"乙企业,{code(2)},500107,,,,,,",
            f"甲精密股份,{code(1)},500107,,,中,,,",
        ],
    )
    job = _run(office, office_user, path)
    assert (job.inserted, job.updated, job.unchanged, job.rejected) == (2, 1, 0, 0)
    org = Organization.objects.get(credit_code=code(1))
    assert (org.name, org.enterprise_profile.size, org.enterprise_profile.industry_code) == (
        "甲精密股份",
        "medium",
        "3831",
    )
    again = _run(office, office_user, path)
    # conflicting duplicates: each run replays both rows, so both count as updates; the last row still wins
    assert (again.inserted, again.updated, again.unchanged) == (0, 2, 1)
    org.refresh_from_db()
    assert org.name == "甲精密股份"
