"""Showing a service refusal on an HTML form."""

from __future__ import annotations

from django import forms

from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused


def show_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put every error of a refusal on its field (`extra["errors"]`, else the one field); 403/404 are re-raised."""
    if isinstance(exc, PermissionRefused | NotFound):
        raise exc
    items = exc.extra.get("errors") or [{"field": exc.field, "zh": exc.message_zh, "en": exc.message_en}]
    for item in items:  # type: ignore[attr-defined]
        field = item["field"] if item["field"] in form.fields else None
        form.add_error(field, f"{item['zh']}（{item['en']}）" if item["en"] else item["zh"])
