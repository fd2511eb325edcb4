"""``sxgeo gaps``, ``site`` and ``report`` for the plan tasks' layers, on small hand-made files in 小店区.

Every layer is a CSV written by the test; positions are metres east (dx) and north (dy) of
an anchor in 小店区 (140105).  Without a street network a trip takes straight-line distance
x 1.3 (detour factor) at 30 km/h by car or 4 km/h on foot, so the 30-minute drive of the
hospital target reaches 30 x 500 / 1.3 = 11,538 m in a straight line and the 15-minute
medical circle 769 m on foot and 5,769 m by car.  Expected answers are worked out here
from geodesic distances (pyproj), never read from sxgeo's own output.
"""

from __future__ import annotations

import itertools
import re

import openpyxl
import pandas as pd
import pyogrio
import pytest
from cli_run import run
from conftest import XIAODIAN_UTM, lonlat
from pyproj import Geod

from sxgeo.cli import build_parser, main
from sxgeo.layers import boundaries

COUNTY = "140105"
GEOD = Geod(ellps="WGS84")
DRIVE_M_PER_MIN = 30_000 / 60
DETOUR = 1.3


def pt(dx: float, dy: float) -> dict:
    lon, lat = lonlat(XIAODIAN_UTM, dx, dy)
    return {"经度": lon, "纬度": lat}


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (dx, dy) positions."""
    (lon1, lat1), (lon2, lat2) = lonlat(XIAODIAN_UTM, *a), lonlat(XIAODIAN_UTM, *b)
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def drive_minutes(a, b) -> float:
    return metres(a, b) * DETOUR / DRIVE_M_PER_MIN


def write(tmp_path, name: str, rows: list[dict]) -> str:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    return str(path)


def sheet(path, name: str) -> pd.DataFrame:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb[name].iter_rows(values_only=True))
    wb.close()
    return pd.DataFrame(rows[1:], columns=rows[0])


def village(i: str, dxy, pop: int, township: str = "140105100", kind: str = "村", urban: str = "农村") -> dict:
    return {"编号": i, "名称": f"{i}村", "类型": kind, "城乡": urban, "人口": pop, "乡镇代码": township, **pt(*dxy)}


# --------------------------------------------------------------------- inputs everywhere
def test_the_new_layer_options_and_workspace_kinds_parse():
    parser = build_parser()
    args = parser.parse_args(["gaps", "--kind", "hospitals", "--county", COUNTY, "--hospitals", "a.csv",
                              "--hospitals", "b.xlsx", "--primary-care", "p.csv", "--special-education", "s.csv",
                              "--culture", "c.csv", "--child-welfare", "w.csv"])
    assert args.hospitals == ["a.csv", "b.xlsx"]  # repeatable, like --fitness
    assert (args.primary_care, args.special_education, args.culture, args.child_welfare) == (
        ["p.csv"], ["s.csv"], ["c.csv"], ["w.csv"])
    for kind in ("primary_care", "hospitals", "special_education", "culture", "child_welfare"):
        assert parser.parse_args(["workspace", "add", "w", "f.csv", "--kind", kind]).kind == kind
        assert parser.parse_args(["site", "--kind", kind, "--county", COUNTY]).kind == kind


def test_a_target_driving_or_with_rural_drivers_gets_the_drive_network(tmp_path):
    """Hospital access names mode = drive, the medical circle rural_mode = drive: both need the drive network."""
    from sxgeo.analysis.inputs import load_inputs, travel_modes
    from sxgeo.io.targets import load_targets

    targets = {tg.id: tg for tg in load_targets()}
    assert travel_modes([targets["county_hospital_access"]]) == {"walk", "drive"}
    assert travel_modes([targets["medical_15min"]]) == {"walk", "drive"}  # walk for urban, drive for rural residents
    assert travel_modes([targets["fitness_15min"]]) == {"walk"}
    nodes = {1: (0, 0), 2: (0, -900), 3: (200, -900)}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="sxgeo-test">']
    for nid, (dx, dy) in nodes.items():
        lon, lat = lonlat(XIAODIAN_UTM, dx, dy)
        lines.append(f'  <node id="{nid}" version="1" lat="{lat:.9f}" lon="{lon:.9f}"/>')
    lines += ['  <way id="100" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
              '<tag k="highway" v="residential"/></way>', "</osm>"]
    (tmp_path / "s.osm").write_text("\n".join(lines), encoding="utf-8")
    res = write(tmp_path, "res.csv", [village("V1", (0, -10), 100)])
    hosp = write(tmp_path, "h.csv", [{"编号": "H", "名称": "医院", "等级": "二级", **pt(0, 0)}])
    inputs = load_inputs({"residential": res, "hospitals": hosp}, osm=tmp_path / "s.osm", cache_dir=tmp_path / "c")
    assert set(inputs.networks) == {"walk", "drive"}
    assert inputs.networks["drive"].mode == "drive"


# --------------------------------------------------------------------- gap lists
def test_gaps_culture_lists_the_county_without_a_library(tmp_path, capsys):
    """小店区 has a cultural centre and one cultural station (坞城街道) but its only library is in 迎泽区:
    the library list holds 小店区 with its 80,000 residents; every other township lacks a station."""
    res = write(tmp_path, "居民点.csv", [
        village("R1", (0, 0), 40_000, "140105001", "社区", "城镇"),
        village("R2", (0, -5000), 25_000, "140105100"),
        village("R3", (0, -14000), 15_000, "140105200"),
    ])
    culture = write(tmp_path, "文化.csv", [
        {"编号": "C1", "名称": "小店区文化馆", "类型": "文化馆", "乡镇代码": "140105001", **pt(100, 0)},
        {"编号": "C2", "名称": "坞城街道综合文化站", "类型": "综合文化站", "乡镇代码": "140105001", **pt(200, 0)},
        {"编号": "C3", "名称": "迎泽区图书馆", "类型": "图书馆", "乡镇代码": "140106001", "经度": 112.731754,
         "纬度": 37.884041},
    ])
    out = tmp_path / "文化缺口.xlsx"
    code, stdout, err = run(["gaps", "--kind", "culture", "--county", COUNTY, "--residential", res, "--culture", culture,
                             "--out", str(out)], capsys)
    assert code == 0, err
    assert "合成" not in err
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["目录", "1 区县有公共图书馆", "2 区县有文化馆", "3 乡镇（街道）有综合文化站"]
    wb.close()
    library = sheet(out, "1 区县有公共图书馆")
    assert library["单位代码"].tolist() == [COUNTY]
    row = library.iloc[0]
    assert (row["单位名称"], row["人口"], row["现有数量"], row["尚缺数量"]) == ("小店区", 80_000, 0, 1)
    assert row["依据"] == "《中华人民共和国公共图书馆法》"
    assert row["假设值"] == "否"
    assert sheet(out, "2 区县有文化馆").empty  # C1 is 小店区's cultural centre
    stations = sheet(out, "3 乡镇（街道）有综合文化站")
    townships = boundaries.load_townships()
    expected = set(townships.loc[townships["county_code"] == COUNTY, "code"]) - {"140105001"}
    assert set(stations["单位代码"]) == expected and len(stations) == len(expected) == 11
    # most populous first: 北格镇 (R2) and 西温庄乡 (R3); the others have no resident in these files
    assert stations["单位代码"].tolist()[:2] == ["140105100", "140105200"]
    assert stations["人口"].tolist()[:3] == [25_000, 15_000, 0]
    contents = sheet(out, "目录")
    assert contents["行数"].tolist() == [1, 0, 11]
    assert contents["目标编号"].tolist() == ["county_library", "county_cultural_centre", "cultural_station_per_township"]
    assert "  区县有公共图书馆：1 行" in stdout
    # a GeoPackage holds the same lists, one attribute table each (an empty list only in the contents)
    gpkg = tmp_path / "文化缺口.gpkg"
    code, _, err = run(["gaps", "--kind", "culture", "--county", COUNTY, "--residential", res, "--culture", culture,
                        "--format", "gpkg", "--out", str(gpkg)], capsys)
    assert code == 0, err
    assert sorted(name for name, _ in pyogrio.list_layers(gpkg)) == [
        "contents", "county_library", "cultural_station_per_township"]
    back = pyogrio.read_dataframe(gpkg, layer="cultural_station_per_township")
    assert back["单位代码"].tolist() == stations["单位代码"].tolist()


def test_gaps_culture_from_a_workspace(tmp_path, monkeypatch, capsys):
    """Layers of the new kinds stored in a workspace are used by --workspace like any other."""
    monkeypatch.setenv("SXGEO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SXGEO_DATABASE_URL", raising=False)
    res = write(tmp_path, "res.csv", [village("R1", (0, 0), 5000, "140105001")])
    culture = write(tmp_path, "culture.csv", [{"编号": "L1", "名称": "图书馆", "类型": "图书馆", **pt(0, 0)}])
    assert run(["workspace", "create", "文化"], capsys)[0] == 0
    for path, kind in ((res, "residential"), (culture, "culture")):
        code, out, err = run(["workspace", "add", "文化", path, "--kind", kind], capsys)
        assert code == 0, err
    assert "公共文化设施 第 1 版" in out
    out = tmp_path / "g.xlsx"
    code, _, err = run(["gaps", "--kind", "culture", "--county", COUNTY, "--workspace", "文化", "--out", str(out)], capsys)
    assert code == 0, err
    assert sheet(out, "1 区县有公共图书馆").empty  # L1 is 小店区's library
    assert sheet(out, "2 区县有文化馆")["单位代码"].tolist() == [COUNTY]


def test_gaps_hospitals_lists_the_villages_beyond_the_drive_csv(tmp_path, capsys):
    """A level-2 hospital at the anchor, a level-1 one beside V2: V2 (14 km) and V3 (20 km) are beyond the
    30-minute drive to a level-2 hospital (the level-1 one does not count); 太原市 has no emergency base."""
    positions = {"V0": (0, 0), "V1": (0, -5000), "V2": (0, -14000), "V3": (0, -20000)}
    pops = {"V0": 5000, "V1": 3000, "V2": 2000, "V3": 1000}
    res = write(tmp_path, "res.csv", [village(i, positions[i], pops[i]) for i in positions])
    hosp = write(tmp_path, "hosp.csv", [
        {"编号": "H2", "名称": "区人民医院", "等级": "二级", "公共卫生应急基地": "否", **pt(0, 0)},
        {"编号": "H1", "名称": "乡镇医院", "等级": "一级", "公共卫生应急基地": "否", **pt(0, -14000)},
    ])
    out = tmp_path / "hospital_gaps.csv"
    code, stdout, err = run(["gaps", "--kind", "hospitals", "--county", COUNTY, "--residential", res, "--hospitals", hosp,
                             "--format", "csv", "--out", str(out)], capsys)
    assert code == 0, err
    contents = pd.read_csv(out, encoding="utf-8-sig")
    assert contents["清单"].tolist() == [f"hospital_gaps_{i}.csv" for i in
                                       ("emergency_base_per_city", "county_hospital_access", "county_hospital_access_township")]
    beyond = pd.read_csv(tmp_path / "hospital_gaps_county_hospital_access.csv", encoding="utf-8-sig", dtype={"编号": str})
    for i in positions:  # hand check of the drive time to H2, the only level-2 hospital
        assert (drive_minutes(positions[i], (0, 0)) > 30) == (i in ("V2", "V3"))
    assert beyond["编号"].tolist() == ["V2", "V3"]  # most populous first
    assert beyond["人口"].tolist() == [2000, 1000]
    assert beyond["出行方式"].tolist() == ["驾车", "驾车"]
    assert beyond["最近设施编号"].tolist() == ["H2", "H2"]
    want = [drive_minutes(positions["V2"], (0, 0)), drive_minutes(positions["V3"], (0, 0))]  # 36.4 and 52.0
    assert beyond["出行时间（分钟）"].tolist() == pytest.approx(want, abs=0.06)
    assert beyond["已覆盖"].tolist() == ["否", "否"]
    township = pd.read_csv(tmp_path / "hospital_gaps_county_hospital_access_township.csv", encoding="utf-8-sig")
    assert township["编号"].tolist() == ["V2", "V3"]
    city = pd.read_csv(tmp_path / "hospital_gaps_emergency_base_per_city.csv", encoding="utf-8-sig", dtype=str)
    assert city[["单位代码", "单位名称", "人口", "现有数量", "尚缺数量", "假设值"]].values.tolist() == [
        ["140100", "太原市", "11000", "0", "1", "是"]]


# --------------------------------------------------------------------- siting
def test_site_special_education_picks_the_1_median_of_the_county_lacking_a_school(tmp_path, capsys):
    """小店区 has 330,000 residents (over the rule's 300,000) and only a boarding school: one site, at the
    point with the least population-weighted distance to everyone, which is B, not the most populous A."""
    positions = {"A": (0, 0), "B": (3000, 0), "C": (3500, 500), "D": (4000, 0)}
    pops = {"A": 150_000, "B": 100_000, "C": 60_000, "D": 20_000}
    res = write(tmp_path, "res.csv", [village(i, positions[i], pops[i], "140105001", "社区", "城镇") for i in positions])
    school = write(tmp_path, "school.csv", [{"编号": "S1", "名称": "寄宿制学校", "类型": "寄宿制学校", **pt(500, 0)}])
    out = tmp_path / "sites"
    code, stdout, err = run(["site", "--kind", "special_education", "--county", COUNTY, "--residential", res,
                             "--special-education", school, "--out", str(out)], capsys)
    assert code == 0, err
    # the 1-median by hand: sum over residents of population x distance, for each candidate point
    cost = {c: sum(pops[r] * metres(positions[r], positions[c]) for r in positions) for c in positions}
    best = min(cost, key=cost.get)
    assert best == "B"
    name = "1 30 万人口以上的县有特殊教育学校"
    got = sheet(out / "sites.xlsx", name)
    assert len(got) == 1
    row = got.iloc[0]
    assert (row["单位代码"], row["选址点编号"], row["现有数量"], row["尚缺数量"]) == (COUNTY, best, 0, 1)
    assert row["人口"] == sum(pops.values())
    assert row["居民平均距离（米）"] == pytest.approx(cost[best] / sum(pops.values()), abs=2.0)
    assert row["选址依据"] == "单位内居民加权距离最短的居民点"
    assert "小店区（140105）：居民点 B B村" in stdout
    assert (out / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # under 300,000 residents the rule does not apply: no site
    small = write(tmp_path, "small.csv", [village(i, positions[i], pops[i] // 2, "140105001") for i in positions])
    code, stdout, err = run(["site", "--kind", "special_education", "--county", COUNTY, "--residential", small,
                             "--special-education", school, "--out", str(tmp_path / "small")], capsys)
    assert code == 0, err
    assert "30 万人口以上的县有特殊教育学校：没有缺少的单位" in stdout
    assert sheet(tmp_path / "small" / "sites.xlsx", name).empty


def test_site_culture_with_a_candidate_file(tmp_path, capsys):
    """A library for 小店区 goes to the user's candidate with the least population-weighted distance."""
    positions = {"R1": (0, 0), "R2": (0, -4000)}
    pops = {"R1": 9000, "R2": 1000}
    res = write(tmp_path, "res.csv", [village(i, positions[i], pops[i], "140105001") for i in positions])
    culture = write(tmp_path, "culture.csv", [{"编号": "C1", "名称": "文化馆", "类型": "文化馆", **pt(0, 0)}])
    cand_pos = {"L1": (0, -3000), "L2": (0, -500)}
    cand = write(tmp_path, "地块.csv", [{"编号": c, "名称": f"地块{c}", "乡镇代码": "140105001", **pt(*p)}
                                      for c, p in cand_pos.items()])
    out = tmp_path / "c"
    code, _, err = run(["site", "--kind", "culture", "--county", COUNTY, "--residential", res, "--culture", culture,
                        "--candidates", cand, "--out", str(out)], capsys)
    assert code == 0, err
    cost = {c: sum(pops[r] * metres(positions[r], p) for r in positions) for c, p in cand_pos.items()}
    got = sheet(out / "sites.xlsx", "1 区县有公共图书馆")
    assert got["选址点编号"].tolist() == [min(cost, key=cost.get)] == ["L2"]
    assert got["选址依据"].tolist() == ["单位内候选点中居民加权距离最短者"]
    stations = sheet(out / "sites.xlsx", "3 乡镇（街道）有综合文化站")
    assert stations.set_index("单位代码").at["140105001", "选址点编号"] == "L2"


def _brute_force(points: dict, pops: dict, radius: float, n: int) -> tuple[float, int]:
    """Best population covered by n sites among the points, and the fewest sites covering every point."""
    names = list(points)
    reach = {c: {p for p in names if metres(points[p], points[c]) <= radius} for c in names}
    best = max(sum(pops[p] for p in set().union(*(reach[c] for c in combo)))
               for combo in itertools.combinations(names, n))
    fewest = next(k for k in range(1, len(names) + 1)
                  if any(set().union(*(reach[c] for c in combo)) == set(names) for combo in itertools.combinations(names, k)))
    return best, fewest


def test_site_hospitals_coverage_matches_a_brute_force_enumeration(tmp_path, capsys):
    """Four villages far south of the only level-2 hospital; MCLP with 2 sites and LSCP by car, checked
    against every subset of the villages."""
    near = {"V0": (0, 0)}
    far = {"W1": (0, -30000), "W2": (0, -40000), "W3": (12000, -30000), "W4": (0, -55000)}
    pops = {"V0": 5000, "W1": 1000, "W2": 1500, "W3": 1200, "W4": 900}
    everyone = {**near, **far}
    res = write(tmp_path, "res.csv", [village(i, everyone[i], pops[i]) for i in everyone])
    hosp = write(tmp_path, "hosp.csv", [{"编号": "H2", "名称": "区人民医院", "等级": "二级", **pt(0, 0)}])
    out = tmp_path / "h"
    code, stdout, err = run(["site", "--kind", "hospitals", "--county", COUNTY, "--residential", res, "--hospitals", hosp,
                             "-n", "2", "--out", str(out)], capsys)
    assert code == 0, err
    radius = 30 * DRIVE_M_PER_MIN / DETOUR  # 11,538 m in a straight line
    assert all(metres(p, (0, 0)) > radius for p in far.values())
    best, fewest = _brute_force(far, pops, radius, 2)
    assert (best, fewest) == (3700, 3)  # {W1 or W2, W3}; {W1 or W2, W3, W4}
    wb = openpyxl.load_workbook(out / "sites.xlsx", read_only=True)
    names = wb.sheetnames
    wb.close()
    assert names[0] == "目录" and "2 MCLP选址" in names and "2 LSCP选址" in names
    mclp = sheet(out / "sites.xlsx", "2 MCLP选址")
    assert mclp["新增覆盖人口"].sum() == best
    chosen = mclp["编号"].tolist()
    covered = {p for p in far for c in chosen if metres(far[p], far[c]) <= radius}
    assert sum(pops[p] for p in covered) == best  # the sites really cover that many, by hand
    cov = sheet(out / "sites.xlsx", "2 覆盖变化").set_index("方案")
    assert cov.at["现状", "覆盖人口"] == 5000
    assert cov.at["最大覆盖（MCLP）", "覆盖人口"] == 5000 + best
    lscp = sheet(out / "sites.xlsx", "2 LSCP选址")["编号"].tolist()
    assert len(lscp) == fewest
    assert all(any(metres(far[p], far[c]) <= radius for c in lscp) for p in far)
    assert "驾车 30 分钟可达二级以上医院的人口比例（区县）（驾车）：" in stdout


def test_site_primary_care_sites_urban_walkers_and_rural_drivers_apart(tmp_path, capsys):
    """No facility within reach of anyone.  Urban U1, U2 (600 m apart) are one walking catchment and U3
    (3 km away) is not; rural V1, V2 (4 km apart) are one driving catchment and V3 is not.  Each group is
    sited by its own mode: one MCLP site covers U1+U2 (5,000) on foot and V1+V2 (2,500) by car."""
    urban = {"U1": (0, 0), "U2": (600, 0), "U3": (3000, 0)}
    rural = {"V1": (0, -10000), "V2": (0, -14000), "V3": (0, -30000)}
    pops = {"U1": 3000, "U2": 2000, "U3": 1000, "V1": 1500, "V2": 1000, "V3": 800}
    rows = [village(i, p, pops[i], "140105001", "社区", "城镇") for i, p in urban.items()]
    rows += [village(i, p, pops[i], "140105100") for i, p in rural.items()]
    res = write(tmp_path, "res.csv", rows)
    care = write(tmp_path, "care.csv", [{"编号": "P1", "名称": "远处卫生室", "类型": "村卫生室", "乡镇代码": "140105201",
                                         **pt(0, -60000)}])
    out = tmp_path / "p"
    code, stdout, err = run(["site", "--kind", "primary_care", "--county", COUNTY, "--residential", res,
                             "--primary-care", care, "-n", "1", "--method", "mclp", "--out", str(out)], capsys)
    assert code == 0, err
    walk_r, drive_r = 15 * 4000 / 60 / DETOUR, 15 * DRIVE_M_PER_MIN / DETOUR  # 769 m and 5,769 m
    assert metres(urban["U1"], urban["U2"]) <= walk_r < metres(urban["U1"], urban["U3"]) < drive_r
    assert walk_r < metres(rural["V1"], rural["V2"]) <= drive_r < metres(rural["V2"], rural["V3"])
    contents = sheet(out / "sites.xlsx", "目录")
    parts = contents[contents["目标编号"] == "medical_15min"]
    assert parts[["居民组", "出行方式"]].values.tolist() == [["城镇居民", "步行"], ["农村居民", "驾车"]]
    urban_no, rural_no = parts["部分"].tolist()
    for no, group, added in ((urban_no, urban, 5000), (rural_no, rural, 2500)):
        sites = sheet(out / "sites.xlsx", f"{no} MCLP选址")
        assert sites["新增覆盖人口"].tolist() == [added]
        assert sites["编号"].iloc[0] in group
        demand = sheet(out / "sites.xlsx", f"{no} 居民点")
        assert set(demand["编号"]) == set(group)  # each group sited on its own residents
    assert "15 分钟医疗服务圈覆盖率（区县）·城镇居民（步行）：" in stdout
    assert "15 分钟医疗服务圈覆盖率（区县）·农村居民（驾车）：" in stdout
    # the township health-centre rule: 北格镇, 西温庄乡 and 刘家堡乡 (乡/镇 only, no 街道) each get one site
    centres = sheet(out / "sites.xlsx", "1 乡镇有乡镇卫生院")
    assert set(centres["单位代码"]) == {"140105100", "140105200", "140105201"}
    assert centres.set_index("单位代码").at["140105100", "选址点编号"] in rural


# --------------------------------------------------------------------- the county report
@pytest.fixture(scope="module")
def report_files(tmp_path_factory):
    """Small layers for 小店区: urban U1 walks 500 m to a community station; rural V1 drives 5 km to it
    (13 min) and V2 14 km (36 min): the medical circle covers 7,000 of 9,000 residents (77.8%).
    北格镇 has a township health centre, 西温庄乡 and 刘家堡乡 none; no library; 9,000 residents is
    under the special-education rule's 300,000."""
    tmp = tmp_path_factory.mktemp("plan_report")
    res = write(tmp, "res.csv", [village("U1", (0, 0), 4000, "140105001", "社区", "城镇"),
                                 village("V1", (0, -5000), 3000, "140105100"),
                                 village("V2", (0, -14000), 2000, "140105100")])
    care = write(tmp, "care.csv", [
        {"编号": "P1", "名称": "坞城社区卫生服务站", "类型": "社区卫生服务站", "乡镇代码": "140105001", **pt(500, 0)},
        {"编号": "P2", "名称": "北格镇卫生院", "类型": "乡镇卫生院", "乡镇代码": "140105100", **pt(-40000, 0)},
    ])
    hosp = write(tmp, "hosp.csv", [{"编号": "H2", "名称": "区人民医院", "等级": "二级", **pt(0, 0)}])
    culture = write(tmp, "culture.csv", [{"编号": "C1", "名称": "文化馆", "类型": "文化馆", **pt(0, 0)}])
    school = write(tmp, "school.csv", [{"编号": "S1", "名称": "寄宿制学校", "类型": "寄宿制学校", **pt(0, 0)}])
    layers = ["--residential", res, "--primary-care", care, "--hospitals", hosp, "--culture", culture,
              "--special-education", school]
    pages = {}
    for lang in ("zh", "en"):
        out = tmp / lang
        assert main(["report", "--county", COUNTY, *layers, "--out", str(out), "--no-progress", "--jobs", "1",
                     "--lang", lang]) == 0
        pages[lang] = ((out / "counties" / f"{COUNTY}.html").read_text(encoding="utf-8"),
                       (out / "index.html").read_text(encoding="utf-8"), out)
    return pages


def test_county_report_groups_targets_by_task_with_marks_and_sources(report_files):
    html, _, _ = report_files["zh"]
    headings = re.findall(r"<h3>(任务[^<]*)</h3>", html)
    assert headings[:2] == ["任务 2 · 公共卫生应急", "任务 4 · 学前教育、特殊教育与寄宿制学校"]
    assert "任务 10 · 医疗卫生：优质资源扩容下沉与基层服务" in headings
    assert "任务 11 · 公共文化设施免费开放" in headings
    # the medical circle is an assumption with a source; the library rule is no assumption
    assert re.search(r"15 分钟医疗服务圈覆盖率（区县）<sup>※\[\d+\]</sup>", html)
    assert re.search(r"区县有公共图书馆<sup>\[\d+\]</sup>", html)
    assert "※ 假设值，可在目标文件中修改" in html
    assert "《中华人民共和国公共图书馆法》" in html
    assert "77.8%" in html  # 7,000 of 9,000 residents within the circle, by hand
    assert html.count("未纳入检查的内容") == 1
    assert "医联体、远程医疗" in html


def test_county_report_health_and_culture_sections(report_files):
    html, _, _ = report_files["zh"]
    health = html[html.index("<h2>医疗卫生</h2>"):html.index("<h2>公共文化与特殊教育</h2>")]
    assert "乡镇有乡镇卫生院：1 / 3 个乡镇达标" in health
    assert "乡镇有乡镇卫生院：缺少的乡镇（2）" in health
    lacking = health[health.index("缺少的乡镇（2）"):]
    lacking = lacking[:lacking.index("<h3>")]
    assert sorted(re.findall(r"<td>(\d{9})</td>", lacking)) == ["140105200", "140105201"]  # 北格镇 has its centre
    assert "15 分钟医疗服务圈覆盖率（区县）：未覆盖的村和社区（1）" in health
    assert "V2村" in health and "U1村" not in health and "共 2,000 人" in health
    assert "驾车 30 分钟可达二级以上医院的人口比例（区县）：未覆盖的村和社区（1）" in health  # V2: 36 minutes
    culture = html[html.index("<h2>公共文化与特殊教育</h2>"):]
    assert "不适用：常住人口 9,000 人，低于规则的 300,000 人" in culture
    assert "区县有公共图书馆（小店区）：现有 0 处，要求至少 1 处——未达标" in culture
    assert "区县有文化馆（小店区）：现有 1 处，要求至少 1 处——达标" in culture
    wb = openpyxl.load_workbook(report_files["zh"][2] / "counties" / f"{COUNTY}.xlsx", read_only=True)
    assert "缺口-乡镇有乡镇卫生院" in wb.sheetnames
    wb.close()


def test_report_in_english_and_the_summary_page(report_files):
    html, summary, _ = report_files["en"]
    for text in ("Task 10 · Health care: extending high-quality resources and primary care", "<h2>Health care</h2>",
                 "<h2>Culture and special education</h2>", "* An assumption: adjustable in the targets file",
                 "not applicable: 9,000 residents, under the rule&#39;s 300,000", "<h2>Not checked</h2>"):
        assert text in html, text
    assert "<h2>医疗卫生</h2>" not in html and "假设值" not in html
    assert "A public library in every county" in summary
    assert "A township health centre in every 乡/镇 (townships meeting it)" in summary
    assert 'class="not_met">1 of 3 townships meet it' in summary
    _, zh_summary, _ = report_files["zh"]
    assert re.search(r'class="not_applicable">不适用<', zh_summary)
