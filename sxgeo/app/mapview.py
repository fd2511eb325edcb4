"""The map: the chosen indicator by area, walking coverage, facilities, planned sites; clicks select or add."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from sxgeo.app.data import Workspace
from sxgeo.app.scenarios import add_planned_record
from sxgeo.app.state import leaflet_css
from sxgeo.layers.kinds import KINDS
from sxgeo.outputs import webmap as maps
from sxgeo.text import choose, t

#: Point layers drawn on the map, bottom to top.
POINT_KINDS = ("kindergartens", "elderly_care", "fitness", "minor_protection", "residential")


def build_map(ws: Workspace, level: str, code: str | None, indicator: dict | None, lang: str,
              basemap: str, tk: str | None, planned: dict[str, gpd.GeoDataFrame], minutes: float):
    """The folium map of an area; ``minutes`` is the walking time of the coverage drawn."""
    m = maps.base_map(ws.bbox(level, code), lang=lang, basemap=basemap, tianditu_key=tk, leaflet_css=leaflet_css())
    outlines, labels = ws.reference(level, code)
    maps.add_reference(m, outlines, labels, lang=lang)
    if indicator is not None:
        units = ws.choropleth_units(level, code, indicator["target_id"])
        ind = maps.Indicator(label=str(choose({"zh": indicator["target_zh"], "en": indicator["target_en"]}, lang)),
                             threshold=float(indicator["threshold"]), comparator=str(indicator["comparator"]),
                             unit=str(indicator["unit"]))
        maps.add_choropleth(m, units, ind, lang=lang, unit_level=str(indicator["level"]),
                            highlight_code=code if level == "county" else None)
    cov = ws.coverage(level, code)
    if cov is not None:
        maps.add_coverage(m, cov[0], cov[1], lang=lang, threshold_min=minutes)
    scored = ws.capacity_points(level, code, indicator["target_id"]) if indicator is not None else None
    for kind in POINT_KINDS:
        if kind == "residential" and (level != "county" or scored is not None):
            continue  # demand points only per county (a city has thousands), and once
        maps.add_points(m, None, kind, lang=lang, collection=ws.point_collection(kind, level, code, lang))
    if scored is not None:
        maps.add_score_points(m, scored, float(indicator["threshold"]), lang=lang)
    for kind, frame in planned.items():
        name = t("app.planned_layer", lang, list=t("app.planned_list", lang), kind=KINDS[kind].label(lang))
        maps.add_points(m, frame, kind, lang=lang, name=name, style_key="planned")
    return maps.finish(m, lang=lang)


def handle_click(event: dict | None, mode: str, ws: Workspace, lang: str, area: tuple) -> None:
    """Turn a map click into a county selection or a planned facility.

    The component keeps reporting its last click until the map changes, so
    each click is acted on once: its token holds the map's area (and, for
    planned facilities, how many there are), which change with the map.
    """
    if not event:
        return
    if mode == "select":
        feature = event.get("last_active_drawing") or {}
        props = feature.get("properties") or {}
        code = props.get("sx_code")
        if props.get("sx_level") == "township" and code:
            code = str(code)[:6]
        if not code or code not in ws.bounds.county_city:
            return
        token = ("select", area, code)
        if st.session_state.get("_last_click") == token:
            return
        st.session_state["_last_click"] = token
        if not (st.session_state.get("level") == "county" and st.session_state.get("county") == code):
            st.session_state["_pending_area"] = ("county", ws.bounds.county_city[code], code)
            st.rerun()
    else:
        # a click on an area or a point reports last_object_clicked; on empty map, last_clicked
        click = event.get("last_object_clicked") or event.get("last_clicked")
        if not click:
            return
        token = ("add", area, len(st.session_state.get("planned", [])), round(click["lat"], 7), round(click["lng"], 7))
        if st.session_state.get("_last_click") == token:
            return
        st.session_state["_last_click"] = token
        add_planned_record(click["lng"], click["lat"], lang)
        st.rerun()
