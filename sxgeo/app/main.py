"""The planner's map app (``streamlit run app.py``): optional login, sidebar with workspaces, notices, map, targets, tabs."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from sxgeo.app import state, workspaces
from sxgeo.app.login import logged_in
from sxgeo.app.mapview import build_map, handle_click
from sxgeo.app.panels import gap_lists, targets_panel
from sxgeo.app.scenarios import planned_layers, scenario_inputs, scenario_results
from sxgeo.app.sidebar import basemap_choice, indicator_choice, sidebar, travel_mode_choice
from sxgeo.app.style import page_style
from sxgeo.app.uploads import own_data
from sxgeo.errors import SxgeoError
from sxgeo.formatting import fmt_percent
from sxgeo.settings import NETWORK_MIN_SHARE
from sxgeo.text import t

MAP_HEIGHT = 600


def _network_notices(ws, level: str, code: str | None, lang: str) -> None:
    """In network mode: how much of the area the street network reaches, and what its reader noticed."""
    net = st.session_state["_net"][0]
    if net is None:
        return
    reach = ws.network_reach(level, code)
    if reach is not None:
        area = ws.bounds.scope(level, code).name
        st.caption(t("net.coverage", lang, area=area, points=fmt_percent(reach["points"]),
                     facilities=fmt_percent(reach["facilities"]), max_snap_m=reach["max_snap_m"]))
        if reach["points"] < NETWORK_MIN_SHARE or reach["facilities"] < NETWORK_MIN_SHARE:  # NaN: nothing to reach
            st.warning(t("net.coverage_low", lang, area=area, min_share=fmt_percent(NETWORK_MIN_SHARE, 0)))
    for key, params in net.notes:
        st.warning(t(key, lang, **params))


def _notices(ws, level: str, code: str | None, demo_in_use: bool, lang: str) -> None:
    """Which data is in use, how travel times are computed, how far the network reaches, what the analysis noticed."""
    if demo_in_use:
        st.warning(t("app.synthetic", lang))
    else:
        st.info(t("app.own_in_use" if any(k != state.POLYGONS for k in state.own()) else "app.own_empty", lang))
    st.caption(state.mode_caption(ws, lang))
    _network_notices(ws, level, code, lang)
    if ws.error is not None:
        st.error(t("app.analysis_failed", lang, err=f"{type(ws.error).__name__}: {ws.error}"))
    elif ws.analysis.warnings:
        with st.expander("⚠️ " + t("app.analysis_notes", lang)):
            for key, params in ws.analysis.warnings:
                st.write(t(key, lang, **params))


def _map(ws, level: str, code: str | None, lang: str, indicator: dict | None, basemap: tuple[str, str | None],
         planned: dict, plan: dict) -> None:
    """The map with its click mode; a click selects a county or adds a planned facility."""
    mode = state.choice(st, "radio", t("app.click_mode", lang), ["select", "add"], "click_mode",
                        lambda k: t(f"app.click_{k}", lang), horizontal=True)
    err = state.asset_error()
    if err:
        st.error(t("app.assets_missing", lang, err=err.message(lang) if isinstance(err, SxgeoError) else err))
    m = build_map(ws, level, code, indicator, lang, *basemap, planned, minutes=plan["minutes"])
    # render=False: st_folium renders the map itself once more; one render is enough
    # the key holds the click mode: streamlit-folium reads returned_objects only when the map mounts
    event = st_folium(m, key=f"map_{mode}", height=MAP_HEIGHT, use_container_width=True, render=False,
                      returned_objects=["last_active_drawing"] if mode == "select" else ["last_clicked", "last_object_clicked"])
    if level != "county":
        st.caption(t("app.province_points" if level == "province" else "app.city_points", lang,
                     mode=t(f"net.mode_{ws.mode}", lang)))
    handle_click(event, mode, ws, lang, (level, code))


def main() -> None:
    """Draw the page."""
    st.set_page_config(page_title=t("app.page_title"), layout="wide")
    page_style()
    workspaces.remember_address()
    if not logged_in(state.lang()):
        return
    workspaces.sync()
    state.apply_pending()
    lang, source, level, code = sidebar(state.boundaries())
    mode = travel_mode_choice(lang)
    st.title(t("app.title", lang))
    st.session_state["_net"] = state.network_state(mode)
    ws, demo_in_use = state.current_workspace(source, mode)
    st.session_state["_workspace"] = ws  # the workspace of this run (read by the tests)
    _notices(ws, level, code, demo_in_use, lang)
    plan = state.plan_numbers(ws)
    indicator = indicator_choice(ws, lang)
    workspaces.keep_view()
    basemap = basemap_choice(lang)
    planned = planned_layers()
    workspaces.keep_scenario(planned)

    col_map, col_panel = st.columns([5, 3], gap="medium")
    with col_map:
        _map(ws, level, code, lang, indicator, basemap, planned, plan)
    with col_panel:
        targets_panel(ws, level, code, lang)

    tab_gaps, tab_own, tab_scen = st.tabs([t("app.gaps", lang), t("app.own_data", lang), t("app.scenario", lang)])
    with tab_gaps:
        gap_lists(ws, level, code, lang, plan)
    with tab_own:
        own_data(lang)
    with tab_scen:
        scenario_inputs(lang)
        scenario_results(ws, planned, level, code, lang)
