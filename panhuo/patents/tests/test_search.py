"""Keyword search: segmenter-backed terms (word or all its pieces), the FTS5 trigram index used read-only."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.patents import search, selectors
from panhuo.patents.assignment import inventory_open
from panhuo.patents.models import Patent

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


@pytest.fixture
def index_calls(monkeypatch):
    """Counts the searches answered from the trigram index (the real function still runs)."""
    calls = []
    real = search.matching_ids

    def counting(expression):
        calls.append(expression)
        return real(expression)

    monkeypatch.setattr(search, "matching_ids", counting)
    return calls


@needs_fts
def test_search_never_writes_and_uses_the_index_once_current(corpus, index_calls):
    assert search.available()
    assert titles(corpus, "神经网络") == expected("神经网络")
    assert index_calls == []  # the index is behind: the fallback answered
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patents_patent_fts")
        assert cursor.fetchone()[0] == 0  # a GET never indexes
    assert search.pending(limit=100) == len(TITLES)
    assert search.sync() == (len(TITLES), True)  # the background task's work
    assert titles(corpus, "神经网络") == expected("神经网络")
    assert index_calls == ['"神经网络"']
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
    ("q", "found"),
    [
        ("极片", ["一种锂电池极片缺陷检测方法"]),
        ("神经网络", ["一种基于深度学习的图像识别方法", "一种锂电池极片缺陷检测方法"]),
        ("图像识别", ["一种基于深度学习的图像识别方法"]),
        ("图像 识别", ["一种基于深度学习的图像识别方法"]),
        ("识别图像", ["一种基于深度学习的图像识别方法"]),
        ("锂电池 固态", ["固态电解质薄膜及其制备方法"]),  # 锂离子电池 holds 锂 and 电池
        ("电池", ["一种锂电池极片缺陷检测方法", "固态电解质薄膜及其制备方法"]),
        ("led lamp", ["LED Lamp 散热结构"]),
        ("LED", ["LED Lamp 散热结构"]),
        ('"测试"', ['引号"测试"装置']),
        ("% 和 _", ['引号"测试"装置']),
        ("不存在的词语", []),
    ],
)
def test_segmented_terms(corpus, q, found):
    assert titles(corpus, q) == sorted(found)
    search.sync()  # the same answers from the trigram index once it is current (SQLite)
    assert titles(corpus, q) == sorted(found)


def test_terms_to_highlight():
    assert selectors.keyword_terms("锂电池 回收") == ["锂电池", "回收", "电池"]
    assert selectors.keyword_terms("图像识别") == ["图像识别", "图像", "识别"]


@pytest.mark.parametrize("q", ["习的图", "度学习的图像识", "的图"])
def test_a_dropped_stop_word_never_glues_its_neighbours(corpus, q):
    """Found by the property below: 习的图 was searched as 习图 (的 dropped, 习 and 图 merged), found nothing."""
    assert expected(q) and set(expected(q)) <= set(titles(corpus, q))
    assert all(word in q for word, _ in search.search_terms(q))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_substring_hit_is_found(corpus, data):
    """Segmented terms only widen a literal search: a record holding the query as a substring is always found."""
    title, abstract = data.draw(st.sampled_from(TITLES))
    text = data.draw(st.sampled_from([title, abstract]))
    start = data.draw(st.integers(0, len(text) - 1))
    q = text[start : start + data.draw(st.integers(1, 8))].strip()
    if q:
        assert set(expected(q)) <= set(titles(corpus, q))


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
def test_a_request_never_indexes_a_backlog(corpus, index_calls):
    """During a big import the search must not pay for indexing nor take the write lock: fallback, no writes."""
    before = search.pending(limit=10**6)
    assert before == len(TITLES) > 2
    assert search.current() is False
    assert titles(corpus, "神经网络") == expected("神经网络")  # the fallback answers the same
    assert search.pending(limit=10**6) == before  # nothing indexed in the request
    assert index_calls == []


def test_background_task_indexes_and_analyses(corpus, monkeypatch):
    from panhuo.patents import tasks

    monkeypatch.setattr(tasks, "ANALYSE_AFTER", 1)
    indexed = tasks.search_index_build.call_local()
    assert indexed == (len(TITLES) if search.available() else 0)
    if search.available():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
