"""Generic error pages: no traces, no setting names, the request id to quote (DJ-6)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template import loader

from panhuo.common.request_context import current_request_id

log = logging.getLogger("panhuo.errors")


_ADVICE = {
    400: ("请求的内容无法处理，请返回上一页检查后重试。", "The request could not be processed."),
    403: ("您没有访问此页面的权限；如需权限，请联系本单位管理员。", "You may not open this page."),
    404: ("您要找的页面不存在或已被移除，请检查网址或从首页进入。", "The page does not exist."),
    500: ("系统出现了问题，已经记录下来，请稍后再试。", "Something went wrong; it has been logged."),
}


def _render(request: HttpRequest, status: int, title_zh: str, title_en: str) -> HttpResponse:
    advice_zh, advice_en = _ADVICE[status]
    context = {
        "status": status,
        "title_zh": title_zh,
        "title_en": title_en,
        "advice_zh": advice_zh,
        "advice_en": advice_en,
        "request_id": current_request_id(),
    }
    return HttpResponse(loader.render_to_string("common/error.html", context), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 400, "请求无效", "Bad request")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403, "无权访问", "Forbidden")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404, "页面不存在", "Not found")


def server_error(request: HttpRequest) -> HttpResponse:
    log.error("server error, request id %s", current_request_id())
    return _render(request, 500, "服务器内部错误", "Server error")
