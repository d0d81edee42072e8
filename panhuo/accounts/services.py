"""Writes for organizations, colleges and users."""

from __future__ import annotations

import secrets
import string

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from engine.identifiers.credit_code import CreditCodeError, normalise_credit_code
from panhuo.accounts.models import (
    ROLES_BY_ORG_TYPE,
    College,
    Organization,
    OrganizationType,
    PasswordHistory,
    Role,
    User,
)
from panhuo.accounts.visibility import office_region_missing
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError


def organization_create(
    *,
    code: str,
    name: str,
    type: str,
    region_code: str = "",
    office_level: str = "",
    parent: Organization | None = None,
    credit_code: str = "",
    address: str = "",
    legal_representative: str = "",
    verified: bool = True,
    is_demo: bool = False,
    actor: User | None = None,
) -> Organization:
    if type not in OrganizationType.values:
        raise ApplicationError(
            "org_type", f"未知机构类型：{type}", f"unknown organization type: {type}", "type"
        )
    if office_region_missing(type=type, region_code=region_code, office_level=office_level):
        # an office without a region would see the whole country: only an explicitly national one may
        raise ApplicationError(
            "office_region",
            "知识产权局须填写行政区划代码（或明确设为国家级 --office-level national）",
            "an IP office needs a region code, or must be created explicitly as national",
            "region_code",
        )
    if credit_code:
        try:
            credit_code = normalise_credit_code(credit_code)
        except CreditCodeError as exc:
            raise ApplicationError("credit_code", exc.message_zh, exc.message_en, "credit_code")
    if Organization.objects.filter(code=code).exists():
        raise ApplicationError(
            "org_exists", f"机构代码已存在：{code}", f"organization code exists: {code}", "code"
        )
    with transaction.atomic():
        org = Organization.objects.create(
            code=code,
            name=name,
            type=type,
            region_code=region_code,
            office_level=office_level,
            parent=parent,
            credit_code=credit_code,
            address=address,
            legal_representative=legal_representative,
            verified=verified,
            is_demo=is_demo,
        )
        audit_record("organization.create", actor=actor, tenant_id=org.pk, obj=org, detail={"type": type})
    return org


def college_create(*, organization: Organization, code: str, name: str, actor: User | None = None) -> College:
    if not organization.holds_patents:
        raise ApplicationError(
            "college_org", "只有高校和科研院所可以设置学院", "only institutions have colleges"
        )
    with transaction.atomic():
        college, _ = College.objects.get_or_create(
            organization=organization, code=code, defaults={"name": name}
        )
        audit_record("college.create", actor=actor, tenant_id=organization.pk, obj=college)
    return college


def generate_password() -> str:
    """An issued password that satisfies the 等保 profile; the user must change it at first login."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{body}#{secrets.choice(string.digits)}Aa"


def user_create(
    *,
    username: str,
    role: str,
    organization: Organization | None,
    password: str | None = None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    college: College | None = None,
    must_change_password: bool = True,
    actor: User | None = None,
) -> tuple[User, str]:
    """Create a personal account; returns the user and the (issued) password."""
    if role not in Role.values:
        raise ApplicationError("role", f"未知角色：{role}", f"unknown role: {role}", "role")
    allowed = (
        ROLES_BY_ORG_TYPE.get(organization.type, ())
        if organization
        else ROLES_BY_ORG_TYPE[OrganizationType.OPERATOR]
    )
    if role not in allowed:
        raise ApplicationError(
            "role_org", "该角色与机构类型不符", "role does not fit the organization type", "role"
        )
    if username.lower() in {"admin", "root", "test", "administrator"}:
        raise ApplicationError(
            "username",
            "不允许使用共享或默认账号名",
            "shared or default account names are refused",
            "username",
        )
    if college is not None and (organization is None or college.organization_id != organization.pk):
        raise ApplicationError(
            "college", "学院不属于该机构", "college belongs to another organization", "college"
        )
    if User.objects.filter(username=username).exists():
        raise ApplicationError(
            "user_exists", f"用户名已存在：{username}", f"username exists: {username}", "username"
        )
    password = password or generate_password()
    user = User(
        username=username,
        role=role,
        organization=organization,
        college=college,
        display_name=display_name,
        email=email,
        phone=phone,
        must_change_password=must_change_password,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError("password_policy", "；".join(exc.messages), "password policy", "password")
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save()
        PasswordHistory.objects.create(user=user, password=user.password)
        audit_record(
            "user.create", actor=actor, tenant_id=user.organization_id, obj=user, detail={"role": role}
        )
    return user, password


def user_set_active(*, user: User, active: bool, actor: User) -> None:
    """Disable (or re-enable) an account; disabling ends all its sessions (AUTH-4)."""
    from panhuo.accounts.sessions import user_sessions_kill

    if user.pk == actor.pk:
        raise ApplicationError("self_disable", "不能停用自己的账号", "you cannot disable your own account")
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        killed = 0 if active else user_sessions_kill(user=user)
        audit_record(
            "user.enable" if active else "user.disable",
            actor=actor,
            tenant_id=user.organization_id,
            obj=user,
            detail={"sessions_killed": killed},
        )


def user_set_role(*, user: User, role: str, actor: User) -> None:
    """Change a role (security admin only). One role per account keeps the three admins exclusive."""
    allowed = (
        ROLES_BY_ORG_TYPE.get(user.organization.type, ())
        if user.organization
        else ROLES_BY_ORG_TYPE[OrganizationType.OPERATOR]
    )
    if role not in allowed:
        raise ApplicationError(
            "role_org", "该角色与机构类型不符", "role does not fit the organization type", "role"
        )
    if user.pk == actor.pk:
        raise ApplicationError("self_role", "不能修改自己的角色", "you cannot change your own role", "role")
    with transaction.atomic():
        old = user.role
        user.role = role
        user.save(update_fields=["role"])
        from panhuo.accounts.sessions import user_sessions_kill

        user_sessions_kill(user=user)
        audit_record(
            "user.role_change",
            actor=actor,
            tenant_id=user.organization_id,
            obj=user,
            detail={"from": old, "to": role},
        )


def user_second_factor_reset(*, user: User, actor: User) -> None:
    """Lost authenticator: only a security admin resets it; the user enrols again at next sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            "user.otp_reset",
            actor=actor,
            tenant_id=user.organization_id,
            obj=user,
            detail={"devices": deleted},
        )


def user_unlock(*, user: User, actor: User) -> None:
    from axes.utils import reset

    with transaction.atomic():
        reset(username=user.username)
        audit_record("user.unlock", actor=actor, tenant_id=user.organization_id, obj=user)
