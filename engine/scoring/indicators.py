"""The indicator tree: 3 first-level dimensions (法律/技术/经济价值) and the indicators computed from data.

GB/T 42748-2023 publishes the structure (3 first-level, 14 second-level, 27 third-level indicators)
but its third-level names and weights need the paid standard text; the indicators below are the ones
Panhuo can compute from the data it holds, mapped onto the three first-level dimensions. Default
weights per scenario are documented assumptions (docs/evaluation.md) and live as database rows.
"""

from __future__ import annotations

from dataclasses import dataclass

ENGINE_VERSION = "1.0"
DIMENSIONS: tuple[str, ...] = ("legal", "technical", "economic")
DIMENSION_LABELS = {"legal": "法律价值", "technical": "技术价值", "economic": "经济价值"}


@dataclass(frozen=True)
class Indicator:
    name: str
    dimension: str
    label_zh: str
    cohort: bool  # True: percentile within (IPC class, grant year); False: already on 0..1


INDICATORS: tuple[Indicator, ...] = (
    # 法律价值
    Indicator("legal_status", "legal", "法律状态", False),
    Indicator("remaining_term", "legal", "剩余保护期", False),
    Indicator("patent_type", "legal", "专利类型", False),
    Indicator("claims", "legal", "权利要求数", True),
    Indicator("independent_claims", "legal", "独立权利要求数", True),
    Indicator("sole_ownership", "legal", "权属清晰(非共有)", False),
    Indicator("dispute_free", "legal", "无权属纠纷", False),
    # 技术价值
    Indicator("ipc_scope", "technical", "IPC 覆盖小类数", True),
    Indicator("maturity", "technical", "技术成熟度 TRL", False),
    Indicator("forward_citations", "technical", "被引次数", True),
    Indicator("backward_citations", "technical", "引用次数", True),
    Indicator("family_size", "technical", "同族规模", True),
    Indicator("self_grade", "technical", "发明人价值自评", False),
    # 经济价值
    Indicator("sei_industry", "economic", "战略性新兴产业", False),
    Indicator("ip_intensive", "economic", "专利密集型产业", False),
    Indicator("market_deals", "economic", "转让/许可/质押/入股记录", True),
    Indicator("demand_signals", "economic", "企业需求信号(收藏/需求/评价)", True),
    Indicator("positive_feedback", "economic", "企业评价正面比例", False),
    Indicator("implemented", "economic", "已实施/产业化", False),
    Indicator("institution_record", "economic", "所属机构转化记录", False),
)

_INDEX = {ind.name: i for i, ind in enumerate(INDICATORS)}


def indicator_index(name: str) -> int:
    return _INDEX[name]


# Default weights per scenario (sum to 1). Dimension totals: licensing 0.30/0.30/0.40,
# finance 0.45/0.25/0.30, management 0.30/0.40/0.30.
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "licensing": {
        "legal_status": 0.08,
        "remaining_term": 0.06,
        "patent_type": 0.04,
        "claims": 0.04,
        "independent_claims": 0.03,
        "sole_ownership": 0.03,
        "dispute_free": 0.02,
        "ipc_scope": 0.05,
        "maturity": 0.08,
        "forward_citations": 0.05,
        "backward_citations": 0.02,
        "family_size": 0.05,
        "self_grade": 0.05,
        "sei_industry": 0.06,
        "ip_intensive": 0.04,
        "market_deals": 0.07,
        "demand_signals": 0.08,
        "positive_feedback": 0.07,
        "implemented": 0.04,
        "institution_record": 0.04,
    },
    "finance": {
        "legal_status": 0.12,
        "remaining_term": 0.10,
        "patent_type": 0.06,
        "claims": 0.05,
        "independent_claims": 0.04,
        "sole_ownership": 0.04,
        "dispute_free": 0.04,
        "ipc_scope": 0.04,
        "maturity": 0.06,
        "forward_citations": 0.05,
        "backward_citations": 0.01,
        "family_size": 0.06,
        "self_grade": 0.03,
        "sei_industry": 0.05,
        "ip_intensive": 0.04,
        "market_deals": 0.08,
        "demand_signals": 0.04,
        "positive_feedback": 0.03,
        "implemented": 0.04,
        "institution_record": 0.02,
    },
    "management": {
        "legal_status": 0.08,
        "remaining_term": 0.06,
        "patent_type": 0.04,
        "claims": 0.04,
        "independent_claims": 0.03,
        "sole_ownership": 0.03,
        "dispute_free": 0.02,
        "ipc_scope": 0.06,
        "maturity": 0.08,
        "forward_citations": 0.08,
        "backward_citations": 0.03,
        "family_size": 0.07,
        "self_grade": 0.08,
        "sei_industry": 0.06,
        "ip_intensive": 0.04,
        "market_deals": 0.05,
        "demand_signals": 0.05,
        "positive_feedback": 0.04,
        "implemented": 0.03,
        "institution_record": 0.03,
    },
}
