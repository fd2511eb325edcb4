"""The app's logic, run headless with streamlit's AppTest on the real demo data (no mocks of sxgeo),
and the folium maps it draws (sxgeo.outputs.webmap), checked for offline use.

The browser side (the map actually visible, clicks, downloads) is in test_e2e_browser.py.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from app_steps import run, to_county
from streamlit.testing.v1 import AppTest

from sxgeo.analysis.scenario import shortfall_closed
from sxgeo.analysis.supply import measure_params
from sxgeo.app.data import Boundaries, Workspace
from sxgeo.formatting import fmt_value
from sxgeo.io import load_layer
from sxgeo.io.demo import load_demo
from sxgeo.layers import boundaries
from sxgeo.outputs import assets
from sxgeo.outputs import tables as export
from sxgeo.outputs import webmap as maps

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 300
XIAODIAN = "140105"  # 太原市小店区
TAIYUAN = "140100"


@pytest.fixture
def app() -> AppTest:
    return run(AppTest.from_file(APP, default_timeout=TIMEOUT))


def _targets(at: AppTest) -> pd.DataFrame:
    """The targets panel: its tables (one per plan task) as one, indexed by target name."""
    tables = [tb.value for tb in at.table if {"目标值", "Threshold"} & set(tb.value.columns)]
    return pd.concat(tables)


@pytest.fixture(scope="module")
def demo_workspace() -> Workspace:
    layers = {k: r.layer for k, r in load_demo().items()}
    return Workspace.build(layers, Boundaries.load())


# --- language and data labels ----------------------------------------------------------------


def test_starts_in_chinese_on_the_synthetic_demo_and_switches_to_english(app):
    assert app.title[0].value == "山西省公共服务设施缺口分析"
    assert "合成数据" in app.warning[0].value
    assert any("距离模式" in c.value for c in app.caption)  # no OSM file configured
    targets = _targets(app)
    assert list(targets.columns) == ["数值", "目标值", "状态", "依据"]
    assert "学前三年毛入园率" in targets.index
    assert set(targets["状态"]) <= {"达标", "未达标", "无数据"}
    app.sidebar.radio(key="lang").set_value("en")
    run(app)
    assert app.title[0].value == "Shanxi public-service gap analysis"
    assert "SYNTHETIC" in app.warning[0].value
    assert "Gross preschool enrolment (3 years)" in _targets(app).index
    assert [t.label for t in app.tabs] == ["Gap lists", "Load your own data", "Scenario"]


def test_choices_survive_a_language_switch(app):
    to_county(app, "140931", "140900")
    app.sidebar.radio(key="lang").set_value("en")
    run(app)
    assert app.sidebar.radio(key="level@en").value == "county"
    assert app.sidebar.selectbox(key="county@en").value == "140931"
    assert app.sidebar.radio(key="level@en").format_func("county") == "County"
    app.sidebar.selectbox(key="county@en").set_value("140930")
    run(app)
    app.sidebar.radio(key="lang").set_value("zh")
    run(app)
    assert app.sidebar.selectbox(key="county@zh").value == "140930"
    assert app.sidebar.radio(key="level@zh").format_func("county") == "区县"


def test_a_county_clicked_on_the_map_becomes_the_area(app):
    # what the map-click handler leaves for the next run (the click itself is in test_e2e_browser.py)
    app.session_state["_pending_area"] = ("county", "140900", "140931")
    run(app)
    assert app.sidebar.radio(key="level@zh").value == "county"
    assert app.sidebar.selectbox(key="city@zh").value == "140900"
    assert app.sidebar.selectbox(key="county@zh").value == "140931"
    assert "学前三年毛入园率" in _targets(app).index


# --- area and targets panel ------------------------------------------------------------------


def test_area_choice_changes_the_targets_panel(app, demo_workspace):
    province = _targets(app).copy()
    assert province.loc["学前三年毛入园率", "数值"].endswith("个区县达标")
    to_county(app)
    county = _targets(app)
    assert not county.equals(province)
    ev = demo_workspace.evaluation
    row = ev[(ev["target_id"] == "gross_enrolment") & (ev["unit_code"] == XIAODIAN)].iloc[0]
    assert county.loc["学前三年毛入园率", "数值"] == fmt_value(row["value"], "share")
    assert county.loc["学前三年毛入园率", "状态"] == {"met": "达标", "not_met": "未达标"}[row["status"]]
    # township targets are summarised for the county
    assert re.fullmatch(r"\d+/\d+ 个乡镇达标", county.loc["乡镇至少有一所公办幼儿园", "数值"])
    app.sidebar.radio(key="level@zh").set_value("city")
    run(app)
    city = _targets(app)
    assert city.loc["护理型床位占比（地级市）", "数值"].endswith("%")  # the city's own value
    assert city.loc["学前三年毛入园率", "数值"].endswith("/10 个区县达标")  # Taiyuan has 10 counties


def test_indicator_and_basemap_choices(app):
    options = app.sidebar.selectbox(key="indicator@zh").options
    assert any("15 分钟健身圈" in o for o in options)
    app.sidebar.selectbox(key="indicator@zh").set_value("nursing_beds_county")
    run(app)
    app.sidebar.selectbox(key="basemap@zh").set_value("tianditu")
    run(app)
    # no key given: the app says so and keeps the offline map
    assert any("天地图需要密钥" in i.value for i in app.sidebar.info)


# --- gap lists -------------------------------------------------------------------------------


def _below(tab, heading: str) -> list:
    """The elements of a tab between the markdown ``heading`` and the next heading, in page order."""
    def flat(node) -> list:
        out = []
        for k in sorted(node.children):
            child = node.children[k]
            out += flat(child) if getattr(child, "children", None) else [child]
        return out

    out, inside = [], False
    for el in flat(tab):
        if el.type == "markdown" and str(el.value).startswith("#"):
            inside = el.value == heading
        elif inside:
            out.append(el)
    return out


def test_gap_lists_for_a_county_match_the_analysis_and_download(app, demo_workspace):
    to_county(app, "140931", "140900")  # 保德县
    tab = app.tabs[0]
    labels = [m.value for m in tab.markdown]
    # grouped by plan task (in the targets file's order), numbers and rule names from the targets file
    assert labels == [
        "### 任务 2 · 公共卫生应急", "#### 未达到「每个地级市有公共卫生应急基地」的地级市",
        "### 任务 4 · 学前教育、特殊教育与寄宿制学校", "#### 没有公办幼儿园的乡镇", "#### 服务范围内学位不足的乡镇（按缺口排序）",
        "#### 未达到「30 万人口以上的县有特殊教育学校」的区县",
        "### 任务 5 · 儿童福利与未成年人保护", "#### 未达到「每个地级市有区域性儿童福利机构」的地级市",
        "### 任务 6 · 养老服务与农村互助幸福院", "#### 社区养老设施步行未覆盖的社区", "#### 护理型床位占比低于 45.0% 的区县",
        "#### 服务范围内养老床位不足的乡镇（按缺口排序）", "#### 未达到「乡镇有农村互助幸福院」的乡镇",
        "### 任务 10 · 医疗卫生：优质资源扩容下沉与基层服务", "#### 15 分钟医疗服务圈未覆盖的村庄和社区",
        "#### 30 分钟车程内没有二级及以上医院的村庄和社区", "#### 未达到「乡镇有乡镇卫生院」的乡镇",
        "### 任务 11 · 公共文化设施免费开放", "#### 未达到「区县有公共图书馆」的区县", "#### 未达到「区县有文化馆」的区县",
        "#### 未达到「乡镇（街道）有综合文化站」的乡镇",
        "### 任务 12 · 全民健身设施", "#### 15 分钟健身圈未覆盖的社区", "#### 未达到「区县有体育公园」的区县",
        "#### 未达到「区县有健身步道」的区县", "#### 未达到「区县有公共足球场」的区县",
        "### 未上图的记录",
    ]
    assert tab.success[-1].value == "忻州市保德县没有未上图的记录：所有载入的记录都有坐标。"  # the demo rows all have one
    kg = next(el.value for el in _below(tab, "#### 没有公办幼儿园的乡镇") if el.type == "dataframe")
    expected = demo_workspace.gap_list("kindergarten", "county", "140931")
    assert len(kg) == len(expected) > 0
    assert set(kg["单位代码"]) == set(expected["unit_code"])
    assert (kg["区县"] == "保德县").all()
    keys = {b.key for b in tab.get("download_button")}
    for name in ("kindergarten", "fitness", "elderly", "nursing"):
        assert {f"dl_{name}_csv", f"dl_{name}_xlsx"} <= keys
    capacity = demo_workspace.gap_list("kindergartens_capacity", "county", "140931")
    shown = next(el.value for el in _below(tab, "#### 服务范围内学位不足的乡镇（按缺口排序）") if el.type == "dataframe")
    assert shown["乡镇代码"].tolist() == capacity["township_code"].tolist()  # the same townships, largest shortfall first
    assert "dl_kindergarten_gpkg" in keys
    # what the buttons hand out: CSV with BOM, XLSX and GeoPackage of the same rows
    csv = export.to_csv_bytes(expected, "zh")
    assert csv.startswith(b"\xef\xbb\xbf") and len(pd.read_csv(io.BytesIO(csv))) == len(expected)
    xlsx = pd.read_excel(io.BytesIO(export.to_xlsx_bytes({"kindergarten": expected}, "zh")))
    assert len(xlsx) == len(expected)
    gpkg = gpd.read_file(io.BytesIO(export.to_gpkg_bytes(expected[expected.geometry.notna()], "kindergarten", "zh")))
    assert len(gpkg) == expected.geometry.notna().sum()


def test_nursing_gap_list_lists_counties_under_45_percent(demo_workspace):
    nursing = demo_workspace.gap_list("nursing", "province", None)
    assert len(nursing) > 0 and (nursing["value"] < 0.45).all()
    assert nursing.geometry.notna().all()  # county polygons, for the GeoPackage


# --- own data --------------------------------------------------------------------------------


def _csv(rows: list[dict]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8-sig")


BAD_KG = _csv([
    {"编号": "K1", "名称": "好园", "性质": "公办", "经度": 112.56, "纬度": 37.80},
    {"编号": "K2", "名称": "无坐标园", "性质": "公办", "经度": None, "纬度": None},
    {"编号": "K3", "名称": "北京园", "性质": "民办", "经度": 116.40, "纬度": 39.90},
])


def _upload(at: AppTest, name: str, data: bytes, kind: str = "kindergartens", crs: str = "wgs84") -> AppTest:
    at.tabs[1].selectbox(key="upload_kind@zh").set_value(kind)
    at.tabs[1].selectbox(key="upload_crs@zh").set_value(crs)
    run(at)
    at.tabs[1].file_uploader(key="upload_file").set_value((name, data, "text/csv"))
    return run(at)


def test_bad_csv_shows_rejected_rows_with_reasons(app):
    _upload(app, "幼儿园.csv", BAD_KG)
    own = app.tabs[1]
    assert "共 3 行，载入 1 行（有坐标 1 行，无坐标 0 行），拒绝 2 行" in own.info[0].value
    reasons = own.warning[0].value
    assert "缺少坐标" in reasons and "山西省范围以外" in reasons
    rejected = own.dataframe[0].value
    assert list(rejected["行号"]) == [3, 4]
    assert _targets(app) is not None  # the rest of the app still works


def test_own_data_replaces_the_demo_in_every_view(app):
    kg = [
        {"编号": "K1", "名称": "甲园", "性质": "公办", "在园幼儿数": 100, "乡镇代码": "140105100", "经度": 112.5647, "纬度": 37.8135},
        {"编号": "K2", "名称": "乙园", "性质": "民办", "在园幼儿数": 50, "经度": 112.4900, "纬度": 37.7200},
    ]
    res = [{"编号": "R1", "名称": "甲社区", "类型": "社区", "城乡": "城镇", "人口": 1000, "3-5岁人口": 100,
            "60岁以上人口": 200, "乡镇代码": "140105100", "经度": 112.5647, "纬度": 37.8135}]
    _upload(app, "kg.csv", _csv(kg))
    _upload(app, "res.csv", _csv(res), kind="residential")
    infos = [i.value for i in app.tabs[1].info]
    assert any("kg.csv" in i and "载入 2 行（有坐标 2 行，无坐标 0 行），拒绝 0 行" in i for i in infos)
    assert any("res.csv" in i and "载入 1 行" in i for i in infos)
    app.sidebar.radio(key="source@zh").set_value("own")
    run(app)
    assert all("合成" not in w.value for w in app.warning)  # not labelled as demo any more
    assert any("正在使用您上传的数据" in i.value for i in app.info)
    to_county(app)
    targets = _targets(app)
    # 小店区 from the uploaded layers: K1 (100 enrolled) / R1 (100 children); K2 lies in 晋源区
    assert targets.loc["学前三年毛入园率", "数值"] == "100.0%"
    assert targets.loc["护理型床位占比（区县）", "状态"] == "无数据"  # no elderly-care layer uploaded
    app.sidebar.radio(key="source@zh").set_value("demo")
    run(app)
    assert "合成数据" in app.warning[0].value
    assert _targets(app).loc["学前三年毛入园率", "数值"] != "100.0%"


def test_coordinate_system_choice_is_passed_to_the_loader(app):
    _upload(app, "gcj.csv", _csv([{"编号": "K1", "名称": "甲园", "性质": "公办", "经度": 112.5700, "纬度": 37.8100}]), crs="gcj02")
    assert "载入 1 行" in app.tabs[1].info[0].value


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("entry", ["../evil.shp", "/etc/evil.shp"])
def test_unsafe_zip_is_refused_and_the_app_keeps_working(app, entry):
    at = _upload(app, "layer.zip", _zip({entry: b"x", "ok.dbf": b"y"}))
    errors = [e.value for e in at.error]
    assert any("上传失败" in e and "不安全" in e for e in errors), errors
    assert "合成数据" in at.warning[0].value and len(_targets(at)) > 5


def test_unreadable_upload_gives_a_message(app):
    at = _upload(app, "broken.xlsx", b"\x00\x01 not a workbook")
    assert any("上传失败" in e.value for e in at.error)
    at.sidebar.radio(key="lang").set_value("en")
    run(at)
    assert any("The upload failed" in e.value for e in at.error)


def test_population_uploads_that_cannot_be_read_give_the_readers_message(app):
    # a CSV is no GeoTIFF: rasterio's complaint, through LayerReadError
    at = _upload(app, "人口.csv", _csv([{"乡镇代码": "140105001", "常住人口": 52000}]), kind="population_grid")
    errors = [e.value for e in at.tabs[1].error]
    assert len(errors) == 1 and errors[0].startswith("上传失败，应用继续使用原有数据：无法读取文件 人口.csv：文件内容无法解析"), errors
    # a table without a township column
    at = _upload(at, "普查.csv", _csv([{"地区": "甲", "常住人口": 1}]), kind="population_table")
    errors = [e.value for e in at.tabs[1].error]
    assert len(errors) == 1 and "普查.csv" in errors[0] and "乡镇代码" in errors[0], errors
    # (choosing the table kind re-read the file still in the uploader, 人口.csv, as a census table)
    assert [i.value.split("：")[0] for i in at.tabs[1].info] == ["人口.csv（居民点）"]
    at.sidebar.radio(key="lang").set_value("en")
    run(at)
    assert at.tabs[1].error[0].value.startswith("The upload failed; the app keeps its current data: ")
    assert "普查.csv" in at.tabs[1].error[0].value


def test_a_census_table_replaces_an_uploaded_residential_layer(app):
    res = [{"编号": "R1", "名称": "甲社区", "人口": 1000, "经度": 112.5647, "纬度": 37.8135}]
    _upload(app, "res.csv", _csv(res), kind="residential")
    assert [i.value.split("：")[0] for i in app.tabs[1].info] == ["res.csv（居民点）"]
    _upload(app, "普查.csv", _csv([{"乡镇代码": "140105001", "常住人口": 52000}]), kind="population_table")
    own = app.session_state["own"]
    assert list(own) == ["residential"] and own["residential"]["choice"] == "population_table"
    assert [i.value.split("：")[0] for i in app.tabs[1].info] == ["普查.csv（居民点）"]
    app.sidebar.radio(key="source@zh").set_value("own")
    run(app)
    layer = app.session_state["_workspace"].layers["residential"]
    assert list(layer["id"]) == ["140105001"] and int(layer["population"].sum()) == 52000
    # no township polygons: the township sits at its county's point, listed and not drawn
    assert list(app.session_state["_workspace"].off_map("county", XIAODIAN)["id"]) == ["140105001"]
    assert app.session_state["_workspace"].points("residential", "county", XIAODIAN) is None


def test_upload_size_limit_is_configured():
    config = (Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert re.search(r"^maxUploadSize\s*=\s*\d+", config, re.M)
    assert re.search(r"^enableStaticServing\s*=\s*true", config, re.M)


def test_repository_config_and_packaged_launch_agree():
    """``streamlit run app.py`` (repository config) and ``sxgeo app`` (wheel) start the server the same way."""
    import tomllib

    from sxgeo.app.launch import OPTIONS

    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    flat = {f"{section}.{key}": str(value).lower() for section, values in config.items() for key, value in values.items()}
    assert flat == OPTIONS
    assert OPTIONS["server.fileWatcherType"] == "none"  # no per-session polling of the app's modules


# --- scenario --------------------------------------------------------------------------------


def test_scenario_upload_shows_every_target_before_and_after(app, demo_workspace):
    to_county(app, "140931", "140900")
    gap = demo_workspace.gap_list("kindergarten", "county", "140931").iloc[0]  # a township without one
    record = {"编号": "N1", "名称": "规划园", "性质": "公办", "乡镇代码": gap["unit_code"], "学位数": 270,
              "经度": round(gap.geometry.x, 6), "纬度": round(gap.geometry.y, 6)}
    planned = _csv([record])
    scen = app.tabs[2]
    app.selectbox(key="planned_kind@zh").set_value("kindergartens")  # beside the map
    run(app)
    app.tabs[2].file_uploader(key="planned_file").set_value(("规划.csv", planned, "text/csv"))
    run(app)
    scen = app.tabs[2]
    assert any("载入 1 行" in s.value for s in scen.success)
    table = scen.table[0].value
    assert list(table.columns) == ["规划前", "规划后"]
    assert len(table) == len(_targets(app))
    assert table.loc["乡镇至少有一所公办幼儿园", "规划前"] != table.loc["乡镇至少有一所公办幼儿园", "规划后"]
    # how much of the seat shortfall the planned kindergarten closes, as the core computes it
    target = next(tg for tg in demo_workspace.analysis.targets if tg.id == "kg_seats_within_reach")
    site = load_layer(pd.DataFrame([record]), "kindergartens").layer
    want = shortfall_closed(demo_workspace.layers, site, "kindergartens", float(target.threshold),
                            **measure_params(target.params))
    closed = next(d.value for d in scen.dataframe if "弥补的缺口" in d.value.columns)
    assert closed["编号"].tolist() == ["N1", "全部规划设施"]
    assert closed["弥补的缺口"].tolist() == pytest.approx(want["closed"].round(1).tolist())
    assert want["closed"].iat[0] > 0  # a public kindergarten where there was none closes part of the shortfall
    assert any(f"合计缺口 {want.attrs['shortfall_before']:,.0f}" in c.value for c in scen.caption)
    scen.button(key="planned_clear").click()
    run(app)
    assert any("尚未添加规划设施" in i.value for i in app.tabs[2].info)


# --- maps: offline, legend, popups, geometry sent --------------------------------------------


def _html(m) -> str:
    return m.get_root().render()


def test_maps_use_only_the_served_leaflet(demo_workspace):
    ws = demo_workspace
    m = maps.base_map(ws.bbox("county", XIAODIAN))
    outlines, labels = ws.reference("county", XIAODIAN)
    maps.add_reference(m, outlines, labels)
    tg = ws.map_targets().set_index("target_id").loc["fitness_15min"]
    maps.add_choropleth(m, ws.choropleth_units("county", XIAODIAN, "fitness_15min"),
                        maps.Indicator("15 分钟健身圈", tg["threshold"], tg["comparator"], tg["unit"]), highlight_code=XIAODIAN)
    cov = ws.coverage("county", XIAODIAN)
    maps.add_coverage(m, *cov)
    for kind in ("kindergartens", "elderly_care", "fitness", "residential"):
        maps.add_points(m, ws.points(kind, "county", XIAODIAN), kind)
    maps.finish(m)
    html = _html(m)
    urls = set(re.findall(r"""(?:src|href)=["']([^"']+)""", html))
    assert urls == {"/app/static/vendor/leaflet.js", "/app/static/vendor/leaflet.css"}, urls
    for cdn in ("jsdelivr", "cloudflare", "bootstrap", "font-awesome", "fontawesome", "jquery", "d3js"):
        assert cdn not in html.lower()
    # a legend section per layer, a scale bar, distinct icons and popups with the attributes
    for title in ("图例", "15 分钟健身圈", "15 分钟步行覆盖范围", "未覆盖的居民点", "幼儿园", "养老服务设施", "健身设施", "居民点"):
        assert title in html or json.dumps(title)[1:-1] in html, title
    assert '"controlScale": true' in html or "L.control.scale" in html
    drawn = [maps.ICON_STYLES[k] for k in ("kindergartens", "elderly_care", "fitness", "residential", "uncovered")]
    assert len({shape for shape, _ in drawn}) == len(drawn)  # a distinct icon for each kind
    for _shape, colour in drawn:
        assert colour in html
    for field in ("性质", "床位数", "护理型床位数", "乡镇名称"):  # popup fields in Chinese
        assert json.dumps(field)[1:-1] in html, field


def test_county_view_sends_one_detailed_county_and_no_province_detail(demo_workspace):
    ws = demo_workspace
    units = ws.choropleth_units("county", XIAODIAN, "gross_enrolment")
    assert set(units["unit_code"]) == set(boundaries.load_counties().query("city_code == @TAIYUAN")["adcode"])
    full = boundaries.load_counties().set_index("adcode").geometry
    sent = units.set_index("unit_code").geometry.map(lambda g: len(g.exterior.coords) if g.geom_type == "Polygon" else sum(len(p.exterior.coords) for p in g.geoms))
    detail = full.map(lambda g: len(g.exterior.coords) if g.geom_type == "Polygon" else sum(len(p.exterior.coords) for p in g.geoms))
    assert sent[XIAODIAN] >= 0.9 * detail[XIAODIAN]  # the chosen county in full detail
    others = sent.drop(XIAODIAN)
    assert (others < detail[others.index]).all()  # its neighbours simplified
    province = ws.choropleth_units("province", None, "gross_enrolment")
    assert len(province) == 117
    assert province.geometry.count_coordinates().sum() < 0.3 * full.count_coordinates().sum()
    assert ws.points("kindergartens", "province", None) is None  # no points for the whole province


def test_offline_assets_are_extracted_from_the_registry_package(tmp_path):
    folder = assets.ensure_assets(tmp_path / "vendor")
    js = (folder / "leaflet.js").read_text(encoding="utf-8")
    assert "Leaflet" in js and len(js) > 100_000
    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    assert ".leaflet-container" in css and "url(images/" not in css
    manifest = (folder / "manifest.json").read_text(encoding="utf-8")
    assert "folium-offline" in manifest
    (folder / "leaflet.js").write_text("tampered", encoding="utf-8")
    assets.ensure_assets(folder)  # a changed file is restored
    assert "Leaflet" in (folder / "leaflet.js").read_text(encoding="utf-8")


def test_online_basemaps_are_options_and_need_a_key_for_tianditu():
    bounds = (112.4, 37.6, 112.7, 37.9)
    html = _html(maps.base_map(bounds, basemap="tianditu", tianditu_key="KEY123"))
    assert "tianditu.gov.cn/vec_w/wmts" in html and "tk=KEY123" in html and "cva_w" in html
    assert "tile.openstreetmap.org" in _html(maps.base_map(bounds, basemap="osm"))
    assert "L.tileLayer" not in _html(maps.base_map(bounds))  # offline default: no tiles at all
    with pytest.raises(ValueError):
        maps.base_map(bounds, basemap="tianditu")
    with pytest.raises(ValueError):
        maps.base_map(bounds, basemap="amap")  # GCJ-02 shifted tiles are not offered


def test_classes_read_against_the_threshold():
    colours, rows = maps.classify(pd.Series([0.50, 0.42, 0.36, 0.2, None]), maps.Indicator("护理型床位占比", 0.45, ">=", "share"))
    assert list(colours) == ["#1a9850", "#fee08b", "#fc8d59", "#d73027", "#d9d9d9"]
    assert rows[0][1] == "≥ 45.0%"
    assert fmt_value(0.912, "share") == "91.2%" and fmt_value(20, "count") == "20"


# --- township polygons and network mode ------------------------------------------------------


def _township_polygons_geojson(county: str = XIAODIAN) -> bytes:
    """Made-up township polygons for one county: Voronoi cells of each township's demo points."""
    import shapely

    res = load_demo(("residential",))["residential"].layer
    res = res[(res["county_code"] == county) & res["township_code"].notna()]
    anchors = res.groupby("township_code").agg(lon=("lon", "mean"), lat=("lat", "mean"), name=("township_name", "first"))
    shape = boundaries.load_counties().set_index("adcode").geometry[county]
    pts = gpd.GeoSeries(gpd.points_from_xy(anchors["lon"], anchors["lat"]), index=anchors.index, crs=4326)
    cells = gpd.GeoSeries(shapely.voronoi_polygons(shapely.MultiPoint(list(pts)), extend_to=shape).geoms, crs=4326)
    rows = []
    for code, pt in pts.items():
        cell = cells[cells.contains(pt)].iloc[0].intersection(shape)
        rows.append({"乡镇代码": code, "乡镇名称": anchors.at[code, "name"], "geometry": cell})
    return gpd.GeoDataFrame(rows, crs=4326).to_json().encode("utf-8")


def test_township_polygons_give_township_choropleths(app, demo_workspace, tmp_path):
    data = _township_polygons_geojson()
    _upload(app, "乡镇界线.geojson", data, kind="township_polygons")
    assert any("乡镇界线.geojson" in i.value for i in app.tabs[1].info)
    to_county(app)
    options = app.sidebar.selectbox(key="indicator@zh").options
    township_option = next(o for o in options if "乡镇：" in o)
    app.sidebar.selectbox(key="indicator@zh").set_value("kg_public_per_township")
    run(app)
    assert app.sidebar.selectbox(key="indicator@zh").value == "kg_public_per_township", township_option
    # what the map colours: the county's township polygons with their own values
    from sxgeo.io import load_township_polygons

    (tmp_path / "townships.geojson").write_bytes(data)
    polys = load_township_polygons(tmp_path / "townships.geojson").layer
    ws = Workspace(layers=demo_workspace.layers, bounds=demo_workspace.bounds, township_polygons=polys,
                   analysis=demo_workspace.analysis)
    units = ws.choropleth_units("county", XIAODIAN, "kg_public_per_township")
    assert set(units["unit_code"]) == set(polys["code"])
    ev = demo_workspace.evaluation
    scoped = ev[ev["target_id"] == "kg_public_per_township"].set_index("unit_code")["status"]
    for code, status in zip(units["unit_code"], units["status"]):
        assert status == scoped.get(code, "no_data")


def _walk_params(at: AppTest, quantity: str = "fitness_walk_share") -> dict:
    """The parameters of the travel analysis behind the app's current view."""
    return at.session_state["_workspace"].analysis.walk_result(quantity).params


def test_travel_mode_choice_switches_the_analysis_to_driving(app):
    radio = app.sidebar.radio(key="travel_mode@zh")
    assert radio.options == ["步行", "驾车"] and radio.value == "walk"
    assert _walk_params(app)["travel_mode"] == "walk"
    radio.set_value("drive")
    run(app)
    assert app.session_state["travel_mode"] == "drive"
    ws = app.session_state["_workspace"]
    assert ws.mode == "drive"
    for quantity in ("fitness_walk_share", "elderly_walk_share"):
        params = _walk_params(app, quantity)
        assert params["travel_mode"] == "drive" and "network_mode" not in params  # no OSM file: distance mode
    assert any("距离模式" in c.value and "驾车覆盖" in c.value for c in app.caption)
    assert any("设施点位和驾车覆盖范围" in c.value for c in app.caption)  # the province view's hint under the map
    assert not any("路网覆盖" in c.value for c in app.caption)  # no network, no network reach
    # the choice survives a language switch and is relabelled
    app.sidebar.radio(key="lang").set_value("en")
    run(app)
    assert app.sidebar.radio(key="travel_mode@en").value == "drive"
    assert app.sidebar.radio(key="travel_mode@en").options == ["Walk", "Drive"]
    assert any("driving coverage" in c.value for c in app.caption)
    # and back to walking: the walking analysis again (the mode is part of the workspace's cache key)
    app.sidebar.radio(key="travel_mode@en").set_value("walk")
    run(app)
    assert app.session_state["_workspace"].mode == "walk" and _walk_params(app)["travel_mode"] == "walk"
    assert app.session_state["_workspace"] is not ws


def test_a_network_outside_shanxi_is_reported_and_its_targets_read_no_network(monkeypatch, tmp_path):
    osm = Path(__file__).resolve().parents[1] / "data" / "helsinki_small.osm"  # Helsinki: reaches nothing in Shanxi
    monkeypatch.setenv("SXGEO_OSM_FILE", str(osm))
    monkeypatch.setenv("SXGEO_CACHE_DIR", str(tmp_path))
    at = run(AppTest.from_file(APP, default_timeout=TIMEOUT))
    warnings = [w.value for w in at.warning]
    assert any("路网位于山西省以外" in w for w in warnings), warnings  # the reader's note
    assert any("路网仅覆盖山西省的一部分" in w for w in warnings), warnings  # reach below the minimum share
    assert any(c.value.startswith("路网覆盖：山西省") and "0.0% 的设施" in c.value for c in at.caption)
    targets = _targets(at)
    for name in ("城市社区 15 分钟健身圈覆盖率", "社区养老服务设施步行覆盖率"):
        assert targets.loc[name, "状态"] == "路网未覆盖该区域", targets.loc[name]  # counties summarised: no share
    assert targets.loc["学前三年毛入园率", "状态"] in {"达标", "未达标"}  # targets without travel are judged as ever
    to_county(at)
    targets = _targets(at)
    for name in ("城市社区 15 分钟健身圈覆盖率", "社区养老服务设施步行覆盖率"):
        assert targets.loc[name, "状态"].startswith("路网未覆盖该区域（仅 0.0% "), targets.loc[name]
    assert any(c.value.startswith("路网覆盖：太原市小店区") for c in at.caption)
    # driving reads the file's drive network and analyses along it
    at.sidebar.radio(key="travel_mode@zh").set_value("drive")
    run(at)
    assert any("网络模式" in c.value and "驾车覆盖" in c.value for c in at.caption)
    params = _walk_params(at)
    assert params["travel_mode"] == "drive" and params["network_mode"] == "drive"
    assert any("路网位于山西省以外" in w.value for w in at.warning)
    assert _targets(at).loc["城市社区 15 分钟健身圈覆盖率", "状态"].startswith("路网未覆盖该区域")
    at.sidebar.radio(key="lang").set_value("en")
    run(at)
    status = _targets(at).loc["15-minute fitness circle coverage of urban communities", "Status"]
    assert status.startswith("network does not cover the area (only 0.0% ")
    assert any("lies outside Shanxi" in w.value for w in at.warning)


def test_no_network_status_has_its_own_colour_and_words():
    from sxgeo.app.panels import _BAR_COLOURS, _STATUS_COLOURS, status_colour
    from sxgeo.formatting import fmt_status as status_text

    statuses = ("met", "not_met", "no_data", "no_network", "not_applicable")
    assert len({status_colour(s) for s in statuses}) == len({_BAR_COLOURS[s] for s in statuses}) == 5
    assert set(_STATUS_COLOURS) == set(_BAR_COLOURS) == set(statuses)
    assert status_text("no_network", "zh") == "路网未覆盖该区域"
    assert status_text("no_network", "en", 0.123) == (
        "network does not cover the area (only 12.3% of its points and facilities are within reach of it)")
    assert status_text("no_network", "zh", float("nan")) == "路网未覆盖该区域"
    assert status_text("met", "zh", 0.5) == "达标"  # the share only qualifies "no network"


def test_network_mode_uses_the_configured_osm_file(monkeypatch, tmp_path):
    osm = Path(__file__).resolve().parents[1] / "data" / "helsinki_small.osm"
    monkeypatch.setenv("SXGEO_OSM_FILE", str(osm))
    monkeypatch.setenv("SXGEO_CACHE_DIR", str(tmp_path))
    at = run(AppTest.from_file(APP, default_timeout=TIMEOUT))
    assert any("网络模式" in c.value and "helsinki_small.osm" in c.value for c in at.caption)
    monkeypatch.setenv("SXGEO_OSM_FILE", str(tmp_path / "missing.osm.pbf"))
    at = run(AppTest.from_file(APP, default_timeout=TIMEOUT))
    assert any("无法读取 OSM 文件" in c.value and "距离模式" in c.value for c in at.caption)


def test_a_capacity_target_colours_the_residential_points_by_their_score(demo_workspace):
    ws = demo_workspace
    assert "kg_seats_within_reach" in set(ws.map_targets()["target_id"])  # a choropleth of the score per county
    scored = ws.capacity_points("county", XIAODIAN, "kg_seats_within_reach")
    result = ws.analysis.capacity_result("kindergartens")
    want = result.points[result.points["county_code"] == XIAODIAN]
    assert len(scored) == len(want) > 0
    assert scored["below"].tolist() == (want["score"] < 910).tolist()
    assert ws.capacity_points("county", XIAODIAN, "fitness_15min") is None  # not a capacity target
    m = maps.base_map(ws.bbox("county", XIAODIAN))
    maps.add_score_points(m, scored, 910.0)
    maps.finish(m)
    html = _html(m)
    n_below, n_above = int(scored["below"].sum()), int((~scored["below"]).sum())
    for label, n in (("低于目标的居民点", n_below), ("达到目标的居民点", n_above)):
        assert json.dumps(label)[1:-1] in html and json.dumps(f"（{n}）")[1:-1] in html
    assert html.count('"type": "Point"') == len(scored)  # every scored point drawn once
    assert maps.ICON_STYLES["score_below"][1] in html and maps.ICON_STYLES["score_above"][1] in html
    assert json.dumps("可达性得分")[1:-1] in html  # the score is in the popup
