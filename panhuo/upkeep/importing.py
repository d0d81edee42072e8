"""Bulk import of value facts and annual-fee payments (kind "patent_facts", institution staff).

One row per patent (申请号) of the job's institution; empty cells leave the stored value as it is. A fee payment
(年费年度 + 缴费日期 + 金额) is recorded once per patent year: the same row imported again is "unchanged".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from engine.identifiers.application_number import NumberError, normalise_application_number
from panhuo.accounts.models import User
from panhuo.common.errors import ApplicationError, ErrorCollector, FieldErrors
from panhuo.imports.models import ImportJob
from panhuo.imports.registry import (
    BatchResult,
    ColumnSpec,
    ImportHandler,
    Row,
    RowReject,
    register,
    rejects_of,
)
from panhuo.patents.importing.extensions import Accepted, Applied, RowExtension
from panhuo.patents.models import InventoryRecord, Patent
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


FACT_COLUMNS = (
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
FACT_EXAMPLE = {
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
_FEE_CELLS = ("fee_year", "fee_paid_on", "fee_amount")
# A service's field name -> the import column it came from.
_COLUMN_OF = {"amount": "fee_amount", "paid_on": "fee_paid_on", "patent_year": "fee_year"}


def _problem_items(exc: ApplicationError) -> list[tuple[str, str, str, str]]:
    """(column, code, 中文, English) of every refusal a service raised at once."""
    return [(r.column, r.code, r.message_zh, r.message_en) for r in rejects_of(exc, 0, {}, _COLUMN_OF)]


def fact_cells(raw: Mapping[str, str]) -> tuple[dict[str, Any], list[ApplicationError]]:
    """The filled fact cells of a row, parsed (no database), and every bad cell at once."""
    values: dict[str, Any] = {}
    problems: list[ApplicationError] = []
    for name, parse in [(n, _int) for n in _INTS] + [
        (n, _bool) for n in ("overseas_granted", "ownership_dispute")
    ]:
        try:
            value = parse(raw.get(name, ""), name)
        except ApplicationError as exc:
            problems.append(exc)
            continue
        if value is not None:
            values[name] = value
    award = raw.get("award", "").strip()
    if award:
        values["award"] = award
    for column, check in (("fee_year", _int), ("fee_paid_on", _date)):
        try:
            check(raw.get(column, ""), column)
        except ApplicationError as exc:
            problems.append(exc)
    return values, problems


def facts_apply(*, actor: User, patent: Any, values: Mapping[str, Any], raw: Mapping[str, str]) -> bool:
    """Store a row's facts (empty cells keep the stored value) and its fee payment; True when anything changed.

    A fee year already recorded for the patent is left as it is (the same row imported again is unchanged).
    """
    facts = services.facts_validate(**{**services.facts_of(patent).__dict__, **values})
    changed = services.patent_facts_update(actor=actor, patent=patent, facts=facts)
    if not any(raw.get(c, "").strip() for c in _FEE_CELLS):
        return changed
    year = _int(raw["fee_year"], "fee_year")
    if year is not None and AnnualFeePayment.objects.filter(patent=patent, patent_year=year).exists():
        return changed
    services.annual_fee_record(
        actor=actor,
        patent=patent,
        patent_year=year,
        paid_on=_date(raw["fee_paid_on"], "fee_paid_on"),
        amount_yuan=raw["fee_amount"],
    )
    return True


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
        *FACT_COLUMNS,
    )

    def process_batch(self, job: Any, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        for line, raw in rows:
            try:
                outcome = self._row(job, raw)
            except ApplicationError as exc:
                result.rejects.extend(rejects_of(exc, line, raw, _COLUMN_OF))
                continue
            result.count(outcome)
        return result

    def _row(self, job: Any, raw: dict[str, str]) -> str:
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
        values, problems = fact_cells(raw)
        if problems:  # every bad cell of the row at once
            raise FieldErrors(problems)
        changed = facts_apply(actor=job.created_by, patent=record.patent, values=values, raw=raw)
        return "updated" if changed else "unchanged"

    def template_example(self) -> dict[str, str]:
        return {"app_no": "201710601862.3", **FACT_EXAMPLE}


# --- the same columns in 批量建档 (the patents import) ----------------------------------------------------


def _extension_parse(raw: Mapping[str, str]) -> tuple[Any, list[tuple[str, str, str, str]]]:
    if not any(raw.get(c.name, "") for c in FACT_COLUMNS):
        return None, []
    values, problems = fact_cells(raw)
    if problems:
        return None, [item for p in problems for item in _problem_items(p)]
    errors = ErrorCollector()
    with (
        errors.capture()
    ):  # the rules that need only this row's cells (stored values are checked when applied)
        services.facts_validate(**{**_EMPTY_FACTS, **values})
    try:
        filed, paid = _date(raw.get("application_date", ""), ""), _date(raw.get("fee_paid_on", ""), "")
    except ApplicationError:
        filed = paid = None  # a date format only the patent columns' parser reads: checked when applied
    if filed and paid and paid < filed:
        errors.refuse("paid_on", "缴费日期不能早于申请日", "paid before the filing date")
    if errors.errors:
        return None, _problem_items(FieldErrors(errors.errors))
    return (values, {c: raw.get(c, "") for c in _FEE_CELLS}), []


_EMPTY_FACTS: dict[str, Any] = {
    "family_size": None,
    "overseas_granted": False,
    "claims_count": None,
    "independent_claims_count": None,
    "citations_forward": None,
    "citations_backward": None,
    "award": "",
    "ownership_dispute": False,
}


def _extension_apply(job: ImportJob, accepted: list[Accepted]) -> Applied:
    patents = Patent.objects.in_bulk([pid for _, pid, _ in accepted])
    rejects: list[RowReject] = []
    changed: set[int] = set()
    actor = job.created_by
    for line, pid, (values, fee_cells) in accepted:
        if actor is None:  # a job with no account (a command-line import) cannot maintain patents
            rejects.append(
                RowReject(
                    line,
                    "",
                    "",
                    "no_actor",
                    "专利已导入，但命令行导入不能填写维护信息",
                    "patent imported, but a command-line import cannot set maintenance facts",
                )
            )
            continue
        try:
            # A savepoint: a refusal leaves the row's patent and 建档 record, not half of its facts.
            with transaction.atomic():
                if facts_apply(actor=actor, patent=patents[pid], values=values, raw=fee_cells):
                    changed.add(line)
        except ApplicationError as exc:
            # Refused by what is stored (a patent without its filing date, a fee year beyond its term): the row's
            # patent and 建档 record stay imported, the row is reported with the refused cells.
            for column, code, zh, en in _problem_items(exc):
                value = str(values.get(column, fee_cells.get(column, "")))
                rejects.append(
                    RowReject(line, column, value, code, f"专利已导入，但{zh}", f"patent imported, but {en}")
                )
    return Applied(rejects=rejects, changed_lines=changed)


PATENT_IMPORT_EXTENSION = RowExtension(
    name="upkeep_facts",
    columns=FACT_COLUMNS,
    example=FACT_EXAMPLE,
    parse=_extension_parse,
    apply=_extension_apply,
)
