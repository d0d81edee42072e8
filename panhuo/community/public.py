"""Public pages (no sign-in): published 典型案例, consenting 技术经理人 and upcoming 对接活动, through whitelists only.

Wired under /public/ by `panhuo.portal.urls` (the front door's one URL space)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from engine.deals.money import format_fen
from panhuo.common.permissions import public
from panhuo.common.ratelimit import rate_limited
from panhuo.community import selectors
from panhuo.community.services import events


@public
@rate_limited("public-search", "60/m")
@require_GET
def cases_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    qs = selectors.cases_public()
    if q:
        qs = qs.filter(title__icontains=q) | qs.filter(summary__icontains=q)
    page = Paginator(qs.order_by("-published_at", "-pk"), 20).get_page(request.GET.get("page"))
    rows = [
        {
            "id": c.pk,
            "title": c.title,
            "category": c.get_category_display(),
            "author": c.author_org.name,
            "summary": c.summary[:200],
            "published_at": c.published_at,
        }
        for c in page
    ]
    return render(request, "community/public/cases.html", {"page": page, "rows": rows, "q": q})


@public
@require_GET
def case_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_public_get(pk)
    view = selectors.case_public_view(case)
    return render(
        request,
        "community/public/case.html",
        {"view": view, "contract": format_fen(case.contract_fen), "revenue": format_fen(case.revenue_fen)},
    )


@public
@require_GET
def managers_view(request: HttpRequest) -> HttpResponse:
    rows = selectors.managers_visible(None).order_by("name")[:200]
    return render(request, "community/public/managers.html", {"rows": rows})


@public
@require_GET
def manager_view(request: HttpRequest, pk: int) -> HttpResponse:
    m = selectors.manager_get(None, pk)
    return render(
        request, "community/public/manager.html", {"m": m, "record": selectors.manager_record(m, None)}
    )


@public
@require_GET
def events_view(request: HttpRequest) -> HttpResponse:
    """Upcoming 对接会 / 路演 / 培训 (Shanghai seed: 以对接会、洽谈会、展示会、推介会等多种形式发布专利技术供给信息): the
    event's facts only; an online event's meeting room is given to registrants, not published."""
    now = timezone.now()
    rows = [
        {
            "id": e.pk,
            "title": e.title,
            "kind": e.get_kind_display(),
            "starts_at": e.starts_at,
            "ends_at": e.ends_at,
            "place": "线上" if e.online else e.place,
            "organiser": e.organiser.name,
            "closes_at": e.registration_closes_at,
            "open": events.registration_open(e, now=now),
            "places_left": max(0, e.capacity - e.registered),  # type: ignore[attr-defined]  # events_public counts
            "description": e.description[:300],
        }
        for e in selectors.events_public(now=now)[:100]
    ]
    return render(request, "community/public/events.html", {"rows": rows})
