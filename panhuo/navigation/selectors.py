"""Reads for 专利导航: who sees what (one function), a scope's rows, and every figure of the landscape page.

`landscape_visibility` is the only place that decides visibility here; everything else takes its answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet

from engine.landscape import UNKNOWN_YEAR, LandscapeRow, normalise_holder
from engine.landscape.columns import FactTable, analyse_table, facet_positions
from engine.landscape.holders import HOLDER_TYPE_LABELS, HolderType, holders_of
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.accounts.visibility import office_prefix
from panhuo.classification.models import Industry, IpcNode
from panhuo.common.errors import NotFound, PermissionRefused
from panhuo.common.idsets import id_array, ids_in
from panhuo.navigation.models import ClusterRun, ClusterState, IpcPosting, LandscapeScope
from panhuo.navigation.postings import LATE_COMMIT_MARGIN, postings_watermark
from panhuo.navigation.scope import ScopeDefinition
from panhuo.navigation.store import stored_facts
from panhuo.patents.models import (
    InventoryRecord,
    InventoryState,
    LegalStatus,
    Patent,
    PatentIndustry,
    PatentType,
)
from panhuo.patents.selectors import OWNER_ROLES, inventory_visible

ORG_HOLDER_TYPES: dict[str, str] = {
    OrganizationType.UNIVERSITY: HolderType.UNIVERSITY.value,
    OrganizationType.INSTITUTE: HolderType.INSTITUTE.value,
    OrganizationType.ENTERPRISE: HolderType.ENTERPRISE.value,
}


@dataclass(frozen=True)
class Visibility:
    """What one user may count and open in 专利导航.

    `records`: inventory records whose patents the user sees in detail (counted, listed, linked).
    `national`: records counted in national aggregates shown as bare numbers (region share against the
    country); equal to `records` except for offices, who see national totals without other regions' details.
    """

    records: QuerySet[InventoryRecord]
    national: QuerySet[InventoryRecord]
    label: str


def landscape_visibility(user: User) -> Visibility:
    """Who sees what in 专利导航, built on accounts.visibility (office regions) and inventory_visible.

    - institution people: their own records in any state (as the patents list decides by role) and every
      institution's published (pooled) records;
    - IP offices: every record of institutions in their region, published records elsewhere, national
      counts (no details) of everything;
    - enterprises, agencies, banks and anyone else signed in: published (pooled) records.
    """
    if not getattr(user, "is_authenticated", False):
        raise PermissionRefused("请先登录", "Sign in first")
    office = user.organization if user.role == Role.OFFICE_OFFICIAL else None
    if office is not None:
        # accounts.visibility decides an office's region: "" only for the national office, None (an office
        # stored without a region) = its own region is empty, so it sees the published records alone.
        prefix = office_prefix(user)
        region = Q(organization__region_code__startswith=prefix) if prefix is not None else Q(pk__in=[])
        records = InventoryRecord.objects.filter(Q(state=InventoryState.POOLED) | region)
        return Visibility(records, InventoryRecord.objects.all(), f"{office.name}（本辖区及全国已公开）")
    records = inventory_visible(user)
    if user.role in OWNER_ROLES:
        label = "本单位专利及全国已公开专利"
    else:
        label = "全国已公开（入库）专利"
    return Visibility(records, records, label)


def system_visibility() -> Visibility:
    """The command line's view: every record (an operator on the server, like `panhuo stats`)."""
    records = InventoryRecord.objects.all()
    return Visibility(records, records, "全部专利（命令行）")


# ---------------------------------------------------------------- scopes


def scopes_of(user: User) -> QuerySet[LandscapeScope]:
    """Scopes of the user's organization that are shared, plus the user's own unshared ones."""
    org_id = user.organization_id if user.is_authenticated else None
    if org_id is None:
        return LandscapeScope.objects.none()
    return LandscapeScope.objects.filter(organization_id=org_id).filter(
        Q(shared=True) | Q(created_by_id=user.pk)
    )


def scope_get(user: User, pk: int) -> LandscapeScope:
    scope = scopes_of(user).filter(pk=pk).first() if isinstance(pk, int) and 0 < pk < 2**63 else None
    if scope is None:
        raise NotFound()
    return scope


def latest_clusters(scope: LandscapeScope) -> ClusterRun | None:
    return scope.cluster_runs.filter(state=ClusterState.DONE).order_by("-pk").first()


def pending_clusters(scope: LandscapeScope) -> ClusterRun | None:
    return (
        scope.cluster_runs.filter(state__in=[ClusterState.QUEUED, ClusterState.RUNNING])
        .order_by("-pk")
        .first()
    )


# ---------------------------------------------------------------- rows of a scope


def _ipc_condition(codes: Sequence[str]) -> Q:
    """Any of a patent's codes under any of `codes` (JSON text match on the quoted code's prefix)."""
    q = Q()
    for code in codes:
        prefix = (
            code[:-2] if code.endswith("/00") else code
        )  # main group H01M10/00 → everything under H01M10/
        q |= Q(ipc_codes__icontains=f'"{prefix}')
    return q


def _posting_condition(codes: Sequence[str]) -> Q:
    q = Q()
    for code in codes:
        # a range, not LIKE 'G06%' (SQLite's LIKE with ESCAPE cannot use the index)
        q |= Q(subclass=code[:4]) if len(code) >= 4 else Q(subclass__gte=code, subclass__lt=code + "\uffff")
    return q


def ipc_prefixes(codes: Sequence[str]) -> tuple[str, ...]:
    """What a patent's code must start with to fall under each scope code (main group H01M10/00 → H01M10/)."""
    return tuple(code[:-2] if code.endswith("/00") else code for code in codes)


def _industry_condition(codes: Sequence[str]) -> Q:
    q = Q()
    for code in codes:
        if code.isalpha():
            divisions = list(Industry.objects.filter(section=code, level=2).values_list("code", flat=True))
            q |= Q(scheme=PatentIndustry.Scheme.GBT4754, code__in=divisions)
        else:
            q |= Q(scheme=PatentIndustry.Scheme.GBT4754, code__startswith=code)
    return q


def _sei_condition(codes: Sequence[str]) -> Q:
    q = Q()
    for code in codes:
        q |= Q(scheme=PatentIndustry.Scheme.SEI, code=code) | Q(
            scheme=PatentIndustry.Scheme.SEI, code__startswith=f"{code}."
        )
    return q


def keyword_terms(keyword: str) -> list[str]:
    """The keyword segmented by the search segmenter (rjieba with the IPC-title dictionary); itself if no token."""
    from panhuo.matching.index import tokenizer

    return tokenizer().tokens(keyword) or [keyword]


def _keyword_condition(keywords: Sequence[str]) -> Q:
    """Any keyword whose every term occurs in the title or the abstract."""
    q = Q()
    for keyword in keywords:
        each = Q()
        for term in keyword_terms(keyword):
            each &= Q(title__icontains=term) | Q(abstract__icontains=term)
        q |= each
    return q


def _pending_in_scope(patents: QuerySet[Patent], ids: np.ndarray, d: ScopeDefinition) -> int:
    """How many of `ids` (patents of `patents` without a usable fact) the scope holds now: the postings may be
    older than a patent's change, so its own codes decide (on both paths, so they count alike)."""
    changed = patents.filter(pk__in=ids_in(ids.tolist()))
    return (changed.filter(_ipc_condition(d.ipc)) if d.ipc else changed).count()


def scope_patents(definition: ScopeDefinition, records: QuerySet[InventoryRecord]) -> QuerySet[Patent]:
    """Patents of the scope among those with a record in `records` (holder types are applied on the rows)."""
    d = definition
    visible = records
    if d.region:
        visible = visible.filter(organization__region_code__startswith=d.region)
    # IN (not a correlated EXISTS): SQLite would answer EXISTS(state = 'pooled' AND patent_id = p.id) through the
    # state index, reading every published record once per candidate (12 s at 1M); IN builds the set once
    patents = Patent.objects.filter(pk__in=visible.values("patent_id"))
    if d.ipc:
        watermark = postings_watermark()
        if watermark is None:
            patents = patents.filter(_ipc_condition(d.ipc))
        else:
            # candidates from the postings (indexed), plus patents changed since they were built; `scope_rows`
            # checks every candidate's real codes, so a stale posting never changes an answer
            posted = IpcPosting.objects.filter(_posting_condition(d.ipc)).values("patent_id")
            # two IN sets evaluated once each (an OR with the LIKE made SQLite test the codes of every patent)
            recent = Patent.objects.filter(updated_at__gt=watermark - LATE_COMMIT_MARGIN).filter(
                _ipc_condition(d.ipc)
            )
            patents = patents.filter(Q(pk__in=posted) | Q(pk__in=recent.values("pk")))
    if d.industries:
        patents = patents.filter(
            pk__in=PatentIndustry.objects.filter(_industry_condition(d.industries)).values("patent_id")
        )
    if d.sei:
        patents = patents.filter(
            pk__in=PatentIndustry.objects.filter(_sei_condition(d.sei)).values("patent_id")
        )
    if d.keywords:
        patents = patents.filter(_keyword_condition(d.keywords))
    if d.year_from:
        patents = patents.filter(application_date__gte=date(d.year_from, 1, 1))
    if d.year_to:
        patents = patents.filter(application_date__lte=date(d.year_to, 12, 31))
    if d.patent_types:
        patents = patents.filter(patent_type__in=d.patent_types)
    if d.legal_statuses:
        patents = patents.filter(legal_status__in=d.legal_statuses)
    return patents


def known_holder_types() -> dict[str, str]:
    """Normalised names of the platform's organizations → their holder type (the name guess is the fallback)."""
    return {
        normalise_holder(name): ORG_HOLDER_TYPES[t]
        for name, t in Organization.objects.values_list("name", "type")
        if t in ORG_HOLDER_TYPES
    }


@dataclass(frozen=True)
class ScopeRows:
    """A scope's facts as columns, and how many of its patents had no fresh landscape fact (left out, said)."""

    table: FactTable
    pending: int = 0

    @property
    def rows(self) -> list[LandscapeRow]:
        return self.table.rows()


def _filter_sets(d: ScopeDefinition) -> list[np.ndarray]:
    """Patent ids of the filters read from SQL (industries and 战略性新兴产业 from the current classification,
    keywords from the text); the rest are tested on the facts' columns."""
    sets = []
    if d.industries:
        industries = PatentIndustry.objects.filter(_industry_condition(d.industries))
        sets.append(np.unique(id_array(industries, "patent_id")))
    if d.sei:
        sets.append(np.unique(id_array(PatentIndustry.objects.filter(_sei_condition(d.sei)), "patent_id")))
    if d.keywords:
        sets.append(np.unique(id_array(Patent.objects.filter(_keyword_condition(d.keywords)))))
    return sets


def _column_mask(d: ScopeDefinition, table: FactTable, candidates: list[np.ndarray]) -> np.ndarray:
    """Rows of `table` whose patent is in every candidate set and whose facts pass the column filters."""
    mask = np.ones(len(table), dtype=bool)
    for ids in candidates:
        mask &= np.isin(table.patent_id, ids, assume_unique=False)
    if d.ipc:
        # a candidate's real codes decide, so a deeper code than the scope's (H01M4/ vs H01M10/) is not counted
        mask &= table.code_mask(ipc_prefixes(d.ipc))
    if d.year_from:
        mask &= table.app_year >= d.year_from
    if d.year_to:
        mask &= (table.app_year != 0) & (table.app_year <= d.year_to)
    for wanted, column, vocab in (
        (d.patent_types, table.patent_type, table.vocabs.types),
        (d.legal_statuses, table.legal_status, table.vocabs.statuses),
    ):
        if wanted:
            found = [i for i in (vocab.find(v) for v in wanted) if i is not None]
            mask &= np.isin(column, np.array(found, dtype=column.dtype))
    return mask


def scope_rows_status(
    definition: ScopeDefinition,
    records: QuerySet[InventoryRecord],
    *,
    known_types: dict[str, str] | None = None,
    region_inside: str = "",
) -> ScopeRows:
    """The scope's patents (each once), holder-type filter applied, as columns of the worker's facts.

    Reads only: patents without a fresh fact are counted in `pending`, not computed here. The visible patents
    come from SQL at every read (the visibility rules stay in one place); the facts from the process's store.
    """
    d = definition
    known = known_holder_types() if known_types is None else known_types
    facts = stored_facts()
    visible_records = records.filter(organization__region_code__startswith=d.region) if d.region else records
    visible = id_array(visible_records, "patent_id")  # a patent of two visible records twice: isin ignores it
    if facts.complete:
        candidates = [visible, *_filter_sets(d)]
    else:  # some fact was never built: the scope's ids through SQL, its rows from the facts that exist
        candidates = [np.unique(id_array(scope_patents(d, records)))]
    stored, late = (
        part.take(np.flatnonzero(usable & _column_mask(d, part, candidates))) for part, usable in facts.parts
    )
    table = stored.concat(late)
    table = table.take(np.argsort(table.patent_id, kind="stable"))
    if facts.complete:
        unsettled = facts.unsettled[np.isin(facts.unsettled, visible)]
        pending = _pending_in_scope(scope_patents(d, records), unsettled, d) if len(unsettled) else 0
    else:
        usable_ids = np.concatenate([t.patent_id[usable] for t, usable in facts.parts])
        without = candidates[0][~np.isin(candidates[0], usable_ids)]
        pending = _pending_in_scope(Patent.objects.all(), without, d) if len(without) else 0
    # No 专利权人 and no 申请人 recorded: the holding institutions of its records the viewer sees.
    bare = np.flatnonzero(table.holders.lengths() == 0)
    if len(bare):
        keepers: dict[int, list[str]] = {}
        bare_ids = table.patent_id[bare].tolist()
        for pid, name in records.filter(patent_id__in=ids_in(bare_ids)).values_list(
            "patent_id", "organization__name"
        ):
            keepers.setdefault(pid, []).append(name)
        table = table.with_holders(
            {
                int(pos): holders_of(sorted(keepers.get(pid, [])), [])
                for pos, pid in zip(bare, bare_ids, strict=True)
            }
        )
    if d.holder_types:
        table = table.take(np.flatnonzero(table.holder_type_mask(set(d.holder_types), known)))
    if region_inside:
        inside = id_array(
            records.filter(
                patent_id__in=ids_in(table.patent_id.tolist()),
                organization__region_code__startswith=region_inside,
            ),
            "patent_id",
        )
        table = table.with_inside(np.isin(table.patent_id, inside))
    return ScopeRows(table, pending)


# ---------------------------------------------------------------- the landscape


def _titles(codes: Sequence[str]) -> dict[str, str]:
    return dict(IpcNode.objects.filter(code__in=list(codes)).values_list("code", "title"))


def _industry_names(codes: Sequence[str]) -> dict[str, str]:
    return dict(Industry.objects.filter(code__in=list(codes)).values_list("code", "name"))


def label_figures(figures: dict[str, Any]) -> dict[str, Any]:
    """Add Chinese titles / labels to codes (IPC main groups, GB/T 4754 classes, types, statuses)."""
    titles = _titles([r["code"] for r in figures["ipc"]])
    for r in figures["ipc"]:
        r["title"] = titles.get(r["code"], "")
    names = _industry_names([r["code"] for r in figures["industries"]])
    for r in figures["industries"]:
        r["name"] = names.get(r["code"], "")
    figures["ipc_shift"]["titles"] = {
        s["code"]: titles.get(s["code"], "") for s in figures["ipc_shift"]["series"]
    }
    figures["industry_shift"]["names"] = {
        s["code"]: names.get(s["code"], "") for s in figures["industry_shift"]["series"]
    }
    types = dict(PatentType.choices)
    statuses = dict(LegalStatus.choices)
    figures["type_rows"] = [
        {"code": k, "label": types.get(k, k), "patents": v} for k, v in figures["types"].items()
    ]
    figures["status_rows"] = [
        {"code": k, "label": statuses.get(k, k), "patents": v} for k, v in figures["statuses"].items()
    ]
    figures["holder_type_rows"] = [
        {"code": k, "label": HOLDER_TYPE_LABELS[HolderType(k)], "patents": v}
        for k, v in figures["holder_types"].items()
    ]
    return figures


def landscape_figures(definition: ScopeDefinition, visibility: Visibility) -> dict[str, Any]:
    """Counts, trend, holders, concentration, entrants, teams and composition of a scope (no clusters/deals)."""
    known = known_holder_types()
    found = scope_rows_status(definition, visibility.records, known_types=known)
    figures = label_figures(analyse_table(found.table, known_holder_types=known))
    figures["patent_ids"] = found.table.patent_id.tolist()
    figures["pending_facts"] = found.pending
    return figures


def region_comparison(
    definition: ScopeDefinition, visibility: Visibility, region_count: int
) -> dict[str, Any]:
    """A region's share of the national scope, by year, and its holders against the rest (visible details)."""
    national = definition.without_region()
    known = known_holder_types()
    national_table = scope_rows_status(
        national, visibility.national, known_types=known, region_inside=definition.region
    ).table
    detail = scope_rows_status(
        national, visibility.records, known_types=known, region_inside=definition.region
    ).table
    total = len(national_table)
    inside = national_table.inside if national_table.inside is not None else np.ones(total, dtype=bool)
    years: dict[Any, list[int]] = {}
    apps = national_table.app_year
    in_region = dict(zip(*(a.tolist() for a in np.unique(apps[inside], return_counts=True)), strict=True))
    for year, count in zip(*(a.tolist() for a in np.unique(apps, return_counts=True)), strict=True):
        years[year or UNKNOWN_YEAR] = [count, in_region.get(year, 0)]
    detail_inside = detail.inside if detail.inside is not None else np.ones(len(detail), dtype=bool)
    rest = detail.take(np.flatnonzero(~detail_inside))
    rest_figures = analyse_table(rest, known_holder_types=known, top=10)
    return {
        "region": definition.region,
        "region_patents": region_count,
        "national_patents": total,
        "share": round(region_count / total, 4) if total else None,
        "by_year": [
            {"year": y, "national": v[0], "region": v[1], "share": round(v[1] / v[0], 4) if v[0] else None}
            for y, v in sorted(years.items(), key=lambda kv: (isinstance(kv[0], str), kv[0]))
        ],
        "rest_holders": rest_figures["holders"],
        "rest_patents": len(rest),
    }


def facet_patent_ids(
    definition: ScopeDefinition, visibility: Visibility, facet: str, value: str
) -> list[int]:
    """The patents behind one figure of the page (same rows as the figure, so the list length equals the number)."""
    known = known_holder_types()
    if facet == "all":
        return scope_rows_status(definition, visibility.records, known_types=known).table.patent_id.tolist()
    if facet == "region":
        national = definition.without_region()
        table = scope_rows_status(
            national, visibility.records, known_types=known, region_inside=definition.region
        ).table
    else:
        table = scope_rows_status(definition, visibility.records, known_types=known).table
    return facet_positions(table, facet, value, known_holder_types=known)


def patents_page(ids: Sequence[int], *, page: int, per_page: int = 50) -> tuple[list[Patent], int]:
    pages = max(1, -(-len(ids) // per_page))
    page = min(max(1, page), pages)
    wanted = list(ids[(page - 1) * per_page : page * per_page])
    found = Patent.objects.in_bulk(wanted)
    return [found[i] for i in wanted if i in found], pages
