"""企业名录导入 for IP-office users: upload through the generic import framework, follow the job, get rejects.

(The imports app's own pages serve institution staff; office users upload enterprise lists here.)
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from panhuo.accounts.acting import acting_user
from panhuo.common.exports import CSV_TYPE, XLSX_TYPE, csv_bytes, download
from panhuo.common.permissions import roles_required
from panhuo.demand.views.common import OFFICE
from panhuo.imports import selectors as import_selectors
from panhuo.imports.uploads import kind_import_page

KIND = "enterprises"


@roles_required(*OFFICE)
def enterprise_import_view(request: HttpRequest) -> HttpResponse:
    return kind_import_page(
        request, kind=KIND, template="demand/enterprise_import.html", job_url="demand:enterprise-import-job"
    )


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
