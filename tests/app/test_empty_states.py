"""The gap lists' three states in the app: no data (and which layer is missing), no gaps, or a table with downloads.

Run headless with streamlit's AppTest on the real demo data and on uploaded layers (no mocks of sxgeo); what each
section shows is checked against the core's gap lists and target statuses.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from app_steps import flat, run, to_county
from streamlit.testing.v1 import AppTest

from sxgeo.app.data import Boundaries, Workspace
from sxgeo.app.panels import gap_title, gap_view
from sxgeo.formatting import fmt_percent, plan_numbers
from sxgeo.io.demo import load_demo
from sxgeo.text import t

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 300
XIAODIAN, TAIYUAN = "140105", "140100"


def _sections(tab) -> dict[str, list]:
    """The gap-list tab cut at its "#### title" headings and "### " task headings: title -> the elements below it.

    A task heading starts a section too (its elements: none, the lists follow under their own titles).
    """
    out: dict[str, list] = {}
    current = None
    for el in flat(tab):
        if el.type == "markdown" and str(el.value).startswith(("### ", "#### ")):
            current = str(el.value).split(" ", 1)[1]
            out[current] = []
        elif current is not None:
            out[current].append(el)
    return out


def _kinds(elements) -> list[str]:
    return [el.type for el in elements]


def _texts(elements) -> list[str]:
    return [str(el.value) for el in elements if el.type in ("info", "success", "caption", "markdown", "warning")]


@pytest.fixture(scope="module")
def demo() -> Workspace:
    layers = {k: r.layer for k, r in load_demo().items()}
    return Workspace.build(layers, Boundaries.load())


def _title(ws: Workspace, name: str, lang: str = "zh") -> str:
    return gap_title(name, lang, plan_numbers(ws.analysis.targets), ws)


# --- demo data: a table with its downloads, and "no gaps" --------------------------------------


def test_demo_county_without_gaps_says_so_and_lists_show_count_table_then_downloads(demo):
    # a county whose fitness list is empty while its fitness target is judged (met), found from the core
    ev = demo.evaluation
    met = set(ev[(ev["target_id"] == "fitness_15min") & (ev["status"] == "met")]["unit_code"])
    county = next(c for c in demo.bounds.counties["adcode"]
                  if c in met and len(demo.gap_list("fitness", "county", c)) == 0)
    city = demo.bounds.county_city[county]
    area = demo.bounds.scope("county", county).name

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    run(at)
    # the province: the nursing list in percent, as the core's shares
    sections = _sections(at.tabs[0])
    nursing = sections[_title(demo, "nursing")]
    assert _kinds(nursing)[:2] == ["caption", "dataframe"]
    shown = nursing[1].value
    expected = demo.gap_list("nursing", "province", None)
    assert shown["数值"].tolist() == [fmt_percent(v) for v in expected["value"]]
    assert shown["目标值"].str.endswith("%").all()
    assert shown["数值"].str.fullmatch(r"\d+\.\d%").all()  # 37.3%, never 0.3728

    to_county(at, county, city)
    sections = _sections(at.tabs[0])
    names = demo.gap_names()
    lists = [title for title in sections if title in {_title(demo, n) for n in names}]
    assert sorted(lists) == sorted(_title(demo, n) for n in names)  # every list once
    assert list(sections)[-1] == t("app.off_map")
    fitness = sections[_title(demo, "fitness")]
    assert _kinds(fitness) == ["success"]  # no table, no "0 rows", no download button
    assert fitness[0].value == t("app.gaps_none", "zh", area=area)
    for name in names:
        elements = sections[_title(demo, name)]
        frame = demo.gap_list(name, "county", county)
        if len(frame):
            # count, the table, then the CSV / XLSX (/ GeoPackage) downloads in a row after it
            kinds = _kinds(elements)
            assert kinds[:2] == ["caption", "dataframe"] and set(kinds[2:]) == {"download_button"}, (name, kinds)
            assert elements[0].value == t("app.rows_n", "zh", n=len(frame))
            assert len(elements[1].value) == len(frame)
            assert [el.key for el in elements[2:4]] == [f"dl_{name}_csv", f"dl_{name}_xlsx"]
        else:
            assert _kinds(elements) in (["success"], ["info"]), (name, _kinds(elements))
        assert not any("共 0 行" in s for s in _texts(elements))
    # nothing of the page is in English: no "empty" placeholder, no "No results"
    assert all(len(el.value) for el in at.tabs[0].dataframe)


# --- own data: a list whose layers are missing says which ---------------------------------------


def _csv(rows: list[dict]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8-sig")


KINDERGARTENS = _csv([
    {"编号": "K1", "名称": "甲园", "性质": "公办", "在园幼儿数": 100, "经度": 112.5647, "纬度": 37.8135},
    {"编号": "K2", "名称": "乙园", "性质": "民办", "在园幼儿数": 50, "经度": 112.5900, "纬度": 37.7800},
])


def test_own_kindergartens_only_name_the_missing_residential_layer():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    run(at)
    at.tabs[1].selectbox(key="upload_kind@zh").set_value("kindergartens")
    at.tabs[1].selectbox(key="upload_crs@zh").set_value("wgs84")
    run(at)
    at.tabs[1].file_uploader(key="upload_file").set_value(("kg.csv", KINDERGARTENS, "text/csv"))
    run(at)
    at.sidebar.radio(key="source@zh").set_value("own")
    run(at)
    to_county(at, XIAODIAN, TAIYUAN)
    ws = at.session_state["_workspace"]
    assert list(k for k, v in ws.layers.items() if v is not None) == ["kindergartens"]
    # the targets panel has no data for the walking targets; the gap lists say why instead of "0 rows"
    targets = pd.concat([tb.value for tb in at.table if "目标值" in tb.value.columns])  # one table per plan task
    fitness_target = next(i for i in targets.index if "健身圈" in i)
    assert targets.loc[fitness_target, "状态"] == "无数据"
    sections = _sections(at.tabs[0])
    for name, missing in (("fitness", ("居民点", "健身设施")), ("elderly", ("居民点", "养老服务设施")),
                          ("kindergartens_capacity", ("居民点",)), ("nursing", ("养老服务设施",))):
        elements = sections[_title(ws, name)]
        assert _kinds(elements) == ["info"], (name, _kinds(elements))  # no table, no download button
        message = elements[0].value
        assert message.startswith("无数据") and all(f"「{m}」" in message for m in missing), message
        assert "共 0 行" not in message
    keys = {b.key for b in at.tabs[0].get("download_button")}
    assert not any(k.startswith(("dl_fitness", "dl_elderly", "dl_nursing", "dl_kindergartens_capacity")) for k in keys)
    # the kindergarten list is computed from the uploaded layer: rows and downloads, or "no gaps"
    kg = sections[t("gap.kindergarten")]
    frame = ws.gap_list("kindergarten", "county", XIAODIAN)
    assert _kinds(kg)[:2] == (["caption", "dataframe"] if len(frame) else ["success"])[:2]
    # in English, the same state in English words
    at.sidebar.radio(key="lang").set_value("en")
    run(at)
    sections = _sections(at.tabs[0])
    fitness = sections[_title(ws, "fitness", "en")]
    assert _kinds(fitness) == ["info"]
    assert fitness[0].value.startswith("No data") and "“Residential demand points”" in fitness[0].value


# --- the states themselves, from the core -----------------------------------------------------


def test_gap_view_states_follow_the_layers_and_the_core():
    demo = {k: r.layer for k, r in load_demo().items()}
    residential = demo["residential"]
    layers = {  # residential points of Taiyuan only, no elderly-care layer
        "residential": residential[residential["city_code"] == TAIYUAN],
        "kindergartens": demo["kindergartens"],
        "fitness": demo["fitness"],
    }
    ws = Workspace.build(layers, Boundaries.load())
    outside = "140931"  # 保德县, not in Taiyuan
    assert len(ws.gap_list("fitness", "county", outside)) == 0  # the core lists nothing there ...
    view = gap_view(ws, "fitness", "county", outside, "zh")
    assert view.state == "no_data" and "「居民点」" in view.message  # ... because it has no residential points
    for name in ("elderly", "nursing", "elderly_capacity"):
        view = gap_view(ws, name, "county", XIAODIAN, "zh")
        assert view.state == "no_data" and "「养老服务设施」" in view.message, (name, view)
    inside = gap_view(ws, "fitness", "county", XIAODIAN, "zh")
    frame = ws.gap_list("fitness", "county", XIAODIAN)
    assert inside.state == ("rows" if len(frame) else "none")
    if len(frame):
        assert inside.frame["id"].tolist() == frame["id"].tolist()
    kg = ws.gap_list("kindergarten", "county", outside)
    assert gap_view(ws, "kindergarten", "county", outside, "zh").state == ("rows" if len(kg) else "none")
