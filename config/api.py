"""One OpenAPI-documented API; each app contributes a router from its api.py."""

from importlib import import_module

from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="Panhuo API",
    version="1",
    description="盘活 API: patents, inventory, classification, evaluation, demand, matching, deals, monitoring.",
    auth=django_auth,  # default deny: every operation needs a session unless it declares auth=None
    urls_namespace="api",
)

for _app in (
    "accounts",
    "patents",
    "classification",
    "evaluation",
    "demand",
    "matching",
    "deals",
    "monitoring",
    "reports",
):
    _module = import_module(f"panhuo.{_app}.api")
    api.add_router(f"/{_app}/", _module.router, tags=[_app])
