"""The whole evaluation on the hand-built case, custom targets, scenarios, and the demo data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import XIAODIAN_UTM, lonlat

from sxgeo.analysis.indicators import QUANTITIES
from sxgeo.analysis.run import analyse
from sxgeo.analysis.scenario import planned_from_records, run_scenario
from sxgeo.io.demo import load_demo
from sxgeo.io.targets import DEFAULT_TARGETS, load_targets


def _row(ev, target, unit, period=None):
    rows = ev[(ev["target_id"] == target) & (ev["unit_code"] == unit)]
    if period is not None:
        rows = rows[rows["period"] == period]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture(scope="module")
def hand_analysis(hand_case):
    return analyse(hand_case)


def test_every_target_is_judged_on_the_hand_case(hand_analysis):
    ev = hand_analysis.evaluation
    assert hand_analysis.mode == "distance"
    # kindergartens (see test_indicators for the counts)
    assert _row(ev, "kg_public_per_township", "140105100")["status"] == "met"
    assert _row(ev, "kg_public_per_township", "140105201")["status"] == "not_met"
    assert not (ev[ev["target_id"] == "kg_public_per_township"]["unit_kind"] == "街道").any()
    share = _row(ev, "kg_township_share", "140105")
    assert (share["value"], share["numerator"], share["denominator"]) == (pytest.approx(1 / 3), 1, 3)
    assert _row(ev, "kg_township_share", "140109")["status"] == "no_data"  # 万柏林区 has no 乡镇
    # enrolment: 小店区 220 / 200 children; inclusive 170 / 220
    assert _row(ev, "gross_enrolment", "140105")["value"] == pytest.approx(1.1)
    assert _row(ev, "inclusive_coverage", "140105")["status"] == "not_met"
    assert _row(ev, "gross_enrolment", "140106")["status"] == "no_data"
    # nursing beds: 50/110 meets 45 %, 60/200 does not, and a county without beds has no data
    assert _row(ev, "nursing_beds_county", "140105")["status"] == "met"
    assert _row(ev, "nursing_beds_county", "140110")["status"] == "not_met"
    assert _row(ev, "nursing_beds_county", "140106")["status"] == "no_data"
    assert _row(ev, "nursing_beds_city", "140100")["value"] == pytest.approx(110 / 310)
    # the 15-minute circle counts urban points only: R1 sits on F1 (0 min); 晋源区 has no urban point
    fit = _row(ev, "fitness_15min", "140105")
    assert (fit["value"], fit["status"]) == (1.0, "met")
    assert _row(ev, "fitness_15min", "140110")["status"] == "no_data"
    # construction per year, 2021 up to the latest opening year in the data (2022)
    assert _row(ev, "new_fitness_centres", "140000", 2021)["value"] == 2
    assert _row(ev, "new_fitness_centres", "140000", 2022)["value"] == 0
    assert _row(ev, "new_elderly_sites", "140000", 2021)["value"] == 1  # E4, the only community station
    # no minor-protection layer: no data, neither pass nor fail
    mp = _row(ev, "minor_protection_counties", "140000")
    assert mp["status"] == "no_data" and pd.isna(mp["met"])


def test_indicators_without_a_threshold_are_reported(hand_analysis):
    q = hand_analysis.quantities
    beds = q[(q["quantity"] == "beds_per_100_elderly") & (q["level"] == "county")].set_index("unit_code")
    assert beds.loc["140105", "value"] == pytest.approx(110 / 700 * 100)  # 110 beds, 700 residents aged 60+
    assert np.isnan(beds.loc["140106", "value"])
    homes = q[q["quantity"] == "mutual_aid_homes"].set_index("unit_code")
    assert homes.loc["140105201", "value"] == 1 and homes["value"].sum() == 1


def test_gap_lists(hand_analysis):
    gaps = hand_analysis.gap_lists()
    assert gaps["kindergarten"]["unit_code"].tolist()[:2] == ["140105201", "140110102"]
    assert gaps["fitness"] is not None and len(gaps["fitness"]) == 0  # the only urban point is covered
    assert gaps["nursing"]["unit_code"].tolist() == ["140110"]


def test_a_ten_minute_circle_is_a_target_in_a_file(tmp_path, hand_case):
    text = DEFAULT_TARGETS.read_text(encoding="utf-8")
    text += """
[[target]]
id = "fitness_10min_all"
name_zh = "全部居民点 10 分钟健身圈"
name_en = "10-minute fitness circle, all points"
quantity = "fitness_walk_share"
level = "county"
comparator = ">="
threshold = 0.9
params = { threshold_min = 10.0, speed_kmh = 4.0, urban_only = false }
"""
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    a = analyse(hand_case, targets=load_targets(path, known_quantities=set(QUANTITIES)))
    # all points now: 小店区 has R1 (1,000 people, on F1) and R2 (3,000 people, 1 km east of F1):
    # 1 km x 1.3 detour at 4 km/h = 19.5 min > 10 min, so 1,000 / 4,000 are covered
    row = _row(a.evaluation, "fitness_10min_all", "140105")
    assert (row["numerator"], row["denominator"]) == (1000, 4000)
    assert row["value"] == pytest.approx(0.25)
    # 晋源区: R3 sits on F2
    assert _row(a.evaluation, "fitness_10min_all", "140110")["value"] == 1.0
    # the 15-minute urban target is still computed separately
    assert _row(a.evaluation, "fitness_15min", "140105")["value"] == 1.0
    minutes = a.walk_result("fitness_walk_share", "fitness_10min_all").points.set_index("id")["minutes"]
    assert minutes["R2"] == pytest.approx(1000 * 1.3 / (4000 / 60), rel=1e-3)


def test_scenario_before_after(hand_case):
    site = lonlat(XIAODIAN_UTM, 1000, 0)  # where 刘家堡乡's residents live
    planned = planned_from_records(
        [{"名称": "规划刘家堡乡中心幼儿园", "性质": "公办", "中心园": "是", "乡镇代码": "140105201", "经度": site[0], "纬度": site[1]}],
        "kindergartens",
    )
    assert len(planned.rejected) == 0
    before, after, cmp = run_scenario(hand_case, {"kindergartens": planned.layer})
    tw = cmp[(cmp["target_id"] == "kg_public_per_township") & (cmp["unit_code"] == "140105201")].iloc[0]
    assert (tw["status_before"], tw["status_after"], bool(tw["improved"])) == ("not_met", "met", True)
    county = cmp[(cmp["target_id"] == "kg_township_share") & (cmp["unit_code"] == "140105")].iloc[0]
    assert county["value_before"] == pytest.approx(1 / 3) and county["value_after"] == pytest.approx(2 / 3)
    assert county["change"] == pytest.approx(1 / 3)
    # nothing else changed
    others = cmp[~cmp["unit_code"].isin(["140105201", "140105", "140100", "140000"])]
    assert (others["change"].fillna(0) == 0).all()
    assert before.kindergarten_gaps["unit_code"].iat[0] == "140105201"
    assert "140105201" not in set(after.kindergarten_gaps["unit_code"])


def test_missing_layers_give_no_data_not_failures(hand_case):
    a = analyse({"residential": hand_case["residential"]})
    ev = a.evaluation
    for target in ("nursing_beds_county", "gross_enrolment", "kg_township_share", "new_fitness_centres"):
        assert set(ev.loc[ev["target_id"] == target, "status"]) == {"no_data"}, target
    # no fitness layer: the walking target warns and counts nobody as covered, never a silent zero
    assert any(key.startswith("access_") for key, _ in a.warnings)
    # no residential layer either: the walking targets have no data, and nothing crashes
    only_kg = analyse({"kindergartens": hand_case["kindergartens"]}).evaluation
    assert set(only_kg.loc[only_kg["target_id"] == "fitness_15min", "status"]) == {"no_data"}
    assert _row(only_kg, "kg_public_per_township", "140105100")["status"] == "met"


def test_demo_data_show_a_mix_of_outcomes():
    layers = {k: r.layer for k, r in load_demo().items()}
    ev = analyse(layers).evaluation
    for target in ("kg_public_per_township", "gross_enrolment", "inclusive_coverage", "nursing_beds_county",
                   "fitness_15min", "new_fitness_centres"):
        statuses = set(ev.loc[ev["target_id"] == target, "status"])
        assert {"met", "not_met"} <= statuses, (target, statuses)
    county = ev[(ev["target_id"] == "nursing_beds_county")]
    assert len(county) == 117 and county["value"].between(0, 1).all()
    assert np.isfinite(county["value"]).all()
