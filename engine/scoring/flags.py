"""高价值发明专利 categories, 沉睡专利, and 分层推广 tier rules, vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The five official categories (CNIPA, 2021): order fixes the bit positions of the flag matrix.
HIGH_VALUE_CATEGORIES: tuple[str, ...] = (
    "sei_industry",
    "overseas_granted",
    "maintained_10y",
    "pledge",
    "award",
)
HIGH_VALUE_LABELS = {
    "sei_industry": "战略性新兴产业",
    "overseas_granted": "有海外同族授权",
    "maintained_10y": "维持年限超过10年",
    "pledge": "质押融资额较高",
    "award": "获国家科学技术奖或中国专利奖",
}
MAINTAINED_DAYS = 10 * 365.25


def high_value_matrix(
    *,
    is_invention: np.ndarray,
    is_valid: np.ndarray,
    sei: np.ndarray,
    overseas_granted: np.ndarray,
    application_ord: np.ndarray,
    max_pledge_fen: np.ndarray,
    award: np.ndarray,
    today_ord: int,
    pledge_threshold_fen: int,
) -> np.ndarray:
    """(n, 5) bool: which categories each patent meets. Only valid invention patents qualify at all."""
    base = is_invention & is_valid
    with np.errstate(invalid="ignore"):
        maintained = (today_ord - application_ord) > MAINTAINED_DAYS
    flags = np.stack(
        [
            sei > 0,
            overseas_granted,
            maintained,
            max_pledge_fen >= pledge_threshold_fen,
            award,
        ],
        axis=1,
    )
    out: np.ndarray = flags & base[:, None]
    return out


def sleeping_mask(
    *, is_valid: np.ndarray, is_granted: np.ndarray, deals: np.ndarray, implemented: np.ndarray
) -> np.ndarray:
    """沉睡专利: valid, granted, never transferred / licensed / put into equity / implemented."""
    out: np.ndarray = is_valid & is_granted & (deals == 0) & (implemented == 0)
    return out


@dataclass(frozen=True)
class TierRule:
    """A patent matches when every condition that is set holds; the first matching rule wins."""

    tier: str
    reason_zh: str
    min_score: float | None = None
    max_score: float | None = None  # exclusive
    require_high_value_or_positive: bool = False
    min_demand: int | None = None
    fee_due_within_days: int | None = None


DEFAULT_TIER_RULES: tuple[TierRule, ...] = (
    TierRule(
        "proactive",
        "高价值且有正面市场反馈：主动经纪、路演推介",
        min_score=65.0,
        require_high_value_or_positive=True,
    ),
    TierRule(
        "fee_review",
        "价值较低且年费即将到期：缴费前复核是否继续维持",
        max_score=35.0,
        fee_due_within_days=180,
    ),
    TierRule(
        "open_licence",
        "价值中等、潜在用户较多：建议开放许可、低价普惠",
        min_score=35.0,
        max_score=65.0,
        min_demand=2,
    ),
    TierRule("standard", "标准挂牌与定向推送"),
)


def assign_tiers(
    rules: tuple[TierRule, ...] | list[TierRule],
    *,
    score: np.ndarray,
    high_value_or_positive: np.ndarray,
    demand: np.ndarray,
    days_to_fee: np.ndarray,
) -> np.ndarray:
    """Index of the first matching rule per patent, -1 when none matches."""
    n = score.shape[0]
    out = np.full(n, -1, dtype=np.int16)
    for i, rule in enumerate(rules):
        mask = out < 0
        if rule.min_score is not None:
            mask &= score >= rule.min_score
        if rule.max_score is not None:
            mask &= score < rule.max_score
        if rule.require_high_value_or_positive:
            mask &= high_value_or_positive
        if rule.min_demand is not None:
            mask &= demand >= rule.min_demand
        if rule.fee_due_within_days is not None:
            with np.errstate(invalid="ignore"):
                mask &= days_to_fee <= rule.fee_due_within_days
        out[mask] = i
    return out
