"""Patent pages: list/search, detail (with app panels), 建档 form, review queues, 转化资源库, coverage."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import College, Organization, Role
from panhuo.common.errors import ApplicationError, FieldErrors, NotFound
from panhuo.common.permissions import roles_required, signed_in
from panhuo.common.ratelimit import rate_limited
from panhuo.patents import assignment, permissions, selectors, services
from panhuo.patents.forms import AssignForm, InventoryFillForm, ReviewForm
from panhuo.patents.models import (
    ConversionMode,
    InventoryRecord,
    InventoryState,
    LegalStatus,
    PatentIndustry,
    PatentType,
)
from panhuo.patents.panels import patent_panels
from panhuo.patents.rights.services import rights_conflict_resolve

PAGE_SIZE = 25


def _record_or_404(request: HttpRequest, pk: int) -> InventoryRecord:
    try:
        return selectors.inventory_get(request.user, pk)
    except NotFound:
        raise Http404() from None


def _filter_options(request: HttpRequest, base: QuerySet[InventoryRecord]) -> dict[str, Any]:
    user = acting_user(request)
    org_ids = base.values("organization_id").distinct()
    colleges = College.objects.none()
    if user.role in selectors.OWNER_ROLES and user.organization_id:
        colleges = College.objects.filter(organization_id=user.organization_id)
    return {
        "organizations": Organization.objects.filter(pk__in=org_ids).order_by("name"),
        "colleges": colleges,
        "patent_types": PatentType.choices,
        "legal_statuses": LegalStatus.choices,
        "states": InventoryState.choices,
        "modes": ConversionMode.choices,
        "schemes": PatentIndustry.Scheme.choices,
    }


def _listing(
    request: HttpRequest, base: QuerySet[InventoryRecord], template: str, extra: dict[str, Any]
) -> HttpResponse:
    filters = selectors.filters_from(request.GET)
    records = selectors.inventory_search(request.user, filters, base=base)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    terms = selectors.keyword_terms(filters.q) if filters.q else []
    context = {"page": page, "filters": filters, "terms": terms, **_filter_options(request, base), **extra}
    return render(request, template, context)


@signed_in
@rate_limited("search", "120/m")
@require_http_methods(["GET"])
def patent_list(request: HttpRequest) -> HttpResponse:
    """专利清单: institution people their own inventory, everyone else the pool."""
    base = selectors.inventory_list_base(request.user)
    own = getattr(request.user, "role", None) in selectors.OWNER_ROLES
    title = "专利清单" if own else "专利清单（转化资源库）"
    return _listing(request, base, "patents/list.html", {"title": title, "show_state": own})


@signed_in
@rate_limited("search", "120/m")
@require_http_methods(["GET"])
def pool(request: HttpRequest) -> HttpResponse:
    """专利转化资源库: every pooled record, whitelisted fields only."""
    base = selectors.inventory_pool(request.user)
    return _listing(request, base, "patents/pool.html", {"title": "专利转化资源库", "show_state": False})


@signed_in
@require_http_methods(["GET"])
def patent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        patent = selectors.patent_get(request.user, pk)
    except NotFound:
        raise Http404() from None
    records = []
    for record in selectors.patent_records(request.user, patent):
        records.append(
            {
                "record": record,
                "view": selectors.record_public_view(request.user, record),
                "owner": selectors.is_owner_side(request.user, record),
                "history": selectors.review_history(request.user, record),
                "actions": [a.name for a in permissions.inventory_actions(request.user, record)],
            }
        )
    context = {
        "patent": patent,
        "records": records,
        "industries": patent.industries.order_by("scheme", "code"),
        "panels": patent_panels(request.user, patent.pk),
        "review_form": ReviewForm(),
    }
    return render(request, "patents/detail.html", context)


@signed_in  # object routes answer 404 for anything outside the user's tenant, whatever the role
@require_http_methods(["GET", "POST"])
def inventory_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """The 建档 form."""
    record = _record_or_404(request, pk)
    if record.organization_id != getattr(request.user, "organization_id", None):
        raise Http404()
    if not permissions.may_fill(request.user, record):
        raise Http404()
    if request.method == "POST":
        form = InventoryFillForm(request.POST)
        if form.is_valid():
            try:
                services.inventory_fill(
                    actor=acting_user(request),
                    record=record,
                    changes=form.changes(),
                    proxy_filing=bool(form.cleaned_data.get("proxy_filing")),
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message_zh)
            else:
                if request.POST.get("then") == "submit":
                    try:
                        services.inventory_submit(actor=acting_user(request), record=record)
                        messages.success(request, "已保存并提交审核")
                    except FieldErrors as exc:
                        # stay on the form: what was typed is saved as a draft, every missing field is marked
                        for error in exc.errors:
                            form.add_error(
                                error.field if error.field in form.fields else None, error.message_zh
                            )
                        messages.info(request, "已保存草稿，补全标红的栏目后即可提交审核")
                        return render(
                            request,
                            "patents/fill.html",
                            {"form": form, "record": record, "patent": record.patent},
                            status=400,
                        )
                    except ApplicationError as exc:
                        messages.error(request, f"已保存草稿，但未能提交：{exc.message_zh}")
                else:
                    messages.success(request, "建档信息已保存（草稿）")
                return redirect("patents:detail", pk=record.patent_id)
    else:
        form = InventoryFillForm(initial=InventoryFillForm.initial_from(record))
    return render(request, "patents/fill.html", {"form": form, "record": record, "patent": record.patent})


@signed_in
@require_POST
def inventory_submit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_404(request, pk)
    try:
        services.inventory_submit(actor=acting_user(request), record=record)
        messages.success(request, "已提交审核")
    except NotFound:
        raise Http404() from None
    except ApplicationError as exc:
        messages.error(request, exc.message_zh)
    return redirect("patents:detail", pk=record.patent_id)


@signed_in
@require_POST
def inventory_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or return (with a reason) from the queue or the detail page."""
    record = _record_or_404(request, pk)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            services.inventory_approve(actor=acting_user(request), record=record, comment=comment)
            messages.success(request, f"{record.patent.key} 审核通过")
        elif decision == "return":
            services.inventory_return(actor=acting_user(request), record=record, reason=comment)
            messages.success(request, f"{record.patent.key} 已退回修改")
        else:
            messages.error(request, "未知的审核操作")
    except NotFound:
        raise Http404() from None
    except ApplicationError as exc:
        messages.error(request, exc.message_zh)
    target = request.POST.get("back")
    if target == "queue":
        return redirect("patents:queue")
    return redirect("patents:detail", pk=record.patent_id)


QUEUE_SORTS = {
    "submitted": ("submitted_at", "pk"),
    "-submitted": ("-submitted_at", "-pk"),
    "title": ("patent__title", "pk"),
    "trl": ("-trl", "submitted_at", "pk"),
    "grade": ("value_self_grade", "submitted_at", "pk"),
}
QUEUE_SORT_LABELS = {"submitted": "提交时间（先到先审）", "-submitted": "提交时间（最新）", "title": "名称",
                     "trl": "TRL（高的在前）", "grade": "自评等级"}  # fmt: skip
BATCH_LIMIT = 200


@roles_required(*selectors.REVIEWER_ROLES)
@require_http_methods(["GET"])
def review_queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    q = request.GET.get("q", "").strip()[:100]
    college = selectors._int_or_none(request.GET.get("college"))
    sort = request.GET.get("sort", "submitted")
    queue = selectors.review_queue_search(user, q=q, college_id=college).order_by(
        *QUEUE_SORTS.get(sort, QUEUE_SORTS["submitted"])
    )
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    level = "学院审核" if user.role == Role.COLLEGE_ADMIN else "学校审核"
    colleges = (
        College.objects.filter(organization_id=user.organization_id).order_by("name")
        if user.role == Role.INSTITUTION_ADMIN and user.organization_id is not None
        else College.objects.none()
    )
    context = {
        "page": page,
        "level": level,
        "review_form": ReviewForm(),
        "q": q,
        "college": college,
        "colleges": colleges,
        "sort": sort if sort in QUEUE_SORTS else "submitted",
        "sorts": QUEUE_SORT_LABELS,
    }
    return render(request, "patents/queue.html", context)


@roles_required(*selectors.REVIEWER_ROLES)
@require_http_methods(["POST"])
def review_batch(request: HttpRequest) -> HttpResponse:
    """Approve the ticked records of the queue (the page asks for confirmation first); each is its own review."""
    user = acting_user(request)
    ids = [i for i in (selectors._int_or_none(x) for x in request.POST.getlist("records")) if i is not None]
    if not ids:
        messages.error(request, "请先勾选要通过的记录")
        return redirect(_queue_url(request))
    if len(ids) > BATCH_LIMIT:
        messages.error(request, f"一次最多批量通过 {BATCH_LIMIT} 条")
        return redirect(_queue_url(request))
    comment = request.POST.get("comment", "")
    approved, refused = 0, []
    for record in selectors.review_queue(user).select_related("patent").filter(pk__in=ids[:BATCH_LIMIT]):
        try:
            services.inventory_approve(actor=user, record=record, comment=comment)
            approved += 1
        except ApplicationError as exc:
            refused.append(f"{record.patent.key}：{exc.message_zh}")
    missing = len(set(ids)) - approved - len(refused)
    messages.success(request, f"已批量通过 {approved} 条")
    for line in refused:
        messages.error(request, line)
    if missing:
        messages.error(request, f"{missing} 条已不在待审核队列中（可能已被他人处理）")
    return redirect(_queue_url(request))


def _queue_url(request: HttpRequest) -> str:
    """Back to the queue with the same search, college and sort."""
    keep = {k: request.POST.get(k, "") for k in ("q", "college", "sort") if request.POST.get(k)}
    return reverse("patents:queue") + (f"?{urlencode(keep)}" if keep else "")


@roles_required(*selectors.COVERAGE_ROLES)
@require_http_methods(["GET"])
def coverage(request: HttpRequest) -> HttpResponse:
    """建档率 / 入库率 per institution, and per college for one institution."""
    user = acting_user(request)
    institutions = selectors.coverage_by_organization(user)
    org_id = selectors._int_or_none(request.GET.get("organization"))
    if org_id is None and user.role in selectors.REVIEWER_ROLES:
        org_id = user.organization_id
    colleges: list[selectors.CoverageRow] = []
    selected = None
    if org_id is not None:
        try:
            colleges = selectors.coverage_by_college(user, org_id)
        except NotFound:
            raise Http404() from None
        selected = Organization.objects.get(pk=org_id)
    return render(
        request,
        "patents/coverage.html",
        {"institutions": institutions, "colleges": colleges, "selected": selected},
    )


@roles_required(Role.INSTITUTION_ADMIN)
@require_http_methods(["GET", "POST"])
def inventory_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Institution admin: set a record's college and inventor accounts."""
    record = _record_or_404(request, pk)
    user = acting_user(request)
    if record.organization_id != user.organization_id:
        raise Http404()
    form = AssignForm(request.POST or None, organization_id=record.organization_id)
    if request.method == "POST" and form.is_valid():
        try:
            assignment.inventory_assign(
                actor=user,
                record=record,
                college=form.cleaned_data["college"],
                inventor_users=list(form.cleaned_data["inventor_users"]),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message_zh)
        else:
            messages.success(request, "已分配")
            return redirect("patents:detail", pk=record.patent_id)
    elif request.method == "GET":
        form = AssignForm(
            initial={"college": record.college_id, "inventor_users": list(record.inventor_users.all())},
            organization_id=record.organization_id,
        )
    return render(request, "patents/assign.html", {"form": form, "record": record, "patent": record.patent})


@roles_required(Role.INSTITUTION_ADMIN)
@require_POST
def inventory_autoassign(request: HttpRequest) -> HttpResponse:
    """Link inventor accounts by name and give college-less records their first inventor's college."""
    user = acting_user(request)
    if user.organization is None:
        raise Http404()
    result = assignment.inventory_autoassign(organization=user.organization, actor=user)
    messages.success(request, f"已关联发明人 {result['linked']} 处，分配学院 {result['colleges']} 件")
    return redirect("patents:coverage")


@roles_required(Role.INSTITUTION_ADMIN)
@require_http_methods(["GET", "POST"])
def rights_conflicts(request: HttpRequest) -> HttpResponse:
    """复核清单: a co-holder's imported values that differ from this institution's; accept or keep ours."""
    user = acting_user(request)
    if request.method == "POST":
        try:
            rights_conflict_resolve(
                actor=user,
                conflict_id=int(request.POST.get("conflict", "0") or 0),
                accept=request.POST.get("decision") == "accept",
            )
        except (ApplicationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message_zh", "输入无效"))
        return redirect("patents:conflicts")
    page = Paginator(selectors.rights_conflicts_open(user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(c, *selectors.conflict_display(c)) for c in page]
    return render(request, "patents/conflicts.html", {"page": page, "rows": rows})
