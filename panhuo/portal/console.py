"""系统管理员 console in the browser: organizations, colleges, users, issued passwords, bulk inventor accounts.

Thin views: each write goes through `panhuo.accounts.administration` (system admin only, audited); a role change
is a request that the security admin approves (`accounts:role-requests`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panhuo.accounts import administration as admin
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import (
    HOLDER_TYPES,
    College,
    Organization,
    OrganizationType,
    Role,
    RoleChangeRequest,
    RoleChangeStatus,
    User,
)
from panhuo.common.errors import ApplicationError
from panhuo.common.exports import XLSX_TYPE, download
from panhuo.common.permissions import roles_required
from panhuo.common.ratelimit import rate_limited
from panhuo.demand.views.common import form_error
from panhuo.imports.models import ImportJob, ImportReject
from panhuo.imports.selectors import import_job_status
from panhuo.imports.uploads import import_upload, upload_error
from panhuo.portal.forms import (
    CollegeForm,
    OrganizationEditForm,
    OrganizationForm,
    RoleChangeForm,
    UserEditForm,
    UserForm,
)
from panhuo.portal.importing import INVENTOR_KIND, InventorImportHandler

system_admin = roles_required(Role.SYSTEM_ADMIN)


def _college_choices(org: Organization | None) -> list[tuple[str, str]]:
    if org is None:
        return []
    return [(str(c.pk), f"{c.name}（{c.code}）") for c in org.colleges.all()]


def _role_choices(org: Organization | None) -> list[tuple[str, str]]:
    return [(r, Role(r).label) for r in admin.roles_allowed_for(org)]


def _college(org: Organization | None, value: str) -> College | None:
    if not value or org is None:
        return None
    return org.colleges.filter(pk=int(value) if value.isdigit() else 0).first()


@system_admin
@require_GET
def organizations_view(request: HttpRequest) -> HttpResponse:
    orgs = Organization.objects.annotate(n_users=Count("users")).order_by("type", "name")
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("type", "")
    if q:
        orgs = orgs.filter(name__icontains=q) | orgs.filter(code__icontains=q)
    if kind in OrganizationType.values:
        orgs = orgs.filter(type=kind)
    page = Paginator(orgs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/console/organizations.html",
        {"page": page, "q": q, "type": kind, "types": OrganizationType.choices},
    )


@system_admin
@require_http_methods(["GET", "POST"])
def organization_create_view(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = admin.organization_create_by_admin(actor=acting_user(request), **form.cleaned_data)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已创建机构：{org.name}")
            return redirect("portal:console-organization", pk=org.pk)
    return render(request, "portal/console/organization_form.html", {"form": form, "org": None})


@system_admin
@require_http_methods(["GET", "POST"])
def organization_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    initial = {
        "name": org.name,
        "region_code": org.region_code,
        "office_level": org.office_level,
        "credit_code": org.credit_code,
        "address": org.address,
        "legal_representative": org.legal_representative,
    }
    form = OrganizationEditForm(request.POST or None, initial=initial)
    college_form = CollegeForm(prefix="college")
    if request.method == "POST" and "rename-college" in request.POST:
        raw = request.POST.get("rename-college", "")
        college = get_object_or_404(College, pk=int(raw) if raw.isdigit() else 0, organization=org)
        try:
            admin.college_rename(
                actor=acting_user(request), college=college, name=request.POST.get("rename-name", "")
            )
        except ApplicationError as exc:
            messages.error(request, f"{exc.message_zh}（{exc.message_en}）")
        else:
            messages.success(request, "学院名称已修改")
        return redirect("portal:console-organization", pk=org.pk)
    if request.method == "POST" and "college-code" in request.POST:
        form = OrganizationEditForm(initial=initial)
        college_form = CollegeForm(request.POST, prefix="college")
        if college_form.is_valid():
            try:
                admin.college_create_by_admin(
                    actor=acting_user(request), organization=org, **college_form.cleaned_data
                )
            except ApplicationError as exc:
                form_error(college_form, exc)
            else:
                messages.success(request, "学院已添加")
                return redirect("portal:console-organization", pk=org.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            admin.organization_update(actor=acting_user(request), organization=org, **form.cleaned_data)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "机构信息已保存")
            return redirect("portal:console-organization", pk=org.pk)
    users = org.users.select_related("college").order_by("role", "username")[:200]
    return render(
        request,
        "portal/console/organization_form.html",
        {
            "form": form,
            "org": org,
            "college_form": college_form,
            "colleges": org.colleges.annotate(n_users=Count("users")),
            "users": users,
            "holds_patents": org.type in HOLDER_TYPES,
        },
    )


@system_admin
@require_GET
def users_view(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("organization", "college").order_by("organization__name", "username")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        users = users.filter(username__icontains=q) | users.filter(display_name__icontains=q)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "portal/console/users.html", {"page": page, "q": q})


@system_admin
@require_http_methods(["GET", "POST"])
def user_create_view(request: HttpRequest) -> HttpResponse:
    org_id = request.POST.get("organization") or request.GET.get("organization") or ""
    org = Organization.objects.filter(pk=int(org_id)).first() if org_id.isdigit() else None
    form = UserForm(request.POST or None, colleges=_college_choices(org))
    form.fields["role"].choices = _role_choices(org)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = admin.user_create_by_admin(
                actor=acting_user(request),
                username=data["username"],
                role=data["role"],
                organization=org,
                college=_college(org, data["college"]),
                display_name=data["display_name"],
                email=data["email"],
                phone=data["phone"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            # The issued password is shown once, on this answer only (never stored in clear, never logged).
            return render(
                request, "portal/console/issued_password.html", {"target": user, "password": password}
            )
    return render(request, "portal/console/user_form.html", {"form": form, "org": org, "target": None})


@system_admin
@require_http_methods(["GET", "POST"])
def user_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User.objects.select_related("organization", "college"), pk=pk)
    org = target.organization
    initial = {
        "display_name": target.display_name,
        "email": target.email,
        "phone": target.phone,
        "college": str(target.college_id or ""),
    }
    form = UserEditForm(request.POST or None, initial=initial, colleges=_college_choices(org))
    role_form = RoleChangeForm(prefix="rc")
    role_form.fields["role"].choices = _role_choices(org)  # type: ignore[attr-defined]
    if request.method == "POST" and "rc-role" in request.POST:
        form = UserEditForm(initial=initial, colleges=_college_choices(org))
        role_form = RoleChangeForm(request.POST, prefix="rc")
        role_form.fields["role"].choices = _role_choices(org)  # type: ignore[attr-defined]
        if role_form.is_valid():
            try:
                admin.role_change_request(actor=acting_user(request), user=target, **role_form.cleaned_data)
            except ApplicationError as exc:
                form_error(role_form, exc)
            else:
                messages.success(request, "角色变更申请已提交，待安全管理员审批")
                return redirect("portal:console-user", pk=target.pk)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            admin.user_update(
                actor=acting_user(request),
                user=target,
                display_name=data["display_name"],
                email=data["email"],
                phone=data["phone"],
                college=_college(org, data["college"]),
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "用户信息已保存")
            return redirect("portal:console-user", pk=target.pk)
    pending = RoleChangeRequest.objects.filter(user=target, status=RoleChangeStatus.PENDING).first()
    return render(
        request,
        "portal/console/user_form.html",
        {"form": form, "org": org, "target": target, "role_form": role_form, "pending": pending},
    )


@system_admin
@require_POST
def user_password_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    password = admin.user_password_reset(actor=acting_user(request), user=target)
    return render(request, "portal/console/issued_password.html", {"target": target, "password": password})


@system_admin
@require_POST
def user_otp_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    admin.user_second_factor_reset_by_admin(actor=acting_user(request), user=target)
    messages.success(request, "双因素认证已重置，该用户下次登录时重新绑定")
    return redirect("portal:console-user", pk=target.pk)


# ---------------------------------------------------------------- bulk inventor accounts (imports framework)


@system_admin
@rate_limited("upload", "20/m", methods=("POST",))
@require_http_methods(["GET", "POST"])
def inventor_import_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk, type__in=HOLDER_TYPES)
    error = ""
    if request.method == "POST":
        try:
            job = import_upload(request, organization=org, kind=INVENTOR_KIND, actor=acting_user(request))
        except ApplicationError as exc:
            error = upload_error(exc)
        else:
            return redirect("portal:console-inventor-import-job", pk=org.pk, job=job.pk)
    jobs = ImportJob.objects.filter(organization=org, kind=INVENTOR_KIND)[:20]
    return render(
        request,
        "portal/console/inventor_import.html",
        {"org": org, "jobs": jobs, "error": error},
        status=400 if error else 200,
    )


@system_admin
@require_GET
def inventor_import_job_view(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    the_job = get_object_or_404(ImportJob, pk=job, organization_id=pk, kind=INVENTOR_KIND)
    titles = {c.name: c.title_zh for c in InventorImportHandler.columns}
    rejects = [
        {
            "line": r.line,
            "column": titles.get(r.column, r.column),
            "value": r.value,
            "message_zh": r.message_zh,
            "message_en": r.message_en,
        }
        for r in ImportReject.objects.filter(job=the_job).order_by("line", "column")[:500]
    ]
    return render(
        request,
        "portal/console/inventor_import_job.html",
        {
            "org": the_job.organization,
            "job": the_job,
            "status": import_job_status(the_job),
            "rejects": rejects,
        },
    )


@system_admin
@require_GET
def inventor_import_template_view(request: HttpRequest) -> HttpResponse:
    from panhuo.imports.template import template_xlsx

    return download(template_xlsx(INVENTOR_KIND), "发明人账号导入模板.xlsx", XLSX_TYPE)
