"""Travel across county lines, by car, and honestly where the network stops: hand-checked cases."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import JINYUAN_UTM, XIAODIAN_UTM
from shapely.geometry import Point

from sxgeo.analysis.access import network_coverage, walking_access
from sxgeo.analysis.costs import TravelCost
from sxgeo.analysis.inputs import travel_modes
from sxgeo.analysis.run import analyse
from sxgeo.analysis.targets import evaluate
from sxgeo.io.targets import load_targets
from sxgeo.layers.network import WalkNetwork

UTM = "EPSG:32649"
X0, Y0 = XIAODIAN_UTM.x, XIAODIAN_UTM.y


def layer(rows: list[tuple], crs: str = UTM) -> gpd.GeoDataFrame:
    """Points ``(id, x, y, county_code, population)`` in metres."""
    frame = pd.DataFrame(rows, columns=["id", "x", "y", "county_code", "population"])
    return gpd.GeoDataFrame(frame.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(frame.x, frame.y), crs=crs)


# --------------------------------------------------------------------------- cross-border
def test_a_facility_across_the_county_line_counts_unless_cross_border_is_off() -> None:
    demand = layer([("D1", X0, Y0, "140105", 100.0), ("D2", X0 + 5000, Y0, "140105", 50.0)])
    facilities = layer([("F-next-door", X0 + 300, Y0, "140110", None), ("F-own", X0 + 5000, Y0 + 1500, "140105", None)])
    across = walking_access(demand, facilities, detour_factor=1.0).points
    assert across["covered"].tolist() == [True, False]
    assert across["nearest_facility_id"].tolist() == ["F-next-door", "F-own"]
    assert across["nearest_facility_county"].tolist() == ["140110", "140105"]
    own = walking_access(demand, facilities, detour_factor=1.0, same_county=True)
    assert own.params["cross_border"] is False
    assert own.points["nearest_facility_id"].tolist() == ["F-own", "F-own"]
    assert own.points["minutes"].iloc[0] == pytest.approx(np.hypot(5000, 1500) / (4000 / 60))
    assert own.points["covered"].tolist() == [False, False]


def test_the_cross_border_margin_limits_the_facilities_counted(hand_case) -> None:
    layers = {k: v for k, v in hand_case.items() if k in ("residential", "fitness")}
    targets = [t for t in load_targets() if t.id == "fitness_15min"]
    everywhere = analyse(layers, targets=targets)
    nowhere = analyse(layers, targets=targets, facility_area=shapely.box(100.0, 30.0, 100.1, 30.1))
    got = nowhere.walk_result("fitness_walk_share").points
    assert got["nearest_facility_id"].isna().all() and not got["covered"].any()
    assert everywhere.walk_result("fitness_walk_share").points["covered"].any()


# --------------------------------------------------------------------------- drive mode
@pytest.fixture
def roads() -> WalkNetwork:
    """0 -(1,000 m, 60 km/h)- 1 -(1,000 m, 30 km/h)- 2, and a direct 0 -(1,500 m, 20 km/h)- 2."""
    x = np.array([X0, X0 + 1000, X0 + 1000])
    y = np.array([Y0, Y0, Y0 + 1000])
    return WalkNetwork(node_ids=np.arange(3), x=x, y=y, crs=UTM, u=np.array([0, 1, 0]), v=np.array([1, 2, 2]),
                       length_m=np.array([1000.0, 1000.0, 1500.0]), mode="drive", speed_kmh=np.array([60.0, 30.0, 20.0]))


def test_drive_mode_takes_the_fastest_road_not_the_shortest(roads: WalkNetwork) -> None:
    demand = layer([("D", X0 - 10, Y0, "140105", 10.0)])
    facility = layer([("H", X0 + 1000, Y0 + 1000, "140105", None)])
    res = walking_access(demand, facility, network=roads, threshold_min=3.2)
    # 1 min + 2 min along the roads (the 1,500 m direct road takes 4.5 min), plus a 10 m walk at 4 km/h
    expected = 1.0 + 2.0 + 10 / (4000 / 60)
    assert res.points["minutes"].iloc[0] == pytest.approx(expected)
    assert res.points["covered"].iloc[0]
    assert np.isnan(res.points["distance_m"].iloc[0])  # the fastest path is not the shortest: no distance claimed
    assert TravelCost(network=roads).matrix(demand, facility)[0, 0] == pytest.approx(expected)
    # independent check: networkx on the same roads weighted by minutes
    g = nx.Graph()
    for a, b, length, kmh in zip(roads.u, roads.v, roads.length_m, roads.speed_kmh, strict=True):
        g.add_edge(int(a), int(b), minutes=length / (kmh * 1000 / 60))
    assert nx.dijkstra_path_length(g, 0, 2, weight="minutes") == pytest.approx(3.0)
    assert res.params["network_mode"] == "drive" and res.params["leg_speed_kmh"] == 4.0
    assert res.covered_area is not None and len(res.covered_area) == 1


def test_a_target_names_its_travel_mode_and_gets_the_network_of_that_mode(tmp_path, hand_case, roads) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(
        """
[[target]]
id = "hospital_30min"
name_zh = "30 分钟车程"
name_en = "30-minute drive"
quantity = "fitness_walk_share"
level = "county"
comparator = ">="
threshold = 0.9
params = { threshold_min = 30, mode = "drive" }
""",
        encoding="utf-8",
    )
    targets = load_targets(path)
    assert travel_modes(targets) == {"walk", "drive"}
    layers = {k: v for k, v in hand_case.items() if k in ("residential", "fitness")}
    result = analyse(layers, targets=targets).walk_result("fitness_walk_share")
    assert result.params["travel_mode"] == "drive" and result.params["speed_kmh"] == 30.0  # distance mode by car
    with_roads = analyse(layers, targets=targets, network={"drive": roads}).walk_result("fitness_walk_share")
    assert with_roads.mode == "network" and with_roads.params["network_mode"] == "drive"


# --------------------------------------------------------------------------- where the network stops
def test_a_unit_the_network_barely_reaches_is_not_judged() -> None:
    network = WalkNetwork.from_arrays([X0, X0 + 100], [Y0, Y0], [0], [1], crs=UTM)
    on = [(f"D{i}", X0 + 10 * i, Y0 + 5, "140105", 10.0) for i in range(9)]
    off = [("far", X0 + 20_000, Y0, "140105", 10.0)]  # 1 of 10 points beyond the snap limit: 90 % reached
    demand = layer(on + off)
    facilities = layer([("F", X0, Y0, "140105", None), ("G", JINYUAN_UTM.x, JINYUAN_UTM.y, "140110", None)])
    res = walking_access(demand, facilities, network=network)
    table = network_coverage(res, "county")
    assert table.loc["140105", "points_off_network"] == 1
    assert table.loc["140105", "network_share"] == pytest.approx(0.9)
    assert table.loc["140110", "facilities_off_network"] == 1 and table.loc["140110", "network_share"] == 0.0
    target = next(t for t in load_targets() if t.id == "fitness_15min")
    quantities = pd.DataFrame({
        "level": "county", "unit_code": ["140105", "140106"], "unit_name": ["小店区", "迎泽区"],
        "quantity": "fitness_walk_share", "params_key": [target.params_key()] * 2, "period": None,
        "value": [0.9, 0.5], "numerator": np.nan, "denominator": np.nan, "network_share": [0.90, 0.99],
    })
    ev = evaluate([target], quantities).set_index("unit_code")
    assert ev.loc["140105", "status"] == "no_network" and pd.isna(ev.loc["140105", "met"])
    assert ev.loc["140106", "status"] == "not_met"
    assert ev.loc["140105", "network_share"] == pytest.approx(0.90)
    looser = load_targets(overrides={"fitness_15min": {"params": {"network_min_share": 0.85}}})
    ev2 = evaluate([t for t in looser if t.id == "fitness_15min"], quantities).set_index("unit_code")
    assert ev2.loc["140105", "status"] == "not_met"  # judged now: 90 % is under the 95 % target


def test_distance_mode_has_no_network_share(hand_case) -> None:
    layers = {k: v for k, v in hand_case.items() if k in ("residential", "fitness")}
    result = analyse(layers, targets=[t for t in load_targets() if t.id == "fitness_15min"])
    assert "network_share" not in result.evaluation.columns
    assert set(result.evaluation["status"]) <= {"met", "not_met", "no_data"}


def test_points_snap_within_the_limit_only(roads: WalkNetwork) -> None:
    demand = layer([("near", X0 + 1, Y0 + 1, "140105", 1.0), ("far", X0 + 9000, Y0 - 9000, "140105", 1.0)])
    res = walking_access(demand, layer([("H", X0 + 1000, Y0 + 1000, "140105", None)]), network=roads)
    assert res.points["flag"].fillna("").str.contains("snap_too_far").tolist() == [False, True]
    assert Point(X0, Y0).distance(Point(X0 + 1, Y0 + 1)) < 2


def test_rows_without_a_real_position_are_left_out_of_travel_times(hand_case) -> None:
    res = hand_case["residential"].copy()
    urban = res.index[res["urban"].fillna(False).astype(bool)]
    res["located"] = True
    res.loc[urban[0], "located"] = False  # e.g. a census township placed at its county's point
    targets = [t for t in load_targets() if t.id == "fitness_15min"]
    result = analyse({"residential": res, "fitness": hand_case["fitness"]}, targets=targets)
    points = result.walk_result("fitness_walk_share").points
    assert list(points.index) == list(urban[1:])
