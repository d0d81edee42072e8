"""Bulk import of enterprise lists (CSV/XLSX) by IP-office users: kind "enterprises", upsert by 统一社会信用代码.

Discovered by `ImportsConfig.ready()` (autodiscover of `<app>.importing`). The framework streams batches and calls
`process_batch` inside the batch transaction; each row is inserted / updated / unchanged / rejected exactly once.
"""

from __future__ import annotations

from typing import Any

from panhuo.common.crypto import mask_phone
from panhuo.common.errors import ApplicationError
from panhuo.demand.models import EnterpriseProfile
from panhuo.demand.services.profiles import (
    EnterpriseRow,
    enterprise_insert_many,
    enterprise_prefetch,
    enterprise_row_validate,
    enterprise_upsert,
)
from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, Row, RowReject, register

_FIELD_TO_COLUMN = {
    "name": "name",
    "credit_code": "credit_code",
    "region_code": "region_code",
    "industry_code": "industry_code",
    "business_scope": "business_scope",
    "size": "size",
    "qualifications": "qualifications",
    "contact_name": "contact_name",
    "contact_phone": "contact_phone",
    "contact": "contact_phone",
}


@register
class EnterpriseImportHandler(ImportHandler):
    kind = "enterprises"
    label_zh = "企业名录"
    template_version = "1"
    roles = ("office_official",)
    batch_size = 1000
    columns = (
        ColumnSpec("name", ("企业名称", "名称", "name", "enterprise name"), required=True, max_length=200),
        ColumnSpec(
            "credit_code", ("统一社会信用代码", "信用代码", "credit code", "credit_code"), required=True
        ),
        ColumnSpec(
            "region_code", ("所属地区", "行政区划代码", "所属地区/行政区划代码", "region", "region_code")
        ),
        ColumnSpec("industry_code", ("行业代码", "所属行业代码", "industry", "industry_code")),
        ColumnSpec("business_scope", ("经营范围", "business scope"), max_length=4000),
        ColumnSpec("size", ("企业规模", "规模", "size")),
        ColumnSpec("qualifications", ("资质", "企业资质", "qualifications")),
        ColumnSpec("contact_name", ("联系人", "contact", "contact name"), max_length=100),
        ColumnSpec("contact_phone", ("联系电话", "电话", "phone", "contact phone"), max_length=40),
    )

    def process_batch(self, job: Any, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        parsed: list[tuple[int, dict[str, str], EnterpriseRow | ApplicationError]] = []
        for line, raw in rows:
            try:
                parsed.append((line, raw, enterprise_row_validate(raw)))
            except ApplicationError as exc:
                parsed.append((line, raw, exc))
        known = enterprise_prefetch([r.credit_code for _, _, r in parsed if isinstance(r, EnterpriseRow)])
        # Rows whose credit code is new (first occurrence in the batch) go in with two bulk inserts.
        fresh: dict[str, EnterpriseRow] = {}
        for _, _, r in parsed:
            if (
                isinstance(r, EnterpriseRow)
                and known[r.credit_code][0] is None
                and r.credit_code not in fresh
            ):
                fresh[r.credit_code] = r
        result.inserted += enterprise_insert_many(
            rows=list(fresh.values()), actor=job.created_by, known=known
        )
        first_line: dict[str, int] = {}
        for line, _, r in parsed:
            if isinstance(r, EnterpriseRow) and r.credit_code in fresh:
                first_line.setdefault(r.credit_code, line)
        for line, raw, row in parsed:
            if isinstance(row, EnterpriseRow) and first_line.get(row.credit_code) == line:
                continue  # inserted above
            try:
                if isinstance(row, ApplicationError):
                    raise row
                outcome = enterprise_upsert(
                    row=row, actor=job.created_by, source=EnterpriseProfile.Source.IMPORT, known=known
                )
            except ApplicationError as exc:
                column = _FIELD_TO_COLUMN.get(exc.field or "", exc.field or "")
                value = raw.get(column, "")
                if column == "contact_phone":
                    value = mask_phone(value)  # personal data never lands in the reject report
                result.rejects.append(
                    RowReject(line, column, value[:200], exc.code, exc.message_zh, exc.message_en)
                )
                continue
            result.count(outcome)
        return result

    def template_example(self) -> dict[str, str]:
        return {
            "name": "示例科技有限公司",
            "credit_code": "91500107MA5U7Q0K4T",
            "region_code": "500107",
            "industry_code": "3831",
            "business_scope": "电线、电缆制造；电子元器件销售",
            "size": "小",
            "qualifications": "专精特新；高新技术企业；国有企业；知识产权优势/示范企业；知识产权保护中心备案主体",
            "contact_name": "李四",
            "contact_phone": "13800000000",
        }
