"""The public front door shows only what institutions published and enterprises posted, through whitelists."""

from __future__ import annotations

import pytest
from django.test import Client

from panhuo.common.errors import PermissionRefused
from panhuo.demand.models import Need, NeedStatus
from panhuo.patents.models import InventoryRecord, InventoryState, Patent
from panhuo.patents.publishing import inventory_publish

pytestmark = pytest.mark.django_db


def make_record(org, n: int, state: str = InventoryState.POOLED, **record) -> InventoryRecord:
    patent = Patent.objects.create(
        app_no=f"20211000{n:04d}X",
        patent_type="invention",
        title=f"一种公开测试方法{n}",
        abstract=f"摘要{n}",
        inventors=["机密发明人甲"],
        claims="权利要求内部文本",
    )
    return InventoryRecord.objects.create(organization=org, patent=patent, state=state, **record)


@pytest.fixture
def records(university, other_university):
    return {
        "published": make_record(
            university,
            1,
            first_inventor="机密发明人甲",
            contact_phone="13912345678",
            return_reason="内部退回意见",
            application_scenarios="用于储能电站",
        ),
        "pooled_unpublished": make_record(university, 2),
        "draft": make_record(university, 3, state=InventoryState.DRAFT),
        "other_pooled": make_record(other_university, 4),
    }


def test_only_published_pooled_records_are_public(records, institution_admin):
    assert (
        inventory_publish(
            actor=institution_admin,
            record_ids=[records["published"].pk, records["draft"].pk, records["other_pooled"].pk],
            publish=True,
        )
        == 1
    )  # a draft and another institution's record are not this admin's to publish
    client = Client()
    listing = client.get("/public/patents/").content.decode()
    assert "一种公开测试方法1" in listing
    for n in (2, 3, 4):
        assert f"一种公开测试方法{n}" not in listing
    page = client.get(f"/public/patents/{records['published'].pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "用于储能电站" in text and "登录后联系权利人" in text
    for secret in ("机密发明人甲", "13912345678", "5678", "内部退回意见", "权利要求内部文本"):
        assert secret not in text
    for key in ("pooled_unpublished", "draft", "other_pooled"):
        assert client.get(f"/public/patents/{records[key].pk}/").status_code == 404
    assert "一种公开测试方法1" in client.get("/public/patents/?q=公开测试方法1").content.decode()
    assert "一种公开测试方法1" in client.get("/public/").content.decode()


def test_reopening_or_unpublishing_takes_a_record_off_the_front_door(records, institution_admin):
    record = records["published"]
    inventory_publish(actor=institution_admin, record_ids=[record.pk], publish=True)
    InventoryRecord.objects.filter(pk=record.pk).update(state=InventoryState.DRAFT)
    assert Client().get(f"/public/patents/{record.pk}/").status_code == 404
    InventoryRecord.objects.filter(pk=record.pk).update(state=InventoryState.POOLED)
    inventory_publish(actor=institution_admin, record_ids=[record.pk], publish=False)
    assert Client().get(f"/public/patents/{record.pk}/").status_code == 404


def test_only_the_institution_admin_publishes(records, college_admin, enterprise_user):
    for actor in (college_admin, enterprise_user):
        with pytest.raises(PermissionRefused):
            inventory_publish(actor=actor, record_ids=[records["pooled_unpublished"].pk], publish=True)
    assert not InventoryRecord.objects.filter(public_since__isnull=False).exists()


def test_publish_page_publishes_all_pooled(client, records, institution_admin):
    client.force_login(institution_admin)
    assert client.post("/publish/", {"scope": "all", "action": "publish"}).status_code == 302
    public = set(InventoryRecord.objects.filter(public_since__isnull=False).values_list("pk", flat=True))
    assert public == {records["published"].pk, records["pooled_unpublished"].pk}


def test_public_needs_show_posted_needs_without_contacts(enterprise, make_user):
    posted = Need.objects.create(
        enterprise=enterprise,
        title="需要低温电池技术",
        description="描述内容",
        wanted_mode="licence",
        status=NeedStatus.OPEN,
    )
    draft = Need.objects.create(
        enterprise=enterprise,
        title="草稿需求不公开",
        description="x",
        wanted_mode="licence",
        status=NeedStatus.DRAFT,
    )
    client = Client()
    listing = client.get("/public/needs/").content.decode()
    assert "需要低温电池技术" in listing and "草稿需求不公开" not in listing
    detail = client.get(f"/public/needs/{posted.pk}/")
    assert detail.status_code == 200 and "登录后答复或联系" in detail.content.decode()
    assert client.get(f"/public/needs/{draft.pk}/").status_code == 404


def test_front_door_pages_need_no_login_and_publish_page_does(client):
    for url in ("/public/", "/public/patents/", "/public/needs/", "/demand/register/"):
        assert client.get(url).status_code == 200, url
    response = client.get("/publish/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
