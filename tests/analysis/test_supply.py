"""Capacity measures on layers: a hand-checked case in distance mode, the gap list, equity and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import XIAODIAN_UTM, lonlat

from sxgeo.analysis.supply import capacity_access
from sxgeo.io import load_layer

# Walking at 4 km/h with a detour factor of 1.0: 1,000 m is 15 minutes.
KM15 = 1000.0


def _layers(places=("100", "60"), with_ages=True):
    res_rows = [
        # id, township, urban, population, children 3-5, position (metres east of the anchor)
        ("R1", "140105001", "城镇", 1000, 40, 0.0),
        ("R2", "140105001", "城镇", 1000, 60, 400.0),
        ("R3", "140105100", "农村", 500, 50, 1400.0),
        ("R4", "140105100", "农村", 500, 50, 5000.0),  # reaches no kindergarten
    ]
    rows = []
    for rid, tw, urban, pop, kids, dx in res_rows:
        lon, lat = lonlat(XIAODIAN_UTM, dx, 0)
        row = {"编号": rid, "名称": rid, "乡镇代码": tw, "城乡": urban, "人口": pop, "经度": lon, "纬度": lat}
        if with_ages:
            row["3-5岁人口"] = kids
        rows.append(row)
    kg_rows = []
    for kid, seats, dx in (("K1", places[0], 200.0), ("K2", places[1], 1200.0), ("K3", "", 9000.0)):
        lon, lat = lonlat(XIAODIAN_UTM, dx, 0)
        kg_rows.append({"编号": kid, "名称": kid, "性质": "公办", "学位数": seats, "经度": lon, "纬度": lat})
    return {
        "residential": load_layer(pd.DataFrame(rows), "residential").layer,
        "kindergartens": load_layer(pd.DataFrame(kg_rows), "kindergartens").layer,
    }


def test_two_step_on_layers_hand_checked():
    # distances (m): R1-K1 200, R1-K2 1200; R2-K1 200, R2-K2 800; R3-K1 1200, R3-K2 200; R4 none within 1,000 m
    # within 1,000 m: K1 <- R1, R2 (100 children): 100 seats / 100; K2 <- R2, R3 (110 children): 60 / 110
    r = capacity_access(_layers(), "kindergartens", catchment_min=15, detour_factor=1.0, threshold=800.0)
    score = r.points.set_index("id")["score"]
    assert score["R1"] == pytest.approx(1000.0)  # seats per 1,000 children
    assert score["R2"] == pytest.approx(1000.0 + 60 / 110 * 1000)
    assert score["R3"] == pytest.approx(60 / 110 * 1000)
    assert score["R4"] == 0.0
    assert r.points.set_index("id")["supply_in_reach"].tolist() == [100.0, 160.0, 60.0, 0.0]
    assert r.facilities.set_index("id")["capacity_status"].tolist() == ["ok", "ok", "capacity_unknown"]
    assert ("cap_unknown_capacity", {"n": 1, "column": "places"}) in r.warnings
    tw = r.by_area("township")
    # 坞城街道: 100 children, every seat of K1 and 60/110 of K2's reach them: 100 + 60 × 60/110
    assert tw.at["140105001", "reached"] == pytest.approx(100 + 60 * 60 / 110)
    assert tw.at["140105001", "mean_score"] == pytest.approx((40 * 1000 + 60 * (1000 + 60 / 110 * 1000)) / 100)
    assert tw.at["140105001", "shortfall"] == 0.0
    # 北格镇: 100 children need 80 seats; 50 × 60/110 seats reach them
    assert tw.at["140105100", "needed"] == pytest.approx(80.0)
    assert tw.at["140105100", "shortfall"] == pytest.approx(80 - 50 * 60 / 110)
    assert tw.at["140105100", "share_below"] == 1.0
    gaps = r.gap_list()
    assert gaps["township_code"].tolist() == ["140105100"] and gaps["rank"].tolist() == [1]
    # placed at the children-weighted centre of R3 (1,400 m) and R4 (5,000 m): 3,200 m east of the anchor
    centre = gaps.to_crs(32649).geometry.iat[0]
    assert (centre.x - XIAODIAN_UTM.x, centre.y - XIAODIAN_UTM.y) == pytest.approx((3200.0, 0.0), abs=0.01)
    # conservation: all reachable seats are attributed to someone
    assert r.by_area("province")["reached"].iat[0] == pytest.approx(160.0)


def test_equity_and_urban_rural_split():
    r = capacity_access(_layers(), "kindergartens", catchment_min=15, detour_factor=1.0, threshold=800.0)
    eq = r.equity("county").loc["140105"]
    urban = (40 * 1000 + 60 * (1000 + 60 / 110 * 1000)) / 100
    rural = (50 * 60 / 110 * 1000 + 50 * 0) / 100
    assert eq["urban_mean"] == pytest.approx(urban) and eq["rural_mean"] == pytest.approx(rural)
    assert eq["urban_rural_ratio"] == pytest.approx(urban / rural)
    assert eq["fgt0"] == pytest.approx(100 / 200)  # the rural children are below 800
    assert 0 < eq["theil_between_share"] <= 1 and 0 < eq["gini"] < 1
    assert r.bottom_townships(0.1).index.tolist() == ["140105100"]


def test_methods_and_missing_ages():
    layers = _layers(with_ages=False)
    r = capacity_access(layers, "kindergartens", method="e2sfca", catchment_min=15, detour_factor=1.0)
    assert ("cap_age_default", {"column": "pop_3_5", "share": "3.3%"}) in r.warnings
    assert r.points["demand"].tolist() == pytest.approx([33.0, 33.0, 16.5, 16.5])
    g = capacity_access(layers, "kindergartens", method="gravity", catchment_min=15, detour_factor=1.0, beta=1.0)
    # Hansen: Σ seats / max(minutes, 1): R1 reaches K1 at 3 minutes only
    assert g.points["score"].iat[0] == pytest.approx(100 / 3 * 1000, rel=1e-4)  # 200 m to within a millimetre
    with pytest.raises(ValueError, match="unknown method"):
        capacity_access(layers, "kindergartens", method="magic")
    with pytest.raises(ValueError, match="needs the residential"):
        capacity_access({"residential": layers["residential"]}, "kindergartens")


def test_zero_demand_gives_no_demand_status_not_a_division_by_zero():
    layers = _layers()
    res = layers["residential"].copy()
    res["pop_3_5"] = pd.array([0, 0, 0, 0], dtype="Int64")
    r = capacity_access({**layers, "residential": res}, "kindergartens", catchment_min=15, detour_factor=1.0)
    assert r.facilities["capacity_status"].tolist() == ["no_demand", "no_demand", "capacity_unknown"]
    assert np.isnan(r.facilities["ratio"].iat[0]) and (r.points["score"] == 0).all()
    assert np.isnan(r.by_area("county")["mean_score"].iat[0])


def test_each_planned_site_closes_part_of_the_shortfall():
    from sxgeo.analysis.scenario import shortfall_closed

    layers = _layers()
    # 北格镇 is short of 80 - 50 × 60/110 seats; a 40-seat site next to R4 serves R4's 50 children alone
    lon, lat = lonlat(XIAODIAN_UTM, 5100.0, 0)
    far = load_layer(pd.DataFrame([{"编号": "P1", "名称": "新园", "性质": "公办", "学位数": 40, "经度": lon, "纬度": lat}]),
                     "kindergartens").layer
    lon, lat = lonlat(XIAODIAN_UTM, -3000.0, 0)
    useless = load_layer(pd.DataFrame([{"编号": "P2", "名称": "远园", "性质": "公办", "学位数": 90, "经度": lon, "纬度": lat}]),
                         "kindergartens").layer
    planned = pd.concat([far, useless], ignore_index=True)
    out = shortfall_closed(layers, planned, "kindergartens", 800.0, catchment_min=15, detour_factor=1.0)
    before = 80 - 50 * 60 / 110
    assert out.attrs["shortfall_before"] == pytest.approx(before)
    # with P1, R4's 50 children get 40 seats: 北格镇 reaches 50 × 60/110 + 40 ≥ 80 needed? 67.3 < 80: closes 40
    assert out["id"].tolist() == ["P1", "P2", None]
    assert out["closed"].tolist() == pytest.approx([40.0, 0.0, 40.0])
    assert out["share_closed"].iat[0] == pytest.approx(40.0 / before)
    assert out["supply"].tolist() == [40.0, 90.0, 130.0]


def test_equity_across_townships_weights_each_township_by_its_demand():
    from sxgeo.analysis.equity import gini

    r = capacity_access(_layers(), "kindergartens", catchment_min=15, detour_factor=1.0, threshold=800.0)
    tw = r.by_area("township")
    eq = r.equity("county").loc["140105"]
    # two townships of 100 children each: their mean scores, equally weighted
    means = tw.loc[["140105001", "140105100"], "mean_score"].to_numpy()
    assert eq["gini_townships"] == pytest.approx(gini(means, [100, 100]))
    assert eq["gini_townships"] == pytest.approx(abs(means[0] - means[1]) / (2 * 2 * means.mean()))


def test_capacity_sites_choose_where_the_people_short_are_and_measure_again():
    from sxgeo.analysis.capacity_siting import capacity_sites

    layers = _layers()
    # people short of 800 seats per 1,000: R3 50 × (1 - 545.45/800) = 15.9, R4 50 (reaches nothing)
    out = capacity_sites(layers, "kindergartens", ["140105"], 1, 40.0, threshold=800.0, catchment_min=15,
                         detour_factor=1.0)
    assert out.short_before == pytest.approx(50 * (1 - (60 / 110 * 1000) / 800) + 50)
    # one 40-seat site: at R4 (serving its 50 short children costs nothing; at R3 they would walk 54 minutes)
    r4 = layers["residential"].set_index("id").geometry["R4"]
    assert out.sites["id"].tolist() == ["NEW-1"] and out.sites.geometry.iat[0].distance(r4) < 1e-9
    assert out.sites["served"].tolist() == pytest.approx([40.0]) and out.sites["mean_minutes"].tolist() == [0.0]
    assert out.unserved == pytest.approx(out.short_before - 40.0)
    # measured again with the site open: R4's 50 children share 40 seats (800 per 1,000: not below any more)
    cmp = out.comparison.set_index("unit_code")
    before, after = 80 - 50 * 60 / 110, 80 - (50 * 60 / 110 + 40)
    assert cmp.at["140105", "shortfall_before"] == pytest.approx(before)
    assert cmp.at["140105", "shortfall_after"] == pytest.approx(after)
    assert cmp.at["all", "share_below_before"] == pytest.approx(100 / 200)
    assert cmp.at["all", "share_below_after"] == pytest.approx(50 / 200)  # R3 only
    assert cmp.at["all", "gini_after"] < cmp.at["all", "gini_before"]


def test_points_missing_their_age_count_use_the_default_share_never_zero():
    layers = _layers()
    res = layers["residential"].copy()
    res["pop_3_5"] = pd.array([40, None, 50, 50], dtype="Int64")
    r = capacity_access({**layers, "residential": res}, "kindergartens", catchment_min=15, detour_factor=1.0)
    assert r.points["demand"].tolist() == pytest.approx([40.0, 1000 * 0.033, 50.0, 50.0])
    assert ("cap_age_default_rows", {"column": "pop_3_5", "share": "3.3%", "n": 1}) in r.warnings
