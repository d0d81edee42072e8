"""民法典第四百四十四条: a patent in its pledge term is transferred, licensed or put into a company only with the
pledgee's agreement, recorded on the pledge deal. Before this rule a pledged patent could be licensed or sold with
nothing on record (each refusal below passed on 00737c1)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from panhuo.common.errors import ApplicationError, NotFound
from panhuo.common.models import AuditEvent
from panhuo.deals.models import Deal, DealKind, DealState, LicenceType, PartyRole
from panhuo.deals.services import deal_advance, deal_create, pledge_consent_record
from panhuo.deals.tests.test_lifecycle import licence
from panhuo.deals.tests.test_rights import pledge, transfer
from panhuo.patents.models import RightsGrant

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledged(institution_admin, patent, make_org):
    return pledge(institution_admin, patent, make_org("bank", code="BANK-P"), state=DealState.SIGNED)


def test_licence_transfer_and_equity_of_a_pledged_patent_are_refused_without_consent(
    institution_admin, patent, enterprise, pledged
):
    attempts = {
        "licence": lambda: licence(
            institution_admin, patent, enterprise, LicenceType.ORDINARY, state=DealState.SIGNED
        ),
        "transfer": lambda: transfer(institution_admin, patent, enterprise, state=DealState.SIGNED),
        "equity": lambda: deal_create(
            actor=institution_admin,
            kind=DealKind.EQUITY,
            title="作价入股",
            patents=[patent],
            company=enterprise,
            valuation_fen=1_000_000_00,
            share_bp=1000,
            state=DealState.SIGNED,
        ),
    }
    for name, attempt in attempts.items():
        with pytest.raises(ApplicationError) as err:
            attempt()
        assert err.value.code == "pledged_without_consent", name
        assert pledged.code in err.value.message_zh and "质权人同意" in err.value.message_zh
    assert list(Deal.objects.values_list("pk", flat=True)) == [pledged.pk]  # nothing half-recorded
    assert list(RightsGrant.objects.filter(active=True).values_list("kind", flat=True)) == ["pledge"]


def test_an_intent_signs_once_the_consent_is_recorded_and_the_record_is_audited(
    institution_admin, patent, enterprise, pledged
):
    intent = licence(institution_admin, patent, enterprise, LicenceType.ORDINARY)
    with pytest.raises(ApplicationError) as err:
        deal_advance(deal_id=intent.pk, actor=institution_admin, target=DealState.SIGNED)
    assert err.value.code == "pledged_without_consent"
    assert Deal.objects.get(pk=intent.pk).state == DealState.INTENT

    pledge_consent_record(
        deal_id=pledged.pk,
        actor=institution_admin,
        transfer_licence=True,
        open_licence=False,
        evidence="同意函 2026-12",
    )
    signed = deal_advance(deal_id=intent.pk, actor=institution_admin, target=DealState.SIGNED)
    assert signed.state == DealState.SIGNED
    event = AuditEvent.objects.get(action="deal.pledge_consent")
    assert event.detail["after"] == {"transfer_licence": True, "open_licence": False}
    assert pledged.events.filter(action="consent", comment__contains="同意函 2026-12").exists()


def test_a_released_or_ended_pledge_binds_nothing(institution_admin, patent, enterprise, pledged):
    deal_advance(deal_id=pledged.pk, actor=institution_admin, target=DealState.TERMINATED, comment="解押")
    assert licence(institution_admin, patent, enterprise, LicenceType.ORDINARY, state=DealState.SIGNED).pk


def test_consent_needs_evidence_a_pledge_and_the_pledgors_staff(
    institution_admin, other_admin, patent, enterprise, pledged
):
    with pytest.raises(ApplicationError) as err:
        pledge_consent_record(
            deal_id=pledged.pk,
            actor=institution_admin,
            transfer_licence=True,
            open_licence=True,
            evidence="  ",
        )
    assert err.value.code == "consent_evidence"
    with pytest.raises(NotFound):
        pledge_consent_record(
            deal_id=pledged.pk, actor=other_admin, transfer_licence=True, open_licence=True, evidence="伪造"
        )
    other = licence(institution_admin, patent, enterprise, LicenceType.ORDINARY)
    with pytest.raises(ApplicationError) as err:
        pledge_consent_record(
            deal_id=other.pk, actor=institution_admin, transfer_licence=True, open_licence=True, evidence="x"
        )
    assert err.value.code == "consent_not_pledge"
    pledged.refresh_from_db()
    assert not pledged.pledgee_consents_transfer_licence and not pledged.pledgee_consents_open_licence


def test_detail_page_records_the_consent(institution_admin, patent, enterprise, pledged):
    client = Client()
    client.force_login(institution_admin)
    page = client.get(reverse("deals:detail", args=[pledged.pk])).content.decode()
    assert "质押期间转让或许可：未同意" in page and reverse("deals:pledge-consent", args=[pledged.pk]) in page
    response = client.post(
        reverse("deals:pledge-consent", args=[pledged.pk]),
        {"transfer_licence": "1", "evidence": "同意函第 7 号"},
    )
    assert response.status_code == 302
    page = client.get(reverse("deals:detail", args=[pledged.pk])).content.decode()
    assert "质押期间转让或许可：同意；开放许可：未同意" in page and "记录质权人意见" in page
    assert licence(institution_admin, patent, enterprise, LicenceType.ORDINARY, state=DealState.SIGNED).pk


def test_a_pledge_recorded_with_the_consent_needs_no_later_record(
    institution_admin, patent, enterprise, make_org
):
    bank = make_org("bank", code="BANK-F", name="测试银行")
    deal_create(
        actor=institution_admin,
        kind=DealKind.PLEDGE,
        title="质押",
        patents=[patent],
        counterparties=[(bank, PartyRole.PLEDGEE)],
        term_start=date(2025, 1, 1),
        term_end=date(2099, 12, 31),
        pledgee_consents_transfer_licence=True,
        state=DealState.SIGNED,
    )
    assert transfer(institution_admin, patent, enterprise, state=DealState.SIGNED).state == DealState.SIGNED


def test_the_pledgee_bank_records_its_own_agreement_and_no_other_bank_can(
    institution_admin, patent, enterprise, make_org, make_user
):
    from panhuo.accounts.models import Role

    bank = make_org("bank", code="BANK-Q", name="质权银行")
    pledged = pledge(institution_admin, patent, bank, state=DealState.SIGNED)
    banker = make_user(Role.BANK_USER, bank, username="pledgee_banker")
    stranger = make_user(Role.BANK_USER, make_org("bank", code="BANK-Z"), username="other_banker")
    with pytest.raises(NotFound):
        pledge_consent_record(
            deal_id=pledged.pk, actor=stranger, transfer_licence=True, open_licence=True, evidence="冒名"
        )
    client = Client()
    client.force_login(banker)
    page = client.get(reverse("deals:detail", args=[pledged.pk])).content.decode()
    assert reverse("deals:pledge-consent", args=[pledged.pk]) in page
    client.post(
        reverse("deals:pledge-consent", args=[pledged.pk]),
        {"transfer_licence": "1", "evidence": "本行同意函"},
    )
    event = pledged.events.get(action="consent")
    assert event.actor_id == banker.pk and "本行同意函" in event.comment
    assert licence(institution_admin, patent, enterprise, LicenceType.ORDINARY, state=DealState.SIGNED).pk
