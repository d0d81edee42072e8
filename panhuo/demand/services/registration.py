"""企业自助注册: sign-up with 统一社会信用代码, e-mail confirmation by a signed link, office confirmation of size/region.

No account enumeration: a sign-up whose credit code, username or e-mail is already registered creates nothing and
answers exactly like a new one ("check your e-mail"); the mail sent to the address given says what happened.
The account stays inactive until the signed link is used (48 h); a sign-up left unconfirmed longer is
released by the next sign-up naming the same credit code, username or e-mail. The office then confirms size and region
(`enterprise_profile_confirm`); only confirmed enterprises count as subsidy beneficiaries.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import Organization, OrganizationType, PasswordHistory, Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.demand.models import EnterpriseProfile
from panhuo.demand.services import checks

SIGNING_SALT = "panhuo.demand.registration"  # a namespace, not a secret
TOKEN_MAX_AGE = 48 * 3600
RESERVED_USERNAMES = {"admin", "root", "test", "administrator"}


def registration_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "j": int(user.date_joined.timestamp())}, salt=SIGNING_SALT)


def _send(to: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def enterprise_register(
    *,
    name: str,
    credit_code: str,
    region_code: str,
    size: str,
    username: str,
    qualifications: list[str] | None = None,
    email: str,
    password: str,
    contact_name: str = "",
    contact_phone: str = "",
    confirm_url: str,
) -> User | None:
    """Register an enterprise and its first user (inactive until the e-mailed link is used).

    `confirm_url` is the absolute URL of the confirmation page; the token is appended. Returns None (and creates
    nothing) when the enterprise, username or e-mail is already registered; the caller answers the same way.
    Field errors raise ApplicationError naming the field.
    """
    name = name.strip()
    if not name:
        raise ApplicationError("name", "企业名称必填", "name is required", "name")
    code = checks.credit_code(credit_code)
    region = checks.region_code(region_code)
    if not region:
        raise ApplicationError("region_code", "所属地区必填", "region is required", "region_code")
    size_value = checks.size(size)
    if not size_value:
        raise ApplicationError("size", "企业规模必填", "size is required", "size")
    phone = checks.phone(contact_phone)
    quals = checks.qualifications(list(qualifications or []))
    username = username.strip()
    email = email.strip().lower()
    if username.lower() in RESERVED_USERNAMES:
        raise ApplicationError(
            "username",
            "不允许使用共享或默认账号名",
            "shared or default account names are refused",
            "username",
        )
    candidate = User(username=username, email=email, role=Role.ENTERPRISE_USER)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise ApplicationError("password_policy", "；".join(exc.messages), "password policy", "password")
    _release_stale(code=code, username=username, email=email)
    taken = (
        Organization.objects.filter(credit_code=code).exists()
        or User.objects.filter(username__iexact=username).exists()
        or User.objects.filter(email__iexact=email).exists()
    )
    if taken:
        make_password(password)  # the same work as a real sign-up, so timing tells nothing either
        audit_record("enterprise.register", result="fail", detail={"reason": "already_registered"})
        transaction.on_commit(
            lambda: _send(
                email,
                "盘活平台注册提示 Panhuo registration",
                "有人使用本邮箱在盘活平台注册企业账号，但该企业、用户名或邮箱已经注册过，本次未创建新账号。\n"
                "如果是您本人：请直接登录；忘记密码请联系本企业的账号管理人或平台管理员。如果不是您本人，请忽略本邮件。\n\n"
                "Someone tried to register with this address, but the enterprise, username or e-mail is already "
                "registered; nothing was created. Sign in, or ignore this message.",
            )
        )
        return None
    with transaction.atomic():
        org = Organization.objects.create(
            code=f"ENT-{code}",
            name=name,
            type=OrganizationType.ENTERPRISE,
            region_code=region,
            credit_code=code,
            verified=False,
        )
        user = User(
            username=username,
            email=email,
            role=Role.ENTERPRISE_USER,
            organization=org,
            display_name=contact_name.strip()[:100],
            phone=phone,
            is_active=False,
            must_change_password=False,
        )
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save()
        PasswordHistory.objects.create(user=user, password=user.password)
        EnterpriseProfile.objects.create(
            organization=org,
            size=size_value,
            qualifications=quals,
            contact_name=contact_name.strip()[:100],
            contact_phone=phone,
            contact_email=email,
            source=EnterpriseProfile.Source.REGISTRATION,
        )
        audit_record("enterprise.register", actor=None, tenant_id=org.pk, obj=org, detail={"user": user.pk})
        link = f"{confirm_url}?token={registration_token(user)}"
        transaction.on_commit(
            lambda: _send(
                email,
                "请确认您的盘活平台注册 Confirm your Panhuo registration",
                f"{name}：\n\n请在 48 小时内打开下面的链接确认注册：\n{link}\n\n"
                f"Open the link above within 48 hours to confirm the registration of {username}.",
            )
        )
    return user


def _release_stale(*, code: str, username: str, email: str) -> None:
    """A sign-up never confirmed within the link's lifetime holds nothing: no one can squat a credit code."""
    from datetime import timedelta

    from django.db.models import Q

    stale = User.objects.filter(
        Q(organization__credit_code=code) | Q(username__iexact=username) | Q(email__iexact=email),
        role=Role.ENTERPRISE_USER,
        is_active=False,
        last_login__isnull=True,
        date_joined__lt=timezone.now() - timedelta(seconds=TOKEN_MAX_AGE),
        organization__verified=False,
        organization__enterprise_profile__source=EnterpriseProfile.Source.REGISTRATION,
    ).select_related("organization")
    for user in stale:
        org = user.organization
        if org is None or org.users.exclude(pk=user.pk).exists():
            continue
        with transaction.atomic():
            audit_record("enterprise.register_expire", tenant_id=org.pk, obj=org, detail={"user": user.pk})
            user.delete()
            org.delete()  # its profile goes with it (CASCADE)


def enterprise_registration_confirm(*, token: str) -> User:
    """Activate the account the signed token names (once; a used, expired or altered token is refused)."""
    refused = ApplicationError(
        "token_invalid",
        "确认链接无效或已过期，请重新注册",
        "the confirmation link is invalid or expired; please register again",
        "token",
    )
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise refused from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("u"), role=Role.ENTERPRISE_USER).first()
        if user is None or int(user.date_joined.timestamp()) != data.get("j"):
            raise refused
        if user.is_active:
            return user  # already confirmed: the link may be opened twice
        if user.last_login is not None:
            raise refused  # an account disabled after use is never re-enabled by an old link
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record("enterprise.register_confirm", actor=user, tenant_id=user.organization_id, obj=user)
    return user


def enterprise_profile_confirm(*, actor: User, profile_id: int) -> EnterpriseProfile:
    """The office confirms an enterprise's size and region in its area: from now on it counts for subsidies."""
    from panhuo.demand.selectors import enterprises_visible

    if getattr(actor, "role", None) != Role.OFFICE_OFFICIAL:
        raise PermissionRefused()
    with transaction.atomic():
        profile = (
            enterprises_visible(actor).select_for_update(of=("self",)).filter(pk=profile_id).first()
            if 0 < profile_id < 2**63
            else None
        )
        if profile is None:
            raise NotFound()
        if not profile.size or not profile.organization.region_code:
            raise ApplicationError(
                "confirm_incomplete",
                "企业尚未填写规模或所属地区，无法确认",
                "size or region is missing",
                "size",
            )
        profile.office_confirmed = True
        profile.size_confirmed_at = timezone.now()
        profile.confirmed_by = actor
        profile.save(update_fields=["office_confirmed", "size_confirmed_at", "confirmed_by", "updated_at"])
        org = profile.organization
        if not org.verified:
            org.verified = True
            org.save(update_fields=["verified", "updated_at"])
        audit_record(
            "enterprise_profile.confirm",
            actor=actor,
            tenant_id=org.pk,
            obj=profile,
            detail={"size": profile.size, "region_code": org.region_code},
        )
    return profile
