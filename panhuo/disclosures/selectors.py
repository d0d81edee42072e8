"""Reads of disclosures (visibility decided in `visibility.disclosures_visible`)."""

from __future__ import annotations

from django.db.models import QuerySet

from panhuo.accounts.acting import Viewer
from panhuo.common.errors import NotFound
from panhuo.disclosures.models import Disclosure
from panhuo.disclosures.visibility import disclosures_visible


def disclosure_list(user: Viewer, *, state: str = "", q: str = "") -> QuerySet[Disclosure]:
    qs = disclosures_visible(user).select_related("institution", "college", "submitted_by")
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(title__icontains=q[:100])
    return qs.order_by("-created_at", "-id")


def disclosure_get(user: Viewer, disclosure_id: int) -> Disclosure:
    """The disclosure, or NotFound when it does not exist or belongs to what the user may not see."""
    if not 0 < disclosure_id < 2**63:
        raise NotFound("技术交底不存在", "disclosure not found")
    found = (
        disclosures_visible(user)
        .select_related("institution", "college", "submitted_by")
        .filter(pk=disclosure_id)
        .first()
    )
    if found is None:
        raise NotFound("技术交底不存在", "disclosure not found")
    return found
