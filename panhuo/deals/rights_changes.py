"""Import of CNIPA 著录项目变更 records (申请号, 变更前权利人, 变更后权利人, 变更日期).

The public record wins: each row updates the rights record (`rights_record_change`), and every live deal on the
patent recorded by an institution that no longer holds it is flagged (a `rights_disagree` event on the deal, shown
in its history) — the deal is left for the holder and the office to sort out, not changed.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from engine.identifiers.application_number import NumberError, normalise_application_number
from panhuo.common.audit import audit_record
from panhuo.deals.importing import parse_day
from panhuo.deals.models import BINDING_STATES, Deal, DealEvent, DealState
from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, Row, RowReject, register
from panhuo.patents.models import Patent
from panhuo.patents.rights.services import rights_record_change

_NAMES = re.compile(r"\s*[;；、|]\s*")
LIVE_STATES = (DealState.INTENT, DealState.NEGOTIATION, *BINDING_STATES)


@register
class RightsChangeImportHandler(ImportHandler):
    kind = "rights_changes"
    label_zh = "著录项目变更（权利人变更）"
    template_version = "1"
    roles = ("office_official",)
    batch_size = 500
    columns = (
        ColumnSpec("app_no", ("申请号", "专利号", "application number"), required=True, max_length=40),
        ColumnSpec("before", ("变更前权利人", "变更前专利权人", "before"), max_length=500),
        ColumnSpec("after", ("变更后权利人", "变更后专利权人", "after"), required=True, max_length=500),
        ColumnSpec("changed_on", ("变更日期", "生效日", "changed on"), required=True, max_length=30),
    )

    def template_example(self) -> dict[str, str]:
        return {
            "app_no": "201710601862.3",
            "before": "示范理工大学",
            "after": "渝新智能装备有限公司",
            "changed_on": "2025-06-30",
        }

    def process_batch(self, job: Any, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        for line, row in rows:
            reject = self._row(job, row)
            if reject is None:
                result.count("updated")
            else:
                column, code, zh, en = reject
                result.rejects.append(RowReject(line, column, str(row.get(column, ""))[:200], code, zh, en))
        return result

    def _row(self, job: Any, row: dict[str, str]) -> tuple[str, str, str, str] | None:
        try:
            app_no = normalise_application_number(row["app_no"])
        except NumberError as exc:
            return ("app_no", exc.code, exc.message_zh, exc.message_en)
        try:
            changed_on = parse_day(row["changed_on"])
        except ValueError:
            return ("changed_on", "date_format", "变更日期格式不正确", "malformed date")
        if changed_on > timezone.localdate():
            return ("changed_on", "date_future", "变更日期不能晚于今天", "date is in the future")
        after = [n for n in _NAMES.split(row["after"].strip()) if n]
        if not after:
            return ("after", "required", "变更后权利人为空", "no holder after the change")
        patent = Patent.objects.filter(app_no=app_no).first()
        if patent is None:
            return ("app_no", "patent_unknown", "系统中没有该专利", "unknown patent")
        before = [n for n in _NAMES.split((row.get("before") or "").strip()) if n]
        with transaction.atomic():
            holders = rights_record_change(
                patent=patent,
                before_names=before,
                after_names=after,
                changed_on=changed_on,
                actor=job.created_by,
                tenant_id=job.organization_id,
            )
            for deal in Deal.objects.filter(deal_patents__patent=patent, state__in=LIVE_STATES).exclude(
                institution_id__in=holders
            ):
                note = f"著录项目变更：{changed_on} 起专利权人为{'、'.join(after)}，与本交易的权利人（{deal.institution.name}）不一致"
                DealEvent.objects.create(
                    deal=deal, actor=job.created_by, action="rights_disagree", comment=note
                )
                audit_record(
                    "deal.rights_disagree",
                    actor=job.created_by,
                    obj=deal,
                    detail={"patent": app_no, "on": changed_on},
                )
        return None
