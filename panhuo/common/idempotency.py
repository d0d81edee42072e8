"""`Idempotency-Key` on the API's POST operations: a retried create never records twice.

The first request with a key stores its answer (any status below 500); a retry with the same key and the same
request gets that answer again (header `Idempotent-Replayed: true`), the same key with a different request a 422,
and a retry while the first is still running a 409. Keys are per user, 1-128 printable ASCII characters, and
expire after PANHUO_IDEMPOTENCY_HOURS (24). Server errors are not stored: the request may be sent again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from panhuo.common.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


def _refusal(status: int, code: str, zh: str, en: str) -> JsonResponse:
    return JsonResponse({"code": code, "message_zh": zh, "message_en": en, "field": None}, status=status)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(
        f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}".encode()
    )
    if not request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        digest.update(b"\x00" + request.body)  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status, content_type=record.content_type or None
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(user_id: int, key: str, fingerprint: str) -> IdempotencyRecord | HttpResponse:
    """Our own new record, or the answer for a key seen before."""
    now = timezone.now()
    expired = now - timedelta(hours=float(getattr(settings, "PANHUO_IDEMPOTENCY_HOURS", 24)))
    IdempotencyRecord.objects.filter(user_id=user_id, key=key, created_at__lt=expired).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                user_id=user_id, key=key, fingerprint=fingerprint, created_at=now
            )
    except IntegrityError:
        seen = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
    if seen is None:  # expired and removed in between: treat as new
        return _claim(user_id, key, fingerprint)
    if seen.fingerprint != fingerprint:
        return _refusal(
            422,
            "idempotency_key_reused",
            "该 Idempotency-Key 已用于另一请求",
            "this Idempotency-Key was used for a different request",
        )
    if seen.status is None:
        return _refusal(
            409,
            "idempotency_in_progress",
            "相同请求仍在处理中，请稍后重试",
            "the first request with this key is still running; retry later",
        )
    return _replay(seen)


class IdempotencyMiddleware:
    """Applies to signed-in POSTs under /api/ that carry an Idempotency-Key header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        user = getattr(request, "user", None)
        if (
            key is None
            or request.method != "POST"
            or not request.path.startswith("/api/")
            or not getattr(user, "is_authenticated", False)
        ):
            return self.get_response(request)
        if not _VALID_KEY.match(key):
            return _refusal(
                400,
                "idempotency_key_invalid",
                "Idempotency-Key 须为 1–128 个可打印 ASCII 字符",
                "Idempotency-Key must be 1-128 printable ASCII characters",
            )
        claimed = _claim(int(user.pk), key, _fingerprint(request))  # type: ignore[union-attr]
        if isinstance(claimed, HttpResponse):
            return claimed
        response = self.get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=claimed.pk).delete()
            return response
        IdempotencyRecord.objects.filter(pk=claimed.pk).update(
            status=response.status_code,
            content_type=response.get("Content-Type", "")[:100],
            body=response.content,
        )
        return response
