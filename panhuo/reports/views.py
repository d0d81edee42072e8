"""Report downloads: an office's report of its region, an institution's report / 专利运营年报 of itself."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from panhuo.accounts.models import Role
from panhuo.common.errors import ApplicationError
from panhuo.common.exports import XLSX_TYPE, download, export_guard
from panhuo.common.permissions import roles_required
from panhuo.monitoring.regions import parse_period
from panhuo.reports.content import report_content
from panhuo.reports.pdf import render_pdf
from panhuo.reports.xlsx import render_xlsx

REPORT_ROLES = (Role.OFFICE_OFFICIAL, Role.INSTITUTION_ADMIN)


@roles_required(*REPORT_ROLES)
def report_page(request: HttpRequest) -> HttpResponse:
    """The acting user's own organization only: no parameter names another tenant."""
    error = ""
    if "period" in request.GET:
        try:
            period = parse_period(request.GET["period"])
            refused = export_guard(request, f"report:{request.GET.get('format') or 'xlsx'}")
            if refused is not None:
                return refused
            content = report_content(organization=request.user.organization, period=period)  # type: ignore[union-attr,arg-type]
            if request.GET.get("format") == "pdf":
                return download(render_pdf(content), f"{content['title']}.pdf", "application/pdf")
            return download(render_xlsx(content), f"{content['title']}.xlsx", XLSX_TYPE)
        except ApplicationError as e:
            error = e.message_zh
    year = timezone.localdate().year
    return render(request, "reports/report.html", {"error": error, "year": year})
