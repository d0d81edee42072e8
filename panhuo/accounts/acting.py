"""The acting user of a request, typed: views and APIs pass it to services and selectors (which take `User`)."""

from __future__ import annotations

from django.http import HttpRequest

from panhuo.accounts.models import User
from panhuo.common.errors import PermissionRefused


def acting_user(request: HttpRequest) -> User:
    """`request.user` once signed in (the permission markers guarantee it); refused otherwise, never AnonymousUser."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionRefused("请先登录", "Sign in first")
    return user
