from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from engine.identifiers.credit_code import ALPHABET, credit_check_character
from panhuo.accounts.models import Organization
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.demand.industries import suggest_industries
from panhuo.demand.models import EnterpriseProfile
from panhuo.demand.services import enterprise_profile_save
from panhuo.demand.services.checks import credit_code

VALID = "91350100M000100Y43"


def _save(user, **kw):
    args = {
        "name": "丙科技有限公司",
        "credit_code": VALID,
        "region_code": "500107",
        "industry_code": "3831",
        "industry_confirmed": True,
        "size": "小",
        "qualifications": ["专精特新", "high_tech"],
        "business_scope": "电线、电缆制造；光缆制造",
        "technical_focus": "高压电缆绝缘",
        "contact_name": "李四",
        "contact_phone": "13812345678",
    }
    args.update(kw)
    return enterprise_profile_save(actor=user, **args)


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_credit_code_check_character_property(first17):
    good = first17 + credit_check_character(first17)
    assert credit_code(good.lower()) == good
    wrong = next(c for c in ALPHABET if c != good[-1])
    with pytest.raises(ApplicationError) as exc:
        credit_code(first17 + wrong)
    assert exc.value.code == "credit_code_check"
    assert exc.value.field == "credit_code"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("9135010", "credit_code_length"),
        ("91350100M000100YI3", "credit_code_chars"),
        ("", "credit_code_length"),
    ],
)
def test_credit_code_refusals(raw, code):
    with pytest.raises(ApplicationError) as exc:
        credit_code(raw)
    assert exc.value.code == code


def test_profile_save_creates_and_updates(enterprise_user):
    profile = _save(enterprise_user)
    assert profile.industry_code == "3831"
    assert profile.industry_name == "电线、电缆制造"
    assert profile.industry_confirmed is True
    assert profile.size == "small"
    assert profile.qualifications == ["specialised", "high_tech"]
    org = Organization.objects.get(pk=enterprise_user.organization_id)
    assert (org.credit_code, org.region_code) == (VALID, "500107")
    first_updated = profile.updated_at
    profile = _save(enterprise_user, technical_focus="海底电缆")
    assert EnterpriseProfile.objects.count() == 1
    assert profile.technical_focus == "海底电缆"
    assert profile.updated_at > first_updated


def test_phone_is_encrypted_at_rest(enterprise_user):
    profile = _save(enterprise_user)
    with connection.cursor() as cur:
        cur.execute("SELECT contact_phone FROM demand_enterpriseprofile WHERE id = %s", [profile.pk])
        raw = cur.fetchone()[0]
    assert "13812345678" not in raw
    assert EnterpriseProfile.objects.get(pk=profile.pk).contact_phone == "13812345678"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("credit_code", "91350100M000100Y44", "credit_code_check"),
        ("industry_code", "9999", "industry_code"),
        ("region_code", "50010", "region_code"),
        ("size", "巨型", "size"),
        ("qualifications", ["世界五百强"], "qualification"),
    ],
)
def test_profile_refusals_change_nothing(enterprise_user, field, value, code):
    with pytest.raises(ApplicationError) as exc:
        _save(enterprise_user, **{field: value})
    assert exc.value.code == code
    assert EnterpriseProfile.objects.count() == 0
    assert Organization.objects.get(pk=enterprise_user.organization_id).region_code == ""


def test_credit_code_of_another_org_refused(enterprise_user, other_enterprise):
    with pytest.raises(ApplicationError) as exc:
        _save(enterprise_user, credit_code=other_enterprise.credit_code)
    assert exc.value.code == "credit_code_taken"
    assert EnterpriseProfile.objects.count() == 0


def test_only_enterprise_users_save_profiles(institution_admin):
    with pytest.raises(PermissionRefused):
        _save(institution_admin)
    assert EnterpriseProfile.objects.count() == 0


def test_industry_suggestion_from_scope(db):
    hits = suggest_industries("电线电缆、光缆的研发与制造")
    codes = [h.code for h in hits]
    assert "3831" in codes or "3833" in codes
    assert suggest_industries("   ") == []


def test_profile_page_suggest_then_confirm(client, enterprise_user):
    client.force_login(enterprise_user)
    assert client.get("/demand/profile/").status_code == 200
    form = {
        "name": "丙科技有限公司",
        "credit_code": VALID,
        "region_code": "500107",
        "business_scope": "电线、电缆制造",
        "contact_phone": "13812345678",
    }
    resp = client.post("/demand/profile/", {**form, "suggest": "1"})
    assert resp.status_code == 200
    assert "3831" in resp.content.decode()
    assert EnterpriseProfile.objects.count() == 0  # suggesting saves nothing
    resp = client.post(
        "/demand/profile/", {**form, "industry_code": "3831", "industry_confirmed": "on", "save": "1"}
    )
    assert resp.status_code == 302
    profile = EnterpriseProfile.objects.get()
    assert (profile.industry_code, profile.industry_confirmed) == ("3831", True)


def test_profile_page_shows_refusal_on_field(client, enterprise_user):
    client.force_login(enterprise_user)
    resp = client.post("/demand/profile/", {"name": "丙", "credit_code": "91350100M000100Y44", "save": "1"})
    assert resp.status_code == 200
    assert "校验位错误" in resp.content.decode()
    assert EnterpriseProfile.objects.count() == 0


def test_office_list_masks_phone(client, enterprise_user, office_user):
    _save(enterprise_user)
    client.force_login(office_user)
    body = client.get("/demand/enterprises/").content.decode()
    assert "138****5678" in body
    assert "13812345678" not in body
