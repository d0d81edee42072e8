"""The public front door (no sign-in): published 转化资源库, open needs, links to the open-licence listing.

Only what institutions published and enterprises posted is shown, through whitelists (`patents.publishing`,
`_need_view`); contacting anyone needs a sign-in ("登录后联系"). The institution admin's publish page is here too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Role
from panhuo.common.errors import NotFound, PermissionRefused
from panhuo.common.permissions import public, roles_required
from panhuo.common.ratelimit import rate_limited
from panhuo.community.selectors import cases_public
from panhuo.demand.models import Need, NeedStatus
from panhuo.patents import publishing
from panhuo.patents.models import InventoryState

PUBLIC_NEED_STATUSES = (NeedStatus.OPEN, NeedStatus.ANSWERED)


def _login_to(path: str) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': path})}"


def _needs(q: str = "") -> Any:
    needs = Need.objects.filter(status__in=PUBLIC_NEED_STATUSES).select_related("enterprise")
    q = q.strip()[:100]
    if q:
        needs = needs.filter(title__icontains=q) | needs.filter(description__icontains=q)
    return needs.order_by("-published_at", "-id")


def _need_view(need: Need) -> dict[str, Any]:
    """Whitelisted fields of a posted need (no contact, no named patents, no answers)."""
    return {
        "id": need.pk,
        "title": need.title,
        "description": need.description,
        "enterprise": need.enterprise.name,
        "industry_name": need.industry_name,
        "mode": need.get_wanted_mode_display(),
        "budget": need.budget_text,
        "deadline": need.deadline,
        "published_at": need.published_at,
        "status": need.get_status_display(),
    }


@public
@require_GET
def front_door_view(request: HttpRequest) -> HttpResponse:
    records = publishing.inventory_public_search()
    return render(
        request,
        "portal/public/front_door.html",
        {
            "patent_count": records.count(),
            "patents": [publishing.inventory_public_view(r) for r in records[:6]],
            "need_count": _needs().count(),
            "needs": [_need_view(n) for n in _needs()[:6]],
            "case_count": cases_public().count(),
            "cases": [
                {
                    "id": c.pk,
                    "title": c.title,
                    "category": c.get_category_display(),
                    "author": c.author_org.name,
                }
                for c in cases_public().order_by("-published_at", "-pk")[:4]
            ],
        },
    )


@public
@rate_limited("public-search", "60/m")
@require_GET
def patents_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(publishing.inventory_public_search(q), 20).get_page(request.GET.get("page"))
    rows = [publishing.inventory_public_view(r) for r in page]
    return render(request, "portal/public/patents.html", {"page": page, "rows": rows, "q": q})


@public
@require_GET
def patent_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = publishing.inventory_public_view(publishing.inventory_public_get(pk))
    contact = reverse("patents:detail", args=[item["patent_id"]]) if _has_route("patents:detail") else "/"
    return render(request, "portal/public/patent.html", {"item": item, "login_url": _login_to(contact)})


@public
@rate_limited("public-search", "60/m")
@require_GET
def needs_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(_needs(q), 20).get_page(request.GET.get("page"))
    return render(
        request, "portal/public/needs.html", {"page": page, "rows": [_need_view(n) for n in page], "q": q}
    )


@public
@require_GET
def need_view(request: HttpRequest, pk: int) -> HttpResponse:
    need = _needs().filter(pk=pk).first() if 0 < pk < 2**63 else None
    if need is None:
        raise NotFound()
    login_url = _login_to(reverse("demand:need-detail", args=[need.pk]))
    return render(request, "portal/public/need.html", {"item": _need_view(need), "login_url": login_url})


def _has_route(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


@roles_required(Role.INSTITUTION_ADMIN)
@require_http_methods(["GET", "POST"])
def publish_manage_view(request: HttpRequest) -> HttpResponse:
    """The institution admin chooses which of its pooled records the front door shows."""
    user = acting_user(request)
    org = user.organization
    if org is None:
        raise PermissionRefused()
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("record") if v.isdigit()]
        if request.POST.get("scope") == "all":
            ids = list(org.inventory.filter(state=InventoryState.POOLED).values_list("pk", flat=True))
        n = publishing.inventory_publish(
            actor=user, record_ids=ids, publish=request.POST.get("action") == "publish"
        )
        messages.success(request, f"已更新 {n} 条记录的公开状态")
        return redirect("portal:publish")
    records = (
        org.inventory.filter(state=InventoryState.POOLED)
        .select_related("patent")
        .order_by("public_since", "-pooled_at", "pk")
    )
    q = request.GET.get("q", "").strip()[:100]
    if q:
        records = records.filter(patent__title__icontains=q)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    published = org.inventory.filter(state=InventoryState.POOLED, public_since__isnull=False).count()
    return render(request, "portal/public/publish.html", {"page": page, "q": q, "published": published})
