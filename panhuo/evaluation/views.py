"""Evaluation pages: score lists + export, patent panel, assessments, weights + rescore progress, fee calendar."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from engine.deals.money import yuan_number
from engine.scoring.flags import HIGH_VALUE_LABELS
from engine.scoring.indicators import DIMENSION_LABELS
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import College, Organization, Role, User
from panhuo.common.errors import ApplicationError, NotFound
from panhuo.common.exports import CSV_TYPE, XLSX_TYPE, csv_bytes, download, export_guard, xlsx_bytes
from panhuo.common.permissions import roles_required, signed_in
from panhuo.evaluation import selectors
from panhuo.evaluation.forms import (
    EnterpriseEvaluationForm,
    InstitutionAssessmentForm,
    ScoreFilterForm,
    TierRuleFormSet,
    WeightsForm,
)
from panhuo.evaluation.models import Scenario, ScoreJob, TierRule, ValueScore, WeightSet
from panhuo.evaluation.services import (
    assessment_enterprise_create,
    assessment_institution_create,
    score_job_create,
    tier_rules_set,
    weightset_create,
)
from panhuo.patents.models import InventoryRecord, Patent

LIST_ROLES = (
    Role.INSTITUTION_ADMIN,
    Role.COLLEGE_ADMIN,
    Role.INVENTOR,
    Role.OFFICE_OFFICIAL,
    Role.ENTERPRISE_USER,
    Role.AGENCY_USER,
    Role.BANK_USER,
)
EXPORT_HEADER = [
    "申请号",
    "名称",
    "专利类型",
    "机构",
    "场景",
    "价值分",
    "法律价值",
    "技术价值",
    "经济价值",
    "高价值类别",
    "沉睡专利",
    "推广层级",
    "层级原因",
    "下次年费",
    "模型版本",
]


def _u(request: HttpRequest) -> User:
    """The signed-in user (the permission markers guarantee one)."""
    return acting_user(request)


def _filter_choices(user: User) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    held = selectors.holder_records_visible(user)
    org_ids = held.values("organization_id")
    orgs = list(Organization.objects.filter(pk__in=org_ids).order_by("name").values_list("pk", "name"))
    colleges: list[tuple[int, str]] = []
    if user.role in (Role.INSTITUTION_ADMIN, Role.COLLEGE_ADMIN, Role.OFFICE_OFFICIAL):
        cqs = College.objects.filter(pk__in=held.values("college_id"))
        colleges = [(c.pk, f"{c.organization.name} {c.name}") for c in cqs.select_related("organization")]
    return orgs, colleges


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.1f}"


@roles_required(*LIST_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    orgs, colleges = _filter_choices(_u(request))
    form = ScoreFilterForm(request.GET or None, organizations=orgs, colleges=colleges)
    f = selectors.ScoreFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        f = selectors.ScoreFilters(
            scenario=d["scenario"] or Scenario.MANAGEMENT,
            tier=d["tier"],
            min_score=d["min_score"],
            max_score=d["max_score"],
            high_value=d["high_value"],
            sleeping=None if d["sleeping"] == "" else d["sleeping"] == "1",
            organization_id=d["organization"],
            college_id=d["college"],
            industry=d["industry"].strip(),
        )
    qs = selectors.score_list(_u(request), f)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        refused = export_guard(request, "value-scores")
        if refused is not None:
            return refused

        rows = [
            [
                vs.patent.key,
                vs.patent.title,
                vs.patent.get_patent_type_display(),
                vs.organization.name if vs.organization else "",
                vs.get_scenario_display(),
                round(vs.score, 2),
                _fmt(vs.legal),
                _fmt(vs.technical),
                _fmt(vs.economic),
                "、".join(HIGH_VALUE_LABELS[c] for c in vs.high_value),
                vs.sleeping,
                vs.get_tier_display(),
                vs.tier_reason,
                vs.fee_due_date.isoformat() if vs.fee_due_date else "",
                vs.model_version,
            ]
            for vs in qs[:100_000]
        ]
        if export == "csv":
            return download(csv_bytes(EXPORT_HEADER, rows), "value-scores.csv", CSV_TYPE)
        return download(xlsx_bytes({"价值评价": (EXPORT_HEADER, rows)}), "value-scores.xlsx", XLSX_TYPE)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "evaluation/index.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "hv_labels": HIGH_VALUE_LABELS,
            "can_configure": _u(request).role in (Role.INSTITUTION_ADMIN, Role.SYSTEM_ADMIN),
            "can_fees": _u(request).role == Role.INSTITUTION_ADMIN,
        },
    )


def _visible_patent(user: User, pk: int) -> Patent:
    patent = selectors.patents_visible(user).filter(pk=pk).first()
    if patent is None:
        raise NotFound()
    return patent


@signed_in
def patent_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Fragment for the patent page: value score breakdown + assessments side by side + disagreements."""
    patent = _visible_patent(_u(request), pk)
    score = (
        ValueScore.objects.filter(patent=patent, scenario=request.GET.get("scenario") or Scenario.MANAGEMENT)
        .select_related("patent", "weight_set", "weight_set__organization")
        .first()
    )
    doc = selectors.score_document(score) if score else None
    views = selectors.assessments_for(_u(request), patent)
    pooled = InventoryRecord.objects.filter(patent=patent, state="pooled").exists()
    user = _u(request)
    return render(
        request,
        "evaluation/patent_panel.html",
        {
            "patent": patent,
            "doc": doc,
            "score": score,
            "dimension_labels": DIMENSION_LABELS,
            "hv_labels": HIGH_VALUE_LABELS,
            "assessments": views,
            "disagreements": selectors.disagreements(views),
            "can_assess": user.role in (Role.INSTITUTION_ADMIN, Role.COLLEGE_ADMIN)
            and selectors.is_holder_side(user, patent),
            "can_evaluate": user.role == Role.ENTERPRISE_USER and pooled,
        },
    )


@roles_required(Role.INSTITUTION_ADMIN, Role.COLLEGE_ADMIN)
def assess_institution(request: HttpRequest, pk: int) -> HttpResponse:
    patent = _visible_patent(_u(request), pk)
    form = InstitutionAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            assessment_institution_create(
                actor=_u(request),
                patent=patent,
                trl=d["trl"],
                value_grade=d["value_grade"],
                prospect=d["prospect"],
                recommended_mode=d["recommended_mode"],
                price_min_fen=None if d["price_min_yuan"] is None else d["price_min_yuan"] * 100,
                price_max_fen=None if d["price_max_yuan"] is None else d["price_max_yuan"] * 100,
                comment=d["comment"],
                expert_name=d["expert_name"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message_zh)
        else:
            messages.success(request, "评价已保存")
            return redirect("evaluation:index")
    return render(
        request,
        "evaluation/assess_form.html",
        {"form": form, "patent": patent, "title": "学校(TTO)/专家评价"},
    )


@roles_required(Role.ENTERPRISE_USER)
def assess_enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    patent = _visible_patent(_u(request), pk)
    form = EnterpriseEvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            assessment_enterprise_create(
                actor=_u(request),
                patent=patent,
                prospect=d["prospect"],
                improvement_need=d["improvement_need"],
                cooperation=d["cooperation"],
                comment=d["comment"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message_zh)
        else:
            messages.success(request, "评价已提交，感谢反馈")
            return redirect("evaluation:index")
    return render(
        request, "evaluation/assess_form.html", {"form": form, "patent": patent, "title": "企业市场评价"}
    )


def _config_org(user: User) -> Organization | None:
    return None if user.role == Role.SYSTEM_ADMIN else user.organization


@roles_required(Role.INSTITUTION_ADMIN, Role.SYSTEM_ADMIN)
def weights(request: HttpRequest) -> HttpResponse:
    """Edit one scenario's weights: saving writes a new version and starts a background rescore."""
    scenario = request.GET.get("scenario") or request.POST.get("scenario") or Scenario.LICENSING
    if scenario not in Scenario.values:
        raise NotFound()
    org = _config_org(_u(request))
    current = (
        WeightSet.objects.filter(organization=org, scenario=scenario).order_by("-version").first()
        or WeightSet.objects.filter(organization__isnull=True, scenario=scenario).order_by("-version").first()
    )
    assert current is not None
    form = WeightsForm(request.POST or None, initial_weights=current.weights)
    if request.method == "POST" and form.is_valid():
        try:
            weightset_create(
                actor=_u(request),
                organization=org,
                scenario=scenario,
                weights=form.weights(),
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message_zh)
        else:
            job = score_job_create(actor=_u(request), organization=org, scenario=scenario)
            return redirect("evaluation:job", pk=job.pk)
    history = WeightSet.objects.filter(organization=org, scenario=scenario).order_by("-version")[:10]
    rules = TierRule.objects.filter(organization=org).order_by("priority") if org else TierRule.objects.none()
    if not rules.exists():
        rules = TierRule.objects.filter(organization__isnull=True).order_by("priority")
    return render(
        request,
        "evaluation/weights.html",
        {
            "form": form,
            "scenario": scenario,
            "scenarios": Scenario.choices,
            "current": current,
            "history": history,
            "rules": rules,
            "jobs": ScoreJob.objects.filter(organization=org).order_by("-id")[:5],
        },
    )


@roles_required(Role.INSTITUTION_ADMIN, Role.SYSTEM_ADMIN)
def tiers(request: HttpRequest) -> HttpResponse:
    """Edit the 分层推广 rules (first match by priority wins); saving rescores in the background."""
    org = _config_org(_u(request))
    rules = TierRule.objects.filter(organization=org).order_by("priority") if org else TierRule.objects.none()
    if not rules.exists():
        rules = TierRule.objects.filter(organization__isnull=True).order_by("priority")
    initial = [
        {
            "priority": r.priority,
            "tier": r.tier,
            "min_score": r.min_score,
            "max_score": r.max_score,
            "require_high_value_or_positive": r.require_high_value_or_positive,
            "min_demand": r.min_demand,
            "fee_due_within_days": r.fee_due_within_days,
            "reason_zh": r.reason_zh,
        }
        for r in rules
    ]
    formset = TierRuleFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        data = [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            tier_rules_set(actor=_u(request), organization=org, rules=data)
        except ApplicationError as exc:
            messages.error(request, exc.message_zh)
        else:
            job = score_job_create(actor=_u(request), organization=org)
            return redirect("evaluation:job", pk=job.pk)
    return render(request, "evaluation/tiers.html", {"formset": formset, "own": org is not None})


def _visible_job(user: User, pk: int) -> ScoreJob:
    job = ScoreJob.objects.filter(pk=pk, organization=_config_org(user)).first()
    if job is None:
        raise NotFound()
    return job


@roles_required(Role.INSTITUTION_ADMIN, Role.SYSTEM_ADMIN)
def job(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "evaluation/job.html", {"job": _visible_job(_u(request), pk)})


@roles_required(Role.INSTITUTION_ADMIN, Role.SYSTEM_ADMIN)
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    j = _visible_job(_u(request), pk)
    seconds = None
    if j.started_at:
        seconds = round(((j.finished_at or timezone.now()) - j.started_at).total_seconds(), 1)
    return JsonResponse(
        {
            "id": j.pk,
            "state": j.state,
            "state_label": j.get_state_display(),
            "done": j.done,
            "total": j.total,
            "percent": round(100 * j.done / j.total, 1) if j.total else (100.0 if j.state == "done" else 0.0),
            "seconds": seconds,
            "error": j.error,
            "list_url": reverse("evaluation:index"),
        }
    )


@roles_required(Role.INSTITUTION_ADMIN, Role.COLLEGE_ADMIN)
def fees(request: HttpRequest) -> HttpResponse:
    """年费日历: what is due when, which patents the score suggests dropping, and the money saved."""
    today = timezone.localdate()
    org_id = _u(request).organization_id
    if org_id is None:
        raise NotFound()
    try:
        horizon = int(request.GET.get("days", "")) if request.GET.get("days") else None
    except ValueError:
        horizon = None
    if horizon is not None:
        horizon = max(1, min(horizon, 3660))
    rows = selectors.fee_calendar(_u(request), organization_id=org_id, today=today, horizon_days=horizon)
    if request.GET.get("export") == "xlsx":
        refused = export_guard(request, "annual-fees")
        if refused is not None:
            return refused
        header = [
            "申请号",
            "名称",
            "类型",
            "缴费截止",
            "年度",
            "年费(元)",
            "开放许可减缴",
            "价值分",
            "层级",
            "建议放弃",
            "可节省(元)",
        ]
        data = [
            [
                r.key,
                r.title,
                r.patent_type,
                r.due.isoformat(),
                r.patent_year,
                yuan_number(r.fee_fen),  # exact yuan, a number cell
                r.open_licence,
                round(r.score, 1),
                r.tier,
                r.suggest_drop,
                yuan_number(r.saving_fen),
            ]
            for r in rows
        ]
        return download(xlsx_bytes({"年费日历": (header, data)}), "annual-fees.xlsx", XLSX_TYPE)
    return render(
        request,
        "evaluation/fees.html",
        {
            "rows": rows,
            "total_fen": sum(r.fee_fen for r in rows),
            "saving_fen": sum(r.saving_fen for r in rows),
            "drop_count": sum(1 for r in rows if r.suggest_drop),
            "days": horizon or "",
        },
    )


@roles_required(Role.OFFICE_OFFICIAL, Role.INSTITUTION_ADMIN)
def summary(request: HttpRequest) -> JsonResponse:
    """Counts per tier / high-value / sleeping for the visible scope (management scenario)."""
    qs = selectors.scores_visible(_u(request))
    tiers = {t: qs.filter(tier=t).count() for t in ("proactive", "standard", "open_licence", "fee_review")}
    return JsonResponse(
        {
            "scored": qs.count(),
            "tiers": tiers,
            "high_value": qs.filter(high_value_bits__gt=0).count(),
            "sleeping": qs.filter(sleeping=True).count(),
            "score_sum": round(qs.aggregate(s=Sum("score"))["s"] or 0.0, 1),
        }
    )
