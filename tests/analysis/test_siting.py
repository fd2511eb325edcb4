"""Siting: MCLP / LSCP (spopt + CBC) on hand cases with known optima, against exhaustive
enumeration on medium cases, in network mode, and kindergarten proposals on a hand case."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import XIAODIAN_UTM, lonlat
from shapely.geometry import Point

from sxgeo.analysis import access, siting
from sxgeo.analysis.costs import TravelCost
from sxgeo.io import load_layer
from sxgeo.layers.network import WalkNetwork

# 19.5 minutes at 4 km/h with detour 1.3 is exactly 1,000 m of straight line.
THRESHOLD, SPEED, DETOUR = 19.5, 4.0, 1.3
RADIUS_M = THRESHOLD * SPEED * 1000 / 60 / DETOUR


def points(rows: list[tuple], *, crs=4326, extra: dict | None = None) -> gpd.GeoDataFrame:
    """Points from (id, dx, dy[, population]) in metres from the Xiaodian anchor (UTM 49N)."""
    data = {"id": [r[0] for r in rows], "name": [f"{r[0]}名" for r in rows]}
    if len(rows[0]) > 3:
        data["population"] = [r[3] for r in rows]
    data.update(extra or {})
    geoms = [Point(*lonlat(XIAODIAN_UTM, r[1], r[2])) for r in rows]
    return gpd.GeoDataFrame(data, geometry=geoms, crs=4326).to_crs(crs)


# --------------------------------------------------------------------- the hand case
# Five residents' points on a line and four candidate sites, radius 1,000 m:
#   D1 x=0 (40)  D2 x=700 (40)  D3 x=1500 (30)  D4 x=2300 (40)  D5 x=3000 (40)
#   C1 x=350      covers D1 D2          -> 80
#   C2 x=1500     covers D2 D3 D4       -> 110   (best single site)
#   C3 x=2650     covers D4 D5          -> 80
#   C4 (1500,900) covers D3             -> 30
# Best 2: C1+C3 = 160 (greedy would take C2 first and reach only 150).
# Fewest sites covering all five: 3 (no pair covers D1, D3 and D5 together).
# D0 (1,000 people) lies next to an existing facility far to the west: covered before anything is built.
DEMAND = [("D0", -5000, 0, 1000), ("D1", 0, 0, 40), ("D2", 700, 0, 40), ("D3", 1500, 0, 30), ("D4", 2300, 0, 40),
          ("D5", 3000, 0, 40)]
CANDIDATES = [("C1", 350, 0), ("C2", 1500, 0), ("C3", 2650, 0), ("C4", 1500, 900)]
COVER = np.array([  # rows D1..D5, columns C1..C4
    [1, 0, 0, 0],
    [1, 1, 0, 0],
    [0, 1, 0, 1],
    [0, 1, 1, 0],
    [0, 0, 1, 0],
], dtype=bool)
WEIGHTS = np.array([40, 40, 30, 40, 40], dtype=float)


@pytest.fixture(scope="module")
def hand_points():
    """The demand points after the real walking-access analysis with the existing facility."""
    existing = points([("F1", -5050, 0)])
    res = access.walking_access(points(DEMAND), existing, speed_kmh=SPEED, threshold_min=THRESHOLD, detour_factor=DETOUR)
    assert res.points["covered"].tolist() == [True, False, False, False, False, False]
    return res.points


def test_travel_cost_distance_mode_matches_hand_geometry():
    minutes = TravelCost(speed_kmh=SPEED, detour_factor=DETOUR).matrix(points(DEMAND[1:]), points(CANDIDATES))
    assert minutes.shape == (5, 4)
    # D1 -> C1 is 350 m straight: 350 * 1.3 / (4000/60) minutes
    assert minutes[0, 0] == pytest.approx(350 * 1.3 / (4000 / 60), rel=1e-6)
    assert minutes[2, 3] == pytest.approx(900 * 1.3 / (4000 / 60), rel=1e-6)
    assert np.array_equal(minutes <= THRESHOLD, COVER)


@pytest.mark.parametrize(("n", "chosen", "objective"), [(1, [1], 110.0), (2, [0, 2], 160.0)])
def test_mclp_hand_case_matrix(n, chosen, objective):
    minutes = np.where(COVER, 1.0, 99.0)
    sol = siting.solve_mclp(minutes, WEIGHTS, 15.0, n)
    assert sol.chosen.tolist() == chosen
    assert sol.objective == objective
    assert sol.status == "Optimal"


def test_lscp_hand_case_matrix():
    sol = siting.solve_lscp(np.where(COVER, 1.0, 99.0), 15.0)
    assert len(sol.chosen) == 3
    assert {0, 2} <= set(sol.chosen.tolist())  # C1 and C3 are the only cover of D1 and of D5
    assert sol.covered.all()


@pytest.mark.parametrize(("n", "ids", "added"), [(1, ["C2"], [110.0]), (2, ["C1", "C3"], [80.0, 80.0])])
def test_propose_sites_hand_case(hand_points, n, ids, added):
    result = siting.propose_sites(
        hand_points, n, threshold_min=THRESHOLD, speed_kmh=SPEED, detour_factor=DETOUR, candidates=points(CANDIDATES)
    )
    assert sorted(result.sites["id"]) == ids
    assert sorted(result.sites["added_population"]) == added
    cov = result.coverage.set_index("scenario")
    assert cov.at["current", "covered_population"] == 1000  # the existing facility's residents stay covered
    assert cov.at["mclp", "covered_population"] == 1000 + sum(added)
    assert cov.at["mclp", "population"] == 1190
    assert cov.at["mclp", "share"] == pytest.approx((1000 + sum(added)) / 1190)
    # the sites keep the candidate layer's attributes and are numbered by what they add
    assert result.sites["name"].tolist() == [f"{i}名" for i in result.sites["id"]]
    assert result.sites["order"].tolist() == list(range(1, n + 1))
    # LSCP: three sites cover everyone
    assert len(result.lscp_sites) == 3
    assert cov.at["lscp", "covered_population"] == 1190
    assert result.demand.set_index("id").loc["D0", "site_mclp"] is None


def test_propose_sites_from_uncovered_demand(hand_points):
    """Default candidates: the uncovered points.  D2, D3 and D4 each cover three points (110)."""
    result = siting.propose_sites(hand_points, 1, threshold_min=THRESHOLD, speed_kmh=SPEED, detour_factor=DETOUR)
    assert result.sites["id"].tolist()[0] in {"D2", "D3", "D4"}
    assert result.sites["added_population"].tolist() == [110.0]
    assert (result.sites["candidate_source"] == siting.FROM_DEMAND).all()
    assert "D0" not in set(result.candidates["id"])  # covered points are no candidates
    # two sites from the points: D1..D5 can all be covered (e.g. D2 + D4)
    two = siting.propose_sites(hand_points, 2, threshold_min=THRESHOLD, speed_kmh=SPEED, detour_factor=DETOUR,
                                 methods=("mclp",))
    assert two.coverage.set_index("scenario").at["mclp", "added_population"] == 190
    assert two.lscp_sites is None


def test_more_sites_than_useful_are_not_proposed(hand_points):
    result = siting.propose_sites(
        hand_points, 10, threshold_min=THRESHOLD, speed_kmh=SPEED, detour_factor=DETOUR, candidates=points(CANDIDATES)
    )
    cov = result.coverage.set_index("scenario")
    assert cov.at["mclp", "covered_population"] == 1190
    assert len(result.sites) <= 4
    assert (result.sites["added_population"] > 0).all()  # no site that adds nobody


# --------------------------------------------------------------------- medium cases
def _exhaustive_mclp(a: np.ndarray, w: np.ndarray, p: int) -> float:
    return max(w[a[:, list(c)].any(axis=1)].sum() for c in itertools.combinations(range(a.shape[1]), p))


def _brute_lscp(a: np.ndarray) -> int:
    rows = a.any(axis=1)
    for k in range(1, a.shape[1] + 1):
        if any(a[np.ix_(rows, list(c))].any(axis=1).all() for c in itertools.combinations(range(a.shape[1]), k)):
            return k
    return 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mclp_and_lscp_match_exhaustive_search(seed):
    rng = np.random.default_rng(seed)
    n_dem, n_cand = 60, 14
    dem_xy = rng.uniform(0, 6000, size=(n_dem, 2))
    cand_xy = rng.uniform(0, 6000, size=(n_cand, 2))
    pop = rng.integers(50, 5000, size=n_dem).astype(float)
    demand = points([(f"D{i}", x, y, p) for i, ((x, y), p) in enumerate(zip(dem_xy, pop, strict=True))])
    cands = points([(f"C{j}", x, y) for j, (x, y) in enumerate(cand_xy)])
    minutes = TravelCost(speed_kmh=SPEED, detour_factor=DETOUR).matrix(demand, cands)
    # independent coverage: the hand-made offsets are the UTM distances (to float rounding)
    straight = np.hypot(dem_xy[:, None, 0] - cand_xy[None, :, 0], dem_xy[:, None, 1] - cand_xy[None, :, 1])
    assert np.allclose(minutes, straight * DETOUR / (SPEED * 1000 / 60), atol=1e-3)
    a = minutes <= THRESHOLD
    for p in (1, 2, 3, 4):
        sol = siting.solve_mclp(minutes, pop, THRESHOLD, p)
        assert sol.objective == pytest.approx(_exhaustive_mclp(a, pop, p))
        assert len(sol.chosen) <= p
        assert sol.objective == pytest.approx(pop[a[:, sol.chosen].any(axis=1)].sum())
    lscp = siting.solve_lscp(minutes, THRESHOLD)
    assert len(lscp.chosen) == _brute_lscp(a)
    assert np.array_equal(lscp.covered, a.any(axis=1))


# --------------------------------------------------------------------- network mode
def test_network_mode_uses_street_distance():
    """A U-shaped street: C is 200 m from D as the crow flies but 2,200 m along the street.

    Nodes (metres from the anchor): 0 (0,0) -> 1 (0,1000) -> 2 (200,1000) -> 3 (200,0).
    D sits at node 0, candidate C at node 3, candidate E at node 1.
    """
    base_x, base_y = XIAODIAN_UTM.x, XIAODIAN_UTM.y
    net = WalkNetwork.from_arrays(
        [base_x, base_x, base_x + 200, base_x + 200], [base_y, base_y + 1000, base_y + 1000, base_y],
        [0, 1, 2], [1, 2, 3], crs="EPSG:32649",
    )
    demand = points([("D", 0, 10, 100)])
    cands = points([("C", 200, 0), ("E", 0, 1000)])
    minutes = TravelCost(network=net, speed_kmh=SPEED).matrix(demand, cands)
    per_min = SPEED * 1000 / 60
    assert minutes[0, 0] == pytest.approx((10 + 2200) / per_min, rel=1e-6)
    assert minutes[0, 1] == pytest.approx((10 + 1000) / per_min, rel=1e-6)
    # distance mode would pick C (200 m); along the street only E is within 16 minutes (1,066 m)
    res = access.walking_access(demand, points([("F", 5000, 5000)]), network=net, speed_kmh=SPEED, threshold_min=16)
    result = siting.propose_sites(res.points, 1, threshold_min=16, speed_kmh=SPEED, candidates=cands, network=net)
    assert result.sites["id"].tolist() == ["E"]
    assert result.params["mode"] == "network"
    straight = siting.propose_sites(res.points, 1, threshold_min=16, speed_kmh=SPEED, detour_factor=DETOUR, candidates=cands)
    assert straight.sites["id"].tolist() == ["C"]


# --------------------------------------------------------------------- kindergartens
def _residential(rows):
    frame = pd.DataFrame(
        [
            {"编号": i, "名称": f"{i}村", "类型": "村", "人口": pop, "3-5岁人口": kids, "乡镇代码": tw,
             "经度": lonlat(XIAODIAN_UTM, dx, 0)[0], "纬度": lonlat(XIAODIAN_UTM, dx, 0)[1]}
            for i, dx, pop, kids, tw in rows
        ]
    )
    res = load_layer(frame, "residential")
    assert len(res.rejected) == 0
    return res.layer


def test_kindergarten_sites_hand_case():
    """Township 140105201 (刘家堡乡) has A (3,000 people, 100 children) at x=0 and B (5,000 people,
    20 children) at x=3,000.  Most populous: B; serving 120 children.  With candidates P1 (x=200) and
    P2 (x=2,800) the children's total distance is 100*200 + 20*2800 = 76,000 for P1 and
    100*2800 + 20*200 = 284,000 for P2: P1, at a mean distance of 76,000/120 = 633.3 m.
    Township 140105200 has only a candidate outside it, and one point R: the most populous point.
    Township 140105100 has nothing: no site."""
    res = _residential([("A", 0, 3000, 100, "140105201"), ("B", 3000, 5000, 20, "140105201"),
                        ("R", 9000, 800, 30, "140105200")])
    gaps = gpd.GeoDataFrame(
        {"unit_code": ["140105201", "140105200", "140105100"], "unit_name": ["刘家堡乡", "西温庄乡", "北格镇"],
         "unit_kind": ["乡", "乡", "镇"], "county_code": "140105", "county_name": "小店区",
         "population": [8000.0, 800.0, np.nan], "pop_3_5": [120.0, 30.0, np.nan],
         "nearest_public_name": ["K1园", "K1园", None], "nearest_public_m": [1500.0, 9000.0, np.nan]},
        geometry=[None, None, None], crs=4326,
    )
    plain = siting.kindergarten_sites(gaps, res).set_index("township_code")
    assert plain.at["140105201", "basis"] == "most_populous"
    assert plain.at["140105201", "site_id"] == "B"
    assert plain.at["140105201", "children_3_5"] == 120
    assert plain.at["140105200", "site_id"] == "R"
    assert plain.at["140105100", "basis"] == "none"
    assert plain.loc["140105100"].geometry is None
    # B's mean distance for the children: (100*3000 + 20*0)/120
    assert plain.at["140105201", "mean_distance_m"] == pytest.approx(2500.0, abs=0.1)

    cands = load_layer(
        pd.DataFrame([
            {"编号": "P1", "名称": "地块一", "性质": "公办", "乡镇代码": "140105201",
             "经度": lonlat(XIAODIAN_UTM, 200, 0)[0], "纬度": lonlat(XIAODIAN_UTM, 200, 0)[1]},
            {"编号": "P2", "名称": "地块二", "性质": "公办", "乡镇代码": "140105201",
             "经度": lonlat(XIAODIAN_UTM, 2800, 0)[0], "纬度": lonlat(XIAODIAN_UTM, 2800, 0)[1]},
            {"编号": "P3", "名称": "地块三", "性质": "公办", "乡镇代码": "140105001",
             "经度": lonlat(XIAODIAN_UTM, 9000, 0)[0], "纬度": lonlat(XIAODIAN_UTM, 9000, 0)[1]},
        ]),
        "kindergartens",
    ).layer
    with_cands = siting.kindergarten_sites(gaps, res, cands).set_index("township_code")
    assert with_cands.at["140105201", "basis"] == "candidate"
    assert with_cands.at["140105201", "site_id"] == "P1"
    assert with_cands.at["140105201", "site_name"] == "地块一"
    assert with_cands.at["140105201", "mean_distance_m"] == pytest.approx(633.3, abs=0.1)
    assert with_cands.at["140105201", "children_3_5"] == 120
    assert with_cands.at["140105200", "basis"] == "most_populous"  # P3 lies in another township
    site = gpd.GeoSeries([with_cands.loc["140105201"].geometry], crs=4326).to_crs(32649).iloc[0]
    assert site.distance(Point(XIAODIAN_UTM.x + 200, XIAODIAN_UTM.y)) < 0.01
