"""Events: every error at once, registration limits and closing, attendance (form and imported list), deal origins,
statistics per event, on the dashboard and in the command; other tenants refused and nothing changed."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from panhuo.accounts.models import Role
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.common.models import AuditEvent
from panhuo.community import selectors
from panhuo.community.models import DealOrigin, Event, EventRegistration
from panhuo.community.services import brokers, events
from panhuo.community.tests.conftest import event_input
from panhuo.imports.models import ImportReject, ImportStatus
from panhuo.imports.services import import_job_create, import_job_run

pytestmark = pytest.mark.django_db


def test_create_reports_every_error_at_once(office_user, enterprise_user):
    now = timezone.now()
    with pytest.raises(ApplicationError) as caught:
        events.event_create(
            actor=office_user,
            data=event_input(
                kind="party",
                title="",
                ends_at=now,
                capacity=0,
                registration_closes_at=now + timedelta(days=20),
                need_ids=[999999],
                patents="CN999999999A",
            ),
        )
    fields = [e["field"] for e in caught.value.extra["errors"]]
    assert fields == ["kind", "title", "ends_at", "registration_closes_at", "capacity", "need_ids", "patents"]
    with pytest.raises(PermissionRefused):
        events.event_create(actor=enterprise_user, data=event_input())
    assert Event.objects.count() == 0


def test_registration_limits_and_closing(
    office_event, enterprise_user, make_user, enterprise, inventor, agency_user
):
    colleague = make_user(Role.ENTERPRISE_USER, enterprise)
    office_event.per_org_limit = 1
    office_event.save()
    events.event_register(actor=enterprise_user, event_id=office_event.pk)
    with pytest.raises(ApplicationError) as caught:
        events.event_register(actor=enterprise_user, event_id=office_event.pk)
    assert caught.value.code == "registered"
    with pytest.raises(ApplicationError) as caught:
        events.event_register(actor=colleague, event_id=office_event.pk)
    assert caught.value.code == "org_limit"
    events.event_register(actor=inventor, event_id=office_event.pk)  # capacity 2: now full
    with pytest.raises(ApplicationError) as caught:
        events.event_register(actor=agency_user, event_id=office_event.pk)
    assert caught.value.code == "full"
    events.event_withdraw(actor=inventor, event_id=office_event.pk)
    office_event.registration_closes_at = timezone.now() - timedelta(minutes=1)
    office_event.save()
    with pytest.raises(ApplicationError) as caught:
        events.event_register(actor=agency_user, event_id=office_event.pk)
    assert caught.value.code == "registration_closed"
    with pytest.raises(ApplicationError):
        events.event_withdraw(actor=enterprise_user, event_id=office_event.pk)
    assert list(EventRegistration.objects.values_list("user_id", flat=True)) == [enterprise_user.pk]


def test_admin_roles_cannot_register(office_event, make_user):
    sysadmin = make_user(Role.SYSTEM_ADMIN, None)
    with pytest.raises(PermissionRefused):
        events.event_register(actor=sysadmin, event_id=office_event.pk)
    assert list(selectors.events_visible(sysadmin)) == []


def test_attendance_by_the_organiser_only(
    office_event, office_user, enterprise_user, beijing_office_user, agency_user
):
    reg = events.event_register(actor=enterprise_user, event_id=office_event.pk)
    with pytest.raises(ApplicationError) as caught:  # before the start
        events.attendance_mark(actor=office_user, event_id=office_event.pk, attended_ids=[reg.pk])
    assert caught.value.code == "not_started"
    Event.objects.filter(pk=office_event.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    for outsider in (beijing_office_user, agency_user, enterprise_user):
        with pytest.raises(NotFound):
            events.attendance_mark(actor=outsider, event_id=office_event.pk, attended_ids=[reg.pk])
        assert list(selectors.registrations_of(outsider, office_event)) == []
    reg.refresh_from_db()
    assert reg.attended is False
    assert events.attendance_mark(actor=office_user, event_id=office_event.pk, attended_ids=[reg.pk]) == 1
    reg.refresh_from_db()
    assert reg.attended is True and reg.attended_at is not None


def test_attendance_list_import(office, office_user, office_event, enterprise_user, tmp_path: Path):
    events.event_register(actor=enterprise_user, event_id=office_event.pk)
    Event.objects.filter(pk=office_event.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    code = office_event.code
    path = tmp_path / "attendance.csv"
    path.write_text(
        "活动编号,姓名,单位,用户名,签到\n"
        f"{code},,,{enterprise_user.username},是\n"
        f"{code},钱工程师,丁制造有限公司,,\n"
        "HD1999-0001,孙某,某单位,,是\n"
        f"{code},,,nobody,是\n",
        encoding="utf-8",
    )

    def run():
        job = import_job_create(organization=office, kind="event_attendance", path=path, actor=office_user)
        return import_job_run(job)

    job = run()
    assert job.status == ImportStatus.DONE
    assert (job.inserted, job.updated, job.unchanged, job.rejected) == (1, 1, 0, 2)
    assert sorted(ImportReject.objects.filter(job=job).values_list("line", "column")) == [
        (4, "event_code"),
        (5, "username"),
    ]
    walk_in = EventRegistration.objects.get(walk_in=True)
    assert (walk_in.name, walk_in.attended) == ("钱工程师", True)
    again = run()
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_deal_origin_by_the_deal_institution_only(
    deal, office_event, agency, institution_admin, other_admin, enterprise_user, agency_user
):
    with pytest.raises(NotFound):
        events.deal_origin_record(actor=other_admin, deal_id=deal.pk, event_id=office_event.pk)
    with pytest.raises(PermissionRefused):  # a party, not the institution
        events.deal_origin_record(actor=enterprise_user, deal_id=deal.pk, event_id=office_event.pk)
    with pytest.raises(NotFound):  # the broker cannot claim it
        events.deal_origin_record(actor=agency_user, deal_id=deal.pk, broker_id=agency.pk)
    with pytest.raises(ApplicationError) as caught:
        events.deal_origin_record(actor=institution_admin, deal_id=deal.pk, broker_id=deal.institution_id)
    assert [e["field"] for e in caught.value.extra["errors"]] == ["broker"]
    assert DealOrigin.objects.count() == 0
    events.deal_origin_record(
        actor=institution_admin, deal_id=deal.pk, event_id=office_event.pk, broker_id=agency.pk
    )
    assert [o.deal.code for o in selectors.brokered_deals(agency_user)] == ["JY-C-1"]


def test_statistics_per_event_dashboard_and_command(
    office_event,
    office_user,
    enterprise_user,
    agency_user,
    institution_admin,
    deal,
    agency,
    need,
    pooled_patent,
):
    events.event_register(actor=enterprise_user, event_id=office_event.pk)
    Event.objects.filter(pk=office_event.pk).update(
        starts_at=timezone.now() - timedelta(hours=2),
        registration_closes_at=timezone.now() - timedelta(hours=3),
    )
    reg = EventRegistration.objects.get()
    events.attendance_mark(actor=office_user, event_id=office_event.pk, attended_ids=[reg.pk])
    brokers.proposal_create(
        actor=agency_user,
        data=brokers.ProposalInput(
            patent="管廊巡检机器人", need_id=need.pk, reason="吻合", event_id=office_event.pk
        ),
    )
    events.deal_origin_record(
        actor=institution_admin, deal_id=deal.pk, event_id=office_event.pk, broker_id=agency.pk
    )
    year = timezone.localdate().year
    [row] = selectors.event_rows(year=year, region_prefix="50")
    assert (row.registrations, row.attended, row.matches, row.deals) == (1, 1, 1, 1)
    assert selectors.event_rows(year=year, region_prefix="11") == []
    s = selectors.community_statistics(year=year, region_prefix="50")
    assert (s.events, s.proposals, s.brokered_deals) == (1, 1, 1)
    c = Client()
    c.force_login(office_user)
    dash = c.get(f"/monitoring/?period={year}").content.decode()
    assert "举办活动 1 场，报名 1 人，签到 1 人；活动后续撮合建议 1 项，促成交易 1 笔" in dash
    page = c.get(f"/community/events/stats/?year={year}").content.decode()
    assert office_event.code in page
    out = StringIO()
    call_command("community_stats", "--year", str(year), "--region", "50", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["events"], data["attended"], data["follow_up_deals"]) == (1, 1, 1)


def test_pages_register_and_errors(office_user, enterprise_user, office_event):
    c = Client()
    c.force_login(office_user)
    r = c.post(
        "/community/events/new/",
        {"title": "", "kind": "roadshow", "starts_at": "not a time", "capacity": "0"},
    )
    body = r.content.decode()
    assert r.status_code == 400
    for message in (
        "请填写活动名称",
        "请填写地点或线上会议室",
        "输入一个有效的日期/时间",
        "名额应为",
        "请填写报名截止时间",
    ):
        assert message in body
    assert Event.objects.count() == 1
    e = Client()
    e.force_login(enterprise_user)
    assert office_event.title in e.get("/community/events/").content.decode()
    r = e.post(f"/community/events/{office_event.pk}/", {"action": "register"})
    assert r.status_code == 302 and EventRegistration.objects.filter(user=enterprise_user).exists()
    r = e.post(f"/community/events/{office_event.pk}/", {"action": "register"})
    assert r.status_code == 400 and "您已报名该活动" in r.content.decode()
    assert e.post(f"/community/events/{office_event.pk}/", {"action": "close"}).status_code == 403
    api = e.post(f"/api/community/events/{office_event.pk}/register")
    assert api.status_code == 400 and api.json()["code"] == "registered"


def test_api_refuses_odd_times_and_ids_without_a_server_error(office_user, enterprise_user):
    c = Client()
    c.force_login(office_user)
    body = {
        "kind": "roadshow",
        "title": "路演",
        "starts_at": "2030-12-10T09:00:00",  # no zone: read in the site's zone
        "ends_at": "2030-12-10T10:00:00+08:00",
        "place": "线上",
        "capacity": 5,
        "registration_closes_at": "2030-12-09T00:00:00Z",
    }
    r = c.post("/api/community/events", json.dumps(body), content_type="application/json")
    assert r.status_code == 201 and r.json()["code"] == "HD2030-0001"
    far = {**body, "starts_at": "0001-01-01T00:00:00", "need_ids": [2**70]}
    r = c.post("/api/community/events", json.dumps(far), content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert c.get("/api/community/events/stats?year=99999").status_code == 400
    e = Client()
    e.force_login(enterprise_user)
    assert e.post(f"/api/community/events/{2**70}/register").status_code == 404
    assert Event.objects.count() == 1


def test_organiser_edits_an_event_on_the_same_form_and_never_below_the_registered(
    office_user, enterprise_user, office_event
):
    events.event_register(actor=enterprise_user, event_id=office_event.pk)
    c = Client()
    c.force_login(office_user)
    form = c.get(f"/community/events/{office_event.pk}/edit/").content.decode()
    assert office_event.title in form and office_event.place in form and 'value="2"' in form  # prefilled
    start = timezone.localtime(office_event.starts_at) + timedelta(days=1)
    posted = {
        "kind": "roadshow",
        "title": "智能制造专场路演（改期）",
        "place": "高新区会议中心",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "registration_closes_at": (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "0",
    }
    r = c.post(f"/community/events/{office_event.pk}/edit/", posted)
    assert r.status_code == 400 and "名额应为" in r.content.decode()
    assert "高新区会议中心" in r.content.decode()  # the input is kept
    r = c.post(f"/community/events/{office_event.pk}/edit/", {**posted, "capacity": "5"})
    assert r.status_code == 302
    office_event.refresh_from_db()
    assert (office_event.title, office_event.place, office_event.capacity) == (
        "智能制造专场路演（改期）",
        "高新区会议中心",
        5,
    )
    assert office_event.code.startswith("HD")  # same event, same code
    changed = AuditEvent.objects.get(action="event.update").detail["changed"]
    assert {"title", "place", "capacity", "kind", "starts_at"} <= set(changed)


def test_capacity_never_drops_below_the_people_registered(office_user, enterprise_user, office_event):
    events.event_register(actor=enterprise_user, event_id=office_event.pk)
    events.event_update(actor=office_user, event_id=office_event.pk, data=event_input(capacity=1))
    with pytest.raises(ApplicationError) as err:
        events.event_update(actor=office_user, event_id=office_event.pk, data=event_input(capacity=0))
    assert err.value.field == "capacity"


def test_cancelled_event_tells_its_registrants_why_and_takes_no_more_changes(
    office_user, enterprise_user, office_event, beijing_office_user
):
    events.event_register(actor=enterprise_user, event_id=office_event.pk)
    with pytest.raises(NotFound):
        events.event_cancel(actor=beijing_office_user, event_id=office_event.pk, reason="不是我的活动")
    assert not Event.objects.get(pk=office_event.pk).cancelled
    c = Client()
    c.force_login(office_user)
    r = c.post(f"/community/events/{office_event.pk}/", {"action": "cancel", "reason": ""})
    assert r.status_code == 400 and "请填写取消原因" in r.content.decode()
    r = c.post(
        f"/community/events/{office_event.pk}/", {"action": "cancel", "reason": "场地临时不可用，另行通知"}
    )
    assert r.status_code == 302
    e = Client()
    e.force_login(enterprise_user)
    page = e.get(f"/community/events/{office_event.pk}/").content.decode()
    assert "本活动已取消。原因：场地临时不可用，另行通知" in page and 'id="register"' not in page
    listing = e.get("/community/events/").content.decode()
    assert "已取消" in listing  # in 我报名的活动
    with pytest.raises(ApplicationError) as err:
        events.event_update(actor=office_user, event_id=office_event.pk, data=event_input())
    assert err.value.code == "event_cancelled"
    assert c.get(f"/community/events/{office_event.pk}/edit/").status_code == 302


def test_public_page_announces_upcoming_events_without_the_registrants_or_an_online_room(
    office_user, enterprise_user, office_event
):
    events.event_register(actor=enterprise_user, event_id=office_event.pk)
    online = events.event_create(
        actor=office_user,
        data=event_input(title="线上路演", online=True, place="https://meeting.example/room-secret"),
    )
    dropped = events.event_create(actor=office_user, data=event_input(title="已取消的培训"))
    events.event_cancel(actor=office_user, event_id=dropped.pk, reason="讲师临时有事")
    page = Client().get("/public/events/")
    body = page.content.decode()
    assert page.status_code == 200
    assert office_event.title in body and office_event.place in body and "剩余名额 1" in body
    assert "线上路演" in body and "room-secret" not in body
    assert "已取消的培训" not in body and enterprise_user.name not in body
    assert f"?next=/community/events/{online.pk}/" in body
