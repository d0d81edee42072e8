"""The two-process import (a forked child parses ahead of the writer) gives exactly the in-process result.

`_use_child` normally keeps small files and callers inside a transaction (like these tests) in-process; here it
is forced on, so the child really forks, parses and hands batches over the queue while the test's transaction
is open (the child never touches the database).
"""

from __future__ import annotations

import io

import pytest

from engine.identifiers.application_number import check_character
from panhuo.imports import pipeline
from panhuo.imports.models import ImportJob, ImportReject, ImportStatus
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.patents.importing.handler import PatentImportHandler
from panhuo.patents.models import InventoryRecord, Patent


def _app_no(serial: int) -> str:
    body = f"20191{serial:07d}"
    return f"{body}.{check_character(body)}"


def _file(n: int) -> bytes:
    # Both test universities are named 专利权人: the second import is a co-holder's, so it may merge
    lines = ["申请号,名称,申请日,IPC分类号,学院,专利权人"]
    for i in range(n):
        date = "2019-02-30" if i % 11 == 5 else "2019-03-01"  # a bad date every 11th row
        college = "CS" if i % 3 == 0 else ""  # each tenant has a college with code CS
        lines.append(f"{_app_no(i)},专利{i},{date},G06F 16/00;H04L 9/32,{college},甲大学;乙大学")
    lines.append(f"{_app_no(2)},与前面的行重复（跨批次）,2019-03-01,G06F,,甲大学;乙大学")
    lines.append(",缺少申请号,2019-03-01,G06F,,")
    return ("\n".join(lines) + "\n").encode()


def _run(org, data: bytes) -> ImportJob:
    job = import_job_create(
        organization=org, kind="patents", uploaded_file=io.BytesIO(data), original_name="p.csv"
    )
    return import_job_run(job)


def _rejects(job: ImportJob) -> list[tuple[int, str, str]]:
    return list(
        ImportReject.objects.filter(job=job).order_by("line", "column").values_list("line", "column", "code")
    )


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(PatentImportHandler, "batch_size", 7)


def test_child_process_import_equals_in_process_import(
    university, other_university, small_batches, monkeypatch
):
    data = _file(60)  # 60 rows: bad dates on rows 5, 16, 27, 38, 49; then a duplicate and a row without a key
    monkeypatch.setattr(pipeline, "_use_child", lambda handler, job: False)
    alone = _run(other_university, data)
    forked: list[bool] = []

    def force(handler, job):
        forked.append(True)
        return True

    monkeypatch.setattr(pipeline, "_use_child", force)
    parallel = _run(university, data)  # finds the first tenant's patents: the merge path runs in the writer
    assert forked, "the child-process path was not taken"
    counts = ("status", "total", "inserted", "updated", "unchanged", "rejected", "rows_done")
    assert [getattr(parallel, f) for f in counts] == [getattr(alone, f) for f in counts]
    assert (alone.status, alone.total, alone.inserted, alone.rejected) == (ImportStatus.DONE, 62, 55, 7)
    assert _rejects(parallel) == _rejects(alone)
    assert sorted({code for _, _, code in _rejects(parallel)}) == [
        "date_format",
        "duplicate_in_file",
        "key_missing",
    ]
    assert Patent.objects.count() == 55
    mine = InventoryRecord.objects.filter(organization=university)
    assert mine.count() == InventoryRecord.objects.filter(organization=other_university).count() == 55
    assert mine.filter(college__code="CS").count() == len(
        [i for i in range(60) if i % 3 == 0 and i % 11 != 5]
    )


def test_a_fresh_database_gets_the_same_patents_from_both_paths(university, small_batches, monkeypatch):
    monkeypatch.setattr(pipeline, "_use_child", lambda handler, job: True)
    job = _run(university, _file(40))
    assert job.status == ImportStatus.DONE
    assert job.inserted == Patent.objects.count() == 40 - 4  # rows 5, 16, 27, 38 have a bad date
    stored = list(Patent.objects.order_by("id").values_list("app_no", "ipc_main", "ipc_codes"))
    assert [a for a, _, _ in stored] == [
        _app_no(i) for i in range(40) if i % 11 != 5
    ]  # file order, ids in order
    assert all(m == "G06F16/00" and c == ["G06F16/00", "H04L9/32"] for _, m, c in stored)


def test_a_decoding_error_in_the_child_fails_the_job_with_its_message(university, monkeypatch):
    monkeypatch.setattr(pipeline, "_use_child", lambda handler, job: True)
    monkeypatch.setattr(PatentImportHandler, "batch_size", 1000)
    good = _file(7000)  # past the 256 KiB the upload check reads, so only the child meets the bad bytes
    assert len(good) > 256 * 1024
    data = good + b"\xff\xfe\xfa broken tail\n" * 3
    job = import_job_create(
        organization=university, kind="patents", uploaded_file=io.BytesIO(data), original_name="p.csv"
    )
    job = import_job_run(job)
    assert job.status == ImportStatus.FAILED
    assert job.error_code == "import_encoding"
    assert "编码" in job.error_zh
    assert 0 < job.rows_done < 7003  # the batches before the bad bytes stay committed: resumable checkpoint
    assert job.rows_done % 1000 == 0


def test_small_jobs_and_open_transactions_stay_in_process(university, settings):
    settings.PANHUO_IMPORT_PARALLEL_MIN_ROWS = 10
    job = import_job_create(
        organization=university, kind="patents", uploaded_file=io.BytesIO(_file(30)), original_name="p.csv"
    )
    handler = PatentImportHandler()
    assert job.rows_estimate >= 30
    assert pipeline._use_child(handler, job) is False  # the test's transaction is open


def test_a_background_import_pauses_after_every_batch(university, monkeypatch):
    from panhuo.imports import services

    pauses: list[bool] = []
    monkeypatch.setattr(services, "yield_write_lock", lambda: pauses.append(True))
    monkeypatch.setattr(PatentImportHandler, "batch_size", 4)
    lines = ["申请号,名称"] + [f"20171{i:07d}.{check_character(f'20171{i:07d}')},专利{i}" for i in range(10)]
    data = "\n".join(lines).encode()
    job = import_job_create(
        organization=university, kind="patents", uploaded_file=io.BytesIO(data), original_name="a.csv"
    )
    assert import_job_run(job, background=True).inserted == 10
    assert len(pauses) == 3  # after each of the batches of 4, 4 and 2 rows
    again = import_job_create(
        organization=university, kind="patents", uploaded_file=io.BytesIO(data), original_name="a.csv"
    )
    assert import_job_run(again).unchanged == 10
    assert len(pauses) == 3  # a foreground run does not pause
