"""AUTH-1..5: issued passwords, policy, lockout, session timeouts, session kills, TOTP."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.oath import TOTP
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import STRONG_PASSWORD
from panhuo.accounts.models import Role, User
from panhuo.accounts.models import SealedTOTPDevice as TOTPDevice
from panhuo.accounts.passwords import character_classes, policy_problems
from panhuo.accounts.services import user_create, user_set_active
from panhuo.common.errors import ApplicationError
from panhuo.common.models import AuditEvent

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@given(st.text(min_size=0, max_size=40))
@settings(max_examples=200)
def test_policy_accepts_exactly_when_the_written_rule_holds(password):
    problems = policy_problems(password, profile="dengbao")
    rule = (
        8 <= len(password) <= 128
        and character_classes(password) >= 3
        and not any(w in password.lower() for w in ("patent", "zhuanli", "panhuo", "专利", "盘活"))
    )
    assert (problems == []) == rule


def test_no_default_account_names(university):
    with pytest.raises(ApplicationError):
        user_create(username="admin", role=Role.INVENTOR, organization=university, password=STRONG_PASSWORD)
    assert not User.objects.filter(username="admin").exists()


def test_issued_password_must_be_changed_everywhere(university):
    user, issued = user_create(username="newbie", role=Role.INVENTOR, organization=university)
    client = Client()
    assert login(client, "newbie", issued).status_code == 302
    for url in ("/", "/patents/", "/deals/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].endswith("/accounts/password/"), url
    response = client.post(
        "/accounts/password/",
        {"old_password": issued, "new_password1": "Nw7#kPq2Lz!x", "new_password2": "Nw7#kPq2Lz!x"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password is False
    assert client.get("/").status_code == 200


def test_lockout_per_user_and_ip_with_identical_answers(inventor):
    attacker = Client()
    bodies = set()
    for _ in range(5):
        response = login(attacker, inventor.username, "wrong-password")
        assert response.status_code == 401
        bodies.add(response.content.decode().split('id="login-error">')[1].split("<")[0])
    locked = login(attacker, inventor.username, STRONG_PASSWORD)
    assert locked.status_code == 401  # the right password is refused while locked
    unknown = login(Client(), "nobody-at-all", "whatever")
    assert unknown.status_code == 401
    bodies.add(unknown.content.decode().split('id="login-error">')[1].split("<")[0])
    assert len(bodies) == 1  # known, unknown and locked users get the same answer
    assert login(Client(), inventor.username, STRONG_PASSWORD, ip="10.0.0.2").status_code == 302  # other IP
    assert AuditEvent.objects.filter(action="auth.lockout").exists()
    assert AuditEvent.objects.filter(action="auth.login", result="fail").count() >= 5


def test_lockout_expires_after_thirty_minutes(inventor):
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        for _ in range(5):
            login(client, inventor.username, "wrong")
        assert login(client, inventor.username, STRONG_PASSWORD).status_code == 401
        clock.shift(dt.timedelta(minutes=31))
        assert login(client, inventor.username, STRONG_PASSWORD).status_code == 302


def test_idle_timeout_fifteen_minutes(inventor):
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        assert login(client, inventor.username, STRONG_PASSWORD).status_code == 302
        clock.shift(dt.timedelta(minutes=14))
        assert client.get("/").status_code == 200  # activity renews the idle window
        clock.shift(dt.timedelta(minutes=16))
        response = client.get("/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_idle_window_renews_at_most_once_a_minute_and_never_exceeds_fifteen(inventor):
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        login(client, inventor.username, STRONG_PASSWORD)
        key = client.session.session_key
        expiry = Session.objects.get(session_key=key).expire_date
        clock.shift(dt.timedelta(seconds=30))
        assert client.get("/").status_code == 200
        assert Session.objects.get(session_key=key).expire_date == expiry  # no write within the minute
        clock.shift(dt.timedelta(seconds=40))
        assert client.get("/").status_code == 200
        renewed = Session.objects.get(session_key=key).expire_date
        assert renewed - expiry == dt.timedelta(seconds=70)  # written again: the window restarts
        clock.shift(dt.timedelta(minutes=15, seconds=1))  # idle 15 min after the last request
        response = client.get("/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_absolute_timeout_eight_hours(inventor):
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        login(client, inventor.username, STRONG_PASSWORD)
        for _ in range(8 * 6):  # active every 10 minutes for 8 hours
            clock.shift(dt.timedelta(minutes=10))
            assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=1))
        response = client.get("/")
        assert response.status_code == 302 and "expired=1" in response["Location"]


def test_new_session_key_at_login_and_logout_deletes_it(inventor):
    client = Client()
    client.get(LOGIN)
    client.session["probe"] = 1
    before = client.session.session_key
    login(client, inventor.username, STRONG_PASSWORD)
    after = client.session.session_key
    assert after != before
    assert Session.objects.filter(session_key=after).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=after).exists()
    assert client.get("/").status_code == 302


def test_disable_and_password_change_kill_sessions(inventor, make_user, university):
    security = make_user(Role.SECURITY_ADMIN, None)
    one, two = Client(), Client()
    login(one, inventor.username, STRONG_PASSWORD)
    login(two, inventor.username, STRONG_PASSWORD, ip="10.0.0.9")
    one.post(
        "/accounts/password/",
        {"old_password": STRONG_PASSWORD, "new_password1": "Zq8@wErt5Yh!", "new_password2": "Zq8@wErt5Yh!"},
    )
    assert one.get("/").status_code == 200  # the session that changed it stays
    assert two.get("/").status_code == 302  # every other session ended
    user_set_active(user=inventor, active=False, actor=security)
    assert one.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="user.disable").count() == 1


def test_admin_roles_need_totp_and_codes_are_single_use(make_user):
    admin = make_user(Role.AUDIT_ADMIN, None)
    client = Client()
    assert login(client, admin.username, STRONG_PASSWORD).status_code == 302
    for url in ("/", "/accounts/admin/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/otp/" in response["Location"]
    client.get("/accounts/otp/")  # enrolment creates the device
    device = TOTPDevice.objects.get(user=admin)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    token = f"{totp.token():0{device.digits}d}"
    assert client.post("/accounts/otp/", {"token": token}).status_code == 302
    assert client.get("/accounts/admin/audit/").status_code == 200
    other = Client()
    login(other, admin.username, STRONG_PASSWORD, ip="10.0.0.3")
    assert other.post("/accounts/otp/", {"token": token}).status_code == 401  # reused code refused
    assert other.get("/accounts/admin/audit/").status_code == 302


def test_deal_approval_asks_for_a_second_factor_first(institution_admin, settings):
    settings.PANHUO_STEP_UP_APPROVALS = True
    client = Client()
    client.force_login(institution_admin)
    response = client.post("/deals/999/approve/")
    assert response.status_code == 302 and "/accounts/otp/" in response["Location"]
    api = client.post("/api/deals/deals/999/approve", content_type="application/json")
    assert api.status_code == 403 and "双因素" in api.json()["message_zh"]
    client.get("/accounts/otp/")
    device = TOTPDevice.objects.get(user=institution_admin)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    assert client.post("/accounts/otp/", {"token": f"{totp.token():0{device.digits}d}"}).status_code == 302
    assert client.post("/api/deals/deals/999/approve", content_type="application/json").status_code == 404


PRODUCTION_HASHERS = [
    "panhuo.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]


def test_passwords_are_argon2id_and_old_pbkdf2_hashes_upgrade_at_sign_in(make_org, settings):
    from django.contrib.auth.hashers import make_password

    from panhuo.accounts.models import OrganizationType

    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    org = make_org(OrganizationType.UNIVERSITY, code="HASH-U", name="哈希大学")
    user, _ = user_create(
        username="hash_user",
        role=Role.INSTITUTION_ADMIN,
        organization=org,
        password=STRONG_PASSWORD,
        must_change_password=False,
    )
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    User.objects.filter(pk=user.pk).update(password=make_password(STRONG_PASSWORD, hasher="pbkdf2_sha256"))
    assert User.objects.get(pk=user.pk).password.startswith("pbkdf2_sha256$1000000$")
    response = login(Client(), "hash_user", STRONG_PASSWORD)
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")


def test_deploy_check_refuses_a_weakened_argon2(settings, monkeypatch):
    from panhuo.accounts.checks import production_checks
    from panhuo.accounts.hashers import Argon2idPasswordHasher

    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    assert not [e for e in production_checks() if e.id == "panhuo.E001"]
    monkeypatch.setattr(Argon2idPasswordHasher, "memory_cost", 4096)
    assert [e for e in production_checks() if e.id == "panhuo.E001"]
