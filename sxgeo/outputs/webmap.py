"""Folium maps of layers and analysis results: pure functions, no streamlit.

Used by the app (through streamlit-folium) and usable by reports.  Every map
works offline: Leaflet comes from the app's own static folder (see
:mod:`sxgeo.outputs.assets`), icons are inline SVG and legends plain HTML (see
:mod:`sxgeo.outputs.webmap_style`), so no element pulls jQuery, Bootstrap,
Font Awesome or d3 from a CDN.  The empty map and its basemaps (none by
default: boundaries and labels drawn from the bundled data are the reference
layer) are made in :mod:`sxgeo.outputs.webmap_base`.

Typical use::

    m = base_map(bounds, lang="zh")
    add_reference(m, cities, province, labels)
    add_choropleth(m, counties_with_values, indicator, lang="zh")
    add_points(m, kindergartens, "kindergartens", lang="zh")
    finish(m, lang="zh")
    html = m.get_root().render()
"""

from __future__ import annotations

import html
from typing import NamedTuple

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from sxgeo.formatting import fmt_threshold, fmt_value
from sxgeo.layers.geometry import located
from sxgeo.layers.kinds import KINDS
from sxgeo.outputs.webmap_base import BASEMAPS, add_basemap, base_map, zoom_for
from sxgeo.outputs.webmap_style import (
    CHOROPLETH_OPACITY,
    CHOROPLETH_OPACITY_UNDER_POINTS,
    CLASS_COLOURS,
    COVERAGE_COLOUR,
    HATCH_ID,
    ICON_GLYPHS,
    ICON_GROUPS,
    ICON_STYLES,
    NO_NETWORK_COLOUR,
    NOT_APPLICABLE_COLOUR,
    CoverageHatch,
    Indicator,
    Legend,
    PopupTable,
    classify,
    coverage_swatch,
    icon_group,
    icon_svg,
    legend_section,
    popup_props,
    swatch,
)
from sxgeo.text import labels as text_labels
from sxgeo.text import t

__all__ = [
    "BASEMAPS",
    "ICON_STYLES",
    "Indicator",
    "PointCollection",
    "add_basemap",
    "add_choropleth",
    "add_coverage",
    "add_points",
    "add_reference",
    "base_map",
    "point_collection",
    "add_score_points",
    "zoom_for",
    "classify",
    "finish",
    "icon_svg",
    "simplify_for_display",
]

# --- geometry for display --------------------------------------------------------------------


def _round(geoms: gpd.GeoSeries, decimals: int) -> gpd.GeoSeries:
    out = shapely.transform(geoms.to_numpy(), lambda c: np.round(c, decimals))
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs)


def simplify_for_display(frame: gpd.GeoDataFrame, tolerance: float, decimals: int = 5) -> gpd.GeoDataFrame:
    """Polygons simplified for drawing (shared borders stay shared) and rounded.

    ``tolerance`` is in degrees (0.003 ≈ 300 m); 0 only rounds.
    """
    out = frame.copy()
    geoms = out.geometry
    if tolerance > 0 and len(out):
        try:
            geoms = gpd.GeoSeries(shapely.coverage_simplify(geoms.to_numpy(), tolerance), index=geoms.index, crs=geoms.crs)
        except Exception:  # noqa: BLE001 - not a valid coverage (user polygons): plain simplify
            geoms = geoms.simplify(tolerance, preserve_topology=True)
    out[out.geometry.name] = _round(geoms, decimals)
    return out


# --- legend and layer switcher ---------------------------------------------------------------


def finish(m: folium.Map, *, lang: str = "zh", layer_control: bool = True) -> folium.Map:
    """Add the legend (every layer that was added) and the layer switcher, folded to its button."""
    if m._sx_legend:
        Legend(t("map.legend", lang), m._sx_legend).add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m


# --- layers ----------------------------------------------------------------------------------


def add_reference(
    m: folium.Map,
    outlines: list[tuple[gpd.GeoDataFrame, float]],
    labels: gpd.GeoDataFrame | None = None,
    *,
    lang: str = "zh",
) -> None:
    """The offline reference layer: boundary outlines and place labels.

    ``outlines`` are (polygons, line weight) pairs, drawn grey and not
    clickable; ``labels`` are points with a ``name`` column, drawn as
    permanent text labels.
    """
    group = folium.FeatureGroup(name=t("map.boundaries", lang), show=True)
    for frame, weight in outlines:
        if frame is None or not len(frame):
            continue
        folium.GeoJson(
            _collection(frame.geometry),
            style={"color": "#7f7f7f", "weight": weight, "fill": False},
            interactive=False,
            control=False,
        ).add_to(group)
    if labels is not None and len(labels):
        ok = labels.geometry.notna() & ~labels.geometry.is_empty
        pts = labels[ok]
        _Labels([[round(p.y, 5), round(p.x, 5), html.escape(str(n))] for n, p in zip(pts["name"], pts.geometry)]).add_to(group)
    group.add_to(m)


class _Labels(MacroElement):
    """Place names as non-interactive text markers (one element for all of them)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.items|tojson }}.forEach(function (d) {
            L.marker([d[0], d[1]], {
                icon: L.divIcon({className: "sx-label", html: d[2], iconSize: null}),
                interactive: false, keyboard: false
            }).addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self, items: list) -> None:
        super().__init__()
        self._name = "SxLabels"
        self.items = items


def _collection(geoms: gpd.GeoSeries, props: pd.DataFrame | None = None, decimals: int = 5) -> dict:
    """A GeoJSON FeatureCollection built directly (much faster than GeoDataFrame.__geo_interface__).

    Rows with a missing or empty geometry are left out; ``props`` must hold
    JSON-ready values (see :func:`~sxgeo.outputs.webmap_style.popup_props`).
    """
    geoms = gpd.GeoSeries(geoms).reset_index(drop=True)
    ok = (geoms.notna() & ~geoms.is_empty).to_numpy()
    records = props.reset_index(drop=True).to_dict("records") if props is not None else [{}] * len(geoms)
    features = []
    if len(geoms) and (geoms[ok].geom_type == "Point").all():
        xs, ys = np.round(geoms.x.to_numpy(), decimals), np.round(geoms.y.to_numpy(), decimals)
        for i in np.flatnonzero(ok):
            features.append({"type": "Feature", "properties": records[i],
                             "geometry": {"type": "Point", "coordinates": [float(xs[i]), float(ys[i])]}})
    else:
        rounded = _round(geoms[ok], decimals)
        for i, g in zip(np.flatnonzero(ok), rounded):
            features.append({"type": "Feature", "properties": records[i], "geometry": shapely.geometry.mapping(g)})
    return {"type": "FeatureCollection", "features": features}


def add_choropleth(
    m: folium.Map,
    units: gpd.GeoDataFrame,
    indicator: Indicator,
    *,
    lang: str = "zh",
    name: str | None = None,
    code_col: str = "unit_code",
    name_col: str = "unit_name",
    value_col: str = "value",
    status_col: str | None = "status",
    unit_level: str = "county",
    highlight_code: str | None = None,
) -> None:
    """Polygons coloured by an indicator, with hover tooltip, popup and legend.

    Each feature carries ``sx_level`` and ``sx_code`` so that a click on it can
    be read back (streamlit-folium's ``last_active_drawing``).  When point
    layers are drawn on the same map (a county), the fill is lighter, so that
    points, the covered area and the uncovered points stay readable on every
    class colour; the choice is made when the map is rendered.
    """
    statuses = units[status_col] if status_col and status_col in units else None
    colours, rows = classify(units[value_col], indicator, statuses)
    status_text = text_labels("val.status", lang)
    shown = {
        t("col.name", lang): units[name_col].astype(str).to_numpy(),
        t("map.code", lang): units[code_col].astype(str).to_numpy(),
        t("col.value", lang): [fmt_value(v, indicator.unit) for v in units[value_col]],
        t("col.threshold", lang): fmt_threshold(indicator.comparator, indicator.threshold, indicator.unit, lang)
        if indicator.threshold is not None
        else "—",
    }
    if status_col and status_col in units:
        shown[t("col.status", lang)] = units[status_col].map(status_text).fillna(status_text["no_data"]).to_numpy()
    short, keys, labels = _short_keys(pd.DataFrame(shown, index=units.index))
    props = pd.concat([pd.DataFrame({"sx_level": unit_level, "sx_code": units[code_col].astype(str).to_numpy(),
                                     "sx_colour": colours.to_numpy()}, index=units.index), short], axis=1)
    data = _collection(units.geometry, props)
    hl = str(highlight_code) if highlight_code is not None else None

    def style(feature):
        p = feature["properties"]
        selected = hl is not None and p["sx_code"] == hl
        under_points = getattr(m, "_sx_points", False)  # read at render time, after every layer was added
        return {
            "fillColor": p["sx_colour"],
            "fillOpacity": CHOROPLETH_OPACITY_UNDER_POINTS if under_points else CHOROPLETH_OPACITY,
            "color": "#222" if selected else "#555",
            "weight": 3 if selected else 0.8,
        }

    folium.GeoJson(
        data,
        name=name or indicator.label,
        style_function=style,
        highlight_function=lambda _f: {"weight": 2.5, "color": "#000", "fillOpacity": 0.8},
        tooltip=folium.GeoJsonTooltip(fields=[keys[0], keys[2]], labels=False, sticky=False),
        popup=PopupTable(keys, labels),
        zoom_on_click=False,
    ).add_to(m)
    rows = rows + [(CLASS_COLOURS[4], status_text["no_data"])]
    if statuses is not None and (statuses == "no_network").any():
        rows.append((NO_NETWORK_COLOUR, status_text["no_network"]))
    if statuses is not None and (statuses == "not_applicable").any():
        rows.append((NOT_APPLICABLE_COLOUR, status_text["not_applicable"]))
    title = name or indicator.label
    if indicator.threshold:
        rows[0] = (rows[0][0], t("map.legend_met", lang, label=rows[0][1]))
    legend_section(m, title, [(swatch(c), label) for c, label in rows])


#: Columns every point layer shares (listed after the kind's own ones in a popup).
_COMMON = [c.name for c in KINDS["residential"].columns if all(c.name in {x.name for x in k.columns} for k in KINDS.values())]
#: Columns a popup never shows (positions, codes and provenance).
_NOT_IN_POPUP = {"lon", "lat", "coord_system", "source", "township_code", "county_code"}


def _popup_columns(kind: str) -> list[str]:
    """A kind's popup rows: its name, its own columns, then where it is, its ID and the planned flag."""
    own = [c.name for c in KINDS[kind].columns if c.name not in _COMMON]
    common = ["address", "township_name", "county_name", "city_name", "id"]
    cols = ["name", *own, *common, *_COMMON, "planned"]
    return [c for c in dict.fromkeys(cols) if c not in _NOT_IN_POPUP]


class PointCollection(NamedTuple):
    """A point layer ready to draw: GeoJSON with short property keys, and per key its popup label and unit template."""

    data: dict
    keys: list[str]
    labels: list[str]
    units: list[str]


def point_collection(frame: gpd.GeoDataFrame, kind: str, lang: str = "zh") -> PointCollection:
    """A point layer as GeoJSON with readable popup properties (see :class:`PointCollection`).

    Separate from :func:`add_points` so that callers can cache it.  Values are
    text (see :func:`~sxgeo.outputs.webmap_style.popup_props`) under short keys (``p0``, ``p1``, ...);
    labels and units are sent once per layer, not once per feature.
    """
    frame = located(frame)  # rows without a real position are listed, not drawn
    props, keys, labels, units = popup_props(frame, _popup_columns(kind), lang, kind)
    if kind in ICON_GROUPS:  # which marker size each point gets (not a popup row)
        column = ICON_GROUPS[kind][0]
        values = frame[column] if column in frame else pd.Series(None, index=frame.index, dtype=object)
        props = props.assign(sx_group=icon_group(kind, values).to_numpy())
    return PointCollection(_collection(frame.geometry, props), keys, labels, units)


def _short_keys(props: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Properties under short keys (p0, p1, ...) with their labels as popup aliases.

    Labels are Chinese and folium escapes every non-ASCII character, so
    repeating them in every feature would multiply what the browser receives.
    """
    keys = [f"p{i}" for i in range(props.shape[1])]
    return props.set_axis(keys, axis=1), keys, [str(c) for c in props.columns]


def _icon_marker(svg: str, size: int, on_top: bool = False) -> folium.Marker:
    """The marker of a point layer: an inline SVG symbol of ``size`` pixels, centred on the point.

    ``on_top`` markers are drawn (and clicked) above every other marker at the same place.
    """
    return folium.Marker(
        icon=folium.DivIcon(html=svg, icon_size=(size, size), icon_anchor=(size // 2, size // 2), class_name="sx-icon"),
        **({"z_index_offset": 1000} if on_top else {}),
    )


def add_points(
    m: folium.Map,
    frame: gpd.GeoDataFrame | None,
    kind: str,
    *,
    lang: str = "zh",
    name: str | None = None,
    show: bool = True,
    style_key: str | None = None,
    legend_label: str | None = None,
    collection: PointCollection | None = None,
) -> None:
    """A facility (or demand) layer with the kind's own icon and a popup of its attributes.

    ``collection`` is a cached :func:`point_collection` of ``frame``.
    """
    if collection is None:
        if frame is None or not len(frame):
            return
        collection = point_collection(frame, kind, lang)
    data, keys, labels, units = collection
    if not data["features"]:
        return
    m._sx_points = True
    shape, colour = ICON_STYLES[style_key or kind]
    glyph = ICON_GLYPHS.get(kind) if style_key is None else None
    size = 9 if shape == "dot" else 24 if style_key == "planned" else 14  # planned sites stand out
    title = name or KINDS[kind].label(lang)
    if style_key is None and kind in ICON_GROUPS:
        _add_groups(m, data, kind, title, (keys, labels, units), shape, colour, glyph, lang=lang, show=show)
        return
    n = len(data["features"])
    folium.GeoJson(
        data,
        name=t("map.layer_count", lang, title=title, n=n),
        marker=_icon_marker(icon_svg(shape, colour, size, glyph), size),
        popup=PopupTable(keys, labels, units),
        tooltip=folium.GeoJsonTooltip(fields=keys[:1], labels=False),
        show=show,
    ).add_to(m)
    legend_section(m, title, [(icon_svg(shape, colour, min(size, 12), glyph), legend_label or title)])


def _add_groups(m: folium.Map, data: dict, kind: str, title: str, popup: tuple, shape: str, colour: str,
                glyph: str | None, *, lang: str, show: bool) -> None:
    """A grouped kind (:data:`~sxgeo.outputs.webmap_style.ICON_GROUPS`): one layer per group, at its marker size.

    Each layer is named by its group (``map.group.<kind>.<group>``) and count; the legend lists the groups
    under the kind's name, the largest first, each with its marker drawn to scale.
    """
    keys, labels, units = popup
    rows = []
    for group in ICON_GROUPS[kind][1]:
        features = [f for f in data["features"] if f["properties"].get("sx_group") == group.name]
        if not features:
            continue
        label = t(f"map.group.{kind}.{group.name}", lang)
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=t("map.layer_count", lang, title=label, n=len(features)),
            marker=_icon_marker(icon_svg(shape, colour, group.size, glyph), group.size),
            popup=PopupTable(keys, labels, units),
            tooltip=folium.GeoJsonTooltip(fields=keys[:1], labels=False),
            show=show,
        ).add_to(m)
        rows.insert(0, (icon_svg(shape, colour, round(group.size * 0.75), glyph), label))  # to scale, fitting a line
    if rows:
        legend_section(m, title, rows)


#: Popup fields of a scored residential point (capacity access).
_SCORE_COLUMNS = ["name", "township_name", "demand", "score", "supply_in_reach"]


def add_score_points(m: folium.Map, points: gpd.GeoDataFrame, threshold: float, *, lang: str = "zh") -> None:
    """Residential points coloured by whether their capacity score reaches ``threshold`` (two layers, one legend each)."""
    points = located(points)
    for below, style, key in ((True, "score_below", "map.score_below"), (False, "score_above", "map.score_above")):
        frame = points[points["below"].fillna(False).astype(bool).to_numpy() == below]
        if not len(frame):
            continue
        props, keys, labels, units = popup_props(frame, _SCORE_COLUMNS, lang)
        label = t(key, lang, threshold=f"{threshold:g}")
        add_points(m, None, "residential", lang=lang, name=label, style_key=style, legend_label=label,
                   collection=PointCollection(_collection(frame.geometry, props), keys, labels, units))


#: Popup fields of an uncovered demand point: who lives there, how far the nearest facility is, where it is.
_UNCOVERED_COLUMNS = ["name", "population", "minutes", "nearest_facility_name", "distance_m", "township_name",
                      "county_name"]


def add_coverage(
    m: folium.Map,
    covered_area: gpd.GeoDataFrame | None,
    uncovered: gpd.GeoDataFrame | None,
    *,
    lang: str = "zh",
    title: str | None = None,
    threshold_min: float = 15.0,
    uncovered_label: str | None = None,
) -> None:
    """The walking-coverage area (isochrones) and the uncovered demand points, highlighted.

    ``uncovered_label`` names the uncovered points (default: uncovered demand points).

    The area is hatched in :data:`~sxgeo.outputs.webmap_style.COVERAGE_COLOUR`
    with a dashed outline and does not take clicks; the uncovered points are
    black rings with a white halo, drawn above every other marker so that a
    click on one opens its own popup (walking time, nearest facility and its
    distance) and not that of the demand point drawn at the same place.
    """
    area_name = title or t("map.covered_area", lang, minutes=threshold_min)
    if covered_area is not None and len(covered_area):
        area = simplify_for_display(covered_area[[covered_area.geometry.name]], 0.0002)
        CoverageHatch().add_to(m)
        folium.GeoJson(
            _collection(area.geometry),
            name=area_name,
            style_function=lambda _f: {"fillColor": f"url(#{HATCH_ID})", "fillOpacity": 1, "color": COVERAGE_COLOUR,
                                       "weight": 1.5, "opacity": 0.9, "dashArray": "5 4"},
            interactive=False,
        ).add_to(m)
        m._sx_points = True
        legend_section(m, area_name, [(coverage_swatch(), area_name)])
    if uncovered is not None and len(uncovered):
        uncovered = located(uncovered)
        props, keys, labels, units = popup_props(uncovered, _UNCOVERED_COLUMNS, lang, "residential")
        data = _collection(uncovered.geometry, props)
        label = uncovered_label or t("map.uncovered", lang)
        n = len(data["features"])
        shape, colour = ICON_STYLES["uncovered"]
        folium.GeoJson(
            data,
            name=t("map.layer_count", lang, title=label, n=n),
            marker=_icon_marker(icon_svg(shape, colour, 18), 18, on_top=True),
            popup=PopupTable(keys, labels, units),
            tooltip=folium.GeoJsonTooltip(fields=keys[:1], labels=False),
        ).add_to(m)
        m._sx_points = True
        legend_section(m, label, [(icon_svg(shape, colour, 14), label)])
