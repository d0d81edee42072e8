from __future__ import annotations

from datetime import date

from engine.monitoring.anomaly import DealFact, PartyFact, Thresholds, run_rules

UNI = PartyFact(1, "甲大学", "university", "大学路1号", "校长")
B = PartyFact(2, "乙公司", "enterprise", "科技路8号", "王五", ("3914",))
C = PartyFact(3, "丙公司", "enterprise", "科技路 8 号", "赵六", ("3914",))
D = PartyFact(4, "丁公司", "enterprise", "别处", "王五", ("3914",))
E = PartyFact(5, "戊公司", "enterprise", "某地", "某人", ("3914",))
AS_OF = date(2026, 11, 1)


def fact(
    i, seller=UNI, buyer=B, kind="transfer", on=date(2026, 1, 1), amount=100_000_00, received=100_000_00, **kw
):
    return DealFact(i, kind, (i,), (f"K{i}",), seller, buyer, on, amount, received, **kw)


def rules(facts, **t):
    return sorted({c.rule for c in run_rules(facts, as_of=AS_OF, thresholds=Thresholds(**t))})


def test_clean_deals_raise_nothing():
    facts = [
        fact(1),
        fact(2, buyer=C, kind="licence", filed_on=date(2026, 2, 1), tech_contract_registered=True),
    ]
    assert run_rules(facts, as_of=AS_OF) == []


def test_retransfer_a_b_a():
    f1 = DealFact(1, "transfer", (7,), ("K7",), UNI, B, date(2026, 1, 1), 100_000_00, 100_000_00)
    f2 = DealFact(2, "transfer", (7,), ("K7",), B, UNI, date(2026, 2, 1), 100_000_00, 100_000_00)
    cases = run_rules([f1, f2], as_of=AS_OF)
    assert [(c.rule, c.deal_ids, c.patents) for c in cases] == [("retransfer", (1, 2), ("K7",))]
    assert cases[0].evidence["returned_to_origin"] is True and cases[0].confidence == 0.9
    # same two transfers two years apart: outside the window
    f2_late = DealFact(2, "transfer", (7,), ("K7",), B, UNI, date(2028, 2, 1), 100_000_00, 100_000_00)
    assert [c.rule for c in run_rules([f1, f2_late], as_of=date(2028, 3, 1))] == []


def test_bulk_to_related_buyers():
    facts = [
        fact(i, buyer=[B, C, D][i % 3]) for i in range(1, 13)
    ]  # shared address (B,C) and legal rep (B,D)
    cases = [c for c in run_rules(facts, as_of=AS_OF) if c.rule == "bulk_buyer"]
    assert len(cases) == 1 and len(cases[0].patents) == 12 and cases[0].evidence["related_buyers"] is True
    assert rules([fact(i, buyer=[B, E][i % 2]) for i in range(1, 13)]) == []  # 6 + 6 to unrelated buyers


def test_bulk_before_hnte_application_is_more_confident():
    hb = PartyFact(2, "乙公司", "enterprise", "x", "y", (), hnte_applied_on=date(2026, 3, 1))
    plain = run_rules([fact(i) for i in range(1, 11)], as_of=AS_OF)[0]
    hnte = run_rules([fact(i, buyer=hb) for i in range(1, 11)], as_of=AS_OF)[0]
    assert hnte.confidence > plain.confidence and hnte.evidence["hnte_applied_on"] == ["2026-03-01"]


def test_token_price_and_unpaid():
    assert rules([fact(1, amount=100, received=100)]) == ["token_price"]
    assert rules([fact(1, amount=101, received=101)]) == []
    assert rules([fact(1, amount=5_000_00, received=0, on=date(2026, 1, 1))]) == ["unpaid"]
    assert (
        rules([fact(1, amount=5_000_00, received=0, on=date(2026, 10, 1))]) == []
    )  # within the grace period


def test_inventor_change_and_licence_unregistered():
    assert rules([fact(1, inventors_before=("张三", "李四"), inventors_after=("张三", "王五"))]) == [
        "inventor_change"
    ]
    assert rules([fact(1, inventors_before=("张三",), inventors_after=("张三",))]) == []
    lic = fact(1, kind="licence", received=0, amount=200_00, filed_on=date(2026, 1, 10))
    assert "licence_unregistered" in rules([lic])
    assert "licence_unregistered" not in rules(
        [fact(1, kind="licence", received=0, filed_on=date(2026, 1, 10), tech_contract_registered=True)]
    )


def test_industry_mismatch():
    assert rules([fact(1, patent_industry_codes=("0111",))]) == ["industry_mismatch"]
    assert rules([fact(1, patent_industry_codes=("3912", "0111"))]) == []


def test_thresholds_are_configurable():
    assert rules([fact(1, amount=500, received=500)], token_price_fen=1000) == ["token_price"]
    assert Thresholds.from_dict({"bulk_min_patents": "3", "nope": 1}).bulk_min_patents == 3


def test_pay_after_use_licence_follows_its_schedule_not_the_signing_date():
    # signed long ago, nothing received: on f61d24e this was "unpaid" although nothing was due yet
    after_use = dict(kind="licence", amount=5_000_00, received=0, on=date(2025, 1, 1), pay_after_use=True)
    assert rules([fact(1, **after_use)]) == []
    assert rules([fact(1, schedule=((date(2026, 9, 1), 2_000_00),), **after_use)]) == []  # due, within grace
    overdue = fact(1, schedule=((date(2025, 6, 1), 2_000_00), (date(2026, 9, 1), 3_000_00)), **after_use)
    cases = run_rules([overdue], as_of=AS_OF)
    assert [(c.rule, c.evidence["due_fen"], c.evidence["pay_after_use"]) for c in cases] == [
        ("unpaid", 2_000_00, True)
    ]
    paid = fact(1, **{**after_use, "received": 2_000_00}, schedule=((date(2025, 6, 1), 2_000_00),))
    assert rules([paid]) == []
