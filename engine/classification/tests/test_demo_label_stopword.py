"""The demo data's label never becomes an industry keyword."""

from __future__ import annotations

from engine.classification.text import terms


def test_demo_label_is_not_a_term():
    assert terms("重庆演示精密机械有限公司（演示） 数控机床制造") == [
        "重庆",
        "精密机械",
        "有限公司",
        "数控机床",
    ]
