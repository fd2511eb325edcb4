"""Checks of the five later demo files: hospitals, primary care, special education, culture, child welfare."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from sxgeo.io import load_layer
from sxgeo.io.demo import DEMO_FILES, SYNTHETIC_SOURCE
from sxgeo.layers.boundaries import load_counties, load_townships

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "facilities"
SOURCE = "合成演示数据（非真实）/ synthetic demo data"
TAIL = ["乡镇代码", "乡镇名称", "地址", "经度", "纬度", "数据来源"]
#: Kind -> (file, header), as specified for the demo set.
NEW = {
    "hospitals": ("hospitals.csv", ["编号", "名称", "等级", "隶属", "床位数", "公共卫生应急基地", "建成年份", *TAIL]),
    "primary_care": ("primary_care.csv", ["编号", "名称", "类型", "床位数", "建成年份", *TAIL]),
    "special_education": ("special_education.csv", ["编号", "名称", "类型", "学位数", "在校生数", "建成年份", *TAIL]),
    "culture": ("culture.csv", ["编号", "名称", "类型", "级别", "免费开放", "建成年份", *TAIL]),
    "child_welfare": ("child_welfare.csv", ["编号", "名称", "级别", "床位数", "建成年份", *TAIL]),
}
#: SHA-256 of the first four files as shipped before the later kinds were added (git history of manifest.json).
FIRST_FOUR = {
    "residential.csv": "141d0633e76d880a5e6daa1d1525702d5ffab5fb0c84ba88b94d62caf06c50f0",
    "kindergartens.csv": "bf99b3a9fffb6709238c27f576c2785c6d04cd079eb7d51d5c07e9a2ff00671f",
    "elderly_care.csv": "2ef240bcb6e2cbd6504ccc4f634b09af2a20996e645485f349db7e3f785bbdc1",
    "fitness.csv": "72411b83884d1de351231afcff9a3beddbbed4d3c709fa0d80be80e7823d4a4d",
}
#: 大同, 长治, 运城, 临汾: no 三级 hospital in the demo (the regional medical projects scenario adds them).
NO_TERTIARY = {"140200", "140400", "140800", "141000"}
CITIES = {f"14{n:02d}00" for n in range(1, 12)}


def _read(name: str) -> pd.DataFrame:
    df = pd.read_csv(DATA / name, encoding="utf-8-sig", dtype={"编号": str, "乡镇代码": str})
    df["county"] = df["乡镇代码"].str[:6]
    df["city"] = df["乡镇代码"].str[:4] + "00"
    return df


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {kind: _read(name) for kind, (name, _) in NEW.items()}


@pytest.fixture(scope="module")
def loaded():
    return {kind: load_layer(DATA / name, kind) for kind, (name, _) in NEW.items()}


@pytest.fixture(scope="module")
def counties() -> set[str]:
    codes = set(load_counties()["adcode"])
    assert len(codes) == 117
    return codes


@pytest.fixture(scope="module")
def townships() -> pd.DataFrame:
    return load_townships()


@pytest.fixture(scope="module")
def residential() -> pd.DataFrame:
    return _read("residential.csv")


def test_demo_files_name_the_new_kinds():
    for kind, (name, _) in NEW.items():
        assert DEMO_FILES[kind] == name
    assert SYNTHETIC_SOURCE == SOURCE


def test_files_load_without_rejections_or_warnings(loaded, tables):
    for kind, res in loaded.items():
        assert len(res.rejected) == 0, kind
        assert res.warnings == [], kind
        assert len(res.layer) == len(tables[kind]) > 0, kind
        # the loader reads full-width brackets in text as ASCII ones
        assert (res.layer["source"] == SOURCE.replace("（", "(").replace("）", ")")).all(), kind
        # the county found from the point is the one the township code names
        assert (res.layer["county_code"].to_numpy() == tables[kind]["county"].to_numpy()).all(), kind
    # every category value is a recognised one (no 'other' fallback)
    expected = {
        ("hospitals", "hospital_level"): {"level1", "level2", "level3", "unknown"},
        ("hospitals", "admin_tier"): {"county", "city", "province"},
        ("primary_care", "care_level"): {"village_clinic", "community_station", "community_centre", "township_centre"},
        ("special_education", "school_kind"): {"special", "boarding"},
        ("culture", "venue_kind"): {"library", "cultural_centre", "cultural_station", "museum"},
        ("culture", "admin_level"): {"province", "city", "county", "township"},
        ("child_welfare", "admin_level"): {"city", "county"},
    }
    for (kind, col), codes in expected.items():
        assert set(loaded[kind].layer[col]) == codes, (kind, col)


def test_headers_marker_and_ids(tables):
    for kind, (name, header) in NEW.items():
        raw = (DATA / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        with open(DATA / name, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == header, name
        assert all(r[header.index("数据来源")] == SOURCE for r in rows[1:]), name
        df = tables[kind]
        assert df["编号"].is_unique and df.notna().all().all(), name


def test_every_county_has_hospitals_and_primary_care(tables, counties):
    assert set(tables["hospitals"]["county"]) == counties
    assert set(tables["primary_care"]["county"]) == counties


def test_hospitals(tables, counties):
    h = tables["hospitals"]
    assert h.groupby("county").size().between(2, 5).all()
    beds = {"一级": (20, 99), "二级": (100, 499), "三级": (500, 2000), "未定级": (20, 99)}
    for level, (lo, hi) in beds.items():
        assert h.loc[h["等级"] == level, "床位数"].between(lo, hi).all(), level
    assert 1 <= (h["等级"] == "未定级").sum() <= 12  # a few, all with a valid spelling
    # a 二级 county hospital in about 90 % of counties; the rest have no 二级+ hospital at all
    county_hospital = h[(h["等级"] == "二级") & (h["隶属"] == "县级") & h["名称"].str.endswith("人民医院")]
    assert county_hospital["county"].is_unique
    assert 0.85 <= county_hospital["county"].nunique() / len(counties) <= 0.95
    upper = set(h.loc[h["等级"].isin(["二级", "三级"]), "county"])
    assert 0 < len(counties - upper) <= 0.15 * len(counties)
    # 三级 hospitals: several in 太原, one in each other city seat except the four cities
    tertiary = h[h["等级"] == "三级"]
    assert set(tertiary["隶属"]) <= {"市级", "省级"} and not (h.loc[h["等级"] != "三级", "隶属"] != "县级").any()
    per_city = tertiary.groupby("city").size()
    assert per_city["140100"] >= 3
    assert set(per_city.index) == CITIES - NO_TERTIARY
    assert (per_city.drop("140100") == 1).all()
    assert tertiary.groupby("city")["county"].nunique().drop("140100").eq(1).all()
    assert not tertiary["city"].isin(NO_TERTIARY).any()
    # a public-health emergency base in 9 of the 11 cities, one each
    assert set(h["公共卫生应急基地"]) == {"是", "否"}
    base = h[h["公共卫生应急基地"] == "是"]
    assert len(base) == 9 and base["city"].nunique() == 9 and base["city"].isin(CITIES).all()


def test_primary_care(tables, townships, residential):
    pc = tables["primary_care"]
    kind = dict(zip(townships["code"], townships["kind"]))
    rural = townships.loc[townships["kind"] != "街道", "code"]
    subs = townships.loc[townships["kind"] == "街道", "code"]
    centres = pc[pc["类型"] == "乡镇卫生院"]
    assert centres["乡镇代码"].is_unique and centres["乡镇代码"].isin(rural).all()
    assert 0.93 <= rural.isin(centres["乡镇代码"]).mean() <= 0.97
    assert centres["床位数"].between(10, 99).all()
    community = pc[pc["类型"] == "社区卫生服务中心"]
    assert community["乡镇代码"].is_unique and community["乡镇代码"].map(kind).eq("街道").all()
    assert 0.85 <= subs.isin(community["乡镇代码"]).mean() <= 0.95
    # a village clinic per 1-3 villages, each at one of its township's villages
    res = residential
    villages = res[res["类型"] == "村"]
    clinics = pc[pc["类型"] == "村卫生室"]
    n_vil = villages.groupby("乡镇代码").size()
    n_cli = clinics.groupby("乡镇代码").size().reindex(n_vil.index, fill_value=0)
    assert (n_cli >= n_vil.map(lambda n: math.ceil(n / 3))).all() and (n_cli <= n_vil).all()
    assert clinics.index.size == n_cli.sum()
    village_keys = set(zip(villages["乡镇代码"], villages["名称"] + "卫生室"))
    assert all(k in village_keys for k in zip(clinics["乡镇代码"], clinics["名称"]))
    # stations: one per few urban communities, at a community
    comms = res[res["类型"] == "社区"]
    stations = pc[pc["类型"] == "社区卫生服务站"]
    assert len(comms) / 6 <= len(stations) <= len(comms) / 2
    comm_keys = set(zip(comms["乡镇代码"], comms["名称"] + "卫生服务站"))
    assert all(k in comm_keys for k in zip(stations["乡镇代码"], stations["名称"]))
    assert (pc.loc[pc["类型"].isin(["村卫生室", "社区卫生服务站"]), "床位数"] == 0).all()


def test_special_education(tables, counties, townships, residential):
    se = tables["special_education"]
    special = se[se["类型"] == "特殊教育学校"]
    assert special["county"].is_unique
    assert 0.80 <= special["county"].nunique() / len(counties) <= 0.90
    assert special["学位数"].between(50, 300).all() and (special["在校生数"] > 0).all()
    pop = residential.groupby("county")["人口"].sum()
    with_school = pop.index.isin(special["county"])
    assert pop[with_school].mean() > pop[~with_school].mean()  # more likely in populous counties
    boarding = se[se["类型"] == "寄宿制学校"]
    assert len(boarding) >= 10
    assert boarding["乡镇代码"].isin(townships.loc[townships["kind"] != "街道", "code"]).all()
    assert (boarding["在校生数"] <= boarding["学位数"]).all()


def test_culture(tables, counties, townships):
    cu = tables["culture"]
    for venue in ("图书馆", "文化馆"):
        county_level = cu[(cu["类型"] == venue) & (cu["级别"] == "县级")]
        assert county_level["county"].is_unique, venue
        assert 0.85 <= county_level["county"].nunique() / len(counties) <= 0.95, venue
    stations = cu[cu["类型"] == "综合文化站"]
    assert (stations["级别"] == "乡镇级").all() and stations["乡镇代码"].is_unique
    assert 0.85 <= townships["code"].isin(stations["乡镇代码"]).mean() <= 0.95
    museums = cu[cu["类型"] == "博物馆"]
    assert set(museums.loc[museums["级别"] == "市级", "city"]) == CITIES
    assert set(museums["级别"]) <= {"市级", "省级"}
    assert set(cu["免费开放"]) == {"是", "否"} and (cu["免费开放"] == "否").mean() <= 0.10


def test_child_welfare(tables, counties):
    cw = tables["child_welfare"]
    city = cw[cw["级别"] == "市级"]
    assert len(city) == 10 and city["city"].nunique() == 10
    county = cw[cw["级别"] == "县级"]
    assert county["county"].is_unique
    assert 0.25 <= len(county) / len(counties) <= 0.35
    assert city["床位数"].between(100, 400).all() and county["床位数"].between(20, 120).all()


def test_manifest_lists_the_new_files(tables):
    manifest = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    counted = {"hospitals": "等级", "primary_care": "类型", "special_education": "类型", "culture": "类型", "child_welfare": "级别"}
    for kind, (name, _) in NEW.items():
        info = manifest["files"][name]
        assert info["sha256"] == hashlib.sha256((DATA / name).read_bytes()).hexdigest(), name
        assert info["rows"] == len(tables[kind]), name
        assert info["counts"] == tables[kind][counted[kind]].astype(str).value_counts().to_dict(), name


def test_the_first_four_files_are_unchanged():
    # the new kinds draw from their own streams: the existing files keep their hashes (regeneration of every
    # file, the new ones too, is checked by tests/io/test_demo.py::test_regeneration_is_byte_identical)
    for name, digest in FIRST_FOUR.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name
