"""贴息 / 保费 rules are paid on what the lending bank recorded in the 质押融资 flow, without anyone retyping it; a
figure the pledgor entered in `PledgeLoanFigures` counts only where the bank recorded none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from engine.programmes import presets
from engine.programmes.definition import scheme_from_dict
from panhuo.financing import services
from panhuo.financing.tests import test_financing as pledge_flow
from panhuo.monitoring.subsidies import subsidy_events
from panhuo.programmes.models import PledgeLoanFigures

pytestmark = pytest.mark.django_db

# The 质押融资 flow's own fixtures.
bank, banker, enterprise_cq, make_patent = (
    pledge_flow.bank,
    pledge_flow.banker,
    pledge_flow.enterprise_cq,
    pledge_flow.make_patent,
)


def _jilin_events():
    scheme = scheme_from_dict(presets.JL_PLEDGE_FINANCING)
    today = timezone.localdate()
    return {e.ref: e for e in subsidy_events(scheme=scheme, start=today - timedelta(days=1), end=today)}


def test_bank_recorded_interest_and_premium_reach_the_subsidy_facts(
    enterprise_cq, enterprise_user, bank, banker, make_patent
):
    app = pledge_flow._approve(
        banker, pledge_flow._submit(enterprise_user, bank, [make_patent(enterprise_cq)])
    )
    services.application_register(
        actor=banker,
        application_id=app.pk,
        registration_no="Y2026500000999",
        registration_date=timezone.localdate(),
    )
    event = _jilin_events()[app.deal.code]
    assert (event.interest_paid_fen, event.premium_paid_fen) == (
        0,
        800_000,
    )  # interest unknown until repayment

    # What the pledgor entered counts while the bank has recorded no interest ...
    PledgeLoanFigures.objects.create(deal=app.deal, interest_paid_fen=1_234_500, premium_paid_fen=1)
    event = _jilin_events()[app.deal.code]
    assert (event.interest_paid_fen, event.premium_paid_fen) == (1_234_500, 800_000)

    # ... and the bank's repayment record wins once it exists.
    services.application_repay(
        actor=banker, application_id=app.pk, repaid_on=timezone.localdate(), interest_paid_yuan="30000"
    )
    event = _jilin_events()[app.deal.code]
    assert (event.interest_paid_fen, event.premium_paid_fen) == (3_000_000, 800_000)
