"""Shared bits of the demand views."""

from __future__ import annotations

from django import forms

from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused

ENTERPRISE = ("enterprise_user",)
INSTITUTION_STAFF = ("college_admin", "institution_admin")
OFFICE = ("office_official",)
# Who reads the needs hall: business roles; the three separated admin roles (三员) see no business data here.
NEED_READERS = ("enterprise_user", "inventor", *INSTITUTION_STAFF, *OFFICE, "agency_user", "bank_user")


def form_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service refusal on the form (on its field when the form has one); re-raise 403/404 kinds."""
    if isinstance(exc, PermissionRefused | NotFound):
        raise exc
    message = f"{exc.message_zh}（{exc.message_en}）" if exc.message_en else exc.message_zh
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, message)
