"""专利密集型产品备案 and product records: enterprises record products that use their patents, the IP office of
the enterprise's region confirms them, KPIs (cq9 / jl8) and the dashboard count the confirmed ones.

One home for the rules: `product_row_validate` checks a record typed in the form, sent to the API or read from
an import row; `products_visible` decides who sees which records (wrap of today's role / region checks, so it
can be switched to the platform's visibility module).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from engine.deals.money import MoneyError, parse_yuan
from engine.identifiers.application_number import NumberError, normalise_application_number
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.accounts.visibility import office_prefix
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, ErrorCollector, NotFound, PermissionRefused
from panhuo.monitoring.models import ProductFiling, ProductStatus

MAX_PATENTS = 50


@dataclass(frozen=True)
class ProductRow:
    product: str
    filing_number: str
    filed_on: date
    patent_keys: tuple[str, ...]
    sales_year: int | None
    sales_fen: int | None


def _split(raw: str | Sequence[str]) -> list[str]:
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw)
        for sep in "；;，,、|\n\r\t":
            text = text.replace(sep, " ")
        return [t for t in text.split(" ") if t.strip()]
    return [str(x).strip() for x in raw if str(x).strip()]


def product_row_validate(
    *,
    product: str,
    filed_on: date | None,
    filing_number: str = "",
    patent_keys: str | Sequence[str] = (),
    sales_year: int | None = None,
    sales_yuan: str = "",
) -> ProductRow:
    """Every field's error at once (`FieldErrors`); amounts in yuan text → fen."""
    errors = ErrorCollector()
    product = unicodedata.normalize("NFC", product or "").strip()
    filing_number = unicodedata.normalize("NFKC", filing_number or "").strip().upper()
    if not product:
        errors.refuse("product", "请填写产品名称", "product name is required")
    elif len(product) > 200:
        errors.refuse("product", "产品名称不超过 200 字", "product name too long")
    if len(filing_number) > 40:
        errors.refuse("filing_number", "备案号不超过 40 个字符", "filing number too long")
    today = timezone.localdate()
    if filed_on is None:
        errors.refuse("filed_on", "请填写备案日期", "the filing date is required")
    elif filed_on > today:
        errors.refuse("filed_on", "备案日期不能晚于今天", "the filing date is in the future")
    keys: list[str] = []
    bad: list[str] = []
    for raw in _split(patent_keys):
        try:
            key = normalise_application_number(raw)
        except NumberError:
            bad.append(raw)
            continue
        if key not in keys:
            keys.append(key)
    if bad:
        errors.refuse(
            "patent_keys",
            f"专利申请号不正确：{'、'.join(bad[:5])}",
            f"bad application numbers: {', '.join(bad[:5])}",
        )
    elif not keys:
        errors.refuse("patent_keys", "请填写产品使用的专利申请号", "name the patents the product uses")
    elif len(keys) > MAX_PATENTS:
        errors.refuse("patent_keys", f"专利不超过 {MAX_PATENTS} 件", f"at most {MAX_PATENTS} patents")
    sales_fen = None
    if (sales_yuan or "").strip():
        try:
            sales_fen = parse_yuan(sales_yuan)
        except MoneyError as exc:
            errors.refuse("sales", exc.message_zh, exc.message_en)
        if sales_year is None:
            errors.refuse("sales_year", "填写销售额时须注明年度", "a sales figure needs its year")
    if sales_year is not None and not 1985 <= sales_year <= today.year:
        errors.refuse("sales_year", f"销售额年度应在 1985–{today.year} 之间", "sales year out of range")
    errors.raise_any()
    assert filed_on is not None
    return ProductRow(product, filing_number, filed_on, tuple(keys), sales_year, sales_fen)


# ------------------------------------------------------------------ visibility


def _office_prefix(user: User) -> str | None:
    """The region an office official confirms records of (accounts.visibility); None for everyone else."""
    return office_prefix(user)


def products_visible(user: User) -> QuerySet[ProductFiling]:
    """An enterprise user its own records; an office official those of enterprises in its region; nobody else."""
    qs = ProductFiling.objects.select_related("enterprise")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.role == Role.ENTERPRISE_USER and user.organization_id:
        return qs.filter(enterprise_id=user.organization_id)
    prefix = _office_prefix(user)
    if prefix is not None:
        return qs.filter(enterprise__region_code__startswith=prefix)
    return qs.none()


def product_get(user: User, pk: int) -> ProductFiling:
    found = products_visible(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if found is None:
        raise NotFound("产品记录不存在", "product record not found")
    return found


# ------------------------------------------------------------------ writes


def _unique_number(row: ProductRow, exclude: int | None = None) -> None:
    if not row.filing_number:
        return
    qs = ProductFiling.objects.filter(filing_number=row.filing_number)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ApplicationError(
            "filing_number_used", "该备案号已登记", "this filing number is recorded already", "filing_number"
        )


def _enterprise_for(actor: User, enterprise: Organization | None) -> tuple[Organization, bool]:
    """(the enterprise, whether the record is confirmed at once: an office records it itself)."""
    role = getattr(actor, "role", None)
    if role == Role.ENTERPRISE_USER and actor.organization is not None:
        if enterprise is not None and enterprise.pk != actor.organization_id:
            raise PermissionRefused("企业只能登记本企业的产品", "enterprises record their own products")
        return actor.organization, False
    prefix = _office_prefix(actor)
    if prefix is None:
        raise PermissionRefused("只有企业或知识产权局可以登记产品", "enterprises and IP offices only")
    if enterprise is None or enterprise.type != OrganizationType.ENTERPRISE:
        raise ApplicationError("enterprise", "请指定企业", "choose the enterprise", "enterprise")
    if not enterprise.region_code.startswith(prefix):
        raise ApplicationError(
            "enterprise_region",
            "该企业不在本辖区",
            "the enterprise is outside the office's region",
            "enterprise",
        )
    return enterprise, True


def product_record(
    *, actor: User, row: ProductRow, enterprise: Organization | None = None, is_demo: bool = False
) -> ProductFiling:
    """An enterprise records a product (待确认); an office records one for an enterprise of its region (已确认)."""
    org, confirmed = _enterprise_for(actor, enterprise)
    with transaction.atomic():
        _unique_number(row)
        pf = ProductFiling.objects.create(
            enterprise=org,
            product=row.product,
            filing_number=row.filing_number,
            filed_on=row.filed_on,
            patent_keys=list(row.patent_keys),
            sales_year=row.sales_year,
            sales_fen=row.sales_fen,
            status=ProductStatus.CONFIRMED if confirmed else ProductStatus.PENDING,
            created_by=actor,
            confirmed_by=actor if confirmed else None,
            confirmed_at=timezone.now() if confirmed else None,
            is_demo=is_demo,
        )
        audit_record("product.record", actor=actor, tenant_id=org.pk, obj=pf, detail={"status": pf.status})
    return pf


def product_update(*, actor: User, product: ProductFiling, row: ProductRow) -> ProductFiling:
    """The enterprise corrects its own record while pending or after a rejection: it goes back to 待确认."""
    with transaction.atomic():
        locked = products_visible(actor).select_for_update().filter(pk=product.pk).first()
        if locked is None:
            raise NotFound("产品记录不存在", "product record not found")
        if actor.role != Role.ENTERPRISE_USER:
            raise PermissionRefused(
                "只有企业可以修改本企业的产品记录", "the enterprise edits its own records"
            )
        if locked.status == ProductStatus.CONFIRMED:
            raise ApplicationError(
                "product_confirmed", "已确认的记录不能修改", "a confirmed record cannot be edited", "status"
            )
        _unique_number(row, exclude=locked.pk)
        locked.product, locked.filing_number, locked.filed_on = row.product, row.filing_number, row.filed_on
        locked.patent_keys, locked.sales_year, locked.sales_fen = (
            list(row.patent_keys),
            row.sales_year,
            row.sales_fen,
        )
        locked.status, locked.reject_reason = ProductStatus.PENDING, ""
        locked.save()
        audit_record("product.update", actor=actor, tenant_id=locked.enterprise_id, obj=locked)
    return locked


def product_import_update(*, actor: User, product: ProductFiling, row: ProductRow) -> ProductFiling:
    """An office's import corrects a record of its region (the certified list is authoritative: 已确认)."""
    with transaction.atomic():
        if _office_prefix(actor) is None:
            raise PermissionRefused("只有知识产权局可以导入产品备案", "IP offices only")
        locked = products_visible(actor).select_for_update().filter(pk=product.pk).first()
        if locked is None:
            raise ApplicationError(
                "enterprise_region",
                "该企业不在本辖区",
                "the enterprise is outside the office's region",
                "enterprise",
            )
        _unique_number(row, exclude=locked.pk)
        locked.product, locked.filing_number, locked.filed_on = row.product, row.filing_number, row.filed_on
        locked.patent_keys, locked.sales_year, locked.sales_fen = (
            list(row.patent_keys),
            row.sales_year,
            row.sales_fen,
        )
        if locked.status != ProductStatus.CONFIRMED:
            locked.status, locked.confirmed_by, locked.confirmed_at = (
                ProductStatus.CONFIRMED,
                actor,
                timezone.now(),
            )
        locked.reject_reason = ""
        locked.save()
        audit_record("product.import_update", actor=actor, tenant_id=locked.enterprise_id, obj=locked)
    return locked


def _lock_for_office(actor: User, product: ProductFiling) -> ProductFiling:
    if _office_prefix(actor) is None:
        raise PermissionRefused("只有知识产权局可以确认产品记录", "IP offices only")
    locked = products_visible(actor).select_for_update().filter(pk=product.pk).first()
    if locked is None:
        raise NotFound("产品记录不存在", "product record not found")
    if locked.status != ProductStatus.PENDING:
        raise ApplicationError(
            "product_state",
            f"该记录{locked.get_status_display()}，只有待确认的记录可以办理",
            "only a pending record can be confirmed or rejected",
            "status",
        )
    return locked


def product_confirm(*, actor: User, product: ProductFiling) -> ProductFiling:
    with transaction.atomic():
        locked = _lock_for_office(actor, product)
        locked.status, locked.confirmed_by, locked.confirmed_at = (
            ProductStatus.CONFIRMED,
            actor,
            timezone.now(),
        )
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
        audit_record("product.confirm", actor=actor, tenant_id=locked.enterprise_id, obj=locked)
    return locked


def product_reject(*, actor: User, product: ProductFiling, reason: str) -> ProductFiling:
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock_for_office(actor, product)
        if not reason:
            raise ApplicationError("reason", "请填写未通过原因", "give the reason", "reason")
        locked.status, locked.reject_reason = ProductStatus.REJECTED, reason[:2000]
        locked.save(update_fields=["status", "reject_reason", "updated_at"])
        audit_record("product.reject", actor=actor, tenant_id=locked.enterprise_id, obj=locked)
    return locked


# ------------------------------------------------------------------ statistics


@dataclass(frozen=True)
class ProductStats:
    year: int
    recorded: int  # records with a 备案日期 in the year, any status
    confirmed: int
    pending: int  # waiting for the office now (any year)
    enterprises: int  # distinct enterprises with a confirmed record of the year
    sales_fen: int  # confirmed records' sales of that year


def product_statistics(*, year: int, region_prefix: str = "") -> ProductStats:
    base = ProductFiling.objects.filter(enterprise__region_code__startswith=region_prefix)
    of_year = base.filter(filed_on__year=year)
    row = of_year.aggregate(
        n=Count("id"),
        ok=Count("id", filter=Q(status=ProductStatus.CONFIRMED)),
        ents=Count("enterprise", filter=Q(status=ProductStatus.CONFIRMED), distinct=True),
    )
    sales = base.filter(status=ProductStatus.CONFIRMED, sales_year=year).aggregate(s=Sum("sales_fen"))["s"]
    return ProductStats(
        year=year,
        recorded=row["n"],
        confirmed=row["ok"],
        pending=base.filter(status=ProductStatus.PENDING).count(),
        enterprises=row["ents"],
        sales_fen=sales or 0,
    )
