"""The map: the chosen indicator by area, walking coverage, facilities, planned sites; clicks select or add."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from sxgeo.app.data import COUNTY_ONLY_KINDS, ScenarioCoverage, Workspace
from sxgeo.app.scenarios import add_planned_record
from sxgeo.app.state import leaflet_css
from sxgeo.layers.kinds import KINDS
from sxgeo.outputs import webmap as maps
from sxgeo.outputs import webmap_focus as focus_maps
from sxgeo.settings import LONLAT_CRS
from sxgeo.text import choose, t

#: Point layers drawn on the map, bottom to top (a kind without a layer is left out).
POINT_KINDS = ("kindergartens", "elderly_care", "fitness", "minor_protection", "child_welfare", "special_education",
               "culture", "primary_care", "hospitals", "residential")
#: The map frame's size (px) the server-side zoom assumes (the browser then fits the area to the real frame).
MAP_FRAME = (1060, 620)


def build_map(ws: Workspace, level: str, code: str | None, indicator: dict | None, lang: str,
              basemap: str, tk: str | None, planned: dict[str, gpd.GeoDataFrame], minutes: float,
              gain: ScenarioCoverage | None = None, focus: Focus | None = None):
    """The folium map of an area, fitted to it (or to a searched place); ``minutes`` is the walking time drawn.

    ``gain`` is what the planned facilities add to the walking coverage, ``focus`` a searched place to highlight.
    """
    bbox = focus.bbox if focus is not None and focus.bbox is not None else ws.bbox(level, code)
    m = maps.base_map(bbox, lang=lang, basemap=basemap, tianditu_key=tk, leaflet_css=leaflet_css(),
                      size=MAP_FRAME)
    focus_maps.fit_bounds(m, bbox)
    outlines, labels = ws.reference(level, code)
    maps.add_reference(m, outlines, labels, lang=lang)
    if indicator is not None:
        units = ws.choropleth_units(level, code, indicator["target_id"])
        ind = maps.Indicator(label=str(choose({"zh": indicator["target_zh"], "en": indicator["target_en"]}, lang)),
                             threshold=float(indicator["threshold"]), comparator=str(indicator["comparator"]),
                             unit=str(indicator["unit"]))
        maps.add_choropleth(m, units, ind, lang=lang, unit_level=str(indicator["level"]),
                            highlight_code=code if level == "county" else None)
    quantity = ws.coverage_quantity(indicator["target_id"] if indicator is not None else None)
    cov = ws.coverage(level, code, quantity)
    if cov is not None:
        # a medical or hospital indicator shows its own uncovered residents (its catchments are not drawn)
        own = quantity != "fitness_walk_share"
        label = t("map.uncovered_of", lang, target=choose({"zh": indicator["target_zh"], "en": indicator["target_en"]},
                                                           lang)) if own else None
        maps.add_coverage(m, cov[0], cov[1], lang=lang, threshold_min=minutes, uncovered_label=label)
    scored = ws.capacity_points(level, code, indicator["target_id"]) if indicator is not None else None
    for kind in POINT_KINDS:
        if kind in COUNTY_ONLY_KINDS and level != "county" or kind == "residential" and scored is not None:
            continue  # demand points and village clinics only per county (a city has thousands); demand points once
        maps.add_points(m, None, kind, lang=lang, collection=ws.point_collection(kind, level, code, lang))
    if scored is not None:
        maps.add_score_points(m, scored, float(indicator["threshold"]), lang=lang)
    if gain is not None:
        focus_maps.add_new_coverage(m, gain.new_area, gain.newly_covered, lang=lang)
    for kind, frame in planned.items():
        name = t("app.planned_layer", lang, list=t("app.planned_list", lang), kind=KINDS[kind].label(lang))
        maps.add_points(m, frame, kind, lang=lang, name=name, style_key="planned")
    if focus is not None:
        focus_maps.add_focus_points(m, focus.points, focus.label, outline=focus.outline)
    return maps.finish(m, lang=lang)


@dataclass(frozen=True)
class Focus:
    """A searched place on the map: its points (facilities, residential points), outline and bounds."""

    label: str
    points: gpd.GeoDataFrame | None
    outline: object | None
    bbox: tuple[float, float, float, float] | None


def go_to(hit: dict | None, ws: Workspace) -> None:
    """Select the county of a search result and remember the result as the map's focus."""
    if hit is None:
        return
    county = str(hit.get("county_code") or "")
    if county not in ws.bounds.county_city:
        return
    st.session_state["_focus"] = {**hit, "county_code": county}
    st.session_state["_pending_area"] = ("county", ws.bounds.county_city[county], county)
    st.rerun()


def focus_for(ws: Workspace, level: str, code: str | None, lang: str) -> Focus | None:
    """The searched place to highlight, while its county is shown (None otherwise)."""
    hit = st.session_state.get("_focus")
    if not hit or level != "county" or hit.get("county_code") != code:
        st.session_state.pop("_focus", None)
        return None
    kind, key = hit["kind"], str(hit["code"])
    label = t("app.search_focus", lang, name=hit["name"])
    if kind == "county":
        return None
    if kind == "township":
        frames = [p[p["township_code"].astype(str) == key] for k in (*POINT_KINDS,)
                  if (p := ws.points(k, "county", code)) is not None and "township_code" in p]
        outline = None
        polys = ws.township_polygons
        if polys is not None and "code" in polys:
            sel = polys[polys["code"].astype(str) == key]
            outline = sel.geometry.union_all() if len(sel) else None
    else:
        layer = ws.points(kind, "county", code)
        frames = [layer[layer["id"].astype(str) == key]] if layer is not None else []
        outline = None
    frames = [f for f in frames if len(f)]
    points = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=LONLAT_CRS) if frames else None
    return Focus(label=label, points=points, outline=outline, bbox=_focus_bbox(points, outline))


def _focus_bbox(points, outline) -> tuple[float, float, float, float] | None:
    """Bounds around the focus, at least about 1.5 km wide so that a single facility shows its streets."""
    shapes = [g for g in ([outline] if outline is not None else []) + (list(points.geometry) if points is not None else [])
              if g is not None and not g.is_empty]
    if not shapes:
        return None
    minx, miny, maxx, maxy = shapely.GeometryCollection(shapes).bounds
    pad = 0.008
    return (min(minx, (minx + maxx) / 2 - pad), min(miny, (miny + maxy) / 2 - pad),
            max(maxx, (minx + maxx) / 2 + pad), max(maxy, (miny + maxy) / 2 + pad))


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
