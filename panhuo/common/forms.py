"""Showing a service refusal on an HTML form."""

from __future__ import annotations

from django import forms

from panhuo.common.errors import ApplicationError, FieldErrors, NotFound, PermissionRefused


def show_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put every error of a refusal on its field (each of a `FieldErrors`, else the one); 403/404 are re-raised."""
    if isinstance(exc, PermissionRefused | NotFound):
        raise exc
    for error in exc.errors if isinstance(exc, FieldErrors) else [exc]:
        field = error.field if error.field in form.fields else None
        zh, en = error.message_zh, error.message_en
        form.add_error(field, f"{zh}（{en}）" if en else zh)
