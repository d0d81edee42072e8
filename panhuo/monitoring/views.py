"""Office pages: statistics dashboard with drill-downs, KPI programmes, anomaly cases, subsidies, survey."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from engine.deals.money import format_fen
from engine.monitoring.anomaly import RULES
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Role
from panhuo.accounts.visibility import STATS_ROLES
from panhuo.common.errors import ApplicationError, NotFound
from panhuo.common.exports import XLSX_TYPE, download, export_guard
from panhuo.common.labels import region_name
from panhuo.common.permissions import roles_required
from panhuo.community.selectors import community_statistics
from panhuo.disclosures.stats import disclosure_statistics
from panhuo.financing.selectors import pledge_statistics
from panhuo.monitoring import anomalies, kpi, subsidies, survey
from panhuo.monitoring.licence_modes import licence_modes
from panhuo.monitoring.models import CaseStatus, KpiIndicator
from panhuo.monitoring.products import product_statistics
from panhuo.monitoring.regions import parse_period
from panhuo.monitoring.stats import (
    KIND_LABELS,
    TYPE_LABELS,
    dashboard,
    deals_drilldown,
    inventory_drilldown,
    scope_for,
)
from panhuo.outcomes.selectors import outcome_statistics
from panhuo.programmes.selectors import schemes_visible
from panhuo.upkeep.selectors import fiscal_unused_count

OFFICE = (Role.OFFICE_OFFICIAL,)


def _yuan(fen: int | None) -> str:
    return format_fen(int(fen or 0))


def _period(request: HttpRequest) -> Any:
    text = request.GET.get("period") or str(timezone.localdate().year)
    try:
        return parse_period(text)
    except ApplicationError:
        return parse_period(str(timezone.localdate().year))


def _page(request: HttpRequest, qs: Any, n: int = 50) -> Any:
    return Paginator(qs, n).get_page(request.GET.get("page"))


@roles_required(*STATS_ROLES)
def stats_dashboard(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    side = "E" if request.GET.get("side") == "E" else "S"
    try:
        scope = scope_for(acting_user(request), prefix=request.GET.get("region") or None)
    except ApplicationError:
        raise Http404()
    data = dashboard(scope, period, side=side)
    base = {"period": period.label, "side": side}
    if scope.prefix:
        base["region"] = scope.prefix

    def link(**kw: Any) -> str:
        return reverse("monitoring:deals") + "?" + urlencode({**base, **{k: v for k, v in kw.items() if v}})

    rows = [
        {
            "kind": k,
            "label": KIND_LABELS.get(k, k),
            **t,
            "contract": _yuan(t["contract_fen"]),
            "received": _yuan(t["received_fen"]),
            "url": link(kind=k),
        }
        for k, t in data["totals"].items()
    ]
    charts: dict[str, Any] = {
        "trend": {
            "type": "bar",
            "stack": True,
            "categories": [f"{2 * i - 1}–{2 * i}月" for i in range(1, 7)],
            "integer": True,
            "series": [{"name": KIND_LABELS.get(k, k), "data": v} for k, v in data.get("trend", {}).items()],
        },
        "types": {
            "type": "pie",
            "data": [
                {"name": TYPE_LABELS.get(k, k), "value": v} for k, v in data.get("by_patent_type", {}).items()
            ],
        },
    }
    if data.get("sub_regions"):
        charts["regions"] = {
            "type": "bar",
            "categories": [region_name(r["region"]) for r in data["sub_regions"]],
            "integer": True,
            "series": [{"name": "交易数", "data": [r["deals"] for r in data["sub_regions"]]}],
            "links": {region_name(r["region"]): link(region=r["region"]) for r in data["sub_regions"]},
        }
    if data.get("industries", {}).get("gbt4754"):
        ind = data["industries"]["gbt4754"]
        charts["industries"] = {
            "type": "bar",
            "categories": [r["name"] or r["code"] for r in ind],
            "horizontal": True,
            "integer": True,
            "series": [{"name": "交易数", "data": [r["deals"] for r in ind]}],
        }
    for r in data.get("sub_regions", []):
        r["url"] = link(region=r["region"])
        r["region_name"] = region_name(r["region"])
        r["contract"] = _yuan(r["contract_fen"])
    for r in data.get("top_institutions", []):
        r["url"] = link(institution=r["id"])
        r["contract"] = _yuan(r["contract_fen"])
        r["received"] = _yuan(r["received_fen"])
    inv_link = reverse("monitoring:inventory")
    modes = licence_modes(
        year=period.year,
        today=timezone.localdate(),
        region_prefix=scope.prefix,
        institution_id=scope.institution_id,
    )
    outcome_stats = outcome_statistics(
        year=period.year, region_prefix=scope.prefix, institution_id=scope.institution_id
    )
    pledge_stats = pledge_statistics(
        year=period.year, region_prefix=scope.prefix, institution_id=scope.institution_id
    )
    product_stats = (
        None
        if scope.institution_id is not None
        else product_statistics(year=period.year, region_prefix=scope.prefix)
    )
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "d": data,
            "rows": rows,
            "charts": charts,
            "period": period.label,
            "side": side,
            "scope": scope,
            "inv_link": inv_link,
            "region_q": f"&region={scope.prefix}" if scope.prefix else "",
            "disclosure_stats": disclosure_statistics(
                year=period.year, region_prefix=scope.prefix, institution_id=scope.institution_id
            ),
            "product_sales": format_fen(product_stats.sales_fen) if product_stats else "",
            "product_stats": product_stats,
            "outcome_stats": outcome_stats,
            "pledge_stats": pledge_stats,
            "pledge_money": {
                "approved": format_fen(pledge_stats.approved_fen),
                "registered": format_fen(pledge_stats.registered_fen),
                "live": format_fen(pledge_stats.live_fen),
                "by_bank": [(r, format_fen(r.approved_fen)) for r in pledge_stats.by_bank[:10]],
                "by_region": [(r, format_fen(r.approved_fen)) for r in pledge_stats.by_region[:10]],
            },
            "community_stats": community_statistics(
                year=period.year, region_prefix=scope.prefix, institution_id=scope.institution_id
            ),
            "licence_modes": modes,
            "licence_mode_rows": [
                {
                    "label": r.label,
                    "deals": r.deals,
                    "contract": format_fen(r.contract_fen),
                    "received": format_fen(r.received_fen),
                }
                for r in modes.rows
            ],
            "pay_after_use_schedule_rows": [
                {
                    "label": r.label,
                    "deals": r.deals,
                    "contract": format_fen(r.contract_fen),
                    "received": format_fen(r.received_fen),
                }
                for r in modes.pay_after_use_schedules
            ],
            "pay_after_use": {
                "scheduled": format_fen(modes.pay_after_use_scheduled_fen),
                "overdue": format_fen(modes.pay_after_use_overdue_fen),
            },
            "outcome_money": {
                "revenue": format_fen(outcome_stats.revenue_fen),
                "output": format_fen(outcome_stats.output_fen),
            },
            "fiscal_unused": fiscal_unused_count(
                today=timezone.localdate(), region_prefix=scope.prefix, institution_id=scope.institution_id
            ),
        },
    )


@roles_required(*STATS_ROLES)
def deals_list(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    try:
        scope = scope_for(acting_user(request), prefix=request.GET.get("region") or None, drilldown=True)
    except ApplicationError:
        raise Http404()
    inst = request.GET.get("institution") or ""
    qs = deals_drilldown(
        scope,
        period=period,
        side="E" if request.GET.get("side") == "E" else "S",
        kind=request.GET.get("kind", ""),
        institution_id=int(inst) if inst.isdigit() else None,
        patent_type=request.GET.get("patent_type", ""),
    )
    return render(
        request,
        "monitoring/deals.html",
        {
            "page": _page(request, qs),
            "period": period.label,
            "query": request.GET.urlencode(),
            "total": qs.count(),
        },
    )


@roles_required(*STATS_ROLES)
def inventory_list(request: HttpRequest) -> HttpResponse:
    try:
        scope = scope_for(acting_user(request), prefix=request.GET.get("region") or None, drilldown=True)
    except ApplicationError:
        raise Http404()
    inst, college = request.GET.get("institution", ""), request.GET.get("college", "")
    qs = inventory_drilldown(
        scope,
        state=request.GET.get("state", ""),
        institution_id=int(inst) if inst.isdigit() else None,
        college_id=int(college) if college.isdigit() else None,
        valid=request.GET.get("valid") == "1",
    )
    return render(request, "monitoring/inventory.html", {"page": _page(request, qs), "total": qs.count()})


# ---- KPI ---------------------------------------------------------------------------------------------------


@roles_required(*OFFICE)
def kpi_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            programme = kpi.programme_create(
                actor=acting_user(request),
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
                start=date.fromisoformat(request.POST.get("start", "")),
                end=date.fromisoformat(request.POST.get("end", "")),
                preset=request.POST.get("preset", ""),
            )
            return redirect("monitoring:kpi-detail", code=programme.code)
        except ValueError:
            messages.error(request, "日期格式应为 YYYY-MM-DD")
        except ApplicationError as e:
            messages.error(request, e.message_zh)
    return render(
        request,
        "monitoring/kpi_list.html",
        {
            "programmes": kpi.programmes_visible(acting_user(request)),
            "presets": kpi.PRESETS,
        },
    )


@roles_required(*OFFICE)
def kpi_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        programme = kpi.programme_get(actor=acting_user(request), code=code)
    except NotFound:
        raise Http404()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "snapshot":
                kpi.snapshot_take(
                    programme=programme, period=request.POST.get("period") or None, actor=acting_user(request)
                )
                messages.success(request, "已保存快照")
            elif request.POST.get("action") == "scope":
                raw = request.POST.get("scope", "").replace("，", ",").replace(" ", ",")
                kpi.programme_scope_set(actor=acting_user(request), programme=programme, codes=raw.split(","))
                messages.success(request, "统计范围已更新")
            elif request.POST.get("action") == "manual":
                ind = KpiIndicator.objects.get(
                    programme=programme, pk=int(request.POST.get("indicator", "0"))
                )
                raw = request.POST.get("value", "").strip()
                kpi.indicator_set_manual(
                    actor=acting_user(request), indicator=ind, value=int(raw) if raw else None
                )
        except (ApplicationError, ValueError, KpiIndicator.DoesNotExist) as e:
            messages.error(request, getattr(e, "message_zh", "输入无效"))
        return redirect("monitoring:kpi-detail", code=code)
    snap_period = request.GET.get("snapshot")
    snapshot = programme.snapshots.filter(period=snap_period).first() if snap_period else None
    indicators = list(programme.indicators.all())
    data = snapshot.results if snapshot else kpi.programme_evaluate(programme, indicators=indicators)
    ids = {i.code: i.pk for i in indicators}
    for r in data["indicators"]:
        r["pk"] = ids.get(r["code"])
        r["progress_pct"] = min(max(r["progress_bp"], 0), 10_000) / 100
    names = {r["code"]: r["name"] for r in data["indicators"]}
    data = {**data, "laggard_names": [names.get(c, c) for c in data.get("laggards", [])]}
    charts = {
        "kpi": {
            "type": "bar",
            "categories": [r["name"] for r in data["indicators"]],
            "horizontal": True,
            "series": [
                {"name": "完成进度%", "data": [round(r["progress_bp"] / 100, 1) for r in data["indicators"]]},
                {"name": "时间进度%", "data": [round(r["expected_bp"] / 100, 1) for r in data["indicators"]]},
            ],
        }
    }
    return render(
        request,
        "monitoring/kpi_detail.html",
        {
            "programme": programme,
            "data": data,
            "snapshot": snapshot,
            "snapshots": programme.snapshots.all(),
            "charts": charts,
            "scope_names": [region_name(p) for p in data.get("scope") or kpi.programme_scope(programme)],
            "scope_codes": ",".join(kpi.programme_scope(programme)),
        },
    )


# ---- anomalies ---------------------------------------------------------------------------------------------


@roles_required(*OFFICE)
def anomaly_list(request: HttpRequest) -> HttpResponse:
    qs = anomalies.cases_visible(acting_user(request))
    status, rule = request.GET.get("status", "open"), request.GET.get("rule", "")
    if status:
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(rule=rule)
    return render(
        request,
        "monitoring/anomalies.html",
        {
            "page": _page(request, qs),
            "rules": RULES,
            "status": status,
            "rule": rule,
            "statuses": CaseStatus.choices,
        },
    )


@roles_required(*OFFICE)
@require_POST
def anomaly_run(request: HttpRequest) -> HttpResponse:
    from panhuo.monitoring.tasks import anomalies_run_now

    anomalies_run_now()
    messages.success(request, "异常规则已提交运行")
    return redirect("monitoring:anomalies")


@roles_required(*OFFICE)
def anomaly_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = anomalies.cases_visible(acting_user(request)).filter(pk=pk).first()
    if case is None:
        raise Http404()
    if request.method == "POST":
        try:
            anomalies.case_review(
                actor=acting_user(request),
                case_id=pk,
                verdict=request.POST.get("verdict", ""),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, "已记录核查结论")
            return redirect("monitoring:anomaly-detail", pk=pk)
        except ApplicationError as e:
            review_error = e.message_zh
    else:
        review_error = ""
    from panhuo.deals.models import Deal

    deals = Deal.objects.filter(pk__in=case.deal_ids).select_related("institution")
    return render(
        request,
        "monitoring/anomaly_detail.html",
        {"case": case, "deals": deals, "review_error": review_error, "v": request.POST},
        status=400 if review_error else 200,
    )


# ---- subsidies ---------------------------------------------------------------------------------------------


@roles_required(*OFFICE)
def subsidy_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            batch = subsidies.batch_create(
                actor=acting_user(request),
                scheme_code=request.POST.get("scheme", ""),
                start=date.fromisoformat(request.POST.get("start", "")),
                end=date.fromisoformat(request.POST.get("end", "")),
            )
            return redirect("monitoring:subsidy-detail", pk=batch.pk)
        except ValueError:
            messages.error(request, "日期格式应为 YYYY-MM-DD")
        except ApplicationError as e:
            messages.error(request, e.message_zh)
    return render(
        request,
        "monitoring/subsidies.html",
        {
            "batches": subsidies.batches_visible(acting_user(request)).select_related("scheme_version"),
            "schemes": schemes_visible(acting_user(request)).prefetch_related("versions"),
        },
    )


@roles_required(*OFFICE)
def subsidy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        batch = subsidies.batch_get(actor=acting_user(request), pk=pk)
    except NotFound:
        raise Http404()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                subsidies.batch_approve(actor=acting_user(request), batch_id=pk)
            elif request.POST.get("action") == "reject":
                subsidies.application_reject(
                    actor=acting_user(request),
                    application_id=int(request.POST.get("application", "0")),
                    reason=request.POST.get("reason", ""),
                )
        except (ApplicationError, ValueError) as e:
            messages.error(request, getattr(e, "message_zh", "输入无效"))
        return redirect("monitoring:subsidy-detail", pk=pk)
    if request.GET.get("format") == "xlsx":
        refused = export_guard(request, f"subsidy_payout:{batch.pk}")
        if refused is not None:
            return refused
        return download(subsidies.payout_xlsx(batch), f"奖补拨付清单-{batch.pk}.xlsx", XLSX_TYPE)
    apps = list(batch.applications.select_related("organization").prefetch_related("lines"))
    scheme = subsidies.batch_scheme(batch)
    rule_names = {rule.code: rule.label for rule in scheme.rules}
    for application in apps:
        for line in application.lines.all():
            line.rule_name = rule_names.get(line.rule, "其他奖补项目")  # type: ignore[attr-defined]
    holds = list(batch.holds.select_related("organization"))
    for h in holds:
        h.rule_name = rule_names.get(h.rule, "其他奖补项目")  # type: ignore[attr-defined]
    return render(
        request,
        "monitoring/subsidy_detail.html",
        {
            "batch": batch,
            "holds": holds,
            "apps": apps,
            "scheme": scheme,
            "yuan": _yuan,
        },
    )


# ---- survey ------------------------------------------------------------------------------------------------


@roles_required(*survey.SURVEY_ROLES)
def survey_form(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            survey.survey_submit(
                actor=acting_user(request),
                score=int(request.POST.get("score", "0")),
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, "感谢您的反馈")
            return redirect("monitoring:survey")
        except (ApplicationError, ValueError) as e:
            messages.error(request, getattr(e, "message_zh", "评分须为 1–5"))
    from panhuo.monitoring.models import SurveyResponse

    mine = SurveyResponse.objects.filter(respondent_id=request.user.pk).order_by("-year")
    return render(request, "monitoring/survey.html", {"mine": mine})
