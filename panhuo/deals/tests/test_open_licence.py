"""开放许可: Art. 86 bars and fee caps refuse (and change nothing); acceptance gives an ordinary licence; withdrawal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.deals.models import Deal, DealKind, DealState, LicenceType, OpenLicenceDeclaration, PartyRole
from panhuo.deals.selectors import my_licences, open_licences_public, reminders
from panhuo.deals.services import (
    deal_advance,
    deal_create,
    open_licence_accept,
    open_licence_declare,
    open_licence_withdraw,
)
from panhuo.patents.activity import activity_set
from panhuo.patents.models import PatentActivity, PatentIndustry, PatentType

pytestmark = pytest.mark.django_db


def declare(actor, patent, **kw):
    today = timezone.localdate()
    kw.setdefault("payment_method", "one_off")
    kw.setdefault("fixed_fee_fen", 50_000_00)
    kw.setdefault("term_start", today)
    kw.setdefault("term_end", today + timedelta(days=3 * 365))
    return open_licence_declare(actor=actor, patent=patent, **kw)


def refused(actor, patent, code, **kw):
    with pytest.raises(ApplicationError) as err:
        declare(actor, patent, **kw)
    assert code in err.value.extra.get("codes", [err.value.code])
    assert OpenLicenceDeclaration.objects.filter(patent=patent).count() == 0
    assert not PatentActivity.objects.filter(patent=patent, open_licence_active=True).exists()


def test_declare_publish_accept_withdraw(institution_admin, patent, enterprise_user):
    PatentIndustry.objects.create(patent=patent, scheme="gbt4754", code="C35", name="专用设备制造业", level=2)
    declaration = declare(institution_admin, patent, pay_after_use=True)
    assert PatentActivity.objects.get(patent=patent).open_licence_active is True
    assert open_licences_public(q="测试装置") == [declaration]
    assert open_licences_public(industry="C35") == [declaration]
    assert open_licences_public(industry="C36") == []
    deal = open_licence_accept(
        actor=enterprise_user, declaration_id=declaration.pk, notice="我公司接受该开放许可。"
    )
    assert (deal.kind, deal.licence_type, deal.state) == (
        DealKind.OPEN_LICENCE,
        LicenceType.ORDINARY,
        "signed",
    )
    assert deal.contract_amount_fen == 50_000_00 and deal.pay_after_use
    assert list(my_licences(enterprise_user)) == [deal]
    due = [r for r in reminders(institution_admin, today=timezone.localdate()) if r.kind == "licence_filing"]
    assert [r.deal_id for r in due] == [deal.pk]
    with pytest.raises(ApplicationError) as err:
        open_licence_accept(actor=enterprise_user, declaration_id=declaration.pk, notice="再次接受")
    assert err.value.code == "ol_already_accepted"
    open_licence_withdraw(actor=institution_admin, declaration_id=declaration.pk, reason="转为独占许可谈判")
    assert PatentActivity.objects.get(patent=patent).open_licence_active is False
    assert Deal.objects.get(pk=deal.pk).state == DealState.SIGNED  # granted licence stands
    listed = open_licences_public()
    assert listed == [declaration] and listed[0].withdrawn_at is not None  # the withdrawal is published
    with pytest.raises(ApplicationError) as err:
        open_licence_accept(actor=enterprise_user, declaration_id=declaration.pk, notice="接受")
    assert err.value.code == "ol_withdrawn"


def test_refused_when_exclusive_licence_in_term(institution_admin, patent, enterprise):
    deal_create(
        actor=institution_admin,
        kind=DealKind.LICENCE,
        title="独占",
        patents=[patent],
        counterparties=[(enterprise, PartyRole.LICENSEE)],
        licence_type=LicenceType.SOLE,
        term_end=date(2099, 1, 1),
        state=DealState.SIGNED,
    )
    refused(institution_admin, patent, "ol_exclusive_in_term")


def test_exclusive_licence_refused_while_open_licence_active(institution_admin, patent, enterprise):
    declare(institution_admin, patent)
    deal = deal_create(
        actor=institution_admin,
        kind=DealKind.LICENCE,
        title="独占",
        patents=[patent],
        counterparties=[(enterprise, PartyRole.LICENSEE)],
        licence_type=LicenceType.EXCLUSIVE,
    )
    with pytest.raises(ApplicationError) as err:
        deal_advance(deal_id=deal.pk, actor=institution_admin, target=DealState.SIGNED)
    assert err.value.code == "open_licence_conflict"


def test_refused_when_annual_fee_unpaid(institution_admin, make_patent):
    patent = make_patent(annual_fee_paid_until=timezone.localdate() - timedelta(days=1))
    refused(institution_admin, patent, "ol_annual_fee_unpaid")


def test_refused_when_pledged_without_consent_allowed_with_consent(
    institution_admin, patent, make_patent, bank
):
    for p, consent in ((patent, False), (make_patent(), True)):
        deal_create(
            actor=institution_admin,
            kind=DealKind.PLEDGE,
            title="质押",
            patents=[p],
            counterparties=[(bank, PartyRole.PLEDGEE)],
            contract_amount_fen=100_000_00,
            pledgee_consents_open_licence=consent,
            state=DealState.SIGNED,
        )
    refused(institution_admin, patent, "ol_pledged")
    assert declare(
        institution_admin, Deal.objects.filter(pledgee_consents_open_licence=True).get().patents.get()
    )


def test_refused_on_ownership_dispute(institution_admin, patent):
    activity_set(patent_id=patent.pk, ownership_dispute=True)
    refused(institution_admin, patent, "ol_ownership_dispute")


def test_utility_model_needs_evaluation_report(institution_admin, make_patent):
    patent = make_patent(patent_type=PatentType.UTILITY)
    refused(institution_admin, patent, "ol_evaluation_report")
    assert declare(institution_admin, patent, evaluation_report=True).evaluation_report


def test_fee_caps(institution_admin, patent):
    refused(institution_admin, patent, "ol_fee_cap", fixed_fee_fen=20_000_000_01)
    refused(
        institution_admin,
        patent,
        "ol_fee_cap",
        payment_method="royalty",
        fixed_fee_fen=None,
        royalty_sales_bp=2001,
    )
    refused(
        institution_admin,
        patent,
        "ol_fee_cap",
        payment_method="royalty",
        fixed_fee_fen=None,
        royalty_profit_bp=4001,
    )
    assert declare(institution_admin, patent, fixed_fee_fen=20_000_000_00)


def test_zero_entry_fee_option(institution_admin, patent):
    d = declare(
        institution_admin,
        patent,
        payment_method="entry_royalty",
        fixed_fee_fen=None,
        royalty_sales_bp=300,
        zero_entry_fee=True,
    )
    assert d.entry_fee_fen == 0 and d.zero_entry_fee


def test_only_holder_declares_and_only_enterprise_accepts(other_admin, institution_admin, patent, inventor):
    with pytest.raises(NotFound):
        declare(other_admin, patent)
    d = declare(institution_admin, patent)
    with pytest.raises(PermissionRefused):
        open_licence_accept(actor=inventor, declaration_id=d.pk, notice="x")
    with pytest.raises(NotFound):
        open_licence_withdraw(actor=other_admin, declaration_id=d.pk, reason="x")
    assert Deal.objects.count() == 0 and OpenLicenceDeclaration.objects.get().withdrawn_at is None
