"""Browser tests run against live_server, i.e. a transactional database that is flushed after each test.

The audit table is append-only by database trigger (common migration 0002), so that flush would fail.
For these tests only: the triggers are lifted just before the flush and put back right after it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from pytest_django.plugin import blocking_manager_key

_triggers = importlib.import_module("panhuo.common.migrations.0002_audit_append_only")


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[object]:
    """Close the database connections the test body opened, where it opened them.

    On PostgreSQL the settings keep a connection for 60 s (CONN_MAX_AGE). A browser test's own queries (its
    assertions, between Playwright calls) ran on a connection the fixtures' teardown never saw, which stayed open
    to the end: the run ended with "the test database could not be dropped: 1 other session".
    """
    try:
        return (yield)
    finally:
        connections.close_all()


def _execute(statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)


@pytest.fixture
def audit_triggers_lifted_at_teardown(
    transactional_db: None, request: pytest.FixtureRequest
) -> Iterator[None]:
    yield
    _execute({"sqlite": _triggers.SQLITE_REVERSE, "postgresql": _triggers.POSTGRES_REVERSE})
    request.node.stash[_LIFTED_KEY] = True


_LIFTED_KEY = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        # After the session's last test the test database is already gone (its teardown ran inside this one):
        # nothing is left to put the triggers back on.
        test_database_left = connection.settings_dict["NAME"] == connection.creation._get_test_db_name()
        if item.stash.get(_LIFTED_KEY, False) and test_database_left:
            blocker = item.config.stash[blocking_manager_key]
            with blocker.unblock():
                _execute({"sqlite": _triggers.SQLITE, "postgresql": _triggers.POSTGRES})
