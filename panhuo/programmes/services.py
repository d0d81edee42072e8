"""Writes: subsidy schemes and their versions, presets, pledge-loan figures, 事前资助 projects.

Only an IP office defines schemes and funds projects, always for its own region; a project's holder (the
institution or enterprise) submits the self-evaluation; the office accepts it. Every write is audited.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from engine.deals.money import MoneyError, parse_yuan
from engine.monitoring import units
from engine.programmes import presets as scheme_presets
from engine.programmes import subsidy as engine
from panhuo.accounts.models import INSTITUTION_STAFF, Organization, OrganizationType, Role, User
from panhuo.accounts.visibility import office_prefix, region_scope_validate
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused, raise_field_errors
from panhuo.programmes.models import (
    FundedProject,
    PledgeLoanFigures,
    ProjectEvidence,
    ProjectStatus,
    ProjectTarget,
    SubsidyScheme,
    SubsidySchemeVersion,
)
from panhuo.programmes.selectors import pledge_deals_visible, project_get, scheme_get

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


def _office(actor: User) -> tuple[Organization, str]:
    """The acting IP office and its region prefix; anyone else is refused."""
    org = actor.organization
    if actor.role != Role.OFFICE_OFFICIAL or org is None or org.type != OrganizationType.IP_OFFICE:
        raise PermissionRefused("仅知识产权局用户可设置资助方案", "Only IP office users define programmes")
    own = office_prefix(actor)
    if own is None:
        raise PermissionRefused("知识产权局未设置行政区划", "the office has no region")
    return org, own


# ---- subsidy schemes ---------------------------------------------------------------------------------------


def _validate(
    definition: dict[str, Any], regions: list[str], own: str, extra: list[tuple[str, str, str]]
) -> tuple[engine.Scheme, list[str]]:
    """The engine's checks, the regions' and the caller's (e.g. the form's text parsing), reported together; an
    engine error on a field the caller already refused is the same problem seen twice and is left out."""
    errors = list(extra)
    seen = {field for field, _zh, _en in extra}
    scheme: engine.Scheme | None = None
    try:
        scheme = engine.scheme_from_dict(definition)
    except engine.SchemeInvalid as exc:
        errors.extend(e for e in exc.errors if e[0] not in seen)
    scope: list[str] = [own]
    try:
        scope = region_scope_validate(regions, own=own, field="regions")
    except ApplicationError as exc:
        errors.extend((e["field"], e["zh"], e["en"]) for e in exc.extra.get("errors", []))  # type: ignore[attr-defined]
    raise_field_errors(errors)
    assert scheme is not None
    return scheme, scope


def scheme_create(
    *,
    actor: User,
    code: str,
    definition: dict[str, Any],
    regions: list[str] | None = None,
    preset: str = "",
    note: str = "",
    is_demo: bool = False,
    form_errors: list[tuple[str, str, str]] | None = None,
) -> SubsidyScheme:
    """A scheme of the actor's office with version 1; every problem of the code, rules and regions at once
    (`form_errors`: what the page's text parsing found, reported with the rest)."""
    office, own = _office(actor)
    code = code.strip()
    extra: list[tuple[str, str, str]] = list(form_errors or [])
    if not code or len(code) > 40 or not all(ch.isalnum() or ch in "-_" for ch in code):
        extra.append(("code", "方案编号须为 1–40 位字母、数字、- 或 _", "code: 1–40 letters, digits, - or _"))
    elif SubsidyScheme.objects.filter(code=code).exists():
        extra.append(("code", f"方案编号 {code} 已被使用", f"code {code} is taken"))
    scheme, scope = _validate(definition, regions or [], own, extra)
    try:
        with transaction.atomic():
            obj = SubsidyScheme.objects.create(
                office=office, code=code, preset=preset, created_by=actor, is_demo=is_demo
            )
            SubsidySchemeVersion.objects.create(
                scheme=obj,
                number=1,
                name=scheme.name,
                definition=engine.scheme_to_dict(scheme),
                regions=scope,
                note=note or ("载入预设 " + preset if preset else "新建"),
                created_by=actor,
            )
            audit_record(
                "subsidy.scheme_create", actor=actor, obj=obj, detail={"code": code, "preset": preset}
            )
    except IntegrityError:
        raise ApplicationError("duplicate", f"方案编号 {code} 已被使用", f"code {code} is taken", "code")
    return obj


def scheme_revise(
    *,
    actor: User,
    code: str,
    definition: dict[str, Any],
    regions: list[str] | None = None,
    note: str = "",
    form_errors: list[tuple[str, str, str]] | None = None,
) -> SubsidySchemeVersion:
    """A change of rules is the next version; earlier versions (and the batches that used them) stay as they were."""
    _office_org, own = _office(actor)
    obj = scheme_get(actor=actor, code=code)
    scheme, scope = _validate(definition, regions or [], own, list(form_errors or []))
    stored = engine.scheme_to_dict(scheme)
    with transaction.atomic():
        locked = SubsidyScheme.objects.select_for_update().get(pk=obj.pk)
        current = locked.versions.get(number=locked.current_version)
        if current.definition == stored and current.regions == scope:
            raise ApplicationError("unchanged", "规则没有变化，未生成新版本", "nothing changed")
        version = SubsidySchemeVersion.objects.create(
            scheme=locked,
            number=locked.current_version + 1,
            name=scheme.name,
            definition=stored,
            regions=scope,
            note=note.strip()[:300],
            created_by=actor,
        )
        locked.current_version = version.number
        locked.save(update_fields=["current_version", "updated_at"])
        audit_record(
            "subsidy.scheme_revise", actor=actor, obj=locked, detail={"version": version.number, "note": note}
        )
    return version


def scheme_load_preset(
    *, actor: User, preset: str, code: str = "", regions: list[str] | None = None, is_demo: bool = False
) -> SubsidyScheme:
    if preset not in scheme_presets.PRESETS:
        raise ApplicationError(
            "unknown_preset",
            f"未知的预设方案：{preset}（可选：{'、'.join(scheme_presets.PRESETS)}）",
            "unknown preset",
            "preset",
        )
    return scheme_create(
        actor=actor,
        code=code or preset,
        definition=copy.deepcopy(scheme_presets.PRESETS[preset]),
        regions=regions,
        preset=preset,
        is_demo=is_demo,
    )


def definition_from_form(
    fields: dict[str, str], rules: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The scheme form's text (yuan, percent) -> (a definition for `scheme_create` / `scheme_revise`, the text
    errors found). `rules`: one dict per non-empty row with text values and lists for the multi-choices."""
    errors: list[tuple[str, str, str]] = []

    def money(where: str, zh: str, text: str, optional: bool) -> int | None:
        if not (text or "").strip():
            return None if optional else 0
        try:
            return parse_yuan(text)
        except MoneyError as exc:
            errors.append((where, f"{zh}：{exc.message_zh}", f"{where}: {exc.message_en}"))
            return None

    out: dict[str, Any] = {
        "name": fields.get("name", ""),
        "unit_cap_fen": money("unit_cap_fen", "同一单位上限", fields.get("unit_cap", ""), True),
        "pool_fen": money("pool_fen", "资金总额", fields.get("pool", ""), True),
        "no_double_support": bool(fields.get("no_double_support")),
        "region_role": fields.get("region_role") or "enterprise",
        "source": fields.get("source", ""),
        "rules": [],
    }
    for i, row in enumerate(rules):
        at, zh = f"rules[{i}]", f"第{i + 1}条规则"
        rate = 0
        try:
            rate = engine.parse_percent_ppm(str(row.get("rate", "")))
        except ValueError:
            errors.append(
                (f"{at}.rate_ppm", f"{zh}：比例格式不正确（应如 0.1 表示 0.1%）", f"{at}: bad percent")
            )
        amount = money(f"{at}.amount_fen", f"{zh}：定额", str(row.get("amount", "")), False)
        min_basis = money(f"{at}.min_basis_fen", f"{zh}：起算金额", str(row.get("min_basis", "")), False)
        out["rules"].append(
            {
                "code": row.get("code", ""),
                "label": row.get("label", ""),
                "event": row.get("event", ""),
                "basis": row.get("basis", ""),
                "beneficiaries": list(row.get("beneficiaries") or []),
                "amount_fen": amount or 0,
                "rate_ppm": rate,
                "min_basis_fen": min_basis or 0,
                "line_cap_fen": money(
                    f"{at}.line_cap_fen", f"{zh}：单项上限", str(row.get("line_cap", "")), True
                ),
                "patent_types": list(row.get("patent_types") or []),
                "supplier_types": list(row.get("supplier_types") or []),
                "enterprise_types": list(row.get("enterprise_types") or []),
                "enterprise_sizes": list(row.get("enterprise_sizes") or []),
                "group": row.get("group", ""),
                "requires": list(row.get("requires") or []),
            }
        )
    return out, errors


# ---- pledge-loan figures (贴息 / 保费) ----------------------------------------------------------------------


def pledge_figures_record(
    *,
    actor: User,
    deal_id: int,
    interest_paid_yuan: str,
    premium_paid_yuan: str,
    annual_rate_percent: str = "",
    paid_until: date | None = None,
    is_demo: bool = False,
) -> PledgeLoanFigures:
    """The interest and premium a pledge loan's enterprise actually paid (the pledgor or its region's office)."""
    deal = pledge_deals_visible(actor).filter(pk=deal_id).first()
    if deal is None:
        raise NotFound()
    if actor.role not in (Role.OFFICE_OFFICIAL, Role.ENTERPRISE_USER):
        raise PermissionRefused()
    errors: list[tuple[str, str, str]] = []
    values: dict[str, int] = {}
    for field, zh, text in (
        ("interest_paid", "已支付利息", interest_paid_yuan),
        ("premium_paid", "已支付保费", premium_paid_yuan),
    ):
        try:
            values[field] = parse_yuan(text) if (text or "").strip() else 0
        except MoneyError as exc:
            errors.append((field, f"{zh}：{exc.message_zh}", f"{field}: {exc.message_en}"))
    rate: int | None = None
    if (annual_rate_percent or "").strip():
        try:
            rate = units.parse_value(annual_rate_percent, "bp")
        except ValueError as exc:
            errors.append(("annual_rate", f"年利率：{exc}", "annual_rate: bad percent"))
    raise_field_errors(errors)
    with transaction.atomic():
        figures, created = PledgeLoanFigures.objects.update_or_create(
            deal=deal,
            defaults={
                "interest_paid_fen": values["interest_paid"],
                "premium_paid_fen": values["premium_paid"],
                "annual_rate_bp": rate,
                "paid_until": paid_until,
                "recorded_by": actor,
                "is_demo": is_demo,
            },
        )
        audit_record(
            "subsidy.pledge_figures",
            actor=actor,
            obj=figures,
            detail={
                "deal": deal.code,
                "interest_fen": values["interest_paid"],
                "premium_fen": values["premium_paid"],
            },
        )
    return figures


# ---- 事前资助 projects -------------------------------------------------------------------------------------


def _targets(rows: list[dict[str, str]], errors: list[tuple[str, str, str]]) -> list[ProjectTarget]:
    out: list[ProjectTarget] = []
    for i, row in enumerate(rows):
        at, zh = f"targets[{i}]", f"第{i + 1}个指标"
        name, unit, text = (row.get("name") or "").strip(), row.get("unit") or "", row.get("target") or ""
        if not name and not text.strip():
            continue
        if not name:
            errors.append((at, f"{zh}：请填写指标名称", f"{at}: name is required"))
        if unit not in units.UNITS:
            errors.append((at, f"{zh}：请选择单位", f"{at}: choose a unit"))
            continue
        try:
            value = units.parse_value(text, unit)
        except ValueError as exc:
            errors.append((at, f"{zh}：目标值{exc}", f"{at}: bad target"))
            continue
        out.append(ProjectTarget(position=len(out), name=name[:200], unit=unit, target=value))
    if not out and not errors:
        errors.append(("targets", "至少需要一个绩效指标", "at least one target"))
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
    office, own = _office(actor)
    errors: list[tuple[str, str, str]] = []
    code = code.strip()
    if not code or len(code) > 40:
        errors.append(("code", "请填写项目编号（不超过 40 字）", "code is required (≤ 40)"))
    elif FundedProject.objects.filter(code=code).exists():
        errors.append(("code", f"项目编号 {code} 已被使用", f"code {code} is taken"))
    if not name.strip():
        errors.append(("name", "请填写项目名称", "name is required"))
    holder = Organization.objects.filter(pk=holder_id or 0, type__in=HOLDER_TYPES).first()
    if holder is None:
        errors.append(("holder", "请选择承担单位（高校、科研院所或企业）", "choose the project holder"))
    elif not holder.region_code.startswith(own):
        errors.append(("holder", f"{holder.name}不在本局辖区内", "the holder is outside the office's region"))
    amount = 0
    try:
        amount = parse_yuan(amount_yuan)
        if amount <= 0:
            errors.append(("amount", "资助金额须大于 0", "amount must be positive"))
    except MoneyError as exc:
        errors.append(("amount", f"资助金额：{exc.message_zh}", f"amount: {exc.message_en}"))
    if start is None:
        errors.append(("start", "请填写开始日期", "start is required"))
    if end is None:
        errors.append(("end", "请填写结束日期", "end is required"))
    if start and end and end < start:
        errors.append(("end", "结束日期早于开始日期", "end is before start"))
    target_rows = _targets(targets, errors)
    raise_field_errors(errors)
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
    errors: list[tuple[str, str, str]] = []
    targets = list(project.targets.all())
    values: dict[int, int] = {}
    for t in targets:
        text = (actuals.get(t.pk) or "").strip()
        if not text:
            errors.append((f"actual_{t.pk}", f"{t.name}：请填写完成值", f"{t.name}: actual value required"))
            continue
        try:
            values[t.pk] = units.parse_value(text, t.unit)
        except ValueError as exc:
            errors.append((f"actual_{t.pk}", f"{t.name}：{exc}", f"{t.name}: bad value"))
    if not self_evaluation.strip():
        errors.append(
            (
                "self_evaluation",
                "请填写自评说明（完成情况与佐证材料说明）",
                "the self-evaluation text is required",
            )
        )
    files = files or []
    if len(files) + project.evidence.count() > EVIDENCE_MAX_FILES:
        errors.append(("evidence", f"佐证材料最多 {EVIDENCE_MAX_FILES} 个文件", "too many files"))
    checked: list[tuple[str, bytes, str]] = []
    for fname, data in files:
        ctype = _evidence_type(data)
        if len(data) > EVIDENCE_MAX_BYTES:
            errors.append(("evidence", f"{fname}：文件超过 5 MB", f"{fname}: larger than 5 MB"))
        elif ctype is None:
            errors.append(
                ("evidence", f"{fname}：仅接受 PDF、PNG、JPEG、XLSX 文件", f"{fname}: unsupported type")
            )
        else:
            checked.append((fname[:200], data, ctype))
    raise_field_errors(errors)
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
    office, _own = _office(actor)
    project = project_get(actor=actor, pk=project_id)
    if project.office_id != office.pk:
        raise NotFound()
    errors: list[tuple[str, str, str]] = []
    if decision not in ACCEPT_DECISIONS:
        errors.append(("decision", "请选择验收结论", "choose a decision"))
    if decision in (ProjectStatus.RECTIFY, ProjectStatus.FAILED) and not reason.strip():
        errors.append(("reason", "限期整改或不通过须写明理由", "a reason is required"))
    if project.status != ProjectStatus.SUBMITTED:
        errors.append(
            ("decision", "项目尚未提交自评，不能验收", "the holder has not submitted the self-evaluation")
        )
    raise_field_errors(errors)
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
