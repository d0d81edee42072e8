"""专利密集型产品备案 pages: enterprises record their products; the office of the region confirms or rejects;
offices import a certified list (kind "products") through the import framework."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from engine.deals.money import format_fen
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.common.errors import ApplicationError
from panhuo.common.exports import XLSX_TYPE, download
from panhuo.common.forms import show_errors
from panhuo.common.permissions import roles_required
from panhuo.imports import selectors as import_selectors
from panhuo.imports.template import template_xlsx
from panhuo.imports.uploads import kind_import_page
from panhuo.monitoring import products
from panhuo.monitoring.models import ProductFiling, ProductStatus

READERS = (Role.ENTERPRISE_USER, Role.OFFICE_OFFICIAL)
OFFICE = (Role.OFFICE_OFFICIAL,)
IMPORT_KIND = "products"


class ProductForm(forms.Form):
    enterprise_credit_code = forms.CharField(
        label="企业统一社会信用代码（知识产权局代为登记时填写）", max_length=30, required=False
    )
    product = forms.CharField(label="产品名称", max_length=200, required=False)
    filing_number = forms.CharField(label="专利密集型产品备案号", max_length=40, required=False)
    filed_on = forms.DateField(
        label="备案日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    patent_keys = forms.CharField(
        label="使用的专利（申请号，多个用逗号或换行分隔）",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    sales_year = forms.IntegerField(label="销售额年度", required=False)
    sales = forms.CharField(label="年销售额（元）", max_length=30, required=False)

    def row(self) -> products.ProductRow:
        d = self.cleaned_data
        return products.product_row_validate(
            product=d["product"],
            filed_on=d["filed_on"],
            filing_number=d["filing_number"],
            patent_keys=d["patent_keys"],
            sales_year=d["sales_year"],
            sales_yuan=d["sales"],
        )


def _enterprise(user: User, form: ProductForm) -> Organization | None:
    if user.role != Role.OFFICE_OFFICIAL:
        return None
    code = (form.cleaned_data.get("enterprise_credit_code") or "").strip().upper()
    found = (
        Organization.objects.filter(type=OrganizationType.ENTERPRISE, credit_code=code).first()
        if code
        else None
    )
    if found is None:
        raise ApplicationError(
            "enterprise",
            "未找到该统一社会信用代码的企业",
            "no enterprise with this credit code",
            "enterprise_credit_code",
        )
    return found


@roles_required(*READERS)
def product_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = products.products_visible(acting_user(request))
    if status in ProductStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-filed_on", "-id"), 50).get_page(request.GET.get("page"))
    for pf in page:
        pf.sales_text = format_fen(pf.sales_fen) if pf.sales_fen is not None else "—"  # type: ignore[attr-defined]
    return render(
        request,
        "monitoring/products.html",
        {"page": page, "status": status, "statuses": ProductStatus.choices},
    )


@roles_required(*READERS)
def product_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pf = products.product_record(actor=user, row=form.row(), enterprise=_enterprise(user, form))
        except ApplicationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request, "产品记录已登记" + ("，等待知识产权局确认" if pf.status == "pending" else "")
            )
            return redirect("monitoring:product-detail", pk=pf.pk)
    return render(
        request,
        "monitoring/product_form.html",
        {"form": form, "pf": None},
        status=400 if form.errors else 200,
    )


@roles_required(Role.ENTERPRISE_USER)
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pf = products.product_get(acting_user(request), pk)
    if request.method == "POST":
        form = ProductForm(request.POST)
        if form.is_valid():
            try:
                products.product_update(actor=acting_user(request), product=pf, row=form.row())
            except ApplicationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, "产品记录已更新，等待知识产权局确认")
                return redirect("monitoring:product-detail", pk=pf.pk)
    else:
        form = ProductForm(
            initial={
                "product": pf.product,
                "filing_number": pf.filing_number,
                "filed_on": pf.filed_on,
                "patent_keys": "\n".join(pf.patent_keys),
                "sales_year": pf.sales_year,
                "sales": format_fen(pf.sales_fen) if pf.sales_fen is not None else "",
            }
        )
    return render(
        request, "monitoring/product_form.html", {"form": form, "pf": pf}, status=400 if form.errors else 200
    )


def _detail(request: HttpRequest, pf: ProductFiling, status: int = 200, error: str = "") -> HttpResponse:
    from panhuo.patents.models import Patent

    known = dict(Patent.objects.filter(app_no__in=pf.patent_keys).values_list("app_no", "pk"))
    return render(
        request,
        "monitoring/product_detail.html",
        {
            "pf": pf,
            "patents": [(key, known.get(key)) for key in pf.patent_keys],
            "sales": format_fen(pf.sales_fen) if pf.sales_fen is not None else "—",
            "can_review": request.user.role == Role.OFFICE_OFFICIAL and pf.status == ProductStatus.PENDING,  # type: ignore[union-attr]
            "can_edit": request.user.role == Role.ENTERPRISE_USER and pf.status != ProductStatus.CONFIRMED,  # type: ignore[union-attr]
            "error": error,
        },
        status=status,
    )


@roles_required(*READERS)
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, products.product_get(acting_user(request), pk))


@require_POST
@roles_required(*OFFICE)
def product_review(request: HttpRequest, pk: int) -> HttpResponse:
    pf = products.product_get(acting_user(request), pk)
    try:
        if request.POST.get("action") == "confirm":
            products.product_confirm(actor=acting_user(request), product=pf)
            messages.success(request, "已确认")
        else:
            products.product_reject(
                actor=acting_user(request), product=pf, reason=request.POST.get("reason", "")
            )
            messages.success(request, "已退回企业")
    except ApplicationError as exc:
        return _detail(request, pf, status=400, error=f"{exc.message_zh}（{exc.message_en}）")
    return redirect("monitoring:product-detail", pk=pk)


@roles_required(*OFFICE)
def product_import(request: HttpRequest) -> HttpResponse:
    return kind_import_page(
        request,
        kind=IMPORT_KIND,
        template="monitoring/product_import.html",
        job_url="monitoring:product-import-job",
    )


@roles_required(*OFFICE)
@require_GET
def product_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_selectors.import_job_get(acting_user(request), pk)
    if job.kind != IMPORT_KIND:
        from panhuo.common.errors import NotFound

        raise NotFound()
    rejects = import_selectors.import_job_rejects(acting_user(request), pk)[:200]
    return render(
        request,
        "monitoring/product_import_job.html",
        {"job": job, "status": import_selectors.import_job_status(job), "rejects": rejects},
    )


@roles_required(*OFFICE)
@require_GET
def product_import_template(request: HttpRequest) -> HttpResponse:
    return download(template_xlsx(IMPORT_KIND), "专利密集型产品备案导入模板.xlsx", XLSX_TYPE)
