from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.deals.models import DealKind, DealState
from panhuo.monitoring import metrics
from panhuo.monitoring.aggregates import aggregates_rebuild
from panhuo.monitoring.models import DistinctAggregate
from panhuo.monitoring.naive import (
    naive_deal_totals,
    naive_inventory,
    naive_smes_served_by_institutions,
    naive_top_institutions,
)
from panhuo.monitoring.regions import Period, parse_period, prefixes_of, region_prefix
from panhuo.monitoring.stats import Scope, dashboard

from .factories import deal, hold, org, patent

pytestmark = pytest.mark.django_db


def test_region_prefix_and_period():
    assert region_prefix("500000") == "50"
    assert region_prefix("500100") == "5001"
    assert region_prefix("500107") == "500107"
    assert region_prefix("") == ""
    assert prefixes_of("500107") == ["", "50", "5001", "500107"]
    assert prefixes_of("110000") == ["", "11"]
    p = parse_period("2026-B5")
    assert (p.start, p.end, p.bimonths) == (date(2026, 9, 1), date(2026, 10, 31), [5])
    assert parse_period("2026").bimonths == [1, 2, 3, 4, 5, 6]


def _world():
    uni = org("university", "500107")
    uni2 = org("university", "110105")
    sme = org("enterprise", "500108", sme=True)
    big = org("enterprise", "500107", sme=False)
    ps = [patent() for _ in range(6)] + [patent(valid=False)]
    for p in ps[:4]:
        hold(uni, p)
    hold(uni, ps[4], state="unfiled")
    hold(uni2, ps[5], state="draft")
    hold(uni2, ps[6])
    deal(DealKind.TRANSFER, uni, sme, [ps[0], ps[1]], amount=500_00, received=100_00)
    deal(
        DealKind.LICENCE,
        uni,
        big,
        [ps[2]],
        on=date(2026, 9, 2),
        amount=3_000_00,
        filings={"licence_filing": date(2026, 9, 9)},
    )
    deal(DealKind.LICENCE, uni2, sme, [ps[5]], on=date(2025, 9, 2), amount=1_000_00)
    deal(DealKind.TRANSFER, uni, sme, [ps[3]], state=DealState.INTENT)  # not a contract: never counted
    deal(DealKind.PLEDGE, sme, None, [], amount=50_000_00)
    return uni, uni2, sme, big, ps


def test_rebuild_matches_naive_and_known_numbers():
    _world()
    aggregates_rebuild()
    d = dashboard(Scope("50", None, "重庆"), Period(2026))
    assert d["totals"][DealKind.TRANSFER] == {
        "deals": 1,
        "patents": 2,
        "contract_fen": 500_00,
        "received_fen": 100_00,
        "yoy_deals_percent": None,
        "yoy_contract_percent": None,
    }
    assert d["totals"][DealKind.LICENCE]["deals"] == 1
    naive = naive_deal_totals(prefix="50", year=2026)
    for kind, t in naive.items():
        assert {k: d["totals"][kind][k] for k in t} == t
    assert d["inventory"] == {
        **naive_inventory(prefix="50"),
        "converted": 0,
        "implemented": 0,
        "industrialised": 0,
    }
    assert d["inventory"]["total"] == 5 and d["inventory"]["filed"] == 4 and d["inventory"]["pooled"] == 4
    assert d["rates"]["filing_rate"] == {"numerator": 4, "denominator": 5, "percent": 80.0}
    assert d["rates"]["pooling_rate"]["percent"] == 80.0
    # 转让率: 2 distinct transferred patents of 5 valid held in region 50
    assert d["rates"]["transfer_rate"] == {"numerator": 2, "denominator": 5, "percent": 40.0}
    assert d["rates"]["licence_rate"]["numerator"] == 1
    assert d["smes_served_by_institutions"] == naive_smes_served_by_institutions(prefix="50", year=2026) == 1
    # bi-month slice
    b5 = dashboard(Scope("50", None, ""), Period(2026, 5))
    assert set(b5["totals"]) == {DealKind.LICENCE}
    assert naive_deal_totals(prefix="50", year=2026, bimonths=[5])[DealKind.LICENCE]["deals"] == 1
    # national scope sees Beijing too; YoY for licences: 2025 had one (uni2), 2026 one
    national = dashboard(Scope("", None, ""), Period(2026))
    assert national["totals"][DealKind.LICENCE]["yoy_deals_percent"] == 0.0
    assert national["sub_regions"][0]["region"] == "50"


def test_kpi_metrics_from_aggregates():
    _world()
    aggregates_rebuild()
    s, e = date(2026, 1, 1), date(2026, 12, 31)
    assert metrics.metric_value("sme_deals_from_institutions", prefix="50", start=s, end=e) == 1
    assert metrics.metric_value("pledge_amount_fen", prefix="50", start=s, end=e) == 50_000_00
    assert metrics.metric_value("pledge_smes", prefix="50", start=s, end=e) == 1
    assert metrics.metric_value("pledge_sme_share_bp", prefix="50", start=s, end=e) == 10_000
    assert metrics.metric_value("licence_filed_amount_fen", prefix="50", start=s, end=e) == 3_000_00
    # 2 of 5 valid patents went from institutions to SMEs by transfer/licence: 4000 bp
    assert metrics.metric_value("institution_sme_patent_share_bp", prefix="50", start=s, end=e) == 4_000


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [DealKind.TRANSFER, DealKind.LICENCE, DealKind.OPEN_LICENCE, DealKind.EQUITY, DealKind.PLEDGE]
            ),
            st.integers(0, 2),  # holder index
            st.integers(0, 2),  # enterprise index
            st.integers(1, 12),  # month
            st.integers(2025, 2026),
            st.integers(0, 10_000_00),
            st.integers(0, 3),  # patents
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_aggregates_equal_naive_on_random_data(django_db_blocker, specs):
    from django.db import transaction

    with transaction.atomic():
        sid = transaction.savepoint()
        holders = [org("university", "500107"), org("institute", "500108"), org("university", "110101")]
        ents = [
            org("enterprise", "500107", sme=True),
            org("enterprise", "110101", sme=False),
            org("enterprise", "500108", sme=True),
        ]
        for kind, h, e, month, year, amount, n, contract in specs:
            ps = [patent() for _ in range(n)]
            deal(
                kind,
                holders[h],
                ents[e],
                ps,
                on=date(year, month, 15),
                amount=amount,
                received=amount // 2,
                state=DealState.SIGNED if contract else DealState.NEGOTIATION,
            )
        aggregates_rebuild()
        for prefix in ("", "50", "5001", "500107", "11"):
            for year in (2025, 2026):
                d = dashboard(Scope(prefix, None, ""), Period(year))
                naive = naive_deal_totals(prefix=prefix, year=year)
                assert {
                    k: {f: v[f] for f in ("deals", "patents", "contract_fen", "received_fen")}
                    for k, v in d["totals"].items()
                } == naive
                got = (
                    DistinctAggregate.objects.filter(
                        side="E", region_prefix=prefix, year=year, metric="smes_served_by_institutions"
                    )
                    .values_list("value", flat=True)
                    .first()
                    or 0
                )
                assert got == naive_smes_served_by_institutions(prefix=prefix, year=year)
            # every KPI metric: the in-memory reader (one read per prefix) == one SUM query per figure
            reader = metrics.AggregateReader(prefix)
            for name in metrics.METRICS:
                for s, e in ((date(2025, 1, 1), date(2026, 12, 31)), (date(2026, 3, 5), date(2026, 8, 1))):
                    assert metrics.metric_value(name, prefix=prefix, start=s, end=e, reader=reader) == (
                        metrics.metric_value(
                            name, prefix=prefix, start=s, end=e, reader=metrics.DirectReader(prefix)
                        )
                    ), name
                # the ranking is read from per-prefix rows: same holders, same order as the naive GROUP BY
                assert [
                    {f: r[f] for f in ("id", "deals", "contract_fen", "received_fen")}
                    for r in d["top_institutions"]
                ] == naive_top_institutions(prefix=prefix, year=year)
        transaction.savepoint_rollback(sid)


def test_response_time_from_aggregate_equals_naive():
    from datetime import UTC, datetime, timedelta

    from panhuo.demand.models import Need, NeedAnswer
    from panhuo.monitoring.naive import naive_response_hours

    uni, uni2 = org("university", "500107"), org("institute", "110105")
    ent = org("enterprise", "500108", sme=True)
    t0 = datetime(2026, 3, 1, 8, tzinfo=UTC)

    def need(published):
        return Need.objects.create(
            enterprise=ent, title="需求", description="d", wanted_mode="transfer", published_at=published
        )

    hours = {uni: [1, 5, 30], uni2: [2]}
    for inst, hs in hours.items():
        for h in hs:
            NeedAnswer.objects.create(
                need=need(t0), institution=inst, text="a", answered_at=t0 + timedelta(hours=h, minutes=6)
            )
    # a draft need (never published) does not count; an answer dated 2025 counts in 2025 only
    NeedAnswer.objects.create(need=need(None), institution=uni, text="a", answered_at=t0)
    NeedAnswer.objects.create(
        need=need(t0 - timedelta(days=400)), institution=uni, text="a", answered_at=t0 - timedelta(days=399)
    )
    aggregates_rebuild()
    d = dashboard(Scope("50", None, ""), Period(2026))
    assert d["response_time"] == {"answers": 3, "mean_hours": 12.1, "median_hours": 5.1}
    for prefix in ("", "50", "5001", "500107", "11", "44"):
        for year in (2025, 2026):
            got = dashboard(Scope(prefix, None, ""), Period(year))["response_time"]
            assert got == naive_response_hours(prefix=prefix, year=year)
    assert dashboard(Scope("", None, ""), Period(2026))["response_time"]["answers"] == 4
    mine = dashboard(Scope("", uni2.id, ""), Period(2026))["response_time"]
    assert (
        mine
        == naive_response_hours(institution_id=uni2.id, year=2026)
        == {
            "answers": 1,
            "mean_hours": 2.1,
            "median_hours": 2.1,
        }
    )
