"""The process's store of landscape facts: the same answers as the SQL path, and every change seen at the next read.

Facts built "long ago" (before the store's cutoff) are simulated by moving their timestamps back a day, so the
store holds them as loaded rows instead of re-reading them at each read.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.utils import timezone

from panhuo.navigation import selectors, store
from panhuo.navigation.facts import facts_build
from panhuo.navigation.models import LandscapeFact
from panhuo.navigation.page import landscape
from panhuo.navigation.scope import parse_scope
from panhuo.navigation.selectors import landscape_visibility, scope_rows_status
from panhuo.patents.models import Patent

pytestmark = pytest.mark.django_db
H01M = parse_scope({"ipc": ["H01M"]})
SCOPES = [
    {"ipc": ["H01M"]},
    {"ipc": ["H01M10/00"]},
    {"ipc": ["H01M10/052"], "year_from": "2019"},
    {"ipc": ["H"], "year_to": "2020", "patent_types": ["invention"]},
    {"ipc": ["H01M", "G06F"], "holder_types": ["university"]},
    {"keywords": ["电池"], "legal_statuses": ["valid"]},
    {"region": "50", "ipc": ["H01M"]},
    {"year_from": "2018", "year_to": "2021"},
    {"ipc": ["H01M10/052"], "year_from": "2019"},
]


@pytest.fixture(autouse=True)
def _empty_store():
    """Rolled-back tests reuse ids on SQLite: a store loaded by another test must not answer for this one."""
    store._stores.clear()
    yield
    store._stores.clear()


def _age_everything() -> None:
    """Every patent and fact as if built a day ago (facts stay fresh: stamps equal)."""
    day_ago = timezone.now() - timedelta(days=1)
    Patent.objects.update(updated_at=day_ago)
    LandscapeFact.objects.update(patent_updated=day_ago, built_at=day_ago)


def _ids(definition, user) -> tuple[list[int], int]:
    found = scope_rows_status(definition, landscape_visibility(user).records)
    return found.table.patent_id.tolist(), found.pending


def _sql_path(monkeypatch) -> None:
    """Readers take the scope's ids through SQL (what they do when some fact was never built)."""
    real = store.stored_facts
    monkeypatch.setattr(selectors, "stored_facts", lambda: dataclasses.replace(real(), complete=False))


@pytest.mark.parametrize("state", ["fresh", "aged", "changed"])
def test_columns_path_answers_exactly_as_the_sql_path(landscape_data, monkeypatch, state):
    """Same patents, pending counts and figures; "changed": patents whose codes moved out of or into a scope
    after their fact and postings were built (pending on both paths only where their codes now fall)."""
    if state != "fresh":
        _age_everything()
    if state == "changed":
        p = landscape_data["patents"]
        p[3].ipc_codes = ["C01B33/00"]  # left H01M
        p[3].save()
        p[6].ipc_codes = ["G06F16/22", "H01M10/052"]  # joined H01M
        p[6].save()
    users = [landscape_data[k] for k in ("admin_a", "admin_b", "office", "enterprise")]
    fast = {}
    for user in users:
        for data in SCOPES:
            definition = parse_scope(data)
            figures = landscape(definition, landscape_visibility(user))
            fast[user.pk, str(data)] = (_ids(definition, user), figures["holders"], figures["by_year"])
    assert any(ids for (ids, _), _, _ in fast.values())
    _sql_path(monkeypatch)
    for user in users:
        for data in SCOPES:
            definition = parse_scope(data)
            figures = landscape(definition, landscape_visibility(user))
            assert fast[user.pk, str(data)] == (
                _ids(definition, user),
                figures["holders"],
                figures["by_year"],
            )


def test_loaded_rows_follow_patent_changes_and_rebuilt_facts(landscape_data):
    p = landscape_data["patents"]
    a = landscape_data["admin_a"]
    _age_everything()
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[4].pk, p[7].pk], 0)
    loaded = store._stores[store._database_key()]
    p[3].ipc_codes = ["C01B33/00"]
    p[
        3
    ].save()  # no fact rebuilt yet: its loaded row is stale, the patent is pending (and still in the scope)
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[4].pk, p[7].pk], 0)
    p[6].ipc_codes = ["G06F16/22", "H01M8/04"]
    p[6].save()
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[4].pk, p[7].pk], 1)
    facts_build([p[3].pk, p[6].pk])  # the worker's refresh
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[4].pk, p[6].pk, p[7].pk], 0)
    assert store._stores[store._database_key()] is loaded  # caught up without loading again


def test_a_deleted_or_late_fact_makes_the_store_load_again(landscape_data):
    p = landscape_data["patents"]
    a = landscape_data["admin_a"]
    _age_everything()
    assert _ids(H01M, a)[0] == [p[1].pk, p[2].pk, p[3].pk, p[4].pk, p[7].pk]
    first = store._stores[store._database_key()]
    LandscapeFact.objects.filter(patent=p[4]).delete()  # gone without its patent changing
    # p[4] has no fact and did not change recently: the scope's ids come from SQL, p[4] counted as pending
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[7].pk], 1)
    second = store._stores[store._database_key()]
    assert second is not first
    facts_build([p[4].pk])
    LandscapeFact.objects.filter(patent=p[4]).update(
        built_at=timezone.now() - timedelta(days=1)
    )  # committed late
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[4].pk, p[7].pk], 0)
    assert store._stores[store._database_key()] is not second


def test_a_deleted_patent_never_shows_from_the_loaded_rows(landscape_data):
    p = landscape_data["patents"]
    _age_everything()
    enterprise = landscape_data["enterprise"]
    assert _ids(H01M, enterprise)[0] == [p[1].pk, p[3].pk, p[4].pk, p[7].pk]
    from panhuo.patents.models import InventoryRecord

    InventoryRecord.objects.filter(patent=p[3]).delete()  # records protect their patent
    p[3].delete()
    assert _ids(H01M, enterprise) == ([p[1].pk, p[4].pk, p[7].pk], 0)


def test_a_withdrawn_record_leaves_the_scope_at_the_next_read(landscape_data):
    from panhuo.patents.models import InventoryRecord, InventoryState

    p = landscape_data["patents"]
    _age_everything()
    enterprise = landscape_data["enterprise"]
    assert _ids(H01M, enterprise)[0] == [p[1].pk, p[3].pk, p[4].pk, p[7].pk]
    InventoryRecord.objects.filter(patent=p[4]).update(state=InventoryState.UNFILED)
    assert _ids(H01M, enterprise) == ([p[1].pk, p[3].pk, p[7].pk], 0)


def test_many_rebuilt_facts_are_taken_into_the_stored_rows_without_loading_again(landscape_data, monkeypatch):
    p = landscape_data["patents"]
    a = landscape_data["admin_a"]
    _age_everything()
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[4].pk, p[7].pk], 0)
    loads = []
    real_load = store._load
    monkeypatch.setattr(store, "_load", lambda key: loads.append(key) or real_load(key))
    monkeypatch.setattr(store, "FOLD_AFTER_ROWS", 1)
    monkeypatch.setattr(store, "LATE_COMMIT_MARGIN", timedelta(0))
    first = store._stores[store._database_key()]
    p[3].ipc_codes = ["C01B33/00"]
    p[3].save()
    p[6].ipc_codes = ["G06F16/22", "H01M8/04"]
    p[6].save()
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[4].pk, p[7].pk], 1)  # no fact rebuilt: nothing to take in
    assert store._stores[store._database_key()] is first
    facts_build([p[3].pk, p[6].pk, p[7].pk])  # three facts built after the cutoff: more than the threshold
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[4].pk, p[6].pk, p[7].pk], 0)
    folded = store._stores[store._database_key()]
    assert folded is not first and folded.cutoff > first.cutoff and len(folded.table) == 7
    p[2].save()  # changed after the fold: stale until rebuilt
    assert _ids(H01M, a) == ([p[1].pk, p[4].pk, p[6].pk, p[7].pk], 1)
    assert not loads


def test_a_web_worker_loads_the_store_in_a_background_thread_and_survives_a_failure(monkeypatch, caplog):
    import threading

    threads = []

    def load():
        threads.append(threading.current_thread().name)
        raise RuntimeError("no such table")  # a database not migrated yet

    monkeypatch.setattr(store, "stored_facts", load)
    store.warm_in_background().join(timeout=60)
    assert threads == ["landscape-store-warm"]
    assert "landscape store warm-up failed" in caplog.text


def test_recent_facts_are_decoded_once_until_one_is_rebuilt(landscape_data):
    p = landscape_data["patents"]
    a = landscape_data["admin_a"]  # the dataset's facts are all recent: every read sees them after the cutoff
    assert _ids(H01M, a) == ([p[1].pk, p[2].pk, p[3].pk, p[4].pk, p[7].pk], 0)
    late = store._stores[store._database_key()].late
    assert late is not None and len(late.delta) == 7
    assert _ids(H01M, a)[0] == [p[1].pk, p[2].pk, p[3].pk, p[4].pk, p[7].pk]
    assert store._stores[store._database_key()].late is late
    p[1].legal_status = "lapsed"
    p[1].save()  # changed after its fact: the kept decoded row is no longer fresh
    assert _ids(H01M, a) == ([p[2].pk, p[3].pk, p[4].pk, p[7].pk], 1)
    assert store._stores[store._database_key()].late is late
    facts_build([p[1].pk])
    found = scope_rows_status(H01M, landscape_visibility(a).records)
    assert found.table.patent_id.tolist() == [p[1].pk, p[2].pk, p[3].pk, p[4].pk, p[7].pk]
    assert found.pending == 0 and store._stores[store._database_key()].late is not late
    assert [r.legal_status for r in found.rows if r.patent_id == p[1].pk] == ["lapsed"]
