"""Find and end a user's server-side sessions (password change, disable, admin kill)."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone

from panhuo.accounts.acting import Viewer


def user_sessions_kill(*, user: Viewer, keep: str | None = None) -> int:
    killed = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep:
            continue
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            killed += 1
    return killed
