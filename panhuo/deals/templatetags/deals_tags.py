"""Template filters: fen → yuan text, basis points → percent."""

from __future__ import annotations

from django import template

from engine.deals.money import format_fen

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return "—" if fen is None else format_fen(int(fen))


@register.filter
def percent_bp(bp: int | None) -> str:
    return "—" if bp is None else f"{bp / 100:g}%"
