"""One OpenAPI-documented API; each app contributes a router from its api.py."""

from importlib import import_module
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from panhuo.common.errors import ApplicationError, FieldErrors, NotFound, PermissionRefused

api = NinjaAPI(
    title="Panhuo API",
    version="1",
    description="盘活 API: patents, inventory, classification, evaluation, demand, matching, deals, monitoring.",
    auth=django_auth,  # default deny: every operation needs a session unless it declares auth=None
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    status = 403 if isinstance(exc, PermissionRefused) else 404 if isinstance(exc, NotFound) else 400
    payload: dict[str, Any] = {
        "code": exc.code,
        "message_zh": exc.message_zh,
        "message_en": exc.message_en,
        "field": exc.field,
    }
    if isinstance(exc, FieldErrors):  # every refusal at once, each on its field
        payload["errors"] = [
            {"code": e.code, "field": e.field, "message_zh": e.message_zh, "message_en": e.message_en}
            for e in exc.errors
        ]
    return api.create_response(request, payload, status=status)


for _app in (
    "accounts",
    "patents",
    "upkeep",
    "classification",
    "evaluation",
    "demand",
    "matching",
    "deals",
    "disclosures",
    "outcomes",
    "financing",
    "programmes",
    "community",
    "monitoring",
    "reports",
    "navigation",
):
    _module = import_module(f"panhuo.{_app}.api")
    api.add_router(f"/{_app}/", _module.router, tags=[_app])
