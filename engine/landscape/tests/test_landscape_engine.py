"""Landscape computations on hand-made rows: exact counts, concentration, growth, teams, clusters."""

from __future__ import annotations

import numpy as np

from engine.landscape import (
    UNKNOWN_YEAR,
    HolderType,
    LandscapeRow,
    analyse,
    cluster_vectors,
    concentration,
    describe_clusters,
    facet_ids,
    growth_series,
    holder_type,
    normalise_holder,
    term_vectors,
)
from engine.landscape.analysis import teams
from engine.landscape.clusters import characteristic_terms, choose_k
from engine.landscape.holders import holders_of
from engine.landscape.metrics import new_entrants, window_growth


def row(
    pid, year, *, grant=None, holders=("甲大学",), inventors=(), ipc=("H01M10/00",), t="invention", s="valid"
):
    return LandscapeRow(pid, year, grant, t, s, tuple(ipc), tuple(holders), tuple(inventors))


def test_normalise_holder_variants_are_one_name():
    assert normalise_holder("重庆 长安 汽车股份有限公司") == "重庆长安汽车股份有限公司"
    assert normalise_holder("ＡＢＣ科技有限责任公司") == "ABC科技有限公司"
    assert normalise_holder("abc科技有限公司") == "ABC科技有限公司"
    assert normalise_holder("重庆大学（材料学院）") == "重庆大学(材料学院)"
    assert normalise_holder("  ") == ""


def test_holders_are_patentees_else_applicants():
    assert holders_of(["甲有限责任公司", "甲有限公司"], ["乙大学"]) == ("甲有限公司",)
    assert holders_of([], ["乙大学", " 乙大学"]) == ("乙大学",)
    assert holders_of([""], []) == ()


def test_holder_type_from_name():
    assert holder_type("重庆大学") is HolderType.UNIVERSITY
    assert holder_type("中国科学院重庆绿色智能技术研究院") is HolderType.INSTITUTE
    assert holder_type("重庆某某研究院有限公司") is HolderType.ENTERPRISE
    assert holder_type("张三") is HolderType.INDIVIDUAL
    assert holder_type("重庆市人民医院") is HolderType.OTHER


def test_concentration_cr4_and_hhi():
    c = concentration([50, 30, 10, 5, 5])
    assert c.cr4 == 0.95
    assert c.hhi == 2500 + 900 + 100 + 25 + 25
    assert c.total == 100 and c.holders == 5
    assert concentration([]).hhi == 0.0


def test_growth_series_fills_missing_years_and_has_no_base_for_zero():
    series = growth_series({2019: 4, 2021: 6})
    assert series == [
        {"year": 2019, "count": 4, "growth_percent": None},
        {"year": 2020, "count": 0, "growth_percent": -100.0},
        {"year": 2021, "count": 6, "growth_percent": None},
    ]
    assert window_growth({2016: 1, 2017: 1, 2018: 2, 2019: 3, 2020: 3, 2021: 2}, last_year=2021) == 100.0
    assert new_entrants({"甲": 2015, "乙": 2020, "丙": 2021}, since=2020) == ["丙", "乙"]


def test_analyse_counts_each_patent_once_and_unknown_years():
    rows = [
        row(1, 2019, grant=2021, ipc=("H01M10/00", "H01M4/00"), holders=("甲大学", "乙有限公司")),
        row(2, 2019, ipc=("H01M10/00", "H01M10/00")),
        row(3, 2021, grant=2022, holders=("乙有限公司",), t="utility"),
        row(4, None, s="pending"),
    ]
    a = analyse(rows)
    assert a["patents"] == 4
    assert a["unknown_year"] == 1
    assert a["by_year"] == [
        {"year": 2019, "applications": 2, "grants": 0},
        {"year": 2020, "applications": 0, "grants": 0},
        {"year": 2021, "applications": 1, "grants": 1},
        {"year": 2022, "applications": 0, "grants": 1},
        {"year": UNKNOWN_YEAR, "applications": 1, "grants": 0},
    ]
    assert a["types"] == {"invention": 3, "utility": 1}
    assert a["statuses"] == {"pending": 1, "valid": 3}
    assert [(h["name"], h["patents"], h["share"], h["type"]) for h in a["holders"]] == [
        ("甲大学", 3, 0.6, "university"),
        ("乙有限公司", 2, 0.4, "enterprise"),
    ]
    assert a["concentration"] == {"cr4": 1.0, "hhi": 5200.0, "holder_patents": 5}
    assert a["ipc"] == [{"code": "H01M10/00", "patents": 4}, {"code": "H01M4/00", "patents": 1}]
    assert a["new_entrants_since"] == 2020 and a["new_entrants"] == []
    assert facet_ids(rows, "app_year", UNKNOWN_YEAR) == [4]
    assert facet_ids(rows, "app_year", "2019") == [1, 2]
    assert facet_ids(rows, "grant_year", "2022") == [3]
    assert facet_ids(rows, "holder", "乙有限公司") == [1, 3]
    assert facet_ids(rows, "holder_type", "enterprise") == [1, 3]
    assert facet_ids(rows, "ipc", "H01M10/00") == [1, 2, 3, 4]
    assert facet_ids(rows, "type", "utility") == [3]
    assert facet_ids(rows, "app_year", "x") == []
    assert facet_ids(rows, "nonsense", "1") == []


def test_teams_link_inventors_sharing_two_patents():
    rows = [
        row(1, 2020, inventors=("张三", "李四", "王五")),
        row(2, 2020, inventors=("张三", "李 四")),
        row(3, 2021, inventors=("李四", "王五")),
        row(4, 2021, inventors=("赵六", "钱七")),
        row(5, 2021, inventors=("王五", "孙八")),
    ]
    found = teams(rows)
    assert found[0]["members"] == ["李四", "王五", "张三"]  # 李四 and 王五 name 3 patents each, 张三 2
    assert found[0]["patents"] == 3 and found[0]["patent_ids"] == [1, 2, 3]
    assert len(found) == 1  # 赵六/钱七 share one patent only
    assert facet_ids(rows, "team", "王五") == [1, 2, 3]


def test_term_vectors_and_clusters_separate_two_topics():
    battery = ["锂电池", "正极", "电解液", "隔膜"]
    robot = ["机器人", "关节", "减速器", "伺服"]
    tokens = [battery[: 2 + i % 3] + ["材料"] for i in range(10)] + [
        robot[: 2 + i % 3] + ["材料"] for i in range(10)
    ]
    vectors = term_vectors(tokens, dim=64)
    assert vectors.shape == (20, 64)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    labels = cluster_vectors(vectors, 2, seed=1)
    assert len(set(labels[:10].tolist())) == 1 and len(set(labels[10:].tolist())) == 1
    assert labels[0] != labels[10]
    terms = characteristic_terms(labels, tokens)
    assert terms[int(labels[0])][:2] == ("正极", "锂电池")  # equal weight: name order
    assert "材料" not in terms[int(labels[0])][:2]
    years = [2015] * 10 + [2020, 2021, 2022, 2022, 2022, 2023, 2023, 2023, 2023, 2023]
    clusters = describe_clusters(labels, list(range(1, 21)), years, tokens, last_year=2023)
    assert [c.patents for c in clusters] == [10, 10]
    robot_cluster = next(c for c in clusters if "机器人" in c.terms)
    assert robot_cluster.emerging and robot_cluster.growth == 800.0 and robot_cluster.recent_share == 0.9
    assert robot_cluster.patent_ids == tuple(range(11, 21))
    battery_cluster = next(c for c in clusters if "锂电池" in c.terms)
    assert not battery_cluster.emerging and battery_cluster.label == "正极·锂电池·电解液"


def test_choose_k_bounds():
    assert choose_k(3) == 1
    assert choose_k(50) == 5
    assert choose_k(50_000) == 20
