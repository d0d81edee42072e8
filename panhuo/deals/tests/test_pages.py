"""Pages and API: tenant isolation (404), the public open-licence listing, forms with money in yuan."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from panhuo.deals.models import Deal, DealKind, DealState, LicenceType, Payment
from panhuo.deals.services import deal_create, open_licence_declare, payment_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(institution_admin, patent, enterprise):
    return deal_create(
        actor=institution_admin,
        kind=DealKind.LICENCE,
        title="普通许可甲",
        patents=[patent],
        counterparties=[(enterprise, "licensee")],
        licence_type=LicenceType.ORDINARY,
        contract_amount_fen=300_000_00,
        state=DealState.SIGNED,
    )


def test_list_and_detail_visibility(
    client, deal, institution_admin, other_admin, enterprise_user, office_user
):
    for user in (institution_admin, enterprise_user):
        client.force_login(user)
        assert deal.code in client.get(reverse("deals:list")).content.decode()
        assert client.get(reverse("deals:detail", args=[deal.pk])).status_code == 200
    client.force_login(other_admin)
    assert deal.code not in client.get(reverse("deals:list")).content.decode()
    assert client.get(reverse("deals:detail", args=[deal.pk])).status_code == 404
    # the office sees deals in its region only
    client.force_login(office_user)
    assert client.get(reverse("deals:detail", args=[deal.pk])).status_code == 404
    enterprise_user.organization.region_code = "500107"
    enterprise_user.organization.save()
    assert client.get(reverse("deals:detail", args=[deal.pk])).status_code == 200


def test_payment_form_parses_yuan(client, deal, institution_admin):
    client.force_login(institution_admin)
    url = reverse("deals:payment", args=[deal.pk])
    client.post(url, {"amount": "１,２３４.５", "received_on": "2025-02-01", "reference": "B1"})
    assert list(Payment.objects.values_list("amount_fen", flat=True)) == [123450]
    response = client.post(url, {"amount": "1.234,5", "received_on": "2025-02-01"}, follow=True)
    assert "金额格式不正确" in response.content.decode()
    response = client.post(url, {"amount": "-3", "received_on": "2025-02-01"}, follow=True)
    assert "金额不能为负数" in response.content.decode()
    assert Payment.objects.count() == 1 and Deal.objects.get(pk=deal.pk).received_fen == 123450


def test_other_tenant_cannot_post_actions(client, deal, other_admin):
    client.force_login(other_admin)
    r = client.post(reverse("deals:payment", args=[deal.pk]), {"amount": "1", "received_on": "2025-02-01"})
    assert r.status_code == 404
    r = client.post(reverse("deals:advance", args=[deal.pk]), {"target": "terminated", "comment": "x"})
    assert r.status_code == 404
    assert Payment.objects.count() == 0 and Deal.objects.get(pk=deal.pk).state == DealState.SIGNED


def test_create_deal_form(client, institution_admin, patent):
    client.force_login(institution_admin)
    r = client.post(
        reverse("deals:new"),
        {
            "kind": "transfer",
            "title": "转让给新公司",
            "patents": patent.app_no,
            "party_name": "新公司",
            "party_credit_code": "91350100M000100Y43",
            "contract_amount": "1,000.00",
        },
    )
    deal = Deal.objects.get()
    assert r.status_code == 302 and deal.contract_amount_fen == 100000
    assert set(deal.parties.values_list("organization__name", "role")) == {
        ("甲大学", "assignor"),
        ("新公司", "assignee"),
    }


def test_create_deal_form_rejects_bad_credit_code(client, institution_admin, patent):
    client.force_login(institution_admin)
    r = client.post(
        reverse("deals:new"),
        {
            "kind": "transfer",
            "title": "x",
            "patents": patent.app_no,
            "party_name": "坏公司",
            "party_credit_code": "91350100M000100Y44",
        },
    )
    assert "校验位错误" in r.content.decode() and Deal.objects.count() == 0


def test_public_open_licence_listing_without_login(client, institution_admin, patent):
    open_licence_declare(
        actor=institution_admin,
        patent=patent,
        payment_method="one_off",
        fixed_fee_fen=10_000_00,
        term_start=date(2026, 1, 1),
        term_end=date(2030, 1, 1),
    )
    body = client.get(reverse("deals:public-open-licences")).content.decode()
    assert patent.app_no in body and "10,000.00" in body
    api = client.get("/api/deals/public/open-licences").json()
    assert [d["patent"] for d in api] == [patent.app_no]


def test_income_page_shows_only_own(client, deal, institution_admin, inventor, make_user, university):
    from panhuo.deals.services import inventors_set
    from panhuo.deals.services.deals import InventorShare

    other = make_user("inventor", university, display_name="李四")
    inventors_set(
        deal_id=deal.pk,
        actor=institution_admin,
        inventors=[InventorShare("张三", 5000, inventor.pk), InventorShare("李四", 5000, other.pk)],
    )
    payment_record(deal_id=deal.pk, actor=institution_admin, amount_fen=100_00, received_on=date(2025, 1, 1))
    client.force_login(inventor)
    body = client.get(reverse("deals:income")).content.decode()
    assert "35.00" in body and "李四" not in body
    assert client.get("/api/deals/income").json()["total_fen"] == 35_00


def test_api_create_advance_and_isolation(client, institution_admin, other_admin, patent):
    client.force_login(institution_admin)
    r = client.post(
        "/api/deals/deals",
        json.dumps(
            {
                "kind": "licence",
                "title": "API 许可",
                "patents": [patent.app_no],
                "parties": [{"name": "API 公司", "role": "licensee"}],
                "licence_type": "ordinary",
                "contract_amount_fen": 5000,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    deal_id = r.json()["id"]
    r = client.post(
        f"/api/deals/deals/{deal_id}/advance",
        json.dumps({"target": "signed"}),
        content_type="application/json",
    )
    assert r.json()["state"] == "signed"
    r = client.post(
        "/api/deals/deals",
        json.dumps({"kind": "licence", "title": "x", "patents": [patent.app_no], "institution": 1}),
        content_type="application/json",
    )
    assert r.status_code == 422
    client.force_login(other_admin)
    assert client.get(f"/api/deals/deals/{deal_id}").status_code == 404
    assert client.get("/api/deals/deals").json() == []
    client.logout()
    assert client.get("/api/deals/deals").status_code == 401


def test_instalment_schedule_form_and_api(client, deal, institution_admin, other_admin):
    client.force_login(institution_admin)
    client.post(reverse("deals:instalment", args=[deal.pk]), {"due_date": "2026-12-31", "amount": "150,000"})
    r = client.post(
        f"/api/deals/deals/{deal.pk}/instalments",
        json.dumps({"due_date": "2027-06-30", "amount_fen": 15_000_000}),
        content_type="application/json",
    )
    assert r.status_code == 201
    assert list(deal.instalments.values_list("amount_fen", flat=True)) == [15_000_000, 15_000_000]
    client.force_login(other_admin)
    r = client.post(
        f"/api/deals/deals/{deal.pk}/instalments",
        json.dumps({"due_date": "2027-06-30", "amount_fen": 1}),
        content_type="application/json",
    )
    assert r.status_code == 404 and deal.instalments.count() == 2
    assert client.get("/api/deals/deals?limit=-5&offset=-3").status_code == 200


def test_patent_panel_lists_only_visible_deals(client, deal, patent, institution_admin, other_admin):
    client.force_login(institution_admin)
    assert deal.code in client.get(reverse("deals:patent-panel", args=[patent.pk])).content.decode()
    client.force_login(other_admin)
    body = client.get(reverse("deals:patent-panel", args=[patent.pk])).content.decode()
    assert deal.code not in body and "暂无可见的交易记录" in body
