"""KPI metrics read from the pre-aggregates: one integer per (metric, region prefix, date range).

Ranges are bi-month granular (the aggregates' grain): a range covers every bi-month it touches.
Distinct counts are per calendar year; a range over several years adds the yearly counts.
Each metric names the side it counts on: "S" the holder's region, "E" the enterprise's region.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db.models import Count, Q, Sum

from panhuo.deals.models import DealKind
from panhuo.monitoring.models import (
    DealAggregate,
    DistinctAggregate,
    InventoryRegionAggregate,
    ProductFiling,
    SurveyResponse,
)
from panhuo.monitoring.regions import bimonth_of

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


def deal_sum(
    *, side: str, prefix: str, start: date, end: date, field: str, kinds: tuple[str, ...], **flags: bool
) -> int:
    qs = DealAggregate.objects.filter(
        _period_q(start, end), side=side, region_prefix=prefix, kind__in=kinds, **flags
    )
    return qs.aggregate(v=Sum(field))["v"] or 0


def distinct_sum(*, side: str, prefix: str, start: date, end: date, metric: str) -> int:
    years = list(bimonth_range(start, end))
    qs = DistinctAggregate.objects.filter(side=side, region_prefix=prefix, year__in=years, metric=metric)
    return qs.aggregate(v=Sum("value"))["v"] or 0


def valid_patents(prefix: str) -> int:
    return InventoryRegionAggregate.objects.filter(region_prefix=prefix).aggregate(v=Sum("valid"))["v"] or 0


def _ratio_bp(num: int, den: int) -> int:
    return num * 10_000 // den if den else 0


def satisfaction(*, prefix: str, start: date, end: date) -> tuple[int, int]:
    """(satisfied answers (score ≥ 4), all answers) of the region's institutions and enterprises."""
    qs = SurveyResponse.objects.filter(year__gte=start.year, year__lte=end.year)
    if prefix:
        qs = qs.filter(region_code__startswith=prefix)
    row = qs.aggregate(n=Count("id"), ok=Count("id", filter=Q(score__gte=4)))
    return row["ok"], row["n"]


def product_filings(*, prefix: str, start: date, end: date) -> int:
    qs = ProductFiling.objects.filter(filed_on__gte=start, filed_on__lte=end)
    if prefix:
        qs = qs.filter(enterprise__region_code__startswith=prefix)
    return qs.count()


Metric = Callable[[str, date, date], int]


def _d(side: str, field: str, kinds: tuple[str, ...], **flags: bool) -> Metric:
    return lambda p, s, e: deal_sum(side=side, prefix=p, start=s, end=e, field=field, kinds=kinds, **flags)


def _x(side: str, metric: str) -> Metric:
    return lambda p, s, e: distinct_sum(side=side, prefix=p, start=s, end=e, metric=metric)


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
        lambda p, s, e: _ratio_bp(
            distinct_sum(side="S", prefix=p, start=s, end=e, metric="institution_sme_patents"),
            valid_patents(p),
        ),
    ),
    "pledge_sme_share_bp": (
        "质押融资惠及中小微企业占惠企数量比例(E, 万分之)",
        lambda p, s, e: _ratio_bp(
            distinct_sum(side="E", prefix=p, start=s, end=e, metric="pledge_smes"),
            distinct_sum(side="E", prefix=p, start=s, end=e, metric="pledge_enterprises"),
        ),
    ),
    "pledge_amount_fen": ("区内企业专利质押融资金额(E, 分)", _d("E", "contract_fen", (DealKind.PLEDGE,))),
    "pledge_deals": ("区内企业专利质押融资项目数(E)", _d("E", "deals", (DealKind.PLEDGE,))),
    "licence_filed_amount_fen": (
        "区内许可人已备案许可合同金额(S, 分)",
        _d("S", "contract_fen", (DealKind.LICENCE, DealKind.OPEN_LICENCE), filed=True),
    ),
    "product_filings": ("区内企业专利产品备案数", lambda p, s, e: product_filings(prefix=p, start=s, end=e)),
    "satisfaction_bp": (
        "满意度(评分≥4 的比例, 万分之)",
        lambda p, s, e: _ratio_bp(*satisfaction(prefix=p, start=s, end=e)),
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


def metric_value(metric: str, *, prefix: str, start: date, end: date) -> int:
    if metric not in METRICS:
        raise KeyError(metric)
    return METRICS[metric][1](prefix, start, end)
