"""Pure rules: money parsing, exact split, lifecycle checks, open-licence bars and caps."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.deals import lifecycle
from engine.deals.money import MoneyError, format_bp, format_fen, parse_yuan, yuan_number
from engine.deals.open_licence import DeclarationFacts, FeeCaps, declaration_refusals
from engine.deals.split import split_fen


@pytest.mark.parametrize(
    ("raw", "fen"),
    [
        ("1,234.50", 123450),
        ("1234.5", 123450),
        ("１２３４．５", 123450),
        ("￥1,234,567.89元", 123456789),
        ("0", 0),
        ("0.01", 1),
        (" 12 ", 1200),
        ("１，２３４", 123400),
    ],
)
def test_parse_yuan_accepts(raw, fen):
    assert parse_yuan(raw) == fen


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1.234,5", "money_format"),
        ("-5", "money_negative"),
        ("－5", "money_negative"),
        ("1.234", "money_format"),
        ("12,34", "money_format"),
        ("", "money_empty"),
        ("abc", "money_format"),
        ("1e5", "money_format"),
    ],
)
def test_parse_yuan_refuses(raw, code):
    with pytest.raises(MoneyError) as err:
        parse_yuan(raw)
    assert err.value.code == code


@given(st.integers(min_value=0, max_value=10**15))
def test_format_then_parse_round_trips(fen):
    assert parse_yuan(format_fen(fen)) == fen


@given(
    st.integers(min_value=0, max_value=10**15),
    st.lists(st.integers(min_value=0, max_value=10**8), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
)
def test_split_sums_exactly_and_is_fair(amount, weights):
    parts = split_fen(amount, weights)
    assert sum(parts) == amount
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact_floor = amount * weight // total
        assert exact_floor <= part <= exact_floor + 1


def test_split_example_tie_goes_to_earlier():
    assert split_fen(100, [1, 1, 1]) == [34, 33, 33]
    assert split_fen(1, [3000 * 10000, 7000 * 5000, 7000 * 5000]) == [0, 1, 0]


def facts(**kw):
    base = dict(
        kind="licence", state="intent", needs_second_approval=False, approved=False, filings=frozenset()
    )
    base.update(kw)
    return lifecycle.DealFacts(**base)


def test_lifecycle_checks():
    assert lifecycle.check_transition(facts(), "negotiation").allowed
    assert lifecycle.check_transition(facts(), "signed").allowed
    assert (
        lifecycle.check_transition(facts(needs_second_approval=True), "signed").code == "deal_needs_approval"
    )
    assert lifecycle.check_transition(facts(needs_second_approval=True, approved=True), "signed").allowed
    assert lifecycle.check_transition(facts(state="signed"), "filed").code == "deal_filing_missing"
    assert lifecycle.check_transition(
        facts(state="signed", filings=frozenset({"licence_filing"})), "filed"
    ).allowed
    assert (
        lifecycle.check_transition(facts(kind="equity", state="signed"), "filed").code
        == "deal_filing_missing"
    )
    assert lifecycle.check_transition(facts(kind="equity", state="signed"), "performing").allowed
    assert (
        lifecycle.check_transition(facts(kind="transfer", state="performing"), "completed").code
        == "deal_transfer_unregistered"
    )
    assert lifecycle.check_transition(facts(state="completed"), "terminated").code == "deal_final"
    assert lifecycle.check_transition(facts(state="negotiation"), "intent").code == "deal_transition"


def declaration(**kw):
    base = dict(
        patent_type="invention",
        granted=True,
        annual_fee_paid_until=date(2030, 1, 1),
        today=date(2026, 6, 1),
        exclusive_licence_in_term=False,
        pledged_without_consent=False,
        ownership_dispute=False,
        evaluation_report=False,
        payment_method="one_off",
        fixed_fee_fen=50_000_00,
        entry_fee_fen=None,
        royalty_sales_bp=None,
        royalty_profit_bp=None,
        term_start=date(2026, 6, 1),
        term_end=date(2031, 5, 31),
    )
    base.update(kw)
    return DeclarationFacts(**base)


@pytest.mark.parametrize(
    ("change", "codes"),
    [
        ({}, []),
        ({"granted": False}, ["ol_not_granted"]),
        ({"exclusive_licence_in_term": True}, ["ol_exclusive_in_term"]),
        ({"annual_fee_paid_until": date(2026, 5, 31)}, ["ol_annual_fee_unpaid"]),
        ({"annual_fee_paid_until": date(2026, 6, 1)}, []),
        ({"pledged_without_consent": True}, ["ol_pledged"]),
        ({"ownership_dispute": True}, ["ol_ownership_dispute"]),
        ({"patent_type": "utility"}, ["ol_evaluation_report"]),
        ({"patent_type": "design", "evaluation_report": True}, []),
        ({"fixed_fee_fen": 20_000_000_00}, []),
        ({"fixed_fee_fen": 20_000_000_01}, ["ol_fee_cap"]),
        ({"payment_method": "royalty", "fixed_fee_fen": None, "royalty_sales_bp": 2000}, []),
        ({"payment_method": "royalty", "fixed_fee_fen": None, "royalty_sales_bp": 2001}, ["ol_fee_cap"]),
        ({"payment_method": "royalty", "fixed_fee_fen": None, "royalty_profit_bp": 4000}, []),
        ({"payment_method": "royalty", "fixed_fee_fen": None, "royalty_profit_bp": 4001}, ["ol_fee_cap"]),
        ({"payment_method": "royalty", "fixed_fee_fen": None}, ["ol_fee_missing"]),
        (
            {"payment_method": "entry_royalty", "fixed_fee_fen": None, "royalty_sales_bp": 300},
            ["ol_fee_missing"],
        ),
        ({"term_end": date(2026, 6, 1)}, ["ol_term"]),
        (
            {"exclusive_licence_in_term": True, "ownership_dispute": True},
            ["ol_exclusive_in_term", "ol_ownership_dispute"],
        ),
    ],
)
def test_declaration_refusals(change, codes):
    assert [r.code for r in declaration_refusals(declaration(**change))] == codes


def test_caps_are_configurable():
    caps = FeeCaps(fixed_fee_max_fen=100, royalty_sales_max_bp=100, royalty_profit_max_bp=100)
    assert [r.code for r in declaration_refusals(declaration(fixed_fee_fen=101), caps)] == ["ol_fee_cap"]


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (99, "0.99"),
        (-99, "-0.99"),
        (100, "1.00"),
        (12345, "123.45"),
        (-12345, "-123.45"),  # floor division would print "-124.55"
        (-100, "-1.00"),
        (123456789, "1,234,567.89"),
        (-123456789, "-1,234,567.89"),
        (10**17, "1,000,000,000,000,000.00"),  # exact far beyond float's 2**53: no float on the way
        (10**17 + 1, "1,000,000,000,000,000.01"),
    ],
)
def test_format_fen_negatives_and_rounding(fen, text):
    assert format_fen(fen) == text


@pytest.mark.parametrize(
    ("bp", "full", "trimmed"),
    [
        (0, "0.00%", "0%"),
        (1, "0.01%", "0.01%"),  # a float would print 0.010000000000000002
        (10, "0.10%", "0.1%"),
        (380, "3.80%", "3.8%"),
        (5000, "50.00%", "50%"),
        (9050, "90.50%", "90.5%"),
        (-250, "-2.50%", "-2.5%"),
        (-5, "-0.05%", "-0.05%"),  # floor division would print "-1.95%"
        (123456, "1234.56%", "1234.56%"),
    ],
)
def test_format_bp_full_and_trimmed(bp, full, trimmed):
    assert format_bp(bp) == full
    assert format_bp(bp, trim=True) == trimmed


@given(st.integers(min_value=-(10**17), max_value=10**17))
def test_yuan_number_is_exact_and_agrees_with_the_text(fen):
    number = yuan_number(fen)
    assert number * 100 == fen and number.as_tuple().exponent == -2
    assert f"{number:,.2f}" == format_fen(fen)
