"""The plan's tasks in the app: targets grouped by task with their assumptions and sources, presence rules and
their gap lists, the new facility layers on the map and in uploads.

Run headless with streamlit's AppTest on the real demo data and on small uploaded layers (no mocks of sxgeo).
What the app shows is checked against the targets file read with ``tomllib`` and against counts made by hand
from the demo CSV files read with pandas and from the bundled township list.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from app_steps import flat, run, to_area
from streamlit.testing.v1 import AppTest

from sxgeo.app.data import Boundaries, Workspace
from sxgeo.app.mapview import build_map
from sxgeo.app.panels import gap_view
from sxgeo.io.demo import load_demo
from sxgeo.layers import boundaries
from sxgeo.outputs.webmap_style import ICON_STYLES
from sxgeo.text import t

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
FACILITIES = REPO / "data" / "facilities"
TIMEOUT = 300
XIAODIAN, TAIYUAN = "140105", "140100"
TARGETS = tomllib.loads((REPO / "sxgeo" / "data" / "targets.toml").read_text(encoding="utf-8"))


def _task_tables(at: AppTest) -> list[tuple[object, pd.DataFrame]]:
    """The targets panel: each task heading (a "##### " markdown element) with the table under it."""
    out, heading = [], None
    for el in flat(at.main):
        if el.type == "markdown" and str(el.value).startswith("##### "):
            heading = el
        elif el.type == "table" and heading is not None:
            out.append((heading, el.value))
            heading = None
    return out


def _targets(at: AppTest) -> pd.DataFrame:
    return pd.concat([table for _heading, table in _task_tables(at)])


def _source(kind: str) -> pd.DataFrame:
    """A demo file read as text with pandas (not through sxgeo), with the county of each row."""
    raw = pd.read_csv(FACILITIES / f"{kind}.csv", dtype=str, encoding="utf-8-sig")
    return raw.assign(county=raw["乡镇代码"].str[:6])


def _rule(target_id: str) -> dict:
    return next(tg for tg in TARGETS["target"] if tg["id"] == target_id)


@pytest.fixture(scope="module")
def demo() -> Workspace:
    return Workspace.build({k: r.layer for k, r in load_demo().items()}, Boundaries.load())


# --- the targets panel, by plan task ----------------------------------------------------------


def test_a_county_lists_its_targets_under_their_tasks_with_assumption_marks_and_sources():
    at = to_area(run(AppTest.from_file(APP, default_timeout=TIMEOUT)), "county", TAIYUAN, XIAODIAN)
    # a county sees the targets judged per county and (summarised) per township, under their task, in file order
    shown = [tg for tg in TARGETS["target"] if tg["level"] in ("county", "township")]
    tasks = [task for task in TARGETS["task"] if any(tg["task"] == task["id"] for tg in shown)]
    groups = _task_tables(at)
    assert [h.value for h, _ in groups] == [f"##### {task['name_zh']}" for task in tasks]
    assert [task["id"] for task in tasks] == ["4", "6", "10", "11", "12"]
    for (heading, table), task in zip(groups, tasks):
        assert heading.help == task["out_of_scope_zh"]  # what sxgeo leaves out of the task, on hover
        mine = [tg for tg in shown if tg["task"] == task["id"]]
        assert list(table.index) == [tg["name_zh"] for tg in mine]
        assert list(table.columns) == ["数值", "目标值", "状态", "依据"]
        for tg, (_, row) in zip(mine, table.iterrows()):
            assert row["目标值"].endswith(" ※") == tg.get("assumption", False), tg["id"]
            assert row["依据"] == tg["source_zh"]
    assert any(c.value.startswith("※ 假设值，可在目标文件中修改") for c in at.caption)
    # a county rule is the county's own count; the demo's 小店区 has no public football pitch (the demo file)
    fitness = _source("fitness")
    pitches = fitness[(fitness["county"] == XIAODIAN) & fitness["类型"].str.contains("足球")]
    row = _targets(at).loc["区县有公共足球场"]
    assert row["数值"] == str(len(pitches)) and row["状态"] == ("达标" if len(pitches) else "未达标")
    # in English, the task headings and the footnote too
    at.sidebar.radio(key="lang").set_value("en")
    run(at)
    assert [h.value for h, _ in _task_tables(at)] == [f"##### {task['name_en']}" for task in tasks]
    assert any(c.value.startswith("※ An assumption, adjustable in the targets file") for c in at.caption)


def test_presence_rules_count_the_units_without_and_leave_out_the_units_they_do_not_apply_to(demo):
    townships = boundaries.load_townships()
    at = to_area(run(AppTest.from_file(APP, default_timeout=TIMEOUT)), "county", TAIYUAN, XIAODIAN)
    # every 乡镇 and 街道 of 小店区 (the bundled list) against the cultural stations of the demo file
    culture = _source("culture")
    stations = set(culture.loc[culture["类型"] == "综合文化站", "乡镇代码"])
    mine = set(townships.loc[townships["county_code"] == XIAODIAN, "code"])
    without = mine - stations
    assert len(mine) == 12 and without  # the demo leaves some without one
    value = _targets(at).loc["乡镇（街道）有综合文化站", "数值"]
    assert value == f"{len(mine) - len(without)}/{len(mine)} 个乡镇达标，{len(without)} 个乡镇缺少"
    # ... and its gap list names exactly those townships
    title = "#### 未达到「乡镇（街道）有综合文化站」的乡镇"
    listed = None
    elements = flat(at.tabs[0])
    for i, el in enumerate(elements):
        if el.type == "markdown" and el.value == title:
            listed = next(e.value for e in elements[i + 1:] if e.type == "dataframe")
            break
    assert set(listed["单位代码"]) == without and len(listed) == len(without)
    assert set(listed["差距"]) == {"1"} and set(listed["数值"]) == {"0"}

    # a city with counties under the special-education rule's population minimum: they are counted apart
    minimum = _rule("special_school_per_county")["min_population"]
    residential = _source("residential")
    people = pd.to_numeric(residential["人口"]).groupby(residential["county"]).sum()
    schools = _source("special_education")
    with_school = set(schools.loc[schools["类型"] == "特殊教育学校", "county"])
    counties = boundaries.load_counties()
    city, small = next((c, set(g["adcode"]) - set(people[people >= minimum].index))
                       for c, g in counties.groupby("city_code")
                       if 0 < len(set(g["adcode"]) - set(people[people >= minimum].index)) < len(g))
    judged = set(counties.loc[counties["city_code"] == city, "adcode"]) - small
    met = len(judged & with_school)
    to_area(at, "city", city)
    value = _targets(at).loc["30 万人口以上的县有特殊教育学校", "数值"]
    assert value.startswith(f"{met}/{len(judged)} 个区县达标")
    assert value.endswith(f"（另有 {len(small)} 个人口不足、不适用）")
    # one of those counties: the rule does not apply ("不适用"), neither met nor not met
    small_county = sorted(small)[0]
    to_area(at, "county", city, small_county)
    row = _targets(at).loc["30 万人口以上的县有特殊教育学校"]
    assert row["状态"] == "不适用"
    ev = demo.evaluation
    assert ev[(ev["target_id"] == "special_school_per_county") & (ev["unit_code"] == small_county)]["status"].tolist() \
        == ["not_applicable"]


def test_the_indicator_choice_offers_the_new_targets_by_task():
    at = run(AppTest.from_file(APP, default_timeout=TIMEOUT))
    box = at.sidebar.selectbox(key="indicator@zh")
    labels = box.options  # as shown
    assert "任务 10 · 区县：15 分钟医疗服务圈覆盖率（区县）" in labels
    assert "任务 11 · 区县：区县有公共图书馆" in labels
    order = [task["id"] for task in TARGETS["task"]]
    numbers = [re.match(r"任务 (\d+) · ", label).group(1) for label in labels]
    assert numbers == sorted(numbers, key=order.index)  # grouped by task, in the plan's order
    box.set_value("county_library")
    run(at)
    assert at.session_state["indicator"] == "county_library"


# --- gap lists and layers ---------------------------------------------------------------------


def test_the_kindergarten_list_follows_only_the_kindergarten_rule_and_lists_name_their_missing_layers():
    demo_layers = {k: r.layer for k, r in load_demo(("kindergartens",)).items()}
    ws = Workspace.build(demo_layers, Boundaries.load())
    rules = [tg["id"] for tg in TARGETS["target"] if tg.get("rule") == "presence" and tg["kind"] == "kindergartens"]
    assert [tg.id for tg in ws.gap_targets("kindergarten")] == rules == ["kg_public_per_township"]
    # the kindergarten list is judged from the kindergarten layer alone ...
    frame = ws.gap_list("kindergarten", "county", XIAODIAN)
    assert gap_view(ws, "kindergarten", "county", XIAODIAN, "zh").state == ("rows" if len(frame) else "none")
    # ... while the other rules' lists and the travel lists name the layers they lack
    for name, missing in (("health_centre_per_township", ["基层医疗卫生机构"]), ("county_library", ["公共文化设施"]),
                          ("special_school_per_county", ["特殊教育与寄宿制学校", "居民点"]),
                          ("medical", ["居民点", "基层医疗卫生机构"]), ("hospital", ["居民点", "医院"])):
        view = gap_view(ws, name, "county", XIAODIAN, "zh")
        assert view.state == "no_data" and all(f"「{m}」" in view.message for m in missing), (name, view)
    rows = ws.target_rows("county", XIAODIAN).set_index("target_id")
    for tid in ("county_library", "health_centre_per_township", "medical_15min", "county_hospital_access"):
        assert rows.loc[tid, "status"] == "no_data", tid  # a missing layer is no data, never "not met"


def _csv(rows: list[dict]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8-sig")


HOSPITALS = [
    {"编号": "H1", "名称": "甲医院", "等级": "三级甲等", "隶属": "市级", "床位数": 800, "乡镇代码": "140105001",
     "经度": 112.5800, "纬度": 37.7100},
    {"编号": "H2", "名称": "乙医院", "等级": "二级", "隶属": "县级", "床位数": 300, "乡镇代码": "140105005",
     "经度": 112.5900, "纬度": 37.7200},
    {"编号": "H3", "名称": "丙医院", "等级": "未定级", "床位数": 40, "乡镇代码": "140105100",
     "经度": 112.4400, "纬度": 37.6100},
]
CULTURE = [
    {"编号": "C1", "名称": "坞城街道综合文化站", "类型": "综合文化站", "乡镇代码": "140105001", "经度": 112.5810, "纬度": 37.7110},
    {"编号": "C2", "名称": "北格镇综合文化站", "类型": "综合文化站", "乡镇代码": "140105100", "经度": 112.4410, "纬度": 37.6110},
    {"编号": "C3", "名称": "小店区图书馆", "类型": "图书馆", "级别": "县级", "免费开放": "是", "乡镇代码": "140105001",
     "经度": 112.5820, "纬度": 37.7120},
]


def test_uploaded_hospitals_and_cultural_venues_are_drawn_and_judged_as_counted_by_hand():
    at = run(AppTest.from_file(APP, default_timeout=TIMEOUT))
    for kind, name, rows in (("hospitals", "医院.csv", HOSPITALS), ("culture", "文化.csv", CULTURE)):
        at.tabs[1].selectbox(key="upload_kind@zh").set_value(kind)  # the new kinds are upload choices
        at.tabs[1].selectbox(key="upload_crs@zh").set_value("wgs84")
        run(at)
        at.tabs[1].file_uploader(key="upload_file").set_value((name, _csv(rows), "text/csv"))
        run(at)
        assert any(name in i.value and f"载入 {len(rows)} 行" in i.value for i in at.tabs[1].info), name
    at.sidebar.radio(key="source@zh").set_value("own")
    run(at)
    to_area(at, "county", TAIYUAN, XIAODIAN)
    ws = at.session_state["_workspace"]
    assert sorted(k for k, v in ws.layers.items() if v is not None) == ["culture", "hospitals"]
    # the rules, counted by hand: 2 of 小店区's 12 townships (the bundled list) have a station; one library,
    # no cultural centre
    townships = boundaries.load_townships()
    n = int((townships["county_code"] == XIAODIAN).sum())
    targets = _targets(at)
    assert targets.loc["乡镇（街道）有综合文化站", "数值"] == f"2/{n} 个乡镇达标，{n - 2} 个乡镇缺少"
    assert tuple(targets.loc["区县有公共图书馆", ["数值", "状态"]]) == ("1", "达标")
    assert tuple(targets.loc["区县有文化馆", ["数值", "状态"]]) == ("0", "未达标")
    assert targets.loc["15 分钟医疗服务圈覆盖率（区县）", "状态"] == "无数据"  # no primary-care layer
    # the map draws exactly the three hospitals, one per level group, each at its size
    m = build_map(ws, "county", XIAODIAN, None, "zh", "none", None, {}, minutes=15.0)
    html = m.get_root().render()
    layers = dict(re.findall(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*(geo_json_[0-9a-f]+),$', html, re.M))
    names = [json.loads(k) for k in layers]
    assert {"三级医院（1）", "二级医院（1）", "其他医院（一级、等级未知）（1）", "公共文化设施（3）"} <= set(names)
    assert not any(n.startswith(("基层医疗卫生机构", "幼儿园", "居民点")) for n in names)  # no layer, nothing drawn
    features = [json.loads(d) for d in re.findall(r"geo_json_[0-9a-f]+_add\((\{\"features\".*\})\);$", html, re.M)]
    drawn = [f for fc in features for f in fc["features"] if f["properties"].get("sx_group")]
    assert sorted(f["properties"]["sx_group"] for f in drawn) == ["level2", "level3", "other"]
    coords = sorted(tuple(f["geometry"]["coordinates"]) for f in drawn)
    assert coords == sorted((h["经度"], h["纬度"]) for h in HOSPITALS)
    assert html.count(f'fill=\\"{ICON_STYLES["hospitals"][1]}\\"') >= 3 + 3  # three markers and three legend rows
    # the gap list of the stations: the ten townships without one
    title = t("app.gap_presence", "zh", rule="乡镇（街道）有综合文化站", unit="乡镇")
    elements = flat(at.tabs[0])
    i = next(i for i, el in enumerate(elements) if el.type == "markdown" and el.value == f"#### {title}")
    listed = next(e.value for e in elements[i + 1:] if e.type == "dataframe")
    mine = set(townships.loc[townships["county_code"] == XIAODIAN, "code"])
    assert set(listed["单位代码"]) == mine - {"140105001", "140105100"}


def test_the_new_gap_lists_download_in_chinese_words(demo):
    import io

    import openpyxl

    from sxgeo.app.panels import gap_sheet, list_units
    from sxgeo.outputs.tables import to_csv_bytes, to_xlsx_bytes

    han = re.compile(r"[\u4e00-\u9fff]")
    new = [n for n in demo.gap_names() if n in ("medical", "hospital") or n in demo.targets]
    assert len(new) == 2 + sum(1 for tg in TARGETS["target"] if tg.get("rule") == "presence"
                               and tg["kind"] != "kindergartens")
    for name in new:
        frame = demo.gap_list(name, "province", None)
        if not len(frame):
            continue  # a rule every unit meets in the demo
        units = list_units(demo, name)
        csv = pd.read_csv(io.BytesIO(to_csv_bytes(frame, "zh", units=units)), encoding="utf-8-sig", dtype=str,
                          keep_default_na=False)
        assert len(csv) == len(frame)
        assert all(han.search(h) and not re.search("[A-Za-z]{2,}", h) for h in csv.columns), (name, list(csv.columns))
        sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({gap_sheet(name, "zh", demo): frame}, "zh",
                                                                units=units))).sheetnames[0]
        assert han.search(sheet) and not re.search("[A-Za-z]", sheet), (name, sheet)
        if name in demo.targets:  # a presence rule: the unit, what it has, what the rule asks, what is missing
            rule = _rule(name)
            assert {"单位代码", "单位名称", "人口", "数值", "目标值", "差距"} <= set(csv.columns), list(csv.columns)
            assert set(csv["目标值"]) == {str(rule.get("min_count", 1))}
            assert (csv["数值"].astype(int) + csv["差距"].astype(int) == rule.get("min_count", 1)).all()
        else:  # uncovered villages and communities, each beyond the target's travel time
            tg = next(tg for tg in TARGETS["target"] if tg.get("quantity") == {
                "medical": "medical_15min_share", "hospital": "hospital_drive_share"}[name])
            minutes = pd.to_numeric(frame["minutes"])
            assert ((minutes > tg["params"]["threshold_min"]) | minutes.isna()).all()  # unreachable: infinite


def test_a_city_rule_speaks_of_the_county_s_city_and_a_rule_that_applies_nowhere_says_so(demo):
    counties = boundaries.load_counties()
    city_of = dict(zip(counties["adcode"], counties["city_code"]))
    hospitals = _source("hospitals")
    with_base = {city_of[c] for c in hospitals.loc[hospitals["公共卫生应急基地"] == "是", "county"]}
    without = set(counties["city_code"]) - with_base
    assert without and with_base  # the demo has both
    for city in sorted(set(counties["city_code"])):
        county = sorted(counties.loc[counties["city_code"] == city, "adcode"])[0]
        view = gap_view(demo, "emergency_base_per_city", "county", county, "zh")
        name = demo.bounds.scope("city", city).name
        if city in without:
            assert view.state == "rows" and view.frame["unit_code"].tolist() == [city], (city, view)
        else:
            assert view.state == "none" and view.message == t("app.gaps_none", "zh", area=name), (city, view)
    # a county under the special-education rule's population minimum: not applicable, not "no gaps"
    residential = _source("residential")
    people = pd.to_numeric(residential["人口"]).groupby(residential["county"]).sum()
    small = sorted(people[people < _rule("special_school_per_county")["min_population"]].index)[0]
    view = gap_view(demo, "special_school_per_county", "county", small, "zh")
    area = demo.bounds.scope("county", small).name
    assert view.state == "no_data" and view.message == t("app.gaps_not_applicable", "zh", area=area)


def test_the_attainment_chart_leaves_out_presence_rules_and_follows_the_task_order(demo):
    from sxgeo.app.panels import attainment_chart

    rows = demo.target_rows("county", XIAODIAN)
    fig = attainment_chart(rows, "zh")
    labels = [tick.get_text().replace("\n", "") for tick in fig.axes[0].get_yticklabels()]
    presence = {tg["name_zh"] for tg in TARGETS["target"] if tg.get("rule") == "presence"}
    assert labels and not presence & set(labels)  # a presence rule is met or not: no degree of attainment
    order = [task["id"] for task in TARGETS["task"]]
    task_of = {tg["name_zh"]: tg["task"] for tg in TARGETS["target"]}
    assert [order.index(task_of[label]) for label in labels] == sorted(order.index(task_of[label]) for label in labels)
    assert {"15 分钟医疗服务圈覆盖率（区县）", "学前三年毛入园率"} <= set(labels)


def test_a_medical_indicator_draws_its_own_uncovered_residents(demo):
    # with the medical circle chosen the map draws that circle's uncovered residents (not the fitness circle's):
    # the layer holds exactly the analysis' medical gap list of 小店区, recomputed here from the walk result
    info = demo.map_targets().set_index("target_id")
    indicator = {"target_id": "medical_15min", **info.loc["medical_15min"].to_dict()}
    m = build_map(demo, "county", XIAODIAN, indicator, "zh", "none", None, {}, minutes=15.0)
    html = m.get_root().render()
    layers = dict(re.findall(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*(geo_json_[0-9a-f]+),$', html, re.M))
    names = {json.loads(k): v for k, v in layers.items()}
    points = demo.analysis.walk_result("medical_15min_share").points
    mine = points[(points["county_code"] == XIAODIAN) & ~points["covered"].astype(bool) & points["located"]]
    label = t("map.uncovered_of", "zh", target=info.loc["medical_15min", "target_zh"])
    assert t("map.layer_count", "zh", title=label, n=len(mine)) in names
    assert not any(n.startswith(t("map.uncovered", "zh")) for n in names)  # no fitness gaps on this map
    # the fitness indicator keeps the fitness circle
    fit = {"target_id": "fitness_15min", **info.loc["fitness_15min"].to_dict()}
    html = build_map(demo, "county", XIAODIAN, fit, "zh", "none", None, {}, minutes=15.0).get_root().render()
    names = [json.loads(k) for k in re.findall(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*geo_json_[0-9a-f]+,$', html, re.M)]
    assert t("map.covered_area", "zh", minutes=15.0) in names
    assert any(n.startswith(t("map.uncovered", "zh")) for n in names)
