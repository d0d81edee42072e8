"""Request ids: every response and log line carries one (DJ-6, AU-1)."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")
_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


def current_client_ip() -> str:
    return _client_ip.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-Id", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = _request_id.set(rid)
        # Client IP only from the socket: a proxy header is trusted only where the deployment says so.
        ip_token = _client_ip.set(request.META.get("REMOTE_ADDR", ""))
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
            _client_ip.reset(ip_token)
        response["X-Request-Id"] = rid
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


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
            from panhuo.common.audit import audit_record

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
