"""Password policy (AUTH-2): the 等保 profile by default, an ASVS profile without composition rules."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError

from panhuo.accounts.acting import Viewer

CONTEXT_WORDS = ("patent", "zhuanli", "panhuo", "专利", "盘活")
_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^A-Za-z0-9]"))


def character_classes(password: str) -> int:
    return sum(1 for pattern in _CLASSES if pattern.search(password))


def policy_problems(password: str, *, profile: str, context: tuple[str, ...] = ()) -> list[str]:
    """The rule as written: returns the broken rules (empty list = accepted)."""
    problems = []
    if len(password) < 8:
        problems.append("too_short")
    if len(password) > 128:
        problems.append("too_long")
    if profile == "dengbao" and character_classes(password) < 3:
        problems.append("classes")
    lowered = password.lower()
    for word in (*CONTEXT_WORDS, *context):
        if word and len(word) >= 3 and word.lower() in lowered:
            problems.append("context_word")
            break
    return problems


MESSAGES = {
    "too_short": ("密码至少 8 位", "at least 8 characters"),
    "too_long": ("密码最多 128 位", "at most 128 characters"),
    "classes": (
        "密码须包含大写字母、小写字母、数字、符号中的至少三类",
        "use at least 3 of: upper, lower, digit, symbol",
    ),
    "context_word": (
        "密码不得包含机构名称或“专利”等常见词",
        "must not contain the institution name or common words",
    ),
}


class PolicyValidator:
    def validate(self, password: str, user: Viewer | None = None) -> None:
        context: tuple[str, ...] = ()
        if user is not None:
            org = getattr(user, "organization", None)
            context = tuple(filter(None, (getattr(org, "name", ""), getattr(org, "code", ""))))
        problems = policy_problems(password, profile=settings.PANHUO_PASSWORD_PROFILE, context=context)
        if problems:
            raise ValidationError(
                [f"{MESSAGES[p][0]} ({MESSAGES[p][1]})" for p in problems], code="password_policy"
            )

    def get_help_text(self) -> str:
        return "至少 8 位，含大写、小写、数字、符号中的三类；不含机构名称。"
