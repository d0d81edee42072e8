"""Products API (`/api/monitoring/products/…`): the same services as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from engine.deals.money import format_fen
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Organization, OrganizationType
from panhuo.accounts.visibility import office_prefix
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.monitoring import products
from panhuo.monitoring.models import ProductFiling

router = Router()


class ProductIn(Schema):
    product: str
    filed_on: date | None = None
    filing_number: str = ""
    patent_keys: list[str] = []
    sales_year: int | None = None
    sales_yuan: str = ""
    enterprise_credit_code: str = ""  # offices recording for an enterprise of their region


class ProductOut(Schema):
    id: int
    enterprise: str
    enterprise_credit_code: str
    product: str
    filing_number: str
    filed_on: date
    patent_keys: list[str]
    sales_year: int | None
    sales_fen: int | None
    sales_yuan: str
    status: str
    status_label: str
    reject_reason: str
    confirmed_at: datetime | None


class RejectIn(Schema):
    reason: str


class ProductStatsOut(Schema):
    year: int
    region_prefix: str
    recorded: int
    confirmed: int
    pending: int
    enterprises: int
    sales_fen: int
    sales_yuan: str


def _out(pf: ProductFiling) -> dict[str, Any]:
    return {
        "id": pf.pk,
        "enterprise": pf.enterprise.name,
        "enterprise_credit_code": pf.enterprise.credit_code,
        "product": pf.product,
        "filing_number": pf.filing_number,
        "filed_on": pf.filed_on,
        "patent_keys": pf.patent_keys,
        "sales_year": pf.sales_year,
        "sales_fen": pf.sales_fen,
        "sales_yuan": format_fen(pf.sales_fen) if pf.sales_fen is not None else "",
        "status": pf.status,
        "status_label": pf.get_status_display(),
        "reject_reason": pf.reject_reason,
        "confirmed_at": pf.confirmed_at,
    }


def _row(p: ProductIn) -> products.ProductRow:
    return products.product_row_validate(
        product=p.product,
        filed_on=p.filed_on,
        filing_number=p.filing_number,
        patent_keys=p.patent_keys,
        sales_year=p.sales_year,
        sales_yuan=p.sales_yuan,
    )


@router.get("/", response=list[ProductOut])
def list_products(
    request: HttpRequest, status: str = "", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    qs = products.products_visible(acting_user(request))
    if status:
        qs = qs.filter(status=status)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return [_out(pf) for pf in qs[offset : offset + limit]]


@router.get("/stats", response=ProductStatsOut)
def product_stats(request: HttpRequest, year: int | None = None) -> dict[str, Any]:
    prefix = office_prefix(request.user)
    if prefix is None:
        raise PermissionRefused("只有知识产权局可以查看产品备案统计", "IP offices only")
    year = year or timezone.localdate().year
    if not 1985 <= year <= 2100:
        raise ApplicationError("year", "年份应在 1985–2100 之间", "year must be 1985-2100", "year")
    s = products.product_statistics(year=year, region_prefix=prefix)
    return {**s.__dict__, "region_prefix": prefix, "sales_yuan": format_fen(s.sales_fen)}


@router.post("/", response={201: ProductOut})
def create_product(request: HttpRequest, payload: ProductIn) -> Status[dict[str, Any]]:
    enterprise = None
    if payload.enterprise_credit_code:
        enterprise = Organization.objects.filter(
            type=OrganizationType.ENTERPRISE, credit_code=payload.enterprise_credit_code.strip().upper()
        ).first()
        if enterprise is None:
            raise ApplicationError(
                "enterprise",
                "未找到该统一社会信用代码的企业",
                "no enterprise with this credit code",
                "enterprise",
            )
    pf = products.product_record(actor=acting_user(request), row=_row(payload), enterprise=enterprise)
    return Status(201, _out(pf))


@router.get("/{product_id}", response=ProductOut)
def get_product(request: HttpRequest, product_id: int) -> dict[str, Any]:
    return _out(products.product_get(acting_user(request), product_id))


@router.put("/{product_id}", response=ProductOut)
def update_product(request: HttpRequest, product_id: int, payload: ProductIn) -> dict[str, Any]:
    pf = products.product_get(acting_user(request), product_id)
    return _out(products.product_update(actor=acting_user(request), product=pf, row=_row(payload)))


@router.post("/{product_id}/confirm", response=ProductOut)
def confirm_product(request: HttpRequest, product_id: int) -> dict[str, Any]:
    pf = products.product_get(acting_user(request), product_id)
    return _out(products.product_confirm(actor=acting_user(request), product=pf))


@router.post("/{product_id}/reject", response=ProductOut)
def reject_product(request: HttpRequest, product_id: int, payload: RejectIn) -> dict[str, Any]:
    pf = products.product_get(acting_user(request), product_id)
    return _out(products.product_reject(actor=acting_user(request), product=pf, reason=payload.reason))
