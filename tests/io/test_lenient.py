"""Lenient, noted reading: units, Chinese numerals, full-width digits, DMS, decimal commas, unknown categories."""

from __future__ import annotations

import pandas as pd
import pytest

from sxgeo.io import load_layer, read_table
from sxgeo.io.lenient import parse_coordinate, parse_number

LON, LAT = 112.5647, 37.8135  # inside 小店区, 太原


@pytest.mark.parametrize(
    "text,value",
    [
        ("80张", 80),
        ("120人", 120),
        ("3,000平方米", 3000),
        ("3,000", 3000),
        ("１２０", 120),
        ("二十", 20),
        ("一百二十", 120),
        ("两千", 2000),
        ("十五", 15),
        ("一百零五", 105),
        ("3万", 30000),
        ("180", 180),
        ("0", 0),
    ],
)
def test_parse_number_understands(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "若干", "很多", "一二", "1,2,3", "12,5", "约100", "112.5E"])
def test_parse_number_never_guesses(text):
    assert parse_number(text) is None


def test_decimal_comma_only_when_asked():
    assert parse_number("112,565", decimal_comma=True) == 112.565
    assert parse_number("1.234,5", decimal_comma=True) == 1234.5
    assert parse_number("112,565") == 112565  # a thousands separator in a ','-separated file


@pytest.mark.parametrize(
    "text", ["112°33'54\"", "112°33′54″", "112度33分54秒", "112° 33' 54\"", "E112°33'54\"", "东经112°33'54\""]
)
def test_dms_coordinates(text):
    assert parse_coordinate(text) == pytest.approx(112.565, abs=1e-12)


def test_bad_dms_is_not_read():
    assert parse_coordinate("112°70'") is None  # minutes must be below 60
    assert parse_coordinate("112°33'75\"") is None
    assert parse_coordinate("112,565") is None
    assert parse_coordinate("112,565", decimal_comma=True) == 112.565


def test_lenient_values_load_with_a_note_each(tmp_path):
    path = tmp_path / "elderly.csv"
    pd.DataFrame(
        {
            "名称": ["甲", "乙", "丙", "丁"],
            "类型": ["机构", "社区", "老年活动室", "养老院"],
            "床位数": ["80张", "一百二十", "１２０", "若干"],
            "护理型床位数": ["二十", "十五", "", ""],
            "经度": ["112°33'54\"", "112度33分54秒", "112°33′54″", f"{LON}"],
            "纬度": ["37°48'48\"", f"{LAT}", f"{LAT}", f"{LAT}"],
        }
    ).to_csv(path, index=False, encoding="gbk")
    res = load_layer(path, "elderly_care")
    lay = res.layer
    assert lay["name"].tolist() == ["甲", "乙", "丙"]
    assert lay["care_kind"].tolist() == ["institution", "community", "other"]  # 机构, 社区: short forms
    assert lay["beds"].tolist() == [80, 120, 120]
    assert lay["nursing_beds"].iloc[:2].tolist() == [20, 15] and lay["nursing_beds"].isna().iat[2]
    assert lay["lon"].tolist() == [112.565, 112.565, 112.565]
    assert lay["lat"].tolist() == [37.8133333, LAT, LAT]
    assert lay["county_name"].tolist() == ["小店区"] * 3
    assert lay["notes"].tolist() == [
        "“经度”的值“112°33'54\"”读作 112.565；“纬度”的值“37°48'48\"”读作 37.8133333；"
        "“床位数”的值“80张”读作 80；“护理型床位数”的值“二十”读作 20",
        "“经度”的值“112度33分54秒”读作 112.565；“床位数”的值“一百二十”读作 120；“护理型床位数”的值“十五”读作 15",
        "“经度”的值“112°33′54″”读作 112.565；“类型”的值“老年活动室”无法识别，归为“其他”；“床位数”的值“１２０”读作 120",
    ]
    assert lay["notes_en"].iat[2] == (
        "'经度' value '112°33′54″' read as 112.565; '类型' value '老年活动室' not recognised; loaded as '其他'; "
        "'床位数' value '１２０' read as 120"
    )
    # a value that still cannot be understood rejects its row, naming the row and the field; never 0
    assert res.rejected[["row", "reason_key", "reason"]].values.tolist() == [
        [5, "bad_value", "字段“床位数”的值无法识别：若干"]
    ]


def test_units_and_thousands_in_a_residential_xlsx(tmp_path):
    path = tmp_path / "res.xlsx"
    pd.DataFrame(
        {
            "名称": ["某社区", "某村"],
            "类型": ["社区", "村"],
            "人口": ["3,000人", "两千"],
            "60岁以上人口": ["450人", "三百"],
            "经度": [LON, LON],
            "纬度": [LAT, LAT],
        }
    ).to_excel(path, index=False)
    res = load_layer(path, "residential")
    assert res.layer["population"].tolist() == [3000, 2000]
    assert res.layer["pop_60_plus"].tolist() == [450, 300]
    assert res.layer["notes_en"].tolist() == [
        "'人口' value '3,000人' read as 3000; '60岁以上人口' value '450人' read as 450",
        "'人口' value '两千' read as 2000; '60岁以上人口' value '三百' read as 300",
    ]
    assert len(res.rejected) == 0


def test_semicolon_csv_with_decimal_commas(tmp_path):
    path = tmp_path / "kg.csv"
    path.write_text(
        "名称;性质;学位数;经度;纬度\n"
        "甲;公办;1,200;112,5647;37,8135\n"
        "乙;民办幼儿园;90;112.5647;37.8135\n"
        "丙;公办;100;112,56,47;37,8135\n",
        encoding="utf-8",
    )
    assert read_table(path).delimiter == ";"
    res = load_layer(path, "kindergartens")
    assert res.layer["lon"].tolist() == [LON, LON] and res.layer["lat"].tolist() == [LAT, LAT]
    assert res.layer["ownership"].tolist() == ["public", "private"]
    # a count has no fraction: its comma is a thousands separator even here
    assert res.layer["places"].tolist() == [1200, 90]
    assert res.layer["notes"].iat[0] == (
        "“经度”的值“112,5647”读作 112.5647；“纬度”的值“37,8135”读作 37.8135；“学位数”的值“1,200”读作 1200"
    )
    assert res.layer["notes"].iat[1] == ""
    assert res.rejected[["row", "reason_key", "reason"]].values.tolist() == [
        [4, "bad_coords", "坐标无法解析：经度 112,56,47，纬度 37,8135"]
    ]


def test_unknown_category_loads_as_other_with_a_warning(tmp_path):
    path = tmp_path / "kg.csv"
    pd.DataFrame({"名称": ["甲", "乙"], "性质": ["集体", ""], "经度": [LON, LON], "纬度": [LAT, LAT]}).to_csv(path, index=False)
    res = load_layer(path, "kindergartens")
    assert res.layer["ownership"].tolist() == ["other"]
    assert res.layer["notes"].iat[0] == "“性质”的值“集体”无法识别，归为“其他”"
    # an empty required value is still a rejection, not a guess
    assert res.rejected[["row", "reason_key"]].values.tolist() == [[3, "missing_value"]]


def test_fitness_without_a_type_column_loads_with_a_warning(tmp_path):
    path = tmp_path / "fit.csv"
    pd.DataFrame({"名称": ["健身广场甲", "步道乙"], "经度": [LON, LON], "纬度": [LAT, LAT]}).to_csv(path, index=False)
    res = load_layer(path, "fitness")
    assert res.layer["fitness_kind"].tolist() == ["other", "other"]
    assert res.warnings == [("warn_missing_optional", {"column": "类型", "value": "其他"})]
    assert res.summary("zh").endswith("；文件中没有“类型”列，全部按“其他”载入")
    assert res.summary("en").endswith("; the file has no '类型' column; every row is loaded as '其他'")
    assert len(res.rejected) == 0


def test_fitness_with_an_empty_type_gets_the_default_with_a_note(tmp_path):
    path = tmp_path / "fit.csv"
    pd.DataFrame({"名称": ["甲", "乙"], "类型": ["", "路径"], "经度": [LON, LON], "纬度": [LAT, LAT]}).to_csv(path, index=False)
    res = load_layer(path, "fitness")
    assert res.layer["fitness_kind"].tolist() == ["other", "fitness_path"]
    assert res.layer["notes"].tolist() == ["“类型”为空，按“其他”载入", ""]
    assert res.warnings == []
