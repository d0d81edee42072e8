"""The qualifications the policy texts name (优势示范企业, 国有企业, 保护中心备案主体): stored from the profile form, the
registration form, the import (labels and common spellings), shown in words, and usable as a filter."""

from __future__ import annotations

import pytest
from django.test import Client

from panhuo.common.errors import ApplicationError
from panhuo.common.labels import qualification_label
from panhuo.demand import selectors
from panhuo.demand.models import EnterpriseProfile, Qualification
from panhuo.demand.services import checks, enterprise_profile_save

pytestmark = pytest.mark.django_db


def _save(user, quals):
    return enterprise_profile_save(
        actor=user,
        name="丙科技有限公司",
        credit_code="91350100M000100Y43",
        region_code="500107",
        industry_code="",
        industry_confirmed=False,
        size="small",
        qualifications=quals,
        business_scope="",
        technical_focus="",
        contact_name="李四",
        contact_phone="",
    )


def test_new_values_labels_and_spellings():
    assert {"ip_advantage", "state_owned", "protection_centre"} <= set(Qualification.values)
    assert qualification_label("state_owned") == "国有企业"
    assert qualification_label("protection_centre") == "知识产权保护中心备案主体"
    assert qualification_label("nonsense") == "其他资质"
    assert checks.qualifications(["国企", "知识产权示范企业", "保护中心备案企业", "国有企业"]) == [
        "state_owned",
        "ip_advantage",
        "protection_centre",
    ]
    with pytest.raises(ApplicationError):
        checks.qualifications(["央企之光"])


def test_profile_stores_and_filter_finds_them(enterprise_user, office_user):
    profile = _save(enterprise_user, ["国有企业", "ip_advantage"])
    assert profile.qualifications == ["state_owned", "ip_advantage"]
    assert profile.qualification_labels == ["国有企业", "知识产权优势/示范企业"]
    base = EnterpriseProfile.objects.all()
    assert list(selectors.with_qualifications(base, ["state_owned"])) == [profile]
    assert list(selectors.with_qualifications(base, ["state_owned", "protection_centre"])) == []
    assert list(selectors.with_qualifications(base, ["bogus"])) == []
    c = Client()
    c.force_login(office_user)
    page = c.get("/demand/enterprises/?qualification=state_owned").content.decode()
    assert "丙科技有限公司" in page and "国有企业" in page
    assert (
        "丙科技有限公司" not in c.get("/demand/enterprises/?qualification=protection_centre").content.decode()
    )
    api = c.get("/api/demand/enterprises?qualification=ip_advantage").json()
    assert [e["qualification_labels"] for e in api] == [["国有企业", "知识产权优势/示范企业"]]
    assert c.get("/api/demand/enterprises?qualification=protection_centre").json() == []


def test_registration_stores_qualifications(client):
    from panhuo.demand.services.registration import enterprise_register

    user = enterprise_register(
        name="丁国有科技有限公司",
        credit_code="91350100M000100Y43",
        region_code="500107",
        size="medium",
        username="ding_user",
        email="ding@example.com",
        password="Kx9#mQ2!vLp7",
        qualifications=["国有企业", "知识产权保护中心备案主体"],
        confirm_url="https://panhuo.example/demand/register/confirm/",
    )
    assert user is not None
    assert user.organization.enterprise_profile.qualifications == ["state_owned", "protection_centre"]
    page = client.get("/demand/register/").content.decode()
    assert "国有企业" in page and "知识产权优势/示范企业" in page
