"""The official 建档 fields: their Chinese labels, kinds and validation (one value, or a set of changes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from panhuo.common.errors import ApplicationError
from panhuo.patents.models import ConversionMode, ImplementationStatus, InventoryState, ValueSelfGrade

FILLABLE_STATES = frozenset({InventoryState.UNFILED, InventoryState.DRAFT})
TEXT_LIMIT = 5000
SHORT_LIMIT = 100

# field name → (中文 label, kind)
FILL_FIELDS: dict[str, tuple[str, str]] = {
    "first_inventor": ("第一发明人", "short"),
    "fiscal_funded": ("是否财政资助科研项目形成", "bool"),
    "implementation_status": ("实施状态", "implementation"),
    "conversion_intent": ("有转化意愿", "bool"),
    "conversion_modes": ("可接受的转化方式", "modes"),
    "trl": ("技术成熟度", "trl"),
    "value_self_grade": ("价值分级自评", "grade"),
    "application_scenarios": ("应用场景", "text"),
    "industrialisation_prospects": ("产业化前景", "text"),
    "contact_name": ("联系人", "short"),
    "contact_phone": ("联系电话", "phone"),
    "contact_email": ("联系邮箱", "email"),
    "portfolio": ("项目组合", "short"),
}
# Required before a record can be submitted for review.
SUBMIT_REQUIRED = ("fiscal_funded", "implementation_status", "conversion_intent", "trl", "value_self_grade")


def invalid_field(field: str, zh: str, en: str) -> ApplicationError:
    return ApplicationError("invalid_field", zh, en, field)


def _bool(field: str, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    raise invalid_field(field, f"{FILL_FIELDS[field][0]}须为是或否", f"{field} must be true or false")


def _trl(field: str, value: Any) -> int | None:
    if value in (None, ""):
        return None
    refusal = invalid_field(field, "技术成熟度须为 1–9 的整数", "trl must be an integer 1-9")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise refusal
    try:
        number = int(value)
    except ValueError:
        raise refusal from None
    if not 1 <= number <= 9:
        raise refusal
    return number


def _modes(field: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise invalid_field(field, "转化方式须为列表", "conversion_modes must be a list")
    unknown = [v for v in value if v not in ConversionMode.values]
    if unknown:
        raise invalid_field(
            field,
            f"未知的转化方式：{'、'.join(unknown)}",
            f"unknown conversion modes: {', '.join(unknown)}",
        )
    return [m for m in ConversionMode.values if m in set(value)]  # canonical order, no duplicates


def _grade(field: str, value: Any) -> str:
    value = value or ""
    if value not in ("", *ValueSelfGrade.values):
        raise invalid_field(field, "价值分级自评须为 A、B、C 或 D", "value_self_grade must be A, B, C or D")
    return str(value)


def _implementation(field: str, value: Any) -> str:
    value = value or ""
    if value not in ("", *ImplementationStatus.values):
        raise invalid_field(field, "实施状态无效", "unknown implementation status")
    return str(value)


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str | type(None)):
        raise invalid_field(field, f"{FILL_FIELDS[field][0]}须为文本", f"{field} must be text")
    return (value or "").strip()


def _short(field: str, value: Any) -> str:
    text = _text(field, value)
    if len(text) > SHORT_LIMIT:
        raise invalid_field(
            field,
            f"{FILL_FIELDS[field][0]}不能超过 {SHORT_LIMIT} 个字",
            f"{field} is longer than {SHORT_LIMIT}",
        )
    return text


def _long(field: str, value: Any) -> str:
    text = _text(field, value)
    if len(text) > TEXT_LIMIT:
        raise invalid_field(
            field, f"{FILL_FIELDS[field][0]}不能超过 {TEXT_LIMIT} 个字", f"{field} is too long"
        )
    return text


def _phone(field: str, value: Any) -> str:
    text = _text(field, value)
    if text and (not 7 <= len(text) <= 20 or not all(c.isdigit() or c in "+- " for c in text)):
        raise invalid_field(field, "联系电话格式不正确", "phone number is not valid")
    return text


def _email(field: str, value: Any) -> str:
    text = _text(field, value)
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise invalid_field(field, "联系邮箱格式不正确", "e-mail address is not valid") from None
    return text


_CLEANERS: dict[str, Callable[[str, Any], Any]] = {
    "bool": _bool,
    "trl": _trl,
    "modes": _modes,
    "grade": _grade,
    "implementation": _implementation,
    "short": _short,
    "text": _long,
    "phone": _phone,
    "email": _email,
}


def inventory_validate(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a set of field changes (unknown fields are refused); returns the cleaned values."""
    unknown = sorted(set(changes) - set(FILL_FIELDS))
    if unknown:
        raise ApplicationError(
            "unknown_field",
            f"不能修改这些字段：{'、'.join(unknown)}",
            f"fields that cannot be written: {', '.join(unknown)}",
            unknown[0],
        )
    return {name: _CLEANERS[FILL_FIELDS[name][1]](name, value) for name, value in changes.items()}
