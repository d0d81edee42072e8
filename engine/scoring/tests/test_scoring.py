from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.scoring import INDICATORS, RawIndicators, explain, normalise, score_arrays, weight_vector
from engine.scoring.fees import annual_fee_fen, next_fee_due, remaining_fees_fen
from engine.scoring.flags import DEFAULT_TIER_RULES, assign_tiers, high_value_matrix, sleeping_mask
from engine.scoring.indicators import DEFAULT_WEIGHTS
from engine.scoring.model import cohort_percentile

K = len(INDICATORS)


def test_cohort_percentile_mid_rank_and_groups():
    x = np.array([1.0, 2.0, 2.0, 3.0, np.nan, 5.0])
    g = np.array([0, 0, 0, 0, 0, 1])
    pct, size = cohort_percentile(x, g)
    assert pct[:4].tolist() == [0.125, 0.5, 0.5, 0.875]
    assert np.isnan(pct[4])
    assert pct[5] == 0.5  # alone in its cohort
    assert size.tolist() == [4, 4, 4, 4, 0, 1]


def test_young_patent_not_punished_by_cohort():
    """Same citation count ranks differently in an old and a young cohort."""
    values = np.full((60, K), np.nan)
    col = [i.name for i in INDICATORS].index("forward_citations")
    values[:30, col] = np.arange(30) * 10.0  # old cohort: many citations
    values[30:, col] = np.arange(30) * 0.1  # young cohort: few citations
    raw = RawIndicators(
        values=values, cohort_fine=np.array([0] * 30 + [1] * 30), cohort_coarse=np.zeros(60, int)
    )
    norm = normalise(raw, min_cohort=30)
    assert values[59, col] == pytest.approx(2.9)  # fewer citations than all but one old patent
    assert norm[59, col] == pytest.approx(29.5 / 30)  # yet the top of its own cohort
    assert norm[1, col] == pytest.approx(1.5 / 30)  # 10 citations is low among old patents


def test_small_cohort_falls_back_to_coarse():
    values = np.full((4, K), np.nan)
    col = [i.name for i in INDICATORS].index("claims")
    values[:, col] = [1.0, 2.0, 3.0, 4.0]
    raw = RawIndicators(values=values, cohort_fine=np.array([0, 1, 2, 3]), cohort_coarse=np.zeros(4, int))
    assert normalise(raw, min_cohort=1)[:, col].tolist() == [0.5, 0.5, 0.5, 0.5]
    assert normalise(raw, min_cohort=2)[:, col].tolist() == [0.125, 0.375, 0.625, 0.875]


def test_missing_indicators_renormalise():
    weights = {name: 0.0 for name in DEFAULT_WEIGHTS["licensing"]}
    weights.update(legal_status=0.5, maturity=0.25, family_size=0.25)
    row = [None] * K
    names = [i.name for i in INDICATORS]
    row[names.index("legal_status")] = 1.0
    row[names.index("maturity")] = 0.5
    vs = explain(row, [None] * K, weights, model_version="t")
    assert vs.score == pytest.approx(100 * (0.5 * 1.0 + 0.25 * 0.5) / 0.75)
    by = {i.name: i for i in vs.indicators}
    assert by["family_size"].missing is True and by["family_size"].weight == 0.0
    assert by["legal_status"].weight == pytest.approx(2 / 3)
    assert "family_size" in vs.missing
    assert vs.dimensions["economic"] is None
    assert vs.dimensions["legal"] == pytest.approx(100.0)


unit = st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0))


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(unit, min_size=K, max_size=K), min_size=1, max_size=8),
    w=st.lists(st.floats(min_value=0.0, max_value=5.0), min_size=K, max_size=K),
)
def test_contributions_add_up_and_match_vectorised(rows, w):
    if sum(w) <= 0:
        w[0] = 1.0
    weights = {ind.name: w[i] for i, ind in enumerate(INDICATORS)}
    vec = weight_vector(weights)
    norm = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    raw = RawIndicators(
        values=norm, cohort_fine=np.zeros(len(rows), int), cohort_coarse=np.zeros(len(rows), int)
    )
    # Absolute indicators pass through normalise unchanged; compare on those by scoring the given matrix directly.
    from engine.scoring.model import score_normalised

    arrays = score_normalised(norm, vec)
    for i, r in enumerate(rows):
        vs = explain(r, r, weights, model_version="t")
        # explain() (per indicator, in Python) and score_normalised() (matrix) are two paths to one score.
        assert sum(c.contribution for c in vs.indicators) == pytest.approx(arrays.score[i], abs=1e-9)
        assert vs.score == pytest.approx(arrays.score[i], abs=1e-9)
        assert 0.0 <= vs.score <= 100.0 + 1e-9
    assert raw.values.shape == (len(rows), K)


def test_weight_vector_refuses_bad_weights():
    with pytest.raises(ValueError):
        weight_vector({"nope": 1.0})
    with pytest.raises(ValueError):
        weight_vector({"claims": -1.0})
    with pytest.raises(ValueError):
        weight_vector({"claims": 0.0})


def test_score_arrays_reproducible_per_weight_version():
    rng = np.random.default_rng(1)
    values = rng.random((50, K))
    raw = RawIndicators(values=values, cohort_fine=rng.integers(0, 3, 50), cohort_coarse=np.zeros(50, int))
    a = score_arrays(raw, weight_vector(DEFAULT_WEIGHTS["licensing"]))
    b = score_arrays(raw, weight_vector(DEFAULT_WEIGHTS["finance"]))
    a2 = score_arrays(raw, weight_vector(DEFAULT_WEIGHTS["licensing"]))
    assert np.array_equal(a.score, a2.score)
    assert not np.array_equal(a.score, b.score)


def test_high_value_categories_and_sleeping():
    today = date(2026, 1, 1).toordinal()
    hv = high_value_matrix(
        is_invention=np.array([True, True, False]),
        is_valid=np.array([True, True, True]),
        sei=np.array([1.0, np.nan, 1.0]),
        overseas_granted=np.array([False, True, True]),
        application_ord=np.array([date(2014, 1, 1).toordinal(), date(2020, 1, 1).toordinal(), 0.0]),
        max_pledge_fen=np.array([200_000_000, 0, 0]),
        award=np.array([False, True, False]),
        today_ord=today,
        pledge_threshold_fen=100_000_000,
    )
    assert hv.tolist() == [
        [True, False, True, True, False],
        [False, True, False, False, True],
        [False, False, False, False, False],  # a utility model never qualifies
    ]
    s = sleeping_mask(
        is_valid=np.array([True, True, False, True]),
        is_granted=np.array([True, True, True, False]),
        deals=np.array([0.0, 1.0, 0.0, 0.0]),
        implemented=np.array([0.0, 0.0, 0.0, 0.0]),
    )
    assert s.tolist() == [True, False, False, False]


def test_default_tiers():
    tiers = assign_tiers(
        DEFAULT_TIER_RULES,
        score=np.array([80.0, 80.0, 20.0, 20.0, 50.0, 50.0]),
        high_value_or_positive=np.array([True, False, False, False, False, False]),
        demand=np.array([0, 0, 0, 0, 3, 1]),
        days_to_fee=np.array([400, 400, 30, 400, 400, 400], dtype=float),
    )
    names = [DEFAULT_TIER_RULES[i].tier for i in tiers]
    assert names == ["proactive", "standard", "fee_review", "standard", "open_licence", "standard"]


def test_fee_schedule_and_due_dates():
    assert annual_fee_fen("invention", 1) == 90_000
    assert annual_fee_fen("invention", 10) == 400_000
    assert annual_fee_fen("invention", 21) == 0
    assert annual_fee_fen("utility", 10) == 200_000
    assert annual_fee_fen("invention", 10, open_licence=True, reduction=0.15) == 340_000
    assert next_fee_due(date(2017, 5, 10), date(2026, 3, 1)) == (date(2026, 5, 10), 10)
    assert next_fee_due(date(2017, 5, 10), date(2026, 6, 1)) == (date(2027, 5, 10), 11)
    assert next_fee_due(date(2017, 5, 10), date(2026, 3, 1), paid_until=date(2027, 5, 10)) == (
        date(2027, 5, 10),
        11,
    )
    assert remaining_fees_fen("utility", 9) == 400_000
    assert remaining_fees_fen("invention", 19) == 1_600_000


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 4), st.one_of(st.none(), st.integers(0, 6).map(float))),
        min_size=1,
        max_size=60,
    )
)
def test_histogram_and_sort_percentiles_agree(data):
    import engine.scoring.model as m

    g = np.array([d[0] for d in data], dtype=np.int64)
    x = np.array([np.nan if d[1] is None else d[1] for d in data])
    fast, fast_size = m.cohort_percentile(x, g)
    saved = m._MAX_HIST_CELLS
    m._MAX_HIST_CELLS = 0
    try:
        slow, slow_size = m.cohort_percentile(x, g)
    finally:
        m._MAX_HIST_CELLS = saved
    assert np.array_equal(np.isnan(fast), np.isnan(slow))
    assert np.allclose(fast[~np.isnan(fast)], slow[~np.isnan(slow)])
    assert np.array_equal(fast_size, slow_size)
    # brute force
    for i in np.flatnonzero(~np.isnan(x)):
        peers = x[(g == g[i]) & ~np.isnan(x)]
        expected = ((peers < x[i]).sum() + 0.5 * (peers == x[i]).sum()) / peers.shape[0]
        assert fast[i] == pytest.approx(expected)


def test_normalise_inplace_matches_copy():
    rng = np.random.default_rng(5)
    values = rng.integers(0, 5, (200, K)).astype(float)
    values[rng.random((200, K)) < 0.2] = np.nan
    fine = rng.integers(0, 7, 200)
    a = normalise(
        RawIndicators(values=values.copy(), cohort_fine=fine, cohort_coarse=fine // 3), min_cohort=20
    )
    raw = RawIndicators(values=values.copy(), cohort_fine=fine, cohort_coarse=fine // 3)
    b = normalise(raw, min_cohort=20, inplace=True)
    assert b is raw.values
    assert np.array_equal(np.isnan(a), np.isnan(b)) and np.allclose(np.nan_to_num(a), np.nan_to_num(b))


def test_negligible_weight_scores_the_same_on_both_paths():
    """Found by the property test: a denormal weight underflowed in the batch path (0) but not in explain() (50)."""
    from engine.scoring.model import score_normalised

    w = {ind.name: 0.0 for ind in INDICATORS}
    w[INDICATORS[0].name], w[INDICATORS[1].name] = 1.0, 5e-324
    row: list[float | None] = [None] * K
    row[1] = 0.5  # only the negligibly weighted indicator is present
    batch = score_normalised(np.array([[np.nan if v is None else v for v in row]]), weight_vector(w)).score[0]
    assert batch == explain(row, row, w, model_version="t").score == 0.0
    with pytest.raises(ValueError):
        weight_vector({INDICATORS[0].name: 1e-12})
