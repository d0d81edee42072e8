"""Second factor (AUTH-5): TOTP through django-otp behind a small interface, so 密评 can swap in SM3-OTP or UKey.

Admin roles must verify at login; users who approve deals must have verified before the approval (step-up).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from panhuo.accounts.models import SealedTOTPDevice, User
from panhuo.common.audit import audit_record
from panhuo.common.permissions import signed_in
from panhuo.common.ratelimit import rate_limited

F = TypeVar("F", bound=Callable[..., Any])


def is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def step_up_missing(request: HttpRequest) -> bool:
    """True when this action needs a verified second factor that the session does not have yet."""
    return bool(settings.PANHUO_STEP_UP_APPROVALS) and not is_verified(request)


def require_step_up(request: HttpRequest) -> None:
    """API form of the step-up: refuse (403) until the caller has verified a second factor in this session."""
    from panhuo.common.errors import PermissionRefused

    if step_up_missing(request):
        raise PermissionRefused(
            "复核前须完成双因素认证（/accounts/otp/）", "verify your second factor before approving"
        )


# The POST that asked for the step-up, kept in the session so it is not lost: after the code, a confirmation
# page posts it again (a redirect can only GET, and the action's URL accepts POST only).
STEP_UP_PENDING = "panhuo_step_up_pending"
_NOT_KEPT = {"csrfmiddlewaretoken"}


def step_up_required(view: F) -> F:
    """Deal approvals and other sensitive actions: a verified second factor in this session first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if step_up_missing(request):
            if request.method == "POST":
                fields = [(k, v) for k, values in request.POST.lists() if k not in _NOT_KEPT for v in values]
                request.session[STEP_UP_PENDING] = {"path": request.path, "fields": fields[:50]}
            return redirect(f"{reverse('accounts:otp')}?next={request.path}")
        if request.method == "POST" and STEP_UP_PENDING in request.session:
            del request.session[STEP_UP_PENDING]
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@signed_in
@require_http_methods(["GET"])
def step_up_confirm_view(request: HttpRequest) -> HttpResponse:
    """After the step-up code: show the interrupted action once more, to be confirmed (posts it again)."""
    pending = request.session.get(STEP_UP_PENDING)
    if not pending or not is_verified(request):
        return redirect("/")
    return render(
        request,
        "accounts/step_up_confirm.html",
        {
            "action": pending["path"],
            "fields": pending["fields"],
            "back": pending["path"].rstrip("/").rsplit("/", 1)[0] + "/",
        },
    )


def confirmed_device(user: User) -> SealedTOTPDevice | None:
    return SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()


def _qr_data_uri(uri: str) -> str:
    # A standalone SVG document (with its xmlns): an <img> shows nothing for the inline variant without one.
    return str(segno.make(uri, error="m").svg_data_uri(scale=4))


@signed_in
@rate_limited("otp", "10/m", methods=("POST",))
@require_http_methods(["GET", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    device = confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = SealedTOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = SealedTOTPDevice.objects.create(user=user, name="totp", confirmed=False)
    assert device is not None
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        if token.isdigit() and device.verify_token(token):  # django-otp refuses a reused token (last_t)
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record("auth.otp_enrol", actor=user)
            otp_login(request, device)
            audit_record("auth.otp_verify", actor=user)
            target = request.POST.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            pending = request.session.get(STEP_UP_PENDING)
            if pending and pending.get("path") == target:
                return redirect("accounts:step_up_confirm")
            return redirect(target)
        audit_record("auth.otp_verify", actor=user, result="fail")
        error = "动态口令错误或已使用 Wrong or reused code"
    context = {
        "enrolling": enrolling,
        "error": error,
        "next": request.GET.get("next", request.POST.get("next", "")),
    }
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
        context["qr"] = _qr_data_uri(device.config_url)
    return render(request, "accounts/otp.html", context, status=200 if not error else 401)
