"""Errors raised by services and shown to users, always in Chinese and English."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass
class ApplicationError(Exception):
    """A refusal a user can understand: a stable code, a Chinese and an English message, optional field."""

    code: str
    message_zh: str
    message_en: str = ""
    field: str | None = None
    extra: dict[str, object] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.code}{where}: {self.message_zh} / {self.message_en}"


class PermissionRefused(ApplicationError):
    """The acting user may not do this."""

    def __init__(self, message_zh: str = "无权执行此操作", message_en: str = "Not allowed") -> None:
        super().__init__(code="forbidden", message_zh=message_zh, message_en=message_en)


class NotFound(ApplicationError):
    """The object does not exist for the acting user (tenant isolation answers this too)."""

    def __init__(self, message_zh: str = "未找到", message_en: str = "Not found") -> None:
        super().__init__(code="not_found", message_zh=message_zh, message_en=message_en)


class FieldErrors(ApplicationError):
    """Several refusals at once, one per field, so a form shows them all after one submit.

    It is an ApplicationError carrying the first refusal's code and message (or a summary given), so callers that
    show one message still work; forms read `errors`.
    """

    def __init__(self, errors: list[ApplicationError], *, message_zh: str = "", message_en: str = "") -> None:
        if not errors:
            raise ValueError("FieldErrors needs at least one error")
        first = errors[0]
        # `extra["errors"]`: the same refusals as plain data, for callers that read them that way (imports, pages).
        listed = [{"field": e.field, "zh": e.message_zh, "en": e.message_en, "code": e.code} for e in errors]
        super().__init__(
            first.code,
            message_zh or first.message_zh,
            message_en or first.message_en,
            first.field,
            extra={"errors": listed},
        )
        self.errors = list(errors)


class ErrorCollector:
    """Collect refusals from several checks, then raise them together (or nothing).

    with collector.capture(): amount = parse(...)        # an ApplicationError inside is recorded
    collector.raise_any()                                  # FieldErrors when anything was recorded
    """

    def __init__(self) -> None:
        self.errors: list[ApplicationError] = []

    def add(self, error: ApplicationError) -> None:
        if isinstance(error, FieldErrors):
            self.errors.extend(error.errors)
        else:
            self.errors.append(error)

    def refuse(self, field: str, zh: str, en: str, code: str = "invalid") -> None:
        """Record one refusal of `field` (中文 and English message)."""
        self.errors.append(ApplicationError(code, zh, en, field))

    def capture(self) -> _Capture:
        return _Capture(self)

    def by_field(self) -> dict[str, list[str]]:
        """Field name ("" for the form as a whole) -> its Chinese messages."""
        out: dict[str, list[str]] = {}
        for e in self.errors:
            out.setdefault(e.field or "", []).append(e.message_zh)
        return out

    def raise_any(self) -> None:
        """FieldErrors when anything was recorded; its message names every refusal (an API client sees them all)."""
        if len(self.errors) == 1:
            raise FieldErrors(self.errors)
        if self.errors:
            raise FieldErrors(
                self.errors,
                message_zh="；".join(e.message_zh for e in self.errors),
                message_en="; ".join(e.message_en for e in self.errors),
            )


class _Capture:
    def __init__(self, collector: ErrorCollector) -> None:
        self.collector = collector

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, PermissionRefused | NotFound):
            return False
        if isinstance(exc, ApplicationError):
            self.collector.add(exc)
            return True
        return False
