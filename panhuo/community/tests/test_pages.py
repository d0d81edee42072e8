"""Every community page answers for its roles, is linked from the navigation, and refuses the others."""

from __future__ import annotations

import pytest
from django.test import Client

from panhuo.community.services import brokers

pytestmark = pytest.mark.django_db

PAGES = {
    "/community/cases/": ("office", "college", "enterprise", "agency"),
    "/community/cases/new/": ("office", "college"),
    "/community/events/": ("office", "college", "enterprise", "agency"),
    "/community/events/new/": ("office", "college", "agency"),
    "/community/events/stats/": ("office", "college", "agency"),
    "/community/events/attendance/": ("office", "college", "agency"),
    "/community/events/attendance/template.xlsx": ("office", "college", "agency"),
    "/community/brokering/": ("college", "enterprise", "agency"),
    "/community/brokering/proposals/new/": ("agency",),
    "/community/brokering/services/new/": ("agency",),
    "/community/origins/": ("college",),
    "/community/managers/": ("office", "college", "enterprise", "agency"),
    "/community/managers/me/": ("office", "college", "enterprise", "agency"),
}


@pytest.fixture
def users(office_user, college_admin, enterprise_user, agency_user):
    return {
        "office": office_user,
        "college": college_admin,
        "enterprise": enterprise_user,
        "agency": agency_user,
    }


def test_pages_by_role(users, office_event, need, pooled_patent):
    for who, user in users.items():
        c = Client()
        c.force_login(user)
        home = c.get("/").content.decode()
        assert 'href="/community/events/"' in home and 'href="/community/cases/"' in home
        for url, allowed in PAGES.items():
            status = c.get(url).status_code
            assert status == (200 if who in allowed else 403), (who, url, status)
        assert c.get(f"/community/events/{office_event.pk}/").status_code == 200


def test_signed_out_and_refused_roles(inventor, office_event):
    anon = Client()
    assert anon.get("/community/cases/").status_code == 302
    assert anon.get("/public/cases/").status_code == 200 and anon.get("/public/managers/").status_code == 200
    inventor_user, inventor = inventor, Client()
    inventor.force_login(inventor_user)
    assert inventor.get("/community/brokering/").status_code == 403


def test_manager_form_keeps_input(agency_user):
    c = Client()
    c.force_login(agency_user)
    r = c.post("/community/managers/me/", {"name": "周经纪", "qualification": "", "fields_text": ""})
    body = r.content.decode()
    assert (
        r.status_code == 400
        and "请填写资格" in body
        and "请填写服务领域" in body
        and 'value="周经纪"' in body
    )
    brokers.manager_save(
        actor=agency_user,
        data=brokers.ManagerInput(name="周经纪", qualification="中级", fields_text="新材料"),
    )
    assert "新材料" in c.get("/community/managers/").content.decode()
