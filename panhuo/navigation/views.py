"""专利导航 pages: saved scopes, the landscape of one scope, the patents behind each figure, comparison, report."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from engine.landscape.holders import HOLDER_TYPE_LABELS
from panhuo.accounts.acting import acting_user
from panhuo.common.errors import ApplicationError
from panhuo.common.exports import XLSX_TYPE, download, export_guard
from panhuo.common.permissions import roles_required
from panhuo.navigation import services
from panhuo.navigation.apps import NavigationConfig
from panhuo.navigation.charts import decorate, landscape_charts
from panhuo.navigation.conversion import conversion_facet_ids
from panhuo.navigation.page import compare_sides, landscape, stored_clusters
from panhuo.navigation.report import findings_text, report_pdf, report_xlsx
from panhuo.navigation.scope import ScopeDefinition, ScopeInvalid, parse_scope
from panhuo.navigation.selectors import (
    facet_patent_ids,
    landscape_visibility,
    latest_clusters,
    patents_page,
    pending_clusters,
    scope_get,
    scopes_of,
)
from panhuo.patents.models import LegalStatus, PatentType

ROLES = NavigationConfig.nav[0][2] or ()
FACET_LABELS = {
    "all": "全部",
    "app_year": "申请年",
    "grant_year": "授权年",
    "type": "专利类型",
    "status": "法律状态",
    "holder": "权利人",
    "holder_type": "权利人类型",
    "team": "发明人团队（成员）",
    "ipc": "IPC 主组",
    "industry": "国民经济行业大类",
    "region": "地区",
    "cluster": "技术聚类",
    "conversion": "转化",
}


def _form_context(data: Any = None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "data": data or {},
        "errors": errors or {},
        "holder_type_choices": list(HOLDER_TYPE_LABELS.items()),
        "patent_type_choices": PatentType.choices,
        "status_choices": LegalStatus.choices,
    }


def _form_data(post: QueryDict) -> dict[str, Any]:
    """What the user typed, kept for the form after an error."""
    return {
        "name": post.get("name", ""),
        "ipc": post.get("ipc", ""),
        "industries": post.get("industries", ""),
        "sei": post.get("sei", ""),
        "keywords": post.get("keywords", ""),
        "region": post.get("region", ""),
        "year_from": post.get("year_from", ""),
        "year_to": post.get("year_to", ""),
        "holder_types": post.getlist("holder_types"),
        "patent_types": post.getlist("patent_types"),
        "legal_statuses": post.getlist("legal_statuses"),
        "shared": bool(post.get("shared")),
    }


def _definition_data(definition: ScopeDefinition, scope: Any) -> dict[str, Any]:
    d = definition.to_json()
    return {
        "name": scope.name,
        "ipc": " ".join(d["ipc"]),
        "industries": " ".join(d["industries"]),
        "sei": " ".join(d["sei"]),
        "keywords": " ".join(d["keywords"]),
        "region": d["region"],
        "year_from": d["year_from"] or "",
        "year_to": d["year_to"] or "",
        "holder_types": d["holder_types"],
        "patent_types": d["patent_types"],
        "legal_statuses": d["legal_statuses"],
        "shared": scope.shared,
    }


@roles_required(*ROLES)
@require_http_methods(["GET", "POST"])
def scope_list(request: HttpRequest) -> HttpResponse:
    """Saved scopes of the organization and the form for a new one (POST saves it)."""
    data: dict[str, Any] = {"shared": True}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _form_data(request.POST)
        try:
            definition = parse_scope(request.POST, check_codes=True)
            scope = services.scope_save(
                actor=acting_user(request), name=data["name"], definition=definition, shared=data["shared"]
            )
            messages.success(request, f"已保存分析范围：{scope.name}")
            return redirect("navigation:scope", pk=scope.pk)
        except ScopeInvalid as e:
            errors = e.errors
            if "name" not in errors and not data["name"].strip():
                errors["name"] = "请填写名称 (name is required)"
    scopes = _with_lines(scopes_of(acting_user(request)).select_related("created_by"))
    status = 400 if errors else 200
    return render(
        request, "navigation/scopes.html", {"scopes": scopes, **_form_context(data, errors)}, status=status
    )


def _with_lines(scopes: Any) -> list[tuple[Any, list[tuple[str, str]]]]:
    return [(s, parse_scope(s.definition).describe()) for s in scopes]


def _drill(base: str, extra: str = "") -> Any:
    def link(facet: str, value: Any) -> str:
        query = urlencode({"facet": facet, "value": "" if value is None else str(value)})
        return f"{base}?{extra}{'&' if extra else ''}{query}"

    return link


def _render_landscape(
    request: HttpRequest,
    definition: ScopeDefinition,
    *,
    scope: Any = None,
    extra: str = "",
    form: tuple[dict[str, Any], dict[str, str]] | None = None,
) -> HttpResponse:
    visibility = landscape_visibility(acting_user(request))
    run = latest_clusters(scope) if scope is not None else None
    figures = landscape(definition, visibility)
    figures["clusters"] = stored_clusters(run, figures["visible_ids"])
    base = (
        reverse("navigation:scope-patents", args=[scope.pk])
        if scope is not None
        else reverse("navigation:patents")
    )
    link = _drill(base, extra)
    context = {
        "f": decorate(figures, link),
        "findings_auto": findings_text(figures),
        "scope": scope,
        "link_all": link("all", ""),
        "charts": landscape_charts(figures, link),
        "pending": pending_clusters(scope) if scope is not None else None,
        "extra": extra,
    }
    if scope is not None:
        data, errors = form or (_definition_data(definition, scope), {})
        context.update(_form_context(data, errors))
        context["edit_open"] = bool(errors)
    return render(request, "navigation/landscape.html", context, status=400 if form else 200)


@roles_required(*ROLES)
def scope_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_get(acting_user(request), pk)
    return _render_landscape(request, parse_scope(scope.definition), scope=scope)


@roles_required(*ROLES)
def analyse_page(request: HttpRequest) -> HttpResponse:
    """An unsaved scope from the query string (the same fields as the form)."""
    try:
        definition = parse_scope(request.GET, check_codes=True)
        if definition.is_empty:
            raise ScopeInvalid({"ipc": "请至少设置一项范围条件 (set at least one condition)"})
    except ScopeInvalid as e:
        scopes = _with_lines(scopes_of(acting_user(request)).select_related("created_by"))
        data = _form_data(request.GET)
        return render(
            request, "navigation/scopes.html", {"scopes": scopes, **_form_context(data, e.errors)}, status=400
        )
    query = urlencode({k: v for k, v in definition.to_json().items() if v not in (None, "", [])}, doseq=True)
    return _render_landscape(request, definition, extra=query)


def _patents(request: HttpRequest, definition: ScopeDefinition, scope: Any, back: str) -> HttpResponse:
    visibility = landscape_visibility(acting_user(request))
    facet = request.GET.get("facet", "all")[:20]
    value = request.GET.get("value", "")[:200]
    if facet == "cluster":
        run = latest_clusters(scope) if scope is not None else None
        visible = set(facet_patent_ids(definition, visibility, "all", ""))
        members: list[int] = next(
            (c.get("patent_ids", []) for c in (run.clusters if run else []) if str(c["number"]) == value), []
        )
        ids = sorted(i for i in members if i in visible)
    elif facet == "conversion":
        ids = conversion_facet_ids(facet_patent_ids(definition, visibility, "all", ""), value)
    else:
        ids = facet_patent_ids(definition, visibility, facet, value)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    patents, pages = patents_page(ids, page=page)
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "navigation/patents.html",
        {
            "patents": patents,
            "count": len(ids),
            "page": min(max(page, 1), pages),
            "pages": pages,
            "facet_label": FACET_LABELS.get(facet, facet),
            "value": value,
            "scope": scope,
            "scope_lines": definition.describe(),
            "back": back,
            "query": keep.urlencode(),
        },
    )


@roles_required(*ROLES)
def scope_patents(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_get(acting_user(request), pk)
    return _patents(request, parse_scope(scope.definition), scope, reverse("navigation:scope", args=[pk]))


@roles_required(*ROLES)
def analyse_patents(request: HttpRequest) -> HttpResponse:
    definition = parse_scope(request.GET)
    query = urlencode({k: v for k, v in definition.to_json().items() if v not in (None, "", [])}, doseq=True)
    return _patents(request, definition, None, f"{reverse('navigation:analyse')}?{query}")


@roles_required(*ROLES)
@require_POST
def scope_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_get(acting_user(request), pk)
    data = _form_data(request.POST)
    try:
        services.scope_save(
            actor=acting_user(request),
            name=data["name"],
            definition=parse_scope(request.POST, check_codes=True),
            shared=data["shared"],
            scope_id=pk,
        )
    except ScopeInvalid as e:  # the same page, the form open with what was typed and every error
        return _render_landscape(request, parse_scope(scope.definition), scope=scope, form=(data, e.errors))
    messages.success(request, "分析范围已更新")
    return redirect("navigation:scope", pk=pk)


@roles_required(*ROLES)
@require_POST
def scope_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.scope_delete(actor=acting_user(request), scope_id=pk)
    messages.success(request, "分析范围已删除")
    return redirect("navigation:scopes")


@roles_required(*ROLES)
@require_POST
def findings_save(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.findings_save(actor=acting_user(request), scope_id=pk, text=request.POST.get("findings", ""))
        messages.success(request, "结论与建议已保存")
    except ApplicationError as e:
        if e.code == "not_found":
            raise
        messages.error(request, e.message_zh)
    return redirect(f"{reverse('navigation:scope', args=[pk])}#findings")


@roles_required(*ROLES)
@require_POST
def clusters_request(request: HttpRequest, pk: int) -> HttpResponse:
    services.clusters_request(actor=acting_user(request), scope_id=pk)
    messages.success(request, "技术聚类已提交后台计算，完成后刷新本页即可看到")
    return redirect(f"{reverse('navigation:scope', args=[pk])}#clusters")


@roles_required(*ROLES)
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    scope = scope_get(acting_user(request), pk)
    refused = export_guard(request, f"landscape:{pk}:{fmt}")
    if refused is not None:
        return refused
    visibility = landscape_visibility(acting_user(request))
    figures = landscape(parse_scope(scope.definition), visibility)
    figures["clusters"] = stored_clusters(latest_clusters(scope), figures["visible_ids"])
    name = f"专利导航报告-{scope.name}"
    if fmt == "pdf":
        return download(
            report_pdf(figures, title=name, findings=scope.findings), f"{name}.pdf", "application/pdf"
        )
    return download(report_xlsx(figures, title=name, findings=scope.findings), f"{name}.xlsx", XLSX_TYPE)


@roles_required(*ROLES)
def compare_page(request: HttpRequest) -> HttpResponse:
    """Two saved scopes side by side (a, b), or one scope in two regions (a with ra, rb)."""
    user = acting_user(request)
    scopes = scopes_of(user)
    sides: list[dict[str, Any]] = []
    error = ""
    try:
        a = int(request.GET.get("a", "0") or 0)
        b = int(request.GET.get("b", "0") or 0)
    except ValueError:
        a = b = 0
    ra, rb = request.GET.get("ra", "").strip()[:6], request.GET.get("rb", "").strip()[:6]
    if a:
        try:
            sides = compare_sides(user, a, b, ra, rb)
        except ScopeInvalid as e:
            error = "；".join(e.errors.values())
    return render(
        request,
        "navigation/compare.html",
        {"scopes": scopes, "sides": sides, "a": a, "b": b, "ra": ra, "rb": rb, "error": error},
        status=400 if error else 200,
    )
