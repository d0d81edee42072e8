"""Outcomes API: report a deal's year, list results and the reminder list."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from engine.deals.money import format_fen
from panhuo.accounts.acting import acting_user
from panhuo.outcomes import selectors, services
from panhuo.outcomes.models import DealOutcome

router = Router()


class OutcomeIn(Schema):
    year: int
    revenue_yuan: str = ""
    output_yuan: str = ""
    jobs: int | None = None
    new_products: int | None = None
    notes: str = ""


class OutcomeOut(Schema):
    deal_id: int
    deal_code: str
    year: int
    revenue_fen: int
    revenue_yuan: str
    output_fen: int
    output_yuan: str
    jobs: int
    new_products: int
    notes: str


class DueOut(Schema):
    deal_id: int
    deal_code: str
    title: str
    contract_date: date | None


def _out(o: DealOutcome) -> dict[str, Any]:
    return {
        "deal_id": o.deal_id,
        "deal_code": o.deal.code,
        "year": o.year,
        "revenue_fen": o.revenue_fen,
        "revenue_yuan": format_fen(o.revenue_fen),
        "output_fen": o.output_fen,
        "output_yuan": format_fen(o.output_fen),
        "jobs": o.jobs,
        "new_products": o.new_products,
        "notes": o.notes,
    }


@router.get("/", response=list[OutcomeOut])
def list_outcomes(
    request: HttpRequest, year: int | None = None, limit: int = 100, offset: int = 0
) -> list[Any]:
    qs = selectors.outcomes_visible(acting_user(request)).order_by("-year", "deal_id")
    if year is not None:
        qs = qs.filter(year=year)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return [_out(o) for o in qs[offset : offset + limit]]


@router.get("/due", response=list[DueOut])
def due(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"deal_id": d.pk, "deal_code": d.code, "title": d.title, "contract_date": d.contract_date}
        for d in selectors.outcomes_due(acting_user(request), today=timezone.localdate())[:500]
    ]


@router.post("/deals/{deal_id}", response={200: OutcomeOut, 201: OutcomeOut})
def report(request: HttpRequest, deal_id: int, payload: OutcomeIn) -> Status[dict[str, Any]]:
    outcome, created = services.outcome_report(actor=acting_user(request), deal_id=deal_id, **payload.dict())
    return Status(201 if created else 200, _out(outcome))
