"""Tenant isolation and roles on pages and API: another institution's disclosures are invisible and unchangeable."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from panhuo.accounts.models import Role
from panhuo.common.errors import NotFound
from panhuo.disclosures import services
from panhuo.disclosures.models import Disclosure, DisclosureState, PreFilingEvaluation
from panhuo.disclosures.selectors import disclosure_get, disclosure_list
from panhuo.disclosures.tests.conftest import DISCLOSURE

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def stranger(other_university, make_user):
    return make_user(Role.INSTITUTION_ADMIN, other_university)


@pytest.fixture
def other_college_admin(university, make_user):
    return make_user(Role.COLLEGE_ADMIN, university, college=university.colleges.get(code="ME"))


def test_visibility_by_role(
    submitted,
    inventor,
    college_admin,
    institution_admin,
    stranger,
    other_college_admin,
    office_user,
    enterprise_user,
    make_user,
    university,
):
    other_inventor = make_user(Role.INVENTOR, university, college=university.colleges.get(code="CS"))
    for user in (inventor, college_admin, institution_admin):
        assert list(disclosure_list(user)) == [submitted]
    for user in (stranger, other_college_admin, office_user, enterprise_user, other_inventor):
        assert list(disclosure_list(user)) == []
        with pytest.raises(NotFound):
            disclosure_get(user, submitted.pk)


def test_other_institution_cannot_decide_or_search(submitted, stranger):
    for call in (
        lambda: services.evaluation_decide(
            actor=stranger, disclosure=submitted, decision="release", reasons="x", deadline=None
        ),
        lambda: services.evaluation_search_similar(actor=stranger, disclosure=submitted),
        lambda: services.filing_record(actor=stranger, disclosure=submitted, filed_on=timezone.localdate()),
        lambda: services.disclosure_submit(actor=stranger, disclosure=submitted),
    ):
        with pytest.raises(NotFound):
            call()
    submitted.refresh_from_db()
    assert submitted.state == DisclosureState.SUBMITTED
    assert PreFilingEvaluation.objects.count() == 0


def test_pages_refuse_strangers_and_change_nothing(submitted, stranger, enterprise_user):
    c = _client(stranger)
    assert c.get(f"/disclosures/{submitted.pk}/").status_code == 404
    r = c.post(f"/disclosures/{submitted.pk}/decide/", {"decision": "release", "reasons": "抢先放弃"})
    assert r.status_code == 404
    assert DISCLOSURE["title"] not in c.get("/disclosures/").content.decode()
    assert _client(enterprise_user).get("/disclosures/").status_code == 403
    assert PreFilingEvaluation.objects.count() == 0


def test_api_refuses_strangers(submitted, stranger):
    c = _client(stranger)
    assert c.get(f"/api/disclosures/{submitted.pk}").status_code == 404
    r = c.post(
        f"/api/disclosures/{submitted.pk}/decision",
        json.dumps({"decision": "release", "reasons": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 404
    assert c.get("/api/disclosures/").json() == []
    assert PreFilingEvaluation.objects.count() == 0


def test_form_shows_every_error_and_keeps_input(inventor):
    c = _client(inventor)
    data = {
        "title": "一种包覆方法",
        "field": "电池",
        "problem": "衰减快",
        "solution": "包覆",
        "inventors": "张三 70\n李四 20",
        "funding_source": "fiscal",
        "funding_projects": "",
        "submit": "1",
    }
    r = c.post("/disclosures/new/", data)
    assert r.status_code == 400
    page = r.content.decode()
    assert "发明人贡献比例合计应为 100%，现为 90%" in page
    assert "财政资助项目须填写项目编号" in page
    assert "一种包覆方法" in page  # the input is kept
    assert Disclosure.objects.count() == 0


def test_api_journey(submitted, institution_admin):
    c = _client(institution_admin)
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
    r = c.post(
        f"/api/disclosures/{submitted.pk}/decision",
        json.dumps(
            {
                "decision": "file_invention",
                "reasons": "有市场",
                "novelty_notes": "未见相同方案",
                "deadline": deadline,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["evaluation"]["decision_label"] == "申请发明专利"
    r = c.post(
        f"/api/disclosures/{submitted.pk}/filing",
        json.dumps({"filed_on": timezone.localdate().isoformat(), "app_no": "2024101234567"}),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "app_no_check_digit" and r.json()["field"] == "app_no"
    from panhuo.disclosures.tests.conftest import app_no

    number = app_no("202410123456")
    r = c.post(
        f"/api/disclosures/{submitted.pk}/filing",
        json.dumps({"filed_on": timezone.localdate().isoformat(), "app_no": number}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "filed" and body["filing"]["app_no"] == number
    assert body["filing"]["patent_id"] is not None and body["filing"]["inventory_record_id"] is not None
