"""Sign in, sign out, change password."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from panhuo.accounts.acting import acting_user
from panhuo.accounts.middleware import SESSION_SEEN, SESSION_STARTED
from panhuo.accounts.models import PasswordHistory, User
from panhuo.common.audit import audit_record
from panhuo.common.permissions import public, signed_in
from panhuo.common.ratelimit import rate_limited

GENERIC_FAILURE = (
    "用户名或密码错误，或账号已被暂时锁定。Wrong username or password, or the account is locked for a while."
)


@public
@rate_limited("login", "30/m", methods=("POST",))
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        password = request.POST.get("password", "")
        user = authenticate(request, username=username, password=password)
        if user is not None and user.is_active:
            login(request, user)  # rotates the session key
            request.session[SESSION_STARTED] = request.session[SESSION_SEEN] = timezone.now().timestamp()
            audit_record("auth.login", actor=user, result="ok")
            target = request.POST.get("next") or request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
        audit_record("auth.login", actor=None, result="fail", detail={"username": username})
        error = GENERIC_FAILURE
    return render(
        request,
        "accounts/login.html",
        {"error": error, "next": request.GET.get("next", "")},
        status=200 if not error else 401,
    )


def lockout_response(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Locked out: the same page and status as any failed login, so no one learns which accounts exist."""
    audit_record(
        "auth.lockout", result="fail", detail={"username": (credentials or {}).get("username", "")[:150]}
    )
    return render(request, "accounts/login.html", {"error": GENERIC_FAILURE, "next": ""}, status=401)


@public
@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record("auth.logout", actor=acting_user(request))
    logout(request)  # deletes the server-side session
    return redirect("accounts:login")


@signed_in
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        new = form.cleaned_data["new_password1"]
        recent = PasswordHistory.objects.filter(user=user)[:5]
        from django.contrib.auth.hashers import check_password

        if any(check_password(new, h.password) for h in recent):
            form.add_error(
                "new_password1", "不能与最近 5 次使用过的密码相同 (one of your last five passwords)"
            )
        else:
            form.save()
            user.must_change_password = False
            user.password_changed_at = timezone.now()
            user.save(update_fields=["must_change_password", "password_changed_at"])
            PasswordHistory.objects.create(user=user, password=user.password)
            # Kill every other session of this user; keep this one signed in with a fresh hash.
            from panhuo.accounts.sessions import user_sessions_kill

            user_sessions_kill(user=user, keep=request.session.session_key)
            update_session_auth_hash(request, user)
            audit_record("auth.password_change", actor=user)
            messages.success(request, "密码已修改 Password changed")
            return redirect("portal:home")
    return render(request, "accounts/password_change.html", {"form": form})
