"""The columnar figures equal `analyse` / `facet_ids` on the same patents, whatever the rows hold."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.landscape.analysis import LandscapeRow, analyse, facet_ids, main_group
from engine.landscape.columns import FactTable, Vocabs, analyse_table, facet_positions
from engine.landscape.holders import holder_type

CODES = [
    "H01M",
    "H01M10/00",
    "H01M10/052",
    "H01M10/0525",
    "H01M4/00",
    "H01M4/13",
    "G06F16/35",
    "G06F16/00",
    "B60L",
]
HOLDERS = ["甲大学", "乙研究院", "丙科技有限公司", "张三", "李四", "重庆市人民医院", "ABCCO.,LTD", "丁学院"]
INVENTORS = ["王五", "赵六", "钱七", "孙八", "周九", "吴十", "", "王 五"]
INDUSTRIES = ["C38", "C39", "I65"]
KINDS = ["university", "institute", "enterprise", "individual", "other"]
FACETS = [
    "app_year",
    "grant_year",
    "type",
    "status",
    "holder",
    "holder_type",
    "ipc",
    "industry",
    "team",
    "region",
]


@st.composite
def fact_rows(draw, max_rows=25):
    n = draw(st.integers(0, max_rows))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    rows = []
    for pid in ids:
        app = draw(st.none() | st.integers(2000, 2024))
        grant = draw(st.none() | st.integers(app or 2000, 2024))
        rows.append(
            [
                pid,
                app,
                grant,
                draw(st.sampled_from(["invention", "utility", "design"])),
                draw(st.sampled_from(["valid", "expired", "pending"])),
                draw(st.lists(st.sampled_from(CODES), max_size=4)),
                draw(st.lists(st.sampled_from(HOLDERS), max_size=3, unique=True)),
                draw(st.lists(st.sampled_from(INVENTORS), max_size=6)),
                draw(st.lists(st.sampled_from(INDUSTRIES), max_size=3)),
            ]
        )
    return rows


known_types = st.dictionaries(st.sampled_from([*HOLDERS, "无关单位"]), st.sampled_from(KINDS), max_size=4)


def landscape_row(fact, inside=True):
    """The row as panhuo's scope_rows_status builds it from a fact."""
    pid, app, grant, ptype, status, codes, holders, inventors, industries = fact
    groups = tuple(dict.fromkeys(main_group(c) for c in codes))
    return LandscapeRow(
        pid, app, grant, ptype, status, groups, tuple(holders), tuple(inventors), tuple(industries), inside
    )


def assert_same_figures(table, rows, known, **options):
    assert table.rows() == rows
    figures = analyse_table(table, known_holder_types=known, **options)
    assert figures == analyse(rows, known_holder_types=known, **options)
    json.dumps(figures)  # plain Python values only


@settings(deadline=None)
@given(fact_rows(), known_types, st.integers(1, 20), st.integers(1, 4))
def test_figures_equal_analyse(facts, known, top, recent):
    table = FactTable.from_rows(facts)
    assert_same_figures(table, [landscape_row(f) for f in facts], known, top=top, recent_years=recent)


@settings(deadline=None)
@given(fact_rows(), known_types, st.data())
def test_take_with_inside_and_holders_equal_analyse(facts, known, data):
    table = FactTable.from_rows(facts)
    positions = data.draw(st.lists(st.integers(0, max(len(facts) - 1, 0)), max_size=len(facts)))
    positions = positions if facts else []
    part = table.take(np.array(positions, dtype=np.int64))
    expected = [landscape_row(facts[p]) for p in positions]
    assert_same_figures(part, expected, known, top=3)

    inside = data.draw(st.lists(st.booleans(), min_size=len(positions), max_size=len(positions)))
    part = part.with_inside(np.array(inside, dtype=bool))
    expected = [landscape_row(facts[p], flag) for p, flag in zip(positions, inside, strict=True)]
    assert_same_figures(part, expected, known)

    replaced = data.draw(
        st.dictionaries(
            st.sampled_from(range(len(positions))) if positions else st.nothing(),
            st.lists(st.sampled_from([*HOLDERS, "新单位"]), max_size=4),
        )
    )
    changed = part.with_holders(replaced)
    expected = [
        replace(r, holders=tuple(dict.fromkeys(replaced[i]))) if i in replaced else r
        for i, r in enumerate(expected)
    ]
    assert_same_figures(changed, expected, known, top=2)
    assert part.rows() == [landscape_row(facts[p], flag) for p, flag in zip(positions, inside, strict=True)]


@settings(deadline=None)
@given(fact_rows(max_rows=12), fact_rows(max_rows=12), known_types)
def test_concat_equals_analyse_of_both(first, second, known):
    vocabs = Vocabs()
    a = FactTable.from_rows(first, vocabs)
    b = FactTable.from_rows(second, vocabs).with_inside(np.zeros(len(second), dtype=bool))
    rows = [landscape_row(f) for f in first] + [landscape_row(f, False) for f in second]
    assert_same_figures(a.concat(b), rows, known)
    assert_same_figures(FactTable.empty(vocabs).concat(a), rows[: len(first)], known)


@settings(deadline=None)
@given(fact_rows(), known_types, st.data())
def test_facet_positions_equal_facet_ids(facts, known, data):
    table = FactTable.from_rows(facts)
    rows = [landscape_row(f) for f in facts]
    values = {
        "app_year": ["2003", "2020", "未知", "", "unknown", "0", "abc", "99999999999"],
        "grant_year": ["2010", "2024", "未知", "0"],
        "type": ["invention", "design", "none"],
        "status": ["valid", "pending", "x"],
        "holder": [*HOLDERS, "无"],
        "holder_type": [*KINDS, "x"],
        "ipc": [main_group(c) for c in CODES] + ["H01M10/052"],
        "industry": [*INDUSTRIES, "C40"],
        "team": [*INVENTORS, "无名"],
        "region": ["inside", "outside", ""],
        "nonsense": ["x"],
    }
    for facet, options in values.items():
        value = data.draw(st.sampled_from(options))
        got = facet_positions(table, facet, value, known_holder_types=known)
        assert got == facet_ids(rows, facet, value, known_holder_types=known), (facet, value)


@settings(deadline=None)
@given(
    fact_rows(),
    st.lists(st.sampled_from(["H01M", "H01M10/", "H01M4/13", "G06F16/35", "B"]), max_size=3).map(tuple),
    st.sets(st.sampled_from(KINDS)),
    st.dictionaries(st.sampled_from(HOLDERS), st.sampled_from([*KINDS, ""]), max_size=4),
)
def test_scope_masks_equal_the_python_filters(facts, prefixes, wanted, known):
    table = FactTable.from_rows(facts)
    codes = [any(c.startswith(prefixes) for c in f[5]) for f in facts]
    assert table.code_mask(prefixes).tolist() == codes
    kept = [bool(wanted & {known.get(h) or holder_type(h).value for h in f[6]}) for f in facts]
    assert table.holder_type_mask(wanted, known).tolist() == kept


def test_a_consortium_list_makes_no_team_and_repeated_names_count_once():
    crowd = [f"成员{i:02d}" for i in range(31)]
    facts = [
        [1, 2020, None, "invention", "valid", ["H01M10/052"], ["甲大学"], crowd, []],
        [2, 2020, None, "invention", "valid", ["H01M10/052"], ["甲大学"], crowd, []],
        [3, 2021, None, "invention", "valid", ["H01M"], [], ["王五", "王五", "赵六"], []],
        [4, 2022, 2023, "utility", "valid", [], ["乙研究院"], ["赵六", "王五", ""], ["C38"]],
        [5, None, None, "utility", "valid", [], [], ["王五", "王五"], []],
    ]
    rows = [landscape_row(f) for f in facts]
    table = FactTable.from_rows(facts)
    figures = analyse_table(table)
    assert figures == analyse(rows)
    assert [t["members"] for t in figures["teams"]] == [["王五", "赵六"]]
    assert facet_positions(table, "team", "赵六") == facet_ids(rows, "team", "赵六") == [3, 4]


def generated_facts(count, seed=7):
    """Fact rows shaped like a real scope: a few hundred holders, thousands of inventors, recurring teams."""
    rng = random.Random(seed)
    holders = [f"单位{i}有限公司" for i in range(300)] + [f"第{i}大学" for i in range(60)] + ["张三", "李四"]
    people = [f"发明人{i}" for i in range(4000)]
    codes = [f"H01M{g}/{s:02d}" for g in (2, 4, 10, 50) for s in range(0, 60, 3)] + ["G06F16/35", "B60L"]
    facts = []
    for pid in range(1, count + 1):
        app = rng.choice([None] + list(range(2005, 2025)) * 5)
        team = rng.randrange(799) * 5
        facts.append(
            [
                pid,
                app,
                rng.choice([None, (app or 2010) + rng.randrange(4)]),
                rng.choice(["invention", "utility", "design"]),
                rng.choice(["valid", "expired", "pending"]),
                rng.sample(codes, rng.randrange(0, 4)),
                rng.sample(holders, rng.choice([0, 1, 1, 1, 2, 3])),
                [people[team + rng.randrange(8)] for _ in range(rng.randrange(0, 6))],
                sorted(rng.sample(["C38", "C39", "I65", "C40"], rng.randrange(0, 3))),
            ]
        )
    return facts


def test_a_scope_of_65000_patents_equals_analyse():
    facts = generated_facts(65_000)
    known = {"单位1有限公司": "institute", "第3大学": "university", "张三": "other"}
    table = FactTable.from_rows(facts)
    rows = [landscape_row(f) for f in facts]
    assert analyse_table(table, known_holder_types=known) == analyse(rows, known_holder_types=known)
    every_other = np.arange(0, 65_000, 2)[::-1]
    assert analyse_table(table.take(every_other)) == analyse([rows[i] for i in every_other])


def test_warm_vocabs_give_the_same_figures():
    facts = generated_facts(2_000, seed=11)
    table = FactTable.from_rows(facts)
    table.vocabs.warm()
    assert analyse_table(table) == analyse([landscape_row(f) for f in facts])
