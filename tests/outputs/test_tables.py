"""Exports: CSV with BOM, XLSX with Chinese headers, GeoPackage round trip."""

from __future__ import annotations

import io

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from sxgeo.outputs.tables import localise, to_csv_bytes, to_gpkg_bytes, to_xlsx_bytes, write_table


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
    en = pd.read_csv(io.BytesIO(to_csv_bytes(gaps, "en")), encoding="utf-8-sig")
    assert list(en.columns)[:3] == ["ID", "Name", "Population"]


def test_xlsx_round_trip(gaps):
    data = to_xlsx_bytes({"健身缺口": gaps, "x" * 40: gaps.head(1)})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["健身缺口", "x" * 31]
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
