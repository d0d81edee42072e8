"""The landscape store's snapshot: a process that starts from it answers exactly as one that loaded the database,
catches up with what changed after it was written, and never trusts a file that is not this database's.

A "fresh process" is simulated by emptying `store._stores`; the database loads (`store._load`) and the snapshot
reads are counted, so each test also says which of the two gave the answer.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panhuo.navigation import snapshot, store, tasks
from panhuo.navigation.facts import facts_build
from panhuo.navigation.models import LandscapeFact
from panhuo.navigation.page import landscape
from panhuo.navigation.scope import parse_scope
from panhuo.navigation.selectors import landscape_visibility
from panhuo.navigation.tests.dataset import _patent
from panhuo.navigation.tests.test_store import (  # noqa: F401  (the autouse fixture)
    H01M,
    SCOPES,
    _age_everything,
    _empty_store,
    _ids,
    _sql_path,
)

pytestmark = pytest.mark.django_db
USERS = ("admin_a", "admin_b", "office", "enterprise")


@pytest.fixture
def snapshot_file(tmp_path, settings):
    path = tmp_path / "landscape" / "facts.npz"
    settings.PANHUO_LANDSCAPE_SNAPSHOT = str(path)
    return path


@pytest.fixture
def loads(monkeypatch):
    """How many times the store was loaded from the database, and how many times a snapshot was read."""
    seen = {"database": 0, "snapshot": 0}
    real_load, real_read = store._load, snapshot.read

    def load(key):
        seen["database"] += 1
        return real_load(key)

    def read(path, key):
        seen["snapshot"] += 1
        return real_read(path, key)

    monkeypatch.setattr(store, "_load", load)
    monkeypatch.setattr(snapshot, "read", read)
    return seen


def _figures(data) -> dict:
    out = {}
    for name in USERS:
        user = data[name]
        for scope in SCOPES:
            definition = parse_scope(scope)
            figures = landscape(definition, landscape_visibility(user))
            out[name, str(scope)] = (
                _ids(definition, user),
                {k: figures[k] for k in ("patents", "holders", "by_year", "ipc", "teams", "pending_facts")},
            )
    return out


def _restart() -> None:
    """A new process: no store in memory."""
    store._stores.clear()


def _loaded() -> store._Loaded:
    return store._stores[store._database_key()]


@pytest.mark.parametrize("aged", [False, True])
def test_a_fresh_process_starts_from_the_snapshot_with_the_same_figures(
    landscape_data, snapshot_file, loads, monkeypatch, aged
):
    if aged:  # facts built before the cutoff: the snapshot's stored rows answer
        _age_everything()
    expected = _figures(landscape_data)  # no snapshot yet: loaded from the database
    assert loads == {"database": 1, "snapshot": 1}
    assert any(ids for (ids, _), _ in expected.values())
    assert store.write_snapshot(snapshot_file)
    written = _loaded()
    _restart()
    with CaptureQueriesContext(connection) as queries:
        assert _figures(landscape_data) == expected
    assert loads == {"database": 1, "snapshot": 2}
    assert not any("ORDER BY f.patent_id LIMIT" in q["sql"] for q in queries.captured_queries)
    loaded = _loaded()
    assert loaded is not written and loaded.cutoff == written.cutoff
    assert np.array_equal(loaded.table.patent_id, written.table.patent_id)
    assert int(loaded.early.sum()) == (7 if aged else 0)
    _sql_path(monkeypatch)
    assert _figures(landscape_data) == expected


def test_facts_rebuilt_and_patents_changed_after_the_snapshot_are_caught_up(
    landscape_data, snapshot_file, loads, settings
):
    p = landscape_data["patents"]
    a = landscape_data["admin_a"]
    _age_everything()
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[4].pk, p[7].pk], 0)
    assert store.write_snapshot(snapshot_file)
    p[3].ipc_codes = ["C01B33/00"]
    p[3].save()
    p[6].ipc_codes = ["G06F16/22", "H01M8/04"]
    p[6].save()
    facts_build([p[3].pk, p[6].pk])  # rebuilt after the snapshot's cutoff
    p[2].legal_status = "lapsed"
    p[2].save()  # changed, its fact not rebuilt yet: pending
    _restart()
    assert _ids(H01M, a) == ([p[1].pk, p[4].pk, p[6].pk, p[7].pk], 1)
    fast = _figures(landscape_data)
    assert loads == {"database": 1, "snapshot": 2}  # the first load found no file; this one took the snapshot
    _restart()
    settings.PANHUO_LANDSCAPE_SNAPSHOT = None  # a process that loads the database now
    assert _figures(landscape_data) == fast
    assert loads == {"database": 2, "snapshot": 2}


def test_a_fact_deleted_after_the_snapshot_makes_the_process_load_the_database(
    landscape_data, snapshot_file, loads, monkeypatch
):
    p = landscape_data["patents"]
    a = landscape_data["admin_a"]
    _age_everything()
    _ids(H01M, a)
    assert store.write_snapshot(snapshot_file)
    LandscapeFact.objects.filter(patent=p[4]).delete()
    _restart()
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[7].pk], 1)
    assert loads == {"database": 2, "snapshot": 2}  # read, refused (the database differs), database load
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[7].pk], 1)
    assert loads == {"database": 2, "snapshot": 2}
    fast = _figures(landscape_data)
    _sql_path(monkeypatch)
    assert _figures(landscape_data) == fast


def test_a_check_failing_after_a_snapshot_load_reads_the_database_not_the_snapshot_again(
    landscape_data, snapshot_file, loads, monkeypatch
):
    p = landscape_data["patents"]
    a = landscape_data["admin_a"]
    _age_everything()
    _ids(H01M, a)
    assert store.write_snapshot(snapshot_file)
    _restart()
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[4].pk, p[7].pk], 0)
    assert loads == {"database": 1, "snapshot": 2}
    LandscapeFact.objects.filter(patent=p[4]).delete()  # after the snapshot was loaded
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[7].pk], 1)
    assert loads == {"database": 2, "snapshot": 2}
    # a snapshot that passed its check at the load and fails the store's check at the first read (a deletion
    # between the two): the store loads from the database within the same read, not from the snapshot again
    _restart()
    monkeypatch.setattr(snapshot, "_matches_database", lambda snap: True)
    LandscapeFact.objects.filter(patent=p[7]).delete()
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk], 2)
    assert loads == {"database": 3, "snapshot": 3}


def _write_foreign(path) -> None:
    state = _loaded()
    snapshot.write(
        path,
        "other:sqlite:other.sqlite3:",
        snapshot.Snapshot(state.table, state.fresh, state.early, state.cutoff),
    )


def _truncate(path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupt(path) -> None:
    data = bytearray(path.read_bytes())
    for at in range(len(data) // 3, len(data) // 3 + 64):
        data[at] ^= 0x5A
    path.write_bytes(bytes(data))


def _other_format(path) -> None:
    state = _loaded()
    real = snapshot.FORMAT
    snapshot.FORMAT = real + 1
    try:
        snapshot.write(
            path,
            store._database_key(),
            snapshot.Snapshot(state.table, state.fresh, state.early, state.cutoff),
        )
    finally:
        snapshot.FORMAT = real


def _not_an_archive(path) -> None:
    path.write_text("not a snapshot")


@pytest.mark.parametrize("spoil", [_write_foreign, _truncate, _corrupt, _other_format, _not_an_archive])
def test_a_snapshot_that_is_not_this_databases_is_ignored(
    landscape_data, snapshot_file, loads, caplog, spoil
):
    _age_everything()
    expected = _figures(landscape_data)
    assert store.write_snapshot(snapshot_file)
    spoil(snapshot_file)
    _restart()
    assert _figures(landscape_data) == expected
    assert loads == {"database": 2, "snapshot": 2}
    assert "loading from the database" in caplog.text


def test_a_snapshot_of_a_recreated_database_is_ignored(landscape_data, snapshot_file, loads):
    """As many facts built before the cutoff as the snapshot holds, but not the same ones: the id sum tells."""
    p = landscape_data["patents"]
    a = landscape_data["admin_a"]
    _age_everything()
    _ids(H01M, a)
    assert store.write_snapshot(snapshot_file)
    other = _patent(8, "数据压缩", ["G06F16/00"], date(2022, 1, 1))
    facts_build([other.pk])
    LandscapeFact.objects.filter(patent=other).update(built_at=timezone.now() - timedelta(days=1))
    LandscapeFact.objects.filter(patent=p[4]).delete()
    _restart()
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[7].pk], 1)
    assert loads == {"database": 2, "snapshot": 2}


def test_the_snapshot_is_written_atomically(landscape_data, snapshot_file, monkeypatch, settings):
    _age_everything()
    snapshot_file.parent.mkdir(parents=True)
    snapshot_file.write_bytes(b"an older snapshot")
    assert store.write_snapshot(snapshot_file)
    assert sorted(snapshot_file.parent.iterdir()) == [snapshot_file]
    assert snapshot.header(snapshot_file)["rows"] == 7
    written = snapshot_file.read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", fail)
    _restart()
    settings.PANHUO_LANDSCAPE_SNAPSHOT = None  # loaded from the database: a new cutoff, so it rewrites
    with pytest.raises(OSError, match="disk full"):
        store.write_snapshot(snapshot_file)
    assert sorted(snapshot_file.parent.iterdir()) == [snapshot_file]
    assert snapshot_file.read_bytes() == written


def test_the_periodic_writer_rewrites_only_when_the_store_moved_on(
    landscape_data, snapshot_file, monkeypatch
):
    p = landscape_data["patents"]
    _age_everything()
    assert tasks.landscape_snapshot.call_local() is True
    first = snapshot_file.stat().st_mtime_ns
    cutoff = snapshot.header(snapshot_file)["cutoff"]
    assert tasks.landscape_snapshot.call_local() is False
    assert snapshot_file.stat().st_mtime_ns == first
    monkeypatch.setattr(store, "LATE_COMMIT_MARGIN", timedelta(0))
    facts_build([p[3].pk])  # settled at once (no margin): folded in, the cutoff moves on
    assert tasks.landscape_snapshot.call_local() is True
    assert snapshot.header(snapshot_file)["cutoff"] > cutoff


def test_the_periodic_writer_does_nothing_when_the_snapshot_is_off(landscape_data, settings, tmp_path):
    settings.PANHUO_LANDSCAPE_SNAPSHOT = None
    assert tasks.landscape_snapshot.call_local() is False
    assert not store._stores  # not even loaded
