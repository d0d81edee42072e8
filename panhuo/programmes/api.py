"""Programmes API: subsidy schemes (define, change = new version, presets), pledge-loan figures, 事前资助 projects.

A refusal is 400 with `errors` listing every problem (field, zh, en); another office's scheme or project is 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from engine.deals.money import format_fen
from engine.monitoring import units
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import User
from panhuo.common.errors import NotFound
from panhuo.programmes import projects as project_services
from panhuo.programmes import selectors, services
from panhuo.programmes.models import FundedProject, SubsidyScheme, SubsidySchemeVersion

router = Router()


def _user(request: HttpRequest) -> User:
    return acting_user(request)


class SchemeIn(Schema):
    code: str
    definition: dict[str, Any]
    regions: list[str] = []


class RevisionIn(Schema):
    definition: dict[str, Any]
    regions: list[str] = []
    note: str = ""


class PresetIn(Schema):
    code: str = ""
    regions: list[str] = []


class SchemeOut(Schema):
    code: str
    version: int
    current_version: int
    name: str
    regions: list[str]
    definition: dict[str, Any]
    note: str


def _scheme_out(scheme: SubsidyScheme, version: SubsidySchemeVersion) -> dict[str, Any]:
    return {
        "code": scheme.code,
        "version": version.number,
        "current_version": scheme.current_version,
        "name": version.name,
        "regions": version.regions,
        "definition": version.definition,
        "note": version.note,
    }


@router.get("/schemes", response=list[SchemeOut])
def schemes(request: HttpRequest) -> list[dict[str, Any]]:
    return [_scheme_out(s, selectors.current_version(s)) for s in selectors.schemes_visible(_user(request))]


@router.get("/schemes/{code}", response=SchemeOut)
def scheme(request: HttpRequest, code: str, version: int = 0) -> dict[str, Any]:
    obj = selectors.scheme_get(actor=_user(request), code=code)
    v = obj.versions.filter(number=version or obj.current_version).first()
    if v is None:
        raise NotFound()
    return _scheme_out(obj, v)


@router.post("/schemes", response={201: SchemeOut})
def scheme_create(request: HttpRequest, data: SchemeIn) -> tuple[int, dict[str, Any]]:
    obj = services.scheme_create(
        actor=_user(request), code=data.code, definition=data.definition, regions=data.regions
    )
    return 201, _scheme_out(obj, selectors.current_version(obj))


@router.post("/schemes/{code}/versions", response={201: SchemeOut})
def scheme_revise(request: HttpRequest, code: str, data: RevisionIn) -> tuple[int, dict[str, Any]]:
    version = services.scheme_revise(
        actor=_user(request), code=code, definition=data.definition, regions=data.regions, note=data.note
    )
    return 201, _scheme_out(version.scheme, version)


@router.post("/schemes/presets/{preset}", response={201: SchemeOut})
def scheme_load_preset(request: HttpRequest, preset: str, data: PresetIn) -> tuple[int, dict[str, Any]]:
    obj = services.scheme_load_preset(
        actor=_user(request), preset=preset, code=data.code, regions=data.regions or None
    )
    return 201, _scheme_out(obj, selectors.current_version(obj))


class PledgeFiguresIn(Schema):
    interest_paid_yuan: str = ""
    premium_paid_yuan: str = ""
    annual_rate_percent: str = ""
    paid_until: date | None = None


class PledgeFiguresOut(Schema):
    deal_code: str
    interest_paid_fen: int
    interest_paid_yuan: str
    premium_paid_fen: int
    premium_paid_yuan: str


@router.put("/pledge-figures/{deal_id}", response=PledgeFiguresOut)
def pledge_figures(request: HttpRequest, deal_id: int, data: PledgeFiguresIn) -> dict[str, Any]:
    f = services.pledge_figures_record(
        actor=_user(request),
        deal_id=deal_id,
        interest_paid_yuan=data.interest_paid_yuan,
        premium_paid_yuan=data.premium_paid_yuan,
        annual_rate_percent=data.annual_rate_percent,
        paid_until=data.paid_until,
    )
    return {
        "deal_code": f.deal.code,
        "interest_paid_fen": f.interest_paid_fen,
        "interest_paid_yuan": format_fen(f.interest_paid_fen),
        "premium_paid_fen": f.premium_paid_fen,
        "premium_paid_yuan": format_fen(f.premium_paid_fen),
    }


class TargetIn(Schema):
    name: str
    unit: str
    target: str  # as typed: "200" (万元), "2.5" (%), "12" (件)


class ProjectIn(Schema):
    code: str
    name: str
    holder_id: int
    amount_yuan: str
    start: date
    end: date
    targets: list[TargetIn]
    category: str = ""
    source: str = ""


class TargetOut(Schema):
    id: int
    name: str
    unit: str
    target: int
    target_text: str
    actual: int | None
    actual_text: str


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    holder: str
    amount_fen: int
    amount_yuan: str
    start: date
    end: date
    status: str
    status_label: str
    acceptance_reason: str
    targets: list[TargetOut]


def _project_out(p: FundedProject) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "holder": p.holder.name,
        "amount_fen": p.amount_fen,
        "amount_yuan": format_fen(p.amount_fen),
        "start": p.start,
        "end": p.end,
        "status": p.status,
        "status_label": p.get_status_display(),
        "acceptance_reason": p.acceptance_reason,
        "targets": [
            {
                "id": t.pk,
                "name": t.name,
                "unit": t.unit,
                "target": t.target,
                "target_text": units.format_value(t.target, t.unit),
                "actual": t.actual,
                "actual_text": "" if t.actual is None else units.format_value(t.actual, t.unit),
            }
            for t in p.targets.all()
        ],
    }


@router.get("/projects", response=list[ProjectOut])
def projects(request: HttpRequest) -> list[dict[str, Any]]:
    qs = selectors.projects_visible(_user(request)).select_related("holder").prefetch_related("targets")
    return [_project_out(p) for p in qs[:500]]


@router.post("/projects", response={201: ProjectOut})
def project_create(request: HttpRequest, data: ProjectIn) -> tuple[int, dict[str, Any]]:
    p = project_services.project_create(
        actor=_user(request),
        code=data.code,
        name=data.name,
        holder_id=data.holder_id,
        amount_yuan=data.amount_yuan,
        start=data.start,
        end=data.end,
        targets=[t.dict() for t in data.targets],
        category=data.category,
        source=data.source,
    )
    return 201, _project_out(p)


class SelfEvaluationIn(Schema):
    actuals: dict[int, str]  # target id -> value as typed
    self_evaluation: str


@router.post("/projects/{project_id}/self-evaluation", response=ProjectOut)
def project_self_evaluate(request: HttpRequest, project_id: int, data: SelfEvaluationIn) -> dict[str, Any]:
    p = project_services.project_self_evaluate(
        actor=_user(request),
        project_id=project_id,
        actuals=data.actuals,
        self_evaluation=data.self_evaluation,
    )
    return _project_out(p)


class AcceptanceIn(Schema):
    decision: str  # passed | rectify | failed
    reason: str = ""


@router.post("/projects/{project_id}/acceptance", response=ProjectOut)
def project_accept(request: HttpRequest, project_id: int, data: AcceptanceIn) -> dict[str, Any]:
    p = project_services.project_accept(
        actor=_user(request), project_id=project_id, decision=data.decision, reason=data.reason
    )
    return _project_out(p)
