"""`Idempotency-Key` on the create APIs (issue 15, also wanted): a retried POST never records twice."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from panhuo.accounts.models import Role
from panhuo.common.models import IdempotencyRecord
from panhuo.demand.models import Need

pytestmark = pytest.mark.django_db
NEED = {
    "title": "API 需求",
    "description": "需要一种电池热管理方案",
    "wanted_mode": "licence",
    "publish": False,
}


def _post(client: Client, payload: dict, key: str | None) -> object:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/demand/needs", json.dumps(payload), content_type="application/json", **headers)


def test_a_retried_create_records_once_and_answers_the_same(enterprise_user):
    client = Client()
    client.force_login(enterprise_user)
    first = _post(client, NEED, "need-2026-0001")
    again = _post(client, NEED, "need-2026-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Need.objects.count() == 1
    other = _post(client, {**NEED, "title": "另一个需求"}, "need-2026-0001")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Need.objects.count() == 1
    assert _post(client, NEED, None).status_code == 201 and Need.objects.count() == 2  # no key: no promise
    assert _post(client, NEED, "x" * 129).status_code == 400
    assert Need.objects.count() == 2


def test_keys_are_per_user_and_refusals_are_replayed_too(enterprise_user, make_user, enterprise):
    colleague = make_user(Role.ENTERPRISE_USER, enterprise)
    one, two = Client(), Client()
    one.force_login(enterprise_user)
    two.force_login(colleague)
    assert _post(one, NEED, "shared-key").status_code == 201
    assert _post(two, NEED, "shared-key").status_code == 201  # the same key of another user is another key
    assert Need.objects.count() == 2
    bad = {**NEED, "budget_min_fen": 9, "budget_max_fen": 1}
    refused = _post(one, bad, "bad-budget")
    assert refused.status_code == 400 and _post(one, bad, "bad-budget").json() == refused.json()
    assert Need.objects.count() == 2


def test_a_retry_while_the_first_is_running_is_told_to_wait(enterprise_user):
    from django.utils import timezone

    client = Client()
    client.force_login(enterprise_user)
    body = json.dumps(NEED).encode()
    import hashlib

    fingerprint = hashlib.sha256(b"POST /api/demand/needs?" + b"\x00" + body).hexdigest()
    IdempotencyRecord.objects.create(
        user_id=enterprise_user.pk, key="running", fingerprint=fingerprint, created_at=timezone.now()
    )
    response = _post(client, NEED, "running")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_in_progress"
    assert Need.objects.count() == 0
