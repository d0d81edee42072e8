"""The patent-page extension point: other apps add panels to the patent detail page without patents importing them.

An app declares on its AppConfig:

    patent_panels = [("价值评估", "evaluation:patent-panel", None)]   # (中文标题, url name, roles or None)

The url must take the patent pk as its only positional argument and return an HTML fragment (its own view
decides visibility and answers 404 for patents the user may not see). The detail page renders
`<section class="panel" data-fragment-url=...>` per panel and `static/patents/panels.js` fetches them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from panhuo.accounts.acting import Viewer


@dataclass(frozen=True)
class Panel:
    title: str
    url: str
    app_label: str


def patent_panels(user: Viewer, patent_pk: int) -> list[Panel]:
    """Panels the user's role may see, whose url reverses with the patent pk (others are skipped)."""
    role = getattr(user, "role", None)
    panels: list[Panel] = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "patent_panels", None) or []:
            try:
                title, url_name, roles = entry
            except (TypeError, ValueError):
                continue  # a malformed declaration must not break the patent page
            if roles is not None and role not in roles:
                continue
            try:
                url = reverse(url_name, args=[patent_pk])
            except NoReverseMatch:
                continue
            panels.append(Panel(title=str(title), url=url, app_label=config.label))
    return panels
