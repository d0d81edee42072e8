"""Anomaly evidence reads as sentences with dates and amounts, never as keys and Python values."""

from __future__ import annotations

from engine.monitoring.anomaly import RULES, explain


def test_every_rule_explains_its_evidence_in_words():
    samples = {
        "retransfer": {"path": ["甲大学", "乙公司", "甲大学"], "days": 40, "returned_to_origin": True,
                       "dates": ["2026-01-05", "2026-02-14"]},
        "bulk_buyer": {"patents": 12, "from": "2026-01-01", "to": "2026-06-30", "related_buyers": True,
                       "shared_address": ["某路 1 号"], "shared_legal_representative": [""], "hnte_applied_on": []},
        "token_price": {"kind": "transfer", "contract_fen": 0, "threshold_fen": 100},
        "unpaid": {"contract_fen": 5_000_000, "received_fen": 0, "signed_on": "2025-01-02", "days_since_signing": 400},
        "inventor_change": {"removed": ["张三"], "added": ["李四"]},
        "licence_unregistered": {"filed_on": "2025-03-01", "tech_contract_registered": False, "received_fen": 0},
        "industry_mismatch": {"buyer_industries": ["C38"], "patent_industries": ["A01"], "compared_at": "GB/T 4754 大类"},
    }  # fmt: skip
    assert set(samples) == set(RULES)
    assert explain("retransfer", samples["retransfer"]) == [
        "转让路径：甲大学 → 乙公司 → 甲大学（签订日期 2026-01-05、2026-02-14，首尾相隔 40 天）。",
        "专利在窗口期内转回了最初的权利人。",
    ]
    assert explain("unpaid", samples["unpaid"]) == [
        "合同于 2025-01-02 签订，金额 50,000.00 元，400 天后仍无到账记录。"
    ]
    assert explain("token_price", samples["token_price"]) == [
        "转让合同金额 0.00 元，不高于象征性价格线 1.00 元。"
    ]
    for rule, evidence in samples.items():
        text = "".join(explain(rule, evidence))
        for raw in ("['", "True", "False", "None", "_fen", "_on", rule):
            assert raw not in text, (rule, raw, text)
