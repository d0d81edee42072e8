"""Who may see / change what: the one home of role groups, office regions and tenant checks.

Every app's selectors and services ask here instead of keeping their own copy (docs/security.md, "Visibility"):

- `region_prefix(code)`: 500000 → "50", 500100 → "5001", 500107 → "500107", "" → "".
- `office_prefix(user)`: what an IP-office official sees: a region prefix, "" (the whole country) only for an
  office created as national, None for everyone else and for an office without a region (it sees nothing).
- `require_institution_staff(actor)`: TTO staff of a patent-holding institution (returns the institution).
- `region_scope_validate(codes, own=)`: a set of region codes an office measures or pays in (KPI scopes,
  subsidy schemes): prefixes inside the office's own region, none inside another.
- `drilldown_refused(user)`: record-level monitoring lists are business data, which the three separated
  admin roles (三员分立) never read.
- Community (docs/community.md): `case_editor` / `case_reviewer` (典型案例: never the author; the author
  institution's admin, the author office or an office covering its region), `event_manager` (organiser staff),
  `proposal_side` (agency / holder / enterprise of a 撮合建议) and the role groups behind them.
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
from panhuo.common.errors import ErrorCollector, PermissionRefused
from panhuo.common.labels import region_name

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
    "CASE_AUTHOR_ROLES",
    "EVENT_ORGANISER_ROLES",
    "EVENT_REGISTRANT_ROLES",
    "case_editor",
    "case_review_prefix",
    "case_reviewer",
    "college_scope",
    "drilldown_refused",
    "event_manager",
    "proposal_side",
    "office_prefix",
    "office_region_missing",
    "region_prefix",
    "region_scope_validate",
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


def region_scope_validate(codes: list[str], *, own: str, field: str = "scope") -> list[str]:
    """Region codes or prefixes (500107, 5001, 50…) -> sorted distinct prefixes inside the office's region `own`,
    none inside another (a district and its city would count twice); every problem at once; [own] when empty."""
    errors = ErrorCollector()
    prefixes: list[str] = []
    for raw in codes:
        code = raw.strip()
        if not code:
            continue
        if not code.isdigit() or len(code) > 6 or len(code) % 2:
            errors.refuse(field, f"行政区划代码无效：{code}", f"invalid region code {code!r}")
            continue
        p = region_prefix(code.ljust(6, "0"))
        if not p.startswith(own):
            errors.refuse(field, f"{region_name(p)}不在本局辖区内", f"{code} is outside the office's region")
            continue
        if p not in prefixes:
            prefixes.append(p)
    for p in prefixes:
        for q in prefixes:
            if p != q and q.startswith(p):
                errors.refuse(field, f"{region_name(q)}已包含在{region_name(p)}中", f"{q} is inside {p}")
    errors.raise_any()
    return sorted(prefixes) or [own]


# --- The people around the deals (panhuo.community, docs/community.md) --------------------------------------------
# 典型案例 are written by offices and institution staff; events are organised by offices, institution staff and
# 服务机构; anyone with a business role (not the three admin roles) may register for an event.
CASE_AUTHOR_ROLES = (Role.OFFICE_OFFICIAL, *INSTITUTION_STAFF)
EVENT_ORGANISER_ROLES = (Role.OFFICE_OFFICIAL, *INSTITUTION_STAFF, Role.AGENCY_USER)
EVENT_REGISTRANT_ROLES = (*INSTITUTION_ROLES, *MARKET_ROLES, Role.OFFICE_OFFICIAL)


def case_editor(user: User, author_org_id: int) -> bool:
    """Writes a case of `author_org_id`: an office official or institution staff of that organisation."""
    return user.role in CASE_AUTHOR_ROLES and user.organization_id == author_org_id


def case_review_prefix(user: User) -> str | None:
    """The region whose submitted cases this office official may review ("" = all); None: not an office."""
    return office_prefix(user)


def case_reviewer(user: User, *, author_org: Organization, author_id: int | None) -> bool:
    """Reviews (publishes or returns) a case: never its author; an institution admin of the author institution, an
    official of the author office, or an office whose region covers the author organisation (cities report cases
    to the province, seed 000 四(四))."""
    if author_id is not None and user.pk == author_id:
        return False
    if author_org.holds_patents and user.role == Role.INSTITUTION_ADMIN:
        return user.organization_id == author_org.pk
    if user.role != Role.OFFICE_OFFICIAL:
        return False
    if user.organization_id == author_org.pk:
        return True
    prefix = office_prefix(user)
    return prefix is not None and (author_org.region_code or "").startswith(prefix)


def event_manager(user: User, organiser_id: int) -> bool:
    """Edits an event, sees its registrations and marks attendance: organiser staff."""
    return user.role in EVENT_ORGANISER_ROLES and user.organization_id == organiser_id


def proposal_side(user: User, *, agency_id: int, holder_id: int, enterprise_id: int) -> str | None:
    """Which side of a 撮合建议 the user is on: "agency", "holder" (institution staff), "enterprise", or None."""
    org = user.organization_id
    if org is None:
        return None
    if user.role == Role.AGENCY_USER and org == agency_id:
        return "agency"
    if user.role in INSTITUTION_STAFF and org == holder_id:
        return "holder"
    if user.role == Role.ENTERPRISE_USER and org == enterprise_id:
        return "enterprise"
    return None
