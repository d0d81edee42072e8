"""Public money is paid once per (scheme, deal, rule, beneficiary), and never for held-back items.

On f61d24e a second batch for an approved period paid the same deals again, a deal the office had confirmed as
abnormal was paid, an unpaid ¥6,000,000 licence earned its amount-based line, and a self-declared "small"
enterprise was paid: each assertion below failed there.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from panhuo.accounts.models import OrganizationType, Role
from panhuo.deals.models import DealKind
from panhuo.monitoring import subsidies
from panhuo.monitoring.models import AnomalyCase, CaseStatus, SubsidyHold, SubsidyLine
from panhuo.programmes.services import scheme_load_preset

from .factories import deal, hold, org, patent

pytestmark = pytest.mark.django_db
SCHEME = "cq-gxq-transfer-licence"
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def cq(make_user):
    office = org(OrganizationType.IP_OFFICE, "500000", name="重庆市知识产权局")
    uni = org(OrganizationType.UNIVERSITY, "500107", name="重庆甲大学")
    sme = org(OrganizationType.ENTERPRISE, "500107", sme=True, name="渝小企")
    p = patent()
    hold(uni, p)
    transfer = deal(
        DealKind.TRANSFER, uni, sme, [p], amount=100_000_00, received=100_000_00,
        filings={"transfer_reg": date(2026, 1, 20)},
    )  # fmt: skip
    user = make_user(Role.OFFICE_OFFICIAL, office)
    scheme_load_preset(actor=user, preset=SCHEME)
    return {"user": user, "uni": uni, "sme": sme, "transfer": transfer}


def batch(cq):
    return subsidies.batch_create(actor=cq["user"], scheme_code=SCHEME, start=YEAR[0], end=YEAR[1])


def holds(b):
    return sorted(b.holds.values_list("deal_code", "rule", "organization__name", "reason"))


def test_a_second_batch_for_the_same_period_pays_nothing_again(cq):
    first = batch(cq)
    assert first.total_paid_fen == 800_000
    subsidies.batch_approve(actor=cq["user"], batch_id=first.pk)
    second = batch(cq)
    assert (second.total_claimed_fen, second.total_paid_fen, second.applications.count()) == (0, 0, 0)
    code = cq["transfer"].code
    assert holds(second) == [
        (code, "invention_transfer", "渝小企", "already_claimed"),
        (code, "invention_transfer", "重庆甲大学", "already_claimed"),
    ]
    assert SubsidyLine.objects.count() == 2


def test_the_database_refuses_a_second_line_for_the_same_item(cq):
    line = batch(cq).applications.first().lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyLine.objects.create(
            application=line.application,
            scheme_code=line.scheme_code,
            beneficiary_id=line.beneficiary_id,
            deal_code=line.deal_code,
            rule=line.rule,
            amount_fen=1,
        )


@pytest.mark.parametrize("status", [CaseStatus.OPEN, CaseStatus.CONFIRMED])
def test_deals_with_an_open_or_confirmed_anomaly_case_are_held_back(cq, status):
    AnomalyCase.objects.create(
        rule="one_yuan", fingerprint="x", deal_ids=[cq["transfer"].pk], confidence=0.9, status=status
    )
    b = batch(cq)
    assert b.total_paid_fen == 0 and {r for *_, r in holds(b)} == {"anomaly"}


def test_a_dismissed_case_does_not_hold_back(cq):
    AnomalyCase.objects.create(
        rule="one_yuan",
        fingerprint="x",
        deal_ids=[cq["transfer"].pk],
        confidence=0.9,
        status=CaseStatus.DISMISSED,
    )
    assert batch(cq).total_paid_fen == 800_000


def test_an_unpaid_licence_is_held_back_only_for_the_amount_based_rule(cq):
    p = patent()
    hold(cq["uni"], p)
    lic = deal(
        DealKind.LICENCE, cq["uni"], cq["sme"], [p], amount=6_000_000_00, received=1_000_000_00,
        filings={"licence_filing": date(2026, 2, 1)},
    )  # fmt: skip
    b = batch(cq)
    assert holds(b) == [(lic.code, "licence_amount", "渝小企", "unpaid")]
    assert b.holds.get().detail == "到账 1,000,000.00 / 合同 6,000,000.00 元"
    paid = set(SubsidyLine.objects.filter(deal_code=lic.code).values_list("rule", flat=True))
    assert paid == {"licence_filing"}


def test_self_declared_size_or_region_is_held_back_with_the_reason_on_the_batch_page(cq, client):
    cq["sme"].enterprise_profile.__class__.objects.filter(organization=cq["sme"]).update(
        office_confirmed=False
    )
    b = batch(cq)
    assert holds(b) == [(cq["transfer"].code, "invention_transfer", "渝小企", "self_declared")]
    assert b.total_paid_fen == 400_000  # the university's line is paid
    client.force_login(cq["user"])
    body = client.get(reverse("monitoring:subsidy-detail", args=[b.pk])).content.decode()
    assert "企业规模或地区仅为自报，未经知识产权局确认" in body and SubsidyHold.objects.count() == 1
