"""Import pages: upload + job list, job page (progress polled from a static JS file), reject report, template."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import User
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.common.exports import CSV_TYPE, XLSX_TYPE, csv_bytes, download
from panhuo.common.permissions import roles_required
from panhuo.common.ratelimit import rate_limited
from panhuo.imports import selectors
from panhuo.imports.registry import get_handler, registered_kinds
from panhuo.imports.template import template_xlsx
from panhuo.imports.uploads import import_upload, upload_error

ROLES = ("institution_admin", "college_admin")
_MULTIPART_SLACK = 1024 * 1024


def _kinds_for(user: User) -> list[tuple[str, str]]:
    kinds = []
    for kind in registered_kinds():
        handler = get_handler(kind)
        if user.role in handler.roles and not kind.startswith("test"):
            kinds.append((kind, handler.label_zh or kind))
    return kinds


def _job_or_404(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.import_job_get(acting_user(request), pk)
    except NotFound:
        raise Http404() from None


@csrf_exempt  # only to answer 413 before the body is read: the CSRF check runs right below
@roles_required(*ROLES)
@rate_limited("imports-upload", "20/h", methods=("POST",))
@require_http_methods(["GET", "POST"])
def job_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        limit = max(settings.PANHUO_MAX_CSV_BYTES, settings.PANHUO_MAX_XLSX_BYTES) + _MULTIPART_SLACK
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            return HttpResponse(
                "文件超过大小上限（CSV ≤200 MB，XLSX ≤50 MB）The file is too large",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
    return csrf_protect(_job_list)(request)


def _job_list(request: HttpRequest) -> HttpResponse:
    user: User = acting_user(request)
    kinds = _kinds_for(user)
    error: ApplicationError | None = None
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind", "patents")
        try:
            if kind not in dict(kinds):
                raise ApplicationError(
                    "import_kind_unknown", "不能导入此类型", "import kind not allowed", "kind"
                )
            if user.organization is None:
                raise PermissionRefused("账号未关联机构", "your account belongs to no organization")
            job = import_upload(request, organization=user.organization, kind=kind, actor=user)
        except ApplicationError as exc:
            error = exc
            status = int(exc.extra.get("status", 400))  # type: ignore[call-overload]
        else:
            return redirect("imports:job-detail", pk=job.pk)
    jobs = selectors.import_jobs_visible(user)[:50]
    message = upload_error(error) if error else ""
    job_rows = list(jobs)
    for job in job_rows:
        job.kind_label = _kind_label(job.kind)  # type: ignore[attr-defined]
    return render(
        request, "imports/list.html", {"jobs": job_rows, "kinds": kinds, "error": message}, status=status
    )


@roles_required(*ROLES)
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    rejects = list(selectors.import_job_rejects(acting_user(request), pk)[:100])
    titles = _column_titles(job.kind)
    for reject in rejects:
        fallback = reject.column if not reject.column.isascii() else "—"
        reject.column_title = titles.get(reject.column, fallback)  # type: ignore[attr-defined]
    return render(
        request,
        "imports/detail.html",
        {
            "job": job,
            "status": selectors.import_job_status(job),
            "rejects": rejects,
            "kind": _kind_label(job.kind),
        },
    )


def _kind_label(kind: str) -> str:
    """A job type in words (专利 / 交易备案 / 企业名录…), never the handler's key."""
    try:
        return get_handler(kind).label_zh or "其他"
    except (KeyError, LookupError, ApplicationError):
        return "其他"


def _column_titles(kind: str) -> dict[str, str]:
    """Column identifier -> the Chinese heading of the import template, for rejects."""
    try:
        return {c.name: c.title_zh for c in get_handler(kind).columns}
    except (KeyError, LookupError, ApplicationError):
        return {}


@roles_required(*ROLES)
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job_or_404(request, pk)
    return JsonResponse(selectors.import_job_status(job))


@roles_required(*ROLES)
@require_GET
def job_rejects_csv(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    rows = selectors.import_job_rejects(acting_user(request), pk).values_list(
        "line", "column", "value", "code", "message_zh", "message_en"
    )
    titles = _column_titles(job.kind)
    readable = (
        (line, titles.get(col, col), v, code, zh, en) for line, col, v, code, zh, en in rows.iterator()
    )
    content = csv_bytes(["行号", "列", "值", "错误代码", "说明", "message"], readable)
    return download(content, f"import-{job.pk}-rejects.csv", CSV_TYPE)


@roles_required(*ROLES)
@require_GET
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in dict(_kinds_for(acting_user(request))):
        raise Http404()
    name = "批量建档模板.xlsx" if kind == "patents" else f"{kind}-template.xlsx"
    return download(template_xlsx(kind), name, XLSX_TYPE)
