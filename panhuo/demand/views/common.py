"""Shared bits of the demand views."""

from __future__ import annotations

from django import forms

from panhuo.common.errors import ApplicationError, FieldErrors, NotFound, PermissionRefused

ENTERPRISE = ("enterprise_user",)
INSTITUTION_STAFF = ("college_admin", "institution_admin")
OFFICE = ("office_official",)
# Who reads the needs hall: business roles; the three separated admin roles (三员) see no business data here.
NEED_READERS = ("enterprise_user", "inventor", *INSTITUTION_STAFF, *OFFICE, "agency_user", "bank_user")


# service argument -> form field, where the names differ
FIELD_OF_ARGUMENT = {"budget_min_fen": "budget_min", "budget_max_fen": "budget_max", "patent_ids": "patents"}


def form_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service refusal on the form (each on its field when the form has one); re-raise 403/404 kinds.

    A FieldErrors shows every refusal it carries; a field that already has an error keeps only its first.
    """
    if isinstance(exc, PermissionRefused | NotFound):
        raise exc
    for error in exc.errors if isinstance(exc, FieldErrors) else [exc]:
        message = f"{error.message_zh}（{error.message_en}）" if error.message_en else error.message_zh
        name = FIELD_OF_ARGUMENT.get(error.field or "", error.field)
        field = name if name in form.fields else None
        if field is not None and form.errors.get(field):
            continue
        form.add_error(field, message)
