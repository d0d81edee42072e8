"""Security round 2 (issue 15): client addresses behind the gateway, request ids, exports, size limits, the
default run, the deploy check, the import template."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings

from conftest import STRONG_PASSWORD
from panhuo.common.models import AuditEvent
from tests.security.test_web import WINDOW_START

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
GATEWAY = "10.9.0.2"


@override_settings(PANHUO_RATE_LIMITS_ENABLED=True, PANHUO_TRUSTED_PROXIES=(f"{GATEWAY}/32",))
@time_machine.travel(WINDOW_START, tick=False)
def test_clients_behind_the_listed_gateway_are_limited_one_by_one(inventor):
    cache.clear()
    client = Client()
    codes = [
        client.post(
            "/accounts/login/",
            {"username": f"u{i}", "password": "x"},
            REMOTE_ADDR=GATEWAY,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(32)
    ]
    assert 429 not in codes  # 32 people behind one gateway are 32 clients, not one
    # One client is still limited, whatever it claims further left in the header.
    same = [
        client.post(
            "/accounts/login/",
            {"username": "v", "password": "x"},
            REMOTE_ADDR=GATEWAY,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.77",
        ).status_code
        for i in range(31)
    ]
    assert same[:30].count(429) == 0 and same[30] == 429
    ok = client.post(
        "/accounts/login/",
        {"username": inventor.username, "password": STRONG_PASSWORD},
        REMOTE_ADDR=GATEWAY,
        HTTP_X_FORWARDED_FOR="203.0.113.200",
    )
    assert ok.status_code == 302
    event = AuditEvent.objects.filter(action="auth.login", result="ok").latest("id")
    assert event.ip == "203.0.113.200"


@override_settings(PANHUO_RATE_LIMITS_ENABLED=True, PANHUO_TRUSTED_PROXIES=(f"{GATEWAY}/32",))
@time_machine.travel(WINDOW_START, tick=False)
def test_forwarded_for_from_an_unlisted_peer_is_ignored():
    cache.clear()
    client = Client()
    codes = [
        client.post(
            "/accounts/login/",
            {"username": f"w{i}", "password": "x"},
            REMOTE_ADDR="192.0.2.50",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(31)
    ]
    assert codes[:30].count(429) == 0 and codes[30] == 429
    assert set(AuditEvent.objects.filter(action="auth.login").values_list("ip", flat=True)) == {"192.0.2.50"}


def test_request_ids_are_made_by_the_server_and_the_clients_kept_apart(inventor):
    client = Client()
    supplied = "client-chosen-id-" + "x" * 200
    response = client.post(
        "/accounts/login/",
        {"username": inventor.username, "password": STRONG_PASSWORD},
        HTTP_X_REQUEST_ID=supplied,
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login")
    assert event.request_id == response["X-Request-Id"] and len(event.request_id) == 32
    assert event.request_id != supplied[:32]
    assert event.detail["client_request_id"] == supplied[:64]
    injected = client.get("/", HTTP_X_REQUEST_ID="abc\r\nforged: 1")
    assert injected["X-Request-Id"] != "abc" and "\n" not in injected["X-Request-Id"]


@override_settings(PANHUO_RATE_LIMITS_ENABLED=True)
@time_machine.travel(WINDOW_START, tick=False)
def test_report_and_subsidy_exports_are_audited_and_rate_limited(institution_admin, office_user):
    from panhuo.monitoring import subsidies
    from panhuo.programmes.services import scheme_load_preset

    cache.clear()
    client = Client()
    client.force_login(institution_admin)
    codes = [client.get("/reports/", {"period": "2026", "format": "xlsx"}).status_code for _ in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429
    exports = AuditEvent.objects.filter(action="data.export", actor_id=institution_admin.pk)
    assert exports.count() == 20 and exports.first().detail["what"] == "report:xlsx"

    scheme_load_preset(actor=office_user, preset="cq-gxq-transfer-licence")
    batch = subsidies.batch_create(
        actor=office_user,
        scheme_code="cq-gxq-transfer-licence",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
    )
    cache.clear()  # a new window for the same test client address
    client.force_login(office_user)
    url = f"/monitoring/subsidies/{batch.pk}/"
    codes = [client.get(url, {"format": "xlsx"}).status_code for _ in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429
    assert (
        AuditEvent.objects.filter(
            action="data.export", actor_id=office_user.pk, detail__what=f"subsidy_payout:{batch.pk}"
        ).count()
        == 20
    )


def test_an_anonymous_oversized_body_is_refused_before_it_is_parsed(tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # any parsed file part would land in tmp_path
    body = b"x" * (2 * 1024 * 1024)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"file": SimpleUploadedFile("big.bin", body)})
    assert response.status_code == 413  # not the CSRF 403 after parsing 2 MiB
    assert list(tmp_path.iterdir()) == []
    api = client.post("/api/demand/needs", data=b"{" + b" " * 200_000 + b"}", content_type="application/json")
    assert api.status_code == 413 and api.json()["code"] == "body_too_large"


def test_a_signed_in_upload_within_the_limit_still_reaches_the_view(institution_admin):
    client = Client()
    client.force_login(institution_admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.csv", "申请号,名称\n".encode() + b"x" * 200_000)
    response = client.post("/imports/", {"kind": "patents", "file": upload})
    assert response.status_code != 413


def _settings_in_a_fresh_process(env: dict[str, str]) -> str:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("PANHUO_") and k != "DJANGO_SETTINGS_MODULE"
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip()


def test_the_default_run_is_production_like_and_debug_is_an_opt_in(tmp_path):
    assert _settings_in_a_fresh_process({"PANHUO_DATA_DIR": str(tmp_path)}) == "False"
    assert _settings_in_a_fresh_process({"PANHUO_DATA_DIR": str(tmp_path), "PANHUO_DEBUG": "1"}) == "True"
    up = (ROOT / "scripts" / "up.sh").read_text(encoding="utf-8").splitlines()
    assert [line for line in up if "PANHUO_DEBUG" in line and not line.lstrip().startswith("#")] == []


@override_settings(DEBUG=False)
def test_anonymous_404_is_the_friendly_page_without_url_patterns():
    response = Client().get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body and response["X-Request-Id"] in body
    assert "urlpatterns" not in body and "accounts/login" not in body and "api/" not in body


UNSAFE = [
    ({"DEBUG": True}, "panhuo.E010"),
    ({"SESSION_COOKIE_AGE": 24 * 3600}, "panhuo.E011"),
    ({"AXES_FAILURE_LIMIT": 1000}, "panhuo.E012"),
    ({"AXES_ENABLED": False}, "panhuo.E012"),
    ({"PANHUO_RATE_LIMITS_ENABLED": False}, "panhuo.E013"),
    ({"PANHUO_OTP_ROLES": ()}, "panhuo.E014"),
    ({"PANHUO_TRUSTED_PROXY_FLAG": True, "PANHUO_TRUSTED_PROXIES": ()}, "panhuo.E016"),
]
SAFE = {
    "ENV": "prod",
    "DEBUG": False,
    "SESSION_COOKIE_AGE": 900,
    "AXES_ENABLED": True,
    "AXES_FAILURE_LIMIT": 5,
    "PANHUO_RATE_LIMITS_ENABLED": True,
    "PANHUO_OTP_ROLES": ("system_admin", "security_admin", "audit_admin"),
    "PANHUO_TRUSTED_PROXY_FLAG": False,
    "PANHUO_FIELD_KEYS": "k1:" + "0" * 32,
    "PANHUO_AUDIT_HMAC_KEY": "audit-key",
}


@pytest.mark.parametrize(("unsafe", "error_id"), UNSAFE, ids=[e for _, e in UNSAFE])
def test_deploy_check_errors_on_each_unsafe_production_setting(unsafe, error_id):
    from panhuo.accounts.checks import production_checks

    def ids() -> set[str]:  # the test database's TLS (E015) is checked on its own below
        return {e.id for e in production_checks() if e.id.startswith("panhuo.E01")} - {"panhuo.E015"}

    with override_settings(**SAFE):
        assert ids() == set()
    with override_settings(**{**SAFE, **unsafe}):
        assert ids() == {error_id}


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")  # only the check reads it; no connection
def test_deploy_check_errors_on_postgresql_without_tls():
    from panhuo.accounts.checks import production_checks

    pg = {"ENGINE": "django.db.backends.postgresql", "NAME": "panhuo", "OPTIONS": {}}
    with override_settings(**SAFE, DATABASES={"default": pg}):
        assert "panhuo.E015" in [e.id for e in production_checks()]
    with override_settings(**SAFE, DATABASES={"default": {**pg, "OPTIONS": {"sslmode": "verify-full"}}}):
        assert "panhuo.E015" not in [e.id for e in production_checks()]


def test_every_import_template_downloads(institution_admin):
    from openpyxl import load_workbook

    from panhuo.imports.registry import get_handler, registered_kinds

    client = Client()
    client.force_login(institution_admin)
    import io

    served = []
    for kind in registered_kinds():
        response = client.get(f"/imports/template/{kind}.xlsx")
        if response.status_code == 404:
            continue  # a kind this role does not import
        assert response.status_code == 200, kind
        served.append(kind)
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames[1] == "填写说明"
        assert get_handler(kind).columns[0].title_zh in [c.value.rstrip("*") for c in book.worksheets[0][1]]
    assert {"patents", "deals"} <= set(served)
