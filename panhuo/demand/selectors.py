"""Demand reads. Every selector takes the acting user, so tenant visibility is decided here and only here."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from panhuo.accounts.acting import signed_in
from panhuo.accounts.models import INSTITUTION_ROLES, Organization, OrganizationType, Role, User
from panhuo.accounts.visibility import office_prefix, region_prefix  # noqa: F401 - region_prefix: re-export
from panhuo.demand.models import (
    CooperationRequest,
    EnterpriseProfile,
    Favourite,
    Need,
    NeedAnswer,
    NeedStatus,
    Qualification,
    RequestStatus,
    Subscription,
)
from panhuo.patents.models import InventoryRecord, InventoryState, Patent, PatentIndustry


def overdue_days_default() -> int:
    return int(getattr(settings, "PANHUO_NEED_OVERDUE_DAYS", 15))


def _office_region(user: User) -> str | None:
    """None = not an office user (or an office without a region); "" = national (sees everything)."""
    return office_prefix(user)


# --- enterprise profiles ---------------------------------------------------------------------------------------


def profile_of(user: User) -> EnterpriseProfile | None:
    if (not signed_in(user) or user.role != Role.ENTERPRISE_USER) or user.organization_id is None:
        return None
    return EnterpriseProfile.objects.filter(organization_id=user.organization_id).first()


def profiles_changed_since(since: datetime | None) -> QuerySet[EnterpriseProfile]:
    """Watermark pull for matching (no tenant data leaves here beyond what matching already indexes)."""
    qs = EnterpriseProfile.objects.select_related("organization")
    return qs.filter(updated_at__gt=since) if since else qs


# --- needs -----------------------------------------------------------------------------------------------------


def needs_visible(user: User) -> QuerySet[Need]:
    """Public needs (not drafts) for every signed-in role; an enterprise also sees its own drafts."""
    qs = Need.objects.select_related("enterprise")
    public = ~Q(status=NeedStatus.DRAFT)
    if signed_in(user) and user.role == Role.ENTERPRISE_USER:
        return qs.filter(public | Q(enterprise_id=user.organization_id))
    region = _office_region(user)
    if region:
        return qs.filter(public, enterprise__region_code__startswith=region)
    return qs.filter(public)


def need_get(user: User, pk: int) -> Need:
    need = needs_visible(user).filter(pk=pk).first()
    if need is None:
        raise Http404
    return need


def needs_of_enterprise(user: User) -> QuerySet[Need]:
    return Need.objects.filter(enterprise_id=user.organization_id)


def needs_changed_since(since: datetime | None) -> QuerySet[Need]:
    """Watermark pull for matching: public needs only."""
    qs = Need.objects.exclude(status=NeedStatus.DRAFT).select_related("enterprise")
    return qs.filter(updated_at__gt=since) if since else qs


@dataclass(frozen=True)
class RelevantNeed:
    need: Need
    reasons: tuple[str, ...]
    answered: bool


def needs_relevant_for_institution(user: User, *, limit: int = 200) -> list[RelevantNeed]:
    """Open/answered needs whose IPC hints or industry overlap the institution's pooled patents.

    Simple overlap: an IPC hint matches a pooled patent whose main IPC or any IPC code starts with the hint, or
    shares its subclass; an industry matches a pooled patent's GB/T 4754 PatentIndustry code.
    """
    org_id = user.organization_id
    if org_id is None:
        return []
    pooled = InventoryRecord.objects.filter(organization_id=org_id, state=InventoryState.POOLED)
    patent_ids = list(pooled.values_list("patent_id", flat=True))
    if not patent_ids:
        return []
    ipc_full: set[str] = set()
    subclasses: set[str] = set()
    for main, codes, sub in Patent.objects.filter(pk__in=patent_ids).values_list(
        "ipc_main", "ipc_codes", "ipc_subclass"
    ):
        for c in [main, *(codes or [])]:
            if c:
                ipc_full.add(c)
                subclasses.add(c[:4])
        if sub:
            subclasses.add(sub)
    main_groups = {c.split("/")[0] for c in ipc_full if "/" in c}
    industries = set(
        PatentIndustry.objects.filter(
            patent_id__in=patent_ids, scheme=PatentIndustry.Scheme.GBT4754
        ).values_list("code", flat=True)
    )
    industries |= {c[1:] for c in industries if len(c) == 5 and c[0].isalpha()}
    answered = set(NeedAnswer.objects.filter(institution_id=org_id).values_list("need_id", flat=True))
    out: list[RelevantNeed] = []
    qs = Need.objects.filter(status__in=[NeedStatus.OPEN, NeedStatus.ANSWERED]).select_related("enterprise")
    for need in qs.order_by("-published_at", "-id").iterator(chunk_size=500):
        reasons: list[str] = []
        for hint in need.ipc_hints or []:
            if len(hint) <= 4:  # section / class / subclass hint: prefix of a pooled patent's subclass
                hit = any(sub.startswith(hint) for sub in subclasses)
            else:  # group hint: same main group as one of the pooled patents' codes
                hit = hint.split("/")[0] in main_groups
            if hit:
                reasons.append(f"IPC {hint}")
        if need.industry_code and need.industry_code in industries:
            reasons.append(f"行业 {need.industry_code} {need.industry_name}")
        if reasons:
            out.append(RelevantNeed(need, tuple(reasons), need.pk in answered))
            if len(out) >= limit:
                break
    return out


def answers_for(user: User, need: Need) -> QuerySet[NeedAnswer]:
    """The need's enterprise and the offices of its region see all answers; an institution sees its own; nobody
    else sees any (banks, agencies, the admin roles, other enterprises)."""
    qs = need.answers.select_related("institution", "author").prefetch_related("proposed_patents")
    role = getattr(user, "role", None)
    if role in INSTITUTION_ROLES:
        return qs.filter(institution_id=user.organization_id)
    if role == Role.ENTERPRISE_USER:
        return qs if need.enterprise_id == user.organization_id else qs.none()
    region = office_prefix(user)
    if region is not None and need.enterprise.region_code.startswith(region):
        return qs
    return qs.none()


# --- subscriptions, favourites ------------------------------------------------------------------------------------


def subscriptions_of(user: User) -> QuerySet[Subscription]:
    return Subscription.objects.filter(user=user).prefetch_related("institutions")


def subscription_get(user: User, pk: int) -> Subscription:
    sub = subscriptions_of(user).filter(pk=pk).first()
    if sub is None:
        raise Http404
    return sub


def active_subscriptions() -> QuerySet[Subscription]:
    """For matching's push job."""
    return Subscription.objects.filter(active=True).select_related("organization", "user")


def favourites_of(user: User) -> QuerySet[Favourite]:
    return Favourite.objects.filter(user=user).select_related("patent")


def is_favourite(user: User, patent: Patent) -> bool:
    return Favourite.objects.filter(user=user, patent=patent).exists()


def pooled_holders(patent: Patent) -> list[Organization]:
    ids = InventoryRecord.objects.filter(patent=patent, state=InventoryState.POOLED).values_list(
        "organization_id", flat=True
    )
    return list(Organization.objects.filter(pk__in=list(ids)).order_by("pk"))


def pooled_patents_of(org_id: int) -> QuerySet[Patent]:
    ids = InventoryRecord.objects.filter(organization_id=org_id, state=InventoryState.POOLED).values_list(
        "patent_id", flat=True
    )
    return Patent.objects.filter(pk__in=ids)


# --- cooperation requests -----------------------------------------------------------------------------------------


def requests_visible(user: User) -> QuerySet[CooperationRequest]:
    """Enterprise: its outbox. Institution staff: its inbox (inventors see none). Office: its region's."""
    qs = CooperationRequest.objects.select_related("enterprise", "institution", "patent", "need")
    role = getattr(user, "role", None)
    if role == Role.ENTERPRISE_USER:
        return qs.filter(enterprise_id=user.organization_id)
    if role in (Role.COLLEGE_ADMIN, Role.INSTITUTION_ADMIN):
        return qs.filter(institution_id=user.organization_id)
    region = _office_region(user)
    if region is not None:
        return qs.filter(institution__region_code__startswith=region) if region else qs
    return qs.none()


def request_get(user: User, pk: int) -> CooperationRequest:
    req = requests_visible(user).filter(pk=pk).first()
    if req is None:
        raise Http404
    return req


# --- office dashboard: response times ------------------------------------------------------------------------------


@dataclass
class InstitutionResponse:
    institution: Organization
    answers: int = 0
    answer_hours: list[float] = field(default_factory=list)
    requests: int = 0
    replied: int = 0
    reply_hours: list[float] = field(default_factory=list)
    overdue_requests: int = 0

    @property
    def median_answer_hours(self) -> float | None:
        return round(statistics.median(self.answer_hours), 1) if self.answer_hours else None

    @property
    def median_reply_hours(self) -> float | None:
        return round(statistics.median(self.reply_hours), 1) if self.reply_hours else None

    @property
    def mean_reply_hours(self) -> float | None:
        return round(statistics.fmean(self.reply_hours), 1) if self.reply_hours else None


@dataclass
class ResponseReport:
    overdue_days: int
    needs_public: int
    needs_answered: int
    needs_overdue: list[Need]
    median_first_answer_hours: float | None
    institutions: list[InstitutionResponse]
    requests_overdue: list[CooperationRequest]


def _hours(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def response_report(
    user: User, *, overdue_days: int | None = None, now: datetime | None = None
) -> ResponseReport:
    """需求响应: time from publication to the first answer, and from a request to the first reply; overdue lists.

    A need is overdue when it has been public longer than `overdue_days` without any answer (and is not closed);
    a cooperation request is overdue when it is still `new` after `overdue_days`.
    """
    days = overdue_days if overdue_days is not None else overdue_days_default()
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    needs = needs_visible(user).exclude(published_at__isnull=True)
    first_answer: dict[int, datetime] = {}
    per_inst: dict[int, InstitutionResponse] = {}
    orgs: dict[int, Organization] = {}
    answers = NeedAnswer.objects.filter(need__in=needs).select_related("institution", "need")
    for ans in answers.order_by("answered_at"):
        first_answer.setdefault(ans.need_id, ans.answered_at)
        row = per_inst.setdefault(ans.institution_id, InstitutionResponse(ans.institution))
        row.answers += 1
        if ans.need.published_at is not None:
            row.answer_hours.append(_hours(ans.answered_at, ans.need.published_at))
    first_hours = [
        _hours(at, pub)
        for nid, pub in needs.values_list("id", "published_at")
        if (at := first_answer.get(nid)) is not None and pub is not None
    ]
    overdue = list(
        needs.filter(status=NeedStatus.OPEN, published_at__lt=cutoff)
        .exclude(pk__in=list(first_answer))
        .order_by("published_at")
    )
    requests = requests_visible(user) if signed_in(user) and user.role == Role.OFFICE_OFFICIAL else None
    if requests is None:
        requests = CooperationRequest.objects.none()
    overdue_requests: list[CooperationRequest] = []
    for req in requests.order_by("created_at"):
        row = per_inst.setdefault(req.institution_id, InstitutionResponse(req.institution))
        orgs[req.institution_id] = req.institution
        row.requests += 1
        if req.replied_at is not None:
            row.replied += 1
            row.reply_hours.append(_hours(req.replied_at, req.created_at))
        elif req.status == RequestStatus.NEW and req.created_at < cutoff:
            row.overdue_requests += 1
            overdue_requests.append(req)
    return ResponseReport(
        overdue_days=days,
        needs_public=needs.count(),
        needs_answered=len(first_answer),
        needs_overdue=overdue,
        median_first_answer_hours=round(statistics.median(first_hours), 1) if first_hours else None,
        institutions=sorted(per_inst.values(), key=lambda r: (-r.overdue_requests, r.institution.name)),
        requests_overdue=overdue_requests,
    )


def enterprises_visible(user: User) -> QuerySet[EnterpriseProfile]:
    """Office: enterprises of its region; operator admins: all; others: none (profiles hold contacts)."""
    qs = EnterpriseProfile.objects.select_related("organization").filter(
        organization__type=OrganizationType.ENTERPRISE
    )
    region = _office_region(user)
    if region is not None:
        return qs.filter(organization__region_code__startswith=region) if region else qs
    return qs.none()


def with_qualifications(qs: QuerySet[EnterpriseProfile], values: list[str]) -> QuerySet[EnterpriseProfile]:
    """Profiles holding every one of these 资质 (an eligibility filter: 国有企业, 优势示范企业, 保护中心备案主体 …).

    The JSON list is matched as text (`"value"` with its quotes), which SQLite and PostgreSQL both do; unknown
    values match nothing.
    """
    for value in values:
        if value not in Qualification.values:
            return qs.none()
        qs = qs.filter(qualifications__icontains=f'"{value}"')
    return qs


def enterprises_confirmed() -> QuerySet[EnterpriseProfile]:
    """Enterprises whose size and region the office confirmed: the only ones that count as subsidy beneficiaries."""
    return EnterpriseProfile.objects.filter(office_confirmed=True)


def enterprises_awaiting_confirmation(user: User) -> QuerySet[EnterpriseProfile]:
    """The office's queue: enterprises of its region whose size/region it has not confirmed yet."""
    return enterprises_visible(user).filter(size_confirmed_at__isnull=True).order_by("created_at", "pk")
