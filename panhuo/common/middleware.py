"""Request ids: every response and log line carries one (DJ-6, AU-1)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from panhuo.common import request_context
from panhuo.common.audit import audit_record
from panhuo.common.request_context import current_request_id


class RequestIdMiddleware:
    """A server-made request id for every request (the client's X-Request-Id is kept apart, length-limited)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tokens = request_context.enter(request)
        try:
            response = self.get_response(request)
        finally:
            request_context.leave(tokens)
        response["X-Request-Id"] = request.request_id  # type: ignore[attr-defined]
        return response


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestSizeLimitMiddleware:
    """Answer 413 before any body is read or parsed (CSRF included): anonymous requests may carry a sign-in form,
    signed-in ones up to the largest upload (PANHUO_MAX_ANONYMOUS_BODY_BYTES / PANHUO_MAX_BODY_BYTES)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        if length:
            signed_in = bool(getattr(getattr(request, "user", None), "is_authenticated", False))
            limit = settings.PANHUO_MAX_BODY_BYTES if signed_in else settings.PANHUO_MAX_ANONYMOUS_BODY_BYTES
            if length > limit:
                zh = f"请求内容过大（上限 {limit // 1024} KiB）"
                en = f"request body too large (limit {limit // 1024} KiB)"
                if request.path.startswith("/api/"):
                    payload = {"code": "body_too_large", "message_zh": zh, "message_en": en, "field": None}
                    return JsonResponse(payload, status=413)
                return HttpResponse(f"{zh} / {en}", status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ApplicationErrorMiddleware:
    """A refusal raised by a service becomes a 400/403/404 page with its Chinese and English message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.template import loader

        from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused

        if not isinstance(exception, ApplicationError):
            return None
        status = (
            403
            if isinstance(exception, PermissionRefused)
            else 404
            if isinstance(exception, NotFound)
            else 400
        )
        if status == 403:
            audit_record(
                "access.denied",
                actor=getattr(request, "user", None),
                result="denied",
                detail={"path": request.path[:200], "method": request.method},
            )
        body = loader.render_to_string(
            "common/refused.html",
            {"status": status, "error": exception, "request_id": current_request_id()},
            request=request,
        )
        return HttpResponse(body, status=status)


_NUL_MESSAGE = ("请求参数含空字符（NUL），已拒绝", "the request contains a NUL character: refused")


def _has_nul(request: HttpRequest) -> bool:
    if "%00" in request.META.get("QUERY_STRING", "").lower():
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method in ("POST", "PUT", "PATCH") and not content_type.startswith("multipart/"):
        body = (
            request.body
        )  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE; multipart (files) is left to the parsers
        return b"\x00" in body or b"%00" in body.lower() or b"\\u0000" in body
    return False


class NulCharacterMiddleware:
    """Refuse query strings and form / JSON bodies carrying NUL (0x00) with a 400 in Chinese and English.

    PostgreSQL text cannot hold NUL (the query would fail with a 500) and no field of this product needs it.
    File uploads (multipart) are not looked at here: their readers refuse NUL themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            zh, en = _NUL_MESSAGE
            if request.path.startswith("/api/"):
                payload = {"code": "nul_character", "message_zh": zh, "message_en": en, "field": None}
                return JsonResponse(payload, status=400)
            return HttpResponse(f"{zh} / {en}", status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
