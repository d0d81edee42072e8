"""Properties without the database: money text from fen, office region prefixes."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from panhuo.accounts.visibility import region_prefix
from panhuo.demand.forms import yuan_to_fen
from panhuo.demand.models import Need

FEN = st.integers(min_value=0, max_value=10**13)


@given(FEN, FEN)
def test_budget_text_is_exact(a, b):
    lo, hi = min(a, b), max(a, b)
    text = Need(budget_min_fen=lo, budget_max_fen=hi).budget_text
    left, right = text.removesuffix(" 元").split("–")
    assert Decimal(left.replace(",", "")) * 100 == lo
    assert Decimal(right.replace(",", "")) * 100 == hi


def test_budget_text_open_ranges():
    assert Need().budget_text == "面议"
    assert Need(budget_min_fen=1).budget_text == "≥ 0.01 元"
    assert Need(budget_max_fen=123456).budget_text == "≤ 1,234.56 元"


@given(st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False, allow_infinity=False))
def test_yuan_to_fen_round_trip(yuan):
    fen = yuan_to_fen(yuan)
    assert Need(budget_min_fen=fen, budget_max_fen=fen).budget_text.startswith(f"{yuan:,.2f}")


@given(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
def test_region_prefix(code):
    prefix = region_prefix(code)
    assert code.startswith(prefix)
    assert len(prefix) in (2, 4, 6)
    assert code == prefix.ljust(6, "0")
    assert not (len(prefix) > 2 and prefix.endswith("00"))
