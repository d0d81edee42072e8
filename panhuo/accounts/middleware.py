"""Session policy (AUTH-4) and forced password change (AUTH-1)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_STARTED = "panhuo_started"
SESSION_SEEN = "panhuo_seen"
# The idle window (SESSION_COOKIE_AGE) restarts when the session is saved. Saving on every request made every
# page view a database write (and, on SQLite, a wait for the single write lock behind a running import); saving
# at most once a minute keeps the idle limit within (15 min - 60 s, 15 min] of the last request, never longer.
SESSION_RENEW_SECONDS = 60
# Paths an account that still owes its second factor may reach: nothing else, not even the password change
# (a stolen password alone must not be enough to replace it).
_SECOND_FACTOR_EXEMPT = ("/accounts/login/", "/accounts/logout/", "/accounts/otp/", "/static/")
# Paths a user with an issued password may still reach.
_PASSWORD_CHANGE_EXEMPT = (*_SECOND_FACTOR_EXEMPT, "/accounts/password/")


def _verified(request: HttpRequest) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - float(started) > settings.PANHUO_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?expired=1")
            if now - float(request.session.get(SESSION_SEEN, 0)) >= SESSION_RENEW_SECONDS:
                request.session[SESSION_SEEN] = now  # modified: saved with a new expiry (the idle window)
            if (
                getattr(user, "role", "") in settings.PANHUO_OTP_ROLES
                and not _verified(request)
                and not request.path.startswith(_SECOND_FACTOR_EXEMPT)
            ):
                if request.path.startswith("/api/"):
                    return HttpResponse(
                        '{"detail": "需要双因素认证 second factor required"}',
                        status=403,
                        content_type="application/json",
                    )
                return redirect(f"{reverse('accounts:otp')}?next={request.path}")
            if getattr(user, "must_change_password", False) and not request.path.startswith(
                _PASSWORD_CHANGE_EXEMPT
            ):
                if request.path.startswith("/api/"):
                    return HttpResponse(
                        '{"detail": "必须先修改初始密码 password change required"}',
                        status=403,
                        content_type="application/json",
                    )
                return redirect("accounts:password_change")
        return self.get_response(request)
