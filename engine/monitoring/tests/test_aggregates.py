"""engine.monitoring.aggregates: exact sums per region prefix, both sides, distinct sets, recordal only on licences."""

from __future__ import annotations

from datetime import date

from engine.monitoring.aggregates import (
    DealFacts,
    DistinctMetric,
    accumulate_deals,
    accumulate_inventory,
    accumulate_responses,
    institution_years,
    response_figures,
)


def prefixes(code: str) -> list[str]:
    return list(dict.fromkeys(["", code[:2], code[:4]]))  # "" (national), province, city


def facts(
    pk: int, kind: str, *, ent: int | None, patents: tuple[int, ...], recorded: bool = False, fen: int = 100
):
    return DealFacts(
        id=pk,
        kind=kind,
        on=date(2026, 3, 10),
        contract_fen=fen,
        received_fen=fen // 2,
        holder_id=1,
        holder_region="500107",
        from_institution=True,
        enterprise_id=ent,
        enterprise_region="510100" if ent else "",
        enterprise_sme=ent is not None,
        patent_ids=patents,
        patent_type="invention",
        licence_recorded=recorded,
    )


def test_deals_sum_on_both_sides_at_every_prefix():
    rows = [
        facts(1, "licence", ent=7, patents=(10, 11), recorded=True, fen=12345),
        facts(
            2, "transfer", ent=7, patents=(11,), recorded=True, fen=-5
        ),  # recordal flag ignored: not a licence
        facts(3, "pledge", ent=None, patents=(12,)),
    ]
    sums = accumulate_deals(
        rows,
        industries={10: [("sei", "1.1")], 11: [("sei", "1.1"), ("gbt4754", "65")]},
        metrics=[
            DistinctMetric("smes_served", ("licence", "transfer"), False, True, "ents"),
            DistinctMetric("licensed_patents", ("licence",), False, False, "patents"),
        ],
        recorded_kinds=("licence",),
        prefixes=prefixes,
        bimonth_of=lambda d: (d.month + 1) // 2,
    )
    assert sums.by_region[("S", "50", 2026, 2, "licence", "invention", True, True, True)] == [
        1,
        2,
        12345,
        6172,
    ]
    assert sums.by_region[("E", "5101", 2026, 2, "transfer", "invention", True, True, False)] == [
        1,
        1,
        -5,
        -3,
    ]
    assert (
        "E",
        "",
        2026,
        2,
        "pledge",
        "invention",
        True,
        False,
        False,
    ) not in sums.by_region  # no enterprise side
    assert sums.by_sub_region[("S", "50", "5001", 2026, 2)] == [3, 12345 - 5 + 100, 6172 - 3 + 50]
    assert sums.by_industry[("S", "", 2026, "sei", "1.1")] == [2, 3]
    assert sums.by_industry[("E", "51", 2026, "gbt4754", "65")] == [2, 2]
    assert sums.distinct[("S", "", 2026, "smes_served")] == {7}
    assert sums.distinct[("E", "5101", 2026, "licensed_patents")] == {10, 11}
    assert institution_years(sums.by_institution) == {
        (1, "500107", 2026): [3, 12345 - 5 + 100, 6172 - 3 + 50]
    }


def test_inventory_and_responses():
    inv, insts = accumulate_inventory(
        [(1, "500107", "invention", (3, 2)), (2, "500108", "invention", (1, 1))], prefixes=prefixes, width=2
    )
    assert inv[("50", "invention")] == [4, 3] and insts[("50", "invention")] == {1, 2}
    assert inv[("5001", "invention")] == [4, 3]
    by_prefix, by_inst = accumulate_responses([(1, "50", 2026, 30), (2, "50", 2026, 10)], prefixes=prefixes)
    assert response_figures(by_prefix[("50", 2026)]) == (2, 40, 30)  # upper median
    assert by_inst == {(1, 2026): [30], (2, 2026): [10]}
