from __future__ import annotations

from datetime import date
from fractions import Fraction

from engine.monitoring import kpi, rates


def test_rate_formulas():
    assert rates.filing_rate(filed=3, total=4).value == Fraction(3, 4)
    assert rates.filing_rate(filed=3, total=4).percent() == 75.0
    assert rates.pooling_rate(pooled=1, total=3).percent() == 33.33
    assert rates.transfer_rate(transferred=0, valid=0).value is None
    assert rates.licence_rate(licensed=63, valid=1000).percent() == 6.3
    assert rates.implementation_rate(implemented=1, valid=8).as_dict() == {
        "numerator": 1,
        "denominator": 8,
        "percent": 12.5,
    }
    assert rates.industrialisation_rate(industrialised=39, valid=1000).percent() == 3.9
    assert rates.growth_percent(current=613, previous=472) == 29.87
    assert rates.growth(current=5, previous=0) is None


def spec(kind, target, metric="m"):
    return kpi.IndicatorSpec("x", "x", metric, kind, target, "次", 10)


def test_cumulative_forecast_is_linear():
    # 73 of 365 days gone, 60 done -> forecast 300 = target: on track
    r = kpi.evaluate(
        spec("cumulative", 300),
        actual=60,
        base=None,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        as_of=date(2026, 3, 14),
    )
    assert (r.forecast, r.progress_bp, r.on_track) == (300, 2000, True)
    r = kpi.evaluate(
        spec("cumulative", 300),
        actual=59,
        base=None,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        as_of=date(2026, 3, 14),
    )
    assert r.on_track is False and r.forecast == 295


def test_level_and_growth():
    r = kpi.evaluate(
        spec("level", 9000),
        actual=9200,
        base=None,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        as_of=date(2026, 6, 1),
    )
    assert r.on_track and r.progress_bp == 10_222
    # half a year gone, 60 done against base 100 -> projected ~120 = +20% >= target 10%
    r = kpi.evaluate(
        spec("growth", 1000),
        actual=60,
        base=100,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        as_of=date(2026, 7, 2),
    )
    assert r.on_track and r.forecast == (60 * 365 // 183 - 100) * 10_000 // 100
    r = kpi.evaluate(
        spec("growth", 1000),
        actual=60,
        base=None,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        as_of=date(2026, 7, 2),
    )
    assert r.on_track is False


def test_score_and_laggards():
    s, e, a = date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31)
    r1 = kpi.evaluate(
        kpi.IndicatorSpec("a", "a", "m", "cumulative", 100, "件", 30),
        actual=150,
        base=None,
        start=s,
        end=e,
        as_of=a,
    )
    r2 = kpi.evaluate(
        kpi.IndicatorSpec("b", "b", "m", "cumulative", 100, "件", 10),
        actual=50,
        base=None,
        start=s,
        end=e,
        as_of=a,
    )
    assert kpi.weighted_score_bp([r1, r2]) == (30 * 10_000 + 10 * 5_000) // 40
    assert [r.code for r in kpi.laggards([r1, r2])] == ["b"]


def test_presets_follow_the_seeds():
    assert len(kpi.CQ_INDICATORS) == 10
    targets = {i.code: i.target for i in kpi.CQ_INDICATORS}
    assert targets["cq1"] == 300 and targets["cq2"] == 60 and targets["cq3"] == 20 and targets["cq4"] == 15
    assert targets["cq5"] == 200 and targets["cq6"] == 6000 and targets["cq10"] == 9000
    assert targets["cq7"] == 4 * 10**8 * 100 and targets["cq8"] == 50 * 10**8 * 100 and targets["cq9"] == 300
    growth = {i.target for i in kpi.JL_INDICATORS if i.kind == "growth"}
    assert growth == {1000, 1500, 2000}
