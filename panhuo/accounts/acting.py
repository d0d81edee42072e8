"""The acting user of a request, typed: views and APIs pass it to services and selectors (which take `User`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from panhuo.accounts.models import User
from panhuo.common.errors import PermissionRefused

if TYPE_CHECKING:
    from typing_extensions import TypeIs

# Who is asking: a signed-in `User`, or Django's `AnonymousUser` where a page or selector is open to everyone.
# Services that write take `User` (the permission markers and `acting_user` guarantee one).
Viewer = User | AnonymousUser


def signed_in(user: Viewer | None) -> TypeIs[User]:
    """True for a signed-in account; the type checker then knows `user` is a `User`."""
    return bool(getattr(user, "is_authenticated", False))


def acting_user(request: HttpRequest) -> User:
    """`request.user` once signed in (the permission markers guarantee it); refused otherwise, never AnonymousUser."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionRefused("请先登录", "Sign in first")
    return user
