"""Keyword search: the FTS5 trigram index gives exactly the icontains answer, whatever its state."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.patents import search, selectors
from panhuo.patents.models import Patent
from panhuo.patents.services import inventory_open

pytestmark = pytest.mark.django_db

TITLES = [
    ("一种锂电池极片缺陷检测方法", "基于机器视觉的极片检测，采用卷积神经网络"),
    ("固态电解质薄膜及其制备方法", "本发明涉及锂离子电池用固态电解质"),
    ("一种基于深度学习的图像识别方法", "利用神经网络对图像进行分类"),
    ("LED Lamp 散热结构", "an LED lamp with heat sink"),
    ('引号"测试"装置', "含有 % 和 _ 的摘要"),
]

needs_fts = pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 index exists on SQLite only")


@pytest.fixture
def corpus(university, institution_admin):
    for n, (title, abstract) in enumerate(TITLES):
        patent = Patent.objects.create(
            pub_no=f"CN20000000{n}", pub_kind="A", patent_type="invention", title=title, abstract=abstract
        )
        inventory_open(organization=university, patent=patent)
    return institution_admin


def titles(user, q):
    return sorted(
        selectors.inventory_search(user, selectors.filters_from({"q": q})).values_list(
            "patent__title", flat=True
        )
    )


def expected(q):
    return sorted(t for t, a in TITLES if q.lower() in t.lower() or q.lower() in a.lower())


@needs_fts
def test_index_available_and_synced_on_search(corpus):
    assert search.available()
    assert titles(corpus, "神经网络") == expected("神经网络")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patents_patent_fts")
        assert cursor.fetchone()[0] == len(TITLES)
    assert search.sync() == (0, True)  # nothing new
    # the background pass re-reads rows changed in the last REVISIT window (idempotently: no duplicates)
    assert search.sync(revisit=True) == (len(TITLES), True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patents_patent_fts")
        assert cursor.fetchone()[0] == len(TITLES)


@needs_fts
def test_watermark_skips_unchanged_rows(corpus):
    assert search.sync() == (len(TITLES), True)
    assert search.sync() == (0, True)
    Patent.objects.get(pub_no="CN200000000").save()
    assert search.sync() == (1, True)


@needs_fts
def test_late_commit_is_picked_up_by_the_revisit_pass(corpus):
    from datetime import timedelta

    from django.utils import timezone

    assert search.sync() == (len(TITLES), True)
    # a row stamped before the watermark but "committed" after it
    late = Patent.objects.create(
        pub_no="CN300000001", pub_kind="A", patent_type="invention", title="迟到的钙钛矿电池"
    )
    Patent.objects.filter(pk=late.pk).update(updated_at=timezone.now() - timedelta(seconds=30))
    Patent.objects.filter(pub_no="CN200000001").update(updated_at=timezone.now())
    search.sync()
    assert "迟到的钙钛矿电池" not in {
        t for (t,) in Patent.objects.filter(pk__in=search.matching_ids('"钙钛矿"')).values_list("title")
    }
    search.sync(revisit=True)
    assert list(
        Patent.objects.filter(pk__in=search.matching_ids('"钙钛矿"')).values_list("title", flat=True)
    ) == ["迟到的钙钛矿电池"]


@needs_fts
def test_updates_are_reindexed(corpus):
    assert titles(corpus, "固态电解质") == ["固态电解质薄膜及其制备方法"]
    Patent.objects.filter(title__startswith="固态").update(title="硫化物电解质薄膜")
    patent = Patent.objects.get(title="硫化物电解质薄膜")
    patent.save()  # bumps updated_at like every write through the ORM / importer
    assert titles(corpus, "固态电解质") == ["硫化物电解质薄膜"]  # the abstract still says 固态电解质
    assert titles(corpus, "硫化物电解质") == ["硫化物电解质薄膜"]


@pytest.mark.parametrize(
    "q", ["极片", "神经网络", "led lamp", "LED", '"测试"', "% 和 _", "不存在的词语", "电池"]
)
def test_same_answer_as_icontains(corpus, q):
    assert titles(corpus, q) == expected(q)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_substrings_match_icontains(corpus, data):
    title, abstract = data.draw(st.sampled_from(TITLES))
    text = data.draw(st.sampled_from([title, abstract]))
    start = data.draw(st.integers(0, len(text) - 1))
    q = text[start : start + data.draw(st.integers(1, 8))].strip()
    if q:
        assert titles(corpus, q) == expected(q)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm indexes exist on PostgreSQL only")
def test_postgres_trigram_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'patents_patent' AND indexname LIKE %s",
            ["%trgm"],
        )
        assert sorted(r[0] for r in cursor.fetchall()) == [
            "patents_patent_abstract_trgm",
            "patents_patent_title_trgm",
        ]


@needs_fts
def test_far_behind_index_falls_back_and_builds_in_background(corpus, monkeypatch):
    """Over the request budget: this search scans (same answer), the task (inline in tests) catches up."""
    monkeypatch.setattr(search, "SYNC_BUDGET", 1)
    monkeypatch.setattr(search, "BATCH", 1)
    monkeypatch.setattr(search, "_last_enqueued", -1e9)
    assert search.ready() is False
    assert titles(corpus, "神经网络") == expected("神经网络")
    assert search.sync() == (0, True)  # the background task (Huey immediate in tests) indexed the rest


@needs_fts
def test_a_request_never_indexes_part_of_a_backlog_over_its_budget(corpus, monkeypatch):
    """During a big import the search must not pay for indexing (nor take the write lock) only to fall back."""
    monkeypatch.setattr(search, "SYNC_BUDGET", 2)
    monkeypatch.setattr(search, "_last_enqueued", time.monotonic())  # the background build was just requested
    before = search.pending(limit=10**6)
    assert before == len(TITLES) > 2
    assert search.ready() is False
    assert search.pending(limit=10**6) == before  # nothing indexed in the request
    assert titles(corpus, "神经网络") == expected("神经网络")  # the fallback answers the same


def test_background_task_indexes_and_analyses(corpus, monkeypatch):
    from panhuo.patents import tasks

    monkeypatch.setattr(tasks, "ANALYSE_AFTER", 1)
    indexed = tasks.search_index_build.call_local()
    assert indexed == (len(TITLES) if search.available() else 0)
    if search.available():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
