"""备案与期限提醒: instalments of the payment schedule that the money received does not cover yet."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panhuo.deals.models import DealState, LicenceType
from panhuo.deals.selectors import reminders
from panhuo.deals.services import deal_advance, instalment_add, payment_record
from panhuo.deals.tests.test_lifecycle import licence

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)


def _instalments(deal, actor, *due_and_fen):
    for due, fen in due_and_fen:
        instalment_add(deal_id=deal.pk, actor=actor, due_date=due, amount_fen=fen)


def test_open_instalments_are_reminded_in_due_order_part_paid_ones_with_what_is_left(
    institution_admin, patent, enterprise
):
    deal = licence(institution_admin, patent, enterprise, LicenceType.ORDINARY, state=DealState.SIGNED)
    _instalments(
        deal,
        institution_admin,
        (TODAY - timedelta(days=40), 10_000_00),  # paid in full
        (TODAY - timedelta(days=10), 20_000_00),  # 5,000 of it paid: 15,000 overdue
        (TODAY + timedelta(days=20), 30_000_00),  # within 30 days
        (TODAY + timedelta(days=200), 40_000_00),  # beyond the 90-day horizon
    )
    payment_record(deal_id=deal.pk, actor=institution_admin, amount_fen=15_000_00, received_on=TODAY)

    due = [r for r in reminders(institution_admin, today=TODAY) if r.kind == "instalment_due"]
    assert [(r.due, r.window, r.kind_zh) for r in due] == [
        (TODAY - timedelta(days=10), 0, "第 2 期应收款：15,000.00 元未到账"),
        (TODAY + timedelta(days=20), 30, "第 3 期应收款：30,000.00 元未到账"),
    ]
    assert all(r.deal_id == deal.pk for r in due)


def test_a_paid_or_ended_schedule_is_not_reminded_and_other_tenants_see_nothing(
    institution_admin, other_admin, patent, enterprise
):
    deal = licence(institution_admin, patent, enterprise, LicenceType.ORDINARY, state=DealState.SIGNED)
    _instalments(deal, institution_admin, (TODAY + timedelta(days=5), 8_000_00))
    assert [r.kind for r in reminders(institution_admin, today=TODAY)].count("instalment_due") == 1
    assert not [r for r in reminders(other_admin, today=TODAY) if r.kind == "instalment_due"]

    payment_record(deal_id=deal.pk, actor=institution_admin, amount_fen=8_000_00, received_on=TODAY)
    assert "instalment_due" not in [r.kind for r in reminders(institution_admin, today=TODAY)]

    other = licence(institution_admin, patent, enterprise, LicenceType.ORDINARY, state=DealState.SIGNED)
    _instalments(other, institution_admin, (TODAY + timedelta(days=5), 1_00))
    deal_advance(deal_id=other.pk, actor=institution_admin, target=DealState.TERMINATED, comment="解除")
    assert "instalment_due" not in [r.kind for r in reminders(institution_admin, today=TODAY)]


def test_reminders_page_lists_an_overdue_instalment(institution_admin, patent, enterprise):
    deal = licence(institution_admin, patent, enterprise, LicenceType.ORDINARY, state=DealState.SIGNED)
    yesterday = timezone.localdate() - timedelta(days=1)  # the page's today
    _instalments(deal, institution_admin, (yesterday, 1_234_50))
    client = Client()
    client.force_login(institution_admin)
    body = client.get(reverse("deals:reminders")).content.decode()
    assert "第 1 期应收款：1,234.50 元未到账" in body and "逾期 1 天" in body and deal.code in body
