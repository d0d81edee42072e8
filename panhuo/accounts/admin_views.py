"""Consoles for the three separated admins (AC-3): security (accounts, roles), audit (log), system (backups)."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Role, User
from panhuo.accounts.services import user_second_factor_reset, user_set_active, user_unlock
from panhuo.common.audit import audit_record, audit_verify
from panhuo.common.backup import backup_list
from panhuo.common.exports import CSV_TYPE, csv_bytes, download
from panhuo.common.labels import audit_action_label
from panhuo.common.models import AuditEvent
from panhuo.common.permissions import roles_required
from panhuo.common.ratelimit import rate_limited

security_admin = roles_required(Role.SECURITY_ADMIN)
audit_admin = roles_required(Role.AUDIT_ADMIN)
system_admin = roles_required(Role.SYSTEM_ADMIN)


@security_admin
def users_view(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("organization", "college").order_by("organization__name", "username")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        users = users.filter(username__icontains=query) | users.filter(display_name__icontains=query)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page, "q": query, "roles": Role.choices})


@security_admin
@require_POST
def user_action_view(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = cast(User, request.user)
    target = get_object_or_404(User, pk=user_id)
    action = request.POST.get("action", "")
    if action == "disable":
        user_set_active(user=target, active=False, actor=actor)
    elif action == "enable":
        user_set_active(user=target, active=True, actor=actor)
    elif action == "otp_reset":
        user_second_factor_reset(user=target, actor=actor)
    elif action == "unlock":
        user_unlock(user=target, actor=actor)
    return redirect("accounts:users")


@security_admin
@require_http_methods(["GET", "POST"])
def role_requests_view(request: HttpRequest) -> HttpResponse:
    """三员分立: role changes the system admin asked for wait here for the security admin's decision."""
    from panhuo.accounts.administration import role_change_decide
    from panhuo.accounts.models import RoleChangeRequest, RoleChangeStatus

    if request.method == "POST":
        role_change_decide(
            actor=acting_user(request),
            change_id=int(request.POST.get("request", "0") or 0),
            approve=request.POST.get("decision") == "approve",
        )
        return redirect("accounts:role-requests")
    pending = RoleChangeRequest.objects.filter(status=RoleChangeStatus.PENDING).select_related(
        "user", "user__organization", "requested_by"
    )
    decided = RoleChangeRequest.objects.exclude(status=RoleChangeStatus.PENDING).select_related(
        "user", "requested_by", "decided_by"
    )[:50]
    return render(request, "accounts/role_requests.html", {"pending": pending, "decided": decided})


def _audit_events(request: HttpRequest):  # type: ignore[no-untyped-def]
    events = AuditEvent.objects.all().order_by("-id")
    action = request.GET.get("action", "").strip()[:64]
    actor = request.GET.get("actor", "").strip()[:150]
    result = request.GET.get("result", "").strip()[:16]
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_name=actor)
    if result:
        events = events.filter(result=result)
    return events


@audit_admin
def audit_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(_audit_events(request), 100).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"page": page, "params": request.GET})


@audit_admin
@rate_limited("export", "10/m")
def audit_export_view(request: HttpRequest) -> HttpResponse:
    events = _audit_events(request)[:100_000]
    # times in the server's local zone with their offset, as the audit page shows them
    header = [
        "id",
        "时间",
        "操作人",
        "租户",
        "IP",
        "动作",
        "动作说明",
        "对象类型",
        "对象",
        "结果",
        "请求编号",
        "哈希",
    ]
    rows = (
        [
            e.pk,
            timezone.localtime(e.at).isoformat(timespec="seconds"),
            e.actor_name,
            e.tenant_id,
            e.ip,
            e.action,
            audit_action_label(e.action),
            e.object_type,
            e.object_id,
            e.result,
            e.request_id,
            e.row_hash,
        ]
        for e in events.iterator()
    )
    content = csv_bytes(header, rows)
    audit_record("audit.export", actor=acting_user(request), detail={"filters": dict(request.GET.items())})
    return download(content, "audit.csv", CSV_TYPE)


@audit_admin
@require_POST
def audit_verify_view(request: HttpRequest) -> HttpResponse:
    report = audit_verify()
    audit_record(
        "audit.verify",
        actor=acting_user(request),
        result="ok" if report.ok else "fail",
        detail={"checked": report.checked, "first_bad_id": report.first_bad_id},
    )
    return render(request, "accounts/audit_verify.html", {"report": report})


@system_admin
@require_http_methods(["GET"])
def system_view(request: HttpRequest) -> HttpResponse:
    facts = {
        "环境 ENV": settings.ENV,
        "数据库 Database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "任务队列 Queue": settings.HUEY["huey_class"],
        "会话空闲超时（秒）": settings.SESSION_COOKIE_AGE,
        "会话绝对超时（秒）": settings.PANHUO_SESSION_ABSOLUTE_SECONDS,
        "登录失败锁定次数": settings.AXES_FAILURE_LIMIT,
        "密码策略": settings.PANHUO_PASSWORD_PROFILE,
        "双因素角色": ", ".join(settings.PANHUO_OTP_ROLES),
    }
    return render(request, "accounts/system.html", {"facts": facts, "backups": backup_list()})
