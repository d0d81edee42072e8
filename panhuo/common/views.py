"""Generic error pages: no traces, no setting names, the request id to quote (DJ-6)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template import loader

from panhuo.common.middleware import current_request_id

log = logging.getLogger("panhuo.errors")


def _render(request: HttpRequest, status: int, title_zh: str, title_en: str) -> HttpResponse:
    body = loader.render_to_string(
        "common/error.html",
        {"status": status, "title_zh": title_zh, "title_en": title_en, "request_id": current_request_id()},
    )
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 400, "请求无效", "Bad request")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403, "无权访问", "Forbidden")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404, "页面不存在", "Not found")


def server_error(request: HttpRequest) -> HttpResponse:
    log.error("server error, request id %s", current_request_id())
    return _render(request, 500, "服务器内部错误", "Server error")
