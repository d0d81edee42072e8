"""Pages: the 建档 form, submit, review queue, pool, coverage; tenant isolation on every page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from panhuo.patents.models import InventoryRecord, InventoryState, ReviewEvent
from panhuo.patents.services import inventory_approve, inventory_fill, inventory_submit
from panhuo.patents.tests.conftest import FULL_FILL

pytestmark = pytest.mark.django_db

FORM = {
    "first_inventor": "张三",
    "fiscal_funded": "yes",
    "implementation_status": "implemented",
    "conversion_intent": "yes",
    "conversion_modes": ["transfer", "equity"],
    "trl": "6",
    "value_self_grade": "A",
    "application_scenarios": "电池产线",
    "industrialisation_prospects": "良好",
    "contact_name": "李老师",
    "contact_phone": "13900001111",
    "contact_email": "li@example.edu.cn",
}


def test_fill_form_save_and_submit(client, record, inventor):
    client.force_login(inventor)
    url = reverse("patents:fill", args=[record.pk])
    page = client.get(url)
    assert page.status_code == 200 and "建档" in page.content.decode()
    response = client.post(url, {**FORM, "then": "save"})
    assert response.status_code == 302 and response["Location"] == f"/patents/{record.patent_id}/"
    record.refresh_from_db()
    assert (record.state, record.trl, record.conversion_modes, record.fiscal_funded) == (
        "draft",
        6,
        ["transfer", "equity"],
        True,
    )
    response = client.post(reverse("patents:submit", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == InventoryState.COLLEGE_REVIEW


def test_fill_form_rejects_bad_input_and_changes_nothing(client, record, inventor):
    client.force_login(inventor)
    response = client.post(
        reverse("patents:fill", args=[record.pk]), {**FORM, "contact_email": "bad", "then": "save"}
    )
    assert response.status_code == 200
    assert "联系邮箱格式不正确" in response.content.decode()
    assert InventoryRecord.objects.get(pk=record.pk).state == InventoryState.UNFILED
    assert ReviewEvent.objects.count() == 0


def test_extra_post_fields_are_ignored(client, record, inventor, other_university):
    client.force_login(inventor)
    client.post(
        reverse("patents:fill", args=[record.pk]),
        {
            **FORM,
            "then": "save",
            "state": "pooled",
            "organization": other_university.pk,
            "organization_id": other_university.pk,
        },
    )
    record.refresh_from_db()
    assert record.state == InventoryState.DRAFT and record.organization_id != other_university.pk


def test_queue_approve_and_return_via_pages(client, record, inventor, college_admin, institution_admin):
    inventory_fill(actor=inventor, record=record, changes=FULL_FILL)
    inventory_submit(actor=inventor, record=record)
    client.force_login(college_admin)
    queue = client.get(reverse("patents:queue")).content.decode()
    assert f'data-record="{record.pk}"' in queue
    review = reverse("patents:review", args=[record.pk])
    # return without a reason: refused, nothing changes
    client.post(review, {"decision": "return", "comment": "", "back": "queue"})
    assert InventoryRecord.objects.get(pk=record.pk).state == InventoryState.COLLEGE_REVIEW
    client.post(review, {"decision": "approve", "comment": "同意", "back": "queue"})
    assert InventoryRecord.objects.get(pk=record.pk).state == InventoryState.INSTITUTION_REVIEW
    assert f'data-record="{record.pk}"' not in client.get(reverse("patents:queue")).content.decode()
    client.force_login(institution_admin)
    assert f'data-record="{record.pk}"' in client.get(reverse("patents:queue")).content.decode()
    client.post(review, {"decision": "return", "comment": "请补充应用场景"})
    record.refresh_from_db()
    assert (record.state, record.return_reason) == ("draft", "请补充应用场景")
    detail = client.get(reverse("patents:detail", args=[record.patent_id])).content.decode()
    assert "请补充应用场景" in detail and f'id="history-{record.pk}"' in detail


def test_pool_and_list_for_enterprise(
    client, record, inventor, college_admin, institution_admin, enterprise_user
):
    client.force_login(enterprise_user)
    assert record.patent.title not in client.get(reverse("patents:pool")).content.decode()
    inventory_fill(actor=inventor, record=record, changes=FULL_FILL)
    inventory_submit(actor=inventor, record=record)
    inventory_approve(actor=college_admin, record=record)
    inventory_approve(actor=institution_admin, record=record)
    for name in ("patents:pool", "patents:list"):
        html = client.get(reverse(name), {"q": "极片"}).content.decode()
        assert f'data-record="{record.pk}"' in html
    detail = client.get(reverse("patents:detail", args=[record.patent_id])).content.decode()
    assert "138****1234" in detail and "13812341234" not in detail
    assert "tto@example.edu.cn" not in detail and f'id="history-{record.pk}"' not in detail


def test_coverage_page(client, record, institution_admin, office_user):
    client.force_login(institution_admin)
    html = client.get(reverse("patents:coverage")).content.decode()
    assert "甲大学" in html and "计算机学院" in html
    client.force_login(office_user)
    assert client.get(reverse("patents:coverage")).status_code == 200
    assert (
        client.get(reverse("patents:coverage"), {"organization": record.organization_id}).status_code == 404
    )


def test_roles_gate_queue_and_coverage(client, enterprise_user, inventor):
    client.force_login(enterprise_user)
    assert client.get(reverse("patents:queue")).status_code == 403
    assert client.get(reverse("patents:coverage")).status_code == 403
    client.force_login(inventor)
    assert client.get(reverse("patents:queue")).status_code == 403


def test_anonymous_redirected_to_login(client, record):
    for url in (
        reverse("patents:list"),
        reverse("patents:pool"),
        reverse("patents:detail", args=[record.patent_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]


# ---------------------------------------------------------------- isolation: tenant B never sees A's unpooled record


def test_other_tenant_gets_404_on_every_page(
    client, record, inventor, other_admin, other_inventor, enterprise_user
):
    inventory_fill(actor=inventor, record=record, changes=FULL_FILL)
    inventory_submit(actor=inventor, record=record)
    before = InventoryRecord.objects.filter(pk=record.pk).values().get()
    events = ReviewEvent.objects.count()
    pages = [
        ("get", reverse("patents:detail", args=[record.patent_id]), {}),
        ("get", reverse("patents:fill", args=[record.pk]), {}),
        ("post", reverse("patents:fill", args=[record.pk]), {**FORM, "then": "submit"}),
        ("post", reverse("patents:submit", args=[record.pk]), {}),
        ("post", reverse("patents:review", args=[record.pk]), {"decision": "approve"}),
        ("post", reverse("patents:review", args=[record.pk]), {"decision": "return", "comment": "x"}),
    ]
    for user in (other_admin, other_inventor, enterprise_user):
        client.force_login(user)
        for method, url, data in pages:
            status = getattr(client, method)(url, data).status_code
            assert status == 404, (user.role, method, url, status)
        for name in ("patents:list", "patents:pool", "patents:queue"):
            response = client.get(reverse(name), {"q": "极片"})
            assert f'data-record="{record.pk}"' not in response.content.decode()
            assert record.patent.title not in response.content.decode()
    assert InventoryRecord.objects.filter(pk=record.pk).values().get() == before
    assert ReviewEvent.objects.count() == events


def test_same_tenant_inventor_not_listed_gets_404(client, record, make_user, university):
    stranger = make_user("inventor", university)
    client.force_login(stranger)
    assert client.get(reverse("patents:detail", args=[record.patent_id])).status_code == 404
    assert client.get(reverse("patents:fill", args=[record.pk])).status_code == 404
    assert f'data-record="{record.pk}"' not in client.get(reverse("patents:list")).content.decode()


def test_api_lists_never_contain_other_tenants_ids(client, record, other_admin):
    client.force_login(other_admin)
    for path in ("/api/patents/", "/api/patents/pool"):
        body = client.get(path).json()
        assert record.pk not in [r["record_id"] for r in body["results"]], json.dumps(body)
