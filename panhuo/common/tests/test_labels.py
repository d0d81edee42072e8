"""Words for internal values: regions by GB/T 2260 name, periods, policy sources, audit actions and objects."""

from __future__ import annotations

import pytest

from panhuo.common import labels


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("500107", "重庆市九龙坡区"),
        ("500100", "重庆市市辖区"),
        ("5001", "重庆市市辖区"),
        ("500000", "重庆市"),
        ("50", "重庆市"),
        ("210200", "辽宁省大连市"),
        ("", "全国"),
        ("219999", "辽宁省（行政区划 219999）"),
    ],
)
def test_region_names(code, name):
    assert labels.region_name(code) == name


def test_periods_read_as_months():
    assert [labels.period_label(f"2026-B{i}") for i in (1, 5)] == ["2026年1–2月", "2026年9–10月"]
    assert labels.period_label("2026") == "2026年"


def test_policy_sources_by_title_and_article_never_by_path():
    assert (
        labels.policy_source(
            "shared/seeds/003_1d693d9969cc8619.txt 二(二) 专利转化绩效奖补 (重庆高新区实施专利转化专项计划工作方案, 2024-04-15)"
        )
        == "《重庆高新区实施专利转化专项计划工作方案》（2024-04-15）二(二) 专利转化绩效奖补"
    )
    assert labels.policy_source("自定义") == "自定义"


@pytest.mark.django_db
def test_audit_actions_and_objects_in_words():
    assert labels.audit_action_label("kpi.indicator_manual") == "考核指标手工填报"
    assert labels.audit_action_label("need.publish") == "技术需求发布"
    assert labels.audit_action_label("zzz.unknown") == "其他操作"
    assert labels.audit_object_label("monitoring.KpiIndicator", 9) == "考核指标 #9"
    assert labels.audit_object_label("", "") == ""


def test_industry_tags_by_name():
    assert labels.industry_label("highTech_mfg") == "高技术产业（制造业）"
    assert labels.industry_label("C38", "电气机械和器材制造业") == "C38 电气机械和器材制造业"


def test_match_reasons_name_their_classifications():
    assert labels.match_reason("同属分类/行业：gbt4754:40、ipc:H01M、tag:highTech_mfg") == (
        "同属分类/行业：国民经济行业 40、IPC H01M、高技术产业（制造业）"
    )
