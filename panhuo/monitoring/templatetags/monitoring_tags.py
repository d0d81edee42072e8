from __future__ import annotations

from django import template

from engine.deals.money import format_fen

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """12345 fen -> "123.45" (yuan, thousands separated)."""
    return format_fen(int(fen or 0))


@register.filter
def bp(value: int | None) -> str:
    """Basis points -> percent text: 9050 -> "90.50%"."""
    v = int(value or 0)
    return f"{v / 100:.2f}%"


@register.filter
def kpi_value(value: int | None, unit: str) -> str:
    if unit == "fen":
        return yuan(value) + " 元"
    if unit == "bp":
        return bp(value)
    return f"{int(value or 0):,} {unit}"
