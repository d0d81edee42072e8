"""`{% programmes_section user %}`: the office dashboard's card for 事前资助 projects and 奖补方案 (reads only)."""

from __future__ import annotations

from typing import Any

from django import template

from engine.deals.money import format_fen
from panhuo.accounts.models import User
from panhuo.programmes import selectors

register = template.Library()


@register.inclusion_tag("programmes/_dashboard_section.html")
def programmes_section(user: User) -> dict[str, Any]:
    if not isinstance(user, User):
        return {"stats": None}
    stats = selectors.project_stats(user)
    if stats is None:
        return {"stats": None}
    return {
        "stats": stats,
        "amount": format_fen(stats.amount_fen),
        "schemes": selectors.schemes_visible(user).count(),
    }
