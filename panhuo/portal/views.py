"""Home: each role's starting points (inventor: my patents to file; reviewers: the queue; others: the pool)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Role
from panhuo.common.permissions import signed_in
from panhuo.patents import selectors
from panhuo.patents.models import InventoryState


def _state_counts(records: Any) -> dict[str, int]:
    counts = {state: 0 for state in InventoryState.values}
    for row in records.values("state").annotate(n=Count("pk")).order_by():
        counts[row["state"]] = row["n"]
    return counts


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    context: dict[str, Any] = {}
    role = user.role
    if role in selectors.OWNER_ROLES:
        own = selectors.inventory_own(user)
        counts = _state_counts(own)
        context["state_counts"] = [(label, counts[value]) for value, label in InventoryState.choices]
        context["todo"] = (
            own.filter(state__in=[InventoryState.UNFILED, InventoryState.DRAFT])
            .select_related("patent")
            .order_by("state", "-patent__application_date", "pk")[:10]
        )
    if role in selectors.REVIEWER_ROLES:
        context["queue_count"] = selectors.review_queue(user).count()
        context["show_queue"] = True
    if role in selectors.COVERAGE_ROLES:
        context["coverage"] = selectors.coverage_by_organization(user)[:20]
    if role not in selectors.OWNER_ROLES:
        pool = selectors.inventory_pool(user)
        context["pool_count"] = pool.count()
        context["show_pool"] = True
        context["pool_latest"] = pool.select_related("patent", "organization").order_by("-pooled_at", "-pk")[
            :10
        ]
    context["role"] = role
    context["is_inventor"] = role == Role.INVENTOR
    return render(request, "portal/home.html", context)
