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


def raise_field_errors(items: list[tuple[str, str, str]]) -> None:
    """Raise one ApplicationError for every (field, 中文, English) error at once; nothing when the list is empty.

    The message joins them all; `extra["errors"]` lists each, so a form puts each message on its own field.
    """
    if not items:
        return
    raise ApplicationError(
        "invalid",
        "；".join(zh for _, zh, _ in items),
        "; ".join(en for _, _, en in items),
        items[0][0],
        extra={"errors": [{"field": f, "zh": zh, "en": en} for f, zh, en in items]},
    )
