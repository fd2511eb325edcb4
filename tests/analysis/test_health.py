"""Health care circles: the 15-minute medical circle (urban walking, rural by another mode) and hospital drive times."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import XIAODIAN_UTM, _layer, lonlat
from shapely.geometry import Point

from sxgeo.analysis.run import analyse
from sxgeo.io import load_layer
from sxgeo.io.targets import Target
from sxgeo.layers.network import WalkNetwork


def _target(tid, quantity, level="province", **params):
    return Target(id=tid, name_zh=tid, name_en=tid, quantity=quantity, level=level, comparator=">=", threshold=0.9,
                  params=params)


def _residents(rows):
    return _layer(
        [{"编号": rid, "名称": rid, "类型": "社区" if urban else "村", "城乡": "城镇" if urban else "农村", "人口": pop,
          "经度": lonlat(XIAODIAN_UTM, dx, 0)[0], "纬度": lonlat(XIAODIAN_UTM, dx, 0)[1]} for rid, urban, pop, dx in rows],
        "residential",
    )


def test_medical_circle_walks_in_town_and_drives_in_the_countryside():
    # A clinic at x0.  Straight line x detour 1.0; urban residents walk 4 km/h (15 min = 1 km), rural ones drive
    # 20 km/h (15 min = 5 km).  U1 0.8 km urban: 12 min, covered.  U2 2 km urban: 30 min on foot, NOT covered even
    # though a car would make it.  V1 4 km rural: 12 min by car, covered.  V2 6 km rural: 18 min, not covered.
    # Covered 100 + 300 of 1,000 residents = 40%.
    res = _residents([("U1", True, 100, 800), ("U2", True, 200, 2000), ("V1", False, 300, 4000),
                      ("V2", False, 400, 6000)])
    clinic = _layer([{"编号": "C1", "名称": "卫生室", "类型": "村卫生室", "经度": lonlat(XIAODIAN_UTM)[0],
                      "纬度": lonlat(XIAODIAN_UTM)[1]}], "primary_care")
    tg = _target("m15", "medical_15min_share", threshold_min=15.0, speed_kmh=4.0, mode="walk", urban_only=False,
                 rural_mode="drive", rural_speed_kmh=20.0, detour_factor=1.0)
    a = analyse({"residential": res, "primary_care": clinic}, targets=[tg])
    row = a.evaluation.iloc[0]
    assert row["value"] == pytest.approx(0.4) and row["status"] == "not_met"
    assert (row["numerator"], row["denominator"]) == (400, 1000)
    points = a.walk_result("medical_15min_share").points.set_index("id")
    assert points.loc[["U1", "U2", "V1", "V2"], "minutes"].round(3).tolist() == [12.0, 30.0, 12.0, 18.0]
    # the gap list: the uncovered community and village, most populous first
    assert a.walk_gaps("medical_15min_share")["id"].tolist() == ["V2", "U2"]


def test_a_missing_layer_is_no_data_for_the_circles():
    res = _residents([("U1", True, 100, 800)])
    targets = [_target("m15", "medical_15min_share", threshold_min=15.0, mode="walk", urban_only=False,
                       rural_mode="drive"),
               _target("h30", "hospital_drive_share", threshold_min=30.0, mode="drive", min_level=2, urban_only=False)]
    ev = analyse({"residential": res}, targets=targets).evaluation
    assert set(ev["status"]) == {"no_data"}


def _line_network():
    """21 nodes 1 km apart going east from x0: the first 10 km at 60 km/h, the next 10 km at 20 km/h."""
    n = 21
    x = XIAODIAN_UTM.x + np.arange(n) * 1000.0
    y = np.full(n, XIAODIAN_UTM.y)
    u, v = np.arange(n - 1), np.arange(1, n)
    speed = np.where(u < 10, 60.0, 20.0)
    net = WalkNetwork(node_ids=np.arange(n), x=x, y=y, crs="EPSG:32649", u=u, v=v, length_m=np.full(n - 1, 1000.0),
                      mode="drive", speed_kmh=speed, source="line")
    return net, u, v, speed


def test_hospital_drive_time_on_a_network_matches_networkx():
    # Hospitals: H2 (level 2) at node 0; H1 (level 1) at node 20 and HX (unknown level) at node 12 never count.
    # Drive minutes from node 0: node k <= 10 -> k (1 km at 60 km/h); node 10 + j -> 10 + 3 j.
    # Residents on nodes 5, 11, 12, 20 (100, 200, 300, 400): 5, 13, 16, 40 min -> within 15 min: 300 of 1,000.
    net, u, v, speed = _line_network()
    res = _residents([("P5", False, 100, 5000), ("P11", False, 200, 11000), ("P12", False, 300, 12000),
                      ("P20", False, 400, 20000)])
    hospitals = load_layer(
        pd.DataFrame(
            [{"编号": h, "名称": h, "等级": lvl, "经度": lonlat(XIAODIAN_UTM, dx, 0)[0], "纬度": lonlat(XIAODIAN_UTM, dx, 0)[1]}
             for h, lvl, dx in (("H2", "二级", 0), ("H1", "一级", 20000), ("HX", "特级", 12000))]
        ),
        "hospitals",
    )
    assert hospitals.warnings and hospitals.warnings[0][0] == "warn_category_fallback"  # 特级: kept, with a warning
    assert hospitals.layer.set_index("id").at["HX", "hospital_level"] == "unknown"
    tg = _target("h15", "hospital_drive_share", threshold_min=15.0, mode="drive", min_level=2, urban_only=False)
    a = analyse({"residential": res, "hospitals": hospitals.layer}, targets=[tg], network={"drive": net})
    assert a.evaluation.iloc[0]["value"] == pytest.approx(0.3)
    minutes = a.walk_result("hospital_drive_share").points.set_index("id")["minutes"]
    # independent reference: networkx Dijkstra on a graph built from the same edge list
    g = nx.Graph()
    g.add_weighted_edges_from((int(a_), int(b_), 1000.0 / (s * 1000 / 60)) for a_, b_, s in zip(u, v, speed, strict=True))
    ref = nx.single_source_dijkstra_path_length(g, 0)
    for rid, node in (("P5", 5), ("P11", 11), ("P12", 12), ("P20", 20)):
        assert minutes[rid] == pytest.approx(ref[node], abs=0.01), rid
    assert [ref[k] for k in (5, 11, 12, 20)] == pytest.approx([5, 13, 16, 40])
    # level 1 counts when the target asks for it: P20 is then 0 min from H1; P12 stays out (16 min from H2,
    # 8 km x 3 min/km = 24 min from H1): 100 + 200 + 400 of 1,000 covered
    tg1 = _target("h15", "hospital_drive_share", threshold_min=15.0, mode="drive", min_level=1, urban_only=False)
    a1 = analyse({"residential": res, "hospitals": hospitals.layer}, targets=[tg1], network={"drive": net})
    assert a1.evaluation.iloc[0]["value"] == pytest.approx(0.7)


def test_a_drive_target_counts_hospitals_across_the_border_within_its_reach():
    # The area analysed is a 500 m disc around the resident (its own county plus the margin, in a real run); a level-2
    # hospital 5 km away lies outside it.  Driving 30 min at 30 km/h x detour 1.3 covers 11.5 km of straight line, so
    # the hospital serves the resident: it counts although it lies outside the area.  At 5 min (2.3 km) it does not.
    res = _residents([("R", False, 100, 0)])
    hospital = _layer([{"编号": "H", "名称": "邻县医院", "等级": "二级", "经度": lonlat(XIAODIAN_UTM, 5000, 0)[0],
                        "纬度": lonlat(XIAODIAN_UTM, 5000, 0)[1]}], "hospitals")
    disc = gpd.GeoSeries([Point(XIAODIAN_UTM.x, XIAODIAN_UTM.y).buffer(500)], crs=32649)
    area = disc.to_crs(4326).iloc[0]
    layers = {"residential": res, "hospitals": hospital}
    for minutes, share in ((30.0, 1.0), (5.0, 0.0)):
        tg = _target("h", "hospital_drive_share", threshold_min=minutes, mode="drive", min_level=2, urban_only=False)
        a = analyse(layers, targets=[tg], facility_area=area)
        assert a.evaluation.iloc[0]["value"] == pytest.approx(share), minutes
    assert a.walk_result("hospital_drive_share").points["minutes"].iat[0] > 5
    # the same hospital walked to is outside the area: a walking target does not grow it
    tg = _target("h", "hospital_drive_share", threshold_min=120.0, mode="walk", speed_kmh=4.0, min_level=2,
                 urban_only=False)
    assert analyse(layers, targets=[tg], facility_area=area).evaluation.iloc[0]["value"] == 0
