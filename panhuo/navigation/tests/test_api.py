"""专利导航 API: scopes CRUD shared within the organization, the landscape as each caller may see it, comparison,
report download, roles, and bad input refused with every error at once in Chinese and English."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from panhuo.accounts.models import Role
from panhuo.classification.models import IpcNode
from panhuo.navigation.models import LandscapeScope

pytestmark = pytest.mark.django_db
API = "/api/navigation"


def _as(client, user):
    client.force_login(user)
    return client


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _put(client, url, data):
    return client.put(url, json.dumps(data), content_type="application/json")


def _landscape(client, user, definition):
    r = _post(_as(client, user), f"{API}/landscape", definition)
    assert r.status_code == 200, r.content
    return r.json()


def test_counts_follow_each_tenant_visibility(landscape_data, client):
    d = landscape_data
    h01m = {"ipc": ["H01M"]}
    own_a = _landscape(client, d["admin_a"], h01m)
    assert own_a["patents"] == 5  # own 1, 2 (unpublished), 3; others' published 4; co-owned 7 once
    # 乙大学 does not count 甲大学's unpublished patent 2, nor see it behind a holder
    b = _landscape(client, d["admin_b"], h01m)
    assert b["patents"] == 5  # own 4, 5 (unpublished); 甲's published 1, 3, 7
    assert {h["name"]: h["patents"] for h in b["holders"]}["甲大学"] == 2  # 1 and 7, not 2
    ent = _landscape(client, d["enterprise"], h01m)
    assert ent["patents"] == 4
    assert "乙大学秘密课题组" not in {h["name"] for h in ent["holders"]}
    # the Chongqing office: everything of its region (甲大学, 50…), published records elsewhere
    office = _landscape(client, d["office"], h01m)
    assert office["patents"] == 5
    assert "乙大学秘密课题组" not in {h["name"] for h in office["holders"]}
    assert office["pending_facts"] == 0 and office["unknown_year"] == 1


def test_api_landscape_has_the_command_line_shape(landscape_data, client):
    out = StringIO()
    call_command("landscape", "--ipc", "H01M", "--json", "--no-clusters", stdout=out)
    cli = json.loads(out.getvalue())
    api = _landscape(client, landscape_data["admin_a"], {"ipc": ["H01M"]})
    assert set(cli) <= set(api)
    assert set(api) - set(cli) == {"unknown_year", "pending_facts", "visibility", "data_date"}
    assert api["scope"] == cli["scope"]


def test_scopes_crud_shared_within_the_organisation(landscape_data, client):
    d = landscape_data
    r = _post(
        _as(client, d["admin_a"]),
        f"{API}/scopes",
        {"name": "锂电", "definition": {"ipc": ["H01M"], "year_from": 2018}},
    )
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    assert r.json()["scope_lines"][0] == ["IPC 分类号", "H01M"]
    private = _post(
        client, f"{API}/scopes", {"name": "草稿", "shared": False, "definition": {"ipc": ["G06F"]}}
    ).json()["id"]
    # a colleague sees the shared scope (not the private one), reads its landscape, cannot change it
    colleague = _as(client, d["admin_a2"])
    assert [s["name"] for s in colleague.get(f"{API}/scopes").json()["scopes"]] == ["锂电"]
    assert colleague.get(f"{API}/scopes/{private}").status_code == 404
    land = colleague.get(f"{API}/scopes/{sid}/landscape")
    assert land.status_code == 200 and land.json()["patents"] == 4  # year ≥ 2018: patent 3 (未知) out
    refused = _put(colleague, f"{API}/scopes/{sid}", {"name": "改名", "definition": {"ipc": ["H01M"]}})
    assert refused.status_code == 403 and refused.json()["message_en"]
    assert colleague.delete(f"{API}/scopes/{sid}").status_code == 403
    # another organization: not found, and not listed
    other = _as(client, d["admin_b"])
    assert other.get(f"{API}/scopes/{sid}").status_code == 404
    assert other.get(f"{API}/scopes/{sid}/landscape").status_code == 404
    assert other.get(f"{API}/scopes/{sid}/report?format=pdf").status_code == 404
    assert other.get(f"{API}/scopes").json()["scopes"] == []
    # the creator renames and deletes
    creator = _as(client, d["admin_a"])
    r = _put(creator, f"{API}/scopes/{sid}", {"name": "锂电池", "definition": {"ipc": ["H01M10/00"]}})
    assert r.status_code == 200 and r.json()["definition"]["ipc"] == ["H01M10/00"]
    assert creator.delete(f"{API}/scopes/{sid}").status_code == 204
    assert not LandscapeScope.objects.filter(pk=sid).exists()


def test_roles_and_sign_in(landscape_data, client, make_user, settings):
    assert client.post(f"{API}/landscape", "{}", content_type="application/json").status_code == 401
    settings.PANHUO_OTP_ROLES = ()  # past the second factor, the role itself is refused
    admin = make_user(Role.SYSTEM_ADMIN, None)
    r = _post(_as(client, admin), f"{API}/landscape", {"ipc": ["H01M"]})
    assert r.status_code == 403, r.content
    assert r.json().get("message_zh") == "无权使用专利导航", r.json()
    assert client.get(f"{API}/scopes").status_code == 403


def test_bad_input_every_error_at_once_in_chinese_and_english(landscape_data, client):
    IpcNode.objects.create(code="H01M", level="subclass", parent="H01", title="化学能转电能")
    IpcNode.objects.create(code="H01M10/0525", level="subgroup", parent="H01M10/00", title="摇椅式电池")
    user = landscape_data["admin_a"]
    r = _post(
        _as(client, user),
        f"{API}/scopes",
        {"name": "坏", "definition": {"ipc": ["H01M", "H01X"], "year_from": 2022, "year_to": 2019}},
    )
    assert r.status_code == 400
    body = r.json()
    assert set(body["errors"]) == {"ipc", "year_to"}
    assert "IPC 分类号不存在：H01X" in body["errors"]["ipc"]
    assert "unknown IPC code" in body["message_en"] and "year_to is before year_from" in body["message_en"]
    assert "截止年份早于起始年份" in body["message_zh"]
    assert not LandscapeScope.objects.exists()
    # a deeper code under a known one is known (H01M10/05 leads to H01M10/0525)
    assert _post(client, f"{API}/landscape", {"ipc": ["H01M10/05"]}).status_code == 200
    empty = _post(client, f"{API}/landscape", {})
    assert empty.status_code == 400 and "至少设置一项" in empty.json()["errors"]["ipc"]
    malformed = _post(client, f"{API}/landscape", {"ipc": ["电池"], "region": "5x"})
    assert malformed.status_code == 400 and set(malformed.json()["errors"]) == {"ipc", "region"}
    sid = _post(client, f"{API}/scopes", {"name": "锂电", "definition": {"ipc": ["H01M"]}}).json()["id"]
    bad_format = client.get(f"{API}/scopes/{sid}/report?format=doc")
    assert bad_format.status_code == 400 and bad_format.json()["field"] == "format"


def test_compare_two_regions_and_report_download(landscape_data, client):
    d = landscape_data
    user = _as(client, d["office"])
    sid = _post(user, f"{API}/scopes", {"name": "锂电", "definition": {"ipc": ["H01M"]}}).json()["id"]
    r = user.get(f"{API}/compare?a={sid}&ra=50&rb=44")
    assert r.status_code == 200, r.content
    left, right = r.json()["sides"]
    assert (left["region"], left["patents"]) == ("50", 4)  # 1, 2, 3, 7
    assert (right["region"], right["patents"]) == ("44", 2)  # 4, 7 (乙大学's record of the co-held one)
    assert user.get(f"{API}/compare?a={sid}&ra=5x").json()["errors"]["region"]
    pdf = user.get(f"{API}/scopes/{sid}/report?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = user.get(f"{API}/scopes/{sid}/report?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
