"""Reads on patents and inventory records. Tenant visibility is decided here, and only here.

Who sees which inventory record (建档):
- institution admin: every record of their own organization;
- college admin: records of their own organization and college;
- inventor: records of their own organization where they are listed in `inventor_users`;
- anyone else signed in (enterprise, agency, bank, office, platform admins): POOLED records only
  (the 专利转化资源库), shown through a whitelist of public fields.
A patent is visible when at least one of its records is visible; anything else answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, QuerySet

from panhuo.accounts.acting import Viewer, signed_in
from panhuo.accounts.models import College, Organization, OrganizationType, Role, User
from panhuo.accounts.visibility import office_prefix
from panhuo.common.crypto import mask_phone
from panhuo.common.errors import NotFound
from panhuo.patents import search
from panhuo.patents.models import (
    ConversionMode,
    InventoryRecord,
    InventoryState,
    Patent,
    ReviewEvent,
)
from panhuo.patents.rights.models import ConflictStatus, RightsConflict

OWNER_ROLES = frozenset({Role.INVENTOR, Role.COLLEGE_ADMIN, Role.INSTITUTION_ADMIN})
REVIEWER_ROLES = (Role.COLLEGE_ADMIN, Role.INSTITUTION_ADMIN)
COVERAGE_ROLES = (Role.COLLEGE_ADMIN, Role.INSTITUTION_ADMIN, Role.OFFICE_OFFICIAL)

# Record fields a viewer outside the holding institution may see on a pooled record (AC-2).
PUBLIC_RECORD_FIELDS = (
    "implementation_status",
    "conversion_intent",
    "conversion_modes",
    "trl",
    "value_self_grade",
    "application_scenarios",
    "industrialisation_prospects",
    "contact_name",
    "contact_phone",  # masked
    "portfolio",
    "pooled_at",
    "converted",
)


def is_owner_side(user: Viewer, record: InventoryRecord) -> bool:
    """True when the user belongs to the record's holding institution and may see its private fields."""
    return (
        signed_in(user)
        and user.role in OWNER_ROLES
        and user.organization_id is not None
        and user.organization_id == record.organization_id
        and inventory_visible(user).filter(pk=record.pk).exists()
    )


def inventory_visible(user: Viewer) -> QuerySet[InventoryRecord]:
    """All inventory records the user may see (own tenant by role, else pooled only)."""
    records = InventoryRecord.objects.all()
    if not signed_in(user):
        return records.none()
    role = user.role
    if role == Role.INSTITUTION_ADMIN and user.organization_id:
        own = Q(organization_id=user.organization_id)
    elif role == Role.COLLEGE_ADMIN and user.organization_id and user.college_id:
        own = Q(organization_id=user.organization_id, college_id=user.college_id)
    elif role == Role.INVENTOR and user.organization_id:
        own = Q(
            organization_id=user.organization_id,
            pk__in=InventoryRecord.inventor_users.through.objects.filter(user_id=user.pk).values(
                "inventoryrecord_id"
            ),
        )
    else:
        own = None
    if role in OWNER_ROLES:
        # Institution staff see their own records in any state; other institutions' pooled ones too.
        pooled = Q(state=InventoryState.POOLED)
        return records.filter(own | pooled) if own is not None else records.filter(pooled)
    return records.filter(state=InventoryState.POOLED)


def inventory_own(user: Viewer) -> QuerySet[InventoryRecord]:
    """Only the records of the user's own institution that the role may see (any state)."""
    if not signed_in(user) or user.role not in OWNER_ROLES or not user.organization_id:
        return InventoryRecord.objects.none()
    return inventory_visible(user).filter(organization_id=user.organization_id)


MAX_ID = 2**63 - 1  # larger ids cannot exist and would overflow the database driver


def _valid_id(value: int) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_ID


def inventory_get(user: Viewer, record_id: int) -> InventoryRecord:
    """One visible record or NotFound (another tenant's unpooled record is 'not found', never 'forbidden')."""
    if not _valid_id(record_id):
        raise NotFound()
    record = (
        inventory_visible(user)
        .select_related("patent", "organization", "college", "filer")
        .filter(pk=record_id)
        .first()
    )
    if record is None:
        raise NotFound()
    return record


def inventory_pool(user: Viewer) -> QuerySet[InventoryRecord]:
    """The 专利转化资源库: pooled records, visible to every signed-in user."""
    if not signed_in(user):
        return InventoryRecord.objects.none()
    return InventoryRecord.objects.filter(state=InventoryState.POOLED)


def review_queue(user: Viewer) -> QuerySet[InventoryRecord]:
    """Records waiting for this reviewer: 学院 admins their college's, 学校 admins their institution's."""
    if not signed_in(user) or not user.organization_id:
        return InventoryRecord.objects.none()
    if user.role == Role.COLLEGE_ADMIN and user.college_id:
        return InventoryRecord.objects.filter(
            organization_id=user.organization_id,
            college_id=user.college_id,
            state=InventoryState.COLLEGE_REVIEW,
        )
    if user.role == Role.INSTITUTION_ADMIN:
        return InventoryRecord.objects.filter(
            organization_id=user.organization_id, state=InventoryState.INSTITUTION_REVIEW
        )
    return InventoryRecord.objects.none()


def review_history(user: Viewer, record: InventoryRecord) -> QuerySet[ReviewEvent]:
    """The full review history, for the holding institution's own people only."""
    if not is_owner_side(user, record):
        return ReviewEvent.objects.none()
    return record.history.select_related("actor").order_by("at", "id")


@dataclass(frozen=True)
class PatentFilters:
    """Parsed list filters; empty strings mean 'no filter'."""

    q: str = ""
    organization: int | None = None
    college: int | None = None
    ipc_section: str = ""
    ipc_class: str = ""
    patent_type: str = ""
    legal_status: str = ""
    state: str = ""
    conversion_mode: str = ""
    industry_scheme: str = ""
    industry_code: str = ""
    portfolio: str = ""


def _int_or_none(value: Any) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and 0 < number <= 2**63 - 1 else None


def filters_from(params: Any) -> PatentFilters:
    """Parse a QueryDict (or dict) into filters; junk values are ignored rather than 500."""

    def text(name: str, limit: int = 100) -> str:
        return str(params.get(name) or "").strip()[:limit]

    return PatentFilters(
        q=text("q", 200),
        organization=_int_or_none(params.get("organization")),
        college=_int_or_none(params.get("college")),
        ipc_section=text("ipc_section", 1).upper(),
        ipc_class=text("ipc_class", 3).upper(),
        patent_type=text("patent_type", 12),
        legal_status=text("legal_status", 12),
        state=text("state", 20),
        conversion_mode=text("conversion_mode", 24),
        industry_scheme=text("industry_scheme", 8),
        industry_code=text("industry_code", 16),
        portfolio=text("portfolio"),
    )


def _contains(text: str, indexed: bool) -> Q:
    """Title or abstract contains `text`: from the trigram index when it can answer, else icontains."""
    expression = search.match_expression(text) if indexed else None
    if expression is not None:
        return Q(patent_id__in=search.matching_ids(expression))
    return Q(patent__title__icontains=text) | Q(patent__abstract__icontains=text)


def keyword_condition(q: str) -> Q:
    """Segmenter-backed keyword search (`search.search_terms`): every term, as a word or as all of its pieces.

    Read-only: the trigram index is used only when it is already current (`search.current()`), never synced here.
    """
    terms = search.search_terms(q)
    indexed = search.current()
    condition = Q()
    for word, pieces in terms:
        term = _contains(word, indexed)
        if pieces:
            whole = Q()
            for piece in pieces:
                whole &= _contains(piece, indexed)
            term |= whole
        condition &= term
    return condition


def keyword_ranked(
    records: QuerySet[InventoryRecord], q: str, *, limit: int = 10, per_term: int = 2000
) -> list[tuple[int, tuple[str, ...]]]:
    """Patents of `records` holding ANY of the query's terms, most terms first (then longer terms, then id):
    the keyword answer for a long need text, where requiring every term would find nothing.
    Returns (patent id, the terms it holds)."""
    terms = search.search_terms(q)
    indexed = search.current()
    found: dict[int, list[str]] = {}
    for word, pieces in terms:
        condition = _contains(word, indexed)
        if pieces:
            whole = Q()
            for piece in pieces:
                whole &= _contains(piece, indexed)
            condition |= whole
        ids = records.filter(condition).values_list("patent_id", flat=True).order_by("patent_id")[:per_term]
        for pid in ids:
            found.setdefault(pid, []).append(word)
    ranked = sorted(found.items(), key=lambda kv: (-len(kv[1]), -sum(len(t) for t in kv[1]), kv[0]))
    return [(pid, tuple(words)) for pid, words in ranked[:limit]]


def keyword_terms(q: str) -> list[str]:
    """What to highlight for a keyword query: each word and its pieces, longest first."""
    out = {w for word, pieces in search.search_terms(q) for w in (word, *pieces) if len(w) > 1 or not pieces}
    return sorted(out, key=lambda w: (-len(w), w))


def review_queue_search(
    user: Viewer, *, q: str = "", college_id: int | None = None
) -> QuerySet[InventoryRecord]:
    """The reviewer's queue narrowed by words of the title/abstract or a number, and by college."""
    queue = review_queue(user).select_related("patent", "college")
    if q:
        number = q.replace(" ", "").upper().removeprefix("CN").removeprefix("ZL")
        queue = queue.filter(
            keyword_condition(q) | Q(patent__app_no__startswith=number) | Q(patent__pub_no__icontains=number)
        )
    if college_id is not None:
        queue = queue.filter(college_id=college_id)
    return queue


def inventory_list_base(user: Viewer) -> QuerySet[InventoryRecord]:
    """What the patent list starts from: institution people their own records, everyone else the pool."""
    if signed_in(user) and user.role in OWNER_ROLES:
        return inventory_own(user)
    return inventory_pool(user)


def inventory_search(
    user: Viewer, filters: PatentFilters, *, base: QuerySet[InventoryRecord] | None = None
) -> QuerySet[InventoryRecord]:
    """Records matching the filters; keyword = Chinese substring over title and abstract."""
    records = inventory_list_base(user) if base is None else base
    f = filters
    if f.q:
        records = records.filter(keyword_condition(f.q))
    if f.organization:
        records = records.filter(organization_id=f.organization)
    if f.college:
        records = records.filter(college_id=f.college)
    if f.ipc_section:
        records = records.filter(patent__ipc_section=f.ipc_section)
    if f.ipc_class:
        records = records.filter(patent__ipc_class=f.ipc_class)
    if f.patent_type:
        records = records.filter(patent__patent_type=f.patent_type)
    if f.legal_status:
        records = records.filter(patent__legal_status=f.legal_status)
    if f.state:
        records = records.filter(state=f.state)
    if f.conversion_mode and f.conversion_mode in ConversionMode.values:
        # JSON list stored as text on SQLite and jsonb on PostgreSQL: match the quoted value.
        records = records.filter(conversion_modes__icontains=f'"{f.conversion_mode}"')
    if f.portfolio:
        records = records.filter(portfolio=f.portfolio)
    if f.industry_code:
        industry = Q(patent__industries__code__startswith=f.industry_code)
        if f.industry_scheme:
            industry &= Q(patent__industries__scheme=f.industry_scheme)
        records = records.filter(pk__in=InventoryRecord.objects.filter(industry).values("pk"))
    return records.select_related("patent", "organization", "college").order_by(
        "-patent__application_date", "-pk"
    )


def patent_get(user: Viewer, patent_id: int) -> Patent:
    """A patent the user may see (through at least one visible record), else NotFound."""
    if not _valid_id(patent_id):
        raise NotFound()
    patent = Patent.objects.filter(pk=patent_id, inventory_records__in=inventory_visible(user)).first()
    if patent is None:
        raise NotFound()
    return patent


def patent_get_by_key(user: Viewer, key: str) -> Patent:
    """The same, by 申请号 or publication number + kind."""
    key = key.strip().upper()
    visible = Patent.objects.filter(inventory_records__in=inventory_visible(user)).distinct()
    patent = visible.filter(app_no=key).first()
    if patent is None and len(key) > 2:
        patent = (
            visible.filter(pub_no=key[:-2], pub_kind=key[-2:]).first()
            or visible.filter(pub_no=key[:-1], pub_kind=key[-1:]).first()
        )
    if patent is None:
        raise NotFound()
    return patent


def patent_records(user: Viewer, patent: Patent) -> list[InventoryRecord]:
    """The records of one patent the user may see (a co-owned patent can have several)."""
    return list(
        inventory_visible(user)
        .filter(patent=patent)
        .select_related("organization", "college", "filer")
        .order_by("organization__name")
    )


def record_public_view(user: Viewer, record: InventoryRecord) -> dict[str, Any]:
    """The record's fields as this user may see them: everything for the owner side, the whitelist else."""
    owner = is_owner_side(user, record)
    data: dict[str, Any] = {
        "id": record.pk,
        "organization": record.organization.name,
        "college": record.college.name if record.college else "",
        "state": record.state,
        "state_display": record.get_state_display(),
    }
    for name in PUBLIC_RECORD_FIELDS:
        data[name] = getattr(record, name)
    data["contact_phone"] = record.contact_phone if owner else mask_phone(record.contact_phone or "")
    if owner:
        data.update(
            first_inventor=record.first_inventor,
            proxy_filing=record.proxy_filing,
            fiscal_funded=record.fiscal_funded,
            contact_email=record.contact_email,
            return_reason=record.return_reason,
            submitted_at=record.submitted_at,
        )
    return data


# ---------------------------------------------------------------- coverage (建档率 / 入库率)


@dataclass(frozen=True)
class CoverageRow:
    """One institution or college: total records, filed (past 未建档), pooled; rates in percent."""

    label: str
    total: int
    filed: int
    pooled: int
    organization_id: int | None = None
    college_id: int | None = None

    @property
    def filed_rate(self) -> float:
        return round(100.0 * self.filed / self.total, 1) if self.total else 0.0

    @property
    def pooled_rate(self) -> float:
        return round(100.0 * self.pooled / self.total, 1) if self.total else 0.0


def _counts(records: QuerySet[InventoryRecord], *group: str) -> list[dict[str, Any]]:
    return list(
        records.values(*group)
        .annotate(
            total=Count("pk"),
            filed=Count("pk", filter=~Q(state=InventoryState.UNFILED)),
            pooled=Count("pk", filter=Q(state=InventoryState.POOLED)),
        )
        .order_by(*group)
    )


def coverage_organizations(user: Viewer) -> QuerySet[Organization]:
    """Institutions whose coverage the user may see: own one (staff), the region's (office officials)."""
    holders = Organization.objects.filter(type__in=[OrganizationType.UNIVERSITY, OrganizationType.INSTITUTE])
    if not signed_in(user) or not user.organization_id:
        return holders.none()
    if user.role in REVIEWER_ROLES:
        return holders.filter(pk=user.organization_id)
    if user.role == Role.OFFICE_OFFICIAL:
        prefix = office_prefix(user)
        if prefix is None:
            return holders.none()
        return holders.filter(region_code__startswith=prefix)
    return holders.none()


def coverage_by_organization(user: Viewer) -> list[CoverageRow]:
    orgs = {o.pk: o.name for o in coverage_organizations(user)}
    if not orgs:
        return []
    rows = _counts(InventoryRecord.objects.filter(organization_id__in=orgs), "organization_id")
    by_org = {r["organization_id"]: r for r in rows}
    return [
        CoverageRow(
            label=name,
            total=by_org.get(pk, {}).get("total", 0),
            filed=by_org.get(pk, {}).get("filed", 0),
            pooled=by_org.get(pk, {}).get("pooled", 0),
            organization_id=pk,
        )
        for pk, name in sorted(orgs.items(), key=lambda item: item[1])
    ]


def coverage_by_college(user: User, organization_id: int) -> list[CoverageRow]:
    """Per-college rows of one institution the user may see (college admins: their college only)."""
    if not coverage_organizations(user).filter(pk=organization_id).exists():
        raise NotFound()
    records = InventoryRecord.objects.filter(organization_id=organization_id)
    colleges = College.objects.filter(organization_id=organization_id)
    if user.role == Role.COLLEGE_ADMIN:
        records = records.filter(Q(college_id=user.college_id))  # None: the unassigned records, as before
        colleges = colleges.filter(Q(pk=user.college_id))
    by_college = {r["college_id"]: r for r in _counts(records, "college_id")}
    rows = [
        CoverageRow(
            label=c.name,
            total=by_college.get(c.pk, {}).get("total", 0),
            filed=by_college.get(c.pk, {}).get("filed", 0),
            pooled=by_college.get(c.pk, {}).get("pooled", 0),
            organization_id=organization_id,
            college_id=c.pk,
        )
        for c in colleges.order_by("code")
    ]
    if None in by_college:
        r = by_college[None]
        rows.append(CoverageRow("未分配学院", r["total"], r["filed"], r["pooled"], organization_id, None))
    return rows


def rights_conflicts_open(user: User) -> QuerySet[RightsConflict]:
    """复核清单: the open import conflicts on patents the user's institution holds (its institution admin only)."""
    if user.role != Role.INSTITUTION_ADMIN or not user.organization_id:
        return RightsConflict.objects.none()
    return (
        RightsConflict.objects.filter(holder_id=user.organization_id, status=ConflictStatus.OPEN)
        .select_related("patent", "importer")
        .order_by("-created_at", "-id")
    )


def conflict_display(conflict: RightsConflict) -> tuple[str, str, str]:
    """(field as people call it, stored value, incoming value) as text: labels for choices, lists joined."""
    try:
        field: Any = Patent._meta.get_field(conflict.field)
    except FieldDoesNotExist:
        return conflict.field, str(conflict.stored or "—"), str(conflict.incoming or "—")
    choices = dict(field.choices or ())

    def text(value: Any) -> str:
        if isinstance(value, list):
            return "、".join(str(v) for v in value) or "—"
        return str(choices.get(value, value)) if value not in (None, "") else "—"

    return str(field.verbose_name), text(conflict.stored), text(conflict.incoming)
