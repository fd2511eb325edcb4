"""Exports: CSV with BOM, XLSX with Chinese headers, GeoPackage round trip; every demo gap list in words."""

from __future__ import annotations

import io
import math
import re

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from sxgeo.app.data import GAP_KINDS, Boundaries, Workspace
from sxgeo.io.demo import load_demo
from sxgeo.outputs.tables import localise, readable, to_csv_bytes, to_gpkg_bytes, to_xlsx_bytes, write_table
from sxgeo.text import t


@pytest.fixture
def gaps():
    return gpd.GeoDataFrame(
        {
            "id": ["R000001", "R000002"],
            "name": ["坞城西苑社区", "北格村"],
            "population": pd.array([4969, None], dtype="Int64"),
            "covered": pd.array([False, False], dtype="boolean"),
            "minutes": [17.5, float("nan")],
            "自定义列": ["甲", "乙"],
        },
        geometry=[Point(112.5776, 37.7083), Point(112.44, 37.61)],
        crs=4326,
    )


def test_csv_has_bom_and_chinese_headers(gaps):
    data = to_csv_bytes(gaps)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["编号", "名称", "人口", "已覆盖", "步行时间（分钟）", "自定义列"]
    assert back["编号"].tolist() == ["R000001", "R000002"]
    assert back["人口"].tolist() == ["4969", ""]
    assert back["已覆盖"].tolist() == ["否", "否"]  # booleans in words
    assert back["步行时间（分钟）"].tolist() == ["17.5", ""]  # missing is empty, never "nan"
    en = pd.read_csv(io.BytesIO(to_csv_bytes(gaps, "en")), encoding="utf-8-sig")
    assert list(en.columns)[:3] == ["ID", "Name", "Population"]


def test_xlsx_round_trip(gaps):
    data = to_xlsx_bytes({"健身缺口": gaps, "x" * 40: gaps.head(1), "fitness": gaps, "fitness_gaps": gaps})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    # titles are kept, cut to 31 characters; table names are named in words, unique
    assert wb.sheetnames == ["健身缺口", "x" * 31, t("val.table.fitness"), t("val.table.fitness")[:29] + "_2"]
    ws = wb["健身缺口"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("编号", "名称", "人口", "已覆盖", "步行时间（分钟）", "自定义列")
    assert [r[0] for r in rows[1:]] == ["R000001", "R000002"]
    assert rows[2][2] is None and rows[1][2] == 4969


def test_gpkg_round_trip(tmp_path, gaps):
    path = tmp_path / "gaps.gpkg"
    path.write_bytes(to_gpkg_bytes(gaps, layer="fitness", lang="en"))
    back = gpd.read_file(path, layer="fitness")
    assert back.crs.to_epsg() == 4326
    assert back.geometry.geom_equals(gaps.geometry).all()
    assert back["ID"].tolist() == gaps["id"].tolist()
    assert back["自定义列"].tolist() == ["甲", "乙"]
    assert back["Covered"].tolist() == ["no", "no"]
    assert back["Walking time (min)"].iloc[0] == 17.5  # numbers stay numbers in a GeoPackage


def test_gpkg_layer_names_are_ascii(tmp_path, gaps):
    path = tmp_path / "g.gpkg"
    path.write_bytes(to_gpkg_bytes(gaps, layer="健身缺口 list"))
    assert [name for name, _ in pyogrio.list_layers(path)] == ["list"]
    path.write_bytes(to_gpkg_bytes(gaps, layer="健身缺口"))
    assert [name for name, _ in pyogrio.list_layers(path)] == ["gaps"]


def test_write_table_picks_the_format_from_the_suffix(tmp_path, gaps):
    for suffix in (".csv", ".xlsx", ".gpkg"):
        assert write_table(gaps, tmp_path / f"g{suffix}").stat().st_size > 0
    with pytest.raises(ValueError, match="g.txt"):
        write_table(gaps, tmp_path / "g.txt")
    # a list without positions (records not on the map) is written as an attribute table
    plain = pd.DataFrame(gaps.drop(columns="geometry"))
    write_table(plain, tmp_path / "plain.gpkg", layer="off_map_gaps")
    back = pyogrio.read_dataframe(tmp_path / "plain.gpkg", layer="off_map_gaps")
    assert len(back) == len(plain) and "geometry" not in back
    assert back[localise(plain[["id"]]).columns[0]].tolist() == plain["id"].tolist()


def test_labels_never_clash():
    frame = pd.DataFrame({"name": [1], "名称": [2]})
    assert list(localise(frame).columns) == ["name", "名称"]


def test_numbers_are_rounded_by_what_they_measure():
    frame = pd.DataFrame({
        "lon": [112.123456789], "minutes": [12.345], "distance_m": [1234.56], "population": [4969.0],
        "nursing_share": [0.37284], "share_below": [1.0], "gini": [0.123456], "reached": [12.345], "other": [2.0],
        "frac": [0.123456], "sx_code": ["x"], "_tmp": [1], "_kind": ["幼儿园"], "flag": ["snap_too_far;unreachable"],
        "place_kind": ["community"], "urban": [True], "coord_system": ["gcj02"], "mode": ["distance"],
    })
    row = readable(frame, "zh").iloc[0].to_dict()
    assert row == {
        "经度": "112.123457", "步行时间（分钟）": "12.3", "距离（米）": "1235", "人口": "4969",
        "nursing_share": "37.3%", "低于目标的人口比例": "100.0%", "基尼系数": "0.123", "可及供给": "12.3", "other": "2",
        "frac": "0.12", "图层": "幼儿园", "标记": "离路网过远；路网不可达", "类型": "社区", "城乡": "城镇",
        "坐标系": "GCJ-02（高德、腾讯）", "计算方式": "直线距离估算",
    }
    # evaluation rows carry their unit: a share in percent, its gap in percentage points, a count whole
    rows = pd.DataFrame({"unit": ["share", "count"], "value": [0.3728, 3.0], "threshold": [0.45, 1.0],
                         "gap": [0.0772, -2.0], "met": [False, True], "comparator": [">=", ">="]})
    shown = readable(rows, "zh")
    assert shown["数值"].tolist() == ["37.3%", "3"]
    assert shown["目标值"].tolist() == ["45.0%", "1"]
    assert shown["差距"].tolist() == ["7.7 个百分点", ""]  # a met target has no gap
    assert shown["是否达标"].tolist() == ["否", "是"]
    assert shown["单位"].tolist() == ["比例", "个数"] and shown["比较"].tolist() == ["≥", "≥"]
    # ... and a list without a unit column gets the units from the caller
    assert readable(rows.drop(columns="unit").head(1), "en", units={"value": "share"})["Value"].tolist() == ["37.3%"]


# --- every gap list of the demo data, as exported in Chinese ---------------------------------

#: ASCII words a Chinese export may hold: ids (R014198), units, coordinate systems and file names.
_ALLOWED_WORDS = {
    "m", "km", "WGS-84", "GCJ-02", "BD-09",
    # the demo layers' own provenance, a value of their "source" column ("合成演示数据(非真实)/ synthetic demo data"),
    # which exports keep as the data has it
    "synthetic", "demo", "data",
}
_WORD = re.compile(r"[A-Za-z0-9_.\-]*[A-Za-z][A-Za-z0-9_.\-]*")
_ID = re.compile(r"[A-Z]{1,2}\d+")
_FILE = re.compile(r".+\.(csv|xlsx|gpkg|shp|zip|geojson|tif)", re.I)
_RAW = re.compile(r"\b(True|False|None|nan|NaN|NaT|<NA>)\b")
_HAN = re.compile(r"[\u4e00-\u9fff]")
#: Columns of each list that hold shares, and (nursing) the gap to the threshold in percentage points.
_SHARES = {"kindergartens_capacity": ("share_below",), "elderly_capacity": ("share_below",),
           "nursing": ("value", "threshold")}


def _foreign_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text)
            if w not in _ALLOWED_WORDS and not _ID.fullmatch(w) and not _FILE.fullmatch(w)]


@pytest.fixture(scope="module")
def demo():
    layers = {k: r.layer for k, r in load_demo().items()}
    return Workspace.build(layers, Boundaries.load())


def _units(ws, name):
    """The nursing list's values are in its target's unit (as the app passes them)."""
    target = next(tg for tg in ws.analysis.targets if tg.id == "nursing_beds_county")
    return dict.fromkeys(("value", "threshold", "gap"), target.unit) if name == "nursing" else None


@pytest.mark.parametrize("name", GAP_KINDS)
def test_chinese_csv_and_xlsx_of_every_demo_gap_list_are_in_words(demo, name):
    frame = demo.gap_list(name, "province", None)
    assert frame is not None and len(frame) > 0
    units = _units(demo, name)
    csv = pd.read_csv(io.BytesIO(to_csv_bytes(frame, "zh", units=units)), encoding="utf-8-sig", dtype=str,
                      keep_default_na=False)
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({name: frame}, "zh", units=units)))
    assert len(wb.sheetnames) == 1
    sheet = wb.sheetnames[0]
    assert _HAN.search(sheet) and not re.search("[A-Za-z]", sheet), sheet
    cells = list(wb[sheet].iter_rows())
    header = [c.value for c in cells[0]]
    assert header == list(csv.columns) and len(cells) - 1 == len(csv) == len(frame)
    for h in csv.columns:
        assert _HAN.search(h) and not _foreign_words(h), h  # every column has a Chinese header
    bad = {(h, v) for h in csv.columns for v in csv[h] if _foreign_words(v) or _RAW.search(v)}
    assert not bad, sorted(bad)[:10]
    for row in cells[1:]:
        for c in row:
            v = c.value
            assert not isinstance(v, bool) and not (isinstance(v, float) and math.isnan(v)), (c.coordinate, v)
            assert not (isinstance(v, str) and (_foreign_words(v) or _RAW.search(v))), (c.coordinate, v)
            if isinstance(v, float):  # numbers stay numbers, shown rounded (never Excel's "General" 0.372836…)
                assert c.number_format != "General", (c.coordinate, v)
    for col in _SHARES.get(name, ()):
        shown = csv[t(f"col.{col}")]
        assert shown.str.endswith("%").all(), shown.head().tolist()
        back = shown.str.rstrip("%").astype(float) / 100  # the core's share, to the 0.1 % shown
        assert (back - frame[col].astype(float)).abs().max() <= 0.0005 + 1e-12
        i = header.index(t(f"col.{col}"))  # XLSX: the share itself, shown in percent by Excel
        assert all(row[i].number_format.endswith("%") for row in cells[1:])
        assert [row[i].value for row in cells[1:]] == pytest.approx(frame[col].astype(float).tolist())
    if name == "nursing":
        assert csv[t("col.gap")].str.endswith("个百分点").all()


def test_demo_fitness_list_numbers_round_trip(demo):
    frame = demo.gap_list("fitness", "county", "140105")
    csv = pd.read_csv(io.BytesIO(to_csv_bytes(frame, "zh")), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert csv["编号"].tolist() == frame["id"].tolist()
    for col, tol, decimals in (("minutes", 0.05, 1), ("distance_m", 0.5, 0), ("lon", 5e-7, 6), ("lat", 5e-7, 6)):
        shown = csv[t(f"col.{col}")]
        assert shown.map(lambda v, d=decimals: len(v.partition(".")[2]) == d).all(), (col, shown.head().tolist())
        assert (shown.astype(float) - frame[col].astype(float)).abs().max() <= tol + 1e-9, col
    assert csv["人口"].astype(int).tolist() == frame["population"].astype(int).tolist()
    # XLSX: numbers stay numbers, minutes to one decimal and metres whole, shown so by their number formats
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"fitness": frame}, "zh"))).active
    cells = list(sheet.iter_rows())
    header = [c.value for c in cells[0]]
    minutes = [row[header.index("步行时间（分钟）")] for row in cells[1:]]
    assert [c.value for c in minutes] == pytest.approx(frame["minutes"].round(1).tolist(), abs=1e-9)
    assert {c.number_format for c in minutes} == {"0.0"}
    metres = [row[header.index("距离（米）")].value for row in cells[1:]]
    assert metres == frame["distance_m"].round().astype(int).tolist()
    assert set(csv["城乡"]) <= {"城镇", "农村"} and set(csv["已覆盖"]) == {"否"}
    assert "备注（英文）" not in csv.columns and "备注" in csv.columns
    # a table a caller localised first is exported the same
    assert to_csv_bytes(localise(frame, "zh"), "zh") == to_csv_bytes(frame, "zh")
    # in English: English headers and words, no Chinese notes column
    en = readable(frame, "en")
    assert "Notes" in en.columns and "Notes (zh)" not in en.columns
    assert set(en["Covered"]) == {"no"} and not any(_RAW.search(v) for v in en.to_numpy().ravel())
