"""Parsing of deal forms: money via engine.deals.money (Decimal never needed), dates, percentages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.http import QueryDict

from engine.deals.money import MoneyError, parse_yuan
from engine.identifiers.application_number import normalise_application_number
from panhuo.common.errors import ApplicationError
from panhuo.patents.models import Patent


def money(data: QueryDict, name: str, *, required: bool = False) -> int | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        if required:
            raise ApplicationError("money_empty", "请填写金额", "amount required", name)
        return None
    try:
        return parse_yuan(raw)
    except MoneyError as exc:
        raise ApplicationError(exc.code, exc.message_zh, exc.message_en, name)


def day(data: QueryDict, name: str, *, required: bool = False) -> date | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        if required:
            raise ApplicationError("date_empty", "请填写日期", "date required", name)
        return None
    try:
        return date.fromisoformat(raw.replace("/", "-").replace(".", "-"))
    except ValueError:
        raise ApplicationError(
            "date_format", f"日期格式不正确：{raw}（应为 2025-01-31）", "malformed date", name
        )


def required_day(data: QueryDict, name: str) -> date:
    found = day(data, name, required=True)
    assert found is not None
    return found


def basis_points(data: Mapping[str, str], name: str) -> int | None:
    """'15' or '15%' or '0.1' (percent) -> basis points."""
    raw = (data.get(name) or "").strip().rstrip("%").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ApplicationError("percent_format", f"比例格式不正确：{raw}", "malformed percentage", name)
    bp = value * 100
    if value < 0 or value > 100 or bp != bp.to_integral_value():
        raise ApplicationError(
            "percent_range", "比例须在 0–100% 之间，最多两位小数", "percentage 0..100", name
        )
    return int(bp)


def patents_from(text: str) -> list[Patent]:
    """Application numbers separated by commas, spaces or new lines."""
    found: list[Patent] = []
    for token in text.replace("，", ",").replace("\n", ",").replace(" ", ",").split(","):
        token = token.strip()
        if not token:
            continue
        try:
            key = normalise_application_number(token)
        except ValueError:
            raise ApplicationError(
                "app_no", f"申请号不正确：{token}", f"bad application number {token}", "patents"
            )
        patent = Patent.objects.filter(app_no=key).first()
        if patent is None:
            raise ApplicationError(
                "patent_unknown", f"系统中没有该专利：{token}", f"unknown patent {token}", "patents"
            )
        found.append(patent)
    return found
