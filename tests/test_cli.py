"""The command line: bad options, gap-list exports (CSV, XLSX, GeoPackage round trip) and siting.

Most commands run in-process through ``sxgeo.cli.main``; a few run as real subprocesses
(``python -m sxgeo ...``).  Expected rows come from the core's own analysis.
"""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from cli_run import run
from conftest import XIAODIAN_UTM, lonlat

from sxgeo.analysis.inputs import analyse_inputs, load_inputs
from sxgeo.layers.scope import resolve_scope
from sxgeo.outputs.tables import localise
from sxgeo.report.gaps import gap_rows

COUNTY = "140105"


@pytest.fixture(scope="module")
def core():
    """The core's analysis of the demo data for the county, to compare the exports with."""
    inputs = load_inputs()
    scope = resolve_scope(inputs.counties, "county", COUNTY)
    return inputs, analyse_inputs(inputs, county_codes=scope.county_codes)


def expected_gaps(analysis, kind: str, codes=(COUNTY,)) -> gpd.GeoDataFrame:
    rows = gap_rows(analysis, kind)
    return rows[rows["county_code"].isin(codes)].reset_index(drop=True)


# --------------------------------------------------------------------- bad options
@pytest.fixture
def regular_file(tmp_path):
    f = tmp_path / "a-file"
    f.write_text("x")
    return f


BAD = {
    "unknown county": (["report", "--county", "999999"], "未知的区县代码：999999"),
    "city code as county": (["gaps", "--kind", "fitness", "--county", "140100"], "--city 140100"),
    "unknown city": (["site", "--kind", "fitness", "--city", "149900"], "未知的地级市代码"),
    "missing layer file": (["report", "--county", COUNTY, "--fitness", "{tmp}/无此文件.csv"], "文件不存在"),
    "missing targets file": (["gaps", "--kind", "elderly", "--county", COUNTY, "--targets", "{tmp}/t.toml"], "文件不存在"),
    "missing candidates": (["site", "--kind", "elderly", "--county", COUNTY, "--candidates", "{tmp}/c.csv"], "文件不存在"),
    "missing osm": (["site", "--kind", "fitness", "--county", COUNTY, "--osm", "{tmp}/s.osm.pbf"], "文件不存在"),
    "not an OSM file": (["report", "--county", COUNTY, "--osm", "{file}"], "无法读取文件"),
    "report out under a file": (["report", "--county", COUNTY, "--out", "{file}/sub"], "无法写入输出目录"),
    "gaps out under a file": (["gaps", "--kind", "fitness", "--county", COUNTY, "--out", "{file}/g.xlsx"], "无法写入输出目录"),
    "site out under a file": (["site", "--kind", "fitness", "--county", COUNTY, "--out", "{file}/s"], "无法写入输出目录"),
    "unknown coordinate system": (["gaps", "--kind", "fitness", "--county", COUNTY, "--coord-system", "mars"], "未知坐标系"),
    "unreadable layer": (["site", "--kind", "fitness", "--county", COUNTY, "--residential", "{file}", "--fitness", "{file}"],
                         "无法读取文件"),
    "no scope": (["report"], "--county"),
    "unknown kind": (["gaps", "--kind", "schools", "--county", COUNTY], "--kind"),
    "zero sites": (["site", "--kind", "fitness", "--county", COUNTY, "-n", "0"], "at least 1"),
    "unknown subcommand": (["plot"], "plot"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_options_give_one_line_and_nonzero_exit(case, tmp_path, regular_file, capsys):
    args, expected = BAD[case]
    args = [a.format(tmp=tmp_path, file=regular_file) for a in args]
    if args[0] in ("report", "site") and "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    code, out, err = run(args, capsys)
    assert code != 0
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sxgeo")
    assert expected in lines[0]
    assert out == ""


def test_bad_option_message_in_english(tmp_path, capsys):
    code, _, err = run(["report", "--county", "999999", "--out", str(tmp_path), "--lang", "en"], capsys)
    assert code == 2
    assert err.splitlines() == [
        "sxgeo: error: unknown county code: 999999 (use one of the 6-digit codes of Shanxi's 117 counties, e.g. 140105)"
    ]


def test_python_dash_m_bad_county_subprocess(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sxgeo", "gaps", "--kind", "fitness", "--county", "123456", "--out", str(tmp_path / "x.csv")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "123456" in proc.stderr
    assert not (tmp_path / "x.csv").exists()


# --------------------------------------------------------------------- gap lists
def test_gaps_xlsx_holds_exactly_the_gap_list(tmp_path, core, capsys):
    inputs, analysis = core
    path = tmp_path / "健身缺口.xlsx"
    code, out, _ = run(["gaps", "--kind", "fitness", "--county", COUNTY, "--format", "xlsx", "--out", str(path)], capsys)
    assert code == 0
    expected = expected_gaps(analysis, "fitness")
    assert f"{len(expected)} 行" in out
    wb = openpyxl.load_workbook(path, read_only=True)
    assert len(wb.sheetnames) == 1
    rows = list(wb[wb.sheetnames[0]].iter_rows(values_only=True))
    wb.close()
    header, body = rows[0], rows[1:]
    got = pd.DataFrame(body, columns=header)
    assert len(got) == len(expected) > 0
    assert got["编号"].tolist() == expected["id"].tolist()
    assert got["排序"].tolist() == list(range(1, len(expected) + 1))
    # every column of the source residential layer is kept, values unchanged (source row by id)
    source = inputs.layers["residential"].set_index("id")
    for col in source.columns.drop("geometry"):
        if col == "notes_en":
            continue  # a Chinese export keeps the Chinese notes only
        label = localise(pd.DataFrame(columns=[col])).columns[0]
        assert label in got.columns, col
        want = localise(source.loc[got["编号"], [col]]).iloc[:, 0].tolist()  # coded values in words, as exported
        have = got[label].tolist()
        assert [None if pd.isna(v) or v == "" else v for v in have] == [None if pd.isna(v) or v == "" else v for v in want], col


def test_gaps_csv_with_bom(tmp_path, core, capsys):
    _, analysis = core
    path = tmp_path / "elderly.csv"
    code, _, _ = run(["gaps", "--kind", "elderly", "--county", COUNTY, "--format", "csv", "--out", str(path)], capsys)
    assert code == 0
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    got = pd.read_csv(path, encoding="utf-8-sig", dtype={"编号": str})
    assert got["编号"].tolist() == expected_gaps(analysis, "elderly")["id"].tolist()


def _norm(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def test_gaps_geopackage_round_trip(tmp_path, core, capsys):
    """Same geometries and the same attributes come back from the GeoPackage."""
    _, analysis = core
    path = tmp_path / "fitness.gpkg"
    code, _, _ = run(["gaps", "--kind", "fitness", "--county", COUNTY, "--format", "gpkg", "--out", str(path)], capsys)
    assert code == 0
    assert [tuple(x) for x in pyogrio.list_layers(path)] == [("fitness_gaps", "Point")]
    back = gpd.read_file(path)
    expected = localise(expected_gaps(analysis, "fitness"), "zh")
    assert back.crs.equals("EPSG:4326")
    assert len(back) == len(expected)
    assert list(back.columns.drop("geometry")) == list(expected.columns.drop("geometry"))
    assert back.geometry.geom_equals_exact(expected.geometry.reset_index(drop=True), tolerance=1e-12).all()
    for col in expected.columns.drop("geometry"):
        assert [_norm(v) for v in back[col]] == [_norm(v) for v in expected[col]], col


def test_gaps_kindergarten_for_a_city(tmp_path, capsys):
    inputs = load_inputs()
    scope = resolve_scope(inputs.counties, "city", "140700")
    analysis = analyse_inputs(inputs, county_codes=scope.county_codes)
    path = tmp_path / "kg.gpkg"
    code, _, _ = run(["gaps", "--kind", "kindergarten", "--city", "140700", "--format", "gpkg", "--out", str(path)], capsys)
    assert code == 0
    back = gpd.read_file(path)
    kg = analysis.kindergarten_gaps
    want = kg[kg["county_code"].isin(scope.county_codes)]
    assert back["单位代码"].tolist() == want["unit_code"].tolist()
    assert len(back) > 0 and set(back["单位类型"]) <= {"镇", "乡"}
    assert back.geometry.geom_equals_exact(want.geometry.reset_index(drop=True), tolerance=1e-12).all()


def test_gaps_on_the_users_own_layers(tmp_path, capsys):
    """Three urban communities in 小店区 and one fitness facility 300 m from the first:
    the other two (2 km and 5 km away) are the gap list; the demo data are not used."""
    def ll(dx):
        return lonlat(XIAODIAN_UTM, dx, 0)

    res = pd.DataFrame({
        "编号": ["A", "B", "C"], "名称": ["甲社区", "乙社区", "丙社区"], "类型": "社区", "城乡": "城镇",
        "人口": [1000, 3000, 2000], "乡镇代码": "140105001", "备用字段": ["x", "y", "z"],
        "经度": [ll(0)[0], ll(2000)[0], ll(5000)[0]], "纬度": [ll(0)[1], ll(2000)[1], ll(5000)[1]],
    })
    fit = pd.DataFrame({"编号": ["F1"], "名称": ["健身中心"], "类型": "社区全民健身中心", "经度": [ll(300)[0]], "纬度": [ll(300)[1]]})
    res.to_csv(tmp_path / "居民点.csv", index=False, encoding="utf-8-sig")
    fit.to_excel(tmp_path / "健身.xlsx", index=False)
    out = tmp_path / "gaps.xlsx"
    code, stdout, err = run(["gaps", "--kind", "fitness", "--county", COUNTY, "--residential", str(tmp_path / "居民点.csv"),
                             "--fitness", str(tmp_path / "健身.xlsx"), "--out", str(out)], capsys)
    assert code == 0
    assert "合成" not in err
    got = pd.read_excel(out, dtype={"编号": str})
    assert got["编号"].tolist() == ["B", "C"]  # most populous first
    assert got["备用字段"].tolist() == ["y", "z"]  # the user's extra column survives
    assert got["最近设施编号"].tolist() == ["F1", "F1"]
    # without a kindergarten layer there is no kindergarten gap list: one line, exit code 2
    code, stdout, err = run(["gaps", "--kind", "kindergarten", "--county", COUNTY, "--residential",
                             str(tmp_path / "居民点.csv"), "--out", str(tmp_path / "kg.csv")], capsys)
    assert code == 2
    assert err.splitlines() == ["sxgeo: 错误：缺少幼儿园图层，无法生成该清单"]


# --------------------------------------------------------------------- siting from the command line
def test_site_fitness_outputs(tmp_path, capsys):
    out = tmp_path / "site"
    code, stdout, _ = run(["site", "--kind", "fitness", "--county", COUNTY, "-n", "3", "--out", str(out)], capsys)
    assert code == 0
    assert "最大覆盖（MCLP）" in stdout and "最少设施全覆盖（LSCP）" in stdout
    wb = openpyxl.load_workbook(out / "sites.xlsx", read_only=True)
    assert wb.sheetnames == ["覆盖变化", "MCLP选址", "LSCP选址", "居民点"]
    wb.close()
    cov = pd.read_excel(out / "sites.xlsx", sheet_name="覆盖变化")
    sites = pd.read_excel(out / "sites.xlsx", sheet_name="MCLP选址", dtype={"编号": str})
    assert len(sites) == 3
    assert list(sites["序号"]) == [1, 2, 3]
    assert sites["新增覆盖人口"].is_monotonic_decreasing
    before, mclp = cov.iloc[0], cov.iloc[1]
    assert mclp["覆盖人口"] == pytest.approx(before["覆盖人口"] + sites["新增覆盖人口"].sum())
    assert mclp["覆盖人口"] > before["覆盖人口"]
    lscp = cov.iloc[2]
    assert lscp["覆盖比例"] == pytest.approx(1.0)  # every uncovered point is itself a candidate
    layers = dict((n, t) for n, t in pyogrio.list_layers(out / "sites.gpkg"))
    assert set(layers) == {"mclp_sites", "lscp_sites"}
    back = gpd.read_file(out / "sites.gpkg", layer="mclp_sites")
    assert back["编号"].tolist() == sites["编号"].tolist()
    assert (out / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # LSCP alone: no MCLP sheet or layer
    code, stdout, _ = run(["site", "--kind", "fitness", "--county", COUNTY, "--method", "lscp", "--out", str(tmp_path / "l")],
                          capsys)
    assert code == 0 and "MCLP" not in stdout
    wb = openpyxl.load_workbook(tmp_path / "l" / "sites.xlsx", read_only=True)
    assert wb.sheetnames == ["覆盖变化", "LSCP选址", "居民点"]
    wb.close()
    lscp_only = pd.read_excel(tmp_path / "l" / "sites.xlsx", sheet_name="LSCP选址")
    assert len(lscp_only) == cov.iloc[2]["新增设施数"]


def test_site_kindergarten_with_a_candidate_file(tmp_path, capsys):
    """A township without a public kindergarten gets the user's candidate inside it."""
    inputs = load_inputs()
    scope = resolve_scope(inputs.counties, "city", "140700")
    analysis = analyse_inputs(inputs, county_codes=scope.county_codes)
    gaps = analysis.kindergarten_gaps
    gaps = gaps[gaps["county_code"].isin(scope.county_codes) & gaps.geometry.notna()]
    target = gaps.iloc[0]
    res = inputs.layers["residential"]
    home = res[res["township_code"] == target["unit_code"]].sort_values("population", ascending=False).iloc[0]
    cand = pd.DataFrame({"编号": ["L1"], "名称": ["可用地块"], "乡镇代码": [target["unit_code"]],
                         "经度": [home.geometry.x + 0.001], "纬度": [home.geometry.y]})
    cand.to_csv(tmp_path / "地块.csv", index=False, encoding="utf-8-sig")
    out = tmp_path / "kg"
    code, stdout, _ = run(["site", "--kind", "kindergarten", "--city", "140700", "--candidates", str(tmp_path / "地块.csv"),
                           "--out", str(out)], capsys)
    assert code == 0
    got = pd.read_excel(out / "sites.xlsx", dtype={"乡镇代码": str, "选址点编号": str})
    assert got["乡镇代码"].tolist() == gaps["unit_code"].tolist()
    row = got.set_index("乡镇代码").loc[target["unit_code"]]
    assert row["选址点编号"] == "L1"
    assert row["选址依据"] == "候选点图层中儿童步行总距离最短者"
    want_kids = res.loc[res["township_code"] == target["unit_code"], "pop_3_5"].sum()
    assert row["服务3-5岁儿童数"] == want_kids
    others = got[got["乡镇代码"] != target["unit_code"]]
    assert (others["选址依据"] != "候选点图层中儿童步行总距离最短者").all()
    assert target["unit_name"] in stdout


def test_python_dash_m_report_in_english(tmp_path):
    """The real console entry point, end to end, in English."""
    proc = subprocess.run(
        [sys.executable, "-m", "sxgeo", "report", "--county", "140121", "--out", str(tmp_path / "r"), "--lang", "en",
         "--jobs", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "r" / "counties" / "140121.html").read_text(encoding="utf-8")
    assert "Public-service gap report: 清徐县, 太原市 (140121)" in html
    assert "SYNTHETIC" in html
    wb = openpyxl.load_workbook(tmp_path / "r" / "counties" / "140121.xlsx", read_only=True)
    assert "Targets" in wb.sheetnames and "Gap-fitness" in wb.sheetnames
    wb.close()
    assert "summary page" in proc.stdout


# --------------------------------------------------------------------- a local OSM file
def _osm_xml(nodes: dict[int, tuple[float, float]], ways: list[list[int]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="sxgeo-test">']
    for nid, (dx, dy) in nodes.items():
        lon, lat = lonlat(XIAODIAN_UTM, dx, dy)
        lines.append(f'  <node id="{nid}" version="1" lat="{lat:.9f}" lon="{lon:.9f}"/>')
    for i, refs in enumerate(ways, start=100):
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        lines.append(f'  <way id="{i}" version="1">{nds}<tag k="highway" v="residential"/></way>')
    lines.append("</osm>")
    return "\n".join(lines)


def test_site_with_a_local_osm_file(tmp_path, capsys):
    """A U-shaped street (metres): 0 (0,0) - 1 (0,900) - 2 (200,900) - 3 (200,0), with stubs at 1 and 2.
    Resident D at (0,10); candidates C at (200,0) and E at (0,900).  Along the street D-E is 910 m
    (covered in 15 min = 1,000 m) and D-C is 2,010 m; in a straight line C is 260 m (x1.3) away and
    E 1,157 m.  With --osm the proposal is E, without it C."""
    nodes = {1: (0, 0), 2: (0, 900), 3: (200, 900), 4: (200, 0), 5: (-100, 900), 6: (300, 900)}
    (tmp_path / "streets.osm").write_text(_osm_xml(nodes, [[1, 2, 3, 4], [5, 2], [3, 6]]), encoding="utf-8")

    def csv(name, rows):
        pd.DataFrame(rows).to_csv(tmp_path / name, index=False, encoding="utf-8-sig")
        return str(tmp_path / name)

    def pt(dx, dy):
        lon, lat = lonlat(XIAODIAN_UTM, dx, dy)
        return {"经度": lon, "纬度": lat}

    res = csv("res.csv", [{"编号": "D", "名称": "甲社区", "类型": "社区", "城乡": "城镇", "人口": 500, "乡镇代码": "140105001", **pt(0, 10)}])
    fit = csv("fit.csv", [{"编号": "F", "名称": "远处中心", "类型": "社区全民健身中心", **pt(6000, 6000)}])
    cand = csv("cand.csv", [{"编号": "C", "名称": "地块C", **pt(200, 0)}, {"编号": "E", "名称": "地块E", **pt(0, 900)}])
    common = ["site", "--kind", "fitness", "--county", COUNTY, "--residential", res, "--fitness", fit,
              "--candidates", cand, "-n", "1", "--method", "mclp"]
    code, out, err = run([*common, "--osm", str(tmp_path / "streets.osm"), "--cache-dir", str(tmp_path / "cache"),
                          "--out", str(tmp_path / "net")], capsys)
    assert code == 0, err
    net = pd.read_excel(tmp_path / "net" / "sites.xlsx", sheet_name="MCLP选址", dtype={"编号": str})
    assert net["编号"].tolist() == ["E"]
    assert net["新增覆盖人口"].tolist() == [500]
    code, out, err = run([*common, "--out", str(tmp_path / "straight")], capsys)
    assert code == 0, err
    straight = pd.read_excel(tmp_path / "straight" / "sites.xlsx", sheet_name="MCLP选址", dtype={"编号": str})
    assert straight["编号"].tolist() == ["C"]
    # the gap list in network mode says so, and gives the street-based time
    code, _, err = run(["gaps", "--kind", "fitness", "--county", COUNTY, "--residential", res, "--fitness", fit,
                        "--osm", str(tmp_path / "streets.osm"), "--cache-dir", str(tmp_path / "cache"),
                        "--format", "csv", "--out", str(tmp_path / "g.csv")], capsys)
    assert code == 0, err
    gaps = pd.read_csv(tmp_path / "g.csv", encoding="utf-8-sig", dtype={"编号": str})
    assert gaps["编号"].tolist() == ["D"] and gaps["计算方式"].tolist() == ["路网计算"]


def test_township_polygons_drive_assignment_from_the_command_line(tmp_path, capsys):
    """小店区 split into two user polygons (北格镇 west, 西温庄乡 east): points without any
    township column are placed by the polygons, so 北格镇 has its public kindergarten and
    西温庄乡 is a gap, located by its polygon."""
    import shapely

    from sxgeo.layers import boundaries

    county = boundaries.load_counties().set_index("adcode").loc[COUNTY, "geometry"]
    minx, miny, maxx, maxy = county.bounds
    mid = (minx + maxx) / 2
    west = county.intersection(shapely.box(minx, miny, mid, maxy))
    east = county.intersection(shapely.box(mid, miny, maxx, maxy))
    gpd.GeoDataFrame({"乡镇代码": ["140105100", "140105200"]}, geometry=[west, east], crs=4326).to_file(
        tmp_path / "乡镇界线.gpkg", driver="GPKG"
    )
    w, e = west.representative_point(), east.representative_point()
    pd.DataFrame({"编号": ["V1", "V2"], "名称": ["西村", "东村"], "类型": "村", "城乡": "农村", "人口": [800, 1200],
                  "经度": [w.x, e.x], "纬度": [w.y, e.y]}).to_csv(tmp_path / "居民点.csv", index=False)
    pd.DataFrame({"编号": ["K1"], "名称": ["北格镇中心幼儿园"], "性质": "公办", "经度": [w.x], "纬度": [w.y]}).to_csv(
        tmp_path / "幼儿园.csv", index=False
    )
    out = tmp_path / "kg.csv"
    code, _, err = run(["gaps", "--kind", "kindergarten", "--county", COUNTY,
                        "--residential", str(tmp_path / "居民点.csv"), "--kindergartens", str(tmp_path / "幼儿园.csv"),
                        "--township-polygons", str(tmp_path / "乡镇界线.gpkg"), "--format", "csv", "--out", str(out)], capsys)
    assert code == 0, err
    got = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    codes = got["单位代码"].tolist()
    assert "140105100" not in codes  # K1 was placed in 北格镇 by its polygon
    assert codes[0] == "140105200"  # 西温庄乡, with V2's 1,200 people, is the first gap
    first = got.iloc[0]
    assert (first["人口"], first["定位依据"], first["最近公办园编号"]) == ("1200", "乡镇界线内的点", "K1")
    assert "140105201" in codes  # 刘家堡乡 has no polygon and no point: still listed


def test_gaps_from_a_census_table_instead_of_residential_points(tmp_path, capsys):
    """--population-table replaces the residential layer: one point per township.  Without township
    polygons a township sits at its county's point (approximate, said on stderr) and is left out of
    travel times, so no gap is claimed; with its polygon the urban subdistrict, 5 km from the only
    facility, is a gap (the rural town is not listed: fitness counts urban residents)."""
    import shapely

    from sxgeo.layers import boundaries

    counties = boundaries.load_counties().set_index("adcode")
    centre = counties.geometry.representative_point()[COUNTY]
    (tmp_path / "人口.csv").write_text("乡镇代码,常住人口\n140105001,52000\n140105100,30000\n", encoding="utf-8")
    fx, fy = gpd.GeoSeries([centre], crs="EPSG:4326").to_crs("EPSG:32649").iloc[0].coords[0]
    flon, flat = gpd.GeoSeries(gpd.points_from_xy([fx + 5000], [fy]), crs="EPSG:32649").to_crs("EPSG:4326").iloc[0].coords[0]
    pd.DataFrame({"编号": ["F1"], "名称": ["健身中心"], "类型": "社区全民健身中心", "经度": [flon], "纬度": [flat]}).to_csv(
        tmp_path / "健身.csv", index=False, encoding="utf-8")
    out = tmp_path / "gaps.csv"
    args = ["gaps", "--kind", "fitness", "--county", COUNTY, "--population-table", str(tmp_path / "人口.csv"),
            "--fitness", str(tmp_path / "健身.csv"), "--format", "csv", "--out", str(out)]
    code, _, err = run(args, capsys)
    assert code == 0, err
    assert "合成" not in err
    assert "人口.csv" in err and "2 个乡镇没有界线" in err
    assert pd.read_csv(out, dtype=str, encoding="utf-8-sig").empty  # not on the map: no travel time claimed
    square = gpd.GeoSeries([shapely.box(fx - 800, fy - 800, fx + 800, fy + 800)], crs="EPSG:32649").to_crs("EPSG:4326")
    gpd.GeoDataFrame({"乡镇代码": ["140105001"], "乡镇名称": ["坞城街道"]}, geometry=square.values).to_file(
        tmp_path / "乡镇界线.geojson", driver="GeoJSON")
    code, _, err = run([*args, "--township-polygons", str(tmp_path / "乡镇界线.geojson")], capsys)
    assert code == 0, err
    got = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert got["编号"].tolist() == ["140105001"]
