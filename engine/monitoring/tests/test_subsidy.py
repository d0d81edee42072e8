from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.monitoring.subsidy import CQ_PLEDGE, CQ_TRANSFER_LICENCE, SubsidyEvent, allocate_pool, compute


def ev(ref, kind, amount=0, seller=1, buyer=2, ptype="invention"):
    return SubsidyEvent(ref, kind, ptype, amount, {"seller": seller, "buyer": buyer})


def test_invention_transfer_pays_each_side_4000_yuan():
    r = compute(CQ_TRANSFER_LICENCE, [ev("D1", "transfer", 10_000_00)])
    assert [(a.entity_id, a.paid_fen) for a in r.awards] == [(1, 400_000), (2, 400_000)]
    # a utility-model transfer earns nothing under rule 1
    assert compute(CQ_TRANSFER_LICENCE, [ev("D2", "transfer", 1, ptype="utility")]).awards == ()


def test_licence_filing_and_amount_above_5m():
    # ¥8,000,000 licence: ¥1,000 each side + 0.01% of ¥8m = ¥800 to the licensee
    r = compute(CQ_TRANSFER_LICENCE, [ev("L1", "licence", 800_000_000)])
    assert {a.entity_id: a.paid_fen for a in r.awards} == {1: 100_000, 2: 100_000 + 80_000}
    # exactly ¥5m is not "超过": no rate part
    r = compute(CQ_TRANSFER_LICENCE, [ev("L2", "licence", 500_000_000)])
    assert {a.entity_id: a.paid_fen for a in r.awards} == {1: 100_000, 2: 100_000}


def test_entity_cap_100k_yuan():
    events = [
        ev(f"D{i}", "transfer", 1, seller=1, buyer=100 + i) for i in range(30)
    ]  # seller: 30 × ¥4,000 = ¥120,000
    r = compute(CQ_TRANSFER_LICENCE, events)
    seller = next(a for a in r.awards if a.entity_id == 1)
    assert (seller.claimed_fen, seller.capped_fen) == (12_000_000, 10_000_000)
    assert r.total_capped_fen == 10_000_000 + 30 * 400_000
    assert not r.scaled


def test_pool_pro_rata_exact_in_fen():
    # 200 buyers × ¥4,000 + seller capped at ¥100,000 = ¥900,000 > pool ¥500,000
    events = [ev(f"D{i}", "transfer", 1, seller=1, buyer=100 + i) for i in range(200)]
    r = compute(CQ_TRANSFER_LICENCE, events)
    assert r.scaled and r.total_capped_fen == 90_000_000
    assert r.total_paid_fen == 50_000_000
    paid = {a.entity_id: a.paid_fen for a in r.awards}
    assert paid[1] == 10_000_000 * 5 // 9 or paid[1] == 10_000_000 * 5 // 9 + 1
    assert all(222_222 <= paid[100 + i] <= 222_223 for i in range(200))


def test_pledge_rate_cap_and_pool():
    events = [
        SubsidyEvent(f"P{i}", "pledge", "", 300_000_000_00, {"buyer": i}) for i in range(4)
    ]  # ¥300m each
    r = compute(CQ_PLEDGE, events)
    # 0.1% of ¥300m = ¥300,000 -> capped at ¥200,000 each -> ¥800,000 > pool ¥600,000 -> ¥150,000 each
    assert [a.capped_fen for a in r.awards] == [20_000_000] * 4
    assert [a.paid_fen for a in r.awards] == [15_000_000] * 4


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.integers(1, 50), st.integers(0, 10**9), max_size=30), st.integers(0, 10**9))
def test_allocate_pool_never_exceeds_and_sums(claims, pool):
    paid = allocate_pool(claims, pool)
    total = sum(claims.values())
    assert all(0 <= paid[e] <= claims[e] for e in claims)
    assert sum(paid.values()) == (total if total <= pool else pool)
    if total > pool:
        for e, c in claims.items():  # within one fen of the exact share
            assert abs(paid[e] * total - c * pool) < total
