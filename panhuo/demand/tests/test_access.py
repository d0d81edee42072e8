"""Default deny on every demand page: anonymous → login, wrong role → 403, markers present."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse

from panhuo.common.permissions import PUBLIC_MARK, ROLES_MARK
from panhuo.demand import urls


def test_every_view_carries_a_marker():
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        view = pattern.callback
        assert hasattr(view, ROLES_MARK) or hasattr(view, PUBLIC_MARK), pattern.name
        # Nothing in demand is public except the self-registration pages (named public-*).
        assert not hasattr(view, PUBLIC_MARK) or pattern.name.startswith("public-register"), pattern.name


@pytest.mark.parametrize("name", ["profile", "needs", "subscriptions", "favourites", "requests", "responses"])
def test_anonymous_redirected_to_login(client, db, name):
    resp = client.get(reverse(f"demand:{name}"))
    assert resp.status_code == 302
    assert "/accounts/login/" in resp["Location"]


@pytest.mark.parametrize(
    ("role_fixture", "name", "status"),
    [
        ("inventor", "profile", 403),
        ("institution_admin", "subscriptions", 403),
        ("enterprise_user", "responses", 403),
        ("inventor", "requests", 403),
        ("office_user", "responses", 200),
        ("office_user", "enterprises", 200),
        ("institution_admin", "requests", 200),
        ("inventor", "needs", 200),
    ],
)
def test_role_gates(client, request, role_fixture, name, status):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse(f"demand:{name}")).status_code == status


def test_api_requires_session(client, db):
    assert client.get("/api/demand/needs").status_code == 401
    assert client.post("/api/demand/needs", {}, content_type="application/json").status_code == 401


def test_admin_roles_see_no_needs_and_panel_is_offered(client, make_user, enterprise_user, pooled_patent):
    from panhuo.demand.views import needs
    from panhuo.patents.panels import patent_panels

    sysadmin = make_user("system_admin", None)
    for view in (needs.needs_view, needs.need_detail_view):
        allowed = getattr(view, ROLES_MARK)
        assert allowed and not {"system_admin", "security_admin", "audit_admin"} & allowed
    urls = [p.url for p in patent_panels(enterprise_user, pooled_patent.pk)]
    assert f"/demand/patent/{pooled_patent.pk}/panel/" in urls
    assert all("/demand/" not in p.url for p in patent_panels(sysadmin, pooled_patent.pk))
