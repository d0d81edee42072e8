"""Pages: search (need / free text → patents), need and patent panels, brokering, pushes, unsubscribe, index builds."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Role
from panhuo.common.errors import ApplicationError, NotFound
from panhuo.common.permissions import public, roles_required, signed_in
from panhuo.matching import selectors, services
from panhuo.matching.models import PushPreference

BROKER_ROLES = tuple(str(r) for r in selectors.BROKER_ROLES)


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value or default)))
    except ValueError:
        return default


@signed_in
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    industry = request.GET.get("industry", "").strip()[:8]
    ipc = [c for c in request.GET.get("ipc", "").replace("，", ",").split(",") if c.strip()][:5]
    top = _int(request.GET.get("top"), 10, 1, 50)
    results, error = [], None
    if q:
        try:
            results = selectors.patents_for_text(
                acting_user(request), q, industry=industry, ipc=ipc, top_k=top
            )
        except ApplicationError as exc:
            error = f"{exc.message_zh} {exc.message_en}"
    context = {
        "q": q,
        "industry": industry,
        "ipc": ",".join(ipc),
        "top": top,
        "results": results,
        "error": error,
        "notice": selectors.index_notice() if q and not error else "",
    }
    return render(request, "matching/search.html", context)


@signed_in
def need_panel(request: HttpRequest, need_id: int) -> HttpResponse:
    try:
        need, results = selectors.patents_for_need(acting_user(request), need_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "matching/_patent_hits.html",
        {"results": results, "need": need, "notice": selectors.index_notice()},
    )


@roles_required(*BROKER_ROLES)
def patent_panel(request: HttpRequest, patent_id: int) -> HttpResponse:
    try:
        patent, found = selectors.enterprises_for_patent(request.user, patent_id)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "matching/_enterprise_hits.html",
        {"patent": patent, "results": found.matches, "notice": found.notice},
    )


@roles_required(Role.INSTITUTION_ADMIN, Role.COLLEGE_ADMIN)
def broker(request: HttpRequest) -> HttpResponse:
    chosen = [int(p) for p in request.GET.getlist("p") if p.isdigit()][:20]
    rows = []
    if chosen:
        try:
            rows = selectors.enterprises_for_patents(request.user, chosen)  # type: ignore[arg-type]
        except NotFound as exc:
            raise Http404 from exc
    return render(
        request,
        "matching/broker.html",
        {"patents": selectors.broker_patents(acting_user(request)), "rows": rows, "chosen": set(chosen)},
    )


@roles_required(Role.ENTERPRISE_USER)
@require_http_methods(["GET", "POST"])
def pushed(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.push_preference_set(actor=request.user, enabled=request.POST.get("enabled") == "1")  # type: ignore[arg-type]
            messages.success(request, "推送设置已保存")
        except ApplicationError as exc:
            messages.error(request, exc.message_zh)
        return redirect("matching:pushed")
    org_id = getattr(request.user, "organization_id", None)
    pref = PushPreference.objects.filter(organization_id=org_id).first() if org_id else None
    return render(
        request,
        "matching/pushed.html",
        {
            "matches": selectors.pushed_of(acting_user(request)),
            "notifications": selectors.notifications_of(acting_user(request)),
            "enabled": pref.enabled if pref else True,
        },
    )


@public
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    done, error, org = False, None, None
    if request.method == "POST":
        try:
            org = services.push_unsubscribe(token=token)
            done = True
        except ApplicationError as exc:
            error = exc.message_zh
    return render(
        request, "matching/unsubscribe.html", {"done": done, "error": error, "org": org, "token": token}
    )


@roles_required(Role.SYSTEM_ADMIN, Role.OFFICE_OFFICIAL)
def builds(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "matching/builds.html",
        {"builds": selectors.latest_builds(), "segments": selectors.index_segments()},
    )


@roles_required(Role.SYSTEM_ADMIN)
@require_POST
def build_start(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "delta")
    try:
        services.index_build_request(actor=acting_user(request), kind=kind)
        messages.success(request, "已提交索引构建")
    except ApplicationError as exc:
        messages.error(request, exc.message_zh)
    return redirect("matching:builds")


@roles_required(Role.SYSTEM_ADMIN, Role.OFFICE_OFFICIAL)
def pushes(request: HttpRequest) -> HttpResponse:
    return render(request, "matching/pushes.html", {"runs": selectors.latest_push_runs()})


@roles_required(Role.SYSTEM_ADMIN, Role.OFFICE_OFFICIAL)
@require_POST
def push_start(request: HttpRequest) -> HttpResponse:
    try:
        run = services.push_run_start(actor=request.user)  # type: ignore[arg-type]
        messages.success(request, f"已提交推送批次 #{run.pk}（后台运行，本页显示进度）")
    except ApplicationError as exc:
        messages.error(request, f"{exc.message_zh} {exc.message_en}")
    return redirect("matching:pushes")
