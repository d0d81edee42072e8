"""AC-4 / DJ-3: every route declares who may call it; anonymous callers are refused everywhere else."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from panhuo.common.permissions import PUBLIC_MARK, ROLES_MARK

pytestmark = pytest.mark.django_db

# Views reachable without signing in, each for a stated reason.
PUBLIC_VIEWS = {
    "accounts:login",  # sign in
    "accounts:logout",  # POST-only; ends a session if there is one
    "matching:unsubscribe",  # e-mail unsubscribe link, authorised by a signed token
}
PUBLIC_PREFIXES = ("api/",)  # the API is checked operation by operation below
PUBLIC_API = {
    # (method, path template) of API operations with auth=None, each justified in its app.
    ("GET", "/api/docs"),
    ("GET", "/api/openapi.json"),
    # published 典型案例 only, through the public page's whitelist (docs/community.md)
    ("GET", "/api/community/cases/public"),
}


def walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}", entry


def html_routes() -> list[tuple[str, str, URLPattern]]:
    return [r for r in walk(get_resolver().url_patterns) if not r[0].startswith(PUBLIC_PREFIXES)]


def marked_public(callback) -> bool:
    return getattr(callback, PUBLIC_MARK, False) or getattr(
        getattr(callback, "view_class", None), PUBLIC_MARK, False
    )


def test_every_html_view_declares_its_access():
    unmarked = [
        (route, name)
        for route, name, pattern in html_routes()
        if not marked_public(pattern.callback) and getattr(pattern.callback, ROLES_MARK, None) is None
    ]
    assert unmarked == [], f"views without @public / @roles_required / @signed_in: {unmarked}"


def test_public_views_are_exactly_the_listed_ones():
    public = {name for _, name, pattern in html_routes() if marked_public(pattern.callback)}
    unlisted = {
        n for n in public if n not in PUBLIC_VIEWS and not n.endswith(":public") and ":public-" not in n
    }
    assert unlisted == set(), f"public views must be listed in PUBLIC_VIEWS or named '*:public*': {unlisted}"


def _fill(route: str) -> str:
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str|slug|path):[^>]+>|<[^>]+>", "x", route)
    return "/" + route.lstrip("^").rstrip("$")


def test_anonymous_users_are_sent_to_sign_in_on_every_private_page():
    client = Client()
    for route, name, pattern in html_routes():
        if marked_public(pattern.callback):
            continue
        response = client.get(_fill(route))
        assert response.status_code in (302, 405), (name, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], name


def test_every_api_operation_refuses_anonymous_callers():
    client = Client()
    schema = client.get("/api/openapi.json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        for method in operations:
            if (method.upper(), path) in PUBLIC_API or operations[method].get("security") == []:
                assert (method.upper(), path) in PUBLIC_API or path.startswith("/api/deals/public"), (
                    method,
                    path,
                )
                continue
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            response = getattr(client, method)(concrete, content_type="application/json")
            assert response.status_code in (401, 403), (method, path, response.status_code)
            checked += 1
    assert checked > 10


# csrf_exempt only where listed: each of these runs `csrf_protect` itself after answering 413 to an oversized
# upload without reading its body.
CSRF_EXEMPT_ALLOWED = {"imports:job-list", "demand:enterprise-import"}


def test_csrf_exempt_only_where_listed_and_still_checked(institution_admin):
    exempt = {name for _, name, p in html_routes() if getattr(p.callback, "csrf_exempt", False)}
    assert exempt <= CSRF_EXEMPT_ALLOWED, exempt - CSRF_EXEMPT_ALLOWED
    client = Client(enforce_csrf_checks=True)
    client.force_login(institution_admin)
    assert client.post("/imports/", {"kind": "patents"}).status_code == 403
