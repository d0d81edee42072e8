"""DJ-2, DJ-3, DJ-5, DJ-6: headers, CSRF, rate limits, generic errors with a request id."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings

from conftest import STRONG_PASSWORD

WINDOW_START = dt.datetime(2026, 11, 23, 9, 0, 5, tzinfo=dt.UTC)  # 5 s into a rate-limit window

pytestmark = pytest.mark.django_db


def test_security_headers_on_pages(inventor):
    client = Client()
    pages = [client.get("/accounts/login/")]
    client.post("/accounts/login/", {"username": inventor.username, "password": STRONG_PASSWORD})
    pages += [client.get("/"), client.get("/no-such-page/")]
    for response in pages:
        csp = response["Content-Security-Policy"]
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert len(response["X-Request-Id"]) == 32


def test_post_without_csrf_token_is_refused(inventor):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": inventor.username, "password": STRONG_PASSWORD})
    assert response.status_code == 403


@override_settings(PANHUO_RATE_LIMITS_ENABLED=True)
def test_login_burst_gets_429():
    from django.core.cache import cache

    cache.clear()
    client = Client()
    with time_machine.travel(WINDOW_START, tick=False):  # fixed windows: never straddle a boundary
        codes = [
            client.post("/accounts/login/", {"username": f"u{i}", "password": "x"}).status_code
            for i in range(31)
        ]
    assert codes[:30].count(429) == 0 and codes[30] == 429


@override_settings(DEBUG=False)
def test_not_found_page_is_generic_with_request_id():
    response = Client().get("/definitely/missing/", HTTP_X_REQUEST_ID="abcdef0123456789")
    assert response.status_code == 404
    body = response.content.decode()
    server_id = response["X-Request-Id"]
    assert server_id != "abcdef0123456789" and len(server_id) == 32  # made by the server, never the client's
    assert server_id in body and "页面不存在" in body and "返回首页" in body
    assert "abcdef0123456789" not in body and "Traceback" not in body and "SECRET_KEY" not in body


@override_settings(PANHUO_RATE_LIMITS_ENABLED=True)
def test_exports_are_rate_limited_and_audited(institution_admin):
    from django.core.cache import cache

    from panhuo.common.models import AuditEvent

    cache.clear()
    client = Client()
    client.force_login(institution_admin)
    with time_machine.travel(WINDOW_START, tick=False):  # fixed windows: never straddle a boundary
        codes = [client.get("/deals/?format=csv").status_code for _ in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429
    assert AuditEvent.objects.filter(action="data.export", detail__what="deals").count() == 20


@override_settings(PANHUO_RATE_LIMITS_ENABLED=True)
def test_search_is_rate_limited(institution_admin):
    from django.core.cache import cache

    cache.clear()
    client = Client()
    client.force_login(institution_admin)
    with time_machine.travel(WINDOW_START, tick=False):
        codes = [client.get("/patents/?q=电池").status_code for _ in range(121)]
    assert 429 not in codes[:120] and codes[120] == 429


def test_nul_characters_are_refused_with_a_bilingual_400_not_a_server_error(institution_admin):
    client = Client()
    client.force_login(institution_admin)
    api = client.get("/api/classification/industries?q=%00abc")
    assert api.status_code == 400
    assert api.json()["code"] == "nul_character" and "空字符" in api.json()["message_zh"]
    page = client.get("/patents/?q=a%00b")
    assert page.status_code == 400 and "NUL" in page.content.decode()
    body = client.patch(
        "/api/patents/inventory/1",
        data='{"application_scenarios": "x\\u0000y"}',
        content_type="application/json",
    )
    assert body.status_code == 400
    assert (
        client.get("/api/classification/industries?q=abc").status_code == 200
    )  # the same request without NUL
