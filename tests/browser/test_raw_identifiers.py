"""The raw-identifier check used by the browser journeys, on real page text (no browser needed)."""

from __future__ import annotations

import pytest

from tests.browser.raw_identifiers import raw_identifiers

# The visible text of /monitoring/anomalies/1/ at f61d24e (before evidence was written as sentences).
ANOMALY_PAGE_AT_F61D24E = """短期内转让后又转回(A→B→A)或连续转让 置信度 0.9 · 待核查
专利：201910012345.6
当事方：重庆演示大学 → 重庆演示科技有限公司
证据
path\t['重庆演示大学', '重庆演示科技有限公司', '重庆演示大学']
days\t40
returned_to_origin\tTrue
dates\t['2026-01-05', '2026-02-14']
相关交易
编号\t类型\t权利人\t合同日期\t金额(元)\t到账(元)
DEMO-MON-1\t转让\t重庆演示大学\t2026-01-05\t4,000.00\t0.00"""

ANOMALY_LIST_AT_F61D24E = (
    "规则\t专利\t当事方\t置信度\t状态\nretransfer\t201910012345.6\t甲 → 乙\t0.9\t待核查\ntoken_price\t…"
)


def test_fails_on_the_anomaly_page_as_it_was():
    kinds = {kind for kind, _ in raw_identifiers(ANOMALY_PAGE_AT_F61D24E)}
    assert kinds == {"snake_case", "python_repr"}
    assert ("snake_case", "returned_to_origin") in raw_identifiers(ANOMALY_PAGE_AT_F61D24E)
    assert ("python_repr", "True") in raw_identifiers(ANOMALY_PAGE_AT_F61D24E)
    assert ("snake_case", "token_price") in raw_identifiers(ANOMALY_LIST_AT_F61D24E)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("依据：shared/seeds/003_1d693d9969cc8619.txt 一(三)", "repository_path"),
        ("动作 kpi.indicator_manual", "dotted_name"),
        ("对象 monitoring.KpiIndicator 9", "dotted_name"),
        ("匹配理由 gbt4754:40", "scheme_code"),
        ("标签 highTech_mfg", "snake_case"),
        ("min_score 必须是数字", "snake_case"),
        ("值 None", "python_repr"),
        ("{'a': 1}", "python_repr"),
    ],
)
def test_each_kind_of_raw_identifier(text, kind):
    assert kind in {k for k, _ in raw_identifiers(text)}


def test_ordinary_chinese_page_text_passes():
    text = (
        "专利 CN107423234A（公开（公告）号）、201710601862.3（申请号），IPC H01M 10/0562，GB/T 4754 C38，"
        "2026年1–2月，合同金额 1,234.50 元，联系 user@example.com，TRL 6，发明人 张三、李四。"
        "依据《重庆高新区实施专利转化专项计划工作方案》二(二)。时间 2026-01-05 12:30。"
    )
    assert raw_identifiers(text) == []
