"""Writes of the system administrator's browser console (organizations, colleges, users), with 三员分立.

The system admin creates and edits accounts and issues passwords; a role change is only a request until a
security admin (another person) approves it (`role_change_decide`). Every write is audited.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from engine.identifiers.credit_code import CreditCodeError, normalise_credit_code
from panhuo.accounts.models import (
    ROLES_BY_ORG_TYPE,
    College,
    OfficeLevel,
    Organization,
    OrganizationType,
    PasswordHistory,
    Role,
    RoleChangeRequest,
    RoleChangeStatus,
    User,
)
from panhuo.accounts.services import generate_password, user_second_factor_reset, user_set_role
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, PermissionRefused


def require_role(actor: User, role: str) -> User:
    """The acting user, or PermissionRefused when they do not hold `role` (checked in every service here)."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "role", None) != role:
        raise PermissionRefused()
    return actor  # type: ignore[no-any-return]


def roles_allowed_for(organization: Organization | None) -> tuple[str, ...]:
    if organization is None:
        return ROLES_BY_ORG_TYPE[OrganizationType.OPERATOR]
    return ROLES_BY_ORG_TYPE.get(organization.type, ())


def organization_update(
    *,
    actor: User,
    organization: Organization,
    name: str,
    region_code: str = "",
    office_level: str = "",
    credit_code: str = "",
    address: str = "",
    legal_representative: str = "",
) -> Organization:
    """Edit an organization's name and registration facts (its code and type are fixed once created)."""
    require_role(actor, Role.SYSTEM_ADMIN)
    name = name.strip()
    if not name:
        raise ApplicationError("name", "名称必填", "name is required", "name")
    if office_level and office_level not in OfficeLevel.values:
        raise ApplicationError("office_level", "局级别不正确", "unknown office level", "office_level")
    if credit_code:
        try:
            credit_code = normalise_credit_code(credit_code)
        except CreditCodeError as exc:
            raise ApplicationError("credit_code", exc.message_zh, exc.message_en, "credit_code")
        if Organization.objects.filter(credit_code=credit_code).exclude(pk=organization.pk).exists():
            raise ApplicationError(
                "credit_code_taken",
                "该统一社会信用代码已属于其他机构",
                "credit code belongs to another organization",
                "credit_code",
            )
    before = {
        "name": organization.name,
        "region_code": organization.region_code,
        "office_level": organization.office_level,
        "credit_code": organization.credit_code,
    }
    with transaction.atomic():
        organization.name = name
        organization.region_code = region_code.strip()
        organization.office_level = office_level
        organization.credit_code = credit_code
        organization.address = address.strip()
        organization.legal_representative = legal_representative.strip()
        organization.save()
        audit_record(
            "organization.update",
            actor=actor,
            tenant_id=organization.pk,
            obj=organization,
            detail={"before": before},
        )
    return organization


def college_rename(*, actor: User, college: College, name: str) -> College:
    require_role(actor, Role.SYSTEM_ADMIN)
    name = name.strip()
    if not name:
        raise ApplicationError("name", "学院名称必填", "college name is required", "name")
    with transaction.atomic():
        old = college.name
        college.name = name
        college.save(update_fields=["name", "updated_at"])
        audit_record(
            "college.update",
            actor=actor,
            tenant_id=college.organization_id,
            obj=college,
            detail={"from": old, "to": name},
        )
    return college


def user_update(
    *,
    actor: User,
    user: User,
    display_name: str,
    email: str,
    phone: str,
    college: College | None,
) -> User:
    """Edit a user's name, contact and college. The role is changed only through `role_change_request`."""
    require_role(actor, Role.SYSTEM_ADMIN)
    if college is not None and college.organization_id != user.organization_id:
        raise ApplicationError(
            "college", "学院不属于该机构", "college belongs to another organization", "college"
        )
    with transaction.atomic():
        user.display_name = display_name.strip()[:100]
        user.email = email.strip()
        user.phone = phone.strip()
        user.college = college
        user.save(update_fields=["display_name", "email", "phone", "college"])
        audit_record(
            "user.update",
            actor=actor,
            tenant_id=user.organization_id,
            obj=user,
            detail={"college": college.pk if college else None},
        )
    return user


def user_password_reset(*, actor: User, user: User) -> str:
    """Issue a new password (must be changed at next sign-in) and end the user's sessions; returns it once."""
    from panhuo.accounts.sessions import user_sessions_kill

    require_role(actor, Role.SYSTEM_ADMIN)
    if user.pk == actor.pk:
        raise ApplicationError(
            "self_reset", "不能重置自己的密码，请使用修改密码", "use the password change page for yourself"
        )
    password = generate_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        PasswordHistory.objects.create(user=user, password=user.password)
        killed = user_sessions_kill(user=user)
        audit_record(
            "user.password_reset",
            actor=actor,
            tenant_id=user.organization_id,
            obj=user,
            detail={"sessions_killed": killed},
        )
    return password


def user_second_factor_reset_by_admin(*, actor: User, user: User) -> None:
    """Lost authenticator: the system or the security admin resets it; the user enrols again at next sign-in."""
    if getattr(actor, "role", None) not in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        raise PermissionRefused()
    user_second_factor_reset(user=user, actor=actor)


def role_change_request(*, actor: User, user: User, role: str, reason: str = "") -> RoleChangeRequest:
    """The system admin asks for a role change; nothing changes until a security admin approves it."""
    require_role(actor, Role.SYSTEM_ADMIN)
    if role not in Role.values:
        raise ApplicationError("role", f"未知角色：{role}", f"unknown role: {role}", "role")
    if role not in roles_allowed_for(user.organization):
        raise ApplicationError(
            "role_org", "该角色与机构类型不符", "role does not fit the organization type", "role"
        )
    if role == user.role:
        raise ApplicationError("role_same", "新角色与当前角色相同", "the user already has this role", "role")
    if user.pk == actor.pk:
        raise ApplicationError("self_role", "不能修改自己的角色", "you cannot change your own role", "role")
    with transaction.atomic():
        if (
            RoleChangeRequest.objects.select_for_update()
            .filter(user=user, status=RoleChangeStatus.PENDING)
            .exists()
        ):
            raise ApplicationError(
                "role_pending",
                "该用户已有待审批的角色变更",
                "a role change for this user is already waiting for approval",
                "role",
            )
        change = RoleChangeRequest.objects.create(
            user=user, from_role=user.role, to_role=role, reason=reason.strip()[:300], requested_by=actor
        )
        audit_record(
            "user.role_change_request",
            actor=actor,
            tenant_id=user.organization_id,
            obj=user,
            detail={"from": user.role, "to": role, "request": change.pk},
        )
    return change


def role_change_decide(*, actor: User, change_id: int, approve: bool) -> RoleChangeRequest:
    """The security admin approves (the role changes, sessions end) or rejects a pending request."""
    require_role(actor, Role.SECURITY_ADMIN)
    with transaction.atomic():
        change = (
            RoleChangeRequest.objects.select_for_update(of=("self",))
            .select_related("user", "user__organization")
            .filter(pk=change_id, status=RoleChangeStatus.PENDING)
            .first()
        )
        if change is None:
            raise ApplicationError(
                "role_request_gone", "该申请不存在或已处理", "no such pending request", "request"
            )
        if change.requested_by_id == actor.pk:
            raise ApplicationError(
                "role_four_eyes", "不能审批自己提出的申请", "you cannot approve your own request"
            )
        if approve:
            if change.user.role != change.from_role:
                raise ApplicationError(
                    "role_stale",
                    "用户角色已变化，请驳回后重新申请",
                    "the user's role changed since the request; reject it and ask again",
                )
            user_set_role(user=change.user, role=change.to_role, actor=actor)
        change.status = RoleChangeStatus.APPROVED if approve else RoleChangeStatus.REJECTED
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            "user.role_change_approve" if approve else "user.role_change_reject",
            actor=actor,
            tenant_id=change.user.organization_id,
            obj=change.user,
            detail={"from": change.from_role, "to": change.to_role, "request": change.pk},
        )
    return change


def organization_create_by_admin(*, actor: User, **fields: Any) -> Organization:
    """The console's way to `organization_create`: system admin only (the CLI runs without an actor)."""
    require_role(actor, Role.SYSTEM_ADMIN)
    from panhuo.accounts.services import organization_create

    return organization_create(actor=actor, **fields)


def college_create_by_admin(*, actor: User, organization: Organization, code: str, name: str) -> College:
    require_role(actor, Role.SYSTEM_ADMIN)
    from panhuo.accounts.services import college_create

    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ApplicationError("college_required", "学院代码和名称必填", "code and name are required", "code")
    if College.objects.filter(organization=organization, code=code).exists():
        raise ApplicationError(
            "college_exists", f"学院代码已存在：{code}", f"college code exists: {code}", "code"
        )
    return college_create(organization=organization, code=code, name=name, actor=actor)


def user_create_by_admin(*, actor: User, **fields: Any) -> tuple[User, str]:
    """The console's way to `user_create`: system admin only; the issued password must be changed at sign-in."""
    require_role(actor, Role.SYSTEM_ADMIN)
    from panhuo.accounts.services import user_create

    fields["must_change_password"] = True
    fields.pop("password", None)
    return user_create(actor=actor, **fields)
