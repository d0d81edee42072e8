from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from panhuo.accounts.models import OrganizationType, Role
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.demand import selectors
from panhuo.demand.models import Need, NeedAnswer, NeedStatus
from panhuo.demand.services import need_answer, need_close, need_create, need_publish, need_update
from panhuo.patents.activity import activity_of


def _need(user, **kw):
    args = {
        "title": "数据检索加速",
        "description": "需要大规模文本检索方案",
        "wanted_mode": "licence",
        "industry_code": "6513",
        "ipc_hints": ["G06F 16/35"],
        "budget_min_fen": 1_000_000,
        "budget_max_fen": 5_000_000,
    }
    args.update(kw)
    return need_create(actor=user, **args)


def test_create_normalises_and_publishes(enterprise_user):
    need = _need(enterprise_user)
    assert need.status == NeedStatus.OPEN
    assert need.published_at is not None
    assert need.ipc_hints == ["G06F16/35"]
    assert need.industry_name == "应用软件开发"
    assert need.budget_text == "10,000.00–50,000.00 元"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"budget_min_fen": 5, "budget_max_fen": 4}, "budget_range"),
        ({"budget_min_fen": -1}, "budget"),
        ({"ipc_hints": ["Z99"]}, "ipc"),
        ({"title": "  "}, "required"),
        ({"wanted_mode": "gift"}, "mode"),
        ({"deadline": timezone.localdate() - timedelta(days=1)}, "deadline"),
        ({"industry_code": "0000"}, "industry_code"),
    ],
)
def test_create_refusals_change_nothing(enterprise_user, kw, code):
    with pytest.raises(ApplicationError) as exc:
        _need(enterprise_user, **kw)
    assert exc.value.code == code
    assert Need.objects.count() == 0


def test_draft_visible_only_to_its_enterprise(
    enterprise_user, other_enterprise_user, institution_admin, client
):
    draft = _need(enterprise_user, publish=False)
    assert draft.status == NeedStatus.DRAFT
    assert list(selectors.needs_visible(enterprise_user)) == [draft]
    assert list(selectors.needs_visible(other_enterprise_user)) == []
    assert list(selectors.needs_visible(institution_admin)) == []
    client.force_login(other_enterprise_user)
    assert client.get(f"/demand/needs/{draft.pk}/").status_code == 404
    assert client.get(f"/api/demand/needs/{draft.pk}").status_code == 404
    assert client.post(f"/demand/needs/{draft.pk}/publish/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == NeedStatus.DRAFT
    need_publish(actor=enterprise_user, need=draft)
    assert list(selectors.needs_visible(other_enterprise_user)) == [draft]


def test_other_enterprise_cannot_edit_or_close(enterprise_user, other_enterprise_user):
    need = _need(enterprise_user)
    with pytest.raises(NotFound):
        need_close(actor=other_enterprise_user, need=need)
    with pytest.raises(NotFound):
        need_update(actor=other_enterprise_user, need=need, title="x", description="y", wanted_mode="licence")
    need.refresh_from_db()
    assert (need.status, need.title) == (NeedStatus.OPEN, "数据检索加速")


def test_naming_a_patent_bumps_matching_needs(enterprise_user, pooled_patent, make_patent, university):
    need = _need(enterprise_user, patent_ids=[pooled_patent.pk])
    assert activity_of(pooled_patent.pk).matching_needs == 1
    other = make_patent(university)
    need_update(
        actor=enterprise_user,
        need=need,
        title=need.title,
        description=need.description,
        wanted_mode="transfer",
        patent_ids=[other.pk],
    )
    assert activity_of(pooled_patent.pk).matching_needs == 0
    assert activity_of(other.pk).matching_needs == 1


def test_naming_an_unpooled_patent_refused(enterprise_user, make_patent, university):
    draft_patent = make_patent(university, state="draft")
    with pytest.raises(ApplicationError) as exc:
        _need(enterprise_user, patent_ids=[draft_patent.pk])
    assert exc.value.code == "not_pooled"
    assert Need.objects.count() == 0
    assert activity_of(draft_patent.pk).matching_needs == 0


def test_relevant_needs_by_ipc_and_industry(
    enterprise_user, institution_admin, other_institution_admin, pooled_patent
):
    by_ipc = _need(enterprise_user, title="检索", industry_code="", ipc_hints=["G06F16"])
    by_industry = _need(enterprise_user, title="软件", ipc_hints=[], industry_code="6513")
    _need(enterprise_user, title="无关", ipc_hints=["A01B"], industry_code="0111")
    _need(enterprise_user, title="草稿", publish=False)
    got = {r.need.pk: r.reasons for r in selectors.needs_relevant_for_institution(institution_admin)}
    assert set(got) == {by_ipc.pk, by_industry.pk}
    assert got[by_ipc.pk] == ("IPC G06F16/00",)
    assert got[by_industry.pk] == ("行业 6513 应用软件开发",)
    assert selectors.needs_relevant_for_institution(other_institution_admin) == []


def test_answer_keeps_first_time_and_checks_patents(
    enterprise_user, institution_admin, other_institution_admin, pooled_patent
):
    need = _need(enterprise_user)
    with pytest.raises(PermissionRefused):
        need_answer(actor=other_institution_admin, need=need, text="我们有", patent_ids=[pooled_patent.pk])
    assert NeedAnswer.objects.count() == 0
    answer = need_answer(actor=institution_admin, need=need, text="可提供", patent_ids=[pooled_patent.pk])
    first_at = answer.answered_at
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED
    answer = need_answer(actor=institution_admin, need=need, text="补充说明")
    assert (answer.text, answer.answered_at) == ("补充说明", first_at)
    assert NeedAnswer.objects.count() == 1
    # enterprise sees the answer; another institution only its own (none)
    assert list(selectors.answers_for(enterprise_user, need)) == [answer]
    assert list(selectors.answers_for(other_institution_admin, need)) == []


def test_enterprise_cannot_answer_and_closed_need_refuses(enterprise_user, institution_admin):
    need = _need(enterprise_user)
    with pytest.raises(PermissionRefused):
        need_answer(actor=enterprise_user, need=need, text="x")
    need_close(actor=enterprise_user, need=need)
    with pytest.raises(ApplicationError) as exc:
        need_answer(actor=institution_admin, need=need, text="x")
    assert exc.value.code == "need_closed"
    assert NeedAnswer.objects.count() == 0


def test_need_pages(client, enterprise_user, institution_admin, pooled_patent):
    client.force_login(enterprise_user)
    resp = client.post(
        "/demand/needs/new/",
        {
            "title": "新需求",
            "description": "描述",
            "wanted_mode": "transfer",
            "budget_min": "100.5",
            "publish": "1",
        },
    )
    assert resp.status_code == 302
    need = Need.objects.get()
    assert need.budget_min_fen == 10050
    assert client.get("/demand/needs/").status_code == 200
    detail = client.get(f"/demand/needs/{need.pk}/").content.decode()
    try:  # the matching app's "patents for this need" fragment is embedded when that app provides it
        assert f'data-fragment-url="{reverse("matching:need-panel", args=[need.pk])}"' in detail
    except NoReverseMatch:
        assert "need-matches" not in detail
    client.force_login(institution_admin)
    assert client.get("/demand/needs/").status_code == 200
    resp = client.post(f"/demand/needs/{need.pk}/answer/", {"text": "可以合作", "patents": pooled_patent.key})
    assert resp.status_code == 302
    assert NeedAnswer.objects.get().proposed_patents.get() == pooled_patent


def test_need_api(client, enterprise_user, other_enterprise_user):
    client.force_login(enterprise_user)
    resp = client.post(
        "/api/demand/needs",
        {
            "title": "API 需求",
            "description": "d",
            "wanted_mode": "licence",
            "budget_min_fen": 9,
            "budget_max_fen": 1,
        },
        content_type="application/json",
    )
    assert resp.status_code == 400
    assert resp.json()["code"] == "budget_range"
    assert Need.objects.count() == 0
    resp = client.post(
        "/api/demand/needs",
        {"title": "API 需求", "description": "d", "wanted_mode": "licence", "publish": False},
        content_type="application/json",
    )
    assert resp.status_code == 201
    client.force_login(other_enterprise_user)
    assert client.get("/api/demand/needs").json() == []


def test_answers_are_not_readable_by_unrelated_roles(
    enterprise_user, institution_admin, pooled_patent, make_user, make_org, office_user, client
):
    # issue #15 row 1: on f61d24e banks, agencies, admins and other offices read every institution's answer
    enterprise_user.organization.region_code = "500107"
    enterprise_user.organization.save(update_fields=["region_code"])
    need = _need(enterprise_user)
    answer = need_answer(actor=institution_admin, need=need, text="可提供", patent_ids=[pooled_patent.pk])
    bank = make_user(Role.BANK_USER, make_org(OrganizationType.BANK))
    agency = make_user(Role.AGENCY_USER, make_org(OrganizationType.AGENCY))
    admin = make_user(Role.SYSTEM_ADMIN, None)
    far_office = make_user(
        Role.OFFICE_OFFICIAL,
        make_org(OrganizationType.IP_OFFICE, region_code="110000", office_level="province"),
    )
    for user in (bank, agency, admin, far_office):
        assert list(selectors.answers_for(user, need)) == []
    assert list(selectors.answers_for(office_user, need)) == [answer]  # the need's own region
    client.force_login(bank)
    r = client.get(f"/api/demand/needs/{need.pk}/answers")
    assert r.status_code in (200, 403, 404) and "可提供" not in r.content.decode()
