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
