"""System admin console services: accounts by the system admin only; role changes approved by the security admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password

from panhuo.accounts import administration as admin
from panhuo.accounts.models import Organization, OrganizationType, Role, RoleChangeRequest, User
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.common.models import AuditEvent

pytestmark = pytest.mark.django_db


def second_factor_client(client, user):
    """Sign in an admin and pass the TOTP step (enrolment, then one code)."""
    from django_otp.oath import TOTP

    from panhuo.accounts.models import SealedTOTPDevice as TOTPDevice

    client.force_login(user)
    client.get("/accounts/otp/")
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    assert client.post("/accounts/otp/", {"token": f"{totp.token():0{device.digits}d}"}).status_code == 302
    return client


@pytest.fixture
def sysadmin(make_user):
    return make_user(Role.SYSTEM_ADMIN, None, username="sys1")


@pytest.fixture
def secadmin(make_user):
    return make_user(Role.SECURITY_ADMIN, None, username="sec1")


def test_non_admin_cannot_create_users_or_organizations(university, institution_admin, secadmin):
    users_before, orgs_before = User.objects.count(), Organization.objects.count()
    for actor in (institution_admin, secadmin):
        with pytest.raises(PermissionRefused):
            admin.user_create_by_admin(
                actor=actor, username="newbie", role=Role.INVENTOR, organization=university
            )
        with pytest.raises(PermissionRefused):
            admin.organization_create_by_admin(
                actor=actor, code="X1", name="某大学", type=OrganizationType.UNIVERSITY
            )
    assert (User.objects.count(), Organization.objects.count()) == (users_before, orgs_before)


def test_system_admin_creates_user_with_issued_password_to_change(university, sysadmin):
    user, password = admin.user_create_by_admin(
        actor=sysadmin,
        username="li.si",
        role=Role.INVENTOR,
        organization=university,
        college=university.colleges.get(code="ME"),
        display_name="李四",
    )
    user.refresh_from_db()
    assert user.must_change_password is True
    assert check_password(password, user.password)
    assert user.college.code == "ME"
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk), actor_name="sys1").exists()


def test_role_change_needs_security_admin_approval(university, inventor, sysadmin, secadmin):
    change = admin.role_change_request(actor=sysadmin, user=inventor, role=Role.COLLEGE_ADMIN, reason="任命")
    inventor.refresh_from_db()
    assert inventor.role == Role.INVENTOR  # a request changes nothing
    with pytest.raises(PermissionRefused):
        admin.role_change_decide(actor=sysadmin, change_id=change.pk, approve=True)
    inventor.refresh_from_db()
    assert inventor.role == Role.INVENTOR
    admin.role_change_decide(actor=secadmin, change_id=change.pk, approve=True)
    inventor.refresh_from_db()
    change.refresh_from_db()
    assert inventor.role == Role.COLLEGE_ADMIN
    assert (change.status, change.decided_by_id) == ("approved", secadmin.pk)
    actions = list(
        AuditEvent.objects.filter(object_id=str(inventor.pk), action__startswith="user.role").values_list(
            "action", "actor_name"
        )
    )
    assert actions == [
        ("user.role_change_request", "sys1"),
        ("user.role_change", "sec1"),
        ("user.role_change_approve", "sec1"),
    ]


def test_role_change_refusals_change_nothing(university, inventor, sysadmin, secadmin):
    with pytest.raises(ApplicationError) as exc:
        admin.role_change_request(actor=sysadmin, user=inventor, role=Role.ENTERPRISE_USER)
    assert exc.value.code == "role_org"
    with pytest.raises(PermissionRefused):
        admin.role_change_request(actor=secadmin, user=inventor, role=Role.COLLEGE_ADMIN)
    admin.role_change_request(actor=sysadmin, user=inventor, role=Role.COLLEGE_ADMIN)
    with pytest.raises(ApplicationError) as exc:
        admin.role_change_request(actor=sysadmin, user=inventor, role=Role.INSTITUTION_ADMIN)
    assert exc.value.code == "role_pending"
    assert RoleChangeRequest.objects.count() == 1
    change = RoleChangeRequest.objects.get()
    admin.role_change_decide(actor=secadmin, change_id=change.pk, approve=False)
    inventor.refresh_from_db()
    assert inventor.role == Role.INVENTOR
    with pytest.raises(ApplicationError) as exc:  # decided once
        admin.role_change_decide(actor=secadmin, change_id=change.pk, approve=True)
    assert exc.value.code == "role_request_gone"


def test_password_reset_issues_a_new_password_that_must_change(inventor, sysadmin, institution_admin):
    old_hash = inventor.password
    with pytest.raises(PermissionRefused):
        admin.user_password_reset(actor=institution_admin, user=inventor)
    inventor.refresh_from_db()
    assert inventor.password == old_hash
    password = admin.user_password_reset(actor=sysadmin, user=inventor)
    inventor.refresh_from_db()
    assert check_password(password, inventor.password) and inventor.must_change_password


def test_organization_update_refuses_a_bad_credit_code(enterprise, sysadmin):
    with pytest.raises(ApplicationError) as exc:
        admin.organization_update(
            actor=sysadmin, organization=enterprise, name="新名称", credit_code="91350100M000100Y44"
        )
    assert exc.value.field == "credit_code"
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.credit_code) == ("丙科技有限公司", "91350100M000100Y43")


def test_console_pages_keep_input_on_error(client, university, sysadmin, inventor):
    second_factor_client(client, sysadmin)
    response = client.post(
        "/console/users/new/",
        {
            "organization": university.pk,
            "username": "a",
            "display_name": "",
            "role": Role.INVENTOR,
            "phone": "123",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "用户名为 3–150 位" in text and "手机号为 11 位数字" in text and 'value="123"' in text
    assert User.objects.filter(username="a").count() == 0
    response = client.post(
        "/console/users/new/",
        {"organization": university.pk, "username": "wang.wu", "display_name": "王五", "role": Role.INVENTOR},
    )
    assert response.status_code == 200 and "初始密码已签发" in response.content.decode()
    page = client.get(f"/console/organizations/{university.pk}/")
    assert "wang.wu" in page.content.decode()
    client.post(f"/console/users/{inventor.pk}/", {"rc-role": Role.COLLEGE_ADMIN, "rc-reason": "任命"})
    assert RoleChangeRequest.objects.filter(user=inventor, status="pending").count() == 1
    inventor.refresh_from_db()
    assert inventor.role == Role.INVENTOR


def test_console_renames_a_college_and_adds_one(client, university, sysadmin):
    second_factor_client(client, sysadmin)
    cs = university.colleges.get(code="CS")
    client.post(
        f"/console/organizations/{university.pk}/", {"rename-college": cs.pk, "rename-name": "计算机与AI学院"}
    )
    cs.refresh_from_db()
    assert cs.name == "计算机与AI学院"
    client.post(f"/console/organizations/{university.pk}/", {"rename-college": cs.pk, "rename-name": " "})
    cs.refresh_from_db()
    assert cs.name == "计算机与AI学院"
    response = client.post(
        f"/console/organizations/{university.pk}/", {"college-code": "CS", "college-name": "重复"}
    )
    assert "学院代码已存在" in response.content.decode() and 'value="重复"' in response.content.decode()
    client.post(
        f"/console/organizations/{university.pk}/", {"college-code": "BIO", "college-name": "生命学院"}
    )
    assert university.colleges.filter(code="BIO", name="生命学院").exists()
    assert AuditEvent.objects.filter(action="college.update").count() == 1
