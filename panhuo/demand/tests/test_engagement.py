from __future__ import annotations

import pytest

from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.demand import selectors
from panhuo.demand.models import CooperationRequest, Favourite, RequestStatus, Subscription
from panhuo.demand.services import (
    cooperation_request_close,
    cooperation_request_create,
    cooperation_request_reply,
    favourite_toggle,
    subscription_create,
    subscription_delete,
    subscription_similar_to_patent,
)
from panhuo.patents.activity import activity_of


def test_favourite_toggle_bumps_counter(enterprise_user, other_enterprise_user, pooled_patent):
    assert favourite_toggle(actor=enterprise_user, patent=pooled_patent) is True
    assert favourite_toggle(actor=other_enterprise_user, patent=pooled_patent) is True
    assert activity_of(pooled_patent.pk).favourites == 2
    assert favourite_toggle(actor=enterprise_user, patent=pooled_patent) is False
    assert activity_of(pooled_patent.pk).favourites == 1
    assert [f.patent for f in selectors.favourites_of(other_enterprise_user)] == [pooled_patent]
    assert list(selectors.favourites_of(enterprise_user)) == []


def test_unpooled_patent_not_actionable(enterprise_user, make_patent, university):
    patent = make_patent(university, state="institution_review")
    with pytest.raises(ApplicationError) as exc:
        favourite_toggle(actor=enterprise_user, patent=patent)
    assert exc.value.code == "not_pooled"
    with pytest.raises(ApplicationError):
        cooperation_request_create(actor=enterprise_user, patent=patent, mode="licence", message="想许可")
    assert Favourite.objects.count() == 0
    assert CooperationRequest.objects.count() == 0
    assert activity_of(patent.pk).favourites == 0


def test_only_enterprises_favourite(institution_admin, pooled_patent):
    with pytest.raises(PermissionRefused):
        favourite_toggle(actor=institution_admin, patent=pooled_patent)
    assert activity_of(pooled_patent.pk).favourites == 0


def test_subscriptions(enterprise_user, other_enterprise_user, university, pooled_patent):
    sub = subscription_create(
        actor=enterprise_user,
        name="",
        keywords=["检索", "检索", " "],
        ipc_codes=["g06f 16/35"],
        institution_ids=[university.pk],
    )
    assert (sub.keywords, sub.ipc_codes, sub.name) == (["检索"], ["G06F16/35"], "检索、G06F16/35")
    assert list(sub.institutions.all()) == [university]
    with pytest.raises(ApplicationError) as exc:
        subscription_create(actor=enterprise_user, name="空")
    assert exc.value.code == "subscription_empty"
    similar = subscription_similar_to_patent(actor=enterprise_user, patent=pooled_patent)
    assert (similar.ipc_codes, similar.industry_codes) == (["G06F"], ["6513"])
    with pytest.raises(NotFound):
        subscription_delete(actor=other_enterprise_user, subscription=sub)
    assert Subscription.objects.count() == 2
    subscription_delete(actor=enterprise_user, subscription=sub)
    assert list(Subscription.objects.values_list("pk", flat=True)) == [similar.pk]


def test_cooperation_inbox_isolation_and_flow(
    enterprise_user, other_enterprise_user, institution_admin, other_institution_admin, pooled_patent, client
):
    req = cooperation_request_create(
        actor=enterprise_user,
        patent=pooled_patent,
        mode="licence",
        message="希望许可",
        contact_phone="13800001111",
    )
    assert req.institution_id == institution_admin.organization_id
    assert list(selectors.requests_visible(institution_admin)) == [req]
    assert list(selectors.requests_visible(enterprise_user)) == [req]
    assert list(selectors.requests_visible(other_institution_admin)) == []
    assert list(selectors.requests_visible(other_enterprise_user)) == []
    with pytest.raises(NotFound):
        cooperation_request_reply(actor=other_institution_admin, request=req, reply="好")
    with pytest.raises(PermissionRefused):
        cooperation_request_reply(actor=enterprise_user, request=req, reply="好")
    req.refresh_from_db()
    assert (req.status, req.replied_at) == (RequestStatus.NEW, None)

    client.force_login(other_institution_admin)
    assert client.get(f"/demand/requests/{req.pk}/").status_code == 404
    assert client.post(f"/demand/requests/{req.pk}/", {"status": "accepted", "reply": "x"}).status_code == 404
    client.force_login(institution_admin)
    assert (
        client.post(f"/demand/requests/{req.pk}/", {"status": "replied", "reply": "请详谈"}).status_code
        == 302
    )
    req.refresh_from_db()
    first = req.replied_at
    assert req.status == RequestStatus.REPLIED and first is not None
    cooperation_request_reply(
        actor=institution_admin, request=req, reply="同意", status=RequestStatus.ACCEPTED
    )
    req.refresh_from_db()
    assert (req.status, req.replied_at) == (RequestStatus.ACCEPTED, first)
    with pytest.raises(ApplicationError) as exc:
        cooperation_request_reply(
            actor=institution_admin, request=req, reply="拒绝", status=RequestStatus.DECLINED
        )
    assert exc.value.code == "request_state"
    with pytest.raises(NotFound):
        cooperation_request_close(actor=other_enterprise_user, request=req)
    cooperation_request_close(actor=enterprise_user, request=req)
    req.refresh_from_db()
    assert req.status == RequestStatus.CLOSED


def test_request_to_non_holder_refused(enterprise_user, other_university, pooled_patent):
    with pytest.raises(ApplicationError) as exc:
        cooperation_request_create(
            actor=enterprise_user,
            patent=pooled_patent,
            institution=other_university,
            mode="transfer",
            message="x",
        )
    assert exc.value.code == "not_holder"
    assert CooperationRequest.objects.count() == 0


def test_patent_panel_and_actions(client, enterprise_user, pooled_patent, make_patent, university):
    client.force_login(enterprise_user)
    body = client.get(f"/demand/patent/{pooled_patent.pk}/panel/").content.decode()
    assert 'id="favourite-toggle"' in body and "发起合作请求" in body
    unpooled = make_patent(university, state="draft")
    body = client.get(f"/demand/patent/{unpooled.pk}/panel/").content.decode()
    assert "未进入转化资源库" in body and "favourite-toggle" not in body
    assert client.post(f"/demand/patent/{pooled_patent.pk}/favourite/").status_code == 302
    assert activity_of(pooled_patent.pk).favourites == 1
    resp = client.post(
        f"/demand/patent/{pooled_patent.pk}/request/",
        {"mode": "transfer", "message": "想受让", "institution": str(university.pk)},
    )
    assert resp.status_code == 302
    assert CooperationRequest.objects.get().institution == university
    assert client.post(f"/demand/patent/{pooled_patent.pk}/subscribe/").status_code == 302
    assert Subscription.objects.count() == 1
    for url in ("/demand/favourites/", "/demand/subscriptions/", "/demand/requests/"):
        assert client.get(url).status_code == 200


def test_api_favourite_and_requests(client, enterprise_user, institution_admin, pooled_patent):
    client.force_login(enterprise_user)
    assert client.post(f"/api/demand/favourites/{pooled_patent.pk}/toggle").json() == {"favourite": True}
    resp = client.post(
        "/api/demand/requests",
        {"mode": "licence", "message": "许可", "patent_id": pooled_patent.pk},
        content_type="application/json",
    )
    assert resp.status_code == 201
    client.force_login(institution_admin)
    rows = client.get("/api/demand/requests").json()
    assert [r["status"] for r in rows] == ["new"]
    resp = client.post(
        f"/api/demand/requests/{rows[0]['id']}/reply", {"reply": "可以"}, content_type="application/json"
    )
    assert resp.json()["status"] == "replied"


def test_panel_redirect_stays_on_site(client, enterprise_user, pooled_patent):
    client.force_login(enterprise_user)
    resp = client.post(f"/demand/patent/{pooled_patent.pk}/favourite/", {"next": "https://evil.example/x"})
    assert resp["Location"] == "/demand/favourites/"
    resp = client.post(
        f"/demand/patent/{pooled_patent.pk}/favourite/", {"next": f"/patents/{pooled_patent.pk}/"}
    )
    assert resp["Location"] == f"/patents/{pooled_patent.pk}/"
    assert activity_of(pooled_patent.pk).favourites == 0
