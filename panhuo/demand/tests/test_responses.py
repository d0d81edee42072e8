"""Office 需求响应: response times and overdue lists, computed from fixed timestamps."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from panhuo.accounts.models import Organization, OrganizationType, Role
from panhuo.demand import selectors
from panhuo.demand.models import CooperationRequest, Need
from panhuo.demand.services import (
    cooperation_request_create,
    cooperation_request_reply,
    need_answer,
    need_create,
)


def _need(user, title, published_days_ago, now):
    need = need_create(actor=user, title=title, description="d", wanted_mode="licence")
    Need.objects.filter(pk=need.pk).update(published_at=now - timedelta(days=published_days_ago))
    need.refresh_from_db()
    return need


def test_response_report(enterprise_user, institution_admin, office_user, pooled_patent, client):
    Organization.objects.filter(pk=enterprise_user.organization_id).update(region_code="500107")
    Organization.objects.filter(pk=institution_admin.organization_id).update(region_code="500106")
    now = timezone.now()
    answered = _need(enterprise_user, "已答复", 10, now)
    need_answer(
        actor=institution_admin,
        need=answered,
        text="有",
        answered_at=answered.published_at + timedelta(hours=30),
    )
    quick = _need(enterprise_user, "快速答复", 3, now)
    need_answer(
        actor=institution_admin, need=quick, text="有", answered_at=quick.published_at + timedelta(hours=6)
    )
    overdue = _need(enterprise_user, "超期", 20, now)
    _need(enterprise_user, "未超期", 5, now)

    late = cooperation_request_create(
        actor=enterprise_user, patent=pooled_patent, mode="licence", message="a"
    )
    CooperationRequest.objects.filter(pk=late.pk).update(created_at=now - timedelta(days=16))
    fast = cooperation_request_create(
        actor=enterprise_user, patent=pooled_patent, mode="licence", message="b"
    )
    CooperationRequest.objects.filter(pk=fast.pk).update(created_at=now - timedelta(days=2))
    fast.refresh_from_db()
    cooperation_request_reply(
        actor=institution_admin, request=fast, reply="ok", at=fast.created_at + timedelta(hours=4)
    )

    report = selectors.response_report(office_user, now=now)
    assert report.overdue_days == 15
    assert (report.needs_public, report.needs_answered) == (4, 2)
    assert [n.pk for n in report.needs_overdue] == [overdue.pk]
    assert report.median_first_answer_hours == 18.0  # median of 30 h and 6 h
    (row,) = report.institutions
    assert (row.answers, row.median_answer_hours) == (2, 18.0)
    assert (row.requests, row.replied, row.median_reply_hours, row.overdue_requests) == (2, 1, 4.0, 1)
    assert [r.pk for r in report.requests_overdue] == [late.pk]

    shorter = selectors.response_report(office_user, overdue_days=4, now=now)
    assert {n.title for n in shorter.needs_overdue} == {"超期", "未超期"}

    client.force_login(office_user)
    body = client.get("/demand/responses/?days=15").content.decode()
    assert "超期" in body and 'id="needs-overdue">1<' in body
    api = client.get("/api/demand/responses?days=15").json()
    assert api["needs_overdue"] == [overdue.pk]
    assert api["institutions"][0]["median_reply_hours"] == 4.0


def test_office_of_another_region_sees_nothing(
    enterprise_user, institution_admin, make_org, make_user, pooled_patent
):
    Organization.objects.filter(pk=enterprise_user.organization_id).update(region_code="500107")
    Organization.objects.filter(pk=institution_admin.organization_id).update(region_code="500106")
    other = make_org(OrganizationType.IP_OFFICE, code="OFF-SC", region_code="510000", office_level="province")
    official = make_user(Role.OFFICE_OFFICIAL, other)
    need_create(actor=enterprise_user, title="t", description="d", wanted_mode="licence")
    cooperation_request_create(actor=enterprise_user, patent=pooled_patent, mode="licence", message="a")
    report = selectors.response_report(official)
    assert (report.needs_public, report.institutions) == (0, [])
