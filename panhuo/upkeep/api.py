"""Upkeep API: a patent's value facts and annual fees (holder staff), the 财政资助 five-year list."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from engine.deals.money import format_fen
from panhuo.accounts.acting import acting_user
from panhuo.upkeep import selectors, services

router = Router()
PK = Field(..., ge=1, le=2**63 - 1)


class FactsIO(Schema):
    family_size: int | None = None
    overseas_granted: bool = False
    claims_count: int | None = None
    independent_claims_count: int | None = None
    citations_forward: int | None = None
    citations_backward: int | None = None
    award: str = ""
    ownership_dispute: bool = False


class FeeIn(Schema):
    patent_year: int
    paid_on: date
    amount_yuan: str


class FeeOut(Schema):
    patent_year: int
    paid_on: date
    amount_fen: int
    amount_yuan: str
    paid_until: date


class FeesOut(Schema):
    annual_fee_paid_until: date | None
    payments: list[FeeOut]


class UnusedOut(Schema):
    patent_id: int
    key: str
    title: str
    grant_date: date
    years_since_grant: int


def _fees(request: HttpRequest, patent_id: int) -> dict[str, Any]:
    patent = services.holder_record(acting_user(request), patent_id).patent
    return {
        "annual_fee_paid_until": patent.annual_fee_paid_until,
        "payments": [
            {
                "patent_year": p.patent_year,
                "paid_on": p.paid_on,
                "amount_fen": p.amount_fen,
                "amount_yuan": format_fen(p.amount_fen),
                "paid_until": p.paid_until,
            }
            for p in selectors.fee_payments(acting_user(request), patent)
        ],
    }


@router.get("/patents/{patent_id}/facts", response=FactsIO)
def get_facts(request: HttpRequest, patent_id: int) -> dict[str, Any]:
    patent = services.holder_record(acting_user(request), patent_id).patent
    return services.facts_of(patent).__dict__


@router.put("/patents/{patent_id}/facts", response=FactsIO)
def put_facts(request: HttpRequest, patent_id: int, payload: FactsIO) -> dict[str, Any]:
    patent = services.holder_record(acting_user(request), patent_id).patent
    services.patent_facts_update(
        actor=acting_user(request), patent=patent, facts=services.facts_validate(**payload.dict())
    )
    return services.facts_of(patent).__dict__


@router.get("/patents/{patent_id}/annual-fees", response=FeesOut)
def get_fees(request: HttpRequest, patent_id: int) -> dict[str, Any]:
    return _fees(request, patent_id)


@router.post("/patents/{patent_id}/annual-fees", response={201: FeesOut})
def post_fee(request: HttpRequest, patent_id: int, payload: FeeIn) -> Status[dict[str, Any]]:
    patent = services.holder_record(acting_user(request), patent_id).patent
    services.annual_fee_record(
        actor=acting_user(request),
        patent=patent,
        patent_year=payload.patent_year,
        paid_on=payload.paid_on,
        amount_yuan=payload.amount_yuan,
    )
    return Status(201, _fees(request, patent_id))


@router.get("/fiscal-unused", response=list[UnusedOut])
def fiscal_unused(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "patent_id": r.record.patent_id,
            "key": r.record.patent.key,
            "title": r.record.patent.title,
            "grant_date": r.record.patent.grant_date,
            "years_since_grant": r.years_since_grant,
        }
        for r in selectors.fiscal_unused(acting_user(request), today=timezone.localdate())
    ]
