"""Demo 产业化成效 (labelled demo) for the demo deals in contract states: last year's results for every other one,
so the reminder list and the dashboard both have something to show. Idempotent."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.deals.models import CONTRACT_STATES, Deal
from panhuo.outcomes.models import DealOutcome
from panhuo.outcomes.services import outcome_report


def load(out: Any) -> None:
    if DealOutcome.objects.filter(is_demo=True).exists():
        out.write("outcomes: demo results exist, nothing added")
        return
    last = timezone.localdate().year - 1
    staff = {
        u.organization_id: u
        for u in User.objects.filter(role="institution_admin", username__startswith="demo_")
    }
    deals = Deal.objects.filter(
        is_demo=True, state__in=CONTRACT_STATES, contract_date__year__lte=last
    ).order_by("pk")
    n = 0
    for i, deal in enumerate(deals):
        actor = staff.get(deal.institution_id)
        if actor is None or i % 2:
            continue
        outcome_report(
            actor=actor,
            deal_id=deal.pk,
            year=last,
            revenue_yuan=f"{(i + 1) * 350_000}",
            output_yuan=f"{(i + 1) * 600_000}",
            jobs=3 + i,
            new_products=1 + i % 3,
            notes="演示数据",
            is_demo=True,
        )
        n += 1
    out.write(f"outcomes: {n} demo results for {last}")
