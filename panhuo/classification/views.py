"""Browse IPC and GB/T 4754 with patent counts, search, suggest industries for a scope, manage editions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from engine.classification.ipc import IpcError, parse_ipc
from panhuo.classification import selectors
from panhuo.classification.models import ConcordanceEdition, ConcordanceRule, Industry, IpcNode, NodeCount
from panhuo.classification.services import edition_activate, edition_import
from panhuo.common.errors import ApplicationError
from panhuo.common.permissions import roles_required, signed_in

# A concordance edition is national reference data: activating one changes every tenant's industries. Only the
# system administrator (configuration, 三员分立) loads and activates editions; a local office does not.
EDITION_ADMINS = ("system_admin",)
MAX_UPLOAD = 20 * 1024 * 1024


def _counts(scheme: str, codes: list[str]) -> dict[str, tuple[int, int]]:
    return {
        c: (p, e)
        for c, p, e in NodeCount.objects.filter(scheme=scheme, code__in=codes).values_list(
            "code", "patents", "enterprises"
        )
    }


@signed_in
def index(request: HttpRequest) -> HttpResponse:
    editions = ConcordanceEdition.objects.order_by("target", "-active", "key")
    return render(
        request,
        "classification/index.html",
        {
            "editions": editions,
            "ipc_total": IpcNode.objects.count(),
            "industry_total": Industry.objects.count(),
            "can_manage": getattr(request.user, "role", None) in EDITION_ADMINS,
        },
    )


@signed_in
def ipc_browse(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("code", "").strip()
    node = None
    if raw:
        try:
            code = parse_ipc(raw).code
        except IpcError as exc:
            messages.error(request, f"{exc.message_zh} / {exc.message_en}")
            return redirect("classification:ipc")
        node = IpcNode.objects.filter(code=code).first()
        if node is None:
            raise Http404("IPC code not in the current edition")
        children = list(IpcNode.objects.filter(parent=node.code).order_by("code")[:2000])
    else:
        children = list(IpcNode.objects.filter(level="section").order_by("code"))
    trail: list[IpcNode] = []
    cur = node
    while cur is not None and cur.parent:
        cur = IpcNode.objects.filter(code=cur.parent).first()
        if cur is not None:
            trail.insert(0, cur)
    counts = _counts("ipc", [c.code for c in children] + ([node.code] if node else []))
    rules = []
    if node is not None and node.level in ("main_group", "subgroup"):
        main = node.code.split("/")[0] + "/00"
        rules = list(
            ConcordanceRule.objects.filter(edition__active=True, pattern__in=[node.code, main])
            .select_related("edition")
            .order_by("edition__target", "-confidence")[:20]
        )
    return render(
        request,
        "classification/ipc.html",
        {
            "node": node,
            "trail": trail,
            "children": [(c, counts.get(c.code, (0, 0))[0]) for c in children],
            "node_patents": counts.get(node.code, (0, 0))[0] if node else None,
            "rules": rules,
        },
    )


@signed_in
def industry_browse(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip().upper()
    node = None
    if code:
        node = Industry.objects.filter(code=code).first()
        if node is None:
            raise Http404("industry code not found")
        children = list(Industry.objects.filter(parent_code=node.code).order_by("code"))
    else:
        children = list(Industry.objects.filter(level=1).order_by("code"))
    trail: list[Industry] = []
    cur = node
    while cur is not None and cur.parent_code:
        cur = Industry.objects.filter(code=cur.parent_code).first()
        if cur is not None:
            trail.insert(0, cur)
    counts = _counts("gbt4754", [c.code for c in children] + ([node.code] if node else []))
    includes, excludes = _split_notes(node.description if node else "")
    return render(
        request,
        "classification/industry.html",
        {
            "node": node,
            "trail": trail,
            "children": [(c, *counts.get(c.code, (0, 0))) for c in children],
            "node_counts": counts.get(node.code, (0, 0)) if node else None,
            "includes": includes,
            "excludes": excludes,
            "tags": selectors.industry_tags(node.code) if node else [],
        },
    )


def _split_notes(text: str) -> tuple[list[str], list[str]]:
    """Official notes -> (◇ 包括 paragraphs, ◆ 不包括 paragraphs)."""
    inc: list[str] = []
    exc: list[str] = []
    target = inc
    for part in (text or "").replace("◆", "\n◆").replace("◇", "\n◇").splitlines():
        part = part.strip()
        if not part:
            continue
        if part.startswith("◆"):
            target, part = exc, part[1:].strip()
        elif part.startswith("◇"):
            target, part = inc, part[1:].strip()
        if part:
            target.append(part)
    return inc, exc


@signed_in
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    ipc = list(selectors.ipc_search(q, limit=50)) if q else []
    industries = list(selectors.industry_search(q, limit=50)) if q else []
    return render(request, "classification/search.html", {"q": q, "ipc": ipc, "industries": industries})


@signed_in
def suggest(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "").strip()[:5000]
    results = selectors.suggest_industries_for_scope(scope) if scope else []
    return render(request, "classification/suggest.html", {"scope": scope, "results": results})


@roles_required(*EDITION_ADMINS)
def edition_upload(request: HttpRequest) -> HttpResponse:
    outcome = None
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ApplicationError("file_required", "请选择文件", "choose a file", "file")
            if upload.size and upload.size > MAX_UPLOAD:
                raise ApplicationError(
                    "file_too_large", "文件过大（上限 20 MB）", "file too large (20 MB)", "file"
                )
            outcome = edition_import(
                filename=upload.name or "upload.csv",
                content=upload.read(),
                target=request.POST.get("target", "gbt4754"),
                name=request.POST.get("name", ""),
                actor=request.user,
                exact_codes=request.POST.get("exact") == "on",
            )
        except ApplicationError as exc:
            error = exc
    return render(request, "classification/upload.html", {"outcome": outcome, "error": error})


@roles_required(*EDITION_ADMINS)
def edition_activate_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("classification:index")
    try:
        ed = edition_activate(key=request.POST.get("key", ""), actor=request.user)
        messages.success(request, f"已启用 {ed.name}")
    except ApplicationError as exc:
        messages.error(request, f"{exc.message_zh} / {exc.message_en}")
    return redirect("classification:index")
