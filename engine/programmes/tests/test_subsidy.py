from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.programmes import presets
from engine.programmes.definition import (
    SchemeInvalid,
    format_ppm,
    parse_percent_ppm,
    scheme_from_dict,
    scheme_to_dict,
)
from engine.programmes.subsidy import Event, History, Party, allocate, allocate_pool, claims_of, select

CQ = scheme_from_dict(presets.CQ_TRANSFER_LICENCE)
CQ_PLEDGE = scheme_from_dict(presets.CQ_PLEDGE)
SH = scheme_from_dict(presets.SH_SERVICE_TEAM)
JL = scheme_from_dict(presets.JL_PLEDGE_FINANCING)
REGION = ("500107",)


def uni(i: int = 1, region: str = "500107") -> Party:
    return Party(i, "university", region_code=region)


def sme(i: int = 2, region: str = "500107", size: str = "small", confirmed: bool = True) -> Party:
    return Party(i, "enterprise", size=size, region_code=region, confirmed=confirmed)


def ev(
    ref, kind, amount=0, *, seller=None, buyer=None, types=("invention",), received=None, filed=True, **kw
):
    parties = {"supplier": seller or uni(), "enterprise": buyer or sme()}
    if kind == "pledge":
        parties = {"enterprise": buyer or sme()}
    return Event(
        ref,
        kind,
        tuple(types),
        amount,
        amount if received is None else received,
        filed=filed,
        parties=parties,
        **kw,
    )


def paid(scheme, events, history=None, prefixes=REGION):
    h = history or History()
    sel = select(scheme, events, prefixes, h)
    return sel, allocate(scheme, claims_of(sel.lines), h)


def test_invention_transfer_pays_each_side_4000_yuan_per_patent():
    sel, alloc = paid(CQ, [ev("D1", "transfer", 10_000_00, types=("invention", "invention", "utility"))])
    # two invention patents (the utility model earns nothing under 二(二)1): ¥8,000 to each side
    assert [(a.entity_id, a.paid_fen) for a in alloc.awards] == [(1, 800_000), (2, 800_000)]
    sel, alloc = paid(CQ, [ev("D2", "transfer", 1, types=("utility",))])
    assert alloc.awards == () and sel.lines == ()


def test_licence_filing_and_the_amount_above_5m_yuan():
    # ¥8,000,000 licence of one patent: ¥1,000 each side + 0.01% of ¥8m = ¥800 to the licensee
    _sel, alloc = paid(CQ, [ev("L1", "licence", 800_000_000)])
    assert {a.entity_id: a.paid_fen for a in alloc.awards} == {1: 100_000, 2: 180_000}
    # exactly ¥5m is not "超过": no rate part
    _sel, alloc = paid(CQ, [ev("L2", "licence", 500_000_000)])
    assert {a.entity_id: a.paid_fen for a in alloc.awards} == {1: 100_000, 2: 100_000}


def test_eligibility_large_enterprise_other_region_and_enterprise_to_enterprise_earn_nothing():
    events = [
        ev("A", "transfer", 1, buyer=sme(size="large")),
        ev("B", "transfer", 1, buyer=sme(region="310101")),
        ev("C", "transfer", 1, seller=Party(9, "enterprise", size="small", region_code="500107")),
    ]
    sel, _ = paid(CQ, events)
    assert sel.lines == () and sel.holds == ()


def test_holds_carry_their_reason_in_order():
    events = [
        ev("K", "licence", 800_000_000),  # claimed before (filing rule)
        ev("O", "transfer", 1),  # paid by another scheme
        ev("F", "transfer", 1),  # anomaly
        ev("N", "transfer", 1, filed=False),
        ev("U", "licence", 800_000_000, received=0),  # amount rule needs the money
        ev("S", "transfer", 1, buyer=sme(3, confirmed=False)),
    ]
    h = History(
        claimed=frozenset({("K", "licence_filing", 1)}),
        supported_elsewhere=frozenset({("O", 2)}),
        flagged_refs=frozenset({"F"}),
    )
    sel = select(CQ, events, REGION, h)
    reasons = sorted((x.line.ref, x.line.rule, x.line.entity_id, x.reason) for x in sel.holds)
    assert reasons == [
        ("F", "invention_transfer", 1, "anomaly"),
        ("F", "invention_transfer", 2, "anomaly"),
        ("K", "licence_filing", 1, "already_claimed"),
        ("N", "invention_transfer", 1, "not_filed"),
        ("N", "invention_transfer", 2, "not_filed"),
        ("O", "invention_transfer", 2, "other_scheme"),
        ("S", "invention_transfer", 3, "self_declared"),
        ("U", "licence_amount", 2, "unpaid"),
    ]
    # the unpaid licence still earns its filing lines; the institution of O is paid (only the SME had support)
    assert sorted((x.ref, x.rule, x.entity_id) for x in sel.lines) == [
        ("K", "licence_amount", 2),
        ("K", "licence_filing", 2),
        ("O", "invention_transfer", 1),
        ("S", "invention_transfer", 1),
        ("U", "licence_filing", 1),
        ("U", "licence_filing", 2),
    ]


def test_no_double_support_off_pays_what_another_scheme_paid():
    h = History(supported_elsewhere=frozenset({("T1", 1)}))
    team = ev("T1", "transfer", 100_000_00, buyer=sme())
    assert [x.entity_id for x in select(SH, [team], ("500107",), h).lines] == [1]


def test_unit_cap_counts_earlier_batches():
    events = [ev(f"D{i}", "transfer", 1, buyer=sme(100 + i)) for i in range(30)]  # seller: 30 × ¥4,000
    _sel, alloc = paid(CQ, events, History(paid_by_unit={1: 9_000_000}))
    seller = next(a for a in alloc.awards if a.entity_id == 1)
    assert (seller.claimed_fen, seller.capped_fen) == (
        12_000_000,
        1_000_000,
    )  # ¥100,000 − ¥90,000 already paid


def test_pool_pro_rata_exact_in_fen_after_earlier_batches():
    events = [ev(f"D{i}", "transfer", 1, buyer=sme(100 + i)) for i in range(200)]
    _sel, alloc = paid(CQ, events, History(pool_used_fen=20_000_000))
    assert alloc.scaled and alloc.pool_left_fen == 30_000_000
    assert alloc.total_capped_fen == 10_000_000 + 200 * 400_000
    assert alloc.total_paid_fen == 30_000_000


def test_pledge_rate_cap_and_pool_with_the_broker():
    events = [
        Event(
            f"P{i}",
            "pledge",
            (),
            300_000_000_00,
            filed=True,
            parties={"enterprise": sme(i), "broker": Party(99, "agency")},
        )
        for i in range(1, 4)
    ]  # ¥300m each: 0.1% = ¥300,000 -> capped ¥200,000 each; the broker too (3 × ¥300,000 -> ¥200,000)
    _sel, alloc = paid(CQ_PLEDGE, events)
    assert [a.capped_fen for a in alloc.awards] == [20_000_000] * 4
    assert alloc.total_paid_fen == 60_000_000 and alloc.scaled  # ¥800,000 > ¥600,000 pool


def test_shanghai_team_reward_is_0_1_percent_of_received():
    e = ev(
        "S1",
        "licence",
        100_000_000,
        received=30_000_000,
        buyer=sme(region="310101"),
        seller=uni(region="310104"),
    )
    sel = select(SH, [e], ("31",), History())
    assert [(x.entity_id, x.amount_fen) for x in sel.lines] == [(1, 30_000)]  # 0.1% of ¥300,000 = ¥300


def test_jilin_interest_and_premium_subsidy_within_caps():
    e = Event(
        "J1", "pledge", (), 10_000_000_00, interest_paid_fen=60_000_000, premium_paid_fen=1_000_000,
        filed=True, parties={"enterprise": sme(region="220102")},
    )  # fmt: skip
    sel = select(JL, [e], ("22",), History())
    # 50% of ¥600,000 interest = ¥300,000 -> the ¥200,000 per-loan cap; 50% of ¥10,000 premium = ¥5,000
    assert sorted((x.rule, x.amount_fen) for x in sel.lines) == [
        ("interest_subsidy", 20_000_000),
        ("premium_subsidy", 500_000),
    ]


def _grouped(amount_a: int, amount_b: int) -> dict:
    d = copy.deepcopy(presets.CQ_TRANSFER_LICENCE)
    d["rules"] = [
        {"code": "a", "label": "A", "event": "transfer", "basis": "per_deal", "beneficiaries": ["enterprise"],
         "amount_fen": amount_a, "group": "g"},
        {"code": "b", "label": "B", "event": "transfer", "basis": "per_deal", "beneficiaries": ["enterprise"],
         "amount_fen": amount_b, "group": "g"},
    ]  # fmt: skip
    return d


def test_highest_of_a_group_is_paid_and_a_claimed_group_is_held():
    scheme = scheme_from_dict(_grouped(300_000, 500_000))
    sel = select(scheme, [ev("G", "transfer", 1)], REGION, History())
    assert [(x.rule, x.amount_fen) for x in sel.lines] == [("b", 500_000)]
    assert [(s.line.rule, s.by_rule) for s in sel.superseded] == [("a", "b")]
    # "a" was paid earlier (e.g. under the old version): the group is one support, "b" is not paid on top
    sel = select(scheme, [ev("G", "transfer", 1)], REGION, History(claimed=frozenset({("G", "a", 2)})))
    assert sel.lines == () and sorted((x.line.rule, x.reason) for x in sel.holds) == [
        ("a", "already_claimed"),
        ("b", "already_claimed"),
    ]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(1, 10**7), min_size=1, max_size=6))
def test_group_pays_exactly_the_highest(amounts):
    d = copy.deepcopy(presets.CQ_TRANSFER_LICENCE)
    d["rules"] = [
        {"code": f"r{i}", "label": "R", "event": "transfer", "basis": "per_deal", "beneficiaries": ["enterprise"],
         "amount_fen": a, "group": "g"}
        for i, a in enumerate(amounts)
    ]  # fmt: skip
    sel = select(scheme_from_dict(d), [ev("G", "transfer", 1)], REGION, History())
    assert [x.amount_fen for x in sel.lines] == [max(amounts)]
    assert sel.lines[0].rule == f"r{amounts.index(max(amounts))}"  # ties: the earlier rule
    assert len(sel.superseded) == len(amounts) - 1


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.integers(1, 40), st.integers(0, 10**9), max_size=30),
    st.one_of(st.none(), st.integers(0, 10**8)),
    st.one_of(st.none(), st.integers(0, 10**9)),
    st.dictionaries(st.integers(1, 40), st.integers(0, 10**8), max_size=10),
    st.integers(0, 10**9),
)
def test_totals_never_exceed_the_unit_cap_or_the_pool(claims, cap, pool, before, used):
    scheme = scheme_from_dict({**presets.CQ_TRANSFER_LICENCE, "unit_cap_fen": cap, "pool_fen": pool})
    alloc = allocate(scheme, claims, History(paid_by_unit=before, pool_used_fen=used))
    for a in alloc.awards:
        assert 0 <= a.paid_fen <= a.capped_fen <= a.claimed_fen == claims[a.entity_id]
        if cap is not None:
            assert before.get(a.entity_id, 0) + a.paid_fen <= max(cap, before.get(a.entity_id, 0))
    if pool is not None:
        assert alloc.total_paid_fen <= max(pool - used, 0)
        if alloc.scaled:
            assert alloc.total_paid_fen == max(pool - used, 0)
    if not alloc.scaled:
        assert alloc.total_paid_fen == alloc.total_capped_fen


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.integers(1, 50), st.integers(0, 10**9), max_size=30), st.integers(0, 10**9))
def test_allocate_pool_never_exceeds_and_sums(claims, pool):
    out = allocate_pool(claims, pool)
    total = sum(claims.values())
    assert all(0 <= out[e] <= claims[e] for e in claims)
    assert sum(out.values()) == (total if total <= pool else pool)
    if total > pool:
        for e, c in claims.items():  # within one fen of the exact share
            assert abs(out[e] * total - c * pool) < total


def test_every_preset_round_trips_through_its_stored_form():
    for d in presets.PRESETS.values():
        assert scheme_to_dict(scheme_from_dict(d)) == {**scheme_to_dict(scheme_from_dict(d))}
        assert scheme_from_dict(scheme_to_dict(scheme_from_dict(d))) == scheme_from_dict(d)


def test_bad_definition_reports_every_error_at_once():
    bad = {
        "name": "",
        "pool_fen": -1,
        "rules": [
            {"code": "x", "label": "", "event": "gift", "basis": "contract_pct", "beneficiaries": ["nobody"],
             "rate_ppm": 2_000_000},
            {"code": "x", "label": "利息", "event": "transfer", "basis": "interest_pct", "beneficiaries": ["enterprise"],
             "rate_ppm": 10},
            {"code": "y", "label": "定额", "event": "licence", "basis": "per_patent", "beneficiaries": ["supplier"]},
        ],
    }  # fmt: skip
    with pytest.raises(SchemeInvalid) as exc:
        scheme_from_dict(bad)
    fields = [f for f, _zh, _en in exc.value.errors]
    assert fields == [
        "name",
        "pool_fen",
        "rules[0].label",
        "rules[0].event",
        "rules[0].rate_ppm",
        "rules[0].beneficiaries",
        "rules[1].code",
        "rules[1].basis",
        "rules[2].amount_fen",
    ]
    assert "第3条规则" in exc.value.errors[-1][1]


def test_percent_text():
    assert (
        parse_percent_ppm("0.1") == 1_000
        and parse_percent_ppm("0.01%") == 100
        and parse_percent_ppm("50") == 500_000
    )
    assert format_ppm(1_000) == "0.1%" and format_ppm(100) == "0.01%" and format_ppm(500_000) == "50%"
    for bad in ("abc", "1.23456", "-1", "1.2.3"):
        with pytest.raises(ValueError):
            parse_percent_ppm(bad)
