"""Map-service POI exports: recognised by their fields, loaded in their service's datum, categories mapped."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from sxgeo.io import coords, load_layer
from sxgeo.io.poi import detect_service, poi_category

XIAODIAN_POINT = (112.5647, 37.8135)  # inside 小店区, 太原
AMAP_HEADERS = ["id", "name", "type", "typecode", "address", "location", "pname", "cityname", "adname"]


def gcj(lon=XIAODIAN_POINT[0], lat=XIAODIAN_POINT[1]):
    """A point of 小店区 as Amap would give it: GCJ-02, six decimals."""
    glon, glat = coords.wgs84_to_gcj02(lon, lat)
    return round(float(glon), 6), round(float(glat), 6)


def expected_wgs(lon, lat):
    x, y = coords.gcj02_to_wgs84(lon, lat)
    return round(float(x), 7), round(float(y), 7)


def amap_rows():
    glon, glat = gcj()
    loc = f"{glon:.6f},{glat:.6f}"
    return [
        ["B0FFG1", "小店区实验幼儿园", "科教文化服务;学校;幼儿园", "141204", "坞城路1号", loc, "山西省", "太原市", "小店区"],
        ["B0FFG2", "坞城小学", "科教文化服务;学校;小学", "141203", "", loc, "山西省", "太原市", "小店区"],
        ["B0FFG3", "阳光幼儿园", "科教文化服务;学校;幼儿园", "141204", "", "112.5E,37.8", "山西省", "太原市", "小店区"],
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_amap_csv_export_is_read_in_gcj02_with_unknown_ownership(tmp_path, encoding):
    path = tmp_path / "amap.csv"
    pd.DataFrame(amap_rows(), columns=AMAP_HEADERS).to_csv(path, index=False, encoding=encoding)
    res = load_layer(path, "kindergartens")
    glon, glat = gcj()
    assert res.service == "amap" and res.coord_system == "gcj02" and res.datum_reason == "export"
    assert res.layer["id"].tolist() == ["B0FFG1", "B0FFG2", "B0FFG3"]
    assert res.layer["lon"].tolist()[:2] == [expected_wgs(glon, glat)[0]] * 2
    assert res.layer["lat"].tolist()[:2] == [expected_wgs(glon, glat)[1]] * 2
    assert res.layer["coord_system"].tolist() == ["gcj02", "gcj02", "gcj02"]
    assert res.layer["county_name"].tolist() == ["小店区", "小店区", "小店区"]
    # a POI list never says public or private: ownership is unknown, never public
    assert res.layer["ownership"].tolist() == ["unknown", "unknown", "unknown"]
    assert not res.layer["ownership"].eq("public").any()
    # the service's own fields stay with the rows; adname places the row whose location is unreadable
    assert res.layer["typecode"].tolist() == ["141204", "141203", "141204"]
    assert res.layer["pname"].tolist() == ["山西省"] * 3
    assert res.layer["notes"].tolist()[:2] == ["", "兴趣点类别“科教文化服务;学校;小学”不属于本图层的设施类型"]
    # an unreadable location keeps its row off the map, in the county adname names, with the values in its note
    third = res.layer.iloc[2]
    assert not third["located"] and third["geometry"] is None and np.isnan(third["lon"])
    assert (third["county_code"], third["admin_method"]) == ("140105", "county_name")
    assert third["notes"] == "坐标无法解析：经度 112.5E，纬度 37.8；未上图：不参与距离分析，仅按所在区县计入区县指标（乡镇未知）"
    assert res.rejected.empty
    assert res.counts() == {"input": 3, "loaded": 3, "located": 2, "unlocated": 1, "rejected": 0}
    assert res.summary("zh") == (
        "amap.csv（幼儿园）：共 3 行，载入 3 行（有坐标 2 行，无坐标 1 行），拒绝 0 行；"
        "附注：兴趣点类别不符 1 行，未上图 1 行；"
        "坐标系：GCJ-02（识别为高德地图兴趣点导出，按该服务的坐标系转换为 WGS-84）；"
        "兴趣点导出不含公办/民办信息，性质记为“性质未知”，不视为公办"
    )
    assert "GCJ-02 (recognised as a POI export from Amap" in res.summary("en")


def test_amap_xlsx_export_for_elderly_care_maps_typecodes_and_words(tmp_path):
    glon, glat = gcj()
    path = tmp_path / "amap.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(AMAP_HEADERS)
    loc = f"{glon},{glat}"
    ws.append(["A1", "坞城敬老院", "生活服务;社会福利;养老院", "", "", loc, "山西省", "太原市", "小店区"])
    ws.append(["A2", "某日间照料中心", "生活服务;日间照料中心", "", "", loc, "山西省", "太原市", "小店区"])
    # the words say pharmacy: they win over the (unsure) 0906 code of the table
    ws.append(["A3", "某药店", "医疗保健服务;医药保健销售店;药房", "090601", "", loc, "山西省", "太原市", "小店区"])
    ws.append(["A4", "某护理中心", "", "090600", "", loc, "山西省", "太原市", "小店区"])  # no words: the code
    wb.save(path)
    res = load_layer(path, "elderly_care")
    assert res.service == "amap" and res.coord_system == "gcj02"
    assert res.layer["care_kind"].tolist() == ["institution", "community", "other", "institution"]
    assert res.layer["notes_en"].iat[2] == "POI category '医疗保健服务;医药保健销售店;药房' is not a facility of this layer's kind"
    assert res.layer["lon"].iat[0] == expected_wgs(glon, glat)[0]


def test_baidu_export_with_point_x_y_is_read_in_bd09(tmp_path):
    lon, lat = XIAODIAN_POINT
    blon, blat = (round(float(v), 6) for v in coords.wgs84_to_bd09(lon, lat))
    path = tmp_path / "baidu.csv"
    pd.DataFrame(
        {
            "uid": ["u1", "u2"],
            "name": ["甲养老院", "乙健身"],
            "tag": ["医疗;养老院", "运动健身;健身中心"],
            "address": ["", ""],
            "point.x": [blon, blon],
            "point.y": [blat, blat],
        }
    ).to_csv(path, index=False, encoding="gbk")
    res = load_layer(path, "elderly_care")
    assert res.service == "baidu" and res.coord_system == "bd09" and res.datum_reason == "export"
    x, y = coords.bd09_to_wgs84(blon, blat)
    assert res.layer["lon"].tolist() == [round(float(x), 7)] * 2
    assert res.layer["lat"].tolist() == [round(float(y), 7)] * 2
    assert res.layer["care_kind"].tolist() == ["institution", "other"]
    assert res.layer["id"].tolist() == ["R2", "R3"]  # Baidu's uid is no id column of ours; rows are numbered
    assert "坐标系：BD-09（识别为百度地图兴趣点导出" in res.summary("zh")


def test_tencent_export_is_read_in_gcj02(tmp_path):
    glon, glat = gcj()
    path = tmp_path / "qq.csv"
    pd.DataFrame(
        {
            "id": ["T1"],
            "title": ["某体育馆"],
            "category": ["运动健身:体育场馆"],
            "location.lat": [glat],
            "location.lng": [glon],
            "ad_info.district": ["小店区"],
        }
    ).to_csv(path, index=False)
    res = load_layer(path, "fitness")
    assert res.service == "tencent" and res.coord_system == "gcj02"
    assert res.layer["fitness_kind"].tolist() == ["stadium"]
    assert (res.layer["lon"].iat[0], res.layer["lat"].iat[0]) == expected_wgs(glon, glat)
    assert "腾讯地图" in res.summary("zh")


def test_an_explicit_coordinate_system_wins_over_the_guess(tmp_path):
    lon, lat = XIAODIAN_POINT
    path = tmp_path / "amap.csv"
    row = ["B1", "甲幼儿园", "科教文化服务;学校;幼儿园", "141204", "", f"{lon},{lat}", "山西省", "太原市", "小店区"]
    pd.DataFrame([row], columns=AMAP_HEADERS).to_csv(path, index=False)
    res = load_layer(path, "kindergartens", coord_system="wgs84")
    assert res.coord_system == "wgs84" and res.datum_reason == "explicit"
    assert (res.layer["lon"].iat[0], res.layer["lat"].iat[0]) == (lon, lat)
    assert res.layer["coord_system"].tolist() == ["wgs84"]
    assert "坐标系：WGS-84/CGCS2000（按指定）" in res.summary("zh")
    assert "coordinate system: WGS-84/CGCS2000 (as specified)" in res.summary("en")


def test_a_plain_file_defaults_to_wgs84_and_says_why(tmp_path):
    lon, lat = XIAODIAN_POINT
    path = tmp_path / "kg.csv"
    pd.DataFrame({"名称": ["甲"], "性质": ["公办"], "经度": [lon], "纬度": [lat]}).to_csv(path, index=False)
    res = load_layer(path, "kindergartens")
    assert res.service is None and res.coord_system == "wgs84" and res.datum_reason == "default"
    assert (res.layer["lon"].iat[0], res.layer["lat"].iat[0]) == (lon, lat)
    assert res.summary("zh") == (
        "kg.csv（幼儿园）：共 1 行，载入 1 行（有坐标 1 行，无坐标 0 行），拒绝 0 行；坐标系：WGS-84/CGCS2000"
        "（未识别为地图服务导出，按 WGS-84 读取；如为高德/腾讯请选 GCJ-02，百度请选 BD-09）"
    )


def test_a_single_coordinate_field_in_a_plain_file_is_split(tmp_path):
    lon, lat = XIAODIAN_POINT
    path = tmp_path / "kg.csv"
    pd.DataFrame({"名称": ["甲", "乙"], "性质": ["公办", "民办"], "坐标": [f"{lon}，{lat}", f"{lon} {lat}"]}).to_csv(
        path, index=False
    )
    res = load_layer(path, "kindergartens")
    assert res.coord_system == "wgs84" and res.datum_reason == "default"
    assert res.layer["lon"].tolist() == [lon, lon] and res.layer["lat"].tolist() == [lat, lat]
    assert res.layer["坐标"].tolist() == [f"{lon}，{lat}", f"{lon} {lat}"]


def test_a_kindergarten_export_with_its_own_ownership_column_keeps_it(tmp_path):
    glon, glat = gcj()
    path = tmp_path / "amap.csv"
    row = ["B1", "甲幼儿园", "科教文化服务;学校;幼儿园", "141204", "", f"{glon},{glat}", "山西省", "太原市", "小店区", "公办"]
    pd.DataFrame([row], columns=AMAP_HEADERS + ["性质"]).to_csv(path, index=False)
    res = load_layer(path, "kindergartens")
    assert res.layer["ownership"].tolist() == ["public"]
    assert res.warnings == []


def test_detect_service_and_categories():
    assert detect_service(AMAP_HEADERS) == "amap"
    assert detect_service(["uid", "name", "point.x", "point.y"]) == "baidu"
    assert detect_service(["id", "title", "category", "location.lat", "location.lng"]) == "tencent"
    assert detect_service(["名称", "经度", "纬度", "lng", "lat"]) is None
    assert poi_category("科教文化服务;学校;幼儿园", "141204") == ("kindergartens", "unknown")
    assert poi_category("", "141204") == ("kindergartens", "unknown")
    assert poi_category("", "080100") == ("fitness", "stadium")
    assert poi_category("", "080199") == ("fitness", "stadium")  # the 4-digit medium class
    assert poi_category("教育培训;幼儿园") == ("kindergartens", "unknown")
    assert poi_category("医疗;养老院") == ("elderly_care", "institution")
    assert poi_category("教育学校:幼儿园") == ("kindergartens", "unknown")
    assert poi_category("购物服务;便民商店", "060200") is None
    assert poi_category("购物服务;便民商店", "141204") is None  # words, when given, win over the code


def test_the_category_file_only_names_known_kinds_and_codes():
    import tomllib

    from sxgeo.layers.kinds import KINDS
    from sxgeo.resources import package_file

    with package_file("data", "poi_categories.toml").open("rb") as fh:
        table = tomllib.load(fh)
    for section in ("amap_typecodes", "words"):
        for key, target in table[section].items():
            kind, code = target.split(".")
            col = KINDS[kind].column(table["columns"][kind])
            assert code in col.values or code == col.fallback, (section, key, target)
    assert np.all([len(k) in (4, 6) and k.isdigit() for k in table["amap_typecodes"]])
