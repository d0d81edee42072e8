"""企业名录导入 for IP-office users: upload through the generic import framework, follow the job, get rejects.

(The imports app's own pages serve institution staff; office users upload enterprise lists here.)
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from panhuo.accounts.acting import acting_user
from panhuo.common.errors import ApplicationError
from panhuo.common.exports import CSV_TYPE, XLSX_TYPE, csv_bytes, download
from panhuo.common.permissions import roles_required
from panhuo.demand.views.common import OFFICE
from panhuo.imports import selectors as import_selectors
from panhuo.imports.services import import_job_create

KIND = "enterprises"


@roles_required(*OFFICE)
def enterprise_import_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    error = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ApplicationError(
                    "import_no_file", "请选择要导入的文件", "choose a file to import", "file"
                )
            job = import_job_create(
                organization=user.organization,
                kind=KIND,
                uploaded_file=upload,
                original_name=upload.name,
                actor=user,
            )
        except ApplicationError as exc:
            error = f"{exc.message_zh}（{exc.message_en}）"
            status = 400
        else:
            from panhuo.imports.tasks import import_job_task

            job_id = job.pk
            transaction.on_commit(lambda: import_job_task(job_id))
            return redirect("demand:enterprise-import-job", pk=job.pk)
    jobs = import_selectors.import_jobs_visible(user).filter(kind=KIND)[:30]
    return render(request, "demand/enterprise_import.html", {"jobs": jobs, "error": error}, status=status)


@roles_required(*OFFICE)
@require_GET
def enterprise_import_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_selectors.import_job_get(acting_user(request), pk)
    rejects = import_selectors.import_job_rejects(acting_user(request), pk)[:200]
    return render(
        request,
        "demand/enterprise_import_job.html",
        {"job": job, "status": import_selectors.import_job_status(job), "rejects": rejects},
    )


@roles_required(*OFFICE)
@require_GET
def enterprise_import_rejects_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_selectors.import_job_get(acting_user(request), pk)
    rows = import_selectors.import_job_rejects(acting_user(request), pk).values_list(
        "line", "column", "value", "code", "message_zh", "message_en"
    )
    content = csv_bytes(["行号", "列", "值", "错误代码", "说明", "message"], rows.iterator())
    return download(content, f"enterprise-import-{job.pk}-rejects.csv", CSV_TYPE)


@roles_required(*OFFICE)
@require_GET
def enterprise_import_template_view(request: HttpRequest) -> HttpResponse:
    from panhuo.imports.template import template_xlsx

    return download(template_xlsx(KIND), "企业名录导入模板.xlsx", XLSX_TYPE)
