"""Top navigation built from each app's `nav` list, filtered by the user's role."""

from __future__ import annotations

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    items: list[dict[str, str]] = []
    if user is not None and user.is_authenticated:
        role = getattr(user, "role", None)
        for config in apps.get_app_configs():
            for label, url_name, roles in getattr(config, "nav", []):
                if roles is not None and role not in roles:
                    continue
                try:
                    items.append({"label": label, "url": reverse(url_name)})
                except NoReverseMatch:
                    continue
    return {"nav_items": items}
