"""Payments received are split exactly by the institution's rule; inventors see only their own income."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from panhuo.common.errors import ApplicationError
from panhuo.deals.models import Deal, DealKind, DealState, IncomeAllocation, LicenceType, Payment
from panhuo.deals.selectors import income_statement
from panhuo.deals.services import deal_create, income_rule_set, inventors_set, payment_record
from panhuo.deals.services.deals import InventorShare

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_licence(institution_admin, patent, enterprise):
    return deal_create(
        actor=institution_admin,
        kind=DealKind.LICENCE,
        title="普通许可",
        patents=[patent],
        counterparties=[(enterprise, "licensee")],
        licence_type=LicenceType.ORDINARY,
        contract_amount_fen=100_000_00,
        state=DealState.SIGNED,
    )


def test_split_by_rule_with_service_reward(institution_admin, inventor, signed_licence):
    income_rule_set(
        actor=institution_admin,
        institution_bp=2990,
        inventors_bp=7000,
        service_bp=10,
        service_kinds=["licence"],
    )
    inventors_set(
        deal_id=signed_licence.pk,
        actor=institution_admin,
        inventors=[InventorShare("张三", 6000, inventor.pk), InventorShare("李四", 4000)],
    )
    payment = payment_record(
        deal_id=signed_licence.pk, actor=institution_admin, amount_fen=12_345_67, received_on=date(2025, 6, 1)
    )
    parts = list(payment.allocations.values_list("recipient", "name", "amount_fen"))
    # 12,345.67 yuan: institution 29.90%, 张三 70%×60%, 李四 70%×40%, service 0.1%
    assert parts == [
        ("institution", "甲大学", 3_691_35),
        ("inventor", "张三", 5_185_18),
        ("inventor", "李四", 3_456_79),
        ("service", "服务团队", 12_35),
    ]
    assert sum(p[2] for p in parts) == 12_345_67
    assert Deal.objects.get(pk=signed_licence.pk).received_fen == 12_345_67
    rows, total = income_statement(inventor)
    assert [(r.name, r.amount_fen) for r in rows] == [("张三", 5_185_18)] and total == 5_185_18


def test_service_reward_only_for_configured_kinds(institution_admin, signed_licence):
    income_rule_set(
        actor=institution_admin,
        institution_bp=2990,
        inventors_bp=7000,
        service_bp=10,
        service_kinds=["transfer"],
    )
    payment = payment_record(
        deal_id=signed_licence.pk, actor=institution_admin, amount_fen=100, received_on=date(2025, 1, 1)
    )
    assert list(payment.allocations.values_list("recipient", "amount_fen")) == [
        ("institution", 30),
        ("inventor", 70),
    ]


def test_rule_must_sum_to_100_percent(institution_admin):
    with pytest.raises(ApplicationError) as err:
        income_rule_set(actor=institution_admin, institution_bp=3000, inventors_bp=6000, service_bp=10)
    assert err.value.code == "income_rule_sum"


def test_payment_refusals_change_nothing(institution_admin, signed_licence, other_admin):
    for kwargs, code in (
        ({"amount_fen": 0}, "money_positive"),
        ({"amount_fen": -5}, "money_positive"),
        ({"amount_fen": 5, "received_on": date(2099, 1, 1)}, "payment_future"),
    ):
        kwargs.setdefault("received_on", date(2025, 1, 1))
        with pytest.raises(ApplicationError) as err:
            payment_record(deal_id=signed_licence.pk, actor=institution_admin, **kwargs)
        assert err.value.code == code
    payment_record(
        deal_id=signed_licence.pk,
        actor=institution_admin,
        amount_fen=5,
        received_on=date(2025, 1, 1),
        reference="R1",
    )
    with pytest.raises(ApplicationError) as err:
        payment_record(
            deal_id=signed_licence.pk,
            actor=institution_admin,
            amount_fen=5,
            received_on=date(2025, 1, 1),
            reference="R1",
        )
    assert err.value.code == "payment_duplicate"
    with pytest.raises(ApplicationError) as err:
        payment_record(
            deal_id=signed_licence.pk, actor=other_admin, amount_fen=5, received_on=date(2025, 1, 1)
        )
    assert err.value.code == "not_found"  # another tenant's deal does not exist for them
    assert Payment.objects.count() == 1 and Deal.objects.get(pk=signed_licence.pk).received_fen == 5


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.integers(min_value=1, max_value=10**15),
    shares=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=6),
    service=st.integers(min_value=0, max_value=500),
)
def test_allocations_always_sum_to_payment(institution_admin, signed_licence, amount, shares, service):
    income_rule_set(
        actor=institution_admin,
        institution_bp=10000 - 6000 - service,
        inventors_bp=6000,
        service_bp=service,
        service_kinds=["licence"],
    )
    bp = [s * 10000 // sum(shares) for s in shares]
    bp[0] += 10000 - sum(bp)
    assume(all(b > 0 for b in bp))
    inventors_set(
        deal_id=signed_licence.pk,
        actor=institution_admin,
        inventors=[InventorShare(f"发明人{i}", b) for i, b in enumerate(bp)],
    )
    payment = payment_record(
        deal_id=signed_licence.pk, actor=institution_admin, amount_fen=amount, received_on=date(2025, 1, 1)
    )
    allocated = list(IncomeAllocation.objects.filter(payment=payment).values_list("amount_fen", flat=True))
    assert sum(allocated) == amount and min(allocated) >= 0
