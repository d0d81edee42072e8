"""专利开放许可: the bars of 实施细则 Art. 86 and the 2024 fee caps, as pure checks over plain facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.deals.money import format_bp, format_fen


@dataclass(frozen=True)
class FeeCaps:
    """Published caps (2024 notice). Basis points: 2000 = 20%."""

    fixed_fee_max_fen: int = 20_000_000 * 100
    royalty_sales_max_bp: int = 2000
    royalty_profit_max_bp: int = 4000


@dataclass(frozen=True)
class DeclarationFacts:
    patent_type: str  # invention | utility | design
    granted: bool
    annual_fee_paid_until: date | None
    today: date
    exclusive_licence_in_term: bool
    pledged_without_consent: bool
    ownership_dispute: bool
    evaluation_report: bool
    payment_method: str  # one_off | royalty | entry_royalty
    fixed_fee_fen: int | None
    entry_fee_fen: int | None
    royalty_sales_bp: int | None
    royalty_profit_bp: int | None
    term_start: date
    term_end: date


@dataclass(frozen=True)
class Refusal:
    code: str
    field: str
    message_zh: str
    message_en: str


def declaration_refusals(facts: DeclarationFacts, caps: FeeCaps = FeeCaps()) -> list[Refusal]:
    """Every reason the declaration may not be published (empty list: it may)."""
    out: list[Refusal] = []
    if not facts.granted:
        out.append(
            Refusal("ol_not_granted", "patent", "专利尚未授权公告，不能声明开放许可", "patent not granted")
        )
    if facts.exclusive_licence_in_term:
        out.append(
            Refusal(
                "ol_exclusive_in_term",
                "patent",
                "该专利存在仍在有效期内的独占或排他许可（实施细则第八十六条）",
                "an exclusive or sole licence is in term (Art. 86)",
            )
        )
    if facts.annual_fee_paid_until is not None and facts.annual_fee_paid_until < facts.today:
        out.append(
            Refusal(
                "ol_annual_fee_unpaid",
                "patent",
                "专利年费未按规定缴纳（实施细则第八十六条）",
                "annual fee unpaid",
            )
        )
    if facts.pledged_without_consent:
        out.append(
            Refusal(
                "ol_pledged",
                "patent",
                "专利已质押且未经质权人同意（实施细则第八十六条）",
                "pledged without consent",
            )
        )
    if facts.ownership_dispute:
        out.append(
            Refusal(
                "ol_ownership_dispute",
                "patent",
                "专利权处于权属纠纷中止或保全状态（实施细则第八十六条）",
                "ownership dispute or preservation",
            )
        )
    if facts.patent_type in ("utility", "design") and not facts.evaluation_report:
        out.append(
            Refusal(
                "ol_evaluation_report",
                "evaluation_report",
                "实用新型、外观设计专利声明开放许可须提供专利权评价报告",
                "utility models and designs need an evaluation report",
            )
        )
    if facts.term_end <= facts.term_start:
        out.append(
            Refusal("ol_term", "term_end", "许可期限止须晚于期限起", "term end must follow term start")
        )
    out.extend(_fee_refusals(facts, caps))
    return out


def _fee_refusals(facts: DeclarationFacts, caps: FeeCaps) -> list[Refusal]:
    out: list[Refusal] = []
    if facts.payment_method == "one_off":
        if facts.fixed_fee_fen is None:
            out.append(Refusal("ol_fee_missing", "fixed_fee", "请填写一次性许可费", "fixed fee required"))
    elif facts.payment_method in ("royalty", "entry_royalty"):
        if facts.royalty_sales_bp is None and facts.royalty_profit_bp is None:
            out.append(Refusal("ol_fee_missing", "royalty_sales", "请填写提成比例", "royalty rate required"))
        if facts.payment_method == "entry_royalty" and facts.entry_fee_fen is None:
            out.append(Refusal("ol_fee_missing", "entry_fee", "请填写入门费", "entry fee required"))
    else:
        out.append(Refusal("ol_payment_method", "payment_method", "支付方式不正确", "unknown payment method"))
    for value, field in ((facts.fixed_fee_fen, "fixed_fee"), (facts.entry_fee_fen, "entry_fee")):
        if value is not None and value > caps.fixed_fee_max_fen:
            out.append(
                Refusal(
                    "ol_fee_cap",
                    field,
                    f"许可费超过上限（{format_fen(caps.fixed_fee_max_fen)} 元）",
                    "fee above the published cap",
                )
            )
        if value is not None and value < 0:
            out.append(Refusal("ol_fee_negative", field, "许可费不能为负数", "fee must not be negative"))
    if facts.royalty_sales_bp is not None and facts.royalty_sales_bp > caps.royalty_sales_max_bp:
        out.append(
            Refusal(
                "ol_fee_cap",
                "royalty_sales",
                f"按净销售额提成不得超过 {format_bp(caps.royalty_sales_max_bp, trim=True)}",
                "royalty on net sales above the cap",
            )
        )
    if facts.royalty_profit_bp is not None and facts.royalty_profit_bp > caps.royalty_profit_max_bp:
        out.append(
            Refusal(
                "ol_fee_cap",
                "royalty_profit",
                f"按利润提成不得超过 {format_bp(caps.royalty_profit_max_bp, trim=True)}",
                "royalty on profit above the cap",
            )
        )
    return out
