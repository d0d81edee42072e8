from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.monitoring.kpi import JL_INDICATORS
from engine.monitoring.units import format_value, parse_value, spreadsheet_number, unit_kind


def test_counts_and_amounts_are_shown_in_their_unit_not_as_percentages():
    # the Jilin page printed "0.05%（上年 1）" for 5 deals and "1100000.00%" for ¥1.1m
    assert format_value(5, "件") == "5 件"
    assert format_value(110_000_000, "wan_yuan") == "110.00 万元"
    assert format_value(110_000_000, "yuan") == "1,100,000.00 元"
    assert format_value(40_000_000_000, "yi_yuan") == "4.00 亿元"
    assert format_value(6_000, "bp") == "60.00%"
    assert format_value(36, "hours") == "36 小时"


def test_jilin_growth_indicators_measure_counts_and_money_not_basis_points():
    assert {i.code: unit_kind(i.unit) for i in JL_INDICATORS if i.kind == "growth"} == {
        "jl1": "count", "jl2": "amount", "jl3": "amount", "jl4": "count", "jl5": "amount", "jl6": "amount",
        "jl7": "count", "jl9": "amount", "jl10": "count", "jl11": "amount", "jl12": "count",
    }  # fmt: skip


def test_wan_yuan_rounds_half_up_to_the_hundred_yuan():
    assert format_value(1_004_999, "wan_yuan") == "1.00 万元"  # ¥10,049.99
    assert format_value(1_005_000, "wan_yuan") == "1.01 万元"
    assert spreadsheet_number(110_000_000, "wan_yuan") == (110.0, "万元")


@given(st.integers(0, 10**12))
def test_parse_value_reads_back_what_a_money_unit_shows(fen):
    shown = format_value(fen * 10_000, "wan_yuan")  # whole hundreds of yuan: exact in 万元 with two decimals
    assert parse_value(shown, "wan_yuan") == fen * 10_000


def test_parse_value_refuses_bad_text():
    assert (
        parse_value("2.5%", "bp") == 250
        and parse_value("12 件", "件") == 12
        and parse_value("200", "wan_yuan") == 2 * 10**8
    )
    for text, unit in (("abc", "件"), ("-1", "wan_yuan"), ("1.5", "人"), ("x%", "bp")):
        with pytest.raises(ValueError):
            parse_value(text, unit)
