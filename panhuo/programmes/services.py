"""Writes: subsidy schemes and their versions, presets, pledge-loan figures (projects: `programmes.projects`).

Only an IP office defines schemes, always for its own region. Every write is audited.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from engine.deals.money import MoneyError, parse_yuan
from engine.monitoring import units
from engine.programmes import definition as stored
from engine.programmes import presets as scheme_presets
from engine.programmes import subsidy as engine
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.accounts.visibility import office_prefix, region_scope_validate
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, ErrorCollector, FieldErrors, NotFound, PermissionRefused
from panhuo.programmes.models import (
    PledgeLoanFigures,
    SubsidyScheme,
    SubsidySchemeVersion,
)
from panhuo.programmes.selectors import pledge_deals_visible, scheme_get


def office_of(actor: User) -> tuple[Organization, str]:
    """The acting IP office and its region prefix; anyone else is refused."""
    org = actor.organization
    if actor.role != Role.OFFICE_OFFICIAL or org is None or org.type != OrganizationType.IP_OFFICE:
        raise PermissionRefused("仅知识产权局用户可设置资助方案", "Only IP office users define programmes")
    own = office_prefix(actor)
    if own is None:
        raise PermissionRefused("知识产权局未设置行政区划", "the office has no region")
    return org, own


# ---- subsidy schemes ---------------------------------------------------------------------------------------


def _refused(form_errors: list[tuple[str, str, str]] | None) -> ErrorCollector:
    """The page's text-parsing refusals, (field, 中文, English) each, as a collector the other checks add to."""
    errors = ErrorCollector()
    for field, zh, en in form_errors or []:
        errors.refuse(field, zh, en)
    return errors


def _validate(
    definition: dict[str, Any], regions: list[str], own: str, errors: ErrorCollector
) -> tuple[engine.Scheme, list[str]]:
    """The engine's checks, the regions' and the caller's (`errors`, e.g. the form's text parsing), reported
    together; an engine error on a field the caller already refused is the same problem seen twice and is left
    out."""
    seen = {e.field for e in errors.errors}
    scheme: engine.Scheme | None = None
    try:
        scheme = stored.scheme_from_dict(definition)
    except stored.SchemeInvalid as exc:
        for field, zh, en in exc.errors:
            if field not in seen:
                errors.refuse(field, zh, en)
    scope: list[str] = [own]
    try:
        scope = region_scope_validate(regions, own=own, field="regions")
    except FieldErrors as exc:
        errors.add(exc)
    errors.raise_any()
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
    office, own = office_of(actor)
    code = code.strip()
    errors = _refused(form_errors)
    if not code or len(code) > 40 or not all(ch.isalnum() or ch in "-_" for ch in code):
        errors.refuse("code", "方案编号须为 1–40 位字母、数字、- 或 _", "code: 1–40 letters, digits, - or _")
    elif SubsidyScheme.objects.filter(code=code).exists():
        errors.refuse("code", f"方案编号 {code} 已被使用", f"code {code} is taken")
    scheme, scope = _validate(definition, regions or [], own, errors)
    try:
        with transaction.atomic():
            obj = SubsidyScheme.objects.create(
                office=office, code=code, preset=preset, created_by=actor, is_demo=is_demo
            )
            SubsidySchemeVersion.objects.create(
                scheme=obj,
                number=1,
                name=scheme.name,
                definition=stored.scheme_to_dict(scheme),
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
    _office_org, own = office_of(actor)
    obj = scheme_get(actor=actor, code=code)
    scheme, scope = _validate(definition, regions or [], own, _refused(form_errors))
    as_stored = stored.scheme_to_dict(scheme)
    with transaction.atomic():
        locked = SubsidyScheme.objects.select_for_update().get(pk=obj.pk)
        current = locked.versions.get(number=locked.current_version)
        if current.definition == as_stored and current.regions == scope:
            raise ApplicationError("unchanged", "规则没有变化，未生成新版本", "nothing changed")
        version = SubsidySchemeVersion.objects.create(
            scheme=locked,
            number=locked.current_version + 1,
            name=scheme.name,
            definition=as_stored,
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
            rate = stored.parse_percent_ppm(str(row.get("rate", "")))
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
    errors = ErrorCollector()
    values: dict[str, int] = {}
    for field, zh, text in (
        ("interest_paid", "已支付利息", interest_paid_yuan),
        ("premium_paid", "已支付保费", premium_paid_yuan),
    ):
        try:
            values[field] = parse_yuan(text) if (text or "").strip() else 0
        except MoneyError as exc:
            errors.refuse(field, f"{zh}：{exc.message_zh}", f"{field}: {exc.message_en}")
    rate: int | None = None
    if (annual_rate_percent or "").strip():
        try:
            rate = units.parse_value(annual_rate_percent, "bp")
        except ValueError as exc:
            errors.refuse("annual_rate", f"年利率：{exc}", "annual_rate: bad percent")
    errors.raise_any()
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
