"""The name search over the shipped counties and townships and the demo layers, checked against plain pandas filters."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from sxgeo.io.demo import load_demo
from sxgeo.layers.kinds import KINDS
from sxgeo.layers.search import RESULT_COLUMNS, SearchIndex, normalise_query

SUFFIXES = ("街道办事处", "街道", "镇", "乡", "区", "县", "市")


@pytest.fixture(scope="module")
def demo_layers():
    return {kind: result.layer for kind, result in load_demo().items()}


@pytest.fixture(scope="module")
def index(counties, townships, demo_layers):
    return SearchIndex.build(counties, townships, demo_layers)


def _fullwidth(text: str) -> str:
    """ASCII letters and digits as their full-width forms, spaces as ideographic spaces."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- the cases planners type ----------------------------------------------------------------


def test_a_township_is_found_by_its_name_without_suffix(index, townships):
    beige = townships[townships["name"] == "北格镇"]
    assert len(beige) == 1
    hits = index.search("北格")
    first = hits.iloc[0]
    assert (first["kind"], first["code"], first["name"]) == ("township", beige["code"].iloc[0], "北格镇")
    assert first["code"].startswith("140105") and first["county_code"] == "140105"
    assert first["county_name"] == "小店区" and first["city_name"] == "太原市"
    assert first["label_zh"] == "北格镇 · 小店区 · 太原市"
    assert "北格镇" in first["label_en"] and "小店区" in first["label_en"]
    # the facilities named after it come after it
    facility_kinds = {k for k, kind in KINDS.items() if kind.has_points}
    assert len(hits) > 1 and set(hits["kind"].iloc[1:]) <= facility_kinds


def test_the_two_districts_called_chengqu_are_both_found_and_told_apart_by_their_city(index, counties):
    both = counties[counties["name"] == "城区"]
    assert len(both) == 2
    hits = index.search("城区")
    top = hits.iloc[:2]
    assert list(top["kind"]) == ["county", "county"]
    assert list(top["code"]) == sorted(both["adcode"])
    city = dict(zip(both["adcode"], both["city_name"]))
    for _, row in top.iterrows():
        assert row["label_zh"] == f"城区 · {city[row['code']]}"
        assert city[row["code"]] in row["label_en"]
    assert top["label_zh"].nunique() == 2 and top["label_en"].nunique() == 2


@pytest.mark.parametrize("query, county", [("平遥", "平遥县"), ("小店", "小店区"), ("古交", "古交市"), ("盂县", "盂县")])
def test_a_county_is_found_first_by_its_name_with_or_without_suffix(index, counties, query, county):
    expected = counties.loc[counties["name"] == county, "adcode"]
    first = index.search(query).iloc[0]
    assert (first["kind"], first["code"], first["name"]) == ("county", expected.iloc[0], county)


def test_a_demo_facility_is_found_by_its_name_with_its_id(index, demo_layers):
    rng = np.random.default_rng(4)
    for kind in ("kindergartens", "elderly_care", "fitness"):
        layer = demo_layers[kind]
        row = layer.iloc[int(rng.integers(len(layer)))]
        hits = index.search(row["name"], limit=None)
        mine = hits[(hits["kind"] == kind) & (hits["code"] == row["id"])]
        assert len(mine) == 1, (kind, row["name"])
        assert mine["name"].iloc[0] == row["name"] and mine["county_code"].iloc[0] == row["county_code"]
        assert (mine["lon"].iloc[0], mine["lat"].iloc[0]) == pytest.approx((row.geometry.x, row.geometry.y))
        # the exact matches come first
        exact = hits["name"].map(normalise_query) == normalise_query(row["name"])
        assert exact.iloc[: int(exact.sum())].all()


def test_full_width_and_spaced_input_finds_the_same(index, demo_layers):
    plain = index.search("北格", limit=None)
    for typed in ("　北　格", " 北格 ", "北 格"):
        pd.testing.assert_frame_equal(index.search(typed, limit=None), plain)
    kid = demo_layers["kindergartens"].iloc[0]
    hits = index.search(_fullwidth(kid["id"].lower()))  # an id typed in full width and lower case
    assert (hits["kind"].iloc[0], hits["code"].iloc[0]) == ("kindergartens", kid["id"])


def test_an_unknown_or_empty_query_gives_an_empty_frame(index):
    for query in ("不存在的地名", "zzzz", "", "   "):
        hits = index.search(query)
        assert hits.empty and list(hits.columns) == RESULT_COLUMNS and hits.attrs["total"] == 0


# --- against an independent filter of the source tables -------------------------------------


@pytest.mark.parametrize("query", ["北", "城", "街道", "北格", "平遥", "小店", "村", "幼儿园", "中心"])
def test_every_name_holding_the_query_is_found_and_nothing_else(index, counties, townships, demo_layers, query):
    hits = index.search(query, limit=None)
    assert hits.attrs["total"] == len(hits)
    found = {kind: set(group["code"]) for kind, group in hits.groupby("kind")}
    expected = {
        "county": set(counties.loc[counties["name"].str.contains(query, regex=False), "adcode"]),
        "township": set(townships.loc[townships["name"].str.contains(query, regex=False), "code"]),
    }
    for kind, layer in demo_layers.items():
        expected[kind] = set(layer.loc[layer["name"].str.contains(query, regex=False), "id"])
    assert {k: v for k, v in found.items() if v} == {k: v for k, v in expected.items() if v}
    # county and city names come from the county table, whatever the facility layer says
    named = hits.dropna(subset=["county_code"]).merge(counties[["adcode", "name", "city_name"]], left_on="county_code",
                                                      right_on="adcode", suffixes=("", "_c"))
    assert len(named) == hits["county_code"].notna().sum()
    assert (named["county_name"] == named["name_c"]).all() and (named["city_name"] == named["city_name_c"]).all()


def _match_class(name: str, query: str) -> int:
    """0 exact (also without an administrative suffix), 1 prefix, 2 substring: written out plainly."""
    if name == query or (name.startswith(query) and len(query) >= 2 and name[len(query):] in SUFFIXES):
        return 0
    return 1 if name.startswith(query) else 2


@pytest.mark.parametrize("query", ["北格", "城区", "平遥", "小店", "北", "街道", "幼儿园"])
def test_results_are_ranked_exact_prefix_substring_then_county_township_facility_then_code(index, query):
    hits = index.search(query, limit=None)
    kind_rank = hits["kind"].map({"county": 0, "township": 1}).fillna(2)
    admin = kind_rank < 2
    match = [_match_class(n, query) if a else (0 if n == query else 1 if n.startswith(query) else 2)
             for n, a in zip(hits["name"], admin)]
    keys = list(zip(match, kind_rank, hits["code"]))
    assert keys == sorted(keys)


def test_the_limit_keeps_the_best_and_counts_all(index):
    everything = index.search("区", limit=None)
    top = index.search("区", limit=7)
    assert len(top) == 7 and top.attrs["total"] == len(everything) > 7
    pd.testing.assert_frame_equal(top, everything.iloc[:7])


# --- places -----------------------------------------------------------------------------------


def test_counties_have_a_point_inside_and_their_bounds(index, counties):
    hits = index.search("平遥")
    row = hits.iloc[0]
    shape = counties.loc[counties["adcode"] == row["code"]].geometry.iloc[0]
    assert shape.contains(Point(row["lon"], row["lat"]))
    assert row["bbox"] == pytest.approx(shape.bounds)


def test_townships_are_placed_by_the_users_polygons_when_given(counties, townships):
    code = townships.loc[townships["name"] == "北格镇", "code"].iloc[0]
    polygons = gpd.GeoDataFrame({"code": [code]}, geometry=[box(112.40, 37.58, 112.50, 37.66)], crs="EPSG:4326")
    plain = SearchIndex.build(counties, townships).search("北格").iloc[0]
    assert np.isnan(plain["lon"]) and np.isnan(plain["lat"]) and plain["bbox"] is None  # no polygon: no place
    placed = SearchIndex.build(counties, townships, township_polygons=polygons).search("北格").iloc[0]
    assert polygons.geometry.iloc[0].contains(Point(placed["lon"], placed["lat"]))
    assert placed["bbox"] == pytest.approx((112.40, 37.58, 112.50, 37.66))


def test_unlocated_facilities_have_no_coordinates_and_empty_layers_are_skipped(counties, townships):
    layer = gpd.GeoDataFrame(
        {"id": ["A1", "A2"], "name": ["甲园", "乙园"], "county_code": ["140105", None], "located": [True, False]},
        geometry=[Point(112.56, 37.71), None], crs="EPSG:4326",
    )
    index = SearchIndex.build(counties, townships, {"kindergartens": layer, "fitness": None,
                                                    "elderly_care": layer.iloc[0:0]})
    hits = index.search("园", limit=None)
    assert set(hits["kind"]) <= {"county", "township", "kindergartens"}
    hits = hits[hits["kind"] == "kindergartens"]
    assert list(hits["code"]) == ["A1", "A2"]
    assert hits["lon"].iloc[0] == pytest.approx(112.56) and np.isnan(hits["lon"].iloc[1])
    assert hits["label_zh"].iloc[0] == "甲园（幼儿园） · 小店区 · 太原市"
    assert hits["label_zh"].iloc[1] == "乙园（幼儿园）"  # no county: nothing more to say


def test_a_query_is_fast_on_the_demo_layers(index):
    assert len(index) > 30_000
    times = []
    for query in ("北格", "区", "幼儿园", "城区", "不存在", "K000001", "平遥"):
        start = time.perf_counter()
        index.search(query)
        times.append(time.perf_counter() - start)
    assert float(np.median(times)) < 0.05, times
