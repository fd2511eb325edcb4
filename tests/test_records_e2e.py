"""Planners' real records end to end: a bureau registry half without coordinates plus an Amap POI export.

The education bureau's kindergarten list gives addresses for half its rows and
no coordinates; the Amap export gives GCJ-02 locations and no ownership.  Both
are loaded as one kindergarten layer through the command line's own loader,
and the township rule, the county indicators, the "not on the map" list, the
gap export and the county report are checked against values worked out by
hand from the rows below.
"""

from __future__ import annotations

from dataclasses import replace

import openpyxl
import pandas as pd
import pytest

from sxgeo.analysis.inputs import analyse_inputs, load_inputs
from sxgeo.cli import main
from sxgeo.io import coords
from sxgeo.layers import boundaries

QINGXU = "140121"  # 清徐县, 太原市
XIAODIAN = "140105"
XIAODIAN_POINT = (112.5647, 37.8135)

BUREAU_HEADERS = ["序号", "幼儿园名称", "办园性质", "地址", "经度", "纬度", "区县代码", "在园幼儿数", "学位数"]


def _inside(code: str) -> tuple[float, float]:
    """A lon/lat point well inside a county."""
    counties = boundaries.load_counties()
    p = counties[counties["adcode"] == code].to_crs(32649).representative_point().to_crs(4326).iloc[0]
    return round(p.x, 6), round(p.y, 6)


def bureau_rows() -> list[list]:
    """The bureau's list: rows 2-7 have addresses only; the others have coordinates."""
    lon, lat = _inside(QINGXU)
    return [
        [1, "清源镇中心幼儿园", "公办", "山西省太原市清徐县清源镇东湖路1号", "", "", "", "210", "240人"],
        [2, "徐沟镇中心幼儿园", "公办", "太原市清徐县徐沟镇文化街8号", "", "", "", "180", "二百"],
        [3, "柳杜乡幼儿园", "公办", "清徐县柳杜乡柳杜村", "", "", "", "60", "90"],
        [4, "西谷幼儿园", "公办", "山西省太原市清徐县西谷镇西谷村", "", "", "", "40", "60"],  # 西谷乡 is the listed name
        [5, "北格镇中心幼儿园", "公办", "山西省太原市小店区北格镇", "", "", "", "150", "180"],
        [6, "县直机关幼儿园", "公办", "", "", "", "140121", "300", "360"],  # a county code only
        [7, "东于镇中心幼儿园", "公办", "清徐县东于镇", lon, lat, "", "120", "150"],
        [8, "孟封镇阳光幼儿园", "民办", "清徐县孟封镇", lon, lat, "", "80", "100"],
        [9, "坞城幼儿园", "公办", "太原市小店区坞城街道", *XIAODIAN_POINT, "", "100", "120"],
        [10, "无名幼儿园", "民办", "", "", "", "", "30", "30"],  # nothing says where: rejected
    ]


def amap_rows() -> list[list]:
    """An Amap POI search for 幼儿园 in 清徐县 (GCJ-02 locations, no ownership)."""
    glon, glat = coords.wgs84_to_gcj02(*_inside(QINGXU))
    loc = f"{float(glon):.6f},{float(glat):.6f}"
    kind = "科教文化服务;学校;幼儿园"
    return [
        ["B0A1", "王答乡王答幼儿园", kind, "141204", "王答乡王答村", loc, "山西省", "太原市", "清徐县"],
        ["B0A2", "集义幼儿园", kind, "141204", "集义乡", "", "山西省", "太原市", "清徐县"],
    ]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("records")
    bureau = folder / "教育局幼儿园名录.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(BUREAU_HEADERS)
    for row in bureau_rows():
        ws.append(row)
    wb.save(bureau)
    amap = folder / "amap_poi.csv"
    headers = ["id", "name", "type", "typecode", "address", "location", "pname", "cityname", "adname"]
    pd.DataFrame(amap_rows(), columns=headers).to_csv(amap, index=False, encoding="utf-8-sig")
    return bureau, amap


@pytest.fixture(scope="module")
def inputs(files):
    return load_inputs({"kindergartens": list(files)})


def test_every_row_is_loaded_or_rejected_with_how_it_was_placed(inputs):
    res = inputs.loaded["kindergartens"]
    assert res.counts() == {"input": 12, "loaded": 11, "located": 4, "unlocated": 7, "rejected": 1}
    layer = res.layer.set_index("name")
    expected = {
        "清源镇中心幼儿园": ("140121100", "address", False),
        "徐沟镇中心幼儿园": ("140121101", "address", False),
        "柳杜乡幼儿园": ("140121201", "address", False),
        "西谷幼儿园": (None, "address_county", False),
        "北格镇中心幼儿园": ("140105100", "address", False),
        "县直机关幼儿园": (None, "county_code", False),
        "东于镇中心幼儿园": ("140121102", "address", True),
        "孟封镇阳光幼儿园": ("140121103", "address", True),
        "坞城幼儿园": ("140105001", "address", True),
        "王答乡王答幼儿园": ("140121203", "address", True),
        "集义幼儿园": ("140121204", "address", False),
    }
    got = {
        name: (None if pd.isna(r["township_code"]) else r["township_code"], r["admin_method"], bool(r["located"]))
        for name, r in layer.iterrows()
    }
    assert got == expected
    assert layer.at["西谷幼儿园", "county_code"] == QINGXU and layer.at["县直机关幼儿园", "county_code"] == QINGXU
    # a township that is not on the list (merged or renamed) is named, with the listed name that is close
    assert layer.at["西谷幼儿园", "notes"] == (
        "缺少坐标（经度或纬度为空）；未上图：不参与距离分析，仅按所在区县计入区县指标（乡镇未知）；"
        "乡镇“西谷镇”不在现行乡镇名录中（可能已撤并或改名），未确定乡镇；相近的名称：西谷乡"
    )
    # lenient values are read, with a note
    assert layer.at["清源镇中心幼儿园", "places"] == 240 and layer.at["徐沟镇中心幼儿园", "places"] == 200
    # the Amap rows: GCJ-02 converted, ownership unknown, ids prefixed by nothing (no clash)
    assert layer.loc[["王答乡王答幼儿园", "集义幼儿园"], "ownership"].tolist() == ["unknown", "unknown"]
    assert layer.at["王答乡王答幼儿园", "lon"] == pytest.approx(_inside(QINGXU)[0], abs=2e-5)
    assert res.rejected[["row", "reason_key", "source_file"]].values.tolist() == [[11, "missing_coords", "教育局幼儿园名录.xlsx"]]
    summary = res.summary("zh").splitlines()
    assert summary[0].startswith("教育局幼儿园名录.xlsx（幼儿园）：共 10 行，载入 9 行（有坐标 3 行，无坐标 6 行），拒绝 1 行；附注：")
    assert "未上图 6 行" in summary[0] and "乡镇不在现行名录 1 行" in summary[0]
    assert summary[1].startswith("amap_poi.csv（幼儿园）：共 2 行，载入 2 行（有坐标 1 行，无坐标 1 行），拒绝 0 行")


def test_the_township_rule_and_county_indicators_count_the_rows_without_coordinates(inputs):
    full = analyse_inputs(inputs)
    # what a loader that drops rows without coordinates would give: the same layer, located rows only
    layers = dict(inputs.layers)
    kg = layers["kindergartens"]
    layers["kindergartens"] = kg[kg["located"].astype(bool)]
    located_only = analyse_inputs(replace(inputs, layers=layers))
    before = located_only.kindergartens_by_township["passes"]
    after = full.kindergartens_by_township["passes"]
    changed = sorted(after.index[(after != before).to_numpy(dtype=bool)])
    # exactly the townships whose public kindergarten is known by its address only
    assert changed == ["140105100", "140121100", "140121101", "140121201"]
    assert not before[changed].any() and after[changed].all()
    # 孟封镇 has a private kindergarten only; 王答乡 and 集义乡 only ones of unknown ownership: not met, reported apart
    tw = full.kindergartens_by_township
    assert tw.loc[["140121103", "140121203", "140121204"], "passes"].tolist() == [False, False, False]
    assert tw.loc[["140121103", "140121203", "140121204"], "unknown_ownership"].tolist() == [0, 1, 1]
    gaps = full.kindergarten_gaps.set_index("unit_code")
    assert gaps.loc[["140121203", "140121204"], "unknown_ownership"].tolist() == [1, 1]
    # county indicators count every row of the county, with or without a township or coordinates
    q = full.quantities
    rows = q[(q["quantity"] == "inclusive_coverage") & (q["level"] == "county") & (q["unit_code"] == QINGXU)]
    enrolled_public = 210 + 180 + 60 + 40 + 300 + 120  # every 公办 row of 清徐县
    assert rows["denominator"].iat[0] == enrolled_public + 80
    assert rows["numerator"].iat[0] == enrolled_public
    # the list of records not on the map
    off = full.off_map
    assert off[["name", "county_code", "source_file"]].values.tolist() == [
        ["北格镇中心幼儿园", XIAODIAN, "教育局幼儿园名录.xlsx"],
        *([name, QINGXU, "教育局幼儿园名录.xlsx"] for name in ("清源镇中心幼儿园", "徐沟镇中心幼儿园", "柳杜乡幼儿园", "西谷幼儿园", "县直机关幼儿园")),
        ["集义幼儿园", QINGXU, "amap_poi.csv"],
    ]
    assert set(off["county_code"]) == {QINGXU, XIAODIAN}


def test_off_map_export_and_county_report(files, tmp_path, capsys):
    bureau, amap = files
    out = tmp_path / "未上图.csv"
    code = main(["gaps", "--kind", "off_map", "--county", QINGXU, "--kindergartens", str(bureau),
                 "--kindergartens", str(amap), "--format", "csv", "--out", str(out)])
    assert code == 0
    assert "6 行" in capsys.readouterr().out
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert table["名称"].tolist() == ["清源镇中心幼儿园", "徐沟镇中心幼儿园", "柳杜乡幼儿园", "西谷幼儿园", "县直机关幼儿园", "集义幼儿园"]
    assert set(table["图层"]) == {"幼儿园"}
    assert table.set_index("名称").at["县直机关幼儿园", "位置判定方法"] == "区县代码（无坐标，未确定乡镇）"
    report_dir = tmp_path / "report"
    code = main(["report", "--county", QINGXU, "--kindergartens", str(bureau), "--kindergartens", str(amap),
                 "--out", str(report_dir), "--no-progress", "--jobs", "1"])
    assert code == 0
    html = (report_dir / "counties" / f"{QINGXU}.html").read_text(encoding="utf-8")
    assert "有 6 条记录没有可用坐标，未上图" in html
    assert "未上图的记录（无可用坐标" in html and "县直机关幼儿园" in html
    wb = openpyxl.load_workbook(report_dir / "counties" / f"{QINGXU}.xlsx", read_only=True)
    assert any("未上图" in name for name in wb.sheetnames)
    wb.close()
