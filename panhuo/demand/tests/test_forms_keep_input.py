"""Dead ends: a refusal comes back on the same form, with what was typed, and every field's error at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.demand.models import CooperationRequest, Need

pytestmark = pytest.mark.django_db


def test_cooperation_request_with_a_mistyped_phone_keeps_the_message(client, enterprise_user, pooled_patent):
    client.force_login(enterprise_user)
    url = reverse("demand:request-create", args=[pooled_patent.pk])
    r = client.post(
        url, {"mode": "licence", "message": "我们想合作开发检索系统", "contact_phone": "1381234abc"}
    )
    page = r.content.decode()
    assert r.status_code == 400
    assert (
        "联系电话格式无效" in page
        and "我们想合作开发检索系统</textarea>" in page
        and 'value="1381234abc"' in page
    )
    assert 'id="cooperation-form"' in page and CooperationRequest.objects.count() == 0
    # corrected on the same form, it is sent
    r = client.post(
        url, {"mode": "licence", "message": "我们想合作开发检索系统", "contact_phone": "13812341234"}
    )
    assert r.status_code == 302 and CooperationRequest.objects.get().contact_phone == "13812341234"


def test_cooperation_request_shows_missing_message_and_bad_phone_together(
    client, enterprise_user, pooled_patent
):
    client.force_login(enterprise_user)
    r = client.post(
        reverse("demand:request-create", args=[pooled_patent.pk]), {"mode": "licence", "contact_phone": "x"}
    )
    page = r.content.decode()
    assert r.status_code == 400 and 'id="error_message"' in page and 'id="error_contact_phone"' in page
    assert CooperationRequest.objects.count() == 0


def test_need_form_shows_every_error_after_one_submit(client, enterprise_user, pooled_patent):
    client.force_login(enterprise_user)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    r = client.post(
        reverse("demand:need-create"),
        {
            "title": "",
            "description": "需要一种检索方法",
            "wanted_mode": "licence",
            "budget_min": "500",
            "budget_max": "100",
            "deadline": yesterday,
            "patents": "CN999999999A",
            "publish": "1",
        },
    )
    page = r.content.decode()
    assert r.status_code == 400 and Need.objects.count() == 0
    for field in ("title", "budget_min", "deadline"):
        assert f'id="error_{field}"' in page, field
    assert "没有找到号码为 CN999999999A 的专利" in page
    assert "需要一种检索方法</textarea>" in page and "关联专利 ID" not in page


def test_need_form_takes_a_publication_number(client, enterprise_user, pooled_patent):
    client.force_login(enterprise_user)
    r = client.post(
        reverse("demand:need-create"),
        {
            "title": "检索",
            "description": "需要一种检索方法",
            "wanted_mode": "licence",
            "patents": pooled_patent.key,
            "publish": "1",
        },
    )
    assert r.status_code == 302
    assert list(Need.objects.get().patents.all()) == [pooled_patent]


def test_the_request_form_of_an_unpooled_patent_is_not_found(
    client, enterprise_user, university, make_patent
):
    from panhuo.patents.models import InventoryState

    draft = make_patent(university, state=InventoryState.DRAFT, title="一种尚未入库的秘密方法")
    client.force_login(enterprise_user)
    for response in (
        client.get(reverse("demand:request-create", args=[draft.pk])),
        client.post(reverse("demand:request-create", args=[draft.pk]), {"mode": "licence", "message": "x"}),
    ):
        assert response.status_code == 404 and "秘密方法" not in response.content.decode()
    assert CooperationRequest.objects.count() == 0
