"""Equity measures: hand-checked values, and PySAL inequality's Gini and Theil (with its decomposition) as reference."""

from __future__ import annotations

import numpy as np
import pytest
from inequality.gini import Gini
from inequality.theil import Theil as PysalTheil
from inequality.theil import TheilD

from sxgeo.analysis.equity import coefficient_of_variation, gini, palma, theil


def test_hand_checked_values():
    x = [1.0, 2.0, 3.0, 4.0]
    assert gini(x) == pytest.approx(0.25, rel=1e-12)  # Σ|xi - xj| / (2 n² μ) = 20 / 80
    assert coefficient_of_variation(x) == pytest.approx(np.sqrt(1.25) / 2.5, rel=1e-12)
    assert palma(np.arange(1.0, 11.0)) == pytest.approx(10 / 10, rel=1e-12)  # top 10%: 10; bottom 40%: 1+2+3+4
    assert gini([5.0, 5.0, 5.0]) == 0.0 and theil([5.0, 5.0]).total == 0.0
    assert np.isnan(gini([])) and np.isnan(palma([0.0, 0.0]))
    assert palma([0.0, 0.0, 0.0, 0.0, 1.0]) == float("inf")


def test_population_weights_are_the_same_as_repeating_each_resident():
    rng = np.random.default_rng(3)
    x = rng.gamma(2.0, 1.5, size=40)
    w = rng.integers(1, 9, size=40)
    repeated = np.repeat(x, w)
    assert gini(x, w) == pytest.approx(Gini(repeated).g, rel=1e-9)
    assert theil(x, w).total == pytest.approx(PysalTheil(repeated).T, rel=1e-9)
    assert coefficient_of_variation(x, w) == pytest.approx(repeated.std() / repeated.mean(), rel=1e-12)
    assert palma(x, w) == pytest.approx(palma(repeated), rel=1e-9)


def test_theil_splits_between_and_within_groups_like_pysal():
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.gamma(4.0, 1.0, 60), rng.gamma(1.5, 1.0, 40)])  # urban better served than rural
    groups = np.array(["urban"] * 60 + ["rural"] * 40)
    ours = theil(x, groups=groups)
    ref = TheilD(x, groups)
    assert ours.total == pytest.approx(float(np.squeeze(ref.T)), rel=1e-9)
    assert ours.between == pytest.approx(float(np.squeeze(ref.bg)), rel=1e-9)
    assert ours.within == pytest.approx(float(np.squeeze(ref.wg)), rel=1e-9)
    assert ours.total == pytest.approx(ours.between + ours.within, rel=1e-12)
    assert 0 < ours.between_share < 1


def test_rows_without_a_score_or_people_are_left_out_and_bad_input_is_refused():
    assert gini([1.0, np.nan, 3.0], [1, 5, 1]) == pytest.approx(gini([1.0, 3.0]))
    assert gini([1.0, 100.0, 3.0], [1, 0, 1]) == pytest.approx(gini([1.0, 3.0]))
    with pytest.raises(ValueError, match="negative"):
        gini([-1.0, 2.0])
    with pytest.raises(ValueError, match="same length"):
        theil([1.0, 2.0], groups=["a"])


def test_fgt_hand_checked():
    from sxgeo.analysis.equity import fgt

    # threshold 10: scores 5 (gap 0.5), 10 (not below), 20, 0 (gap 1); weights 1, 1, 1, 2
    got = fgt([5.0, 10.0, 20.0, 0.0], [1, 1, 1, 2], threshold=10.0)
    assert got["fgt0"] == pytest.approx(3 / 5)
    assert got["fgt1"] == pytest.approx((0.5 + 2 * 1.0) / 5)
    assert got["fgt2"] == pytest.approx((0.25 + 2 * 1.0) / 5)
    with pytest.raises(ValueError, match="positive"):
        fgt([1.0], threshold=0)
