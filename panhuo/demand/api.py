"""Demand API: profile, needs and answers, favourites, subscriptions, cooperation requests, response report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Organization
from panhuo.common.crypto import mask_phone
from panhuo.common.errors import NotFound, PermissionRefused
from panhuo.demand import selectors, services
from panhuo.demand.models import CooperationRequest, EnterpriseProfile, Need, RequestStatus
from panhuo.patents.models import Patent

router = Router()


class ProfileIn(Schema):
    name: str
    credit_code: str
    region_code: str = ""
    industry_code: str = ""
    industry_confirmed: bool = False
    size: str = ""
    qualifications: list[str] = []
    business_scope: str = ""
    technical_focus: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


class ProfileOut(Schema):
    organization_id: int
    name: str
    credit_code: str
    region_code: str
    industry_code: str
    industry_name: str
    industry_confirmed: bool
    size: str
    qualifications: list[str]
    business_scope: str
    technical_focus: str
    contact_name: str
    contact_phone_masked: str
    updated_at: datetime


def _profile_out(p: EnterpriseProfile) -> dict[str, Any]:
    return {
        "organization_id": p.organization_id,
        "name": p.organization.name,
        "credit_code": p.organization.credit_code,
        "region_code": p.organization.region_code,
        "industry_code": p.industry_code,
        "industry_name": p.industry_name,
        "industry_confirmed": p.industry_confirmed,
        "size": p.size,
        "qualifications": p.qualifications,
        "business_scope": p.business_scope,
        "technical_focus": p.technical_focus,
        "contact_name": p.contact_name,
        "contact_phone_masked": mask_phone(p.contact_phone),
        "updated_at": p.updated_at,
    }


class SuggestionOut(Schema):
    code: str
    name: str
    score: float
    matched_terms: list[str]
    source: str


class NeedIn(Schema):
    title: str
    description: str
    wanted_mode: str
    industry_code: str = ""
    ipc_hints: list[str] = []
    budget_min_fen: int | None = None
    budget_max_fen: int | None = None
    deadline: date | None = None
    patent_ids: list[int] = []
    publish: bool = True


class NeedOut(Schema):
    id: int
    enterprise: str
    title: str
    description: str
    industry_code: str
    industry_name: str
    ipc_hints: list[str]
    budget_min_fen: int | None
    budget_max_fen: int | None
    wanted_mode: str
    deadline: date | None
    status: str
    published_at: datetime | None
    updated_at: datetime
    is_demo: bool


def _need_out(n: Need) -> dict[str, Any]:
    return {
        "id": n.pk,
        "enterprise": n.enterprise.name,
        "title": n.title,
        "description": n.description,
        "industry_code": n.industry_code,
        "industry_name": n.industry_name,
        "ipc_hints": n.ipc_hints,
        "budget_min_fen": n.budget_min_fen,
        "budget_max_fen": n.budget_max_fen,
        "wanted_mode": n.wanted_mode,
        "deadline": n.deadline,
        "status": n.status,
        "published_at": n.published_at,
        "updated_at": n.updated_at,
        "is_demo": n.is_demo,
    }


class RelevantNeedOut(Schema):
    need: NeedOut
    reasons: list[str]
    answered: bool


class AnswerIn(Schema):
    text: str
    patent_ids: list[int] = []


class AnswerOut(Schema):
    id: int
    institution: str
    text: str
    proposed_patents: list[str]
    answered_at: datetime


class SubscriptionIn(Schema):
    name: str = ""
    keywords: list[str] = []
    ipc_codes: list[str] = []
    industry_codes: list[str] = []
    institution_ids: list[int] = []


class SubscriptionOut(Schema):
    id: int
    name: str
    keywords: list[str]
    ipc_codes: list[str]
    industry_codes: list[str]
    institution_ids: list[int]
    active: bool


class FavouriteOut(Schema):
    patent_id: int
    patent: str
    title: str
    created_at: datetime


class ToggleOut(Schema):
    favourite: bool


class RequestIn(Schema):
    mode: str
    message: str
    patent_id: int | None = None
    institution_id: int | None = None
    need_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""


class RequestOut(Schema):
    id: int
    enterprise: str
    institution: str
    patent: str | None
    mode: str
    message: str
    status: str
    reply: str
    created_at: datetime
    replied_at: datetime | None


class ReplyIn(Schema):
    reply: str
    status: str = RequestStatus.REPLIED


def _request_out(r: CooperationRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "enterprise": r.enterprise.name,
        "institution": r.institution.name,
        "patent": r.patent.key if r.patent else None,
        "mode": r.mode,
        "message": r.message,
        "status": r.status,
        "reply": r.reply,
        "created_at": r.created_at,
        "replied_at": r.replied_at,
    }


class InstitutionResponseOut(Schema):
    institution: str
    answers: int
    median_answer_hours: float | None
    requests: int
    replied: int
    median_reply_hours: float | None
    overdue_requests: int


class ResponseReportOut(Schema):
    overdue_days: int
    needs_public: int
    needs_answered: int
    needs_overdue: list[int]
    median_first_answer_hours: float | None
    institutions: list[InstitutionResponseOut]
    requests_overdue: list[int]


# --- profile --------------------------------------------------------------------------------------------------------


@router.get("/profile", response=ProfileOut)
def get_profile(request: HttpRequest) -> dict[str, Any]:
    profile = selectors.profile_of(acting_user(request))
    if profile is None:
        raise NotFound("尚未登记企业信息", "no enterprise profile yet")
    return _profile_out(profile)


@router.put("/profile", response=ProfileOut)
def put_profile(request: HttpRequest, payload: ProfileIn) -> dict[str, Any]:
    profile = services.enterprise_profile_save(actor=acting_user(request), **payload.dict())
    profile.organization.refresh_from_db()
    return _profile_out(profile)


class EnterpriseOut(Schema):
    name: str
    credit_code: str
    region_code: str
    size: str
    qualifications: list[str]
    qualification_labels: list[str]


class EnterpriseQuery(Schema):
    qualification: list[str] = []  # every one of these 资质 (repeat the parameter)
    q: str = ""
    limit: int = 100
    offset: int = 0


@router.get("/enterprises", response=list[EnterpriseOut], summary="企业名录（本辖区；可按资质筛选）")
def enterprises(request: HttpRequest, query: Query[EnterpriseQuery]) -> list[dict[str, Any]]:
    qs = selectors.enterprises_visible(acting_user(request)).order_by("organization__name", "pk")
    if query.q.strip():
        qs = qs.filter(organization__name__icontains=query.q.strip()[:100])
    qs = selectors.with_qualifications(qs, query.qualification)
    limit, offset = max(1, min(query.limit, 500)), max(0, query.offset)
    return [
        {
            "name": p.organization.name,
            "credit_code": p.organization.credit_code,
            "region_code": p.organization.region_code,
            "size": p.size,
            "qualifications": list(p.qualifications),
            "qualification_labels": p.qualification_labels,
        }
        for p in qs[offset : offset + limit]
    ]


@router.get("/industry-suggestions", response=list[SuggestionOut])
def industry_suggestions(request: HttpRequest, scope: str, top: int = 5) -> list[dict[str, Any]]:
    from panhuo.demand.industries import suggest_industries

    return [
        {
            "code": s.code,
            "name": s.name,
            "score": s.score,
            "matched_terms": list(s.matched_terms),
            "source": s.source,
        }
        for s in suggest_industries(scope[:4000], top=max(1, min(top, 20)))
    ]


# --- needs ----------------------------------------------------------------------------------------------------------


@router.get("/needs", response=list[NeedOut])
def list_needs(
    request: HttpRequest, status: str = "", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    qs = selectors.needs_visible(acting_user(request))
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 500))
    offset = max(0, min(offset, 10**9))
    return [_need_out(n) for n in qs.order_by("-published_at", "-id")[offset : offset + limit]]


@router.get("/needs/relevant", response=list[RelevantNeedOut])
def relevant_needs(request: HttpRequest) -> list[dict[str, Any]]:
    if getattr(acting_user(request), "role", None) not in ("college_admin", "institution_admin"):
        raise PermissionRefused()
    return [
        {"need": _need_out(r.need), "reasons": list(r.reasons), "answered": r.answered}
        for r in selectors.needs_relevant_for_institution(acting_user(request))
    ]


@router.post("/needs", response={201: NeedOut})
def create_need(request: HttpRequest, payload: NeedIn) -> Status[dict[str, Any]]:
    need = services.need_create(actor=acting_user(request), **payload.dict())
    return Status(201, _need_out(need))


@router.get("/needs/{need_id}", response=NeedOut)
def get_need(request: HttpRequest, need_id: int) -> dict[str, Any]:
    return _need_out(selectors.need_get(acting_user(request), need_id))


@router.get("/needs/{need_id}/answers", response=list[AnswerOut])
def list_answers(request: HttpRequest, need_id: int) -> list[dict[str, Any]]:
    need = selectors.need_get(acting_user(request), need_id)
    return [
        {
            "id": a.pk,
            "institution": a.institution.name,
            "text": a.text,
            "proposed_patents": [p.key for p in a.proposed_patents.all()],
            "answered_at": a.answered_at,
        }
        for a in selectors.answers_for(acting_user(request), need)
    ]


@router.post("/needs/{need_id}/answers", response={201: AnswerOut})
def answer_need(request: HttpRequest, need_id: int, payload: AnswerIn) -> Status[dict[str, Any]]:
    need = selectors.need_get(acting_user(request), need_id)
    a = services.need_answer(
        actor=acting_user(request), need=need, text=payload.text, patent_ids=payload.patent_ids
    )
    return Status(
        201,
        {
            "id": a.pk,
            "institution": a.institution.name,
            "text": a.text,
            "proposed_patents": [p.key for p in a.proposed_patents.all()],
            "answered_at": a.answered_at,
        },
    )


@router.post("/needs/{need_id}/close", response=NeedOut)
def close_need(request: HttpRequest, need_id: int) -> dict[str, Any]:
    need = selectors.need_get(acting_user(request), need_id)
    return _need_out(services.need_close(actor=acting_user(request), need=need))


# --- favourites, subscriptions ------------------------------------------------------------------------------------


@router.get("/favourites", response=list[FavouriteOut])
def list_favourites(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "patent_id": f.patent_id,
            "patent": f.patent.key,
            "title": f.patent.title,
            "created_at": f.created_at,
        }
        for f in selectors.favourites_of(acting_user(request))
    ]


@router.post("/favourites/{patent_id}/toggle", response=ToggleOut)
def toggle_favourite(request: HttpRequest, patent_id: int) -> dict[str, bool]:
    patent = get_object_or_404(Patent, pk=patent_id)
    return {"favourite": services.favourite_toggle(actor=acting_user(request), patent=patent)}


def _sub_out(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "keywords": s.keywords,
        "ipc_codes": s.ipc_codes,
        "industry_codes": s.industry_codes,
        "institution_ids": [o.pk for o in s.institutions.all()],
        "active": s.active,
    }


@router.get("/subscriptions", response=list[SubscriptionOut])
def list_subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    return [_sub_out(s) for s in selectors.subscriptions_of(acting_user(request))]


@router.post("/subscriptions", response={201: SubscriptionOut})
def create_subscription(request: HttpRequest, payload: SubscriptionIn) -> Status[dict[str, Any]]:
    return Status(201, _sub_out(services.subscription_create(actor=acting_user(request), **payload.dict())))


@router.delete("/subscriptions/{sub_id}", response={204: None})
def delete_subscription(request: HttpRequest, sub_id: int) -> Status[None]:
    services.subscription_delete(
        actor=acting_user(request), subscription=selectors.subscription_get(acting_user(request), sub_id)
    )
    return Status(204, None)


# --- cooperation requests -----------------------------------------------------------------------------------------


@router.get("/requests", response=list[RequestOut])
def list_requests(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    qs = selectors.requests_visible(acting_user(request))
    if status:
        qs = qs.filter(status=status)
    return [_request_out(r) for r in qs[:500]]


@router.post("/requests", response={201: RequestOut})
def create_request(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    patent = get_object_or_404(Patent, pk=payload.patent_id) if payload.patent_id else None
    institution = (
        get_object_or_404(Organization, pk=payload.institution_id) if payload.institution_id else None
    )
    need = selectors.need_get(acting_user(request), payload.need_id) if payload.need_id else None
    req = services.cooperation_request_create(
        actor=acting_user(request),
        patent=patent,
        institution=institution,
        need=need,
        mode=payload.mode,
        message=payload.message,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
    )
    return Status(201, _request_out(req))


@router.post("/requests/{req_id}/reply", response=RequestOut)
def reply_request(request: HttpRequest, req_id: int, payload: ReplyIn) -> dict[str, Any]:
    req = selectors.request_get(acting_user(request), req_id)
    return _request_out(
        services.cooperation_request_reply(
            actor=acting_user(request), request=req, reply=payload.reply, status=payload.status
        )
    )


@router.get("/responses", response=ResponseReportOut)
def responses(request: HttpRequest, days: int | None = None) -> dict[str, Any]:
    if getattr(acting_user(request), "role", None) != "office_official":
        raise PermissionRefused()
    rep = selectors.response_report(acting_user(request), overdue_days=days)
    return {
        "overdue_days": rep.overdue_days,
        "needs_public": rep.needs_public,
        "needs_answered": rep.needs_answered,
        "needs_overdue": [n.pk for n in rep.needs_overdue],
        "median_first_answer_hours": rep.median_first_answer_hours,
        "institutions": [
            {
                "institution": r.institution.name,
                "answers": r.answers,
                "median_answer_hours": r.median_answer_hours,
                "requests": r.requests,
                "replied": r.replied,
                "median_reply_hours": r.median_reply_hours,
                "overdue_requests": r.overdue_requests,
            }
            for r in rep.institutions
        ],
        "requests_overdue": [r.pk for r in rep.requests_overdue],
    }
