"""Capacity-aware p-median (spopt + CBC) against exhaustive search, hand cases, and the before/after 2SFCA helpers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from sxgeo.analysis.pmedian import added_supply_scores, short_of_service, solve_pmedian

INF = np.inf


# --------------------------------------------------------------------- exhaustive references
def _exhaustive_uncapacitated(c: np.ndarray, w: np.ndarray, k: int, penalty: float = INF) -> float:
    """min over k-subsets S of Σ_i w_i min(penalty, min_{j∈S} c_ij)."""
    return min(
        float((w * np.minimum(c[:, list(s)].min(axis=1), penalty)).sum())
        for s in itertools.combinations(range(c.shape[1]), k)
    )


def _transport(c: np.ndarray, w: np.ndarray, cap: float, penalty: float) -> float:
    """Exact splittable assignment for fixed open sites (LP, HiGHS): Σ w_i x_ij c_ij + penalty Σ w_i u_i.

    Σ_j x_ij + u_i = 1, Σ_i w_i x_ij ≤ cap, x, u ≥ 0; unreachable pairs are not variables.
    """
    n, m = c.shape
    pairs = [(i, j) for i in range(n) for j in range(m) if np.isfinite(c[i, j])]
    nv = len(pairs) + n
    obj = np.array([w[i] * c[i, j] for i, j in pairs] + [penalty * w[i] for i in range(n)])
    a_eq = np.zeros((n, nv))
    for v, (i, _) in enumerate(pairs):
        a_eq[i, v] = 1.0
    a_eq[np.arange(n), len(pairs) + np.arange(n)] = 1.0
    a_ub = np.zeros((m, nv))
    for v, (i, j) in enumerate(pairs):
        a_ub[j, v] = w[i]
    res = linprog(obj, A_ub=a_ub, b_ub=np.full(m, cap), A_eq=a_eq, b_eq=np.ones(n), bounds=(0, 1), method="highs")
    assert res.status == 0
    return float(res.fun)


def _exhaustive_capacitated(c, w, k, cap, penalty) -> float:
    return min(_transport(c[:, list(s)], w, cap, penalty) for s in itertools.combinations(range(c.shape[1]), k))


def _exhaustive_single_source(c, w, k, cap, penalty) -> float:
    """Every k-subset and every assignment of each row to one open site or to 'unserved' (index k)."""
    best = INF
    n = len(w)
    for s in itertools.combinations(range(c.shape[1]), k):
        sub = np.hstack([c[:, list(s)], np.full((n, 1), penalty)])
        for assign in itertools.product(range(k + 1), repeat=n):
            a = np.array(assign)
            load = np.bincount(a, weights=w, minlength=k + 1)[:k]
            if (load > cap + 1e-9).any():
                continue
            best = min(best, float((w * sub[np.arange(n), a]).sum()))
    return best


def _random_case(seed: int, n: int = 12, m: int = 7, unreachable_share: float = 0.0):
    rng = np.random.default_rng(seed)
    dem, cand = rng.uniform(0, 5000, (n, 2)), rng.uniform(0, 5000, (m, 2))
    minutes = np.hypot(*(dem[:, None, :] - cand[None, :, :]).transpose(2, 0, 1)) / (4000 / 60)  # 4 km/h
    minutes[rng.random((n, m)) < unreachable_share] = INF
    return minutes, rng.integers(1, 60, n).astype(float)


# --------------------------------------------------------------------- uncapacitated
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_uncapacitated_matches_exhaustive_search(seed):
    c, w = _random_case(seed)
    for k in (1, 2, 3):
        sol = solve_pmedian(c, w, k)
        assert sol.objective == pytest.approx(_exhaustive_uncapacitated(c, w, k), rel=1e-9)
        assert sol.cost == pytest.approx(sol.objective, rel=1e-12)  # everybody is reachable: nobody unserved
        assert len(sol.chosen) <= k
        # the assignment is to the nearest chosen site, and it reproduces the cost
        nearest = c[:, sol.chosen].min(axis=1)
        assert np.allclose(c[np.arange(len(w)), sol.site], nearest)
        assert float((w * c[np.arange(len(w)), sol.site]).sum()) == pytest.approx(sol.cost, rel=1e-9)
        assert np.allclose(sol.allocation.sum(axis=1), w)
        assert sol.served.sum() == pytest.approx(w.sum())
        assert not sol.unserved.any() and sol.status == "Optimal"


@pytest.mark.parametrize("seed", [4, 5])
def test_unreachable_pairs_are_never_assigned(seed):
    c, w = _random_case(seed, unreachable_share=0.5)
    c[0, :] = INF  # row 0 is reached by no candidate
    penalty = 500.0
    for k in (1, 2, 3):
        sol = solve_pmedian(c, w, k, unreachable_cost=penalty)
        assert sol.unreachable.tolist() == [True] + [False] * (len(w) - 1)
        assert sol.unserved[0] == w[0] and sol.site[0] == -1
        rows = np.flatnonzero(sol.site >= 0)
        assert np.isfinite(c[rows, sol.site[rows]]).all()
        # rows 1.. in the model: a row no chosen site reaches is unserved at the penalty
        expected = _exhaustive_uncapacitated(c[1:], w[1:], k, penalty)
        assert sol.objective == pytest.approx(expected, rel=1e-9)
        stranded = ~np.isfinite(c[1:, sol.chosen]).any(axis=1) if len(sol.chosen) else np.ones(len(w) - 1, bool)
        assert np.allclose(sol.unserved[1:], np.where(stranded, w[1:], 0.0))


def test_weightless_rows_and_useless_candidates_are_left_out():
    c = np.array([[1.0, 9.0, INF], [8.0, 2.0, INF], [3.0, 3.0, 1.0]])
    w = np.array([10.0, 10.0, 0.0])  # the only row candidate 2 reaches weighs nothing
    sol = solve_pmedian(c, w, 3)
    assert sol.chosen.tolist() == [0, 1]
    assert sol.site.tolist() == [0, 1, -1]
    assert sol.cost == pytest.approx(10 * 1 + 10 * 2)
    assert solve_pmedian(c, w, 0).status == "trivial"


# --------------------------------------------------------------------- capacitated
# Hand case on a line, minutes = distance: A at 0, B at 10; D1 at 0 (30 people), D2 at 2 (30), D3 at 10 (10).
LINE = np.array([[0.0, 10.0], [2.0, 8.0], [10.0, 0.0]])
LINE_W = np.array([30.0, 30.0, 10.0])


def test_capacitated_hand_case():
    # no capacity, k=1: A costs 0 + 30*2 + 10*10 = 160, B 30*10 + 30*8 + 0 = 540
    sol = solve_pmedian(LINE, LINE_W, 1)
    assert sol.chosen.tolist() == [0] and sol.cost == pytest.approx(160)
    # capacity 40, k=1: A takes D1 (30, 0 min) and 10 of D2 (2 min) = 20 person-minutes, 30 people left;
    # B would take D3 (10, 0 min) and D2 (30, 8 min) = 240 for the same 40 people
    sol = solve_pmedian(LINE, LINE_W, 1, capacity=40, unreachable_cost=1000)
    assert sol.chosen.tolist() == [0]
    assert sol.cost == pytest.approx(20)
    assert sol.served.tolist() == pytest.approx([40])
    assert sol.unserved.tolist() == pytest.approx([0, 20, 10])
    assert sol.objective == pytest.approx(20 + 1000 * 30)
    # capacity 40, k=2 (80 seats for 70): D1 -> A (0), D3 -> B (0), D2 split 10 -> A (2 min), 20 -> B (8 min)
    sol = solve_pmedian(LINE, LINE_W, 2, capacity=40)
    assert sol.chosen.tolist() == [0, 1]
    assert sol.cost == pytest.approx(10 * 2 + 20 * 8)
    np.testing.assert_allclose(sol.allocation, [[30, 0], [10, 20], [0, 10]], atol=1e-9)
    assert sol.site.tolist() == [0, 1, 1]
    assert not sol.unserved.any()
    # single source: D2 cannot be split; A {D1}, B {D2, D3} costs 30*8 = 240 (A {D2}, B {D1, D3} costs 300)
    sol = solve_pmedian(LINE, LINE_W, 2, capacity=40, single_source=True)
    assert sol.cost == pytest.approx(240)
    assert sol.site.tolist() == [0, 1, 1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_capacitated_matches_exhaustive_search(seed):
    c, w = _random_case(seed, unreachable_share=0.15)
    penalty = 1000.0
    for k, cap in ((1, 150.0), (2, 150.0), (3, 120.0), (2, 400.0)):
        sol = solve_pmedian(c, w, k, capacity=cap, unreachable_cost=penalty)
        expected = _exhaustive_capacitated(c, w, k, cap, penalty)
        assert sol.objective == pytest.approx(expected, rel=1e-7)
        assert (sol.served <= cap + 1e-6).all()
        assert np.allclose(sol.allocation.sum(axis=1) + sol.unserved, w)
        assert np.isfinite(c[:, sol.chosen][sol.allocation > 0]).all()  # nobody over an unreachable pair


@pytest.mark.parametrize("seed", [0, 1])
def test_single_source_matches_exhaustive_search(seed):
    c, w = _random_case(seed, n=6, m=5)
    penalty = 1000.0
    for k, cap in ((1, 100.0), (2, 80.0), (2, 130.0)):
        sol = solve_pmedian(c, w, k, capacity=cap, single_source=True, unreachable_cost=penalty)
        assert sol.objective == pytest.approx(_exhaustive_single_source(c, w, k, cap, penalty), rel=1e-7)
        assert ((sol.allocation > 0).sum(axis=1) <= 1).all()  # one site per demand point


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="weights has 2 values"):
        solve_pmedian(LINE, LINE_W[:2], 1)
    with pytest.raises(ValueError, match="capacity must be positive"):
        solve_pmedian(LINE, LINE_W, 1, capacity=0)
    with pytest.raises(ValueError, match="must not be negative"):
        solve_pmedian(-LINE, LINE_W, 1)


# --------------------------------------------------------------------- helpers
def test_short_of_service_by_hand():
    # target 1 seat per child: 0.5 -> half of 100 short; 1.2 -> nobody; NaN (no facility) -> all 80; 0 -> all 20
    short = short_of_service([100, 50, 80, 20], [0.5, 1.2, np.nan, 0.0], 1.0)
    assert short.tolist() == pytest.approx([50, 0, 80, 20])
    # 0.03 beds per elderly resident, 0.024 reached: 20 % of 1,000 short
    assert short_of_service([1000], [0.024], 0.03).tolist() == pytest.approx([200])
    with pytest.raises(ValueError, match="threshold_per"):
        short_of_service([1], [1], 0)


def test_added_supply_scores_by_hand():
    # existing: D1 -> F1 5 min; D2 -> F1 10, F2 20 (beyond 15); D3 -> F2 8.  Demand 100, 50, 40; seats 60, 30.
    # before: F1 serves D1 + D2 = 150 -> 0.4 seats per child; F2 serves D3 = 40 -> 0.75.
    # new site N (45 seats) reaches D2 (5 min) and D3 (12): 90 children -> 0.5; after: 0.4, 0.9, 1.25.
    existing = np.array([[5.0, INF], [10.0, 20.0], [INF, 8.0]])
    new = np.array([[INF], [5.0], [12.0]])
    before, after = added_supply_scores(existing, new, [100, 50, 40], [60, 30], 45, cutoff=15)
    assert before.tolist() == pytest.approx([0.4, 0.4, 0.75])
    assert after.tolist() == pytest.approx([0.4, 0.9, 1.25])
    # NaN reads as unreachable, and a per-site supply array gives the same answer
    same = added_supply_scores(np.where(np.isinf(existing), np.nan, existing), new, [100, 50, 40], [60, 30], [45], 15)
    assert same[1].tolist() == pytest.approx(after.tolist())


def test_siting_the_short_then_scoring_closes_the_gap():
    """Chain: short_of_service -> solve_pmedian -> added_supply_scores on the line case."""
    existing = np.array([[12.0], [14.0], [30.0]])  # one kindergarten of 30 seats
    pop = np.array([40.0, 40.0, 20.0])
    before, _ = added_supply_scores(existing, np.empty((3, 0)), pop, [30], [], cutoff=15)
    assert before.tolist() == pytest.approx([30 / 80, 30 / 80, 0.0])  # D3 reaches nothing
    short = short_of_service(pop, before, 1.0)
    assert short.tolist() == pytest.approx([25, 25, 20])
    sol = solve_pmedian(LINE, short, 1, capacity=70)
    assert sol.chosen.tolist() == [0]  # A: 25*0 + 25*2 + 20*10 = 250 < B: 250 + 200 + 0 = 450
    _, after = added_supply_scores(existing, LINE[:, sol.chosen], pop, [30], 70, cutoff=15)
    # A (70 seats) reaches D1, D2, D3 (10 min): 100 children -> 0.7; F reaches D1, D2 -> 0.375
    assert after.tolist() == pytest.approx([1.075, 1.075, 0.7])
