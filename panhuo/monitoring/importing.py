"""Bulk import of 专利密集型产品 records by an IP office (kind "products"): the certified list of its region.

Rows of enterprises outside the office's region, or unknown to Panhuo, are rejected with the reason. Upsert by
备案号 (rows without one by enterprise + product + 备案日期). Records imported by the office are confirmed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from panhuo.accounts.models import Organization, OrganizationType
from panhuo.common.errors import ApplicationError
from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, Row, register, rejects_of
from panhuo.monitoring import products
from panhuo.monitoring.models import ProductFiling, ProductStatus

_COLUMN_OF = {"sales": "sales", "enterprise": "credit_code"}


def _date(raw: str) -> dt.date | None:
    text = raw.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-"))) if text else None
    except ValueError:
        raise ApplicationError(
            "date_format", f"日期格式不正确：{raw}", f"malformed date {raw!r}", "filed_on"
        ) from None


def _year(raw: str) -> int | None:
    text = raw.strip().rstrip("年")
    if not text:
        return None
    if not text.isdigit():
        raise ApplicationError(
            "year_format", f"年度格式不正确：{raw}", f"malformed year {raw!r}", "sales_year"
        )
    return int(text)


@register
class ProductImportHandler(ImportHandler):
    kind = "products"
    label_zh = "专利密集型产品备案"
    template_version = "1"
    roles = ("office_official",)
    batch_size = 500
    columns = (
        ColumnSpec("credit_code", ("企业统一社会信用代码", "统一社会信用代码", "credit code"), required=True),
        ColumnSpec("product", ("产品名称", "product"), required=True, max_length=200),
        ColumnSpec("filing_number", ("备案号", "专利密集型产品备案号", "filing number"), max_length=40),
        ColumnSpec("filed_on", ("备案日期", "filed on"), required=True),
        ColumnSpec("patent_keys", ("专利申请号", "使用的专利", "patents"), max_length=2000),
        ColumnSpec("sales_year", ("销售额年度", "sales year")),
        ColumnSpec("sales", ("年销售额（元）", "年销售额", "sales")),
    )

    def process_batch(self, job: Any, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        codes = {raw["credit_code"].strip().upper() for _, raw in rows}
        enterprises = {
            o.credit_code: o
            for o in Organization.objects.filter(type=OrganizationType.ENTERPRISE, credit_code__in=codes)
        }
        for line, raw in rows:
            try:
                enterprise = enterprises.get(raw["credit_code"].strip().upper())
                if enterprise is None:
                    raise ApplicationError(
                        "enterprise_unknown",
                        "平台中没有该统一社会信用代码的企业",
                        "unknown enterprise",
                        "enterprise",
                    )
                row = products.product_row_validate(
                    product=raw["product"],
                    filed_on=_date(raw["filed_on"]),
                    filing_number=raw["filing_number"],
                    patent_keys=raw["patent_keys"],
                    sales_year=_year(raw["sales_year"]),
                    sales_yuan=raw["sales"],
                )
                result.count(self._upsert(job, enterprise, row))
            except ApplicationError as exc:
                result.rejects.extend(rejects_of(exc, line, raw, _COLUMN_OF))
        return result

    def _upsert(self, job: Any, enterprise: Organization, row: products.ProductRow) -> str:
        if row.filing_number:
            existing = ProductFiling.objects.filter(filing_number=row.filing_number).first()
        else:
            existing = ProductFiling.objects.filter(
                enterprise=enterprise, product=row.product, filed_on=row.filed_on, filing_number=""
            ).first()
        if existing is None:
            products.product_record(actor=job.created_by, row=row, enterprise=enterprise)
            return "inserted"
        if existing.enterprise_id != enterprise.pk:
            raise ApplicationError(
                "filing_number_used",
                "该备案号已登记在其他企业名下",
                "filing number of another enterprise",
                "filing_number",
            )
        same = (
            existing.product == row.product
            and existing.filed_on == row.filed_on
            and existing.patent_keys == list(row.patent_keys)
            and existing.sales_year == row.sales_year
            and existing.sales_fen == row.sales_fen
            and existing.status == ProductStatus.CONFIRMED
        )
        if same:
            return "unchanged"
        products.product_import_update(actor=job.created_by, product=existing, row=row)
        return "updated"

    def template_example(self) -> dict[str, str]:
        return {
            "credit_code": "91500107MA5U7Q0K4T",
            "product": "智能巡检机器人",
            "filing_number": "ZLMJ2025500001",
            "filed_on": "2025-06-30",
            "patent_keys": "202110123456.7；202120654321.5",
            "sales_year": "2025",
            "sales": "12,000,000.00",
        }
