"""Bulk import of an event's attendance list (kind "event_attendance", the organiser): one row per person.

A row names the event by its 活动编号 among the job's organisation's events; the person by account (用户名) or by
name and organisation. A registered person is marked; someone not registered is added as a walk-in (现场签到).
The same list again changes nothing ("unchanged"); every bad cell of a row is reported.
"""

from __future__ import annotations

from typing import Any

from panhuo.common.errors import ApplicationError
from panhuo.community.services.events import attendance_row
from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, Row, RowReject, register

NO = {"否", "未到", "缺席", "no", "n", "0", "false"}


@register
class AttendanceImportHandler(ImportHandler):
    kind = "event_attendance"
    label_zh = "活动签到名单"
    template_version = "1"
    roles = ("office_official", "institution_admin", "college_admin", "agency_user")
    batch_size = 500
    columns = (
        ColumnSpec("event_code", ("活动编号", "event code"), required=True, max_length=32),
        ColumnSpec("name", ("姓名", "name"), max_length=100),
        ColumnSpec("org_name", ("单位", "organisation"), max_length=200),
        ColumnSpec("username", ("用户名", "username"), max_length=150),
        ColumnSpec("attended", ("签到", "attended"), max_length=10, help_zh="是 / 否，空白为是"),
    )

    def process_batch(self, job: Any, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        for line, raw in rows:
            try:
                outcome = attendance_row(
                    actor=job.created_by,
                    organiser_id=job.organization_id,
                    event_code=raw["event_code"],
                    name=raw["name"],
                    org_name=raw["org_name"],
                    username=raw["username"],
                    attended=raw["attended"].strip().lower() not in NO,
                )
            except ApplicationError as exc:
                items = exc.extra.get("errors") or [
                    {"field": exc.field, "zh": exc.message_zh, "en": exc.message_en}
                ]
                for item in items:  # type: ignore[attr-defined]
                    column = item["field"] or ""
                    result.rejects.append(
                        RowReject(line, column, raw.get(column, "")[:200], exc.code, item["zh"], item["en"])
                    )
                continue
            result.count(outcome)
        return result

    def template_example(self) -> dict[str, str]:
        return {
            "event_code": "HD2026-0001",
            "name": "王五",
            "org_name": "丙科技有限公司",
            "username": "",
            "attended": "是",
        }
