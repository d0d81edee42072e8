"""Community API: cases (write, submit, review, list), events (create, register, attendance, list, statistics),
brokering (propose, answer, services) and 技术经理人 profiles. Same services and refusals as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from engine.deals.money import format_fen
from panhuo.accounts import visibility
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Role
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.community import selectors
from panhuo.community.models import CaseStudy, Event, MatchProposal
from panhuo.community.services import brokers, cases, events

router = Router()


class CaseIn(Schema):
    title: str
    category: str
    summary: str
    background: str = ""
    process: str = ""
    effects: str = ""
    lessons: str = ""
    contract_yuan: str = ""
    revenue_yuan: str = ""
    jobs: int | None = None
    deal_codes: list[str] = []
    patents: list[str] = []


class CaseOut(Schema):
    id: int
    title: str
    category: str
    state: str
    state_label: str
    author: str
    summary: str
    contract_yuan: str
    revenue_yuan: str
    jobs: int
    return_reason: str
    published_at: datetime | None


class ReviewIn(Schema):
    publish: bool
    reason: str = ""


def _case(c: CaseStudy) -> dict[str, Any]:
    return {
        "id": c.pk,
        "title": c.title,
        "category": c.category,
        "state": c.state,
        "state_label": c.get_state_display(),
        "author": c.author_org.name,
        "summary": c.summary,
        "contract_yuan": format_fen(c.contract_fen),
        "revenue_yuan": format_fen(c.revenue_fen),
        "jobs": c.jobs,
        "return_reason": c.return_reason,
        "published_at": c.published_at,
    }


def _case_input(p: CaseIn) -> cases.CaseInput:
    d = p.dict()
    d["contract_yuan"], d["revenue_yuan"] = p.contract_yuan, p.revenue_yuan
    d["deal_codes"], d["patents"] = "\n".join(p.deal_codes), "\n".join(p.patents)
    return cases.CaseInput(**d)


@router.get("/cases", response=list[CaseOut])
def list_cases(
    request: HttpRequest, state: str = "", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    qs = selectors.cases_visible(acting_user(request))
    if state:
        qs = qs.filter(state=state)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return [_case(c) for c in qs[offset : offset + limit]]


@router.get("/cases/public", response=list[CaseOut], auth=None)
def public_cases(request: HttpRequest, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Published cases (no sign-in): the same whitelist as the public page."""
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return [_case(c) for c in selectors.cases_public()[offset : offset + limit]]


@router.post("/cases", response={201: CaseOut})
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    return Status(201, _case(cases.case_create(actor=acting_user(request), data=_case_input(payload))))


@router.post("/cases/{case_id}/submit", response=CaseOut)
def submit_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _case(cases.case_submit(actor=acting_user(request), case_id=case_id))


@router.post("/cases/{case_id}/review", response=CaseOut)
def review_case(request: HttpRequest, case_id: int, payload: ReviewIn) -> dict[str, Any]:
    return _case(
        cases.case_review(
            actor=acting_user(request), case_id=case_id, publish=payload.publish, reason=payload.reason
        )
    )


class EventIn(Schema):
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    registration_closes_at: datetime
    online: bool = False
    description: str = ""
    per_org_limit: int | None = None
    need_ids: list[int] = []
    patents: list[str] = []


class EventOut(Schema):
    id: int
    code: str
    kind: str
    kind_label: str
    title: str
    organiser: str
    starts_at: datetime
    ends_at: datetime
    online: bool
    place: str
    capacity: int
    registered: int
    registration_open: bool


def _event(e: Event) -> dict[str, Any]:
    registered = getattr(e, "registered", None)
    if registered is None:
        registered = e.registrations.filter(walk_in=False).count()
    return {
        "id": e.pk,
        "code": e.code,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "title": e.title,
        "organiser": e.organiser.name,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "online": e.online,
        "place": e.place,
        "capacity": e.capacity,
        "registered": registered,
        "registration_open": events.registration_open(e, now=timezone.now()),
    }


@router.get("/events", response=list[EventOut])
def list_events(request: HttpRequest, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    qs = selectors.events_visible(acting_user(request)).filter(cancelled=False)
    return [_event(e) for e in qs[offset : offset + limit]]


@router.post("/events", response={201: EventOut})
def create_event(request: HttpRequest, payload: EventIn) -> Status[dict[str, Any]]:
    d = payload.dict()
    d["patents"] = "\n".join(payload.patents)
    return Status(201, _event(events.event_create(actor=acting_user(request), data=events.EventInput(**d))))


class RegistrationOut(Schema):
    event_id: int
    name: str
    org_name: str
    attended: bool


@router.post("/events/{event_id}/register", response={201: RegistrationOut})
def register(request: HttpRequest, event_id: int) -> Status[dict[str, Any]]:
    r = events.event_register(actor=acting_user(request), event_id=event_id)
    return Status(
        201, {"event_id": r.event_id, "name": r.name, "org_name": r.org_name, "attended": r.attended}
    )


@router.post("/events/{event_id}/withdraw", response={204: None})
def withdraw(request: HttpRequest, event_id: int) -> Status[None]:
    events.event_withdraw(actor=acting_user(request), event_id=event_id)
    return Status(204, None)


class AttendanceIn(Schema):
    attended_registration_ids: list[int]


@router.post("/events/{event_id}/attendance", response=dict[str, int])
def attendance(request: HttpRequest, event_id: int, payload: AttendanceIn) -> dict[str, int]:
    n = events.attendance_mark(
        actor=acting_user(request), event_id=event_id, attended_ids=payload.attended_registration_ids
    )
    return {"changed": n}


class EventRowOut(Schema):
    code: str
    title: str
    kind: str
    starts_at: datetime
    registrations: int
    attended: int
    walk_ins: int
    matches: int
    deals: int


@router.get("/events/stats", response=list[EventRowOut])
def event_stats(request: HttpRequest, year: int | None = None) -> list[Any]:
    user = acting_user(request)
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise ApplicationError("year", "年度应在 2000–2100 之间", "year must be 2000-2100", "year")
    if user.role == Role.OFFICE_OFFICIAL:
        prefix = visibility.office_prefix(user)
        return [] if prefix is None else selectors.event_rows(year=year, region_prefix=prefix)
    if user.role not in visibility.EVENT_ORGANISER_ROLES:
        raise PermissionRefused()
    return selectors.event_rows(year=year, organiser_id=user.organization_id or 0)


class ProposalIn(Schema):
    patent: str
    need_id: int
    reason: str
    event_id: int | None = None


class ProposalOut(Schema):
    id: int
    patent: str
    need: str
    agency: str
    holder: str
    enterprise: str
    holder_decision: str
    enterprise_decision: str
    outcome: str


class DecisionIn(Schema):
    accept: bool
    note: str = ""


def _proposal(p: MatchProposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "patent": p.patent.title,
        "need": p.need.title,
        "agency": p.agency.name,
        "holder": p.holder.name,
        "enterprise": p.enterprise.name,
        "holder_decision": p.holder_decision,
        "enterprise_decision": p.enterprise_decision,
        "outcome": p.outcome,
    }


@router.get("/proposals", response=list[ProposalOut])
def list_proposals(request: HttpRequest) -> list[dict[str, Any]]:
    return [_proposal(p) for p in selectors.proposals_visible(acting_user(request))[:500]]


@router.post("/proposals", response={201: ProposalOut})
def create_proposal(request: HttpRequest, payload: ProposalIn) -> Status[dict[str, Any]]:
    p = brokers.proposal_create(actor=acting_user(request), data=brokers.ProposalInput(**payload.dict()))
    return Status(201, _proposal(p))


@router.post("/proposals/{proposal_id}/decide", response=ProposalOut)
def decide(request: HttpRequest, proposal_id: int, payload: DecisionIn) -> dict[str, Any]:
    p = brokers.proposal_decide(
        actor=acting_user(request), proposal_id=proposal_id, accept=payload.accept, note=payload.note
    )
    return _proposal(p)


class ServiceIn(Schema):
    service_type: str
    started_on: date
    ended_on: date | None = None
    fee_yuan: str = ""
    proposal_id: int | None = None
    deal_code: str = ""
    manager_id: int | None = None
    notes: str = ""


class ServiceOut(Schema):
    id: int
    service_type: str
    started_on: date
    ended_on: date | None
    fee_yuan: str


@router.post("/services", response={201: ServiceOut})
def record_service(request: HttpRequest, payload: ServiceIn) -> Status[dict[str, Any]]:
    s = brokers.service_record(actor=acting_user(request), data=brokers.ServiceInput(**payload.dict()))
    return Status(
        201,
        {
            "id": s.pk,
            "service_type": s.service_type,
            "started_on": s.started_on,
            "ended_on": s.ended_on,
            "fee_yuan": format_fen(s.fee_fen),
        },
    )


class ManagerOut(Schema):
    id: int
    name: str
    qualification: str
    fields_text: str
    organization: str
    deals: int
    services: int
    events_attended: int


@router.get("/managers", response=list[ManagerOut])
def list_managers(request: HttpRequest) -> list[dict[str, Any]]:
    user = acting_user(request)
    out = []
    for m in selectors.managers_visible(user).order_by("name")[:500]:
        r = selectors.manager_record(m, user)
        out.append(
            {
                "id": m.pk,
                "name": m.name,
                "qualification": m.qualification,
                "fields_text": m.fields_text,
                "organization": m.organization.name,
                "deals": r.deals,
                "services": r.services,
                "events_attended": r.events_attended,
            }
        )
    return out
