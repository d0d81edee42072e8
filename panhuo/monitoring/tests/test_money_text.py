"""Every money text in monitoring goes through engine.deals.money.format_fen (integers, sign on the whole amount)."""

from __future__ import annotations

import pytest

from panhuo.monitoring.templatetags.monitoring_tags import kpi_value, yuan
from panhuo.monitoring.views import _yuan


@pytest.mark.parametrize(
    ("fen", "text"),
    [(None, "0.00"), (-12345, "-123.45"), (-5, "-0.05"), (10**17 + 1, "1,000,000,000,000,000.01")],
)
def test_dashboard_and_template_money(fen, text):
    # fen / 100 as a float printed 10**17 + 1 fen as "…000.00"; floor division printed -12345 as "-124.55"
    assert _yuan(fen) == text
    assert yuan(fen) == text
    assert kpi_value(fen, "fen") == f"{text} 元"
