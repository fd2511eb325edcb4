"""Loading layers: every format, Chinese headers, datum conversion, bad input, admin assignment."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from sxgeo.errors import LayerReadError
from sxgeo.io import coords, load_layer, load_township_polygons, read_table
from sxgeo.layers import boundaries
from sxgeo.layers.admin import AddressParser, normalise_township_code

# Real places: 坞城街道 (小店区, 太原) and 晋祠镇 (晋源区, 太原), both from the MCA list.
WUCHENG = ("140105001", "坞城街道", 112.5647, 37.8135)
XIAODIAN_POINT = (112.5647, 37.8135)  # inside 小店区
JINYUAN_POINT = (112.4900, 37.7200)  # inside 晋源区

KG_HEADERS = ["编号", "名称", "性质", "普惠", "中心园", "学位数", "在园幼儿数", "建成年份", "地址", "经度", "纬度"]


def kg_row(i, lon, lat, **over):
    row = {
        "编号": f"K{i}",
        "名称": f"测试幼儿园{i}",
        "性质": "公办",
        "普惠": "是",
        "中心园": "否",
        "学位数": "180",
        "在园幼儿数": "150",
        "建成年份": "2015",
        "地址": "",
        "经度": f"{lon}",
        "纬度": f"{lat}",
    }
    row.update(over)
    return row


def write_csv(path, rows, headers=KG_HEADERS, encoding="utf-8"):
    df = pd.DataFrame(rows, columns=headers)
    df.to_csv(path, index=False, encoding=encoding)
    return path


# --- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_with_chinese_headers(tmp_path, encoding):
    path = write_csv(tmp_path / "kg.csv", [kg_row(1, *XIAODIAN_POINT), kg_row(2, *JINYUAN_POINT)], encoding=encoding)
    res = load_layer(path, "kindergartens")
    assert len(res.rejected) == 0
    assert list(res.layer["name"]) == ["测试幼儿园1", "测试幼儿园2"]
    assert list(res.layer["ownership"]) == ["public", "public"]
    assert list(res.layer["county_code"]) == ["140105", "140110"]
    assert list(res.layer["county_name"]) == ["小店区", "晋源区"]
    assert res.layer.crs.to_epsg() == 4326
    assert res.layer["places"].tolist() == [180, 180]
    assert res.column_map["经度"] == "lon" and res.column_map["性质"] == "ownership"


def test_english_headers_and_units_in_headers(tmp_path):
    path = tmp_path / "elderly.csv"
    pd.DataFrame(
        {
            "ID": ["E1", "E2"],
            "Name": ["Home A", "Home B"],
            "Kind": ["institution", "养老院"],
            "床位数（张）": ["100", "1,200"],
            "Nursing-type beds": ["60", "300"],
            "Longitude": [XIAODIAN_POINT[0], JINYUAN_POINT[0]],
            "Latitude": [XIAODIAN_POINT[1], JINYUAN_POINT[1]],
            "Opening year": ["2020", ""],
            "备注": ["甲", "乙"],
        }
    ).to_csv(path, index=False)
    res = load_layer(path, "elderly_care")
    assert len(res.rejected) == 0
    assert res.layer["beds"].tolist() == [100, 1200]
    assert res.layer["care_kind"].tolist() == ["institution", "institution"]
    assert res.layer["opening_year"].isna().tolist() == [False, True]
    assert res.layer["备注"].tolist() == ["甲", "乙"], "unrecognised columns are kept"


def test_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(KG_HEADERS)
    ws.append([1001, "甲园", "民办", "是", "否", 90, 80, 2019, "", XIAODIAN_POINT[0], XIAODIAN_POINT[1]])
    ws.append([1002, "乙园", "公办", "否", "是", 300, 260, 2001, "", JINYUAN_POINT[0], JINYUAN_POINT[1]])
    wb.save(tmp_path / "kg.xlsx")
    res = load_layer(tmp_path / "kg.xlsx", "kindergartens")
    assert len(res.rejected) == 0
    assert res.layer["id"].tolist() == ["1001", "1002"]
    assert res.layer["inclusive"].tolist() == [True, False]
    assert res.layer["central"].tolist() == [False, True]
    assert res.layer["row"].tolist() == [2, 3]


def _points_gdf():
    return gpd.GeoDataFrame(
        {"编号": ["F1", "F2"], "名称": ["健身中心", "体育公园"], "类型": ["社区全民健身中心", "体育公园"]},
        geometry=[Point(*XIAODIAN_POINT), Point(*JINYUAN_POINT)],
        crs="EPSG:4326",
    )


def test_geojson_and_geopackage(tmp_path):
    gdf = _points_gdf()
    gdf.to_file(tmp_path / "f.geojson", driver="GeoJSON")
    gdf.to_crs("EPSG:4547").to_file(tmp_path / "f.gpkg", driver="GPKG")  # CGCS2000 / 3-degree GK CM 114E
    for name in ("f.geojson", "f.gpkg"):
        res = load_layer(tmp_path / name, "fitness")
        assert len(res.rejected) == 0, res.rejected
        assert res.layer["fitness_kind"].tolist() == ["community_centre", "sports_park"]
        assert np.allclose(res.layer["lon"], [XIAODIAN_POINT[0], JINYUAN_POINT[0]], atol=1e-7)
        assert np.allclose(res.layer["lat"], [XIAODIAN_POINT[1], JINYUAN_POINT[1]], atol=1e-7)
        assert res.layer["row"].tolist() == [1, 2]


@pytest.mark.parametrize("encoding,with_cpg", [("GBK", False), ("UTF-8", True)])
def test_zipped_shapefile(tmp_path, encoding, with_cpg):
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    _points_gdf().to_file(shp_dir / "fitness.shp", encoding=encoding)
    cpg = shp_dir / "fitness.cpg"
    if not with_cpg and cpg.exists():
        cpg.unlink()
    zpath = tmp_path / "fitness.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, f"layer/{f.name}")
    res = load_layer(zpath, "fitness")
    assert len(res.rejected) == 0
    assert res.layer["name"].tolist() == ["健身中心", "体育公园"]
    assert res.layer["fitness_kind"].tolist() == ["community_centre", "sports_park"]


def test_polygon_features_use_an_interior_point(tmp_path):
    county = boundaries.load_counties().set_index("adcode").loc["140105", "geometry"]
    gdf = gpd.GeoDataFrame(
        {"名称": ["体育公园"], "类型": ["体育公园"]}, geometry=[county.buffer(-0.01).envelope.intersection(county)], crs=4326
    )
    gdf.to_file(tmp_path / "park.geojson", driver="GeoJSON")
    res = load_layer(tmp_path / "park.geojson", "fitness")
    assert len(res.layer) == 1 and res.layer["county_code"].iat[0] == "140105"
    assert "代表点" in res.layer["notes"].iat[0]
    assert res.layer["id"].iat[0] == "R1"


# --- coordinate systems -------------------------------------------------------------------


@pytest.mark.parametrize("system,forward", [("gcj02", coords.wgs84_to_gcj02), ("bd09", coords.wgs84_to_bd09)])
def test_coordinates_are_converted_to_wgs84(tmp_path, system, forward):
    lon, lat = XIAODIAN_POINT
    slon, slat = forward(lon, lat)
    path = write_csv(tmp_path / "kg.csv", [kg_row(1, f"{slon:.7f}", f"{slat:.7f}")])
    res = load_layer(path, "kindergartens", coord_system=system)
    assert res.layer["coord_system"].iat[0] == system
    _, _, dist = coords_dist(res.layer["lon"].iat[0], res.layer["lat"].iat[0], lon, lat)
    assert dist < 0.5


def coords_dist(lon1, lat1, lon2, lat2):
    from pyproj import Geod

    return Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)


def test_per_row_coordinate_system_column(tmp_path):
    lon, lat = XIAODIAN_POINT
    glon, glat = coords.wgs84_to_gcj02(lon, lat)
    rows = [
        kg_row(1, lon, lat, 坐标系="WGS84"),
        kg_row(2, glon, glat, 坐标系="高德"),
        kg_row(3, lon, lat, 坐标系=""),
        kg_row(4, lon, lat, 坐标系="火星坐标2"),
    ]
    path = write_csv(tmp_path / "kg.csv", rows, headers=KG_HEADERS + ["坐标系"])
    res = load_layer(path, "kindergartens")
    assert res.layer["coord_system"].tolist() == ["wgs84", "gcj02", "wgs84"]
    assert np.allclose(res.layer["lon"], lon, atol=1e-8) and np.allclose(res.layer["lat"], lat, atol=1e-8)
    assert res.rejected[["row", "reason_key"]].values.tolist() == [[5, "unknown_crs"]]
    assert "火星坐标2" in res.rejected["reason"].iat[0]


def test_unknown_file_level_coordinate_system(tmp_path):
    path = write_csv(tmp_path / "kg.csv", [kg_row(1, *XIAODIAN_POINT)])
    with pytest.raises(LayerReadError) as err:
        load_layer(path, "kindergartens", coord_system="mars")
    assert "kg.csv" in str(err.value) and "mars" in str(err.value)


# --- bad rows -----------------------------------------------------------------------------


def test_every_bad_row_has_its_exact_reason(tmp_path):
    lon, lat = XIAODIAN_POINT
    rows = [
        kg_row(1, lon, lat),  # row 2: fine
        kg_row(2, "", lat),  # row 3: missing coordinates
        kg_row(3, "112.5E", lat),  # row 4: unparsable
        kg_row(4, 116.40, 39.90),  # row 5: Beijing, outside Shanxi
        kg_row(5, lat, lon),  # row 6: swapped
        kg_row(1, lon, lat),  # row 7: duplicate id K1
        kg_row(7, lon, lat, 乡镇代码="140105999"),  # row 8: unknown township code: kept in its point's county
        kg_row(8, lon, lat, 学位数="很多"),  # row 9: a count that cannot be read (an unknown 性质 would load as 其他)
        kg_row(9, lon, lat, 学位数="-5"),  # row 10: negative
        kg_row(10, lon, lat, 性质=""),  # row 11: required value missing
        {h: "" for h in KG_HEADERS},  # row 12: empty row
        kg_row(12, lon, lat, 乡镇名称="不存在镇"),  # row 13: unknown township name: kept in its point's county
        kg_row(13, 250, 95),  # row 14: impossible coordinates
    ]
    path = write_csv(tmp_path / "bad.csv", rows, headers=KG_HEADERS + ["乡镇代码", "乡镇名称"])
    res = load_layer(path, "kindergartens")
    got = res.rejected[["row", "reason_key"]].values.tolist()
    assert got == [
        [3, "missing_coords"],
        [4, "bad_coords"],
        [5, "outside_shanxi"],
        [6, "swapped_coords"],
        [7, "duplicate_id"],
        [9, "bad_value"],
        [10, "negative_value"],
        [11, "missing_value"],
        [12, "empty_row"],
        [14, "bad_coords"],
    ]
    reasons = dict(zip(res.rejected["row"], res.rejected["reason"]))
    assert reasons[3] == "缺少坐标，且乡镇代码、乡镇名称、区县和地址都无法确定所在区县"
    assert reasons[7] == "编号重复：K1（与第 2 行相同）"
    assert reasons[9] == "字段“学位数”的值无法识别：很多"
    # a township not on the list never rejects a row: it keeps the county its point lies in, with a note
    kept = res.layer.set_index("row")
    assert kept.loc[[8, 13], "county_code"].tolist() == ["140105", "140105"]
    assert kept.loc[[8, 13], "township_code"].isna().all()
    assert kept.at[8, "notes"] == "乡镇代码“140105999”不在现行乡镇名录中（可能已撤并），未确定乡镇"
    assert kept.at[13, "notes"] == "乡镇“不存在镇”不在现行乡镇名录中（可能已撤并或改名），未确定乡镇"
    en = dict(zip(res.rejected["row"], res.rejected["reason_en"]))
    assert en[5] == "point lies outside Shanxi: longitude 116.4, latitude 39.9"
    # nothing lost: the loaded and rejected rows together are the input rows
    assert res.layer["row"].tolist() == [2, 8, 13]
    assert len(res.layer) + len(res.rejected) == len(rows)
    # the original values stay with each rejected row
    assert res.rejected.loc[res.rejected["row"] == 9, "名称"].iat[0] == "测试幼儿园8"


def test_cross_field_checks(tmp_path):
    path = tmp_path / "e.csv"
    pd.DataFrame(
        {
            "名称": ["甲", "乙"],
            "类型": ["养老机构", "养老机构"],
            "床位数": ["100", "50"],
            "护理型床位数": ["40", "80"],
            "经度": [XIAODIAN_POINT[0]] * 2,
            "纬度": [XIAODIAN_POINT[1]] * 2,
        }
    ).to_csv(path, index=False)
    res = load_layer(path, "elderly_care")
    assert res.rejected[["row", "reason_key", "reason"]].values.tolist() == [
        [3, "nursing_gt_beds", "护理型床位数（80）大于床位数（50）"]
    ]


def test_point_just_outside_the_border_is_kept_with_a_note(tmp_path, counties):
    province = shapely.union_all(counties.to_crs(32649).geometry.values)
    # a point 200 m outside the province boundary, due west of its westernmost vertex
    west = shapely.get_coordinates(province)[shapely.get_coordinates(province)[:, 0].argmin()]
    outside = gpd.GeoSeries([Point(west[0] - 200, west[1])], crs=32649).to_crs(4326).iloc[0]
    path = write_csv(tmp_path / "kg.csv", [kg_row(1, outside.x, outside.y)])
    res = load_layer(path, "kindergartens")
    assert len(res.layer) == 1
    assert "边界外" in res.layer["notes"].iat[0]
    strict = load_layer(path, "kindergartens", tolerance_m=50)
    assert strict.rejected["reason_key"].tolist() == ["outside_shanxi"]


# --- whole-file errors --------------------------------------------------------------------


def test_unreadable_files_give_one_clear_error(tmp_path):
    cases = {}
    cases["missing.csv"] = tmp_path / "missing.csv"
    (tmp_path / "broken.xlsx").write_bytes(b"this is not a workbook")
    cases["broken.xlsx"] = tmp_path / "broken.xlsx"
    (tmp_path / "notes.docx").write_bytes(b"x")
    cases["notes.docx"] = tmp_path / "notes.docx"
    (tmp_path / "empty.csv").write_text("")
    cases["empty.csv"] = tmp_path / "empty.csv"
    (tmp_path / "header_only.csv").write_text("名称,性质,经度,纬度\n")
    cases["header_only.csv"] = tmp_path / "header_only.csv"
    (tmp_path / "latin.csv").write_bytes("名称,经度\n".encode("utf-16"))
    cases["latin.csv"] = tmp_path / "latin.csv"
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as zf:
        zf.writestr("../../etc/evil.shp", b"x")
    cases["evil.zip"] = tmp_path / "evil.zip"
    with zipfile.ZipFile(tmp_path / "nolayer.zip", "w") as zf:
        zf.writestr("readme.txt", b"x")
    cases["nolayer.zip"] = tmp_path / "nolayer.zip"
    (tmp_path / "bad.geojson").write_text("{not json")
    cases["bad.geojson"] = tmp_path / "bad.geojson"
    for name, path in cases.items():
        with pytest.raises(LayerReadError) as err:
            load_layer(path, "kindergartens")
        msg = str(err.value)
        assert name in msg and "\n" not in msg and "Traceback" not in msg, msg
    with pytest.raises(LayerReadError, match="不安全"):
        read_table(tmp_path / "evil.zip")


def test_missing_required_column_names_it(tmp_path):
    path = tmp_path / "kg.csv"
    pd.DataFrame({"名称": ["甲"], "经度": [112.5], "纬度": [37.8]}).to_csv(path, index=False)
    with pytest.raises(LayerReadError) as err:
        load_layer(path, "kindergartens")
    assert "性质" in err.value.message("zh") and "kg.csv" in err.value.message("zh")
    assert "missing" in err.value.message("en")
    no_coords = tmp_path / "nc.csv"
    pd.DataFrame({"名称": ["甲"], "性质": ["公办"]}).to_csv(no_coords, index=False)
    with pytest.raises(LayerReadError, match="经度"):
        load_layer(no_coords, "kindergartens")


def test_file_size_limit(tmp_path):
    path = write_csv(tmp_path / "kg.csv", [kg_row(1, *XIAODIAN_POINT)])
    with pytest.raises(LayerReadError, match="过大"):
        read_table(path, max_bytes=10)


# --- county and township assignment -------------------------------------------------------


def test_township_methods_in_order(tmp_path):
    lon, lat = XIAODIAN_POINT
    rows = [
        kg_row(1, lon, lat, 乡镇代码="140105001", 乡镇名称="", 地址=""),
        kg_row(2, lon, lat, 乡镇代码="140105002000", 乡镇名称="", 地址=""),  # 12-digit statistical code
        kg_row(3, lon, lat, 乡镇代码="", 乡镇名称="坞城街道", 地址=""),
        kg_row(4, lon, lat, 乡镇代码="", 乡镇名称="坞城", 地址=""),  # without the suffix
        kg_row(5, lon, lat, 乡镇代码="", 乡镇名称="", 地址="山西省太原市小店区坞城街道学府街1号"),
        kg_row(6, lon, lat, 乡镇代码="", 乡镇名称="", 地址="小店区某路"),
    ]
    path = write_csv(tmp_path / "kg.csv", rows, headers=KG_HEADERS + ["乡镇代码", "乡镇名称"])
    res = load_layer(path, "kindergartens")
    assert len(res.rejected) == 0
    assert res.layer["admin_method"].tolist() == [
        "township_code",
        "township_code",
        "township_name",
        "township_name",
        "address",
        "county_only",
    ]
    assert res.layer["township_code"].tolist()[:5] == ["140105001", "140105002", "140105001", "140105001", "140105001"]
    assert pd.isna(res.layer["township_code"].iat[5]) and res.layer["county_code"].iat[5] == "140105"
    assert res.layer["township_name"].iat[4] == "坞城街道"


def test_township_code_from_another_county_is_noted(tmp_path):
    # the point is in 晋源区 but the code says 坞城街道 of 小店区: the code wins, with a note
    path = write_csv(
        tmp_path / "kg.csv", [kg_row(1, *JINYUAN_POINT, 乡镇代码="140105001")], headers=KG_HEADERS + ["乡镇代码"]
    )
    res = load_layer(path, "kindergartens")
    assert res.layer["county_code"].iat[0] == "140105"
    assert res.layer["notes"].iat[0] == "乡镇代码属于 小店区，但坐标落在 晋源区"


def test_address_parser_finds_every_real_township(townships):
    parser = AddressParser(townships)
    wrong = []
    for r in townships.itertuples():
        address = f"山西省{r.city_name}{r.county_name}{r.name}幸福路8号"
        if parser.parse(address) != r.code:
            wrong.append((address, parser.parse(address)))
    assert wrong == []


def test_address_parser_disambiguation(townships):
    parser = AddressParser(townships)
    assert parser.parse("山西省太原市小店区坞城街道…") == "140105001"
    # 龙泉镇 exists in four counties: without a county the address is ambiguous …
    lq = townships[townships["name"] == "龙泉镇"]
    assert len(lq) == 4
    assert parser.parse("龙泉镇中心街") is None
    # … the county hint (the county the point lies in) settles it …
    first = lq.iloc[0]
    assert parser.parse("龙泉镇中心街", county_hint=first["county_code"]) == first["code"]
    # … and so does the county name in the address.
    second = lq.iloc[1]
    assert parser.parse(f"{second['county_name']}龙泉镇") == second["code"]
    # a name that is a suffix of a longer one: 西马坊乡 must not be read as 马坊乡
    xmf = townships[townships["name"] == "西马坊乡"].iloc[0]
    assert parser.parse(f"{xmf['county_name']}西马坊乡") == xmf["code"]
    # the two counties named 城区 are told apart by their city
    cq = townships[townships["county_name"] == "城区"]
    for _city, group in cq.groupby("city_code"):
        tw = group.iloc[0]
        assert parser.parse(f"{tw['city_name']}城区{tw['name']}") == tw["code"]
    assert parser.parse("") is None and parser.parse(None) is None


def test_normalise_township_code():
    assert normalise_township_code("140105001") == "140105001"
    assert normalise_township_code("140105001000") == "140105001"
    assert normalise_township_code("140105001.0") == "140105001"
    assert normalise_township_code("1401050") is None


# --- township polygons (the optional user layer) -------------------------------------------


def _split_county(counties, adcode):
    geom = counties.set_index("adcode").loc[adcode, "geometry"]
    minx, miny, maxx, maxy = geom.bounds
    mid = (minx + maxx) / 2
    west = geom.intersection(shapely.box(minx, miny, mid, maxy))
    east = geom.intersection(shapely.box(mid, miny, maxx, maxy))
    return west, east


def test_township_polygons_match_and_drive_assignment(tmp_path, counties, townships):
    west, east = _split_county(counties, "140105")
    far = counties.set_index("adcode").loc["140110", "geometry"]
    gdf = gpd.GeoDataFrame(
        {
            "乡镇代码": ["140105001", "", "", "140105001"],
            "乡镇名称": ["坞城街道", "营盘", "无名乡", "坞城街道"],
        },
        geometry=[west, east, far, west],
        crs=4326,
    )
    # supplied in GCJ-02, as a bureau's Amap-based export would be
    shifted = gdf.copy()
    shifted.geometry = shapely.transform(
        gdf.geometry.values, lambda xy: np.column_stack(coords.wgs84_to_gcj02(xy[:, 0], xy[:, 1]))
    )
    shifted.to_file(tmp_path / "tp.gpkg", driver="GPKG")
    tp = load_township_polygons(tmp_path / "tp.gpkg", coord_system="gcj02")
    assert tp.layer["code"].tolist() == ["140105001", "140105002"]
    assert tp.layer["admin_method"].tolist() == ["township_code", "township_name"]
    assert tp.rejected[["row", "reason_key"]].values.tolist() == [[3, "township_not_matched"], [4, "duplicate_township"]]
    assert len(tp.layer) + len(tp.rejected) == 4
    assert "140105003" in tp.layer.attrs["missing"]
    # the converted polygon lands back on the WGS-84 original to well under a metre
    back = gpd.GeoSeries([tp.layer.geometry.iat[0]], crs=4326).to_crs(32649).iat[0]
    orig = gpd.GeoSeries([west], crs=4326).to_crs(32649).iat[0]
    assert back.symmetric_difference(orig).area < 0.5 * back.length

    # a point inside the western half, with a contradicting code column: the polygon wins
    inner = west.representative_point()
    path = write_csv(tmp_path / "kg.csv", [kg_row(1, inner.x, inner.y, 乡镇代码="140105002")], headers=KG_HEADERS + ["乡镇代码"])
    res = load_layer(path, "kindergartens", township_polygons=tp.layer)
    assert res.layer["admin_method"].tolist() == ["township_polygon"]
    assert res.layer["township_code"].tolist() == ["140105001"]


def test_township_polygons_need_polygons(tmp_path):
    path = write_csv(tmp_path / "kg.csv", [kg_row(1, *XIAODIAN_POINT)])
    with pytest.raises(LayerReadError, match="面图层"):
        load_township_polygons(path)


# --- rows without coordinates: placed by their township or county -------------------------


def test_rows_without_coordinates_are_placed_by_code_name_or_address(tmp_path):
    headers = KG_HEADERS + ["乡镇代码", "乡镇名称", "区县", "城市", "区县代码"]
    lon, lat = XIAODIAN_POINT
    rows = [
        kg_row(1, "", "", 乡镇代码="140105100000"),  # row 2: a 12-digit statistical township code
        kg_row(2, "", "", 乡镇名称="刘家堡乡"),  # row 3: a township name found once in the province
        kg_row(3, "", "", 区县="城区", 城市="阳泉市"),  # row 4: 城区 of 阳泉, told apart by the city
        kg_row(4, "", "", 区县="城区"),  # row 5: two counties are named 城区: nothing says which
        kg_row(5, "", "", 地址="山西省晋城市城区东街8号"),  # row 6: the county in the address, no township
        kg_row(6, "", "", 区县代码="140121"),  # row 7: a county code only
        kg_row(7, lat, lon, 乡镇代码="140105001"),  # row 8: swapped coordinates, but the township is known
        kg_row(8, "abc", lat, 地址="太原市小店区北格镇"),  # row 9: unreadable longitude, township in the address
        kg_row(9, 116.40, 39.90, 区县代码="140105"),  # row 10: a point in Beijing with a Shanxi county code
        kg_row(10, lon, lat),  # row 11: an ordinary row
    ]
    res = load_layer(write_csv(tmp_path / "kg.csv", rows, headers=headers), "kindergartens")
    assert res.rejected[["row", "reason_key"]].values.tolist() == [[5, "missing_coords"]]
    got = res.layer.set_index("row")
    table = [
        (r, None if pd.isna(got.at[r, "township_code"]) else got.at[r, "township_code"], got.at[r, "county_code"],
         got.at[r, "admin_method"], bool(got.at[r, "located"]))
        for r in got.index
    ]
    assert table == [
        (2, "140105100", "140105", "township_code", False),
        (3, "140105201", "140105", "township_name", False),
        (4, None, "140302", "county_name", False),
        (6, None, "140502", "address_county", False),
        (7, None, "140121", "county_code", False),
        (8, "140105001", "140105", "township_code", False),
        (9, "140105100", "140105", "address", False),
        (10, None, "140105", "county_code", False),
        (11, None, "140105", "county_only", True),
    ]
    assert got.loc[got["located"] == False, "geometry"].isna().all()  # noqa: E712
    assert got.loc[got["located"] == False, ["lon", "lat"]].isna().all().all()  # noqa: E712
    assert got.at[8, "notes"] == (
        "经纬度疑似颠倒：经度 37.8135，纬度 112.5647（请交换两列）；未上图：不参与距离分析，按所在乡镇计入规则和指标"
    )
    assert got.at[9, "notes"].startswith("坐标无法解析：经度 abc，纬度 37.8135；")
    assert got.at[10, "notes"].startswith("点位在山西省范围以外：经度 116.4，纬度 39.9；")
    assert got.at[4, "notes_en"] == (
        "no coordinates (longitude or latitude is empty); not on the map: left out of distance analyses; "
        "counted only in county indicators (township unknown)"
    )
    assert res.counts() == {"input": 10, "loaded": 9, "located": 1, "unlocated": 8, "rejected": 1}
    assert res.note_counts["unlocated"] == 8


def test_a_merged_township_in_an_address_is_named_with_close_matches(townships):
    from sxgeo.layers.admin import AddressParser, close_townships

    parser = AddressParser(townships)
    # 西谷乡 is on the list; "西谷镇" is not: the address still gives the county
    assert parser.parse("山西省太原市清徐县西谷镇西谷村") is None
    assert parser.unmatched_township("山西省太原市清徐县西谷镇西谷村") == "西谷镇"
    assert parser.county("山西省太原市清徐县西谷镇西谷村") == "140121"
    assert close_townships("西谷镇", "140121", townships) == "西谷乡"
    # without a county the matches name their counties
    assert "西谷乡（清徐县）" in close_townships("西谷镇", None, townships).split(" / ")
    # a listed township is never reported as unmatched; an address naming no township gives nothing
    assert parser.unmatched_township("清徐县清源镇东湖路") is None
    assert parser.unmatched_township("太原市小店区学府街66号") is None
    # 城区: two counties share the name; the city decides
    assert parser.county("城区") is None
    assert parser.county("晋城市城区") == "140502" and parser.county("城区", "阳泉市") == "140302"
