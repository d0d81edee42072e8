"""Pages: disclosure list / form / detail; the TTO's similar-patent search, decision, filing and 申请号 link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from panhuo.accounts.acting import acting_user
from panhuo.common.errors import ApplicationError
from panhuo.common.forms import show_errors
from panhuo.common.permissions import roles_required
from panhuo.disclosures import selectors, services
from panhuo.disclosures.apps import INVENTOR, STAFF
from panhuo.disclosures.forms import (
    DisclosureForm,
    EvaluationForm,
    FilingForm,
    LinkForm,
)
from panhuo.disclosures.models import Disclosure, DisclosureState, PreFilingEvaluation
from panhuo.disclosures.visibility import is_staff_of

READERS = (*INVENTOR, *STAFF)


@roles_required(*READERS)
def disclosure_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in DisclosureState.values else ""
    q = request.GET.get("q", "").strip()
    qs = selectors.disclosure_list(request.user, state=state, q=q).select_related("evaluation")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosures/list.html",
        {
            "page": page,
            "state": state,
            "q": q,
            "states": DisclosureState.choices,
            "today": timezone.localdate(),
        },
    )


def _form_initial(d: Disclosure) -> dict[str, Any]:
    return {
        "title": d.title,
        "field": d.field,
        "problem": d.problem,
        "solution": d.solution,
        "advantages": d.advantages,
        "prior_art": d.prior_art,
        "inventors": "\n".join(f"{i.name} {i.share_bp / 100:g}" for i in d.inventors.all()),
        "funding_source": d.funding_source,
        "funding_projects": ", ".join(d.funding_projects),
        "planned_publication_on": d.planned_publication_on,
        "planned_publication": d.planned_publication,
    }


@roles_required(*READERS)
def disclosure_create(request: HttpRequest) -> HttpResponse:
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            disclosure = services.disclosure_create(
                actor=acting_user(request),
                submit="submit" in request.POST,
                content=form.content(),  # type: ignore[arg-type]
            )
        except ApplicationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "技术交底已提交" if disclosure.submitted_at else "技术交底已保存为草稿")
            return redirect("disclosures:detail", pk=disclosure.pk)
    return render(
        request,
        "disclosures/form.html",
        {"form": form, "disclosure": None},
        status=400 if form.errors else 200,
    )


@roles_required(*READERS)
def disclosure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = selectors.disclosure_get(request.user, pk)
    if request.method == "POST":
        form = DisclosureForm(request.POST)
        if form.is_valid():
            try:
                services.disclosure_update(
                    actor=acting_user(request), disclosure=disclosure, content=form.content()
                )
                if "submit" in request.POST:
                    services.disclosure_submit(actor=acting_user(request), disclosure=disclosure)
            except ApplicationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, "技术交底已提交" if "submit" in request.POST else "技术交底已保存")
                return redirect("disclosures:detail", pk=disclosure.pk)
    else:
        form = DisclosureForm(initial=_form_initial(disclosure))
    return render(
        request,
        "disclosures/form.html",
        {"form": form, "disclosure": disclosure},
        status=400 if form.errors else 200,
    )


def _evaluation(d: Disclosure) -> PreFilingEvaluation | None:
    return PreFilingEvaluation.objects.filter(disclosure=d).first()


def _detail(request: HttpRequest, d: Disclosure, status: int = 200, **forms: Any) -> HttpResponse:
    user = acting_user(request)
    evaluation = _evaluation(d)
    staff = is_staff_of(user, d)
    filing = getattr(d, "filing", None) if d.state == DisclosureState.FILED else None
    context: dict[str, Any] = {
        "d": d,
        "inventors": d.inventors.all(),
        "evaluation": evaluation,
        "filing": filing,
        "staff": staff,
        "is_author": d.submitted_by_id == user.pk and d.state == DisclosureState.DRAFT,
        "today": timezone.localdate(),
    }
    if staff and d.state in (DisclosureState.SUBMITTED, DisclosureState.DECIDED):
        initial = {}
        if evaluation is not None:
            initial = {
                "novelty_notes": evaluation.novelty_notes,
                "market_prospects": evaluation.market_prospects,
                "industrialisation_prospects": evaluation.industrialisation_prospects,
                "decision": evaluation.decision,
                "reasons": evaluation.reasons,
                "deadline": evaluation.deadline,
            }
        context["evaluation_form"] = forms.get("evaluation_form") or EvaluationForm(initial=initial)
    if staff and d.state == DisclosureState.DECIDED and evaluation is not None and evaluation.leads_to_filing:
        context["filing_form"] = forms.get("filing_form") or FilingForm()
    if staff and filing is not None and not filing.app_no:
        context["link_form"] = forms.get("link_form") or LinkForm()
    return render(request, "disclosures/detail.html", context, status=status)


@roles_required(*READERS)
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.disclosure_get(request.user, pk))


@require_POST
@roles_required(*READERS)
def disclosure_submit(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = selectors.disclosure_get(request.user, pk)
    try:
        services.disclosure_submit(actor=acting_user(request), disclosure=disclosure)
    except ApplicationError as exc:
        messages.error(request, exc.message_zh)
    else:
        messages.success(request, "技术交底已提交，等待申请前评估")
    return redirect("disclosures:detail", pk=pk)


@require_POST
@roles_required(*STAFF)
def evaluation_search(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = selectors.disclosure_get(request.user, pk)
    try:
        evaluation = services.evaluation_search_similar(actor=acting_user(request), disclosure=disclosure)
    except ApplicationError as exc:
        messages.error(request, exc.message_zh)
    else:
        messages.success(request, f"已检索到 {len(evaluation.similar_patents)} 件相似专利")
    return redirect("disclosures:detail", pk=pk)


def _staff_step(
    request: HttpRequest, pk: int, form_class: type[forms.Form], slot: str, service: Any, done: str
) -> HttpResponse:
    """One TTO step posted from the detail page: call the service with the form's fields, or show its errors."""
    disclosure = selectors.disclosure_get(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor=acting_user(request), disclosure=disclosure, **form.cleaned_data)
        except ApplicationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("disclosures:detail", pk=pk)
    return _detail(request, disclosure, status=400, **{slot: form})


@require_POST
@roles_required(*STAFF)
def evaluation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_step(
        request, pk, EvaluationForm, "evaluation_form", services.evaluation_decide, "评估结论已保存"
    )


@require_POST
@roles_required(*STAFF)
def filing_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_step(request, pk, FilingForm, "filing_form", services.filing_record, "专利申请已登记")


@require_POST
@roles_required(*STAFF)
def filing_link(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_step(
        request, pk, LinkForm, "link_form", services.filing_link, "申请号已登记，专利已进入存量专利基础库"
    )
