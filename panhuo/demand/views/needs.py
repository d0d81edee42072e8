"""技术需求: list, create, edit, detail with answers; institutions answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from engine.deals.money import yuan_number
from panhuo.accounts.acting import acting_user
from panhuo.common.errors import ApplicationError, ErrorCollector, FieldErrors, NotFound
from panhuo.common.permissions import roles_required
from panhuo.demand import selectors, services
from panhuo.demand.forms import AnswerForm, NeedForm, split_terms, yuan_to_fen
from panhuo.demand.models import Need, NeedStatus
from panhuo.demand.views.common import ENTERPRISE, INSTITUTION_STAFF, NEED_READERS, form_error
from panhuo.patents import picker


@roles_required(*NEED_READERS)
def needs_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    relevant = None
    if user.role in INSTITUTION_STAFF:
        relevant = selectors.needs_relevant_for_institution(user)
    tab = request.GET.get("tab", "mine" if user.role in ENTERPRISE else "all")
    qs = selectors.needs_visible(user)
    if tab == "mine" and user.role in ENTERPRISE:
        qs = qs.filter(enterprise_id=user.organization_id)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(title__icontains=q)
    page = Paginator(qs.order_by("-published_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "demand/needs.html", {"page": page, "relevant": relevant, "tab": tab, "q": q})


def _service_args(form: NeedForm) -> dict[str, Any]:
    d = getattr(form, "cleaned_data", {})
    return {
        "title": d.get("title", ""),
        "description": d.get("description", ""),
        "wanted_mode": d.get("wanted_mode", ""),
        "industry_code": d.get("industry_code", ""),
        "ipc_hints": split_terms(d.get("ipc_hints") or ""),
        "budget_min_fen": yuan_to_fen(d.get("budget_min")),
        "budget_max_fen": yuan_to_fen(d.get("budget_max")),
        "deadline": d.get("deadline"),
    }


def _checked_need(request: HttpRequest, form: NeedForm) -> dict[str, Any] | None:
    """The service arguments when every field is right; else every problem is put on the form at once."""
    valid = form.is_valid()
    errors = ErrorCollector()
    patents = []
    with errors.capture():
        patents = picker.patents_resolve(acting_user(request), form.data.get("patents", ""), scope="visible")
    args = _service_args(form)
    if errors.errors or not valid:
        with errors.capture():
            services.need_check(**args)
    if errors.errors:
        form_error(form, FieldErrors(errors.errors))
        return None
    return {**args, "patent_ids": [p.pk for p in patents]} if valid else None


@roles_required(*ENTERPRISE)
def need_create_view(request: HttpRequest) -> HttpResponse:
    form = NeedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        args = _checked_need(request, form)
        if args is not None:
            try:
                need = services.need_create(
                    actor=acting_user(request), publish="publish" in request.POST, **args
                )
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "需求已保存" if need.status == NeedStatus.DRAFT else "需求已发布")
                return redirect("demand:need-detail", pk=need.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "demand/need_form.html", {"form": form, "need": None}, status=status)


def _own_need(request: HttpRequest, pk: int) -> Need:
    need = selectors.need_get(acting_user(request), pk)
    if need.enterprise_id != request.user.organization_id:  # type: ignore[union-attr]
        raise NotFound()
    return need


@roles_required(*ENTERPRISE)
def need_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    need = _own_need(request, pk)
    if request.method == "POST":
        form = NeedForm(request.POST)
        args = _checked_need(request, form)
        if args is not None:
            try:
                services.need_update(actor=acting_user(request), need=need, **args)
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "需求已更新")
                return redirect("demand:need-detail", pk=need.pk)
    else:
        form = NeedForm(
            initial={
                "title": need.title,
                "description": need.description,
                "industry_code": need.industry_code,
                "ipc_hints": ", ".join(need.ipc_hints),
                "budget_min": None if need.budget_min_fen is None else yuan_number(need.budget_min_fen),
                "budget_max": None if need.budget_max_fen is None else yuan_number(need.budget_max_fen),
                "wanted_mode": need.wanted_mode,
                "deadline": need.deadline,
                "patents": "\n".join(p.key for p in need.patents.all()),
            }
        )
    return render(request, "demand/need_form.html", {"form": form, "need": need})


@require_POST
@roles_required(*ENTERPRISE)
def need_status_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    need = _own_need(request, pk)
    if action == "publish":
        services.need_publish(actor=acting_user(request), need=need)
        messages.success(request, "需求已发布")
    else:
        services.need_close(actor=acting_user(request), need=need)
        messages.success(request, "需求已关闭")
    return redirect("demand:need-detail", pk=need.pk)


def _answer_form(request: HttpRequest, data: Any = None) -> AnswerForm:
    return AnswerForm(data)


def _matches_url(need: Need) -> str | None:
    """The matching app's "patents for this need" fragment, when that app provides one (it is a higher layer)."""
    if need.status == NeedStatus.DRAFT:
        return None
    try:
        return reverse("matching:need-panel", args=[need.pk])
    except NoReverseMatch:
        return None


@roles_required(*NEED_READERS)
def need_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    need = selectors.need_get(user, pk)
    answer_form = None
    if user.role in INSTITUTION_STAFF and need.status in (NeedStatus.OPEN, NeedStatus.ANSWERED):
        answer_form = _answer_form(request)
    return render(
        request,
        "demand/need_detail.html",
        {
            "need": need,
            "answers": selectors.answers_for(user, need),
            "named_patents": need.patents.all(),
            "answer_form": answer_form,
            "is_owner": user.role in ENTERPRISE and need.enterprise_id == user.organization_id,
            "matches_url": _matches_url(need),
        },
    )


@require_POST
@roles_required(*INSTITUTION_STAFF)
def need_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get(acting_user(request), pk)
    form = _answer_form(request, request.POST)
    errors = ErrorCollector()
    patents = []
    with errors.capture():
        patents = picker.patents_resolve(
            acting_user(request), request.POST.get("patents", ""), scope="own_pooled"
        )
    if errors.errors:
        form.is_valid()
        form_error(form, FieldErrors(errors.errors))
    elif form.is_valid():
        try:
            services.need_answer(
                actor=acting_user(request),
                need=need,
                text=form.cleaned_data["text"],
                patent_ids=[p.pk for p in patents],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "答复已提交")
            return redirect("demand:need-detail", pk=need.pk)
    return render(
        request,
        "demand/need_detail.html",
        {
            "need": need,
            "answers": selectors.answers_for(acting_user(request), need),
            "named_patents": need.patents.all(),
            "answer_form": form,
            "is_owner": False,
        },
        status=400,
    )
