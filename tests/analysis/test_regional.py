"""The regional medical projects scenario: hand-checked drive-time reach, a networkx reference, and the scenario file."""

from __future__ import annotations

import networkx as nx
import pytest
import regional_case as rc
from shapely.geometry import Point

from sxgeo.analysis.regional import (
    DEFAULT_SCENARIO,
    QUANTITY,
    RegionalScenarioError,
    load_regional_scenario,
    regional_reach,
    scenario_targets,
)
from sxgeo.errors import TargetError


@pytest.fixture(scope="module")
def reach(tmp_path_factory):
    scenario = load_regional_scenario(rc.write_scenario(tmp_path_factory.mktemp("regional")))
    return regional_reach(rc.layers(), scenario, network={"drive": rc.network()})


# Minutes to the nearest 三级 hospital, worked out by hand from the roads of tests/regional_case.py.
# Before (only H0 at A; H1 at F is 二级 and never serves):
#   A 0 | B 30 (A-B) | C 70 (A-B-C 30+40; the direct A-C road takes 100) | D 125 (70+55) | H 255 (125+130)
#   E 100 (A-E) | F 145 (100+45) | G 225 (145+80)
# After (H0 at A, P2 at D, P1 at E):
#   A 0 | B 30 (from A; from D 55+40 = 95) | C 55 (from D) | D 0 | H 130 (from D)
#   E 0 | F 45 (from E) | G 125 (from E)
# Residents in reach (≤ 60 / ≤ 120 minutes):
#   盐湖区 R6 4,000 (A) + R1 1,000 (B) = 5,000: before 5,000 / 5,000; after 5,000 / 5,000
#   夏县   R2 2,000 (C) + R3 1,500 (D) + R8 200 (H) = 3,700:
#          before 60: 0; 120: 2,000 (R2 at 70)   after 60: 3,500 (R2 55, R3 0); 120: 3,500 (R8 at 130 still out)
#   尧都区 R4 3,000 (E) + R5 1,500 (F) + R7 600 (G) = 5,100:
#          before 60: 0; 120: 3,000 (R4 at 100)  after 60: 4,500 (R4 0, R5 45); 120: 4,500 (R7 at 125 still out)
#   运城市 = 盐湖区 + 夏县 = 8,700: before 60: 5,000, 120: 7,000; after 8,500 / 8,500
#   临汾市 = 尧都区 = 5,100
#   province 13,800: before 60: 5,000, 120: 10,000; after 13,000 / 13,000
HAND = {
    # (level, unit, minutes): (population, covered before, covered after)
    ("province", "140000", 60): (13800, 5000, 13000),
    ("province", "140000", 120): (13800, 10000, 13000),
    ("city", "140800", 60): (8700, 5000, 8500),
    ("city", "140800", 120): (8700, 7000, 8500),
    ("city", "141000", 60): (5100, 0, 4500),
    ("city", "141000", 120): (5100, 3000, 4500),
    ("county", "140802", 60): (5000, 5000, 5000),
    ("county", "140802", 120): (5000, 5000, 5000),
    ("county", "140828", 60): (3700, 0, 3500),
    ("county", "140828", 120): (3700, 2000, 3500),
    ("county", "141002", 60): (5100, 0, 4500),
    ("county", "141002", 120): (5100, 3000, 4500),
}


def test_the_reach_per_county_city_and_province_matches_the_hand_figures(reach):
    table = reach.table
    got = {(r.level, r.unit_code, int(r.threshold_min)): (r.population, r.covered_before, r.covered_after)
           for r in table.itertuples()}
    assert got == HAND  # only units with residents, every level and drive time
    for r in table.itertuples():
        pop, before, after = HAND[(r.level, r.unit_code, int(r.threshold_min))]
        assert r.share_before == pytest.approx(before / pop)
        assert r.share_after == pytest.approx(after / pop)
        assert r.gain == pytest.approx((after - before) / pop)
    assert list(table["level"].drop_duplicates()) == ["province", "city", "county"]
    assert reach.mode == "network"


def test_the_reach_is_the_target_computation_with_the_scenarios_parameters(reach):
    targets = scenario_targets(reach.scenario)
    assert {(tg.level, tg.params["threshold_min"]) for tg in targets} == {
        (level, m) for level in ("province", "city", "county") for m in (60.0, 120.0)
    }
    for tg in targets:
        assert tg.quantity == QUANTITY == "hospital_drive_share"
        assert tg.params == {"threshold_min": tg.params["threshold_min"], "mode": "drive", "min_level": 3,
                             "urban_only": False}
    # the planned sites were added to the hospitals layer, flagged as planned
    hospitals = reach.after.walk_result(QUANTITY, "regional_county_120").facilities
    assert sorted(hospitals["id"]) == ["H0", "P1", "P2"]  # H1 (二级) does not serve


def test_the_covered_residents_match_networkx_shortest_paths(reach):
    """Independent reference: networkx Dijkstra on the same edge list, weighted by minutes."""
    g = nx.Graph()
    for a, b, metres, kmh in rc.EDGES:
        g.add_edge(a, b, minutes=metres / (kmh * 1000 / 60))
    sources = {"before": {"A"}, "after": {"A", "D", "E"}}
    for when, analysis in (("before", reach.before), ("after", reach.after)):
        minutes = nx.multi_source_dijkstra_path_length(g, sources[when], weight="minutes")
        for m in (60, 120):
            points = analysis.walk_result(QUANTITY, f"regional_county_{m}").points.set_index("id")
            expected = {rid for rid, (node, _) in rc.RESIDENTS.items() if minutes[node] <= m}
            assert set(points.index[points["covered"]]) == expected, (when, m)
            for rid, (node, _) in rc.RESIDENTS.items():
                assert points.loc[rid, "minutes"] == pytest.approx(minutes[node], abs=1e-3), (when, rid)


def test_the_largest_gainers_are_ranked_by_residents_then_share(reach):
    # 120 min: 夏县 +1,500 (2,000 → 3,500 of 3,700: +40.5 points) ties 尧都区 +1,500 (3,000 → 4,500 of 5,100:
    # +29.4 points); the larger share gain ranks first.  盐湖区 gains nothing and is left out.
    top = reach.gainers()
    assert top["county_name"].tolist() == ["夏县", "尧都区"] and top["rank"].tolist() == [1, 2]
    assert top["gain_population"].tolist() == [1500, 1500]
    assert top["gain"].tolist() == pytest.approx([1500 / 3700, 1500 / 5100])
    assert top["city_name"].tolist() == ["运城市", "临汾市"] and set(top["threshold_min"]) == {120.0}
    # 60 min: 尧都区 +4,500 before 夏县 +3,500
    at60 = reach.gainers(None, 60)
    assert at60["county_name"].tolist() == ["尧都区", "夏县"] and at60["gain_population"].tolist() == [4500, 3500]
    assert reach.gainers(1)["county_name"].tolist() == ["夏县"]


def test_the_counties_still_outside_the_largest_catchment(reach):
    # after: R7 (尧都区, 600) at 125 min and R8 (夏县, 200) at 130 min stay beyond 120 min
    out = reach.outside()
    assert out["county_name"].tolist() == ["尧都区", "夏县"]
    assert out["population_outside"].tolist() == [600, 200]
    assert out["share_outside"].tolist() == pytest.approx([600 / 5100, 200 / 3700])
    assert set(out["threshold_min"]) == {120.0}


def test_without_a_hospitals_layer_before_is_no_data(tmp_path):
    scenario = load_regional_scenario(rc.write_scenario(tmp_path))
    reach = regional_reach({"residential": rc.layers()["residential"]}, scenario, network={"drive": rc.network()})
    county = reach.at("county", 120).set_index("unit_code")
    assert county["share_before"].isna().all() and county["covered_before"].isna().all()
    # after: only the planned sites (D, E) serve: 夏县 C 55, D 0 in reach; 尧都区 E 0, F 45 in reach; 盐湖区: A is
    # 100 min from E and B 95 from D (both ≤ 120), so at 120 min all 5,000 of 盐湖区 are in reach, at 60 none
    assert county.loc["140802", "covered_after"] == 5000 and county.loc["140828", "covered_after"] == 3500
    assert reach.at("county", 60).set_index("unit_code").loc["140802", "covered_after"] == 0
    assert reach.gainers().empty


# --------------------------------------------------------------------------- the shipped scenario file
def test_the_shipped_scenario_has_one_approximate_site_in_each_of_the_four_cities(counties):
    scenario = load_regional_scenario()
    sites = scenario.sites
    assert len(sites) == 4 and scenario.path == DEFAULT_SCENARIO
    assert sorted(sites["city_code"]) == ["140200", "140400", "140800", "141000"]  # 大同, 长治, 运城, 临汾
    assert sites["approximate"].all() and sites["located"].all()
    assert set(sites["hospital_level"]) == {"level3"} and set(sites["admin_tier"]) == {"province"}
    assert scenario.min_level == 3 and scenario.thresholds_min == (60.0, 120.0)
    assert "近似" in scenario.position_note("zh") and "pproximate" in scenario.position_note("en")
    assert scenario.title("zh") != scenario.title("en") and scenario.clause("en") and scenario.source("zh")
    # each point lies inside a county of its own city: checked against the polygons directly
    for site in sites.itertuples():
        inside = counties[counties.contains(Point(site.lon, site.lat))]
        assert len(inside) == 1 and inside["city_code"].iat[0] == site.city_code, site.id
        assert "近似" in site.name and site.id.endswith(site.city_code)


# --------------------------------------------------------------------------- malformed files
def _write(tmp_path, text: str):
    path = tmp_path / "bad_regional.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path) -> RegionalScenarioError:
    with pytest.raises(RegionalScenarioError) as info:
        load_regional_scenario(path)
    assert isinstance(info.value, TargetError)
    for lang in ("zh", "en"):
        assert "\n" not in info.value.message(lang)
    return info.value


def test_a_site_without_lon_names_the_file_the_site_and_the_field(tmp_path):
    text = rc.SCENARIO.replace(f"lon = {rc.NODES['D'][0]}\n", "", 1)
    err = _error(_write(tmp_path, text))
    assert err.key == "regional.err.missing"
    for lang in ("zh", "en"):
        msg = err.message(lang)
        assert "bad_regional.toml" in msg and "P2" in msg and "lon" in msg and "lat" not in msg.split("P2")[1]


def test_an_unknown_hospital_level_names_the_file_the_site_and_the_field(tmp_path):
    text = rc.SCENARIO.replace('hospital_level = "三级"', 'hospital_level = "四级"', 1)
    err = _error(_write(tmp_path, text))
    assert err.key == "regional.err.choice"
    msg = err.message("zh")
    assert "bad_regional.toml" in msg and "P1" in msg and "hospital_level" in msg and "四级" in msg
    assert "三级" in msg  # the accepted words are listed
    assert "hospital_level" in err.message("en") and "P1" in err.message("en")


def test_a_level_below_the_scenarios_level_or_a_site_outside_its_city_is_refused(tmp_path):
    low = _error(_write(tmp_path, rc.SCENARIO.replace('hospital_level = "三级"', 'hospital_level = "二级"', 1)))
    assert low.key == "regional.err.level_low" and "P1" in str(low) and "hospital_level" in str(low)
    assert "二级" in str(low) and "三级" in str(low) and "level 3" in low.message("en")
    # P2 lies in 夏县 (运城): declared as 临汾 it is refused, naming the coordinates and the county found
    wrong = _error(_write(tmp_path, rc.SCENARIO.replace('city_code = "140800"', 'city_code = "141000"', 1)))
    assert wrong.key == "regional.err.outside_city"
    assert "P2" in str(wrong) and "lon, lat" in str(wrong) and "夏县" in str(wrong) and "临汾市" in str(wrong)
    # a point outside Shanxi cannot be used at all
    far = _error(_write(tmp_path, rc.SCENARIO.replace(f"lon = {rc.NODES['E'][0]}", "lon = 100.0", 1)))
    assert far.key == "regional.err.rejected" and "P1" in far.message("en") and "lon, lat" in far.message("en")


def test_scenario_level_fields_are_checked(tmp_path):
    err = _error(_write(tmp_path, rc.SCENARIO.replace("thresholds_min = [60, 120]", "thresholds_min = [60, -5]")))
    assert err.key == "regional.err.thresholds" and "thresholds_min" in str(err) and "bad_regional.toml" in str(err)
    err = _error(_write(tmp_path, rc.SCENARIO.replace("min_level = 3", "min_level = 4")))
    assert err.key == "regional.err.choice" and "min_level" in str(err)
    err = _error(_write(tmp_path, rc.SCENARIO.replace('lat = 35.1\n', 'lat = "北纬35.1"\n', 1)))
    assert err.key == "regional.err.number" and "P2" in str(err) and "lat" in str(err)
    assert _error(tmp_path / "missing.toml").key == "regional.err.not_found"
    err = _error(_write(tmp_path, rc.SCENARIO.replace('id = "P2"', 'id = "P1"')))
    assert err.key == "regional.err.duplicate" and "P1" in str(err)
    err = _error(_write(tmp_path, rc.SCENARIO.replace("approximate = true", "colour = 1\napproximate = true", 1)))
    assert err.key == "regional.err.unknown_fields" and "colour" in str(err) and "P1" in str(err)
