"""Validation shared by the demand services: who may act, and field normalisers that raise ApplicationError."""

from __future__ import annotations

import re

from engine.classification.ipc import normalise_ipc
from engine.identifiers.credit_code import CreditCodeError, normalise_credit_code
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.accounts.visibility import require_institution_staff  # noqa: F401 - one definition
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.demand.industries import industry_classes, normalise_industry_code
from panhuo.demand.models import CooperationMode, EnterpriseSize, Qualification
from panhuo.patents.models import InventoryRecord, InventoryState, Patent

_REGION = re.compile(r"^\d{6}$")
_BARE_GROUP = re.compile(r"^[A-H]\d{2}[A-Z]\d{1,4}$")
_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")


def require_enterprise_user(actor: User) -> Organization:
    org = getattr(actor, "organization", None)
    if (
        getattr(actor, "role", None) != Role.ENTERPRISE_USER
        or org is None
        or org.type != OrganizationType.ENTERPRISE
    ):
        raise PermissionRefused("仅企业用户可执行此操作", "Only enterprise users may do this")
    return org


def credit_code(raw: str) -> str:
    try:
        return normalise_credit_code(raw)
    except CreditCodeError as exc:
        raise ApplicationError(exc.code, exc.message_zh, exc.message_en, "credit_code") from None


def region_code(raw: str) -> str:
    value = (raw or "").strip()
    if value and not _REGION.match(value):
        raise ApplicationError(
            "region_code", "行政区划代码应为 6 位数字", "region code must be 6 digits", "region_code"
        )
    return value


def industry(raw: str) -> tuple[str, str]:
    """ "" -> ("", ""); a valid 小类 -> (code, name)."""
    if not (raw or "").strip():
        return "", ""
    try:
        code = normalise_industry_code(raw)
    except KeyError:
        raise ApplicationError(
            "industry_code",
            f"行业代码不是 GB/T 4754-2017 小类：{raw}",
            f"not a GB/T 4754-2017 class code: {raw}",
            "industry_code",
        ) from None
    return code, industry_classes()[code].name


def size(raw: str) -> str:
    value = (raw or "").strip()
    if not value:
        return ""
    by_label = {label: v for v, label in EnterpriseSize.choices}
    by_label.update({label[0]: v for v, label in EnterpriseSize.choices})  # 大/中/小/微
    if value in EnterpriseSize.values:
        return value
    if value in by_label:
        return by_label[value]
    raise ApplicationError("size", f"企业规模无效：{value}（大/中/小/微）", f"invalid size: {value}", "size")


# Other spellings an office's list uses for the same 资质 (import cells, the API).
QUALIFICATION_ALIASES = {
    "知识产权优势企业": "ip_advantage",
    "知识产权示范企业": "ip_advantage",
    "优势示范企业": "ip_advantage",
    "国家知识产权优势企业": "ip_advantage",
    "国家知识产权示范企业": "ip_advantage",
    "国企": "state_owned",
    "保护中心备案企业": "protection_centre",
    "知识产权保护中心备案企业": "protection_centre",
    "专精特新“小巨人”": "little_giant",
}


def qualifications(values: list[str]) -> list[str]:
    by_label = {label: v for v, label in Qualification.choices}
    by_label.update(QUALIFICATION_ALIASES)
    out: list[str] = []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        code = value if value in Qualification.values else by_label.get(value)
        if code is None:
            raise ApplicationError(
                "qualification", f"资质无效：{value}", f"unknown qualification: {value}", "qualifications"
            )
        if code not in out:
            out.append(code)
    return out


def phone(raw: str) -> str:
    value = (raw or "").strip()
    if value and not _PHONE.match(value):
        raise ApplicationError("phone", "联系电话格式无效", "invalid phone number", "contact_phone")
    return value


def mode(raw: str) -> str:
    if raw not in CooperationMode.values:
        raise ApplicationError("mode", "合作方式无效", "invalid cooperation mode", "wanted_mode")
    return raw


def ipc_list(values: list[str]) -> list[str]:
    out: list[str] = []
    for raw in values:
        raw = raw.strip()
        if not raw:
            continue
        if _BARE_GROUP.match(raw.replace(" ", "").upper()):
            raw = raw + "/00"  # "G06F16" = the main group G06F16/00
        try:
            code = normalise_ipc(raw)
        except ValueError:
            raise ApplicationError(
                "ipc", f"IPC 分类号无效：{raw}", f"invalid IPC code: {raw}", "ipc_hints"
            ) from None
        if code not in out:
            out.append(code)
    return out


def pooled_holders(patent: Patent) -> list[int]:
    """Institutions that hold `patent` in their 转化资源库 (only pooled patents are actionable by enterprises)."""
    return list(
        InventoryRecord.objects.filter(patent=patent, state=InventoryState.POOLED)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
    )


def require_pooled(patent: Patent) -> list[int]:
    holders = pooled_holders(patent)
    if not holders:
        raise ApplicationError(
            "not_pooled",
            "该专利未进入转化资源库，暂不可操作",
            "patent is not in the conversion pool",
            "patent",
        )
    return holders
