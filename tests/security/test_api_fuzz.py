"""B-3: schemathesis generates requests for every operation in the OpenAPI schema, sent as a signed-in user of
another tenant (with a valid CSRF pair so writes get through). No response may be a server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings

from config.wsgi import application
from panhuo.accounts.models import Role

pytestmark = pytest.mark.slow
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
CSRF = "c" * 32  # an unmasked secret: valid when cookie and header carry the same value


@pytest.fixture(autouse=True)
def one_connection_per_test():
    """Like Django's test client: keep the test's connection (and transaction) across the WSGI calls."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tenant_b_cookies(other_university, university, make_user):
    user = make_user(Role.INSTITUTION_ADMIN, other_university)
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_no_server_errors_for_another_tenants_user(case, tenant_b_cookies):
    response = case.call(cookies=tenant_b_cookies, headers={"X-CSRFToken": CSRF})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
