"""Writes for evaluation: weight sets, tier rules, assessments, recompute jobs (defaults: policies.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from engine.scoring import ENGINE_VERSION, weight_vector
from panhuo.accounts.models import Organization, Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.evaluation.models import (
    Assessment,
    AssessmentKind,
    Prospect,
    Scenario,
    ScoreJob,
    Tier,
    TierRule,
    WeightSet,
    Willingness,
)
from panhuo.evaluation.tasks import score_job_task
from panhuo.patents.activity import activity_bump
from panhuo.patents.models import ConversionMode, InventoryRecord, InventoryState, Patent, ValueSelfGrade


def _can_configure(actor: User, organization: Organization | None) -> bool:
    if organization is None:
        return getattr(actor, "role", None) == Role.SYSTEM_ADMIN
    return getattr(actor, "role", None) == Role.INSTITUTION_ADMIN and actor.organization_id == organization.pk


def weightset_create(
    *,
    actor: User,
    organization: Organization | None,
    scenario: str,
    weights: dict[str, float],
    note: str = "",
) -> WeightSet:
    """A new version of the weights (old versions stay, so old scores remain reproducible)."""
    if not _can_configure(actor, organization):
        raise PermissionRefused()
    if scenario not in Scenario.values:
        raise ApplicationError("bad_scenario", "未知的评估场景", "Unknown scenario", field="scenario")
    try:
        weight_vector(weights)
    except ValueError as exc:
        raise ApplicationError(
            "bad_weights", "权重须为非负数且至少一项大于零", f"Invalid weights: {exc}", field="weights"
        ) from exc
    with transaction.atomic():
        latest = WeightSet.objects.filter(organization=organization, scenario=scenario).aggregate(
            v=Max("version")
        )["v"]
        ws = WeightSet.objects.create(
            organization=organization,
            scenario=scenario,
            version=(latest or 0) + 1,
            weights={k: float(v) for k, v in weights.items()},
            engine_version=ENGINE_VERSION,
            note=note[:200],
            created_by=actor,
        )
        audit_record(
            "evaluation.weightset_create",
            actor=actor,
            tenant_id=organization.pk if organization else None,
            obj=ws,
            detail={"scenario": scenario, "version": ws.version, "weights": ws.weights},
        )
    return ws


def _holder_record(patent: Patent, organization_id: int | None) -> InventoryRecord | None:
    if organization_id is None:
        return None
    return InventoryRecord.objects.filter(patent=patent, organization_id=organization_id).first()


def _check_grade(value_grade: str) -> None:
    if value_grade and value_grade not in ValueSelfGrade.values:
        raise ApplicationError(
            "bad_grade", "价值分级须为 A-D", "Value grade must be A-D", field="value_grade"
        )


def _check_trl(trl: int | None) -> None:
    if trl is not None and not 1 <= trl <= 9:
        raise ApplicationError("bad_trl", "技术成熟度须在 1-9 之间", "TRL must be 1-9", field="trl")


def assessment_institution_create(
    *,
    actor: User,
    patent: Patent,
    trl: int | None,
    value_grade: str,
    prospect: str,
    recommended_mode: str,
    price_min_fen: int | None,
    price_max_fen: int | None,
    comment: str = "",
    expert_name: str = "",
    is_demo: bool = False,
) -> Assessment:
    """TTO assessment (or, with `expert_name`, an expert evaluation the TTO records) of a held patent."""
    org_id = actor.organization_id
    if actor.role not in (Role.INSTITUTION_ADMIN, Role.COLLEGE_ADMIN) or org_id is None:
        raise PermissionRefused()
    record = _holder_record(patent, org_id)
    if record is None or (actor.role == Role.COLLEGE_ADMIN and record.college_id != actor.college_id):
        raise PermissionRefused("该专利不属于本单位", "The patent is not held by your organization")
    _check_trl(trl)
    _check_grade(value_grade)
    if prospect and prospect not in Prospect.values:
        raise ApplicationError("bad_prospect", "产业化前景取值无效", "Invalid prospect", field="prospect")
    if recommended_mode and recommended_mode not in ConversionMode.values:
        raise ApplicationError(
            "bad_mode", "建议转化方式无效", "Invalid conversion mode", field="recommended_mode"
        )
    for name, value in (("price_min_fen", price_min_fen), ("price_max_fen", price_max_fen)):
        if value is not None and value < 0:
            raise ApplicationError("bad_price", "价格不能为负", "Price must not be negative", field=name)
    if price_min_fen is not None and price_max_fen is not None and price_min_fen > price_max_fen:
        raise ApplicationError(
            "bad_price_range", "价格下限不能高于上限", "Minimum price above maximum", field="price_min_fen"
        )
    kind = AssessmentKind.EXPERT if expert_name else AssessmentKind.INSTITUTION
    with transaction.atomic():
        a = Assessment.objects.create(
            patent=patent,
            kind=kind,
            organization_id=org_id,
            author=actor,
            expert_name=expert_name[:100],
            trl=trl,
            value_grade=value_grade,
            prospect=prospect,
            recommended_mode=recommended_mode,
            price_min_fen=price_min_fen,
            price_max_fen=price_max_fen,
            comment=comment,
            is_demo=is_demo,
        )
        audit_record(f"evaluation.assessment_{kind}", actor=actor, obj=a, detail={"patent": patent.key})
    return a


def assessment_enterprise_create(
    *,
    actor: User,
    patent: Patent,
    prospect: str,
    improvement_need: str,
    cooperation: str,
    comment: str = "",
    is_demo: bool = False,
) -> Assessment:
    """企业市场评价 of a pooled (published) patent: one per enterprise per patent."""
    org_id = actor.organization_id
    if actor.role != Role.ENTERPRISE_USER or org_id is None:
        raise PermissionRefused("仅企业用户可以评价", "Only enterprise users can evaluate")
    if not InventoryRecord.objects.filter(patent=patent, state=InventoryState.POOLED).exists():
        raise ApplicationError(
            "not_pooled",
            "该专利尚未进入转化资源库",
            "The patent is not in the conversion pool",
            field="patent",
        )
    if prospect not in Prospect.values:
        raise ApplicationError(
            "bad_prospect", "请选择产业化前景", "Choose an industrialisation prospect", "prospect"
        )
    if cooperation not in Willingness.values:
        raise ApplicationError(
            "bad_cooperation", "请选择产学研合作意愿", "Choose a cooperation willingness", "cooperation"
        )
    if Assessment.objects.filter(
        patent=patent, organization_id=org_id, kind=AssessmentKind.ENTERPRISE
    ).exists():
        raise ApplicationError(
            "duplicate", "本企业已评价过该专利", "Your enterprise already evaluated this patent"
        )
    with transaction.atomic():
        a = Assessment.objects.create(
            patent=patent,
            kind=AssessmentKind.ENTERPRISE,
            organization_id=org_id,
            author=actor,
            prospect=prospect,
            improvement_need=improvement_need[:2000],
            cooperation=cooperation,
            comment=comment[:2000],
            is_demo=is_demo,
        )
        deltas = {"enterprise_evaluations": 1}
        if a.is_positive:
            deltas["positive_evaluations"] = 1
        activity_bump(patent_id=patent.pk, **deltas)
        audit_record("evaluation.assessment_enterprise", actor=actor, obj=a, detail={"patent": patent.key})
    return a


def score_job_create(*, actor: User, organization: Organization | None, scenario: str = "") -> ScoreJob:
    """Queue a background rescore of the organization's patents (all patents when None).

    `scenario` limits it to the scenario whose weights changed (blank: all three)."""
    if not _can_configure(actor, organization):
        raise PermissionRefused()
    with transaction.atomic():
        if scenario and scenario not in Scenario.values:
            raise ApplicationError("bad_scenario", "未知的评估场景", "Unknown scenario", field="scenario")
        job = ScoreJob.objects.create(organization=organization, scenario=scenario, created_by=actor)
        audit_record("evaluation.score_job_create", actor=actor, obj=job)
    transaction.on_commit(lambda: score_job_task(job.pk))
    return job


def tier_rules_set(
    *, actor: User, organization: Organization | None, rules: list[dict[str, Any]]
) -> list[TierRule]:
    """Replace the organization's (or the default) 分层推广 rules; each dict holds TierRule fields."""
    if not _can_configure(actor, organization):
        raise PermissionRefused()
    allowed = {
        "priority",
        "tier",
        "min_score",
        "max_score",
        "require_high_value_or_positive",
        "min_demand",
        "fee_due_within_days",
        "reason_zh",
    }
    for i, rule in enumerate(rules):
        if set(rule) - allowed or rule.get("tier") not in Tier.values:
            raise ApplicationError(
                "bad_rule", f"第 {i + 1} 条规则无效", f"Rule {i + 1} is invalid", field="rules"
            )
        lo, hi = rule.get("min_score"), rule.get("max_score")
        if lo is not None and hi is not None and lo >= hi:
            raise ApplicationError(
                "bad_rule_range",
                f"第 {i + 1} 条规则分数区间无效",
                f"Rule {i + 1}: empty score range",
                field="rules",
            )
        if not str(rule.get("reason_zh", "")).strip():
            raise ApplicationError(
                "bad_rule_reason", "每条规则须写明原因", "Every rule needs a reason", field="rules"
            )
    with transaction.atomic():
        TierRule.objects.filter(organization=organization).delete()
        made = [TierRule.objects.create(organization=organization, **rule) for rule in rules]
        audit_record(
            "evaluation.tier_rules_set",
            actor=actor,
            tenant_id=organization.pk if organization else None,
            object_type="evaluation.TierRule",
            detail={"rules": [{k: v for k, v in r.items()} for r in rules]},
        )
    return made
