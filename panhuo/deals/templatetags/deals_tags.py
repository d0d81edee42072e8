"""Template filters: fen → yuan text, basis points → percent."""

from __future__ import annotations

import re
from typing import Any

from django import template

from engine.deals.money import format_bp, format_fen
from panhuo.deals.models import DealState, FilingKind

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return "—" if fen is None else format_fen(int(fen))


@register.filter
def percent_bp(bp: int | None) -> str:
    return "—" if bp is None else format_bp(int(bp), trim=True)


EVENT_ACTIONS = {
    "create": "创建",
    "advance": "推进",
    "approve": "复核通过",
    "terminate": "终止",
    "payment": "登记到账",
    "filing": "登记备案",
    "consent": "记录质权人意见",
}


@register.filter
def event_text(event: Any) -> str:
    """A deal history line in words: 创建（→ 意向）, 登记到账 1,234.50 元, 登记备案 专利实施许可合同备案 X."""
    states = dict(DealState.choices)
    action = EVENT_ACTIONS.get(event.action, "其他操作")
    if event.from_state and event.to_state and event.from_state != event.to_state:
        action += f"（{states.get(event.from_state, '—')} → {states.get(event.to_state, '—')}）"
    elif event.to_state and not event.from_state:
        action += f"（→ {states.get(event.to_state, '—')}）"
    comment = event.comment or ""
    paid = re.fullmatch(r"(-?\d+) fen", comment)
    if paid:
        comment = f"{format_fen(int(paid.group(1)))} 元"
    elif event.action == "filing":
        kind, _, number = comment.partition(" ")
        comment = f"{dict(FilingKind.choices).get(kind, kind)} {number}".strip()
    return f"{action} {comment}".strip()
