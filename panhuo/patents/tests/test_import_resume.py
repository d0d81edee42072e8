"""Resume in-process: a run that dies after its first batch is resumed from the checkpoint with exact counts."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from engine.identifiers.application_number import check_character
from panhuo.imports.models import ImportJob, ImportReject, ImportStatus
from panhuo.imports.services import import_job_create, import_job_run, import_jobs_stale
from panhuo.patents.importing.handler import PatentImportHandler
from panhuo.patents.models import InventoryRecord, Patent


class Crash(Exception):
    pass


def _app_no(serial: int) -> str:
    body = f"20181{serial:07d}"
    return f"{body}.{check_character(body)}"


def _file(n: int) -> bytes:
    lines = ["申请号,名称,申请日,专利权人"]  # both test universities hold the patents together
    for i in range(n):
        date = "2018-02-30" if i % 7 == 3 else "2018-02-01"
        lines.append(f"{_app_no(i)},专利{i},{date},甲大学;乙大学")
    lines.append(f"{_app_no(1)},与第 3 行重复（跨批次）,2018-02-01,甲大学;乙大学")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(PatentImportHandler, "batch_size", 5)


def test_resume_after_crash_matches_an_uninterrupted_run(university, other_university, small_batches):
    data = _file(23)
    job = import_job_create(
        organization=university, kind="patents", uploaded_file=io.BytesIO(data), original_name="a.csv"
    )

    def die(current: ImportJob) -> None:
        raise Crash()

    with pytest.raises(Crash):
        import_job_run(job, progress=die)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.total) == (ImportStatus.RUNNING, 5, 5)
    assert import_job_run(job).status == ImportStatus.RUNNING  # heartbeat still fresh: another worker's job
    assert import_jobs_stale() == []

    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=3))
    assert import_jobs_stale() == [job.pk]
    again = import_job_create(
        organization=university, kind="patents", uploaded_file=io.BytesIO(data), original_name="a.csv"
    )
    assert again.pk == job.pk  # same file, unfinished: the same job
    resumed = import_job_run(job)

    control = import_job_run(
        import_job_create(
            organization=other_university,
            kind="patents",
            uploaded_file=io.BytesIO(data),
            original_name="b.csv",
        )
    )
    keys = ("total", "inserted", "updated", "unchanged", "rejected")
    assert [getattr(resumed, k) for k in keys] == [getattr(control, k) for k in keys] == [24, 20, 0, 0, 4]
    lines = lambda j: list(ImportReject.objects.filter(job=j).values_list("line", "column", "code"))  # noqa: E731
    assert (
        lines(resumed)
        == lines(control)
        == [
            (5, "application_date", "date_format"),
            (12, "application_date", "date_format"),
            (19, "application_date", "date_format"),
            (25, "app_no", "duplicate_in_file"),
        ]
    )
    assert Patent.objects.count() == 20
    assert InventoryRecord.objects.filter(organization=university).count() == 20
