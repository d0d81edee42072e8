"""Patents API: list/search, detail by key, inventory read / fill / submit / approve / return, isolation."""

from __future__ import annotations

import pytest

from panhuo.patents.models import InventoryRecord, InventoryState, ReviewEvent
from panhuo.patents.tests.conftest import FULL_FILL

pytestmark = pytest.mark.django_db

API = "/api/patents"


def patch(client, path, body):
    return client.patch(path, body, content_type="application/json")


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_api_workflow_end_to_end(client, record, inventor, college_admin, institution_admin, enterprise_user):
    client.force_login(inventor)
    body = client.get(f"{API}/inventory/{record.pk}").json()
    assert (body["state"], body["actions"]) == ("unfiled", ["fill"])
    response = patch(client, f"{API}/inventory/{record.pk}", FULL_FILL)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "draft" and response.json()["trl"] == 5
    assert post(client, f"{API}/inventory/{record.pk}/submit").json()["state"] == "college_review"
    client.force_login(college_admin)
    assert post(client, f"{API}/inventory/{record.pk}/approve", {"comment": "同意"}).json()["state"] == (
        "institution_review"
    )
    client.force_login(institution_admin)
    response = post(client, f"{API}/inventory/{record.pk}/approve")
    assert response.json()["state"] == "pooled" and response.json()["pooled_at"]
    client.force_login(enterprise_user)
    rows = client.get(f"{API}/pool", {"q": "极片"}).json()
    assert [r["record_id"] for r in rows["results"]] == [record.pk] and rows["count"] == 1
    detail = client.get(f"{API}/by-key/{record.patent.key}").json()
    (public,) = detail["records"]
    assert public["contact_phone"] == "138****1234"
    assert public["first_inventor"] is None and public["contact_email"] is None and public["actions"] == []


def test_api_refusals_are_400_403_and_change_nothing(client, record, inventor, college_admin):
    client.force_login(inventor)
    before = InventoryRecord.objects.filter(pk=record.pk).values().get()
    response = patch(client, f"{API}/inventory/{record.pk}", {"trl": 12})
    assert response.status_code == 400 and response.json()["field"] == "trl"
    response = patch(client, f"{API}/inventory/{record.pk}", {"trl": 3, "state": "pooled"})
    assert response.status_code == 422  # extra fields are rejected by the schema
    response = patch(client, f"{API}/inventory/{record.pk}", {"organization": 99})
    assert response.status_code == 422
    assert post(client, f"{API}/inventory/{record.pk}/submit").status_code == 400  # not a draft
    client.force_login(college_admin)
    assert post(client, f"{API}/inventory/{record.pk}/approve").status_code == 400  # not under review
    assert post(client, f"{API}/inventory/{record.pk}/return", {"reason": "x"}).status_code == 400
    assert InventoryRecord.objects.filter(pk=record.pk).values().get() == before
    assert ReviewEvent.objects.count() == 0


def test_api_return_requires_reason(client, record, inventor, college_admin):
    client.force_login(inventor)
    patch(client, f"{API}/inventory/{record.pk}", FULL_FILL)
    post(client, f"{API}/inventory/{record.pk}/submit")
    client.force_login(college_admin)
    response = post(client, f"{API}/inventory/{record.pk}/return", {"reason": "  "})
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    assert post(client, f"{API}/inventory/{record.pk}/return", {}).status_code == 422
    response = post(client, f"{API}/inventory/{record.pk}/return", {"reason": "补充材料"})
    assert response.json()["state"] == "draft" and response.json()["return_reason"] == "补充材料"


def test_api_list_filters_and_pagination(client, institution_admin, university, make_patent):
    from panhuo.patents.assignment import inventory_open

    for i in range(5):
        inventory_open(organization=university, patent=make_patent(title=f"专利{i}", abstract="石墨烯"))
    client.force_login(institution_admin)
    body = client.get(f"{API}/", {"page_size": 2, "page": 3, "q": "石墨烯"}).json()
    assert (body["count"], body["pages"], body["page"], len(body["results"])) == (5, 3, 3, 1)
    assert client.get(f"{API}/", {"page_size": 1000}).status_code == 422


def test_api_isolation_every_endpoint(client, record, inventor, other_admin, other_inventor, enterprise_user):
    client.force_login(inventor)
    patch(client, f"{API}/inventory/{record.pk}", FULL_FILL)
    post(client, f"{API}/inventory/{record.pk}/submit")
    before = InventoryRecord.objects.filter(pk=record.pk).values().get()
    calls = [
        ("get", f"{API}/by-key/{record.patent.key}", None),
        ("get", f"{API}/inventory/{record.pk}", None),
        ("patch", f"{API}/inventory/{record.pk}", {"trl": 9}),
        ("post", f"{API}/inventory/{record.pk}/submit", None),
        ("post", f"{API}/inventory/{record.pk}/approve", {"comment": ""}),
        ("post", f"{API}/inventory/{record.pk}/return", {"reason": "x"}),
    ]
    for user in (other_admin, other_inventor, enterprise_user):
        client.force_login(user)
        for method, path, body in calls:
            if method == "get":
                response = client.get(path)
            elif method == "patch":
                response = patch(client, path, body)
            else:
                response = post(client, path, body)
            assert response.status_code == 404, (user.role, method, path, response.status_code)
        for path in (f"{API}/", f"{API}/pool"):
            ids = [r["record_id"] for r in client.get(path).json()["results"]]
            assert record.pk not in ids
    assert InventoryRecord.objects.filter(pk=record.pk).values().get() == before
    assert InventoryRecord.objects.get(pk=record.pk).state == InventoryState.COLLEGE_REVIEW


def test_api_needs_session(client, record):
    assert client.get(f"{API}/").status_code == 401
    assert client.get(f"{API}/inventory/{record.pk}").status_code == 401


def test_openapi_lists_patent_operations(client, inventor):
    client.force_login(inventor)
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/patents/",
        "/api/patents/pool",
        "/api/patents/by-key/{key}",
        "/api/patents/inventory/{record_id}",
    ):
        assert path in paths


def test_absurd_ids_are_404_not_500(client, inventor):
    client.force_login(inventor)
    huge = 2**70
    assert client.get(f"{API}/inventory/{huge}").status_code == 404
    assert client.get(f"{API}/inventory/0").status_code == 404
    assert client.get(f"/patents/{huge}/").status_code == 404
    assert client.get(f"/patents/inventory/{huge}/fill/").status_code == 404
    r = client.get(f"{API}/", {"organization": str(huge), "college": "-1"})
    assert r.status_code == 422  # both filters refused by their bounds, each named
    assert [(e["loc"], e["type"]) for e in r.json()["detail"]] == [
        (["query", "organization"], "less_than_equal"),
        (["query", "college"], "greater_than_equal"),
    ]


def test_api_coverage(client, record, institution_admin, office_user, enterprise_user):
    client.force_login(institution_admin)
    body = client.get(f"{API}/coverage").json()
    assert [(r["label"], r["total"], r["filed"]) for r in body["institutions"]] == [("甲大学", 1, 0)]
    assert [r["label"] for r in body["colleges"]] == ["计算机学院", "机械学院"]
    client.force_login(office_user)
    assert client.get(f"{API}/coverage").json() == {"institutions": [], "colleges": []}
    assert client.get(f"{API}/coverage", {"organization": record.organization_id}).status_code == 404
    client.force_login(enterprise_user)
    assert client.get(f"{API}/coverage").json() == {"institutions": [], "colleges": []}
