"""The search box in a headless streamlit run (AppTest): type, see the matches, pick one, get it back once."""

from __future__ import annotations

import geopandas as gpd
import pytest
from app_steps import run
from streamlit.testing.v1 import AppTest

from sxgeo.app.data import Boundaries, Workspace
from sxgeo.app.search import SHOWN, workspace_index
from sxgeo.layers.search import SearchIndex
from sxgeo.text import t

TIMEOUT = 120


def _page():
    """The box on a page of its own, over the shipped counties and townships; the pick is kept in the session."""
    import streamlit as st

    from sxgeo.app.search import search_box
    from sxgeo.layers import boundaries
    from sxgeo.layers.search import SearchIndex

    @st.cache_resource
    def index():
        return SearchIndex.build(boundaries.load_counties(), boundaries.load_townships())

    picked = search_box(index(), st.session_state.get("test_lang", "zh"))
    st.session_state["picks"] = [*st.session_state.get("picks", []), picked]


def _session(lang: str = "zh") -> AppTest:
    at = AppTest.from_function(_page, default_timeout=TIMEOUT)
    at.session_state["test_lang"] = lang
    return run(at)


def test_the_box_returns_the_chosen_township_once(townships):
    beige = townships.loc[townships["name"] == "北格镇"].iloc[0]
    at = _session()
    assert at.text_input(key="search").label == t("app.search_label", "zh")
    assert not at.button  # nothing typed, nothing listed
    at.text_input(key="search").input("北格")
    run(at)
    assert at.button[0].label == "北格镇 · 小店区 · 太原市"
    assert at.session_state["picks"][-1] is None  # typing is not picking
    at.button[0].click()
    run(at)
    picked = at.session_state["picks"][-1]
    assert picked["kind"] == "township" and picked["code"] == beige["code"] and picked["name"] == "北格镇"
    assert picked["county_code"] == beige["county_code"] == "140105"
    assert picked["lon"] is None and picked["lat"] is None  # the shipped townships have no geometry
    run(at)
    assert at.session_state["picks"][-1] is None  # returned once, not on every rerun


def test_the_box_lists_a_few_matches_and_counts_the_rest(counties, townships):
    at = _session("en")
    at.text_input(key="search").input("区")
    run(at)
    total = counties["name"].str.contains("区").sum() + townships["name"].str.contains("区").sum()
    assert len(at.button) == SHOWN < total
    assert at.button[0].label == f"{counties['name'].iloc[0]} (county) · {counties['city_name'].iloc[0]}"
    assert [c.value for c in at.caption] == [t("app.search_more", "en", n=total - SHOWN)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_match_is_said_in_the_ui_language(lang):
    at = _session(lang)
    at.text_input(key="search").input("不存在的地方")
    run(at)
    assert not at.button
    assert [c.value for c in at.caption] == [t("app.search_none", lang, query="不存在的地方")]


def test_a_workspace_index_is_built_once_and_holds_its_layers():
    bounds = Boundaries.load()
    layer = gpd.GeoDataFrame({"id": ["K1"], "name": ["甲园"], "county_code": ["140105"]},
                             geometry=gpd.points_from_xy([112.56], [37.71]), crs="EPSG:4326")
    ws = Workspace(layers={"kindergartens": layer, "fitness": None}, bounds=bounds)
    index = workspace_index(ws)
    assert isinstance(index, SearchIndex) and workspace_index(ws) is index
    assert len(index) == len(bounds.counties) + len(bounds.townships) + 1
    hit = index.search("甲园").iloc[0]
    assert (hit["kind"], hit["code"], hit["county_name"]) == ("kindergartens", "K1", "小店区")
    other = Workspace(layers={}, bounds=bounds)
    assert workspace_index(other) is not index
