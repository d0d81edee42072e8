"""KPI metrics read from the pre-aggregates: one integer per (metric, region prefix, date range).

Ranges are bi-month granular (the aggregates' grain): a range covers every bi-month it touches.
Distinct counts are per calendar year; a range over several years adds the yearly counts.
Each metric names the side it counts on: "S" the holder's region, "E" the enterprise's region.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum

from panhuo.deals.models import CONTRACT_STATES, DealKind, DealParty, PartyRole
from panhuo.demand.models import EnterpriseSize
from panhuo.monitoring.models import (
    DealAggregate,
    DistinctAggregate,
    InventoryRegionAggregate,
    ProductFiling,
    ProductStatus,
    SurveyResponse,
)
from panhuo.monitoring.regions import bimonth_of
from panhuo.outcomes.models import DealOutcome

SME_SIZES = (EnterpriseSize.MEDIUM, EnterpriseSize.SMALL, EnterpriseSize.MICRO)
ENTERPRISE_SIDE_ROLES = (PartyRole.ASSIGNEE, PartyRole.LICENSEE, PartyRole.COMPANY, PartyRole.IMPLEMENTER)
TL = (DealKind.TRANSFER, DealKind.LICENCE, DealKind.OPEN_LICENCE)
CONVEY = (*TL, DealKind.EQUITY)


def bimonth_range(start: date, end: date) -> dict[int, list[int]]:
    """{year: [bimonths]} touched by [start, end]."""
    out: dict[int, list[int]] = {}
    y, b = start.year, bimonth_of(start)
    while (y, b) <= (end.year, bimonth_of(end)):
        out.setdefault(y, []).append(b)
        y, b = (y + 1, 1) if b == 6 else (y, b + 1)
    return out


def _period_q(start: date, end: date) -> Q:
    q = Q(pk__in=[])
    for year, bms in bimonth_range(start, end).items():
        q |= Q(year=year, bimonth__in=bms)
    return q


FLAGS = ("from_institution", "enterprise_sme", "filed")
# Both sides named explicitly: `side` leads the aggregate indexes, so the read is an index range per side
# instead of a scan of the whole index for the prefix.
SIDES = ("E", "S")
FIELDS = ("deals", "patents", "contract_fen", "received_fen")


class DirectReader:
    """Each figure is its own SUM query over the aggregate tables (the reference for `AggregateReader`)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def deal_sum(
        self, *, side: str, start: date, end: date, field: str, kinds: tuple[str, ...], **flags: bool
    ) -> int:
        qs = DealAggregate.objects.filter(
            _period_q(start, end), side=side, region_prefix=self.prefix, kind__in=kinds, **flags
        )
        return qs.aggregate(v=Sum(field))["v"] or 0

    def distinct_sum(self, *, side: str, start: date, end: date, metric: str) -> int:
        years = list(bimonth_range(start, end))
        qs = DistinctAggregate.objects.filter(
            side=side, region_prefix=self.prefix, year__in=years, metric=metric
        )
        return qs.aggregate(v=Sum("value"))["v"] or 0

    def valid_patents(self) -> int:
        qs = InventoryRegionAggregate.objects.filter(region_prefix=self.prefix)
        return qs.aggregate(v=Sum("valid"))["v"] or 0


class AggregateReader(DirectReader):
    """One region prefix's deal and distinct aggregates per year, read once (one query each, grouped without the
    patent type) and summed in memory: a KPI page asks ~15 figures of the same prefix and years, so it makes
    3 queries instead of ~15. Same rows, same filters, integer sums: the same numbers as `DirectReader`."""

    def __init__(self, prefix: str) -> None:
        super().__init__(prefix)
        # year -> (side, bimonth, kind) -> [(from_institution, enterprise_sme, filed, deals, patents, contract, received)]
        self._deals: dict[int, dict[tuple[str, int, str], list[tuple[Any, ...]]]] = {}
        self._distinct: dict[int, dict[tuple[str, str], int]] = {}
        self._valid: int | None = None

    def _load(self, years: list[int]) -> None:
        missing = [y for y in years if y not in self._deals]
        if not missing:
            return
        for y in missing:
            self._deals[y] = defaultdict(list)
            self._distinct[y] = {}
        rows = (
            DealAggregate.objects.filter(side__in=SIDES, region_prefix=self.prefix, year__in=missing)
            .values_list("side", "year", "bimonth", "kind", *FLAGS)
            .annotate(*(Sum(f) for f in FIELDS))
            .order_by()
        )
        for side, year, bimonth, kind, *rest in rows:
            self._deals[year][(side, bimonth, kind)].append(tuple(rest))
        for side, year, metric, value in DistinctAggregate.objects.filter(
            side__in=SIDES, region_prefix=self.prefix, year__in=missing
        ).values_list("side", "year", "metric", "value"):
            self._distinct[year][(side, metric)] = value

    def deal_sum(
        self, *, side: str, start: date, end: date, field: str, kinds: tuple[str, ...], **flags: bool
    ) -> int:
        span = bimonth_range(start, end)
        self._load(list(span))
        want = [(FLAGS.index(k), v) for k, v in flags.items()]
        col = len(FLAGS) + FIELDS.index(field)
        total = 0
        for year, bms in span.items():
            by_key = self._deals[year]
            for bm in bms:
                for kind in kinds:
                    for row in by_key.get((side, bm, kind), ()):
                        if all(row[i] == v for i, v in want):
                            total += row[col] or 0
        return total

    def distinct_sum(self, *, side: str, start: date, end: date, metric: str) -> int:
        years = list(bimonth_range(start, end))
        self._load(years)
        return sum(self._distinct[y].get((side, metric), 0) for y in years)

    def valid_patents(self) -> int:
        if self._valid is None:
            self._valid = super().valid_patents()
        return self._valid


def _ratio_bp(num: int, den: int) -> int:
    return num * 10_000 // den if den else 0


class ScopeReader(DirectReader):
    """A KPI scope of several region prefixes (e.g. the two districts of 重庆高新区): each figure is the sum of the
    prefixes' figures. Prefixes of a scope do not overlap (`accounts.visibility.region_scope_validate`) and an organisation has one
    region, so distinct counts add up exactly."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__(prefixes[0] if len(prefixes) == 1 else ",".join(prefixes))
        self.prefixes = prefixes
        self._readers = [AggregateReader(p) for p in prefixes]

    def deal_sum(
        self, *, side: str, start: date, end: date, field: str, kinds: tuple[str, ...], **flags: bool
    ) -> int:
        return sum(
            r.deal_sum(side=side, start=start, end=end, field=field, kinds=kinds, **flags)
            for r in self._readers
        )

    def distinct_sum(self, *, side: str, start: date, end: date, metric: str) -> int:
        return sum(r.distinct_sum(side=side, start=start, end=end, metric=metric) for r in self._readers)

    def valid_patents(self) -> int:
        return sum(r.valid_patents() for r in self._readers)


def _prefixes(reader: DirectReader) -> tuple[str, ...]:
    return reader.prefixes if isinstance(reader, ScopeReader) else (reader.prefix,)


def _in_scope(field: str, prefixes: tuple[str, ...]) -> Q:
    if "" in prefixes:
        return Q()
    q = Q(pk__in=[])
    for p in prefixes:
        q |= Q(**{f"{field}__startswith": p})
    return q


def satisfaction(*, prefix: str, start: date, end: date, prefixes: tuple[str, ...] = ()) -> tuple[int, int]:
    """(satisfied answers (score ≥ 4), all answers) of the region's institutions and enterprises."""
    qs = SurveyResponse.objects.filter(year__gte=start.year, year__lte=end.year)
    qs = qs.filter(_in_scope("region_code", prefixes or (prefix,)))
    row = qs.aggregate(n=Count("id"), ok=Count("id", filter=Q(score__gte=4)))
    return row["ok"], row["n"]


def product_filings(*, prefix: str, start: date, end: date, prefixes: tuple[str, ...] = ()) -> int:
    qs = ProductFiling.objects.filter(filed_on__gte=start, filed_on__lte=end, status=ProductStatus.CONFIRMED)
    return qs.filter(_in_scope("enterprise__region_code", prefixes or (prefix,))).count()


def sme_outcomes(*, prefixes: tuple[str, ...], start: date, end: date) -> tuple[int, int]:
    """(revenue fen, new jobs) that 中小微企业 of the scope reported as 产业化成效 (panhuo/outcomes) for the calendar
    years of [start, end], over deals in contract states where they are the enterprise side (E)."""
    sme_side = DealParty.objects.filter(
        _in_scope("organization__region_code", prefixes),
        deal=OuterRef("deal_id"),
        organization__enterprise_profile__size__in=SME_SIZES,
        role__in=ENTERPRISE_SIDE_ROLES,
    )
    qs = DealOutcome.objects.filter(
        year__gte=start.year, year__lte=end.year, deal__state__in=CONTRACT_STATES
    ).filter(Exists(sme_side))
    row = qs.aggregate(r=Sum("revenue_fen"), j=Sum("jobs"))
    return int(row["r"] or 0), int(row["j"] or 0)


Metric = Callable[[DirectReader, date, date], int]


def _d(side: str, field: str, kinds: tuple[str, ...], **flags: bool) -> Metric:
    return lambda r, s, e: r.deal_sum(side=side, start=s, end=e, field=field, kinds=kinds, **flags)


def _x(side: str, metric: str) -> Metric:
    return lambda r, s, e: r.distinct_sum(side=side, start=s, end=e, metric=metric)


METRICS: dict[str, tuple[str, Metric]] = {
    "sme_deals_from_institutions": (
        "区内中小微企业接受高校院所转让/许可次数(E)",
        _d("E", "deals", TL, from_institution=True, enterprise_sme=True),
    ),
    "smes_served_by_institutions": (
        "接受高校院所转让/许可/入股的区内中小微企业数(E)",
        _x("E", "smes_served_by_institutions"),
    ),
    "smes_served": ("受让/被许可/入股的区内中小微企业数(E)", _x("E", "smes_served")),
    "pledge_smes": ("质押融资的区内中小微企业数(E)", _x("E", "pledge_smes")),
    "open_licence_deals": ("区内企业通过开放许可达成的许可数(E)", _d("E", "deals", (DealKind.OPEN_LICENCE,))),
    "institution_sme_patent_share_bp": (
        "区内高校院所向中小微企业转让许可专利占有效专利比例(S, 万分之)",
        lambda r, s, e: _ratio_bp(
            r.distinct_sum(side="S", start=s, end=e, metric="institution_sme_patents"),
            r.valid_patents(),
        ),
    ),
    "pledge_sme_share_bp": (
        "质押融资惠及中小微企业占惠企数量比例(E, 万分之)",
        lambda r, s, e: _ratio_bp(
            r.distinct_sum(side="E", start=s, end=e, metric="pledge_smes"),
            r.distinct_sum(side="E", start=s, end=e, metric="pledge_enterprises"),
        ),
    ),
    "pledge_amount_fen": ("区内企业专利质押融资金额(E, 分)", _d("E", "contract_fen", (DealKind.PLEDGE,))),
    "pledge_deals": ("区内企业专利质押融资项目数(E)", _d("E", "deals", (DealKind.PLEDGE,))),
    "licence_filed_amount_fen": (
        "区内许可人已备案许可合同金额(S, 分)",
        _d("S", "contract_fen", (DealKind.LICENCE, DealKind.OPEN_LICENCE), filed=True),
    ),
    "product_filings": (
        "区内企业专利产品备案数",
        lambda r, s, e: product_filings(prefix=r.prefix, start=s, end=e, prefixes=_prefixes(r)),
    ),
    "satisfaction_bp": (
        "满意度(评分≥4 的比例, 万分之)",
        lambda r, s, e: _ratio_bp(*satisfaction(prefix=r.prefix, start=s, end=e, prefixes=_prefixes(r))),
    ),
    "sme_outcome_revenue_fen": (
        "区内中小微企业填报的转化成效销售收入(E, 分, 产业化成效)",
        lambda r, s, e: sme_outcomes(prefixes=_prefixes(r), start=s, end=e)[0],
    ),
    "sme_outcome_jobs": (
        "区内中小微企业填报的转化成效新增就业人数(E, 产业化成效)",
        lambda r, s, e: sme_outcomes(prefixes=_prefixes(r), start=s, end=e)[1],
    ),
    "sme_received_patents": ("区内中小微企业受让/被许可/入股专利数(E)", _x("E", "sme_received_patents")),
    "sme_received_contract_fen": (
        "区内中小微企业受让/被许可/入股成交金额(E, 分)",
        _d("E", "contract_fen", CONVEY, enterprise_sme=True),
    ),
    "sme_received_paid_fen": (
        "区内中小微企业受让/被许可/入股实际到账金额(E, 分)",
        _d("E", "received_fen", CONVEY, enterprise_sme=True),
    ),
    "institution_deal_patents": ("区内高校院所转让/许可/入股专利数(S)", _x("S", "institution_deal_patents")),
    "institution_contract_fen": (
        "区内高校院所转让/许可/入股成交金额(S, 分)",
        _d("S", "contract_fen", CONVEY, from_institution=True),
    ),
    "institution_paid_fen": (
        "区内高校院所转让/许可/入股实际到账金额(S, 分)",
        _d("S", "received_fen", CONVEY, from_institution=True),
    ),
}


def metric_value(
    metric: str, *, prefix: str, start: date, end: date, reader: DirectReader | None = None
) -> int:
    """One metric of a region prefix over [start, end]; pass one `AggregateReader(prefix)` for many metrics, or a
    `ScopeReader(prefixes)` for a scope of several prefixes (its `prefix` is the prefixes joined by commas)."""
    if metric not in METRICS:
        raise KeyError(metric)
    if reader is None:
        reader = AggregateReader(prefix)
    elif reader.prefix != prefix:
        raise ValueError("reader is for another region prefix")
    return METRICS[metric][1](reader, start, end)
