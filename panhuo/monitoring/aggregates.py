"""Exact pre-aggregates for the office dashboard and KPI page, rebuilt from the source tables.

`aggregates_rebuild()` reads deals, parties, patents, filings and inventory once and replaces every
aggregate table in one transaction. Additive measures (counts, fen) are summed per region prefix;
distinct counts (SMEs served, patents transferred) are computed per prefix from sets, so they stay exact.
`panhuo.monitoring.naive` answers the same questions straight from the source tables: tests and the benchmark
compare them with the aggregates.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from engine.monitoring.aggregates import (
    DealFacts,
    DealSums,
    DistinctMetric,
    accumulate_deals,
    accumulate_inventory,
    accumulate_responses,
    institution_years,
    response_figures,
)
from panhuo.accounts.models import HOLDER_TYPES, Organization
from panhuo.classification.models import Industry
from panhuo.deals.models import CONTRACT_STATES, Deal, DealKind, DealParty, DealPatent, Filing, PartyRole
from panhuo.demand.models import EnterpriseProfile, EnterpriseSize, Need, NeedAnswer
from panhuo.monitoring.models import (
    AggregateBuild,
    DealAggregate,
    DistinctAggregate,
    IndustryDealAggregate,
    InstitutionDealAggregate,
    InstitutionYearAggregate,
    InventoryAggregate,
    InventoryRegionAggregate,
    ResponseAggregate,
    SubRegionAggregate,
)
from panhuo.monitoring.regions import bimonth_of, prefixes_of
from panhuo.patents.models import (
    ImplementationStatus,
    InventoryRecord,
    InventoryState,
    LegalStatus,
    PatentIndustry,
)

SME_SIZES = (EnterpriseSize.MEDIUM, EnterpriseSize.SMALL, EnterpriseSize.MICRO)
# The enterprise side of each kind of deal (pledges: the pledgor, i.e. the deal's holder, is the enterprise).
ENTERPRISE_ROLE: dict[str, str] = {
    DealKind.TRANSFER: PartyRole.ASSIGNEE,
    DealKind.LICENCE: PartyRole.LICENSEE,
    DealKind.OPEN_LICENCE: PartyRole.LICENSEE,
    DealKind.EQUITY: PartyRole.COMPANY,
    DealKind.SELF_IMPLEMENTATION: PartyRole.IMPLEMENTER,
}
TRANSFER_LICENCE = (DealKind.TRANSFER, DealKind.LICENCE, DealKind.OPEN_LICENCE)
CONVEYING = (DealKind.TRANSFER, DealKind.LICENCE, DealKind.OPEN_LICENCE, DealKind.EQUITY)
IMPLEMENTING = (*CONVEYING, DealKind.SELF_IMPLEMENTATION)

# distinct metric -> (kinds, needs holder to be a university/institute, needs SME enterprise, counts "patents"|"ents")
DISTINCT_METRICS: dict[str, tuple[tuple[str, ...], bool, bool, str]] = {
    "smes_served": (CONVEYING, False, True, "ents"),
    "smes_served_by_institutions": (CONVEYING, True, True, "ents"),
    "pledge_smes": ((DealKind.PLEDGE,), False, True, "ents"),
    "pledge_enterprises": ((DealKind.PLEDGE,), False, False, "ents"),
    "transferred_patents": ((DealKind.TRANSFER,), False, False, "patents"),
    "licensed_patents": ((DealKind.LICENCE, DealKind.OPEN_LICENCE), False, False, "patents"),
    "implemented_patents": (IMPLEMENTING, False, False, "patents"),
    "institution_sme_patents": (TRANSFER_LICENCE, True, True, "patents"),
    "institution_deal_patents": (CONVEYING, True, False, "patents"),
    "sme_received_patents": (CONVEYING, False, True, "patents"),
}
# Licences carry their 许可合同备案 (recordal) flag into DealAggregate.filed; other kinds never do.
RECORDED_KINDS = (DealKind.LICENCE, DealKind.OPEN_LICENCE)
# InventoryAggregate counts: total, filed (建档: past 未建档), pooled (入库), valid, converted, implemented, industrialised
INV_FIELDS = ("total", "filed", "pooled", "valid", "converted", "implemented", "industrialised")


def industry_rollup(scheme: str, code: str) -> str:
    """GB/T 4754 -> 大类 (2 digits); SEI -> its first two levels ("1.2"); tags as they are."""
    if scheme == PatentIndustry.Scheme.GBT4754:
        digits = "".join(ch for ch in code if ch.isdigit())
        return digits[:2]
    if scheme == PatentIndustry.Scheme.SEI:
        return ".".join(code.split(".")[:2])
    return code


def deal_rows(*, chunk: int = 20_000) -> Iterator[DealFacts]:
    """Every deal in a contract state, with its enterprise side, patents and 备案 (recordal) flag."""
    sme_ids = set(
        EnterpriseProfile.objects.filter(size__in=SME_SIZES)
        .values_list("organization_id", flat=True)
        .iterator()
    )
    orgs = {
        pk: (region, typ)
        for pk, region, typ in Organization.objects.values_list("id", "region_code", "type").iterator(chunk)
    }
    live = Q(deal__state__in=CONTRACT_STATES)
    enterprise_of: dict[int, int] = {}
    for deal_id, kind, role, org_id in (
        DealParty.objects.filter(live)
        .values_list("deal_id", "deal__kind", "role", "organization_id")
        .order_by("id")
        .iterator(chunk)
    ):
        if ENTERPRISE_ROLE.get(kind) == role:
            enterprise_of.setdefault(deal_id, org_id)
    patents: dict[int, list[int]] = defaultdict(list)
    first_type: dict[int, str] = {}
    for deal_id, patent_id, ptype in (
        DealPatent.objects.filter(live)
        .values_list("deal_id", "patent_id", "patent__patent_type")
        .order_by("id")
        .iterator(chunk)
    ):
        patents[deal_id].append(patent_id)
        first_type.setdefault(deal_id, ptype)
    recorded = set(Filing.objects.filter(live).values_list("deal_id", flat=True).iterator(chunk))
    for pk, kind, contract_date, created_at, contract, received, holder_id in (
        Deal.objects.filter(state__in=CONTRACT_STATES)
        .values_list(
            "id",
            "kind",
            "contract_date",
            "created_at",
            "contract_amount_fen",
            "received_fen",
            "institution_id",
        )
        .order_by("id")
        .iterator(chunk)
    ):
        on = contract_date or timezone.localdate(created_at)
        holder_region, holder_type = orgs.get(holder_id, ("", ""))
        ent = holder_id if kind == DealKind.PLEDGE else enterprise_of.get(pk)
        ent_region = orgs.get(ent, ("", ""))[0] if ent else ""
        yield DealFacts(
            id=pk,
            kind=kind,
            on=on,
            contract_fen=contract,
            received_fen=received,
            holder_id=holder_id,
            holder_region=holder_region,
            from_institution=holder_type in HOLDER_TYPES,
            enterprise_id=ent,
            enterprise_region=ent_region,
            enterprise_sme=ent in sme_ids if ent else False,
            patent_ids=tuple(patents.get(pk, ())),
            patent_type=first_type.get(pk, ""),
            licence_recorded=pk in recorded,
        )


def _industries_by_patent(patent_ids: set[int]) -> dict[int, set[tuple[str, str]]]:
    out: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for pid, scheme, code in (
        PatentIndustry.objects.filter(scheme__in=[PatentIndustry.Scheme.GBT4754, PatentIndustry.Scheme.SEI])
        .values_list("patent_id", "scheme", "code")
        .iterator(20_000)
    ):
        if pid in patent_ids:
            rolled = industry_rollup(scheme, code)
            if rolled:
                out[pid].add((scheme, rolled))
    return out


def _industry_names() -> dict[tuple[str, str], str]:
    names = {
        (PatentIndustry.Scheme.GBT4754.value, code): name
        for code, name in Industry.objects.filter(level=2).values_list("code", "name")
    }
    for code, name in (
        PatentIndustry.objects.filter(scheme=PatentIndustry.Scheme.SEI)
        .values_list("code", "name")
        .distinct()[:5000]
    ):
        names.setdefault((PatentIndustry.Scheme.SEI.value, industry_rollup("sei", code)), name)
    return names


MS = timedelta(milliseconds=1)


def answers_of(qs: Any) -> Iterator[tuple[int, str, int, int]]:
    """(institution, its region code, local year of the answer, response in ms ≥ 0) of answers to published
    needs: the response time the dashboard shows."""
    for inst_id, region, answered, published in (
        qs.filter(need__published_at__isnull=False)
        .values_list("institution_id", "institution__region_code", "answered_at", "need__published_at")
        .order_by()
        .iterator(20_000)
    ):
        yield inst_id, region or "", timezone.localtime(answered).year, max((answered - published) // MS, 0)


def response_summary(answers: int, total_ms: int, median_ms: int) -> dict[str, float | int | None]:
    """Mean and median response in hours (0.1 h) from the exact integer figures."""
    if not answers:
        return {"answers": 0, "mean_hours": None, "median_hours": None}
    return {
        "answers": answers,
        "mean_hours": round(total_ms / answers / 3_600_000, 1),
        "median_hours": round(median_ms / 3_600_000, 1),
    }


def _fast_insert(
    model: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]], chunk: int = 20_000
) -> None:
    """Plain INSERTs of already-computed integer/text rows (COPY on PostgreSQL): millions of aggregate rows in
    seconds, where the ORM's bulk_create spends minutes preparing values that need no preparation."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(
        connection.ops.quote_name(model._meta.get_field(c.removesuffix("_id")).column) for c in columns
    )
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - quoted model names, no user input
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)


def aggregates_rebuild() -> dict[str, int | float]:
    """Recompute every aggregate table from the source tables (exact), in one transaction."""
    t0 = time.perf_counter()
    started = timezone.now()
    prefixes = _prefix_cache()
    rows = list(deal_rows())
    sums = accumulate_deals(
        rows,
        industries=_industries_by_patent({p for r in rows for p in r.patent_ids}),
        metrics=[DistinctMetric(name, *spec) for name, spec in DISTINCT_METRICS.items()],
        recorded_kinds=RECORDED_KINDS,
        prefixes=prefixes,
        bimonth_of=bimonth_of,
    )
    inv_rows = _inventory_rows()
    region_inv, region_insts = accumulate_inventory(
        (
            (r["organization_id"], r["organization__region_code"], r["patent__patent_type"], r["counts"])
            for r in inv_rows
        ),
        prefixes=prefixes,
        width=len(INV_FIELDS),
    )
    by_prefix, by_inst = accumulate_responses(answers_of(NeedAnswer.objects.all()), prefixes=prefixes)
    with transaction.atomic():
        for model in AGGREGATE_MODELS:
            model.objects.all().delete()
        _write_deal_tables(sums, prefixes)
        _write_inventory_tables(inv_rows, region_inv, region_insts)
        _fast_insert(
            ResponseAggregate,
            ("region_prefix", "institution_id", "year", "answers", "total_ms", "median_ms"),
            (
                *((p, None, y, *response_figures(v)) for (p, y), v in by_prefix.items()),
                *(("", i, y, *response_figures(v)) for (i, y), v in by_inst.items()),
            ),
        )
        n_rows = (
            len(sums.by_region)
            + len(sums.by_sub_region)
            + len(sums.by_institution)
            + len(sums.by_industry)
            + len(sums.distinct)
            + len(inv_rows)
            + len(region_inv)
            + len(by_prefix)
            + len(by_inst)
        )
        seconds = round(time.perf_counter() - t0, 3)
        AggregateBuild.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            seconds=seconds,
            rows=n_rows,
            deals_watermark=Deal.objects.order_by("-updated_at").values_list("updated_at", flat=True).first(),
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # fresh planner statistics for the rewritten tables
            for model in AGGREGATE_MODELS:
                if model is not ResponseAggregate:
                    cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return {"deals": len(rows), "rows": n_rows, "seconds": seconds}


AGGREGATE_MODELS = (
    ResponseAggregate,
    DealAggregate,
    InstitutionDealAggregate,
    IndustryDealAggregate,
    DistinctAggregate,
    InventoryAggregate,
    InventoryRegionAggregate,
    SubRegionAggregate,
    InstitutionYearAggregate,
)


def _prefix_cache() -> Callable[[str], list[str]]:
    cache: dict[str, list[str]] = {}

    def prefixes(code: str) -> list[str]:
        if code not in cache:
            cache[code] = prefixes_of(code)
        return cache[code]

    return prefixes


def _inventory_rows() -> list[dict[str, Any]]:
    """Inventory counts per (institution, college, patent type), in INV_FIELDS order under "counts"."""
    inv_qs: Any = (
        InventoryRecord.objects.values(
            "organization_id", "organization__region_code", "college_id", "patent__patent_type"
        )
        .annotate(
            n_total=Count("id"),
            n_filed=Count("id", filter=~Q(state=InventoryState.UNFILED)),  # 建档
            n_pooled=Count("id", filter=Q(state=InventoryState.POOLED)),
            n_valid=Count("id", filter=Q(patent__legal_status=LegalStatus.VALID)),
            n_converted=Count("id", filter=Q(converted=True)),
            n_implemented=Count(
                "id",
                filter=Q(converted=True)
                | Q(
                    implementation_status__in=[
                        ImplementationStatus.IMPLEMENTED,
                        ImplementationStatus.INDUSTRIALISED,
                    ]
                ),
            ),
            n_industrialised=Count("id", filter=Q(implementation_status=ImplementationStatus.INDUSTRIALISED)),
        )
        .order_by()
    )
    rows: list[dict[str, Any]] = []
    for r in inv_qs:
        row = dict(r)
        row["counts"] = tuple(row[f"n_{f}"] for f in INV_FIELDS)
        rows.append(row)
    return rows


def _write_deal_tables(sums: DealSums, prefixes: Callable[[str], list[str]]) -> None:
    """Rows are written sorted by their lookup key (side, prefix, year, …): a region's rows share a few pages, so a
    dashboard read touches a handful of blocks instead of one per row."""
    inst_year = institution_years(sums.by_institution)
    inst_names = dict(
        Organization.objects.filter(id__in={k[0] for k in inst_year})
        .values_list("id", "name")
        .iterator(20_000)
    )
    _fast_insert(
        InstitutionYearAggregate,
        (
            "institution_id",
            "name",
            "region_code",
            "region_prefix",
            "year",
            "deals",
            "contract_fen",
            "received_fen",
        ),
        (
            (k[0], inst_names.get(k[0], ""), k[1], p, k[2], *v)
            for k, v in inst_year.items()
            for p in prefixes(k[1])
        ),
    )
    _fast_insert(
        SubRegionAggregate,
        (
            "side",
            "parent_prefix",
            "region_prefix",
            "year",
            "bimonth",
            "deals",
            "contract_fen",
            "received_fen",
        ),
        (k + tuple(v) for k, v in sorted(sums.by_sub_region.items())),
    )
    _fast_insert(
        DealAggregate,
        (
            "side",
            "region_prefix",
            "year",
            "bimonth",
            "kind",
            "patent_type",
            "from_institution",
            "enterprise_sme",
            "filed",  # the licence's 备案 (recordal) flag; column name kept from the first schema
            "deals",
            "patents",
            "contract_fen",
            "received_fen",
        ),
        (k + tuple(v) for k, v in sorted(sums.by_region.items())),
    )
    _fast_insert(
        InstitutionDealAggregate,
        ("institution_id", "region_code", "year", "kind", "deals", "patents", "contract_fen", "received_fen"),
        (k + tuple(v) for k, v in sums.by_institution.items()),
    )
    names = _industry_names()
    _fast_insert(
        IndustryDealAggregate,
        ("side", "region_prefix", "year", "scheme", "code", "name", "deals", "patents"),
        (k + (names.get((k[3], k[4]), ""),) + tuple(v) for k, v in sorted(sums.by_industry.items())),
    )
    _fast_insert(
        DistinctAggregate,
        ("side", "region_prefix", "year", "metric", "value"),
        (k + (len(v),) for k, v in sorted(sums.distinct.items())),
    )


def _write_inventory_tables(
    inv_rows: list[dict[str, Any]],
    region_inv: dict[tuple[str, str], list[int]],
    region_insts: dict[tuple[str, str], set[int]],
) -> None:
    _fast_insert(
        InventoryAggregate,
        ("institution_id", "region_code", "college_id", "patent_type", *INV_FIELDS),
        (
            (
                r["organization_id"],
                r["organization__region_code"],
                r["college_id"],
                r["patent__patent_type"],
                *r["counts"],
            )
            for r in inv_rows
        ),
    )
    _fast_insert(
        InventoryRegionAggregate,
        ("region_prefix", "patent_type", "institutions", *INV_FIELDS),
        (k + (len(region_insts[k]),) + tuple(v) for k, v in region_inv.items()),
    )


def aggregates_stale() -> bool:
    """True when a deal or inventory record changed after the last build (the job then rebuilds)."""
    last = AggregateBuild.objects.first()
    if last is None:
        return True
    since = last.started_at
    return (
        Deal.objects.filter(updated_at__gt=since).exists()
        or InventoryRecord.objects.filter(updated_at__gt=since).exists()
        or NeedAnswer.objects.filter(updated_at__gt=since).exists()
        or Need.objects.filter(updated_at__gt=since).exists()
    )
