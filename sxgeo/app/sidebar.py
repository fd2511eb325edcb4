"""The sidebar: language, workspace, data source, area (province, city or county), travel mode, map indicator and basemap."""

from __future__ import annotations

import os

import streamlit as st

from sxgeo.app.data import Boundaries, Workspace
from sxgeo.app.state import ENV_TIANDITU, choice
from sxgeo.app.workspaces import workspace_panel
from sxgeo.outputs import webmap as maps
from sxgeo.settings import TRAVEL_MODES
from sxgeo.text import LANG_NAMES, LANGS, choose, t


def sidebar(b: Boundaries) -> tuple[str, str, str, str | None]:
    """Draw the sidebar's first part (language, workspace, data, area); return (language, data source, level, area code)."""
    sb = st.sidebar
    # the label names both languages, so it never changes (a changed label would reset the widget)
    lang = sb.radio(t("app.language"), list(LANGS), key="lang", horizontal=True, format_func=LANG_NAMES.__getitem__)
    workspace_panel(lang)
    source = choice(sb, "radio", t("app.data_source", lang), ["demo", "own"], "source", lambda k: t(f"app.src_{k}", lang))
    level = choice(sb, "radio", t("app.area", lang), ["province", "city", "county"], "level", lambda k: t(f"app.{k}", lang),
                   horizontal=True)
    code = None
    if level != "province":
        cities = b.counties.drop_duplicates("city_code").set_index("city_code")["city_name"].sort_index()
        city = choice(sb, "selectbox", t("app.city", lang), list(cities.index), "city", lambda c: f"{cities[c]} {c}")
        code = city
        if level == "county":
            inside = b.counties[b.counties["city_code"] == city].set_index("adcode")["name"].sort_index()
            code = choice(sb, "selectbox", t("app.county", lang), list(inside.index), "county", lambda c: f"{inside[c]} {c}")
    return lang, source, level, code


def travel_mode_choice(lang: str) -> str:
    """The travel mode of the travel targets, ``walk`` or ``drive`` (kept in ``st.session_state["travel_mode"]``)."""
    return choice(st.sidebar, "radio", t("app.travel_mode", lang), list(TRAVEL_MODES), "travel_mode",
                  lambda k: t(f"app.travel_{k}", lang), horizontal=True)


def indicator_choice(ws: Workspace, lang: str) -> dict | None:
    """The target whose values colour the map, or None when there is none.

    Listed by plan task (the task's number first), then as county or township target.
    """
    options = ws.map_targets()
    if options.empty:
        return None
    info = options.set_index("target_id")

    def label(tid: str) -> str:
        task = info.at[tid, "task"]
        prefix = t("app.task_prefix", lang, task=task) if task else ""
        prefix += t("app.township_prefix" if info.at[tid, "level"] == "township" else "app.county_prefix", lang)
        return prefix + str(choose({"zh": info.at[tid, "target_zh"], "en": info.at[tid, "target_en"]}, lang))

    tid = choice(st.sidebar, "selectbox", t("app.indicator", lang), list(options["target_id"]), "indicator", label)
    return {"target_id": tid, **info.loc[tid].to_dict()}


def basemap_choice(lang: str) -> tuple[str, str | None]:
    """The basemap and, for Tianditu, the user's key; without a key the map has no tiles."""
    sb = st.sidebar
    basemap = choice(sb, "selectbox", t("app.basemap", lang), list(maps.BASEMAPS), "basemap",
                     lambda k: t(f"map.basemap.{k}", lang))
    key = None
    if basemap == "tianditu":
        key = sb.text_input(t("app.tianditu_key", lang), value=os.environ.get(ENV_TIANDITU, ""), type="password", key="tk")
        if not key:
            sb.info(t("app.tianditu_missing", lang))
            basemap = "none"
    sb.caption(t("app.basemap_note", lang))
    return basemap, key
