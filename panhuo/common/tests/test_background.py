"""Background write loops pause between SQLite transactions, never inside one, and not on PostgreSQL."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from panhuo.common import background

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def sleeps(monkeypatch):
    calls: list[float] = []
    monkeypatch.setattr(background.time, "sleep", calls.append)
    return calls


def test_pause_between_transactions_only_on_sqlite(settings, sleeps, monkeypatch):
    settings.PANHUO_BACKGROUND_WRITE_GAP_SECONDS = 0.12
    # as between the transactions of a loop (the test itself runs inside one)
    monkeypatch.setattr(
        background, "connection", SimpleNamespace(vendor=connection.vendor, in_atomic_block=False)
    )
    background.yield_write_lock()
    assert sleeps == ([0.12] if connection.vendor == "sqlite" else [])


def test_no_pause_inside_a_transaction_or_when_switched_off(settings, sleeps):
    settings.PANHUO_BACKGROUND_WRITE_GAP_SECONDS = 0.12
    with transaction.atomic():
        background.yield_write_lock()
    settings.PANHUO_BACKGROUND_WRITE_GAP_SECONDS = 0
    background.yield_write_lock()
    assert sleeps == []


def test_a_background_import_pauses_after_every_batch(university, monkeypatch):
    import io

    from engine.identifiers.application_number import check_character
    from panhuo.imports import services
    from panhuo.imports.services import import_job_create, import_job_run
    from panhuo.patents.importing.handler import PatentImportHandler

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
