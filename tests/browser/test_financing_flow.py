"""Browser: the 质押融资 journey (enterprise applies, the bank approves and registers, the office reads the
statistics) and the 先使用后付费 schedule page, at 1440 px and on a 390 px phone, with the journeys' checks (no
error responses but the provoked ones, no raw identifiers, nothing wider than the phone)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from panhuo.accounts.models import OrganizationType, Role
from panhuo.deals.models import Deal, DealKind, DealState, LicenceType
from panhuo.evaluation.models import Scenario, ValueScore, WeightSet
from panhuo.financing.models import PledgeApplication
from panhuo.patents.models import Patent, PatentType
from panhuo.patents.rights.services import rights_holder_add
from tests.browser.test_journeys import DESKTOP, PHONE, browser, screens  # noqa: F401 - the fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pledge_world(
    enterprise, enterprise_user, make_org, make_user, office_user, university, institution_admin
):
    enterprise.region_code = "500107"
    enterprise.save()
    for user, name in ((enterprise_user, "王经理"), (office_user, "孙科长"), (institution_admin, "李老师")):
        user.display_name = name
        user.save(update_fields=["display_name"])
    bank = make_org(OrganizationType.BANK, code="BANK-B", name="丁银行")
    banker = make_user(Role.BANK_USER, bank, username="banker", display_name="吴经理")
    patent = Patent.objects.create(
        app_no="201710601862.3", title="一种锂电池极片缺陷检测方法", patent_type=PatentType.INVENTION,
        grant_date=date(2019, 5, 1),
    )  # fmt: skip
    rights_holder_add(patent_ids=[patent.pk], organization=enterprise, source="import")
    ws = WeightSet.objects.filter(scenario=Scenario.FINANCE).first() or WeightSet.objects.create(
        scenario=Scenario.FINANCE, version=96, weights={}
    )
    ValueScore.objects.create(
        patent=patent,
        scenario=Scenario.FINANCE,
        weight_set=ws,
        model_version="t",
        score=66.0,
        computed_at=timezone.now(),
    )
    deal = Deal.objects.create(
        code="JY-PAU-B", kind=DealKind.LICENCE, licence_type=LicenceType.ORDINARY, title="先使用后付费许可",
        institution=university, state=DealState.SIGNED, pay_after_use=True, term_start=date(2026, 1, 1),
        term_end=date(2029, 1, 1), contract_date=date(2026, 1, 1), contract_amount_fen=30_000_000,
    )  # fmt: skip
    return {"bank": bank, "banker": banker, "patent": patent, "deal": deal}


def test_pledge_journey(
    screens: Any,  # noqa: F811 - the imported fixture
    pledge_world: dict[str, Any],
    enterprise_user,
    office_user,
):
    phone = screens(PHONE, enterprise_user.username)
    page = phone.page
    phone.visit("/financing/")
    page.click("#new-application")
    phone.check()
    phone.allowed.add(("/financing/new/", 400))
    page.fill("#id_patents", "201710601862.3")
    page.click("#submit-application")  # no bank, no amount: every error at once, the patent still there
    phone.check()
    text = page.inner_text("#application-form")
    assert "请选择受理的金融机构" in text and "请填写申请金额" in text
    assert page.input_value("#id_patents") == "201710601862.3"
    page.select_option("#id_bank", str(pledge_world["bank"].pk))
    page.fill("#id_amount", "1,000,000")
    page.fill("#id_term_months", "12")
    page.click("#submit-application")
    phone.check()
    assert "已提交" in page.inner_text("main")
    phone.close()
    app = PledgeApplication.objects.get()
    for viewport in (DESKTOP, PHONE):
        bank = screens(viewport, "banker")
        bank.visit(f"/financing/{app.pk}/")
        if viewport is DESKTOP:
            bank.page.check("#id_decision_0")
            bank.page.fill("#id_rate", "3.85")
            bank.page.click("#decide")
            bank.check()
            assert "已批准" in bank.page.inner_text("#status")
            bank.page.fill("#id_registration_no", "Y2026500000001")
            bank.page.click("#register")
            bank.check()
            assert "Y2026500000001" in bank.page.inner_text("#registration")
        bank.visit("/financing/")
        bank.close()
    for viewport in (DESKTOP, PHONE):
        office = screens(viewport, office_user.username)
        office.visit("/financing/")
        assert "丁银行" in office.page.inner_text("#pledge-by-bank")
        office.visit("/monitoring/")
        office.close()


def test_schedule_page(
    screens: Any,  # noqa: F811 - the imported fixture
    pledge_world: dict[str, Any],
    institution_admin,
):
    deal = pledge_world["deal"]
    for viewport in (PHONE, DESKTOP):
        screen = screens(viewport, institution_admin.username)
        screen.visit(f"/deals/{deal.pk}/")
        screen.page.click("#schedule-link")
        screen.check()
        if viewport is PHONE:
            screen.page.fill("#id_amount", "100000")
            screen.page.click("#generate-schedule")
            screen.check()
            screen.page.click("#save-schedule")
            screen.check()
            assert "2028-01-01" in screen.page.inner_text("#instalments")
        screen.close()
