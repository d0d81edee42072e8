"""KPI programmes: indicators with targets and weights, progress, linear forecast to period end, laggards.

Values are integers: counts, fen, or ratios in basis points (1% = 100 bp), so snapshots compare exactly.
Kinds:
- "cumulative": a count or amount that grows through the period; forecast = actual * period_days / elapsed_days.
- "level": a ratio (bp) read as it stands; forecast = actual.
- "growth": year-on-year growth in bp of `actual` over `base`; forecast = growth of the forecast cumulative value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    metric: str  # statistics metric key (panhuo.monitoring.metrics) or "manual"
    kind: str  # cumulative | level | growth
    target: int  # in `unit` (cumulative, level); growth: the growth rate in bp whatever the unit
    unit: str  # engine.monitoring.units: 次 / 家 / 件 / 人 / yuan / wan_yuan / yi_yuan / bp / hours
    weight: int = 10


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    name: str
    start: date
    end: date
    indicators: tuple[IndicatorSpec, ...]
    source: str = ""


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    name: str
    unit: str
    kind: str
    target: int
    actual: int
    base: int | None
    progress_bp: int  # actual / target in bp (growth: growth / target), not capped
    forecast: int
    expected_bp: int  # share of the period elapsed, bp: where a linear path would be today
    on_track: bool
    weight: int


def elapsed_bp(start: date, end: date, as_of: date) -> int:
    total = (end - start).days + 1
    done = min(max((as_of - start).days + 1, 0), total)
    return done * 10_000 // total if total > 0 else 10_000


def growth_bp(current: int, base: int | None) -> int | None:
    if not base:
        return None
    return (current - base) * 10_000 // base


def evaluate(
    spec: IndicatorSpec, *, actual: int, base: int | None, start: date, end: date, as_of: date
) -> IndicatorResult:
    total_days = (end - start).days + 1
    elapsed_days = min(max((as_of - start).days + 1, 1), total_days)
    expected = elapsed_bp(start, end, as_of)
    if spec.kind == "cumulative":
        forecast = actual * total_days // elapsed_days
        progress = actual * 10_000 // spec.target if spec.target else 10_000
        on_track = forecast >= spec.target
    elif spec.kind == "level":
        forecast = actual
        progress = actual * 10_000 // spec.target if spec.target else 10_000
        on_track = actual >= spec.target
        expected = 10_000
    elif spec.kind == "growth":
        projected = actual * total_days // elapsed_days
        g_now = growth_bp(actual, base)
        g_fc = growth_bp(projected, base)
        forecast = g_fc if g_fc is not None else 0
        progress = (g_now or 0) * 10_000 // spec.target if spec.target else 10_000
        on_track = g_fc is not None and g_fc >= spec.target
    else:
        raise ValueError(f"unknown indicator kind {spec.kind!r}")
    return IndicatorResult(
        code=spec.code,
        name=spec.name,
        unit=spec.unit,
        kind=spec.kind,
        target=spec.target,
        actual=actual,
        base=base,
        progress_bp=progress,
        forecast=forecast,
        expected_bp=expected,
        on_track=on_track,
        weight=spec.weight,
    )


def weighted_score_bp(results: list[IndicatorResult]) -> int:
    """Σ weight × min(progress, 100%) / Σ weight, in bp."""
    weights = sum(r.weight for r in results)
    if not weights:
        return 0
    return sum(r.weight * min(max(r.progress_bp, 0), 10_000) for r in results) // weights


def laggards(results: list[IndicatorResult]) -> list[IndicatorResult]:
    """Indicators whose forecast misses the target, worst progress first."""
    return sorted((r for r in results if not r.on_track), key=lambda r: (r.progress_bp, r.code))


CQ_SOURCE = (
    "shared/seeds/003_1d693d9969cc8619.txt 一(三) 主要目标 1–10 (重庆高新区实施专利转化专项计划工作方案)"
)
JL_SOURCE = "shared/seeds/002_56b8ea5ba546a0d1.txt 二、工作目标 (吉林省2021—2023年专利转化行动计划实施方案)"

CQ_INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "cq1",
        "中小微企业接受高校院所专利转让许可次数",
        "sme_deals_from_institutions",
        "cumulative",
        300,
        "次",
    ),
    IndicatorSpec(
        "cq2",
        "接受高校院所专利转让许可的中小微企业数量",
        "smes_served_by_institutions",
        "cumulative",
        60,
        "家",
    ),
    IndicatorSpec("cq3", "普惠性专利质押融资惠及中小微企业数量", "pledge_smes", "cumulative", 20, "家"),
    IndicatorSpec("cq4", "通过专利开放许可达成的专利许可数量", "open_licence_deals", "cumulative", 15, "件"),
    IndicatorSpec(
        "cq5",
        "高校院所向中小微企业转让许可专利占高校院所有效专利的比例",
        "institution_sme_patent_share_bp",
        "level",
        200,
        "bp",
    ),
    IndicatorSpec(
        "cq6", "普惠性质押融资惠及中小微企业数量占惠企数量的比例", "pledge_sme_share_bp", "level", 6_000, "bp"
    ),
    IndicatorSpec(
        "cq7", "企业专利质押融资金额", "pledge_amount_fen", "cumulative", 40_000_000_000, "wan_yuan"
    ),
    IndicatorSpec(
        "cq8", "专利许可备案金额", "licence_filed_amount_fen", "cumulative", 500_000_000_000, "wan_yuan"
    ),
    IndicatorSpec("cq9", "企业专利产品备案数量", "product_filings", "cumulative", 300, "件"),
    IndicatorSpec(
        "cq10",
        "高校、企业对专利转让许可相关政策项目和手续办理的满意度",
        "satisfaction_bp",
        "level",
        9_000,
        "bp",
    ),
)

JL_INDICATORS: tuple[IndicatorSpec, ...] = (
    # Growth targets are rates (bp); the unit is that of the measured value (the page shows "5 件（上年 1 件）").
    IndicatorSpec(
        "jl1", "中小微企业受让/许可/入股专利数量年均增幅", "sme_received_patents", "growth", 1_000, "件"
    ),
    IndicatorSpec(
        "jl2",
        "中小微企业受让/许可/入股成交金额年均增幅",
        "sme_received_contract_fen",
        "growth",
        1_000,
        "wan_yuan",
    ),
    IndicatorSpec(
        "jl3",
        "中小微企业受让/许可/入股实际到账金额年均增幅",
        "sme_received_paid_fen",
        "growth",
        1_000,
        "wan_yuan",
    ),
    IndicatorSpec(
        "jl4", "高校院所转让/许可/入股专利数量年均增幅", "institution_deal_patents", "growth", 2_000, "件"
    ),
    IndicatorSpec(
        "jl5",
        "高校院所转让/许可/入股成交金额年均增幅",
        "institution_contract_fen",
        "growth",
        2_000,
        "wan_yuan",
    ),
    IndicatorSpec(
        "jl6",
        "高校院所转让/许可/入股实际到账金额年均增幅",
        "institution_paid_fen",
        "growth",
        2_000,
        "wan_yuan",
    ),
    IndicatorSpec("jl7", "政策惠及的中小微企业数量年均增幅", "smes_served", "growth", 2_000, "家"),
    IndicatorSpec("jl8", "中小微企业专利产品备案数量(每年)", "product_filings", "cumulative", 30, "件"),
    IndicatorSpec("jl9", "专利质押融资金额年均增幅", "pledge_amount_fen", "growth", 1_500, "wan_yuan"),
    IndicatorSpec("jl10", "专利质押融资项目数年均增幅", "pledge_deals", "growth", 1_500, "项"),
    # 政策惠及的中小微企业营业收入及就业人数年均增幅 20%: measured from 产业化成效 records (panhuo/outcomes), i.e. the
    # revenue and new jobs the SMEs report for their converted patents, not their whole accounts.
    IndicatorSpec(
        "jl11",
        "政策惠及的中小微企业营业收入年均增幅(产业化成效)",
        "sme_outcome_revenue_fen",
        "growth",
        2_000,
        "wan_yuan",
    ),
    IndicatorSpec(
        "jl12", "政策惠及的中小微企业就业人数年均增幅(产业化成效)", "sme_outcome_jobs", "growth", 2_000, "人"
    ),
)

# Which region codes a preset measures by default (the office may change the scope; each must be in its region).
# 重庆高新区 is a functional area: its 直管园 lies in 沙坪坝区 (500106) and 九龙坡区 (500107); district codes are the
# finest grain Panhuo stores, so the scope is those two districts, not the whole of 重庆 (50).
PRESET_SCOPES: dict[str, tuple[str, ...]] = {"cq-gxq": ("500106", "500107")}
