"""Reads: cases (published for everyone; drafts for their authors; submitted ones for their reviewers), events,
registrations, proposals, services, brokered deals, 技术经理人 profiles and their record, and the statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from panhuo.accounts import visibility
from panhuo.accounts.models import ADMIN_ROLES, Role, User
from panhuo.common.errors import NotFound
from panhuo.community.models import (
    BrokerService,
    CaseState,
    CaseStudy,
    DealOrigin,
    Event,
    EventRegistration,
    MatchProposal,
    TechManager,
)
from panhuo.deals.models import Deal
from panhuo.deals.selectors import deals_visible

# --- cases --------------------------------------------------------------------------------------------------------


def cases_public() -> QuerySet[CaseStudy]:
    return CaseStudy.objects.filter(state=CaseState.PUBLISHED).select_related("author_org")


def case_public_get(pk: int) -> CaseStudy:
    case = cases_public().filter(pk=pk).first() if 0 < pk < 2**63 else None
    if case is None:
        raise NotFound("案例不存在", "case not found")
    return case


def _review_scope(user: User) -> Q:
    """Submitted cases this user may review (the same rule as `visibility.case_reviewer`, as a query)."""
    submitted = Q(state=CaseState.SUBMITTED) & ~Q(created_by=user)
    if user.role == Role.INSTITUTION_ADMIN:
        return submitted & Q(author_org_id=user.organization_id)
    prefix = visibility.case_review_prefix(user)
    if prefix is None:
        return Q(pk__in=[])
    return submitted & (Q(author_org_id=user.organization_id) | Q(author_org__region_code__startswith=prefix))


def cases_visible(user: User) -> QuerySet[CaseStudy]:
    qs = CaseStudy.objects.select_related("author_org")
    if not user.is_authenticated or user.role in ADMIN_ROLES:
        return qs.filter(state=CaseState.PUBLISHED)
    own = Q(author_org_id=user.organization_id) if user.role in visibility.CASE_AUTHOR_ROLES else Q(pk__in=[])
    return qs.filter(Q(state=CaseState.PUBLISHED) | own | _review_scope(user))


def cases_to_review(user: User) -> QuerySet[CaseStudy]:
    if not user.is_authenticated or user.role not in visibility.CASE_AUTHOR_ROLES:
        return CaseStudy.objects.none()
    return CaseStudy.objects.filter(_review_scope(user)).select_related("author_org").order_by("submitted_at")


def case_get(user: User, pk: int) -> CaseStudy:
    case = cases_visible(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if case is None:
        raise NotFound("案例不存在", "case not found")
    return case


def case_public_view(case: CaseStudy) -> dict[str, object]:
    """Whitelisted fields of a published case: no author, no reviewer, no deal amounts beyond the case's own figures,
    linked deals by kind and title only, patents by title and number."""
    return {
        "id": case.pk,
        "title": case.title,
        "category": case.get_category_display(),
        "author": case.author_org.name,
        "summary": case.summary,
        "background": case.background,
        "process": case.process,
        "effects": case.effects,
        "lessons": case.lessons,
        "contract_fen": case.contract_fen,
        "revenue_fen": case.revenue_fen,
        "jobs": case.jobs,
        "published_at": case.published_at,
        "deals": [{"kind": d.get_kind_display(), "title": d.title} for d in case.deals.order_by("pk")],
        "patents": [{"title": p.title, "number": p.key} for p in case.patents.order_by("pk")],
    }


# --- events -------------------------------------------------------------------------------------------------------


def _with_registered(events: QuerySet[Event]) -> QuerySet[Event]:
    """Each event with its organiser and `registered`: the people who registered (walk-ins are not places taken)."""
    return events.select_related("organiser").annotate(
        registered=Count("registrations", filter=Q(registrations__walk_in=False)),
    )


def events_visible(user: User) -> QuerySet[Event]:
    """Every signed-in business user sees events (they are announced to register); admins see none."""
    if not user.is_authenticated or user.role in ADMIN_ROLES:
        return Event.objects.none()
    return _with_registered(Event.objects.all())


def events_public(*, now: datetime) -> QuerySet[Event]:
    """Upcoming events announced to everyone (the front door): not cancelled, not over; registration needs an
    account, and who registered is never shown."""
    return _with_registered(Event.objects.filter(cancelled=False, ends_at__gte=now)).order_by(
        "starts_at", "pk"
    )


def event_get(user: User, pk: int) -> Event:
    event = events_visible(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if event is None:
        raise NotFound("活动不存在", "event not found")
    return event


def registrations_of(user: User, event: Event) -> QuerySet[EventRegistration]:
    """The organiser's staff see every registration; others none (names are personal data)."""
    if not visibility.event_manager(user, event.organiser_id):
        return EventRegistration.objects.none()
    return EventRegistration.objects.filter(event=event).select_related("organization").order_by("id")


def my_registration(user: User, event: Event) -> EventRegistration | None:
    return EventRegistration.objects.filter(event=event, user=user).first()


def my_events(user: User) -> QuerySet[Event]:
    return events_visible(user).filter(
        Exists(EventRegistration.objects.filter(event=OuterRef("pk"), user=user))
    )


# --- brokering ----------------------------------------------------------------------------------------------------


def proposals_visible(user: User) -> QuerySet[MatchProposal]:
    """The agency sees its proposals; the holder's staff and the enterprise's users see those made to them."""
    qs = MatchProposal.objects.select_related("agency", "holder", "enterprise", "patent", "need", "event")
    org = user.organization_id if user.is_authenticated else None
    if org is None:
        return qs.none()
    if user.role == Role.AGENCY_USER:
        return qs.filter(agency_id=org)
    if user.role in visibility.INSTITUTION_STAFF:
        return qs.filter(holder_id=org)
    if user.role == Role.ENTERPRISE_USER:
        return qs.filter(enterprise_id=org)
    return qs.none()


def proposal_get(user: User, pk: int) -> MatchProposal:
    p = proposals_visible(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if p is None:
        raise NotFound("撮合建议不存在", "proposal not found")
    return p


def services_of(user: User) -> QuerySet[BrokerService]:
    if user.role != Role.AGENCY_USER or user.organization_id is None:
        return BrokerService.objects.none()
    return BrokerService.objects.filter(agency_id=user.organization_id).select_related(
        "deal", "manager", "proposal"
    )


def brokered_deals(user: User) -> QuerySet[DealOrigin]:
    """Deals whose institution recorded this agency as their broker (the agency's own record, few fields)."""
    if user.role != Role.AGENCY_USER or user.organization_id is None:
        return DealOrigin.objects.none()
    return (
        DealOrigin.objects.filter(broker_id=user.organization_id)
        .select_related("deal", "deal__institution", "event", "manager")
        .order_by("-deal__contract_date", "-pk")
    )


def deal_origin_for(user: User, deal: Deal) -> DealOrigin | None:
    if not deals_visible(user).filter(pk=deal.pk).exists():
        return None
    return DealOrigin.objects.filter(deal=deal).select_related("event", "broker", "manager").first()


# --- 技术经理人 ------------------------------------------------------------------------------------------------------


def managers_visible(user: User | None) -> QuerySet[TechManager]:
    """Consenting profiles for everyone (signed in or not); a person's own and their colleagues' profiles too."""
    qs = TechManager.objects.select_related("organization")
    if user is None or not user.is_authenticated or user.organization_id is None:
        return qs.filter(public_consent=True)
    return qs.filter(Q(public_consent=True) | Q(organization_id=user.organization_id))


def manager_get(user: User | None, pk: int) -> TechManager:
    m = managers_visible(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if m is None:
        raise NotFound("技术经理人不存在", "profile not found")
    return m


@dataclass(frozen=True)
class ManagerRecord:
    deals: int
    services: int
    events_attended: int
    deal_titles: list[str]  # only the deals the viewer may see


def manager_record(manager: TechManager, viewer: User | None) -> ManagerRecord:
    origins = DealOrigin.objects.filter(manager=manager)
    titles: list[str] = []
    if viewer is not None and viewer.is_authenticated:
        visible = deals_visible(viewer).filter(pk__in=origins.values("deal_id"))
        titles = [f"{d.code} {d.title}" for d in visible.order_by("-contract_date")[:20]]
    return ManagerRecord(
        deals=origins.count(),
        services=BrokerService.objects.filter(manager=manager).count(),
        events_attended=EventRegistration.objects.filter(user_id=manager.user_id, attended=True).count(),
        deal_titles=titles,
    )


# --- statistics ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    code: str
    title: str
    kind: str
    starts_at: datetime
    registrations: int  # registered in advance (walk-ins not included)
    attended: int  # walk-ins included
    walk_ins: int
    matches: int
    deals: int


@dataclass(frozen=True)
class CommunityStats:
    year: int
    events: int
    registrations: int
    attended: int
    walk_ins: int
    follow_up_matches: int
    follow_up_deals: int
    cases_published: int
    cases_pending: int
    proposals: int
    proposals_accepted: int
    brokered_deals: int
    managers: int
    rows: list[EventRow]


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(date(year, 1, 1), time.min), tz),
        timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min), tz),
    )


def event_rows(*, year: int, region_prefix: str = "", organiser_id: int | None = None) -> list[EventRow]:
    """Per event held in the year by organisers of the region (or one organiser): registrations, attendance, the
    matches proposed at or after it and the deals that name it."""
    start, end = _year_bounds(year)
    qs = Event.objects.filter(starts_at__gte=start, starts_at__lt=end, cancelled=False)
    if organiser_id is not None:
        qs = qs.filter(organiser_id=organiser_id)
    else:
        qs = qs.filter(organiser__region_code__startswith=region_prefix)
    qs = qs.annotate(
        n_reg=Count("registrations", filter=Q(registrations__walk_in=False), distinct=True),
        n_att=Count("registrations", filter=Q(registrations__attended=True), distinct=True),
        n_walk=Count("registrations", filter=Q(registrations__walk_in=True), distinct=True),
        n_match=Count("proposals", distinct=True),
        n_deal=Count("deal_origins", distinct=True),
    ).order_by("starts_at", "pk")
    return [
        EventRow(
            e.code,
            e.title,
            e.get_kind_display(),
            e.starts_at,
            e.n_reg,
            e.n_att,
            e.n_walk,
            e.n_match,
            e.n_deal,
        )
        for e in qs
    ]


def community_statistics(
    *, year: int, region_prefix: str = "", institution_id: int | None = None
) -> CommunityStats:
    """The office dashboard's block: a region's (or one institution's) events, cases and brokering in the year."""
    rows = event_rows(year=year, region_prefix=region_prefix, organiser_id=institution_id)
    start, end = _year_bounds(year)
    cases = CaseStudy.objects.all()
    proposals = MatchProposal.objects.filter(created_at__gte=start, created_at__lt=end)
    origins = DealOrigin.objects.filter(broker__isnull=False, deal__contract_date__year=year)
    if institution_id is not None:
        cases = cases.filter(author_org_id=institution_id)
        proposals = proposals.filter(holder_id=institution_id)
        origins = origins.filter(deal__institution_id=institution_id)
        managers = TechManager.objects.filter(organization_id=institution_id)
    else:
        cases = cases.filter(author_org__region_code__startswith=region_prefix)
        proposals = proposals.filter(holder__region_code__startswith=region_prefix)
        origins = origins.filter(deal__institution__region_code__startswith=region_prefix)
        managers = TechManager.objects.filter(organization__region_code__startswith=region_prefix)
    return CommunityStats(
        year=year,
        events=len(rows),
        registrations=sum(r.registrations for r in rows),
        attended=sum(r.attended for r in rows),
        walk_ins=sum(r.walk_ins for r in rows),
        follow_up_matches=sum(r.matches for r in rows),
        follow_up_deals=sum(r.deals for r in rows),
        cases_published=cases.filter(
            state=CaseState.PUBLISHED, published_at__gte=start, published_at__lt=end
        ).count(),
        cases_pending=cases.filter(state=CaseState.SUBMITTED).count(),
        proposals=proposals.count(),
        proposals_accepted=proposals.filter(
            holder_decision="accepted", enterprise_decision="accepted"
        ).count(),
        brokered_deals=origins.count(),
        managers=managers.count(),
        rows=rows,
    )
