"""Checks of the shipped synthetic demo dataset in data/facilities/."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from sxgeo.io.demo import DEMO_FILES
from sxgeo.layers.boundaries import load_counties, load_townships

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "facilities"
SOURCE = "合成演示数据（非真实）/ synthetic demo data"
METRIC_CRS = "EPSG:32649"  # UTM 49N, metres
TAIL = ["乡镇代码", "乡镇名称", "地址", "经度", "纬度", "数据来源"]
HEADERS = {
    "residential.csv": ["编号", "名称", "类型", "城乡", "人口", "3-5岁人口", "60岁以上人口", *TAIL],
    "kindergartens.csv": ["编号", "名称", "性质", "普惠", "中心园", "学位数", "在园幼儿数", "建成年份", *TAIL],
    "elderly_care.csv": ["编号", "名称", "类型", "床位数", "护理型床位数", "建成年份", *TAIL],
    "fitness.csv": ["编号", "名称", "类型", "建成年份", *TAIL],
}
FILES = list(HEADERS)


def _read(name: str) -> pd.DataFrame:
    df = pd.read_csv(DATA / name, encoding="utf-8-sig", dtype={"编号": str, "乡镇代码": str, "经度": str, "纬度": str})
    df["county"] = df["乡镇代码"].str[:6]
    return df


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: _read(name) for name in FILES}


@pytest.fixture(scope="module")
def counties() -> gpd.GeoDataFrame:
    return load_counties().set_index("adcode")


@pytest.fixture(scope="module")
def townships() -> pd.DataFrame:
    return load_townships()


def _points(df: pd.DataFrame) -> gpd.GeoSeries:
    return gpd.GeoSeries(gpd.points_from_xy(df["经度"].astype(float), df["纬度"].astype(float)), crs="EPSG:4326", index=df.index)


def test_regeneration_is_byte_identical(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_demo_data", ROOT / "scripts" / "make_demo_data.py")
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, mod)  # dataclasses look their module up here
    spec.loader.exec_module(mod)
    assert mod.main(["--out", str(tmp_path), "--seed", "2021"]) == 0
    for name in [*DEMO_FILES.values(), "manifest.json"]:  # every demo file, the new kinds' too
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_headers_encoding_and_coordinate_format(tables):
    for name, header in HEADERS.items():
        raw = (DATA / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        lines = raw.decode("utf-8-sig").splitlines()
        assert lines[0].split(",") == header, name
    for name, df in tables.items():
        assert df["经度"].str.fullmatch(r"1[01]\d\.\d{6}").all(), name
        assert df["纬度"].str.fullmatch(r"[34]\d\.\d{6}").all(), name


def test_every_row_is_marked_synthetic_and_ids_unique(tables):
    for name, df in tables.items():
        assert len(df) > 0, name
        assert (df["数据来源"] == SOURCE).all(), name
        assert df["编号"].is_unique, name
        assert df.notna().all().all(), name


def test_township_codes_and_names_exist(tables, townships):
    names = dict(zip(townships["code"], townships["name"]))
    for name, df in tables.items():
        assert df["乡镇代码"].str.fullmatch(r"\d{9}").all(), name
        assert df["乡镇代码"].isin(names.keys()).all(), name
        assert (df["乡镇代码"].map(names) == df["乡镇名称"]).all(), name


def test_addresses_name_province_county_and_township(tables, townships):
    t = townships.set_index("code")
    for name, df in tables.items():
        expected = "山西省" + df["乡镇代码"].map(t["city_name"]) + df["乡镇代码"].map(t["county_name"]) + df["乡镇名称"]
        assert all(a.startswith(e) for a, e in zip(df["地址"], expected)), name


def test_points_inside_their_county_away_from_the_boundary(tables, counties):
    metric = counties.to_crs(METRIC_CRS)
    for name, df in tables.items():
        pts = _points(df)
        polys = counties.geometry.loc[df["county"]].values
        assert shapely.contains(polys, pts.values).all(), name
        m_pts = pts.to_crs(METRIC_CRS).values
        gap = shapely.distance(shapely.boundary(metric.geometry.loc[df["county"]].values), m_pts)
        assert gap.min() >= 200.0, (name, gap.min())


def test_all_counties_have_residential_points(tables, counties, townships):
    res = tables["residential.csv"]
    assert set(res["county"]) == set(counties.index)
    assert len(counties) == 117
    assert set(res["乡镇代码"]) == set(townships["code"])  # every township has demand points
    per_town = res.groupby("乡镇代码").size()
    assert per_town.min() >= 8 and per_town.max() <= 18


def test_residential_values_are_sane(tables):
    res = tables["residential.csv"]
    assert set(res["类型"]) == {"社区", "村"}
    assert ((res["类型"] == "社区") == (res["城乡"] == "城镇")).all()
    assert (res["3-5岁人口"] >= 0).all() and (res["60岁以上人口"] >= 0).all()
    assert (res["3-5岁人口"] + res["60岁以上人口"] <= res["人口"]).all()
    comm, vil = res[res["类型"] == "社区"], res[res["类型"] == "村"]
    assert comm["人口"].between(2000, 15000).all() and vil["人口"].between(200, 2500).all()
    assert 33e6 <= res["人口"].sum() <= 36e6
    assert 0.025 <= res["3-5岁人口"].sum() / res["人口"].sum() <= 0.035
    assert vil["60岁以上人口"].sum() / vil["人口"].sum() > comm["60岁以上人口"].sum() / comm["人口"].sum()
    assert not res.duplicated(["乡镇代码", "名称"]).any()


def test_facility_values_are_sane(tables):
    kg, care, fit = tables["kindergartens.csv"], tables["elderly_care.csv"], tables["fitness.csv"]
    for df in (kg, care, fit):
        assert df["建成年份"].between(1995, 2025).all()
    assert set(kg["性质"]) == {"公办", "民办"}
    assert (kg.loc[kg["性质"] == "公办", "普惠"] == "是").all()
    assert (kg.loc[kg["中心园"] == "是", "性质"] == "公办").all()
    assert (kg["在园幼儿数"] > 0).all() and (kg["学位数"] > 0).all()
    assert (kg["在园幼儿数"] <= kg["学位数"]).mean() > 0.85
    private = kg[kg["性质"] == "民办"]
    assert 0.3 < (private["普惠"] == "是").mean() < 0.7
    assert set(care["类型"]) == {"养老机构", "社区养老服务站", "农村互助幸福院"}
    assert ((care["护理型床位数"] >= 0) & (care["护理型床位数"] <= care["床位数"])).all()
    ranges = {"养老机构": (50, 400), "社区养老服务站": (10, 40), "农村互助幸福院": (0, 20)}
    for kind, (lo, hi) in ranges.items():
        assert care.loc[care["类型"] == kind, "床位数"].between(lo, hi).all(), kind
    inst = care[care["类型"] == "养老机构"].groupby("county").size()
    assert inst.between(2, 6).all() and len(inst) == 117
    assert set(fit["类型"]) == {"社区全民健身中心", "体育公园", "健身步道", "体育场馆", "全民健身路径"}


def test_some_towns_lack_a_public_kindergarten(tables, townships):
    kg = tables["kindergartens.csv"]
    rural = townships.loc[townships["kind"] != "街道", "code"]
    public = set(kg.loc[kg["性质"] == "公办", "乡镇代码"])
    share = (~rural.isin(public)).mean()
    assert 0.08 <= share <= 0.12
    central = kg[kg["中心园"] == "是"]
    assert central["乡镇代码"].is_unique and central["乡镇代码"].isin(rural).all()
    # 街道 get several kindergartens of both kinds
    sub = kg[kg["乡镇代码"].isin(townships.loc[townships["kind"] == "街道", "code"])]
    assert sub.groupby("乡镇代码")["性质"].nunique().min() == 2


def test_county_enrolment_and_inclusive_shares_vary_around_targets(tables):
    kg, res = tables["kindergartens.csv"], tables["residential.csv"]
    ratio = kg.groupby("county")["在园幼儿数"].sum() / res.groupby("county")["3-5岁人口"].sum()
    assert len(ratio) == 117
    assert (ratio >= 0.91).sum() >= 20 and (ratio < 0.91).sum() >= 20
    assert ratio.between(0.78, 1.02).all()
    inclusive = (kg["性质"] == "公办") | (kg["普惠"] == "是")
    share = kg[inclusive].groupby("county")["在园幼儿数"].sum() / kg.groupby("county")["在园幼儿数"].sum()
    assert share.between(0.68, 0.94).all()
    assert (share >= 0.80).sum() >= 20 and (share < 0.80).sum() >= 20


def test_county_nursing_bed_shares_straddle_45_percent(tables):
    care = tables["elderly_care.csv"]
    sums = care.groupby("county")[["护理型床位数", "床位数"]].sum()
    share = sums["护理型床位数"] / sums["床位数"]
    assert len(share) == 117
    assert (share >= 0.45).sum() >= 30 and (share < 0.45).sum() >= 30
    assert share.between(0.14, 0.81).all()


def test_new_facilities_per_year_hover_around_targets(tables):
    manifest = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    for file, kind, target, key in (
        ("fitness.csv", "社区全民健身中心", 20, "new_fitness_centres"),
        ("elderly_care.csv", "社区养老服务站", 30, "new_care_stations"),
    ):
        df = tables[file]
        per_year = df[df["类型"] == kind].groupby("建成年份").size().reindex(range(2021, 2026), fill_value=0)
        assert per_year.between(0.5 * target, 1.5 * target).all(), kind
        assert (per_year > target).any() and (per_year < target).any(), kind
        assert {int(y): n for y, n in manifest["new_per_year"][key].items()} == per_year.to_dict()


def test_fitness_coverage_is_mixed(tables):
    res = tables["residential.csv"]
    urban = res[res["城乡"] == "城镇"]
    fac = _points(tables["fitness.csv"]).to_crs(METRIC_CRS).values
    homes = _points(urban).to_crs(METRIC_CRS).values
    _, dist = shapely.STRtree(fac).query_nearest(homes, return_distance=True, all_matches=False)
    covered = (dist <= 1200).mean()
    assert 0.5 < covered < 0.97


def test_manifest_matches_files():
    manifest = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True and manifest["seed"] == 2021
    assert manifest["generator"] == "scripts/make_demo_data.py"
    assert manifest["source_value"] == SOURCE
    assert "非真实" in manifest["statement"] and "SYNTHETIC" in manifest["statement"]
    for name in FILES:
        info = manifest["files"][name]
        raw = (DATA / name).read_bytes()
        assert info["sha256"] == hashlib.sha256(raw).hexdigest(), name
        assert info["rows"] == len(raw.decode("utf-8-sig").splitlines()) - 1, name


def test_folder_is_small_and_readme_warns():
    total = sum(p.stat().st_size for p in DATA.iterdir() if p.is_file())
    assert total < 8 * 1024 * 1024
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert re.search("合成演示数据（非真实）", readme) and "SYNTHETIC" in readme
    assert "不得用于" in readme
