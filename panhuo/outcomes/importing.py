"""Bulk import of industrialisation results (kind "deal_outcomes", institution staff): one row per deal and year.

The deal is found by its 交易编号 among the job's institution's deals; a year reported before is corrected
("updated"), the same figures again are "unchanged"; every bad cell of a row is reported.
"""

from __future__ import annotations

from typing import Any

from panhuo.common.errors import ApplicationError
from panhuo.deals.models import Deal
from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, Row, register, rejects_of
from panhuo.outcomes import services
from panhuo.outcomes.models import DealOutcome

_COLUMN = {"revenue": "revenue", "output": "output", "deal": "deal_code", "year": "year"}


def _int(raw: str) -> int | None:
    text = raw.strip()
    return int(text) if text.isdigit() else None if not text else -1


@register
class OutcomeImportHandler(ImportHandler):
    kind = "deal_outcomes"
    label_zh = "产业化成效（按交易、年度）"
    template_version = "1"
    roles = ("institution_admin", "college_admin")
    batch_size = 500
    columns = (
        ColumnSpec("deal_code", ("交易编号", "deal code"), required=True, max_length=32),
        ColumnSpec("year", ("年度", "year"), required=True, max_length=10),
        ColumnSpec("revenue", ("销售收入（元）", "销售收入", "revenue")),
        ColumnSpec("output", ("产值（元）", "产值", "output")),
        ColumnSpec("jobs", ("新增就业（人）", "新增就业", "jobs")),
        ColumnSpec("new_products", ("新产品（项）", "新产品数", "new products")),
        ColumnSpec("notes", ("说明", "notes"), max_length=4000),
    )

    def process_batch(self, job: Any, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        codes = {raw["deal_code"].strip() for _, raw in rows}
        deals = {d.code: d for d in Deal.objects.filter(institution_id=job.organization_id, code__in=codes)}
        for line, raw in rows:
            deal = deals.get(raw["deal_code"].strip())
            year, jobs, products = _int(raw["year"]), _int(raw["jobs"]), _int(raw["new_products"])
            try:
                if deal is None:
                    raise ApplicationError("deal_unknown", "本单位没有该交易编号", "no such deal", "deal")
                before = (
                    DealOutcome.objects.filter(deal=deal, year=year or 0)
                    .values_list("revenue_fen", "output_fen", "jobs", "new_products", "notes")
                    .first()
                )
                outcome, created = services.outcome_report(
                    actor=job.created_by,
                    deal_id=deal.pk,
                    year=year,
                    revenue_yuan=raw["revenue"],
                    output_yuan=raw["output"],
                    jobs=jobs,
                    new_products=products,
                    notes=raw["notes"],
                )
            except ApplicationError as exc:
                result.rejects.extend(rejects_of(exc, line, raw, _COLUMN))
                continue
            after = (
                outcome.revenue_fen,
                outcome.output_fen,
                outcome.jobs,
                outcome.new_products,
                outcome.notes,
            )
            result.count("inserted" if created else "unchanged" if before == after else "updated")
        return result

    def template_example(self) -> dict[str, str]:
        return {
            "deal_code": "JY2025-0001",
            "year": "2025",
            "revenue": "3,000,000.00",
            "output": "5,000,000.00",
            "jobs": "12",
            "new_products": "2",
            "notes": "巡检机器人量产",
        }
