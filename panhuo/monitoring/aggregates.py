"""Exact pre-aggregates for the office dashboard and KPI page, rebuilt from the source tables.

`aggregates_rebuild()` reads deals, parties, patents, filings and inventory once and replaces every
aggregate table in one transaction. Additive measures (counts, fen) are summed per region prefix;
distinct counts (SMEs served, patents transferred) are computed per prefix from sets, so they stay exact.
`naive_*` functions answer the same questions straight from the source tables: tests and the benchmark
compare them with the aggregates.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

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


@dataclass(frozen=True)
class DealRow:
    id: int
    kind: str
    on: date
    contract_fen: int
    received_fen: int
    holder_id: int
    holder_region: str
    from_institution: bool
    enterprise_id: int | None
    enterprise_region: str
    enterprise_sme: bool
    patent_ids: tuple[int, ...]
    patent_type: str
    filed: bool


def industry_rollup(scheme: str, code: str) -> str:
    """GB/T 4754 -> 大类 (2 digits); SEI -> its first two levels ("1.2"); tags as they are."""
    if scheme == PatentIndustry.Scheme.GBT4754:
        digits = "".join(ch for ch in code if ch.isdigit())
        return digits[:2]
    if scheme == PatentIndustry.Scheme.SEI:
        return ".".join(code.split(".")[:2])
    return code


def deal_rows(*, chunk: int = 20_000) -> Iterator[DealRow]:
    """Every deal in a contract state, with its enterprise side, patents and filing flag."""
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
    filed = set(Filing.objects.filter(live).values_list("deal_id", flat=True).iterator(chunk))
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
        yield DealRow(
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
            filed=pk in filed,
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


def _answers(qs: Any) -> Iterator[tuple[int, str, int, int]]:
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


def _response_figures(values: list[int]) -> tuple[int, int, int]:
    values.sort()
    return len(values), sum(values), values[len(values) // 2]


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
    deal_sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    inst_sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    ind_sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    sub_sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    distinct: dict[tuple, set[int]] = defaultdict(set)
    rows = list(deal_rows())
    industries = _industries_by_patent({p for r in rows for p in r.patent_ids})
    prefix_cache: dict[str, list[str]] = {}

    def prefixes(code: str) -> list[str]:
        if code not in prefix_cache:
            prefix_cache[code] = prefixes_of(code)
        return prefix_cache[code]

    metric_items = list(DISTINCT_METRICS.items())
    for r in rows:
        year, bm, n = r.on.year, bimonth_of(r.on), len(r.patent_ids)
        measures = (1, n, r.contract_fen, r.received_fen)
        inst_acc = inst_sums[(r.holder_id, r.holder_region, year, r.kind)]
        for i, v in enumerate(measures):
            inst_acc[i] += v
        deal_industries: dict[tuple[str, str], int] = defaultdict(int)
        for pid in r.patent_ids:
            for ind in industries.get(pid, ()):
                deal_industries[ind] += 1
        filed = r.filed and r.kind in (DealKind.LICENCE, DealKind.OPEN_LICENCE)
        metrics = [
            (m, cnt)
            for m, (kinds, need_inst, need_sme, cnt) in metric_items
            if r.kind in kinds
            and (r.from_institution or not need_inst)
            and (r.enterprise_sme or not need_sme)
        ]
        sides = [("S", r.holder_region)]
        if r.enterprise_id is not None:
            sides.append(("E", r.enterprise_region))
        for side, region in sides:
            chain = prefixes(region)
            for parent, child in zip(chain, chain[1:], strict=False):
                sub = sub_sums[(side, parent, child, year, bm)]
                sub[0] += 1
                sub[1] += r.contract_fen
                sub[2] += r.received_fen
            for p in chain:
                acc = deal_sums[
                    (side, p, year, bm, r.kind, r.patent_type, r.from_institution, r.enterprise_sme, filed)
                ]
                for i, v in enumerate(measures):
                    acc[i] += v
                for (scheme, code), count in deal_industries.items():
                    ind_acc = ind_sums[(side, p, year, scheme, code)]
                    ind_acc[0] += 1
                    ind_acc[1] += count
                for m, cnt in metrics:
                    bucket = distinct[(side, p, year, m)]
                    if cnt == "ents":
                        bucket.add(r.enterprise_id)  # type: ignore[arg-type]
                    else:
                        bucket.update(r.patent_ids)
    names = _industry_names()
    inv_qs: Any = (
        InventoryRecord.objects.values(
            "organization_id", "organization__region_code", "college_id", "patent__patent_type"
        )
        .annotate(
            n_total=Count("id"),
            n_filed=Count("id", filter=~Q(state=InventoryState.UNFILED)),
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
    inv_rows: list[dict[str, Any]] = [dict(r) for r in inv_qs]
    inv_fields = ("total", "filed", "pooled", "valid", "converted", "implemented", "industrialised")
    region_inv: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(inv_fields))
    region_insts: dict[tuple[str, str], set[int]] = defaultdict(set)
    for row in inv_rows:
        for p in prefixes(row["organization__region_code"]):
            acc = region_inv[(p, row["patent__patent_type"])]
            for i, f in enumerate(inv_fields):
                acc[i] += row[f"n_{f}"]
            region_insts[(p, row["patent__patent_type"])].add(row["organization_id"])
    by_prefix: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_inst: dict[tuple[int, int], list[int]] = defaultdict(list)
    for inst_id, region, year, ms in _answers(NeedAnswer.objects.all()):
        by_inst[(inst_id, year)].append(ms)
        for p in prefixes(region):
            by_prefix[(p, year)].append(ms)
    # Rows are written sorted by their lookup key (side, prefix, year, …): a region's rows share a few pages, so a
    # dashboard read touches a handful of blocks instead of one per row.
    with transaction.atomic():
        for model in (
            ResponseAggregate,
            DealAggregate,
            InstitutionDealAggregate,
            IndustryDealAggregate,
            DistinctAggregate,
            InventoryAggregate,
            InventoryRegionAggregate,
            SubRegionAggregate,
            InstitutionYearAggregate,
        ):
            model.objects.all().delete()
        inst_year: dict[tuple[int, str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
        for (inst_id, inst_region, year, _kind), sums in inst_sums.items():
            iy_acc = inst_year[(inst_id, inst_region, year)]
            iy_acc[0] += sums[0]
            iy_acc[1] += sums[2]
            iy_acc[2] += sums[3]
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
            (k + tuple(v) for k, v in sorted(sub_sums.items())),
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
                "filed",
                "deals",
                "patents",
                "contract_fen",
                "received_fen",
            ),
            (k + tuple(v) for k, v in sorted(deal_sums.items())),
        )
        _fast_insert(
            InstitutionDealAggregate,
            (
                "institution_id",
                "region_code",
                "year",
                "kind",
                "deals",
                "patents",
                "contract_fen",
                "received_fen",
            ),
            (k + tuple(v) for k, v in inst_sums.items()),
        )
        _fast_insert(
            IndustryDealAggregate,
            ("side", "region_prefix", "year", "scheme", "code", "name", "deals", "patents"),
            (k + (names.get((k[3], k[4]), ""),) + tuple(v) for k, v in sorted(ind_sums.items())),
        )
        _fast_insert(
            DistinctAggregate,
            ("side", "region_prefix", "year", "metric", "value"),
            (k + (len(v),) for k, v in sorted(distinct.items())),
        )
        _fast_insert(
            InventoryAggregate,
            ("institution_id", "region_code", "college_id", "patent_type", *inv_fields),
            (
                (
                    r["organization_id"],
                    r["organization__region_code"],
                    r["college_id"],
                    r["patent__patent_type"],
                    *(r[f"n_{f}"] for f in inv_fields),
                )
                for r in inv_rows
            ),
        )
        _fast_insert(
            ResponseAggregate,
            ("region_prefix", "institution_id", "year", "answers", "total_ms", "median_ms"),
            (
                *((p, None, y, *_response_figures(v)) for (p, y), v in by_prefix.items()),
                *(("", i, y, *_response_figures(v)) for (i, y), v in by_inst.items()),
            ),
        )
        _fast_insert(
            InventoryRegionAggregate,
            ("region_prefix", "patent_type", "institutions", *inv_fields),
            (k + (len(region_insts[k]),) + tuple(v) for k, v in region_inv.items()),
        )
        n_rows = (
            len(deal_sums)
            + len(sub_sums)
            + len(inst_sums)
            + len(ind_sums)
            + len(distinct)
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
            for model in (
                DealAggregate,
                SubRegionAggregate,
                InstitutionDealAggregate,
                InstitutionYearAggregate,
                IndustryDealAggregate,
                DistinctAggregate,
                InventoryAggregate,
                InventoryRegionAggregate,
            ):
                cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return {"deals": len(rows), "rows": n_rows, "seconds": seconds}


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


# ---- the naive queries (source of truth for tests and the benchmark) --------------------------------------


def _region_q(field: str, prefix: str) -> Q:
    return Q(**{f"{field}__startswith": prefix}) if prefix else Q()


def naive_deal_totals(
    *, prefix: str, year: int, bimonths: list[int] | None = None
) -> dict[str, dict[str, int]]:
    """Per kind: deals, patents, contract_fen, received_fen for deals whose holder is in the region."""
    qs = Deal.objects.filter(state__in=CONTRACT_STATES).filter(_region_q("institution__region_code", prefix))
    qs = qs.filter(Q(contract_date__year=year) | Q(contract_date__isnull=True, created_at__year=year))
    if bimonths is not None:
        months = [m for b in bimonths for m in (2 * b - 1, 2 * b)]
        qs = qs.filter(
            Q(contract_date__month__in=months) | Q(contract_date__isnull=True, created_at__month__in=months)
        )
    out: dict[str, dict[str, int]] = {}
    for row in qs.values("kind").annotate(
        deals=Count("id", distinct=True),
        contract_fen=Sum("contract_amount_fen"),
        received_fen=Sum("received_fen"),
    ):
        out[row["kind"]] = {
            "deals": row["deals"],
            "contract_fen": row["contract_fen"] or 0,
            "received_fen": row["received_fen"] or 0,
        }
    prow: Any
    for prow in (
        DealPatent.objects.filter(deal__in=qs.values("id"))
        .values("deal__kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[prow["deal__kind"]]["patents"] = prow["n"]
    for v in out.values():
        v.setdefault("patents", 0)
    return out


def naive_inventory(*, prefix: str) -> dict[str, int]:
    qs = InventoryRecord.objects.filter(_region_q("organization__region_code", prefix))
    return qs.aggregate(
        total=Count("id"),
        filed=Count("id", filter=~Q(state=InventoryState.UNFILED)),
        pooled=Count("id", filter=Q(state=InventoryState.POOLED)),
        valid=Count("id", filter=Q(patent__legal_status=LegalStatus.VALID)),
    )


def naive_smes_served_by_institutions(*, prefix: str, year: int) -> int:
    """Distinct SMEs (enterprise side in region) that received a transfer/licence/equity from an institution."""
    sme = EnterpriseProfile.objects.filter(size__in=SME_SIZES).values("organization_id")
    q = Q()
    for kind in CONVEYING:
        q |= Q(deal__kind=kind, role=ENTERPRISE_ROLE[kind])
    return (
        DealParty.objects.filter(q, deal__state__in=CONTRACT_STATES, deal__institution__type__in=HOLDER_TYPES)
        .filter(
            Q(deal__contract_date__year=year)
            | Q(deal__contract_date__isnull=True, deal__created_at__year=year)
        )
        .filter(_region_q("organization__region_code", prefix), organization_id__in=sme)
        .values("organization_id")
        .distinct()
        .count()
    )


def naive_top_institutions(*, prefix: str, year: int, limit: int = 20) -> list[dict[str, int]]:
    """Universities and institutes in the region ranked by their contract deals of the year (ties by id)."""
    qs = (
        Deal.objects.filter(state__in=CONTRACT_STATES, institution__type__in=HOLDER_TYPES)
        .filter(_region_q("institution__region_code", prefix))
        .filter(Q(contract_date__year=year) | Q(contract_date__isnull=True, created_at__year=year))
        .values("institution_id")
        .annotate(
            deals=Count("id"), contract_fen=Sum("contract_amount_fen"), received_fen=Sum("received_fen")
        )
        .order_by("-deals", "institution_id")
    )
    return [
        {
            "id": r["institution_id"],
            "deals": r["deals"],
            "contract_fen": r["contract_fen"] or 0,
            "received_fen": r["received_fen"] or 0,
        }
        for r in qs[:limit]
    ]


def naive_response_hours(*, prefix: str = "", institution_id: int | None = None, year: int) -> dict[str, Any]:
    """Response time straight from the answers (institution's region prefix, or one institution)."""
    qs = NeedAnswer.objects.filter(answered_at__year=year)
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    else:
        qs = qs.filter(_region_q("institution__region_code", prefix))
    values = [ms for _, _, _, ms in _answers(qs)]
    return response_summary(*_response_figures(values)) if values else response_summary(0, 0, 0)
