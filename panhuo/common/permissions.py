"""Default deny: every view declares who may call it (AC-4); the URL walker test checks the markers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from panhuo.common.errors import PermissionRefused

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC_MARK = "panhuo_public"
ROLES_MARK = "panhuo_roles"


def public(view: F) -> F:
    """Mark a view as reachable without signing in (listed in PUBLIC_VIEWS by the walker)."""
    setattr(view, PUBLIC_MARK, True)
    return view


def roles_required(*roles: str) -> Callable[[F], F]:
    """Require a signed-in user with one of `roles` (empty: any signed-in user)."""

    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if allowed and getattr(user, "role", None) not in allowed:
                raise PermissionRefused()
            return view(request, *args, **kwargs)

        setattr(wrapper, ROLES_MARK, allowed)
        return wrapper  # type: ignore[return-value]

    return decorate


signed_in = roles_required()
