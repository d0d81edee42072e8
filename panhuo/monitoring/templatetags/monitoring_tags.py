from __future__ import annotations

from decimal import Decimal

from django import template

from engine.deals.money import format_fen
from engine.monitoring import units

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """12345 fen -> "123.45" (yuan, thousands separated)."""
    return format_fen(int(fen or 0))


@register.filter
def bp(value: int | None) -> str:
    """Basis points -> percent text: 9050 -> "90.50%"."""
    return units.format_rate(value)


@register.filter
def kpi_value(value: int | None, unit: str) -> str:
    """An indicator value in its unit (engine.monitoring.units): 5 件, 110.00 万元, 20.00%."""
    return units.format_value(value, unit)


@register.filter
def unit_label(unit: str) -> str:
    return units.UNITS.get(unit, units.unit_word(unit))


def kpi_number(row: dict[str, object], field: str) -> tuple[Decimal | float | int, str]:
    """An indicator's target / actual / forecast as (number, unit words) for spreadsheets: 元, 万元, %, 件…

    Growth targets and forecasts are rates (basis points) whatever the indicator's unit.
    """
    value = int(row.get(field) or 0)  # type: ignore[call-overload]
    unit = str(row.get("unit") or "")
    if row.get("kind") == "growth" and field in ("target", "forecast"):
        return value / 100, "%"
    return units.spreadsheet_number(value, unit)


def kpi_display(row: dict[str, object], field: str) -> str:
    """The text a page or PDF shows for target / actual / forecast / base (growth targets are rates)."""
    raw = row.get(field)
    if raw is None:
        return "—"
    value = int(raw)  # type: ignore[call-overload]
    if row.get("kind") == "growth" and field in ("target", "forecast"):
        return units.format_rate(value)
    return units.format_value(value, str(row.get("unit") or ""))


@register.filter
def kpi_text(row: dict[str, object], field: str) -> str:
    return kpi_display(row, field)
