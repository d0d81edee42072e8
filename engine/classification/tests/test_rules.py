import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.classification.ipc import IpcError, normalise_ipc
from engine.classification.revision import revise
from engine.classification.rules import (
    Rule,
    RuleSet,
    compile_rules,
    parse_pattern,
    split_keywords,
    split_patterns,
)


def test_wildcard_main_group_covers_subgroups_not_neighbours() -> None:
    p = parse_pattern("B60K6*")
    assert p.matches("B60K6/00")
    assert p.matches("B60K6/20")
    assert p.matches("B60K6/445")
    assert not p.matches("B60K60/00")
    assert not p.matches("B60K16/00")


def test_wildcard_subgroup_prefix() -> None:
    p = parse_pattern("H01L31/08*")
    assert p.matches("H01L31/08")
    assert p.matches("H01L31/0805")
    assert not p.matches("H01L31/09")
    assert not p.matches("H01L31/00")


def test_wide_patterns() -> None:
    assert parse_pattern("H01L*").matches("H01L21/02")
    assert parse_pattern("H01*").matches("H01M10/0525")
    assert not parse_pattern("H01*").matches("H02J7/00")
    assert parse_pattern("H*").matches("H10D30/00")


def test_exact_edition_versus_trailing_subgroup_semantics() -> None:
    group = parse_pattern("G06F16/00")
    assert group.matches("G06F16/30", exact_codes=False)
    assert not group.matches("G06F16/30", exact_codes=True)
    assert group.matches("G06F16/00", exact_codes=True)
    sub = parse_pattern("G06N3/08")
    assert sub.matches("G06N3/08")
    assert not sub.matches("G06N3/084")
    subclass = parse_pattern("H03J")
    assert subclass.matches("H03J1/00", exact_codes=False)
    assert not subclass.matches("H03J1/00", exact_codes=True)
    assert subclass.matches("H03J", exact_codes=True)


def test_exclusion_removes_codes() -> None:
    patterns, excl = split_patterns("H01L31*(不含H01L31/08*)、H02S*")
    assert patterns == ["H01L31*", "H02S*"]
    assert excl == ["H01L31/08*"]
    rule = Rule(parse_pattern("H01L31*"), "3825", exclusions=(parse_pattern("H01L31/08*"),))
    rs = RuleSet("t", [rule])
    assert rs.candidates("H01L31/04") == (0,)
    assert rs.candidates("H01L31/0805") == ()
    assert rs.naive_candidates("H01L31/0805") == ()


def test_keyword_conditions() -> None:
    rules = [
        Rule(parse_pattern("B60L*"), "3612", "新能源车整车制造", include_keywords=("电动", "新能源")),
        Rule(parse_pattern("B60L*"), "3670", "汽车零部件", exclude_keywords=("燃料汽车",)),
    ]
    rs = RuleSet("t", rules)
    with_kw = rs.classify(["B60L53/00"], "一种电动汽车充电桩")
    assert [h.code for h in with_kw] == ["3612", "3670"]
    without = rs.classify(["B60L53/00"], "一种车辆座椅")
    assert [h.code for h in without] == ["3670"]
    excluded = rs.classify(["B60L53/00"], "燃料汽车的电动辅助")
    assert [h.code for h in excluded] == ["3612"]
    no_text = rs.classify(["B60L53/00"], None)
    assert [(h.code, h.confidence) for h in no_text] == [("3670", 1.0), ("3612", 0.5)]


def test_many_to_many_and_noisy_or() -> None:
    rs = compile_rules("t", [("G06N*", "6513", "应用软件开发"), ("G06N3*", "6520", "集成电路设计")])
    hits = rs.classify(["G06N3/08", "G06N5/02"])
    assert [(h.code, h.confidence) for h in hits] == [("6513", 1.0), ("6520", 1.0)]
    hits = rs.classify(["G06F1/00", "G06N5/02"])
    assert [(h.code, h.confidence) for h in hits] == [("6513", 0.7)]


def test_broadening_to_main_group_and_subclass_vote() -> None:
    rs = compile_rules(
        "sei", [("H10D30/00", "1.2", "电子核心产业"), ("H10D84/00", "1.2", "电子核心产业")], exact_codes=True
    )
    assert [(h.code, h.confidence) for h in rs.classify(["H10D30/60"])] == [("1.2", 0.8)]
    hits = rs.classify(["H10D"])
    assert [(h.code, h.confidence) for h in hits] == [("1.2", 0.5)]
    assert rs.classify(["H10D"], broaden=False) == []


@pytest.mark.parametrize("raw", ["", "H01L*3", "X01B1/00", "H01L0/00", "G06F16/x"])
def test_bad_patterns_are_reported(raw: str) -> None:
    with pytest.raises(IpcError) as err:
        parse_pattern(raw)
    assert err.value.message_zh and err.value.message_en


def test_keywords_split() -> None:
    assert split_keywords("电动汽车、混合动力，燃料电池等") == ["电动汽车", "混合动力", "燃料电池"]


def test_historic_h01l_maps_into_h10() -> None:
    known = {"H10F", "H10D", "H10H", "G06N3/08", "G06N3/00", "G06N"}
    r = revise("H01L31/18", known)
    assert (r.current, r.historic, r.via) == ("H10F", True, "revision-table")
    assert revise("H01L33/50", known).current == "H10H"
    assert revise("H01L99/00", known).current == "H10D"
    assert revise("G06N3/08", known).historic is False
    assert revise("G06N3/99", known).current == "G06N3/00"
    assert revise("Z", known).via == "unknown"


# --- property: the compiled index answers exactly what a scan of every rule answers -------------------
_sub = st.sampled_from(["G06F", "G06N", "H01L", "H01M", "B60K"])
_group = st.integers(min_value=1, max_value=40)
_subg = st.sampled_from(["00", "02", "08", "0805", "10", "12", "20", "445"])
codes = st.builds(lambda s, g, d: f"{s}{g}/{d}", _sub, _group, _subg)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["wide", "group", "groupstar", "sub", "substar"]))
    s, g, d = draw(_sub), draw(_group), draw(_subg)
    return {
        "wide": s + draw(st.sampled_from(["", "*"])),
        "group": f"{s}{g}/00",
        "groupstar": f"{s}{g}*",
        "sub": f"{s}{g}/{d}",
        "substar": f"{s}{g}/{d[:2]}*",
    }[kind]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(patterns(), st.lists(patterns(), max_size=2)), min_size=1, max_size=30),
    st.lists(codes, min_size=1, max_size=20),
    st.booleans(),
)
def test_compiled_index_equals_naive_scan(
    rows: list[tuple[str, list[str]]], probe: list[str], exact: bool
) -> None:
    rules = [
        Rule(parse_pattern(p), f"C{i % 7}", exclusions=tuple(parse_pattern(x) for x in ex))
        for i, (p, ex) in enumerate(rows)
    ]
    rs = RuleSet("t", rules, exact_codes=exact)
    for code in probe:
        code = normalise_ipc(code)
        assert rs.candidates(code) == rs.naive_candidates(code)
    assert rs.classify(probe) == rs.classify(probe, naive=True)


def test_group_guess_from_title_within_subclass() -> None:
    from engine.classification.guess import GroupGuesser

    g = GroupGuesser(
        {
            "G06N3/00": "基于生物学模型的计算机系统 神经网络 学习方法",
            "G06N5/00": "利用知识库模型的计算机系统 推理",
            "H02J7/00": "用于电池组的充电或去极化 神经网络",
        }
    )
    assert g.guess("G06N", "一种神经网络的学习方法")[0] == "G06N3/00"  # type: ignore[index]
    assert g.guess("G06N", "一种车辆座椅") is None
    assert g.guess("H02J", "神经网络")[0] == "H02J7/00"  # type: ignore[index]
