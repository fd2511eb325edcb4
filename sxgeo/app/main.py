"""The planner's map app (``streamlit run app.py``): optional login, sidebar with workspaces, notices, map, targets, tabs."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from sxgeo.app import state, urlstate, workspaces
from sxgeo.app.login import logged_in
from sxgeo.app.mapview import build_map, focus_for, go_to, handle_click
from sxgeo.app.panels import gap_lists, targets_panel
from sxgeo.app.printview import map_downloads
from sxgeo.app.scenarios import planned_kind_choice, planned_layers, planned_summary, scenario_inputs, scenario_results
from sxgeo.app.search import search_box
from sxgeo.app.sidebar import basemap_choice, indicator_choice, sidebar, travel_mode_choice
from sxgeo.app.style import page_style
from sxgeo.app.uploads import own_data
from sxgeo.errors import SxgeoError
from sxgeo.formatting import fmt_count, fmt_percent
from sxgeo.settings import NETWORK_MIN_SHARE
from sxgeo.text import t

MAP_HEIGHT = 620
#: The sidebar's width (px): narrow, so that the map takes most of the window (at 1400 px, over 65 %).
SIDEBAR_WIDTH = 280


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


def _toolbar(lang: str, planned: dict) -> str:
    """The scenario controls beside the map: what a click does, the kind it plans, how many are planned."""
    c1, c2, c3 = st.columns([2, 2, 3], vertical_alignment="bottom")
    with c1:
        mode = state.choice(st, "radio", t("app.click_mode", lang), ["select", "add"], "click_mode",
                            lambda k: t(f"app.click_{k}", lang), horizontal=True)
    with c2:
        planned_kind_choice(lang)
    with c3:
        planned_summary(planned, lang)
    return mode


def _map(ws, level: str, code: str | None, lang: str, indicator: dict | None, basemap: tuple[str, str | None],
         planned: dict, plan: dict) -> None:
    """The map with its click mode; a click selects a county or adds a planned facility."""
    mode = _toolbar(lang, planned)
    err = state.asset_error()
    if err:
        st.error(t("app.assets_missing", lang, err=err.message(lang) if isinstance(err, SxgeoError) else err))
    gain = ws.scenario_coverage(planned, state.planned_key(planned), level, code) if planned else None
    m = build_map(ws, level, code, indicator, lang, *basemap, planned, minutes=plan["minutes"], gain=gain,
                  focus=focus_for(ws, level, code, lang))
    # render=False: st_folium renders the map itself once more; one render is enough.
    # One component per click mode and area: streamlit-folium reads returned_objects only when the map mounts,
    # and a new area's map must not report the click made on the previous one.
    key = f"map_{mode}_{level}_{code}"
    if st.session_state.get("_map_key") != key:
        st.session_state["_map_key"] = key
        st.session_state.pop("_last_click", None)
    event = st_folium(m, key=key, height=MAP_HEIGHT, use_container_width=True, render=False,
                      returned_objects=["last_active_drawing"] if mode == "select" else ["last_clicked", "last_object_clicked"])
    if gain is not None:
        st.markdown(t("app.new_coverage", lang, points=gain.points, population=fmt_count(gain.population)))
    if level != "county":
        st.caption(t("app.province_points" if level == "province" else "app.city_points", lang,
                     mode=t(f"net.mode_{ws.mode}", lang)))
    handle_click(event, mode, ws, lang, (level, code))


def _url_notices(lang: str) -> None:
    """Say which parts of the address were not understood (the province view is shown instead)."""
    bad = urlstate.notices()
    if bad:
        st.warning(t("app.url_invalid", lang, params="、".join(f"{k}={v}" for k, v in bad)))


def main() -> None:
    """Draw the page."""
    st.set_page_config(page_title=t("app.page_title"), layout="wide", initial_sidebar_state=SIDEBAR_WIDTH)
    page_style(state.lang())
    workspaces.remember_address()
    if not logged_in(state.lang()):
        return
    workspaces.sync()
    urlstate.read_view(state.boundaries(), state.target_ids())
    state.apply_pending()
    lang, source, level, code = sidebar(state.boundaries())
    search_slot = st.sidebar.container()
    mode = travel_mode_choice(lang)
    st.title(t("app.title", lang))
    _url_notices(lang)
    st.session_state["_net"] = state.network_state(mode)
    ws, demo_in_use = state.current_workspace(source, mode)
    st.session_state["_workspace"] = ws  # the workspace of this run (read by the tests)
    with search_slot:
        go_to(search_box(ws, lang), ws)
    _notices(ws, level, code, demo_in_use, lang)
    plan = state.plan_numbers(ws)
    indicator = indicator_choice(ws, lang)
    workspaces.keep_view()
    basemap = basemap_choice(lang)
    planned = planned_layers()
    workspaces.keep_scenario(planned)
    names = [t(f"app.{k}", lang) for k in urlstate.TABS]
    # the address follows the view before the slow part of the run (a reload during the run finds it there)
    open_tab = st.session_state.get(f"tab@{lang}", names[urlstate.TABS.index(st.session_state.get("_url_tab", "gaps"))])
    tab = urlstate.TABS[names.index(open_tab)] if open_tab in names else urlstate.TABS[0]
    urlstate.write_view(level, code, indicator["target_id"] if indicator else None, lang, basemap[0], tab)

    _map(ws, level, code, lang, indicator, basemap, planned, plan)
    map_downloads(ws, level, code, indicator, lang, planned, plan["minutes"], demo_in_use)
    targets_panel(ws, level, code, lang)

    # the default stays the same all session (a changed default would make it a new widget, back on its first tab)
    tabs = st.tabs(names, key=f"tab@{lang}", on_change="rerun",
                   default=names[urlstate.TABS.index(st.session_state.get("_url_tab", urlstate.TABS[0]))])
    with tabs[0]:
        gap_lists(ws, level, code, lang, plan)
    with tabs[1]:
        own_data(lang)
    with tabs[2]:
        scenario_inputs(lang)
        scenario_results(ws, planned, level, code, lang)
    opened = next((k for k, tb in zip(urlstate.TABS, tabs) if getattr(tb, "open", False)), tab)
    if opened != tab:  # the first run of a session knows its tab only now
        urlstate.write_view(level, code, indicator["target_id"] if indicator else None, lang, basemap[0], opened)
