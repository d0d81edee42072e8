"""Who may see / change what: the one home of role groups, office regions and tenant checks.

Every app's selectors and services ask here instead of keeping their own copy (docs/security.md, "Visibility"):

- `region_prefix(code)`: 500000 → "50", 500100 → "5001", 500107 → "500107", "" → "".
- `office_prefix(user)`: what an IP-office official sees: a region prefix, "" (the whole country) only for an
  office created as national, None for everyone else and for an office without a region (it sees nothing).
- `require_institution_staff(actor)`: TTO staff of a patent-holding institution (returns the institution).
- `drilldown_refused(user)`: record-level monitoring lists are business data, which the three separated
  admin roles (三员分立) never read.
"""

from __future__ import annotations

from panhuo.accounts.acting import Viewer, signed_in
from panhuo.accounts.models import (
    ADMIN_ROLES,
    INSTITUTION_ROLES,
    INSTITUTION_STAFF,
    OfficeLevel,
    Organization,
    OrganizationType,
    Role,
    User,
)
from panhuo.common.errors import PermissionRefused

# Role groups (one definition each).
HOLDER_STAFF = (Role.INSTITUTION_ADMIN, Role.COLLEGE_ADMIN, Role.INVENTOR)
MARKET_ROLES = (Role.ENTERPRISE_USER, Role.AGENCY_USER, Role.BANK_USER)
OFFICE_ROLES = (Role.OFFICE_OFFICIAL,)
STATS_ROLES = (Role.OFFICE_OFFICIAL, *INSTITUTION_STAFF, Role.SYSTEM_ADMIN)

__all__ = [
    "ADMIN_ROLES",
    "HOLDER_STAFF",
    "INSTITUTION_ROLES",
    "INSTITUTION_STAFF",
    "MARKET_ROLES",
    "OFFICE_ROLES",
    "STATS_ROLES",
    "college_scope",
    "drilldown_refused",
    "office_prefix",
    "office_region_missing",
    "region_prefix",
    "require_institution_staff",
]


def region_prefix(region_code: str) -> str:
    """500000 → "50" (province), 500100 → "5001" (city), 500107 → "500107" (district), "" → ""."""
    code = (region_code or "").strip()
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return "" if code in ("", "00") else code


def office_region_missing(*, type: str, region_code: str, office_level: str) -> bool:
    """An IP office must have a region, unless it is created explicitly as the national office."""
    return (
        type == OrganizationType.IP_OFFICE
        and office_level != OfficeLevel.NATIONAL
        and not region_prefix(region_code)
    )


def office_prefix(user: Viewer) -> str | None:
    """The region prefix an office official sees; "" = the whole country (national office only); None = nothing."""
    org: Organization | None = getattr(user, "organization", None)
    if (not signed_in(user) or user.role != Role.OFFICE_OFFICIAL) or org is None:
        return None
    if org.office_level == OfficeLevel.NATIONAL:
        return ""
    return region_prefix(org.region_code) or None


def college_scope(user: Viewer) -> int | None:
    """A college admin sees one college of its institution (its id); everyone else: None (no college limit)."""
    if signed_in(user) and user.role == Role.COLLEGE_ADMIN:
        return int(user.college_id or 0)  # 0: a college admin without a college sees no college's records
    return None


def require_institution_staff(actor: User) -> Organization:
    """The actor must be TTO staff of a patent-holding institution; returns that institution."""
    org = getattr(actor, "organization", None)
    if org is None or not org.holds_patents or (not signed_in(actor) or actor.role not in INSTITUTION_STAFF):
        raise PermissionRefused("只有高校或科研院所的管理员可以办理", "institution staff only")
    return org


def drilldown_refused(user: Viewer) -> bool:
    return signed_in(user) and user.role in ADMIN_ROLES
