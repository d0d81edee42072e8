"""Demo 技术交底 of DEMO-UNI-1 (labelled demo): one in each stage, the filed one linked into the 基础库.

Runs after the matching demo (the novelty search asks the built index). Idempotent: nothing is added when demo
disclosures exist.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from engine.identifiers.application_number import check_character
from panhuo.accounts.models import User
from panhuo.disclosures import services
from panhuo.disclosures.models import Decision, Disclosure
from panhuo.disclosures.services import DisclosureContent, InventorShare
from panhuo.patents.models import Patent

BASE = {
    "field": "电力系统与智能电网",
    "advantages": "",
    "prior_art": "",
    "funding_source": "fiscal",
    "funding_projects": ["cstc2024jcyj-msxmX0001"],
    "inventors": [InventorShare("王建国", "70"), InventorShare("刘敏", "30")],
}

CASES = [
    # (title, problem, solution, outcome)
    (
        "一种基于图像识别的输电线路绝缘子缺陷检测方法（演示）",
        "人工巡检输电线路绝缘子效率低，漏检率高。",
        "无人机采集绝缘子图像，以卷积神经网络识别破损、污秽与自爆缺陷，并给出缺陷位置。",
        "filed",
    ),
    (
        "配电变压器油温在线监测装置（演示）",
        "配电变压器油温异常难以及时发现。",
        "在变压器油箱布置光纤测温探头，数据经无线模块上传，超限时报警。",
        "utility_pending",
    ),
    (
        "电缆接头制作工艺参数优化方法（演示）",
        "电缆中间接头制作质量依赖工人经验。",
        "记录压接压力、温度等工艺参数并以统计过程控制给出最优区间。",
        "know_how",
    ),
    (
        "基于负荷预测的储能电站充放电调度方法（演示）",
        "储能电站充放电计划与负荷变化不匹配。",
        "以短期负荷预测结果滚动优化储能充放电计划。",
        "submitted",
    ),
    ("光伏组件热斑快速识别方法（演示）", "热斑导致组件效率下降。", "红外图像阈值分割识别热斑。", "draft"),
]


def _free_app_no(prefix: str) -> str:
    """The first 申请号 of this year and type (prefix "20261") not taken by a loaded patent."""
    for n in range(1, 1000):
        body = f"{prefix}{n:07d}"
        number = f"{body}.{check_character(body)}"
        if not Patent.objects.filter(app_no=number).exists():
            return number
    raise RuntimeError("no free demo application number")


def load(out: Any) -> None:
    if Disclosure.objects.filter(is_demo=True).exists():
        out.write("disclosures: demo disclosures exist, nothing added")
        return
    inventor = User.objects.filter(username="demo_inventor").first()
    staff = User.objects.filter(username="demo_institution_admin").first()
    if inventor is None or staff is None:
        out.write("disclosures: demo accounts missing, skipped")
        return
    today = timezone.localdate()
    for title, problem, solution, outcome in CASES:
        content = DisclosureContent(
            title=title,
            problem=problem,
            solution=solution,
            planned_publication_on=today + timedelta(days=60) if outcome == "utility_pending" else None,
            planned_publication="行业会议论文" if outcome == "utility_pending" else "",
            **BASE,  # type: ignore[arg-type]
        )
        d = services.disclosure_create(
            actor=inventor, content=content, submit=outcome != "draft", is_demo=True
        )
        if outcome in ("draft", "submitted"):
            continue
        services.evaluation_search_similar(actor=staff, disclosure=d)
        if outcome == "know_how":
            services.evaluation_decide(
                actor=staff,
                disclosure=d,
                decision=Decision.KNOW_HOW,
                reasons="工艺参数难以从产品反向获知，作为技术秘密保护更有利。",
                deadline=None,
                novelty_notes="检索到的相似专利未公开相同工艺参数。",
            )
            continue
        decision = Decision.FILE_INVENTION if outcome == "filed" else Decision.FILE_UTILITY
        services.evaluation_decide(
            actor=staff,
            disclosure=d,
            decision=decision,
            reasons="方案具有新颖性和创造性，已有企业表达实施意向。",
            deadline=today + timedelta(days=30),
            novelty_notes="盘活检索的相似专利均未采用相同的技术手段。",
            market_prospects="电网企业巡检与运维需求稳定。",
            industrialisation_prospects="可与巡检无人机厂商合作产业化。",
        )
        if outcome == "filed":
            services.filing_record(
                actor=staff,
                disclosure=d,
                filed_on=today,
                agency="示范专利代理事务所（演示）",
                app_no=_free_app_no(f"{today.year}1"),
            )
    out.write(f"disclosures: {len(CASES)} demo disclosures (one filed and linked into the 基础库)")
