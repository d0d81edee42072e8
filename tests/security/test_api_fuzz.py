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
