"""The framework with a small real handler (colleges of the importing tenant, upserted by code)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from panhuo.accounts.models import College
from panhuo.common.errors import ApplicationError
from panhuo.imports.models import ImportJob, ImportReject, ImportStatus
from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, RowReject, register
from panhuo.imports.services import import_job_create, import_job_run


@register
class CollegeHandler(ImportHandler):
    kind = "test_colleges"
    template_version = "1"
    batch_size = 3
    columns = (
        ColumnSpec("code", ("学院代码", "code"), required=True, max_length=20),
        ColumnSpec("name", ("学院名称", "name"), required=True),
    )

    def process_batch(self, job, rows):
        result = BatchResult()
        existing = {
            c.code: c
            for c in College.objects.filter(
                organization=job.organization, code__in=[r["code"] for _, r in rows]
            )
        }
        for line, row in rows:
            if not row["code"].isalnum():
                result.rejects.append(
                    RowReject(line, "code", row["code"], "code_format", "代码格式错误", "bad code")
                )
                continue
            college = existing.get(row["code"])
            if college is None:
                existing[row["code"]] = College.objects.create(
                    organization=job.organization, code=row["code"], name=row["name"]
                )
                result.inserted += 1
            elif college.name == row["name"]:
                result.unchanged += 1
            else:
                college.name = row["name"]
                college.save(update_fields=["name"])
                result.updated += 1
        return result


def _csv(tmp_path: Path, text: str, name: str = "c.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_run_counts_rejects_and_reimport(university, tmp_path):
    path = _csv(tmp_path, "学院代码,学院名称\nA1,甲\nA2,乙\n,缺代码\nB-1,坏\n\nA3,丙\nA1,甲\nA2,乙二\n")
    job = import_job_create(organization=university, kind="test_colleges", path=path)
    job = import_job_run(job)
    assert job.status == ImportStatus.DONE
    assert (job.total, job.inserted, job.updated, job.unchanged, job.rejected) == (7, 3, 1, 1, 2)
    assert list(ImportReject.objects.filter(job=job).values_list("line", "column", "code")) == [
        (4, "code", "required"),
        (5, "code", "code_format"),
    ]
    assert set(College.objects.filter(organization=university).values_list("code", "name")) >= {
        ("A1", "甲"),
        ("A2", "乙二"),
        ("A3", "丙"),
    }
    again = import_job_run(import_job_create(organization=university, kind="test_colleges", path=path))
    assert again.pk != job.pk
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 2, 3, 2)


def test_unfinished_job_same_key_is_returned(university, tmp_path):
    path = _csv(tmp_path, "code,name\nA1,甲\n")
    first = import_job_create(organization=university, kind="test_colleges", path=path)
    second = import_job_create(
        organization=university,
        kind="test_colleges",
        uploaded_file=io.BytesIO(path.read_bytes()),
        original_name="x.csv",
    )
    assert second.pk == first.pk
    assert ImportJob.objects.count() == 1


def test_missing_required_header_refused_db_unchanged(university, tmp_path):
    path = _csv(tmp_path, "学院名称\n甲\n")
    with pytest.raises(ApplicationError) as err:
        import_job_create(organization=university, kind="test_colleges", path=path)
    assert err.value.code == "import_header_missing"
    assert err.value.message_zh == "缺少必填列：学院代码"
    assert ImportJob.objects.count() == 0
