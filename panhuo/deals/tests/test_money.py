"""Money is exact on SQLite and PostgreSQL; concurrent approvals: exactly one wins (PostgreSQL, threads)."""

from __future__ import annotations

import os
import random
import threading
from datetime import date

import pytest
from django.db import connection

from panhuo.common.errors import ApplicationError
from panhuo.deals.models import Deal, DealKind, DealPatent, DealState, LicenceType, Payment
from panhuo.deals.selectors import exact_sum_fen
from panhuo.deals.services import deal_approve, deal_create, income_rule_set
from panhuo.deals.tests.conftest import lift_audit_truncate_guard


@pytest.mark.django_db
def test_sum_of_20000_random_amounts_is_exact(institution_admin, patent):
    deal = deal_create(
        actor=institution_admin,
        kind=DealKind.SELF_IMPLEMENTATION,
        title="产业化",
        patents=[patent],
        state=DealState.SIGNED,
    )
    rng = random.Random(20260601)
    amounts = [rng.randint(1, 10**15) for _ in range(20_000)]
    amounts[:3] = [10**15, 1, 10**15 - 1]
    Payment.objects.bulk_create(
        [Payment(deal=deal, amount_fen=a, received_on=date(2025, 1, 1)) for a in amounts], batch_size=2000
    )
    assert sum(amounts) > 2**63  # beyond a signed 64-bit accumulator: the exact path is really exercised
    assert exact_sum_fen(Payment.objects.filter(deal=deal), "amount_fen") == sum(amounts)
    stored = list(Payment.objects.filter(deal=deal).order_by("id").values_list("amount_fen", flat=True))
    assert stored == amounts


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="row-level concurrency needs PostgreSQL",
)
def test_two_concurrent_approvals_exactly_one_succeeds(
    restore_audit_trigger, institution_admin, second_admin, make_user, university, patent, enterprise
):
    try:
        _concurrent_approvals(institution_admin, second_admin, make_user, university, patent, enterprise)
    finally:
        lift_audit_truncate_guard()


def _concurrent_approvals(institution_admin, second_admin, make_user, university, patent, enterprise):
    third = make_user("institution_admin", university, username="third_admin")
    income_rule_set(actor=institution_admin, institution_bp=3000, inventors_bp=7000, approval_threshold_fen=0)
    deal = deal_create(
        actor=institution_admin,
        kind=DealKind.LICENCE,
        title="大额许可",
        patents=[patent],
        counterparties=[(enterprise, "licensee")],
        licence_type=LicenceType.ORDINARY,
        contract_amount_fen=10_000_000_00,
    )
    results: list[str] = []
    barrier = threading.Barrier(2)

    def approve(user):
        try:
            barrier.wait()
            deal_approve(deal_id=deal.pk, actor=user)
            results.append("ok")
        except ApplicationError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (second_admin, third)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["deal_already_approved", "ok"]
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.approved_by_id in (second_admin.pk, third.pk)
    assert stored.events.filter(action="approve").count() == 1
    assert DealPatent.objects.filter(deal=deal).count() == 1
