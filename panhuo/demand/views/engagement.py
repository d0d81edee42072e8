"""我的订阅, 我的收藏, 合作请求, and the enterprise panel embedded in the patent page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Organization
from panhuo.common.crypto import mask_phone
from panhuo.common.errors import ApplicationError, NotFound
from panhuo.common.permissions import roles_required
from panhuo.demand import selectors, services
from panhuo.demand.forms import CooperationRequestForm, ReplyForm, SubscriptionForm, split_terms
from panhuo.demand.models import RequestStatus
from panhuo.demand.views.common import ENTERPRISE, INSTITUTION_STAFF, OFFICE, form_error
from panhuo.patents.models import Patent
from panhuo.patents.selectors import patent_get


def _back(request: HttpRequest, default: str) -> HttpResponse:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect(default)


def _subscription_form(data: Any = None) -> SubscriptionForm:
    form = SubscriptionForm(data)
    institutions = Organization.objects.filter(type__in=["university", "institute"]).order_by("name")[:500]
    field: Any = form.fields["institution_ids"]
    field.choices = [(str(o.pk), o.name) for o in institutions]
    return form


@roles_required(*ENTERPRISE)
def subscriptions_view(request: HttpRequest) -> HttpResponse:
    form = _subscription_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.subscription_create(
                actor=acting_user(request),
                name=d["name"],
                keywords=split_terms(d["keywords"]),
                ipc_codes=split_terms(d["ipc_codes"]),
                industry_codes=split_terms(d["industry_codes"]),
                institution_ids=[int(x) for x in d["institution_ids"]],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "订阅已创建")
            return redirect("demand:subscriptions")
    return render(
        request,
        "demand/subscriptions.html",
        {"form": form, "subscriptions": selectors.subscriptions_of(acting_user(request))},
    )


@require_POST
@roles_required(*ENTERPRISE)
def subscription_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    services.subscription_delete(
        actor=acting_user(request), subscription=selectors.subscription_get(acting_user(request), pk)
    )
    messages.success(request, "订阅已删除")
    return redirect("demand:subscriptions")


@roles_required(*ENTERPRISE)
def favourites_view(request: HttpRequest) -> HttpResponse:
    return render(
        request, "demand/favourites.html", {"favourites": selectors.favourites_of(acting_user(request))}
    )


def _patent_url(patent: Patent) -> str:
    try:
        return reverse("patents:detail", args=[patent.pk])
    except NoReverseMatch:  # the patents page is owned elsewhere; fall back to our favourites page
        return reverse("demand:favourites")


@roles_required(*ENTERPRISE)
def patent_panel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """HTML fragment inserted into the patent page: favourite, cooperation request, subscribe to similar."""
    patent = get_object_or_404(Patent, pk=pk)
    holders = selectors.pooled_holders(patent)
    return render(
        request,
        "demand/patent_panel.html",
        {
            "patent": patent,
            "holders": holders,
            "favourite": selectors.is_favourite(acting_user(request), patent),
            "form": CooperationRequestForm(),
            "next": _patent_url(patent),
        },
    )


@require_POST
@roles_required(*ENTERPRISE)
def favourite_toggle_view(request: HttpRequest, pk: int) -> HttpResponse:
    patent = get_object_or_404(Patent, pk=pk)
    added = services.favourite_toggle(actor=acting_user(request), patent=patent)
    messages.success(request, "已收藏" if added else "已取消收藏")
    return _back(request, reverse("demand:favourites"))


@require_POST
@roles_required(*ENTERPRISE)
def subscribe_similar_view(request: HttpRequest, pk: int) -> HttpResponse:
    patent = get_object_or_404(Patent, pk=pk)
    services.subscription_similar_to_patent(actor=acting_user(request), patent=patent)
    messages.success(request, "已订阅相似专利")
    return _back(request, reverse("demand:subscriptions"))


@roles_required(*ENTERPRISE)
def request_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a cooperation request; a refusal comes back on this form with everything typed still there."""
    try:  # only a patent the enterprise may see (pooled): anything else is "not found", title included
        patent = patent_get(acting_user(request), pk)
    except NotFound:
        raise Http404() from None
    holders = selectors.pooled_holders(patent)
    form = CooperationRequestForm(request.POST or None)
    if request.method == "POST":
        valid = form.is_valid()
        institution = None
        chosen = request.POST.get("institution", "")
        if chosen:
            institution = next((h for h in holders if str(h.pk) == chosen), None)
            if institution is None:
                form.add_error(None, "请选择持有该专利的机构")
        if valid and not form.errors:
            try:
                req = services.cooperation_request_create(
                    actor=acting_user(request), patent=patent, institution=institution, **form.cleaned_data
                )
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "合作请求已发送")
                return redirect("demand:request-detail", pk=req.pk)
    return render(
        request,
        "demand/request_form.html",
        {"patent": patent, "holders": holders, "form": form, "chosen": request.POST.get("institution", "")},
        status=400 if form.errors else 200,
    )


@roles_required(*ENTERPRISE, *INSTITUTION_STAFF, *OFFICE)
def requests_view(request: HttpRequest) -> HttpResponse:
    qs = selectors.requests_visible(acting_user(request))
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    return render(
        request,
        "demand/requests.html",
        {"requests": qs[:300], "status": status, "statuses": RequestStatus.choices},
    )


@roles_required(*ENTERPRISE, *INSTITUTION_STAFF, *OFFICE)
def request_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    req = selectors.request_get(user, pk)
    form = None
    if user.role in INSTITUTION_STAFF:
        form = ReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.cooperation_request_reply(actor=user, request=req, **form.cleaned_data)
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "已处理")
                return redirect("demand:request-detail", pk=req.pk)
    phone = (
        req.contact_phone if user.role in INSTITUTION_STAFF + ENTERPRISE else mask_phone(req.contact_phone)
    )
    return render(
        request,
        "demand/request_detail.html",
        {
            "req": req,
            "form": form if req.status in (RequestStatus.NEW, RequestStatus.REPLIED) else None,
            "phone": phone,
            "can_close": user.role in ENTERPRISE + INSTITUTION_STAFF,
        },
    )


@require_POST
@roles_required(*ENTERPRISE, *INSTITUTION_STAFF)
def request_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_get(acting_user(request), pk)
    services.cooperation_request_close(actor=acting_user(request), request=req)
    messages.success(request, "请求已关闭")
    return redirect("demand:request-detail", pk=req.pk)


@roles_required(*OFFICE)
def responses_view(request: HttpRequest) -> HttpResponse:
    try:
        days = max(1, min(365, int(request.GET.get("days", ""))))
    except ValueError:
        days = None
    report = selectors.response_report(acting_user(request), overdue_days=days)
    return render(request, "demand/responses.html", {"report": report})
