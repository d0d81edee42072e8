"""Organizations (the tenants), colleges, users and their roles."""

from __future__ import annotations

from binascii import unhexlify
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from panhuo.common.fields import EncryptedTextField
from panhuo.common.models import TimeStampedModel


class OrganizationType(models.TextChoices):
    UNIVERSITY = "university", "高校"
    INSTITUTE = "institute", "科研院所"
    ENTERPRISE = "enterprise", "企业"
    IP_OFFICE = "ip_office", "知识产权局"
    AGENCY = "agency", "服务机构"
    BANK = "bank", "金融机构"
    OPERATOR = "operator", "平台运营方"


HOLDER_TYPES = (OrganizationType.UNIVERSITY, OrganizationType.INSTITUTE)


class OfficeLevel(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCE = "province", "省"
    CITY = "city", "市"
    DISTRICT = "district", "区县"


class Organization(TimeStampedModel):
    """A tenant: a university, institute, enterprise, IP office, agency, bank or the operator."""

    code = models.CharField("机构代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=200, db_index=True)
    type = models.CharField("类型", max_length=16, choices=OrganizationType.choices, db_index=True)
    region_code = models.CharField("行政区划代码", max_length=6, blank=True, db_index=True)
    office_level = models.CharField("局级别", max_length=16, choices=OfficeLevel.choices, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    address = models.CharField("地址", max_length=300, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=100, blank=True)
    verified = models.BooleanField("已核验", default=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="org_credit_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def holds_patents(self) -> bool:
        return self.type in HOLDER_TYPES


class College(TimeStampedModel):
    """学院: a sub-unit of a university or institute."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="colleges")
    code = models.CharField("学院代码", max_length=64)
    name = models.CharField("学院名称", max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="college_code_unique")]
        ordering = ["organization_id", "code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    INVENTOR = "inventor", "发明人"
    COLLEGE_ADMIN = "college_admin", "学院管理员"
    INSTITUTION_ADMIN = "institution_admin", "学校管理员"
    ENTERPRISE_USER = "enterprise_user", "企业用户"
    OFFICE_OFFICIAL = "office_official", "知识产权局用户"
    AGENCY_USER = "agency_user", "服务机构用户"
    BANK_USER = "bank_user", "金融机构用户"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
INSTITUTION_ROLES = (Role.INVENTOR, Role.COLLEGE_ADMIN, Role.INSTITUTION_ADMIN)
INSTITUTION_STAFF = (Role.COLLEGE_ADMIN, Role.INSTITUTION_ADMIN)

# Which roles belong to which organization type (checked by accounts services).
ROLES_BY_ORG_TYPE: dict[str, tuple[str, ...]] = {
    OrganizationType.UNIVERSITY: INSTITUTION_ROLES,
    OrganizationType.INSTITUTE: INSTITUTION_ROLES,
    OrganizationType.ENTERPRISE: (Role.ENTERPRISE_USER,),
    OrganizationType.IP_OFFICE: (Role.OFFICE_OFFICIAL,),
    OrganizationType.AGENCY: (Role.AGENCY_USER,),
    OrganizationType.BANK: (Role.BANK_USER,),
    OrganizationType.OPERATOR: ADMIN_ROLES,
}


class User(AbstractUser):
    """A personal account. One role per account, so the three admin roles are exclusive by construction (AC-3)."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    college = models.ForeignKey(
        College, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField("角色", max_length=24, choices=Role.choices, db_index=True)
    display_name = models.CharField("姓名", max_length=100, blank=True)
    phone = EncryptedTextField("手机号", blank=True, default="")
    must_change_password = models.BooleanField(default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in ADMIN_ROLES]) | Q(organization__isnull=False),
                name="user_non_admin_has_org",
            ),
        ]

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_institution_staff(self) -> bool:
        return self.role in INSTITUTION_STAFF

    @property
    def needs_second_factor(self) -> bool:
        return self.role in ADMIN_ROLES


class PasswordHistory(models.Model):
    """Last passwords (hashes) per user, so a change cannot reuse one of the last five (AUTH-2)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class TotpSeed(models.Model):
    """A TOTP device's secret, sealed with the field-encryption keys (DC-2): django-otp's own `key` column is left
    empty, so a database copy holds no usable second factor. Read through `accounts.otp.SealedTOTPDevice`."""

    device = models.OneToOneField(
        "otp_totp.TOTPDevice", on_delete=models.CASCADE, primary_key=True, related_name="sealed_seed"
    )
    sealed = EncryptedTextField()


class SealedTOTPDevice(TOTPDevice):
    """django-otp's TOTP device whose secret lives in `TotpSeed` (encrypted), never in the plain `key` column."""

    class Meta:
        proxy = True

    def _seed_hex(self) -> str:
        plain = getattr(self, "_plain_seed", "")
        if plain:
            return str(plain)
        seed = TotpSeed.objects.filter(device_id=self.pk).values_list("sealed", flat=True).first()
        if seed is None:  # a device enrolled before sealing and not yet migrated
            return str(getattr(self, "key", ""))
        self._plain_seed = seed
        return str(seed)

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self._seed_hex().encode())

    def save(self, *args: Any, **kwargs: Any) -> None:
        plain: str = getattr(self, "key", "")
        update_fields = kwargs.get("update_fields")
        if not plain or (update_fields is not None and "key" not in update_fields):
            super().save(*args, **kwargs)
            return
        self.key = ""
        with transaction.atomic():
            super().save(*args, **kwargs)
            TotpSeed.objects.update_or_create(device_id=self.pk, defaults={"sealed": plain})
        self._plain_seed = plain
