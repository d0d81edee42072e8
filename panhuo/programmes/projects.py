"""Writes for 事前资助 projects: the office funds (with targets), the holder self-evaluates (values, text, evidence
files checked by content), the office accepts (passed / rectification / failed with reasons). Audited."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from engine.deals.money import MoneyError, parse_yuan
from engine.monitoring import units
from panhuo.accounts.models import INSTITUTION_STAFF, Organization, OrganizationType, Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, ErrorCollector, NotFound, PermissionRefused
from panhuo.programmes.models import FundedProject, ProjectEvidence, ProjectStatus, ProjectTarget
from panhuo.programmes.selectors import project_get
from panhuo.programmes.services import office_of

HOLDER_TYPES = (OrganizationType.UNIVERSITY, OrganizationType.INSTITUTE, OrganizationType.ENTERPRISE)
HOLDER_ROLES = (*INSTITUTION_STAFF, Role.ENTERPRISE_USER)
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_MAX_FILES = 10
# Content checks by leading bytes, never by the name a browser sends.
EVIDENCE_TYPES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
)


def _targets(rows: list[dict[str, str]], errors: ErrorCollector) -> list[ProjectTarget]:
    out: list[ProjectTarget] = []
    for i, row in enumerate(rows):
        at, zh = f"targets[{i}]", f"第{i + 1}个指标"
        name, unit, text = (row.get("name") or "").strip(), row.get("unit") or "", row.get("target") or ""
        if not name and not text.strip():
            continue
        if not name:
            errors.refuse(at, f"{zh}：请填写指标名称", f"{at}: name is required")
        if unit not in units.UNITS:
            errors.refuse(at, f"{zh}：请选择单位", f"{at}: choose a unit")
            continue
        try:
            value = units.parse_value(text, unit)
        except ValueError as exc:
            errors.refuse(at, f"{zh}：目标值{exc}", f"{at}: bad target")
            continue
        out.append(ProjectTarget(position=len(out), name=name[:200], unit=unit, target=value))
    if not out and not errors.errors:
        errors.refuse("targets", "至少需要一个绩效指标", "at least one target")
    return out


def project_create(
    *,
    actor: User,
    code: str,
    name: str,
    holder_id: int | None,
    amount_yuan: str,
    start: date | None,
    end: date | None,
    targets: list[dict[str, str]],
    category: str = "",
    source: str = "",
    is_demo: bool = False,
) -> FundedProject:
    """A funded project of an institution or enterprise of the office's region; every problem at once."""
    office, own = office_of(actor)
    errors = ErrorCollector()
    code = code.strip()
    if not code or len(code) > 40:
        errors.refuse("code", "请填写项目编号（不超过 40 字）", "code is required (≤ 40)")
    elif FundedProject.objects.filter(code=code).exists():
        errors.refuse("code", f"项目编号 {code} 已被使用", f"code {code} is taken")
    if not name.strip():
        errors.refuse("name", "请填写项目名称", "name is required")
    holder = Organization.objects.filter(pk=holder_id or 0, type__in=HOLDER_TYPES).first()
    if holder is None:
        errors.refuse("holder", "请选择承担单位（高校、科研院所或企业）", "choose the project holder")
    elif not holder.region_code.startswith(own):
        errors.refuse("holder", f"{holder.name}不在本局辖区内", "the holder is outside the office's region")
    amount = 0
    try:
        amount = parse_yuan(amount_yuan)
        if amount <= 0:
            errors.refuse("amount", "资助金额须大于 0", "amount must be positive")
    except MoneyError as exc:
        errors.refuse("amount", f"资助金额：{exc.message_zh}", f"amount: {exc.message_en}")
    if start is None:
        errors.refuse("start", "请填写开始日期", "start is required")
    if end is None:
        errors.refuse("end", "请填写结束日期", "end is required")
    if start and end and end < start:
        errors.refuse("end", "结束日期早于开始日期", "end is before start")
    target_rows = _targets(targets, errors)
    errors.raise_any()
    assert holder is not None and start is not None and end is not None
    with transaction.atomic():
        project = FundedProject.objects.create(
            office=office,
            holder=holder,
            code=code,
            name=name.strip(),
            category=category.strip()[:100],
            amount_fen=amount,
            start=start,
            end=end,
            source=source,
            created_by=actor,
            is_demo=is_demo,
        )
        for t in target_rows:
            t.project = project
        ProjectTarget.objects.bulk_create(target_rows)
        audit_record(
            "programme.project_create",
            actor=actor,
            obj=project,
            detail={"code": code, "holder": holder.pk, "amount_fen": amount, "targets": len(target_rows)},
        )
    return project


def _evidence_type(data: bytes) -> str | None:
    for magic, content_type, _label in EVIDENCE_TYPES:
        if data.startswith(magic):
            return content_type
    return None


def project_self_evaluate(
    *,
    actor: User,
    project_id: int,
    actuals: dict[int, str],
    self_evaluation: str,
    files: list[tuple[str, bytes]] | None = None,
) -> FundedProject:
    """The holder's year-end self-evaluation: every target's actual value, a text and evidence files."""
    project = project_get(actor=actor, pk=project_id)
    if actor.role not in HOLDER_ROLES or actor.organization_id != project.holder_id:
        raise PermissionRefused(
            "仅项目承担单位可提交自评", "Only the project holder submits the self-evaluation"
        )
    if project.status not in (ProjectStatus.FUNDED, ProjectStatus.RECTIFY):
        raise ApplicationError(
            "closed", "项目已提交自评或已验收，不能修改", "already submitted or accepted", "self_evaluation"
        )
    errors = ErrorCollector()
    targets = list(project.targets.all())
    values: dict[int, int] = {}
    for t in targets:
        text = (actuals.get(t.pk) or "").strip()
        if not text:
            errors.refuse(f"actual_{t.pk}", f"{t.name}：请填写完成值", f"{t.name}: actual value required")
            continue
        try:
            values[t.pk] = units.parse_value(text, t.unit)
        except ValueError as exc:
            errors.refuse(f"actual_{t.pk}", f"{t.name}：{exc}", f"{t.name}: bad value")
    if not self_evaluation.strip():
        errors.refuse(
            "self_evaluation",
            "请填写自评说明（完成情况与佐证材料说明）",
            "the self-evaluation text is required",
        )
    files = files or []
    if len(files) + project.evidence.count() > EVIDENCE_MAX_FILES:
        errors.refuse("evidence", f"佐证材料最多 {EVIDENCE_MAX_FILES} 个文件", "too many files")
    checked: list[tuple[str, bytes, str]] = []
    for fname, data in files:
        ctype = _evidence_type(data)
        if len(data) > EVIDENCE_MAX_BYTES:
            errors.refuse("evidence", f"{fname}：文件超过 5 MB", f"{fname}: larger than 5 MB")
        elif ctype is None:
            errors.refuse(
                "evidence", f"{fname}：仅接受 PDF、PNG、JPEG、XLSX 文件", f"{fname}: unsupported type"
            )
        else:
            checked.append((fname[:200], data, ctype))
    errors.raise_any()
    with transaction.atomic():
        for t in targets:
            t.actual = values[t.pk]
        ProjectTarget.objects.bulk_update(targets, ["actual"])
        ProjectEvidence.objects.bulk_create(
            ProjectEvidence(project=project, name=n, content_type=c, size=len(d), data=d, uploaded_by=actor)
            for n, d, c in checked
        )
        project.self_evaluation = self_evaluation.strip()
        project.status = ProjectStatus.SUBMITTED
        project.submitted_at = timezone.now()
        project.submitted_by = actor
        project.save(
            update_fields=["self_evaluation", "status", "submitted_at", "submitted_by", "updated_at"]
        )
        audit_record(
            "programme.project_self_evaluate",
            actor=actor,
            obj=project,
            detail={"targets": {str(t.pk): values[t.pk] for t in targets}, "files": len(checked)},
        )
    return project


ACCEPT_DECISIONS = (ProjectStatus.PASSED, ProjectStatus.RECTIFY, ProjectStatus.FAILED)


def project_accept(*, actor: User, project_id: int, decision: str, reason: str = "") -> FundedProject:
    """验收: passed, rectification (back to the holder, with reasons) or failed (with reasons)."""
    office, _own = office_of(actor)
    project = project_get(actor=actor, pk=project_id)
    if project.office_id != office.pk:
        raise NotFound()
    errors = ErrorCollector()
    if decision not in ACCEPT_DECISIONS:
        errors.refuse("decision", "请选择验收结论", "choose a decision")
    if decision in (ProjectStatus.RECTIFY, ProjectStatus.FAILED) and not reason.strip():
        errors.refuse("reason", "限期整改或不通过须写明理由", "a reason is required")
    if project.status != ProjectStatus.SUBMITTED:
        errors.refuse(
            "decision", "项目尚未提交自评，不能验收", "the holder has not submitted the self-evaluation"
        )
    errors.raise_any()
    with transaction.atomic():
        project.status = decision
        project.acceptance_reason = reason.strip()
        project.accepted_at = timezone.now()
        project.accepted_by = actor
        project.save(
            update_fields=["status", "acceptance_reason", "accepted_at", "accepted_by", "updated_at"]
        )
        audit_record(
            "programme.project_accept",
            actor=actor,
            obj=project,
            detail={"decision": decision, "reason": reason},
        )
    return project
