"""Indicators on the hand-built case of conftest.py, against answers worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sxgeo.analysis import indicators as ind


def test_kindergartens_per_township(hand_case, townships):
    bt = ind.kindergartens_by_township(hand_case["kindergartens"], townships, hand_case["residential"])
    assert len(bt) == 1283
    row = bt.loc["140105100"]  # 北格镇: K1, public and central
    assert (row["public"], row["central"], row["inclusive_private"], bool(row["passes"])) == (1, 1, 0, True)
    row = bt.loc["140105200"]  # 西温庄乡: only K2, an inclusive private one
    assert (row["public"], row["inclusive_private"], bool(row["passes"])) == (0, 1, False)
    assert bt.loc["140105201", "population"] == 3000
    assert np.isnan(bt.loc["140105200", "population"])  # no residential point there
    assert bt["public"].sum() == 3


def test_kindergartens_per_county(hand_case, townships, counties):
    bt = ind.kindergartens_by_township(hand_case["kindergartens"], townships, hand_case["residential"])
    bc = ind.kindergartens_by_county(bt, counties)
    # 小店区: 3 乡镇 (北格镇 passes; 西温庄乡, 刘家堡乡 fail) and 9 街道 (坞城 passes)
    assert bc.loc["140105", ["townships", "townships_passing", "subdistricts", "subdistricts_passing"]].tolist() == [3, 1, 9, 1]
    assert bc.loc["140105", "township_share"] == pytest.approx(1 / 3)
    assert bc.loc["140105", "subdistrict_share"] == pytest.approx(1 / 9)
    assert bc.loc["140110", "township_share"] == pytest.approx(1 / 3)
    assert bc.loc["140110", "subdistrict_share"] == 0
    assert bc.loc["140109", "townships"] == 0 and np.isnan(bc.loc["140109", "township_share"])  # 万柏林区 has no 乡镇


def test_kindergarten_gap_list(hand_case, townships):
    bt = ind.kindergartens_by_township(hand_case["kindergartens"], townships, hand_case["residential"])
    gaps = ind.kindergarten_gaps(bt, hand_case["kindergartens"], hand_case["residential"])
    first = gaps.iloc[:2]
    # the most populous gaps first: 刘家堡乡 (3,000) then 姚村镇 (500)
    assert first["unit_code"].tolist() == ["140105201", "140110102"]
    # 刘家堡乡's only residential point is 1,000 m east of K1 (public); K5 is 4,000 m away
    assert first["nearest_public_id"].iat[0] == "K1"
    assert first["nearest_public_m"].iat[0] == pytest.approx(1000, abs=0.5)
    assert first["nearest_public_id"].iat[1] == "K4"
    assert first["nearest_public_m"].iat[1] == pytest.approx(0, abs=0.5)
    assert gaps.crs.to_epsg() == 4326
    assert set(gaps["unit_kind"]) <= {"镇", "乡"}
    # 西温庄乡 has no residential point, so no anchor and no distance
    row = gaps.set_index("unit_code").loc["140105200"]
    assert pd.isna(row["anchor"]) and np.isnan(row["nearest_public_m"]) and row.geometry is None
    with_sub = ind.kindergarten_gaps(bt, hand_case["kindergartens"], hand_case["residential"], include_subdistricts=True)
    assert len(with_sub) == len(gaps) + (bt["unit_kind"].eq("街道") & bt["passes"].eq(False)).sum()


def test_enrolment_and_inclusive_coverage(hand_case, counties):
    e = ind.enrolment(hand_case["kindergartens"], hand_case["residential"], counties)
    # 小店区: enrolled 100+50+50+20 = 220; children 3-5: 100+100 = 200; inclusive 100+50+20 = 170
    assert e.loc["140105", "gross_enrolment_rate"] == pytest.approx(220 / 200)
    assert e.loc["140105", "inclusive_coverage"] == pytest.approx(170 / 220)
    assert e.loc["140110", "gross_enrolment_rate"] == pytest.approx(80 / 50)
    assert e.loc["140110", "inclusive_coverage"] == pytest.approx(1.0)
    assert np.isnan(e.loc["140106", "gross_enrolment_rate"])  # no data, not zero
    city = ind.enrolment(hand_case["kindergartens"], hand_case["residential"], counties, "city")
    assert city.loc["140100", "gross_enrolment_rate"] == pytest.approx(300 / 250)
    none = ind.enrolment(None, hand_case["residential"], counties)
    assert none["gross_enrolment_rate"].isna().all()


def test_elderly_indicators(hand_case, counties, townships):
    n = ind.beds_per_100_elderly(hand_case["elderly_care"], hand_case["residential"], counties)
    assert n.loc["140105", "nursing_bed_share"] == pytest.approx(50 / 110)
    assert n.loc["140110", "nursing_bed_share"] == pytest.approx(60 / 200)
    assert n.loc["140105", "beds_per_100_elderly"] == pytest.approx(110 / 700 * 100)
    assert n.loc["140110", "beds_per_100_elderly"] == pytest.approx(200 / 100 * 100)
    assert np.isnan(n.loc["140106", "nursing_bed_share"])
    city = ind.nursing_beds(hand_case["elderly_care"], counties, "city")
    assert city.loc["140100", "nursing_bed_share"] == pytest.approx(110 / 310)
    assert np.isnan(city.loc["140200", "nursing_bed_share"])
    m = ind.mutual_aid_by_township(hand_case["elderly_care"], townships)
    assert m.loc["140105201", "mutual_aid_homes"] == 1 and m["mutual_aid_homes"].sum() == 1


def test_new_per_year(hand_case, counties):
    f = hand_case["fitness"]
    by_year = ind.new_per_year(f, f["fitness_kind"].eq("community_centre"), counties, range(2020, 2023))
    assert [by_year[y].loc["140000", "count"] for y in (2020, 2021, 2022)] == [0, 2, 0]
    no_years = ind.new_per_year(f.drop(columns="opening_year"), None, counties, range(2021, 2022))
    assert np.isnan(no_years[2021].loc["140000", "count"])


def test_minor_protection(counties):
    layer = pd.DataFrame(
        {"admin_level": ["city", "city", "county", "county", "county"],
         "city_code": ["140100", "140100", "140100", "140200", "140200"],
         "county_code": ["140105", "140106", "140105", "140212", "140213"]}
    )
    mp = ind.minor_protection(layer, counties)
    assert mp.loc["140000", "city_share"] == pytest.approx(1 / 11)
    assert mp.loc["140000", "county_share"] == pytest.approx(3 / 117)
    assert np.isnan(ind.minor_protection(None, counties).loc["140000", "county_share"])
