"""Deal lifecycle, second approver, exclusivity, activity counters, filings, isolation."""

from __future__ import annotations

from datetime import date

import pytest

from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.common.models import AuditEvent
from panhuo.deals.models import Deal, DealEvent, DealKind, DealState, FilingKind, LicenceType, PartyRole
from panhuo.deals.services import (
    deal_advance,
    deal_approve,
    deal_create,
    filing_record,
    income_rule_set,
    party_organization,
)
from panhuo.patents.models import InventoryRecord, PatentActivity

pytestmark = pytest.mark.django_db


def licence(actor, patent, enterprise, licence_type=LicenceType.EXCLUSIVE, **kw):
    return deal_create(
        actor=actor,
        kind=DealKind.LICENCE,
        title="许可",
        patents=[patent],
        counterparties=[(enterprise, PartyRole.LICENSEE)],
        licence_type=licence_type,
        term_start=date(2025, 1, 1),
        term_end=date(2099, 12, 31),
        **kw,
    )


def walk(deal, actor, *targets):
    for target in targets:
        deal = deal_advance(deal_id=deal.pk, actor=actor, target=target)
    return deal


def test_full_transfer_makes_buyer_holder_and_converts(institution_admin, patent, enterprise):
    deal = deal_create(
        actor=institution_admin,
        kind=DealKind.TRANSFER,
        title="转让",
        patents=[patent],
        counterparties=[(enterprise, PartyRole.ASSIGNEE)],
        contract_amount_fen=500_000_00,
    )
    deal = walk(deal, institution_admin, DealState.NEGOTIATION, DealState.SIGNED)
    with pytest.raises(ApplicationError) as err:
        deal_advance(deal_id=deal.pk, actor=institution_admin, target=DealState.FILED)
    assert err.value.code == "deal_filing_missing"
    filing_record(
        deal_id=deal.pk,
        actor=institution_admin,
        kind=FilingKind.TRANSFER_REGISTRATION,
        number="ZR2025-1",
        filed_on=date(2025, 3, 1),
    )
    deal = walk(deal, institution_admin, DealState.FILED, DealState.PERFORMING, DealState.COMPLETED)
    patent.refresh_from_db()
    assert patent.patentees == ["丙科技有限公司"]
    assert InventoryRecord.objects.get(patent=patent).converted is True
    assert PatentActivity.objects.get(patent=patent).transfers == 1
    assert list(
        DealEvent.objects.filter(deal=deal).values_list("to_state", flat=True).exclude(to_state="")
    ) == [
        "intent",
        "negotiation",
        "signed",
        "filed",
        "performing",
        "completed",
    ]
    assert AuditEvent.objects.filter(action="deal.advance", object_id=str(deal.pk)).count() == 5
    assert deal.filings.get().effective_on == date(2025, 3, 1)


def test_cannot_skip_or_leave_final(institution_admin, patent, enterprise):
    deal = licence(institution_admin, patent, enterprise, LicenceType.ORDINARY)
    with pytest.raises(ApplicationError) as err:
        deal_advance(deal_id=deal.pk, actor=institution_admin, target=DealState.COMPLETED)
    assert err.value.code == "deal_transition"
    deal_advance(deal_id=deal.pk, actor=institution_admin, target=DealState.TERMINATED, comment="谈崩")
    with pytest.raises(ApplicationError) as err:
        deal_advance(deal_id=deal.pk, actor=institution_admin, target=DealState.NEGOTIATION)
    assert err.value.code == "deal_final"
    assert Deal.objects.get(pk=deal.pk).state == DealState.TERMINATED


def test_large_deal_needs_second_approver_of_same_institution(
    institution_admin, second_admin, other_admin, patent, enterprise
):
    income_rule_set(
        actor=institution_admin, institution_bp=3000, inventors_bp=7000, approval_threshold_fen=100_00
    )
    deal = licence(institution_admin, patent, enterprise, LicenceType.ORDINARY, contract_amount_fen=100_01)
    assert deal.needs_second_approval
    with pytest.raises(ApplicationError) as err:
        deal_advance(deal_id=deal.pk, actor=institution_admin, target=DealState.SIGNED)
    assert err.value.code == "deal_needs_approval"
    with pytest.raises(PermissionRefused):
        deal_approve(deal_id=deal.pk, actor=institution_admin)
    with pytest.raises(NotFound):
        deal_approve(deal_id=deal.pk, actor=other_admin)
    assert Deal.objects.get(pk=deal.pk).approved_by_id is None
    deal_approve(deal_id=deal.pk, actor=second_admin)
    with pytest.raises(ApplicationError) as err:
        deal_approve(deal_id=deal.pk, actor=second_admin)
    assert err.value.code == "deal_already_approved"
    deal = deal_advance(deal_id=deal.pk, actor=institution_admin, target=DealState.SIGNED)
    assert deal.state == DealState.SIGNED and deal.approved_by_id == second_admin.pk


def test_threshold_is_exclusive_bound(institution_admin, patent, enterprise):
    income_rule_set(
        actor=institution_admin, institution_bp=3000, inventors_bp=7000, approval_threshold_fen=100_00
    )
    deal = licence(institution_admin, patent, enterprise, LicenceType.ORDINARY, contract_amount_fen=100_00)
    assert not deal.needs_second_approval
    assert deal_advance(deal_id=deal.pk, actor=institution_admin, target=DealState.SIGNED).state == "signed"


def test_exclusive_licence_blocks_another_exclusive(institution_admin, patent, enterprise, make_org):
    first = licence(institution_admin, patent, enterprise)
    walk(first, institution_admin, DealState.SIGNED)
    activity = PatentActivity.objects.get(patent=patent)
    assert activity.licences == 1 and activity.exclusive_licence_until == date(2099, 12, 31)
    other = make_org("enterprise", code="ENT-2", name="戊公司")
    second = licence(institution_admin, patent, other, LicenceType.SOLE)
    with pytest.raises(ApplicationError) as err:
        deal_advance(deal_id=second.pk, actor=institution_admin, target=DealState.SIGNED)
    assert err.value.code == "exclusive_conflict"
    assert Deal.objects.get(pk=second.pk).state == DealState.INTENT
    # nor any other licence: an exclusive or sole licensee excludes every other licensee
    third = licence(institution_admin, patent, other, LicenceType.ORDINARY)
    with pytest.raises(ApplicationError) as err:
        deal_advance(deal_id=third.pk, actor=institution_admin, target=DealState.SIGNED)
    assert err.value.code == "exclusive_conflict"
    assert Deal.objects.get(pk=third.pk).state == DealState.INTENT
    # ending the exclusive one frees the patent
    deal_advance(deal_id=first.pk, actor=institution_admin, target=DealState.TERMINATED, comment="解除")
    assert PatentActivity.objects.get(patent=patent).exclusive_licence_until is None
    walk(second, institution_admin, DealState.SIGNED)


def test_expired_exclusive_does_not_block(institution_admin, patent, enterprise):
    old = deal_create(
        actor=institution_admin,
        kind=DealKind.LICENCE,
        title="旧独占",
        patents=[patent],
        counterparties=[(enterprise, PartyRole.LICENSEE)],
        licence_type=LicenceType.EXCLUSIVE,
        term_start=date(2015, 1, 1),
        term_end=date(2020, 1, 1),
        state=DealState.SIGNED,
    )
    assert old.state == DealState.SIGNED
    new = licence(institution_admin, patent, enterprise)
    assert walk(new, institution_admin, DealState.SIGNED).state == DealState.SIGNED


def test_pledge_and_equity_bump_activity(institution_admin, patent, make_patent, bank):
    pledge = deal_create(
        actor=institution_admin,
        kind=DealKind.PLEDGE,
        title="质押",
        patents=[patent],
        counterparties=[(bank, PartyRole.PLEDGEE)],
        contract_amount_fen=800_000_00,
        pledge_registration_no="ZX2025-001",
    )
    walk(pledge, institution_admin, DealState.SIGNED)
    company = party_organization(name="新材料合资公司", credit_code="91350100M000100Y43")
    equity = deal_create(
        actor=institution_admin,
        kind=DealKind.EQUITY,
        title="作价入股",
        patents=[make_patent()],
        company=company,
        valuation_fen=8_000_000_00,
        share_bp=1500,
    )
    walk(equity, institution_admin, DealState.SIGNED)
    a = PatentActivity.objects.get(patent=patent)
    assert (a.pledges, a.max_pledge_fen) == (1, 800_000_00)
    assert PatentActivity.objects.get(patent=equity.patents.get()).equity_deals == 1
    assert set(equity.parties.values_list("role", flat=True)) == {"investor", "company"}


def test_party_organization_validates_credit_code_and_matches(enterprise):
    with pytest.raises(ApplicationError) as err:
        party_organization(name="某公司", credit_code="91350100M000100Y44")
    assert err.value.code == "credit_code"
    assert party_organization(name="随便", credit_code="91350100m000100y43") == enterprise
    # a name alone never names a verified organization: it stays a name on the deal (test_counterparties.py)
    by_name = party_organization(name="丙科技有限公司")
    assert by_name != enterprise and by_name.verified is False
    new = party_organization(name="未知公司")
    assert new.verified is False and party_organization(name="未知公司") == new


def test_isolation_other_institution_cannot_touch(institution_admin, other_admin, patent, enterprise):
    deal = licence(institution_admin, patent, enterprise, LicenceType.ORDINARY)
    with pytest.raises(NotFound):
        deal_advance(deal_id=deal.pk, actor=other_admin, target=DealState.NEGOTIATION)
    with pytest.raises(NotFound):
        filing_record(
            deal_id=deal.pk,
            actor=other_admin,
            kind=FilingKind.LICENCE_FILING,
            number="X",
            filed_on=date(2025, 1, 1),
        )
    assert Deal.objects.get(pk=deal.pk).state == DealState.INTENT


def test_inventor_and_enterprise_cannot_create(inventor, enterprise_user, patent, enterprise):
    for actor in (inventor, enterprise_user):
        with pytest.raises(PermissionRefused):
            licence(actor, patent, enterprise, LicenceType.ORDINARY)
    assert Deal.objects.count() == 0
