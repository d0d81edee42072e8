"""Bulk import of value facts and annual-fee payments (kind "patent_facts", institution staff).

One row per patent (申请号) of the job's institution; empty cells leave the stored value as it is. A fee payment
(年费年度 + 缴费日期 + 金额) is recorded once per patent year: the same row imported again is "unchanged".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.identifiers.application_number import NumberError, normalise_application_number
from panhuo.common.errors import ApplicationError
from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, Row, RowReject, register
from panhuo.patents.models import InventoryRecord
from panhuo.upkeep import services
from panhuo.upkeep.models import AnnualFeePayment

_YES = {"是", "有", "y", "yes", "true", "1"}
_NO = {"否", "无", "n", "no", "false", "0"}
_INTS = ("family_size", "claims_count", "independent_claims_count", "citations_forward", "citations_backward")


def _int(raw: str, column: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ApplicationError("int_format", f"应为非负整数：{raw}", f"not a whole number: {raw!r}", column)
    return int(text)


def _bool(raw: str, column: str) -> bool | None:
    text = raw.strip().lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ApplicationError("bool_format", f"应为 是/否：{raw}", f"expected yes/no: {raw!r}", column)


def _date(raw: str, column: str) -> dt.date | None:
    text = raw.strip().replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        raise ApplicationError(
            "date_format", f"日期格式不正确：{raw}", f"malformed date {raw!r}", column
        ) from None


@register
class PatentFactsImportHandler(ImportHandler):
    kind = "patent_facts"
    label_zh = "专利维护信息（同族、获奖、引用、权属、年费）"
    template_version = "1"
    roles = ("institution_admin", "college_admin")
    batch_size = 500
    columns = (
        ColumnSpec(
            "app_no", ("申请号", "专利申请号", "application number", "app_no"), required=True, max_length=40
        ),
        ColumnSpec("family_size", ("同族数", "family size")),
        ColumnSpec("overseas_granted", ("海外授权同族", "有海外授权同族", "overseas granted")),
        ColumnSpec("claims_count", ("权利要求数", "claims")),
        ColumnSpec("independent_claims_count", ("独立权利要求数", "independent claims")),
        ColumnSpec("citations_forward", ("被引次数", "forward citations")),
        ColumnSpec("citations_backward", ("引用次数", "backward citations")),
        ColumnSpec("award", ("获奖", "award"), max_length=100),
        ColumnSpec("ownership_dispute", ("权属纠纷", "ownership dispute")),
        ColumnSpec("fee_year", ("年费年度", "fee year")),
        ColumnSpec("fee_paid_on", ("缴费日期", "fee paid on")),
        ColumnSpec("fee_amount", ("年费金额（元）", "年费金额", "fee amount")),
    )

    def process_batch(self, job: Any, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        actor = job.created_by
        for line, raw in rows:
            try:
                outcome = self._row(job, actor, raw)
            except ApplicationError as exc:
                items = exc.extra.get("errors") or [
                    {"field": exc.field, "zh": exc.message_zh, "en": exc.message_en}
                ]
                for item in items:  # type: ignore[attr-defined]
                    column = {
                        "amount": "fee_amount",
                        "paid_on": "fee_paid_on",
                        "patent_year": "fee_year",
                    }.get(item["field"], item["field"] or "")
                    code = item.get("code", exc.code)
                    result.rejects.append(
                        RowReject(line, column, raw.get(column, "")[:200], code, item["zh"], item["en"])
                    )
                continue
            result.count(outcome)
        return result

    def _row(self, job: Any, actor: Any, raw: dict[str, str]) -> str:
        try:
            app_no = normalise_application_number(raw["app_no"])
        except NumberError as exc:
            raise ApplicationError(exc.code, exc.message_zh, exc.message_en, "app_no") from None
        record = (
            InventoryRecord.objects.filter(organization_id=job.organization_id, patent__app_no=app_no)
            .select_related("patent")
            .first()
        )
        if record is None:
            raise ApplicationError(
                "not_in_inventory", "本单位基础库中没有该申请号", "not in your inventory", "app_no"
            )
        patent = record.patent
        values = dict(services.facts_of(patent).__dict__)
        problems: list[ApplicationError] = []
        for name in _INTS:
            try:
                value = _int(raw[name], name)
            except ApplicationError as exc:
                problems.append(exc)
                continue
            if value is not None:
                values[name] = value
        for name in ("overseas_granted", "ownership_dispute"):
            try:
                flag = _bool(raw[name], name)
            except ApplicationError as exc:
                problems.append(exc)
                continue
            if flag is not None:
                values[name] = flag
        if problems:  # every bad cell of the row at once
            raise ApplicationError(
                "invalid",
                "；".join(p.message_zh for p in problems),
                "; ".join(p.message_en for p in problems),
                problems[0].field,
                extra={
                    "errors": [
                        {"field": p.field, "zh": p.message_zh, "en": p.message_en, "code": p.code}
                        for p in problems
                    ]
                },
            )
        if raw["award"].strip():
            values["award"] = raw["award"].strip()
        facts = services.facts_validate(**values)
        changed = services.patent_facts_update(actor=actor, patent=patent, facts=facts)
        fee_cells = (raw["fee_year"], raw["fee_paid_on"], raw["fee_amount"])
        if any(c.strip() for c in fee_cells):
            year = _int(raw["fee_year"], "fee_year")
            if year is not None and AnnualFeePayment.objects.filter(patent=patent, patent_year=year).exists():
                return "updated" if changed else "unchanged"
            services.annual_fee_record(
                actor=actor,
                patent=patent,
                patent_year=year,
                paid_on=_date(raw["fee_paid_on"], "fee_paid_on"),
                amount_yuan=raw["fee_amount"],
            )
            return "updated"
        return "updated" if changed else "unchanged"

    def template_example(self) -> dict[str, str]:
        return {
            "app_no": "201710601862.3",
            "family_size": "3",
            "overseas_granted": "是",
            "claims_count": "10",
            "independent_claims_count": "2",
            "citations_forward": "5",
            "citations_backward": "12",
            "award": "第二十四届中国专利奖优秀奖",
            "ownership_dispute": "否",
            "fee_year": "8",
            "fee_paid_on": "2024-06-20",
            "fee_amount": "2,000.00",
        }
