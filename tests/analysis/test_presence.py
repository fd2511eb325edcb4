"""Presence rules ("every <level> has at least N <kind> [with …] [where population ≥ P]"), checked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import XIAODIAN_UTM, _layer, lonlat

from sxgeo.analysis.presence import presence_sites
from sxgeo.analysis.run import analyse
from sxgeo.errors import TargetError
from sxgeo.io.targets import load_targets

RULES = """
[[task]]
id = "11"
name_zh = "任务 11"
name_en = "Task 11"

[[target]]
id = "library"
rule = "presence"
name_zh = "区县有图书馆"
name_en = "A library in every county"
level = "county"
kind = "culture"
where = { venue_kind = "library" }
task = "11"
source_zh = "公共图书馆法"
source_en = "Public Library Law"

[[target]]
id = "two_libraries"
rule = "presence"
name_zh = "区县有两所图书馆"
name_en = "Two libraries in every county"
level = "county"
kind = "culture"
where = { venue_kind = "library" }
min_count = 2

[[target]]
id = "station"
rule = "presence"
name_zh = "乡镇有综合文化站"
name_en = "A cultural station in every township"
level = "township"
scope = ["镇", "乡"]
kind = "culture"
where = { venue_kind = "cultural_station" }

[[target]]
id = "special_school"
rule = "presence"
name_zh = "人口多的县有特教学校"
name_en = "A special school in populous counties"
level = "county"
kind = "special_education"
where = { school_kind = "special" }
min_population = 3000
assumption = true

[[target]]
id = "emergency"
rule = "presence"
name_zh = "每市有应急基地"
name_en = "An emergency base in every city"
level = "city"
kind = "hospitals"
where = { emergency_base = true }

[[target]]
id = "child_welfare"
rule = "presence"
name_zh = "每市有儿童福利机构"
name_en = "A child-welfare institution in every city"
level = "city"
kind = "child_welfare"
where = { admin_level = "city" }
"""

# Residents (hand_case): R1 1,000 in 小店区 (140105) township 140105100; R2 3,000 in 140105201 (1 km east of R1);
# R3 500 in 晋源区 (140110), township 140110102.  小店区: 4,000 residents; 晋源区: 500; every other county: 0.


@pytest.fixture(scope="module")
def case(hand_case, tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    x0 = lonlat(XIAODIAN_UTM)
    culture = _layer(
        [
            {"编号": "L1", "名称": "小店区图书馆", "类型": "图书馆", "级别": "县级", "经度": x0[0], "纬度": x0[1]},
            {"编号": "S1", "名称": "甲镇文化站", "类型": "综合文化站", "乡镇代码": "140105100", "经度": x0[0], "纬度": x0[1]},
            # no coordinates, but its township is known: it counts for its township and county
            {"编号": "S2", "名称": "乙乡文化站", "类型": "综合文化站", "乡镇代码": "140105201", "区县代码": "140105"},
            {"编号": "M1", "名称": "博物馆", "类型": "博物馆", "经度": x0[0], "纬度": x0[1]},
        ],
        "culture",
    )
    hospitals = _layer(
        [
            {"编号": "H1", "名称": "太原应急医院", "等级": "三甲", "公共卫生应急基地": "是", "经度": x0[0], "纬度": x0[1]},
            {"编号": "H2", "名称": "普通医院", "等级": "二级", "公共卫生应急基地": "否", "经度": x0[0], "纬度": x0[1]},
        ],
        "hospitals",
    )
    layers = {"residential": hand_case["residential"], "culture": culture, "hospitals": hospitals,
              "special_education": _layer([{"编号": "T1", "名称": "寄宿学校", "类型": "寄宿制学校",
                                            "经度": x0[0], "纬度": x0[1]}], "special_education")}
    targets = load_targets(path)
    return analyse(layers, targets=targets), targets


def _status(ev, target, code):
    row = ev[(ev["target_id"] == target) & (ev["unit_code"] == code)]
    assert len(row) == 1, (target, code)
    return row.iloc[0]


def test_county_rule_counts_matching_facilities_only(case):
    a, _ = case
    ev = a.evaluation
    lib = ev[ev["target_id"] == "library"]
    assert len(lib) == 117  # every county is judged
    assert _status(ev, "library", "140105")["status"] == "met"  # L1 (the museum does not count)
    assert _status(ev, "library", "140105")["value"] == 1
    assert set(lib.loc[lib["unit_code"] != "140105", "status"]) == {"not_met"}
    # min_count 2: one library is not enough, one more is needed
    assert _status(ev, "two_libraries", "140105")["status"] == "not_met"
    gaps = a.presence_gaps("two_libraries").set_index("unit_code")
    assert gaps.at["140105", "needed"] == 1 and gaps.at["140110", "needed"] == 2
    # gap lists are most populous first: 小店区 (4,000) then 晋源区 (500)
    assert a.presence_gaps("library")["unit_code"].iloc[0] == "140110"
    assert a.presence_gaps("two_libraries")["unit_code"].tolist()[:2] == ["140105", "140110"]


def test_township_rule_counts_rows_without_coordinates_and_keeps_scope(case):
    a, _ = case
    ev = a.evaluation
    assert _status(ev, "station", "140105100")["status"] == "met"
    assert _status(ev, "station", "140105201")["status"] == "met"  # S2 has no location but a township
    st = ev[ev["target_id"] == "station"]
    assert set(st["unit_kind"]) <= {"镇", "乡"}  # 街道 are outside the rule's scope
    assert (st["status"] == "not_met").sum() == len(st) - 2
    gaps = a.presence_gaps("station")
    assert set(gaps["unit_kind"]) <= {"镇", "乡"} and len(gaps) == len(st) - 2


def test_population_threshold_makes_small_units_not_applicable(case):
    a, targets = case
    ev = a.evaluation
    assert next(t for t in targets if t.id == "special_school").assumption
    # 小店区 has 4,000 >= 3,000 residents and only a boarding school: not met
    row = _status(ev, "special_school", "140105")
    assert row["status"] == "not_met" and row["value"] == 0
    # 晋源区 (500) and counties without residents are under the threshold: not judged either way
    assert _status(ev, "special_school", "140110")["status"] == "not_applicable"
    assert pd.isna(_status(ev, "special_school", "140110")["met"])
    sub = ev[ev["target_id"] == "special_school"]
    assert (sub["status"] == "not_applicable").sum() == 116
    assert a.presence_gaps("special_school")["unit_code"].tolist() == ["140105"]


def test_without_residents_a_population_rule_judges_only_the_units_that_meet_it(case, tmp_path):
    # no residential layer: the populations are unknown; a county with a special school meets the rule whatever its
    # size, one without may be too small for it: no data, never "not met"
    x0 = lonlat(XIAODIAN_UTM)
    school = _layer([{"编号": "T2", "名称": "特教学校", "类型": "特殊教育学校", "经度": x0[0], "纬度": x0[1]}],
                    "special_education")
    _, targets = case
    rule = [t for t in targets if t.id == "special_school"]
    ev = analyse({"special_education": school}, targets=rule).evaluation
    assert _status(ev, "special_school", "140105")["status"] == "met"
    assert set(ev.loc[ev["unit_code"] != "140105", "status"]) == {"no_data"}


def test_boolean_filter_and_city_level(case):
    a, _ = case
    ev = a.evaluation
    assert _status(ev, "emergency", "140100")["status"] == "met"  # H1 is an emergency base in 太原
    assert _status(ev, "emergency", "140200")["status"] == "not_met"
    assert len(ev[ev["target_id"] == "emergency"]) == 11


def test_a_kind_without_a_layer_gives_no_data_never_not_met(case):
    a, _ = case
    sub = a.evaluation[a.evaluation["target_id"] == "child_welfare"]
    assert len(sub) == 11 and set(sub["status"]) == {"no_data"}
    assert a.presence_gaps("child_welfare").empty


def test_sites_are_the_population_weighted_median(case, hand_case):
    a, _ = case
    gaps = a.presence_gaps("special_school")
    # Residents of 小店区: R1 1,000 at x0 and R2 3,000 at x0 + 1 km.  Weighted distance of a site at R1:
    # 3,000 x 1,000 m = 3.0e6; at R2: 1,000 x 1,000 m = 1.0e6 -> R2, mean 1.0e6 / 4,000 = 250 m.
    sites = presence_sites(gaps, "county", hand_case["residential"])
    assert sites["site_id"].tolist() == ["R2"] and sites["basis"].tolist() == ["central_demand"]
    assert sites["mean_distance_m"].iat[0] == pytest.approx(250.0, abs=1.0)
    # Candidates C1 at x0 + 500 m: 1,000 x 500 + 3,000 x 500 = 2.0e6; C2 at x0 + 900 m: 1,000 x 900 + 3,000 x 100
    # = 1.2e6 -> C2, mean 300 m.  A candidate of another county is never chosen.
    cands = _layer(
        [{"编号": c, "名称": c, "类型": "特殊教育学校", "经度": lonlat(XIAODIAN_UTM, dx, 0)[0],
          "纬度": lonlat(XIAODIAN_UTM, dx, 0)[1]} for c, dx in (("C1", 500), ("C2", 900))]
        + [{"编号": "C9", "名称": "C9", "类型": "特殊教育学校", "经度": 112.49, "纬度": 37.72}],
        "special_education",
    )
    sites = presence_sites(gaps, "county", hand_case["residential"], cands)
    assert sites["site_id"].tolist() == ["C2"] and sites["basis"].tolist() == ["candidate"]
    assert sites["mean_distance_m"].iat[0] == pytest.approx(300.0, abs=2.0)
    assert math.isclose(sites.geometry.iat[0].x, cands.geometry.iat[1].x)


@pytest.mark.parametrize(
    ("change", "bad", "field"),
    [
        ('kind = "culture"', 'kind = "theatres"', "kind"),
        ('where = { venue_kind = "library" }', 'where = { colour = "red" }', "where"),
        ('where = { venue_kind = "library" }', 'where = { venue_kind = "cinema" }', "where.venue_kind"),
        ('where = { venue_kind = "library" }', 'where = { venue_kind = "library" }\nmin_count = 0', "min_count"),
        ('task = "11"', 'task = "11"\nmin_population = "many"', "min_population"),
        ('level = "county"', 'level = "province"', "level"),
        ('task = "11"', 'task = "99"', "task"),
        ('kind = "culture"\n', "", "kind"),
    ],
)
def test_a_malformed_rule_names_the_rule_and_the_field(tmp_path, change, bad, field):
    rule = RULES.split("[[target]]")[0] + "[[target]]" + RULES.split("[[target]]")[1]
    assert change in rule
    path = tmp_path / "bad.toml"
    path.write_text(rule.replace(change, bad, 1), encoding="utf-8")
    with pytest.raises(TargetError) as err:
        load_targets(path)
    for lang in ("zh", "en"):
        message = err.value.message(lang)
        assert "\n" not in message and "bad.toml [library]" in message and field in message, message


def test_the_bundled_rules_name_their_source_and_task():
    targets = load_targets()
    presence = [t for t in targets if t.is_presence]
    ids = {t.id for t in presence}
    assert {"health_centre_per_township", "county_library", "county_cultural_centre", "cultural_station_per_township",
            "special_school_per_county", "child_welfare_per_city", "kg_public_per_township"} <= ids
    for tg in targets:
        assert tg.task, tg.id
        assert tg.source("zh") and tg.source("en"), tg.id
    special = next(t for t in presence if t.id == "special_school_per_county")
    assert special.params["min_population"] == 300000 and special.level == "county"
