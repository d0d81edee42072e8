"""企业自助注册: check character, e-mail confirmation, no enumeration, per-IP limit, office size/region confirmation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings

from panhuo.accounts.models import Organization, User
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.demand.models import EnterpriseProfile
from panhuo.demand.selectors import enterprises_awaiting_confirmation, enterprises_confirmed
from panhuo.demand.services import enterprise_profile_save
from panhuo.demand.services.registration import enterprise_profile_confirm, enterprise_registration_confirm

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "戊智能科技有限公司",
    "credit_code": "91500107MA5U7Q0K4T",
    "region_code": "500107",
    "size": "small",
    "contact_name": "钱经理",
    "contact_phone": "13800001111",
    "email": "qian@example.com",
    "username": "qian_wu",
    "password": "Kx9#mQ2!vLp7z",
    "password2": "Kx9#mQ2!vLp7z",
}


@pytest.fixture
def register(django_capture_on_commit_callbacks):
    """POST the sign-up form; the e-mails (sent on commit) land in mail.outbox."""

    def post(client: Client, **changes: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/demand/register/", {**GOOD, **changes})

    return post


def token_from_mail() -> str:
    match = re.search(r"token=([^\s]+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_registration_creates_an_inactive_account_until_the_mailed_link_is_used(register, client):
    response = register(client)
    assert response.status_code == 302 and response["Location"] == "/demand/register/sent/"
    user = User.objects.get(username="qian_wu")
    org = user.organization
    assert (user.is_active, user.role, org.verified, org.credit_code) == (
        False,
        "enterprise_user",
        False,
        "91500107MA5U7Q0K4T",
    )
    profile = EnterpriseProfile.objects.get(organization=org)
    assert (profile.size, profile.office_confirmed, profile.size_confirmed_at) == ("small", False, None)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["qian@example.com"]
    token = token_from_mail()
    page = client.get(f"/demand/register/confirm/?token={token}")
    assert page.status_code == 200
    user.refresh_from_db()
    assert user.is_active is False  # a GET never writes
    assert client.post("/demand/register/confirm/", {"token": token}).status_code == 302
    user.refresh_from_db()
    assert user.is_active is True
    signed_in = client.post("/accounts/login/", {"username": "qian_wu", "password": GOOD["password"]})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"


def test_bad_credit_code_is_refused_on_the_field_with_input_kept(register, client):
    response = register(client, credit_code="91500107MA5U7Q0K4A", contact_phone="abc", password2="other")
    text = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-credit_code"' in text and "校验" in text
    assert 'id="error-contact_phone"' in text and 'id="error-password2"' in text  # all errors at once
    assert 'value="91500107MA5U7Q0K4A"' in text and 'value="戊智能科技有限公司"' in text
    assert GOOD["password"] not in text  # the password is never echoed
    assert not User.objects.filter(username="qian_wu").exists()
    assert not Organization.objects.filter(name="戊智能科技有限公司").exists()
    assert mail.outbox == []


def test_duplicate_registration_answers_the_same_and_creates_nothing(register, client, enterprise):
    first = register(client, credit_code=enterprise.credit_code, username="someone_else")
    assert first.status_code == 302 and first["Location"] == "/demand/register/sent/"
    assert not User.objects.filter(username="someone_else").exists()
    assert Organization.objects.filter(credit_code=enterprise.credit_code).count() == 1
    assert "已经注册过" in mail.outbox[-1].body and "token=" not in mail.outbox[-1].body
    register(client)
    again = register(client, credit_code="91350100M000100Y43", username="qian_wu")  # same username
    assert again.status_code == 302 and again["Location"] == "/demand/register/sent/"
    assert User.objects.filter(username="qian_wu").count() == 1


def test_tampered_or_reused_token_is_refused():
    with pytest.raises(ApplicationError) as exc:
        enterprise_registration_confirm(token="eyJ1IjoxfQ:bad:signature")
    assert exc.value.code == "token_invalid"


@override_settings(PANHUO_RATE_LIMITS_ENABLED=True)
def test_registration_is_rate_limited_per_ip(register, client):
    from django.core.cache import cache

    cache.clear()
    with time_machine.travel(
        dt.datetime(2026, 11, 23, 9, 0, 5, tzinfo=dt.UTC), tick=False
    ):  # one hourly window
        codes = [
            register(client, username=f"user{i}", email=f"u{i}@example.com").status_code for i in range(11)
        ]
    assert codes[:10] == [302] * 10 and codes[10] == 429
    assert Client(REMOTE_ADDR="10.9.9.9").get("/demand/register/").status_code == 200


def test_office_confirms_size_and_region_and_an_edit_asks_again(
    register, client, office_user, enterprise_user, make_user
):
    register(client)
    user = User.objects.get(username="qian_wu")
    profile = EnterpriseProfile.objects.get(organization=user.organization)
    assert list(enterprises_awaiting_confirmation(office_user)) == [profile]
    with pytest.raises(PermissionRefused):
        enterprise_profile_confirm(actor=enterprise_user, profile_id=profile.pk)
    enterprise_profile_confirm(actor=office_user, profile_id=profile.pk)
    profile.refresh_from_db()
    assert profile.confirmed_by_id == office_user.pk and profile in enterprises_confirmed()
    assert profile.organization.verified is True
    user.is_active = True
    user.save()
    enterprise_profile_save(
        actor=user,
        name=GOOD["name"],
        credit_code=GOOD["credit_code"],
        region_code="500107",
        industry_code="",
        industry_confirmed=False,
        size="medium",
        qualifications=[],
        business_scope="",
        technical_focus="",
        contact_name="钱经理",
        contact_phone="",
    )
    profile.refresh_from_db()
    assert profile.office_confirmed is False and profile not in enterprises_confirmed()


def test_office_outside_the_region_cannot_confirm(register, client, make_org, make_user):
    from panhuo.accounts.models import OrganizationType, Role
    from panhuo.common.errors import NotFound

    register(client)
    far = make_org(
        OrganizationType.IP_OFFICE,
        code="OFF-SC",
        name="四川省知识产权局",
        region_code="510000",
        office_level="province",
    )
    far_user = make_user(Role.OFFICE_OFFICIAL, far)
    profile = EnterpriseProfile.objects.get(organization__credit_code=GOOD["credit_code"])
    with pytest.raises(NotFound):
        enterprise_profile_confirm(actor=far_user, profile_id=profile.pk)
    profile.refresh_from_db()
    assert profile.office_confirmed is False and profile.size_confirmed_at is None


def test_an_unconfirmed_registration_does_not_hold_the_credit_code_after_48_hours(register, client):
    from datetime import timedelta

    from django.utils import timezone

    register(client, email="squatter@example.com", username="squatter")
    squatter = User.objects.get(username="squatter")
    register(client, username="owner", email="owner@example.com")
    assert not User.objects.filter(username="owner").exists()  # within 48 h the code stays held
    User.objects.filter(pk=squatter.pk).update(date_joined=timezone.now() - timedelta(hours=49))
    register(client, username="owner", email="owner@example.com")
    owner = User.objects.get(username="owner")
    assert owner.organization.credit_code == GOOD["credit_code"]
    assert not User.objects.filter(username="squatter").exists()
    assert Organization.objects.filter(credit_code=GOOD["credit_code"]).count() == 1
