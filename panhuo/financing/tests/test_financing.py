"""质押融资: only the sole holder pledges, nothing already pledged; the addressed bank alone decides, registers and
records the repayment; approval makes a 质押 deal that the rights record shows until repayment; other tenants get
"not found" and nothing changes; every error of a form at once; office statistics by bank and region."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from engine.identifiers.application_number import check_character
from panhuo.accounts.models import OrganizationType, Role
from panhuo.common.audit import AuditEvent
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.deals.models import DealKind, DealParty, DealState, FilingKind, PartyRole
from panhuo.evaluation.models import Scenario, ValueScore, WeightSet
from panhuo.financing import selectors, services
from panhuo.financing.models import ApplicationStatus, PledgeApplication
from panhuo.patents.models import LegalStatus, Patent, PatentType
from panhuo.patents.rights.models import GrantKind, RightsGrant
from panhuo.patents.rights.services import rights_holder_add

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%test\n%%EOF\n"


@pytest.fixture
def make_patent():
    counter = {"n": 0}

    def make(holder, *co_holders) -> Patent:
        counter["n"] += 1
        digits = f"2020300{counter['n']:05d}"
        p = Patent.objects.create(
            app_no=f"{digits}.{check_character(digits)}",
            title=f"一种质押测试装置{counter['n']}",
            patent_type=PatentType.INVENTION,
            legal_status=LegalStatus.VALID,
            grant_date=date(2022, 1, 4),
        )
        for org in (holder, *co_holders):
            rights_holder_add(patent_ids=[p.pk], organization=org, source="import")
        return p

    return make


@pytest.fixture
def bank(make_org):
    return make_org(OrganizationType.BANK, code="BANK-1", name="丁银行")


@pytest.fixture
def other_bank(make_org):
    return make_org(OrganizationType.BANK, code="BANK-2", name="戊银行")


@pytest.fixture
def banker(bank, make_user):
    return make_user(Role.BANK_USER, bank)


@pytest.fixture
def other_banker(other_bank, make_user):
    return make_user(Role.BANK_USER, other_bank)


@pytest.fixture
def enterprise_cq(enterprise):
    enterprise.region_code = "500107"
    enterprise.save()
    return enterprise


def _submit(user, bank, patents, **kw):
    args = dict(
        actor=user,
        bank_id=bank.pk,
        patent_keys=[p.app_no for p in patents],
        amount_yuan="1,000,000",
        term_months=12,
        valuation_source="appraisal",
        valuation_yuan="3000000",
        appraiser="某资产评估有限公司",
        report=services.Report("评估报告.pdf", PDF),
    )
    args.update(kw)
    return services.application_submit(**args)


def _approve(banker, app, **kw):
    args = dict(
        actor=banker,
        application_id=app.pk,
        decision="approve",
        amount_yuan="900000",
        rate_percent="3.85",
        term_months=12,
        premium_yuan="8000",
        loan_start=timezone.localdate(),
    )
    args.update(kw)
    return services.application_decide(**args)


def test_whole_flow_makes_a_pledge_deal_released_on_repayment(
    enterprise_cq, enterprise_user, bank, banker, make_patent
):
    p = make_patent(enterprise_cq)
    app = _submit(enterprise_user, bank, [p])
    assert (
        app.status == ApplicationStatus.SUBMITTED
        and app.report_sha256
        and app.requested_amount_fen == 100_000_000
    )

    app = _approve(banker, app)
    assert (app.status, app.approved_amount_fen, app.interest_rate_bp, app.premium_fen) == (
        "approved",
        90_000_000,
        385,
        800_000,
    )
    deal = app.deal
    assert (deal.kind, deal.state, deal.contract_amount_fen, deal.institution_id) == (
        DealKind.PLEDGE,
        DealState.SIGNED,
        90_000_000,
        enterprise_cq.pk,
    )
    assert set(DealParty.objects.filter(deal=deal).values_list("organization_id", "role")) == {
        (enterprise_cq.pk, PartyRole.PLEDGOR),
        (bank.pk, PartyRole.PLEDGEE),
    }
    assert deal.term_end == app.loan_end == app.loan_start.replace(year=app.loan_start.year + 1)
    assert (
        RightsGrant.objects.filter(patent=p, kind=GrantKind.PLEDGE, active=True, deal_id=deal.pk).count() == 1
    )

    app = services.application_register(
        actor=banker,
        application_id=app.pk,
        registration_no="Y2026500000123",
        registration_date=timezone.localdate(),
    )
    deal.refresh_from_db()
    assert app.status == "registered" and deal.state == DealState.FILED
    assert deal.pledge_registration_no == "Y2026500000123"
    assert deal.filings.get().kind == FilingKind.PLEDGE_REGISTRATION

    app = services.application_repay(
        actor=banker, application_id=app.pk, repaid_on=timezone.localdate(), interest_paid_yuan="30000"
    )
    deal.refresh_from_db()
    assert (app.status, app.interest_paid_fen, deal.state) == ("repaid", 3_000_000, DealState.COMPLETED)
    assert not RightsGrant.objects.filter(patent=p, kind=GrantKind.PLEDGE, active=True).exists()
    actions = list(AuditEvent.objects.filter(action__startswith="pledge.").values_list("action", flat=True))
    assert actions == ["pledge.submit", "pledge.approve", "pledge.register", "pledge.repay"]


def test_non_holder_cannot_pledge_and_nothing_is_stored(enterprise_user, university, bank, make_patent):
    p = make_patent(university)
    with pytest.raises(ApplicationError) as exc:
        _submit(enterprise_user, bank, [p])
    assert "不是以下专利的权利人" in exc.value.message_zh
    assert PledgeApplication.objects.count() == 0


def test_co_owned_and_already_pledged_patents_are_refused(
    enterprise_cq, enterprise_user, university, bank, banker, make_patent
):
    shared = make_patent(enterprise_cq, university)
    with pytest.raises(ApplicationError) as exc:
        _submit(enterprise_user, bank, [shared])
    assert "共有专利" in exc.value.message_zh
    p = make_patent(enterprise_cq)
    _approve(banker, _submit(enterprise_user, bank, [p]))
    with pytest.raises(ApplicationError) as exc:
        _submit(enterprise_user, bank, [p])
    assert "已质押，尚未解押" in exc.value.message_zh
    assert PledgeApplication.objects.count() == 1


def test_patent_in_an_open_application_is_refused(
    enterprise_cq, enterprise_user, bank, other_bank, make_patent
):
    p = make_patent(enterprise_cq)
    first = _submit(enterprise_user, bank, [p])
    with pytest.raises(ApplicationError) as exc:
        _submit(enterprise_user, other_bank, [p])
    assert first.code in exc.value.message_zh


def test_every_error_at_once(enterprise_user, make_patent):
    with pytest.raises(ApplicationError) as exc:
        services.application_submit(
            actor=enterprise_user,
            bank_id=None,
            patent_keys=["2020300000011", "CN999"],
            amount_yuan="-5",
            term_months=0,
            valuation_source="appraisal",
            valuation_yuan="",
            appraiser="",
            report=services.Report("x.pdf", b"not a pdf"),
        )
    fields = [e["field"] for e in exc.value.extra["errors"]]
    assert {"bank", "patents", "amount", "term_months", "appraiser", "valuation", "report"} <= set(fields)


def test_platform_valuation_needs_scores_and_snapshots_them(
    enterprise_cq, enterprise_user, bank, make_patent
):
    p = make_patent(enterprise_cq)
    with pytest.raises(ApplicationError) as exc:
        _submit(enterprise_user, bank, [p], valuation_source="platform", report=None)
    assert exc.value.extra["errors"][0]["field"] == "valuation_source"
    ws = WeightSet.objects.filter(scenario=Scenario.FINANCE).first() or WeightSet.objects.create(
        scenario=Scenario.FINANCE, version=99, weights={}
    )
    ValueScore.objects.create(
        patent=p,
        scenario=Scenario.FINANCE,
        weight_set=ws,
        model_version="t",
        score=71.25,
        computed_at=timezone.now(),
    )
    app = _submit(enterprise_user, bank, [p], valuation_source="platform", report=None)
    assert app.platform_scores == [
        {"patent": p.pk, "key": p.key, "score": 71.2, "tier": "", "high_value": []}
    ]


def test_bank_sees_only_applications_addressed_to_it(
    enterprise_cq, enterprise_user, bank, banker, other_banker, make_patent
):
    app = _submit(enterprise_user, bank, [make_patent(enterprise_cq)])
    assert list(selectors.applications_visible(banker)) == [app]
    assert list(selectors.applications_visible(other_banker)) == []
    with pytest.raises(NotFound):
        _approve(other_banker, app)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.deal is None
    c = Client()
    c.force_login(other_banker)
    assert c.get(f"/financing/{app.pk}/").status_code == 404
    assert c.get(f"/financing/{app.pk}/report/").status_code == 404
    assert c.get(f"/api/financing/{app.pk}").status_code == 404


def test_other_tenant_cannot_read_and_applicant_cannot_decide(
    enterprise_cq, enterprise_user, bank, make_patent, make_org, make_user, institution_admin
):
    app = _submit(enterprise_user, bank, [make_patent(enterprise_cq)])
    stranger = make_user(Role.ENTERPRISE_USER, make_org(OrganizationType.ENTERPRISE, code="ENT-X"))
    for user in (stranger, institution_admin):
        with pytest.raises(NotFound):
            selectors.application_get(user, app.pk)
    with pytest.raises(PermissionRefused):
        _approve(enterprise_user, app)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_reject_and_more_info_need_reasons_then_supplement_returns_it(
    enterprise_cq, enterprise_user, bank, banker, make_patent
):
    app = _submit(enterprise_user, bank, [make_patent(enterprise_cq)])
    with pytest.raises(ApplicationError) as exc:
        services.application_decide(actor=banker, application_id=app.pk, decision="reject", note=" ")
    assert exc.value.extra["errors"][0]["field"] == "note"
    services.application_decide(
        actor=banker, application_id=app.pk, decision="more_info", note="请补充财务报表"
    )
    app = services.application_supplement(
        actor=enterprise_user, application_id=app.pk, text="已补充 2025 年报表"
    )
    assert app.status == ApplicationStatus.SUBMITTED and "2025" in app.supplement
    app = services.application_decide(actor=banker, application_id=app.pk, decision="reject", note="估值不足")
    assert app.status == ApplicationStatus.REJECTED and app.deal is None
    with pytest.raises(ApplicationError):
        services.application_withdraw(actor=enterprise_user, application_id=app.pk)


def test_approval_errors_at_once_and_registration_rules(
    enterprise_cq, enterprise_user, bank, banker, make_patent
):
    app = _submit(enterprise_user, bank, [make_patent(enterprise_cq)])
    with pytest.raises(ApplicationError) as exc:
        _approve(banker, app, amount_yuan="abc", rate_percent="120", term_months=None, loan_start=None)
    assert {e["field"] for e in exc.value.extra["errors"]} == {"amount", "rate", "term_months", "loan_start"}
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.deal is None
    _approve(banker, app)
    with pytest.raises(ApplicationError) as exc:
        services.application_register(
            actor=banker,
            application_id=app.pk,
            registration_no="",
            registration_date=timezone.localdate() + timedelta(days=2),
        )
    assert {e["field"] for e in exc.value.extra["errors"]} == {"registration_no", "registration_date"}


def test_pages_and_form_errors(enterprise_cq, enterprise_user, bank, banker, make_patent):
    p = make_patent(enterprise_cq)
    c = Client()
    c.force_login(enterprise_user)
    assert "申请质押融资" in c.get("/financing/").content.decode()
    r = c.post("/financing/new/", {"bank": "", "patents": "", "amount": "", "valuation_source": "appraisal"})
    body = r.content.decode()
    assert (
        r.status_code == 400
        and "请选择受理的金融机构" in body
        and "请填写申请金额" in body
        and "请上传评估报告" in body
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(
        "/financing/new/",
        {
            "bank": bank.pk,
            "patents": p.app_no,
            "amount": "500000",
            "term_months": 12,
            "valuation_source": "appraisal",
            "valuation": "2000000",
            "appraiser": "某评估公司",
            "report": SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert r.status_code == 302
    app = PledgeApplication.objects.get()
    b = Client()
    b.force_login(banker)
    page = b.get(f"/financing/{app.pk}/").content.decode()
    assert "保存审批结果" in page and "待审批" in page
    r = b.post(f"/financing/{app.pk}/decide/", {"decision": "approve", "amount": "", "rate": "x"})
    assert r.status_code == 400 and "请填写批准金额" in r.content.decode()
    assert b.get(f"/financing/{app.pk}/report/").content == PDF


def test_statistics_by_bank_and_region_and_command(
    enterprise_cq, enterprise_user, bank, banker, other_bank, make_patent, office_user
):
    a = _submit(enterprise_user, bank, [make_patent(enterprise_cq)])
    _approve(banker, a)
    _submit(enterprise_user, other_bank, [make_patent(enterprise_cq)], amount_yuan="200000")
    s = selectors.pledge_statistics(year=timezone.localdate().year, region_prefix="50")
    assert (s.applications, s.approved, s.approved_fen, s.pending, s.live, s.requested_fen) == (
        2,
        1,
        90_000_000,
        1,
        1,
        120_000_000,
    )
    assert [(r.name, r.applications, r.approved) for r in s.by_bank] == [("丁银行", 1, 1), ("戊银行", 1, 0)]
    assert [(r.name, r.applications) for r in s.by_region] == [("重庆市九龙坡区", 2)]
    assert selectors.pledge_statistics(year=timezone.localdate().year, region_prefix="11").applications == 0
    c = Client()
    c.force_login(office_user)
    assert "丁银行" in c.get("/financing/").content.decode()
    assert c.get("/api/financing/statistics").json()["approved_fen"] == 90_000_000
    out = StringIO()
    call_command("pledge_stats", "--region", "50", "--json", stdout=out)
    assert json.loads(out.getvalue())["applications"] == 2


def test_patent_panel_and_dashboard_show_the_pledge(
    enterprise_cq, enterprise_user, bank, banker, make_patent, office_user
):
    p = make_patent(enterprise_cq)
    app = _approve(banker, _submit(enterprise_user, bank, [p]))
    c = Client()
    c.force_login(enterprise_user)
    assert "质押中" in c.get(f"/deals/patent/{p.pk}/panel/").content.decode()
    o = Client()
    o.force_login(office_user)
    dashboard = o.get("/monitoring/").content.decode()
    assert 'id="pledge-stats"' in dashboard and "重庆市九龙坡区" in dashboard and "丁银行" in dashboard
    services.application_register(
        actor=banker, application_id=app.pk, registration_no="Y1", registration_date=timezone.localdate()
    )
    services.application_repay(actor=banker, application_id=app.pk, repaid_on=timezone.localdate())
    assert "质押中" not in c.get(f"/deals/patent/{p.pk}/panel/").content.decode()


def test_patent_named_by_publication_number(enterprise_cq, enterprise_user, bank, make_patent):
    p = make_patent(enterprise_cq)
    Patent.objects.filter(pk=p.pk).update(pub_no="CN111504366", pub_kind="B")
    app = _submit(enterprise_user, bank, [p], patent_keys=["CN111504366B"])
    assert list(app.patents.all()) == [p]


def test_api_submit_decide_and_refusals(
    enterprise_cq, enterprise_user, bank, banker, other_banker, make_patent
):
    import base64

    p = make_patent(enterprise_cq)
    c = Client()
    c.force_login(enterprise_user)
    payload = {
        "bank_id": bank.pk, "patents": [p.app_no], "amount_yuan": "800000", "term_months": 6,
        "valuation_source": "appraisal", "valuation_yuan": "2000000", "appraiser": "某评估公司",
        "report_name": "r.pdf", "report_base64": base64.b64encode(PDF).decode(),
    }  # fmt: skip
    bad = c.post("/api/financing/", {**payload, "report_base64": "***"}, content_type="application/json")
    assert bad.status_code == 400 and PledgeApplication.objects.count() == 0
    r = c.post("/api/financing/", payload, content_type="application/json")
    assert r.status_code == 201 and r.json()["status_label"] == "待审批"
    app_id = r.json()["id"]
    decision = {"decision": "approve", "amount_yuan": "700000", "rate_percent": "4.1", "term_months": 6,
                "loan_start": timezone.localdate().isoformat()}  # fmt: skip
    assert (
        c.post(f"/api/financing/{app_id}/decision", decision, content_type="application/json").status_code
        == 403
    )
    o = Client()
    o.force_login(other_banker)
    assert (
        o.post(f"/api/financing/{app_id}/decision", decision, content_type="application/json").status_code
        == 404
    )
    assert o.get("/api/financing/").json() == []
    b = Client()
    b.force_login(banker)
    r = b.post(f"/api/financing/{app_id}/decision", decision, content_type="application/json")
    assert r.status_code == 200 and (r.json()["interest_rate_bp"], r.json()["approved_amount_fen"]) == (
        410,
        70_000_000,
    )
    assert r.json()["deal_code"].startswith("JY")
