"""Monitoring API (session auth): statistics of the caller's scope, a KPI programme's evaluation, anomaly cases."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from panhuo.accounts.acting import acting_user
from panhuo.monitoring.anomalies import case_json, cases_visible
from panhuo.monitoring.kpi import programme_evaluate, programme_get
from panhuo.monitoring.product_api import router as products_router
from panhuo.monitoring.regions import parse_period
from panhuo.monitoring.stats import dashboard, scope_for

router = Router()
router.add_router("/products", products_router)


@router.get("/stats")
def stats(request: HttpRequest, period: str = "", region: str = "", side: str = "S") -> dict[str, Any]:
    """The dashboard numbers for the caller's region (offices) or institution (institution staff)."""
    scope = scope_for(acting_user(request), prefix=region or None)
    return dashboard(
        scope, parse_period(period or str(timezone.localdate().year)), side="E" if side == "E" else "S"
    )


@router.get("/kpi/{code}")
def kpi(request: HttpRequest, code: str) -> dict[str, Any]:
    return programme_evaluate(programme_get(actor=acting_user(request), code=code))


@router.get("/anomalies")
def anomalies(request: HttpRequest, status: str = "open", limit: int = 100) -> dict[str, Any]:
    qs = cases_visible(acting_user(request))
    if status:
        qs = qs.filter(status=status)
    return {
        "cases": [{**case_json(c), "id": c.pk, "status": c.status} for c in qs[: max(1, min(limit, 1000))]]
    }
