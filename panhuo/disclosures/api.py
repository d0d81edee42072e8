"""Disclosures API: the same services as the pages (visibility in `visibility.py`, refusals in 中文 and English)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from panhuo.accounts.acting import acting_user
from panhuo.common.errors import ApplicationError
from panhuo.disclosures import selectors, services
from panhuo.disclosures.models import Disclosure, Filing, PreFilingEvaluation
from panhuo.disclosures.services import DisclosureContent, InventorShare
from panhuo.disclosures.stats import disclosure_statistics
from panhuo.disclosures.visibility import statistics_scope

router = Router()


class InventorIn(Schema):
    name: str
    share_percent: str


class DisclosureIn(Schema):
    title: str
    field: str
    problem: str
    solution: str
    funding_source: str
    inventors: list[InventorIn]
    advantages: str = ""
    prior_art: str = ""
    funding_projects: list[str] = []
    planned_publication_on: date | None = None
    planned_publication: str = ""


class DisclosureCreateIn(DisclosureIn):
    submit: bool = False


class InventorOut(Schema):
    name: str
    share_percent: str


class SimilarOut(Schema):
    patent_id: int
    key: str
    title: str
    similarity: float
    terms: list[str] = []


class EvaluationOut(Schema):
    similar_patents: list[SimilarOut]
    searched_at: datetime | None
    novelty_notes: str
    market_prospects: str
    industrialisation_prospects: str
    decision: str
    decision_label: str
    reasons: str
    deadline: date | None
    decided_at: datetime | None


class FilingOut(Schema):
    filed_on: date
    agency: str
    app_no: str
    patent_id: int | None
    inventory_record_id: int | None


class DisclosureOut(Schema):
    id: int
    institution: str
    college: str
    state: str
    state_label: str
    title: str
    field: str
    problem: str
    solution: str
    advantages: str
    prior_art: str
    funding_source: str
    funding_projects: list[str]
    planned_publication_on: date | None
    planned_publication: str
    inventors: list[InventorOut]
    submitted_at: datetime | None
    evaluation: EvaluationOut | None
    filing: FilingOut | None


def _evaluation_out(e: PreFilingEvaluation | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "similar_patents": e.similar_patents,
        "searched_at": e.searched_at,
        "novelty_notes": e.novelty_notes,
        "market_prospects": e.market_prospects,
        "industrialisation_prospects": e.industrialisation_prospects,
        "decision": e.decision,
        "decision_label": e.get_decision_display() if e.decision else "",
        "reasons": e.reasons,
        "deadline": e.deadline,
        "decided_at": e.decided_at,
    }


def _out(d: Disclosure) -> dict[str, Any]:
    evaluation = PreFilingEvaluation.objects.filter(disclosure=d).first()
    filing = Filing.objects.filter(disclosure=d).first()
    return {
        "id": d.pk,
        "institution": d.institution.name,
        "college": d.college.name if d.college else "",
        "state": d.state,
        "state_label": d.get_state_display(),
        "title": d.title,
        "field": d.field,
        "problem": d.problem,
        "solution": d.solution,
        "advantages": d.advantages,
        "prior_art": d.prior_art,
        "funding_source": d.funding_source,
        "funding_projects": d.funding_projects,
        "planned_publication_on": d.planned_publication_on,
        "planned_publication": d.planned_publication,
        "inventors": [{"name": i.name, "share_percent": f"{i.share_bp / 100:g}"} for i in d.inventors.all()],
        "submitted_at": d.submitted_at,
        "evaluation": _evaluation_out(evaluation),
        "filing": None
        if filing is None
        else {
            "filed_on": filing.filed_on,
            "agency": filing.agency,
            "app_no": filing.app_no,
            "patent_id": filing.patent_id,
            "inventory_record_id": filing.inventory_record_id,
        },
    }


def _content(payload: DisclosureIn) -> DisclosureContent:
    data = payload.dict(exclude={"inventors", "submit"})
    return DisclosureContent(
        **data, inventors=[InventorShare(i.name, i.share_percent) for i in payload.inventors]
    )


@router.get("/", response=list[DisclosureOut])
def list_disclosures(
    request: HttpRequest, state: str = "", q: str = "", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    qs = selectors.disclosure_list(request.user, state=state, q=q)[offset : offset + limit]
    return [_out(d) for d in qs]


class StatsOut(Schema):
    year: int
    region_prefix: str
    institution_id: int | None
    disclosures: int
    decided: int
    outcomes: dict[str, int]
    filings: int
    applications: int
    applications_evaluated: int
    evaluated_share_percent: float | None
    overdue: int


@router.get("/stats", response=StatsOut)
def stats(request: HttpRequest, year: int | None = None, region: str = "") -> dict[str, Any]:
    prefix, institution_id = statistics_scope(request.user, prefix=region or None)
    year = year or timezone.localdate().year
    if not 1985 <= year <= 2100:
        raise ApplicationError("year", "年份应在 1985–2100 之间", "year must be 1985-2100", "year")
    return disclosure_statistics(year=year, region_prefix=prefix, institution_id=institution_id).as_dict()


@router.post("/", response={201: DisclosureOut})
def create_disclosure(request: HttpRequest, payload: DisclosureCreateIn) -> Status[dict[str, Any]]:
    d = services.disclosure_create(
        actor=acting_user(request), content=_content(payload), submit=payload.submit
    )
    return Status(201, _out(d))


@router.get("/{disclosure_id}", response=DisclosureOut)
def get_disclosure(request: HttpRequest, disclosure_id: int) -> dict[str, Any]:
    return _out(selectors.disclosure_get(request.user, disclosure_id))


@router.put("/{disclosure_id}", response=DisclosureOut)
def update_disclosure(request: HttpRequest, disclosure_id: int, payload: DisclosureIn) -> dict[str, Any]:
    d = selectors.disclosure_get(request.user, disclosure_id)
    return _out(
        services.disclosure_update(actor=acting_user(request), disclosure=d, content=_content(payload))
    )


@router.post("/{disclosure_id}/submit", response=DisclosureOut)
def submit_disclosure(request: HttpRequest, disclosure_id: int) -> dict[str, Any]:
    d = selectors.disclosure_get(request.user, disclosure_id)
    return _out(services.disclosure_submit(actor=acting_user(request), disclosure=d))


@router.post("/{disclosure_id}/similar", response=DisclosureOut)
def search_similar(request: HttpRequest, disclosure_id: int) -> dict[str, Any]:
    d = selectors.disclosure_get(request.user, disclosure_id)
    services.evaluation_search_similar(actor=acting_user(request), disclosure=d)
    return _out(selectors.disclosure_get(request.user, disclosure_id))


class DecisionIn(Schema):
    decision: str
    reasons: str
    deadline: date | None = None
    novelty_notes: str = ""
    market_prospects: str = ""
    industrialisation_prospects: str = ""


@router.post("/{disclosure_id}/decision", response=DisclosureOut)
def decide(request: HttpRequest, disclosure_id: int, payload: DecisionIn) -> dict[str, Any]:
    d = selectors.disclosure_get(request.user, disclosure_id)
    services.evaluation_decide(actor=acting_user(request), disclosure=d, **payload.dict())
    return _out(selectors.disclosure_get(request.user, disclosure_id))


class FilingIn(Schema):
    filed_on: date
    agency: str = ""
    app_no: str = ""


@router.post("/{disclosure_id}/filing", response=DisclosureOut)
def record_filing(request: HttpRequest, disclosure_id: int, payload: FilingIn) -> dict[str, Any]:
    d = selectors.disclosure_get(request.user, disclosure_id)
    services.filing_record(actor=acting_user(request), disclosure=d, **payload.dict())
    return _out(selectors.disclosure_get(request.user, disclosure_id))


class LinkIn(Schema):
    app_no: str


@router.post("/{disclosure_id}/application-number", response=DisclosureOut)
def link_application(request: HttpRequest, disclosure_id: int, payload: LinkIn) -> dict[str, Any]:
    d = selectors.disclosure_get(request.user, disclosure_id)
    services.filing_link(actor=acting_user(request), disclosure=d, app_no=payload.app_no)
    return _out(selectors.disclosure_get(request.user, disclosure_id))
