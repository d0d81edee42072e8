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


def kpi_number(row: dict[str, object], field: str) -> tuple[float | int, str]:
    """An indicator's target / actual / forecast as (number, unit words) for spreadsheets: 元, %, 件…

    Growth targets and forecasts are rates (basis points) whatever the indicator's unit.
    """
    value = int(row.get(field) or 0)  # type: ignore[call-overload]
    unit = str(row.get("unit") or "")
    if row.get("kind") == "growth" and field in ("target", "forecast"):
        return value / 100, "%"
    if unit == "fen":
        return value / 100, "元"
    if unit == "bp":
        return value / 100, "%"
    return value, unit


@register.filter
def kpi_text(row: dict[str, object], field: str) -> str:
    number, unit = kpi_number(row, field)
    if unit == "%":
        return f"{number:.2f}%"
    if unit == "元":
        return yuan(int(round(float(number) * 100))) + " 元"
    return f"{int(number):,} {unit}".strip()
