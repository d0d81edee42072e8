"""典型案例: draft → submitted → published / returned with reasons; reviewers per accounts.visibility; every error at
once; the public pages show published cases only, through a whitelist."""

from __future__ import annotations

import pytest
from django.test import Client

from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.common.models import AuditEvent
from panhuo.community import selectors
from panhuo.community.models import CaseState, CaseStudy
from panhuo.community.services import cases

pytestmark = pytest.mark.django_db


def _input(**kw) -> cases.CaseInput:
    base = {"title": "先使用后付费许可案例", "category": "mode", "summary": "学校向企业许可巡检机器人专利。"}
    base.update(kw)
    return cases.CaseInput(**base)


def test_draft_submit_publish(college_admin, institution_admin, deal, pooled_patent):
    case = cases.case_create(
        actor=college_admin, data=_input(contract_yuan="300,000", jobs=12, deal_codes="JY-C-1")
    )
    assert case.state == CaseState.DRAFT and case.contract_fen == 30_000_000 and case.jobs == 12
    assert list(case.deals.all()) == [deal] and list(case.patents.all()) == [pooled_patent]
    cases.case_submit(actor=college_admin, case_id=case.pk)
    case = cases.case_review(actor=institution_admin, case_id=case.pk, publish=True)
    assert case.state == CaseState.PUBLISHED and case.published_at is not None
    assert list(selectors.cases_public()) == [case]
    actions = list(
        AuditEvent.objects.filter(object_type="community.CaseStudy").values_list("action", flat=True)
    )
    assert actions == ["case.create", "case.submit", "case.publish"]


def test_every_error_at_once_and_nothing_saved(college_admin):
    with pytest.raises(ApplicationError) as caught:
        cases.case_create(
            actor=college_admin,
            data=_input(
                title="", category="x", contract_yuan="-5", jobs=-1, deal_codes="JY-NOPE", patents="CN999A"
            ),
        )
    fields = [e["field"] for e in caught.value.extra["errors"]]
    assert fields == ["title", "contract", "jobs", "category", "deal_codes", "patents"]
    assert CaseStudy.objects.count() == 0


def test_review_refusals(college_admin, institution_admin, other_admin, enterprise_user, chongqing):
    with pytest.raises(PermissionRefused):
        cases.case_create(actor=enterprise_user, data=_input())
    own = cases.case_create(actor=institution_admin, data=_input())
    cases.case_submit(actor=institution_admin, case_id=own.pk)
    with pytest.raises(PermissionRefused):  # never the author
        cases.case_review(actor=institution_admin, case_id=own.pk, publish=True)
    case = cases.case_create(actor=college_admin, data=_input(title="另一案例"))
    with pytest.raises(ApplicationError):  # a draft cannot be reviewed
        cases.case_review(actor=institution_admin, case_id=case.pk, publish=True)
    cases.case_submit(actor=college_admin, case_id=case.pk)
    for stranger in (other_admin, enterprise_user):
        with pytest.raises(PermissionRefused):
            cases.case_review(actor=stranger, case_id=case.pk, publish=True)
    with pytest.raises(ApplicationError) as caught:
        cases.case_review(actor=institution_admin, case_id=case.pk, publish=False, reason="  ")
    assert caught.value.extra["errors"][0]["field"] == "reason"
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.reviewed_by is None
    cases.case_review(actor=institution_admin, case_id=case.pk, publish=False, reason="请补充金额")
    case.refresh_from_db()
    assert (case.state, case.return_reason) == (CaseState.RETURNED, "请补充金额")
    cases.case_update(
        actor=college_admin, case_id=case.pk, data=_input(title="改后的案例", contract_yuan="1000")
    )
    cases.case_submit(actor=college_admin, case_id=case.pk)
    with pytest.raises(ApplicationError):  # submitted: locked
        cases.case_update(actor=college_admin, case_id=case.pk, data=_input())


def test_office_reviews_its_region_only(
    college_admin, office_user, beijing_office_user, other_admin, chongqing
):
    case = cases.case_create(actor=college_admin, data=_input())
    cases.case_submit(actor=college_admin, case_id=case.pk)
    assert list(selectors.cases_to_review(office_user)) == [case]
    assert list(selectors.cases_to_review(beijing_office_user)) == []
    for outsider in (beijing_office_user, other_admin):
        with pytest.raises(NotFound):
            selectors.case_get(outsider, case.pk)
        with pytest.raises(PermissionRefused):
            cases.case_review(actor=outsider, case_id=case.pk, publish=True)
    cases.case_review(actor=office_user, case_id=case.pk, publish=True)
    assert selectors.case_get(beijing_office_user, case.pk) == case  # published: everyone


def test_public_pages_show_published_only_and_no_internal_fields(
    college_admin, institution_admin, deal, chongqing
):
    published = cases.case_create(
        actor=college_admin, data=_input(title="已发布的案例", deal_codes="JY-C-1", revenue_yuan="2,000,000")
    )
    cases.case_submit(actor=college_admin, case_id=published.pk)
    cases.case_review(actor=institution_admin, case_id=published.pk, publish=True)
    returned = cases.case_create(actor=college_admin, data=_input(title="被退回的案例"))
    cases.case_submit(actor=college_admin, case_id=returned.pk)
    cases.case_review(
        actor=institution_admin, case_id=returned.pk, publish=False, reason="内部意见：金额存疑"
    )
    draft = cases.case_create(actor=college_admin, data=_input(title="草稿案例"))
    anon = Client()
    listing = anon.get("/public/cases/").content.decode()
    assert "已发布的案例" in listing and "被退回的案例" not in listing and "草稿案例" not in listing
    page = anon.get(f"/public/cases/{published.pk}/").content.decode()
    assert "2,000,000.00" in page and "巡检机器人许可" in page
    for secret in (college_admin.username, institution_admin.username, "JY-C-1", "300,000.00"):
        assert secret not in page  # no people, no deal code, no deal contract amount
    assert anon.get(f"/public/cases/{returned.pk}/").status_code == 404
    assert anon.get(f"/public/cases/{draft.pk}/").status_code == 404
    assert "已发布的案例" in anon.get("/public/").content.decode()
    api = anon.get("/api/community/cases/public").json()
    assert [c["title"] for c in api] == ["已发布的案例"] and "内部意见" not in str(api)
    assert anon.get("/api/community/cases").status_code == 401


def test_pages_keep_input_and_show_all_errors(college_admin, institution_admin, chongqing):
    c = Client()
    c.force_login(college_admin)
    r = c.post(
        "/community/cases/new/",
        {"title": "", "category": "mode", "summary": "", "jobs": "abc", "contract": "x"},
    )
    body = r.content.decode()
    assert r.status_code == 400
    assert "请填写案例名称" in body and "请填写摘要" in body and "合同金额：" in body and "输入整数" in body
    assert CaseStudy.objects.count() == 0
    r = c.post("/community/cases/new/", {"title": "网页案例", "category": "service", "summary": "摘要"})
    case = CaseStudy.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/community/cases/{case.pk}/"
    c.post(f"/community/cases/{case.pk}/", {"action": "submit"})
    a = Client()
    a.force_login(institution_admin)
    r = a.post(f"/community/cases/{case.pk}/", {"action": "return", "reason": ""})
    assert r.status_code == 400 and "退回时请填写原因" in r.content.decode()
    a.post(f"/community/cases/{case.pk}/", {"action": "publish", "reason": ""})
    case.refresh_from_db()
    assert case.state == CaseState.PUBLISHED
