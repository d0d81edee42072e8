"""Reads: an office sees its own schemes and projects; a holder sees the projects it carries; pledge deals for the
loan figures: the pledgor enterprise its own, an office those of pledgors in its region."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from engine.programmes import definition as stored
from engine.programmes import subsidy as engine
from panhuo.accounts.models import Role, User
from panhuo.accounts.visibility import office_prefix
from panhuo.common.errors import NotFound
from panhuo.deals.models import CONTRACT_STATES, Deal, DealKind
from panhuo.programmes.models import (
    FundedProject,
    ProjectStatus,
    SubsidyScheme,
    SubsidySchemeVersion,
)

HOLDER_ROLES = (Role.INSTITUTION_ADMIN, Role.COLLEGE_ADMIN, Role.ENTERPRISE_USER)


def schemes_visible(user: User) -> QuerySet[SubsidyScheme]:
    if getattr(user, "role", None) == Role.OFFICE_OFFICIAL and user.organization_id:
        return SubsidyScheme.objects.filter(office_id=user.organization_id)
    return SubsidyScheme.objects.none()


def scheme_get(*, actor: User, code: str) -> SubsidyScheme:
    scheme = schemes_visible(actor).filter(code=code).first()
    if scheme is None:
        raise NotFound()
    return scheme


def current_version(scheme: SubsidyScheme) -> SubsidySchemeVersion:
    return scheme.versions.get(number=scheme.current_version)


def version_engine(version: SubsidySchemeVersion) -> engine.Scheme:
    """The stored rules as the engine's scheme (validated again: a stored version is data, not trusted code)."""
    return stored.scheme_from_dict(version.definition)


def projects_visible(user: User) -> QuerySet[FundedProject]:
    role = getattr(user, "role", None)
    if role == Role.OFFICE_OFFICIAL and user.organization_id:
        return FundedProject.objects.filter(office_id=user.organization_id)
    if role in HOLDER_ROLES and user.organization_id:
        return FundedProject.objects.filter(holder_id=user.organization_id)
    return FundedProject.objects.none()


def project_get(*, actor: User, pk: int) -> FundedProject:
    project = projects_visible(actor).select_related("holder", "office").filter(pk=pk).first()
    if project is None:
        raise NotFound()
    return project


def pledge_deals_visible(user: User) -> QuerySet[Deal]:
    qs = Deal.objects.filter(kind=DealKind.PLEDGE, state__in=CONTRACT_STATES)
    role = getattr(user, "role", None)
    if role == Role.ENTERPRISE_USER and user.organization_id:
        return qs.filter(institution_id=user.organization_id)
    if role == Role.OFFICE_OFFICIAL:
        prefix = office_prefix(user)
        if prefix is None:
            return qs.none()
        return qs.filter(institution__region_code__startswith=prefix) if prefix else qs
    return qs.none()


@dataclass(frozen=True)
class ProjectStats:
    projects: int
    amount_fen: int
    by_status: dict[str, int]  # label -> count
    awaiting_acceptance: int


def project_stats(user: User) -> ProjectStats | None:
    """The office's 事前资助 projects by status (None for anyone but an office)."""
    if getattr(user, "role", None) != Role.OFFICE_OFFICIAL:
        return None
    qs = projects_visible(user)
    row = qs.aggregate(
        n=Count("id"), amount=Sum("amount_fen"), waiting=Count("id", filter=Q(status=ProjectStatus.SUBMITTED))
    )
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    return ProjectStats(
        projects=row["n"],
        amount_fen=int(row["amount"] or 0),
        by_status={label: counts.get(value, 0) for value, label in ProjectStatus.choices},
        awaiting_acceptance=row["waiting"],
    )
