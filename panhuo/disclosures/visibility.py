"""Who sees which disclosures: the one place, so it can be switched to the platform's visibility module at merge.

Today's rule (role + organization, as elsewhere): an inventor sees the disclosures they submitted or are named
in; a 学院管理员 those of their college; a 学校管理员 all of their institution's. Nobody else sees any: offices
get statistics only, never the confidential text.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from panhuo.accounts.acting import Viewer, signed_in
from panhuo.accounts.models import Role
from panhuo.accounts.visibility import office_prefix
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.disclosures.models import Disclosure, DisclosureInventor

STAFF_ROLES = (Role.COLLEGE_ADMIN, Role.INSTITUTION_ADMIN)


def disclosures_visible(user: Viewer) -> QuerySet[Disclosure]:
    """The disclosures this user may read (the acting user decides; anonymous users get none)."""
    qs = Disclosure.objects.all()
    if not signed_in(user) or user.organization_id is None:
        return qs.none()
    org = user.organization
    if org is None or not org.holds_patents:
        return qs.none()
    qs = qs.filter(institution_id=user.organization_id)
    if user.role == Role.INSTITUTION_ADMIN:
        return qs
    if user.role == Role.COLLEGE_ADMIN:
        return qs.filter(college_id=user.college_id) if user.college_id else qs.none()
    if user.role == Role.INVENTOR:
        named = DisclosureInventor.objects.filter(user=user).values("disclosure_id")
        return qs.filter(Q(submitted_by=user) | Q(pk__in=named))
    return qs.none()


def is_staff_of(user: Viewer, disclosure: Disclosure) -> bool:
    """TTO staff who may evaluate and record the filing of this (visible) disclosure."""
    return (signed_in(user) and user.role in STAFF_ROLES) and disclosures_visible(user).filter(
        pk=disclosure.pk
    ).exists()


def statistics_scope(user: Viewer, *, prefix: str | None = None) -> tuple[str, int | None]:
    """(region prefix, institution id) whose counts this user may see: an office its region (or a part of it),
    institution staff their institution, the system administrator any region."""
    if prefix and not (prefix.isdigit() and len(prefix) <= 6):
        raise ApplicationError(
            "region", "区域前缀应为 2–6 位数字", "region prefix must be 2-6 digits", "region"
        )
    role = getattr(user, "role", None)
    org = getattr(user, "organization", None)
    if role == Role.OFFICE_OFFICIAL:
        own = office_prefix(user)
        if own is None:
            raise PermissionRefused("本局未设置辖区，无法查看统计", "the office has no region")
        chosen = prefix or own
        if not chosen.startswith(own):
            raise PermissionRefused("只能查看本辖区统计", "Offices see their own region only")
        return chosen, None
    if role in STAFF_ROLES and org is not None and org.holds_patents:
        return "", org.pk
    if role == Role.SYSTEM_ADMIN:
        return prefix or "", None
    raise PermissionRefused("无权查看统计", "Not allowed to see statistics")
