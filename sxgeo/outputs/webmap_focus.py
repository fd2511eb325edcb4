"""What a web map puts in focus: the chosen area fitted to the frame, a searched place, a scenario's new coverage."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from sxgeo.formatting import fmt_count
from sxgeo.layers.geometry import located
from sxgeo.outputs.webmap_style import icon_svg, legend_section, swatch
from sxgeo.text import t

__all__ = ["NEW_COVERAGE_COLOUR", "FOCUS_COLOUR", "FitBounds", "add_focus_points", "add_new_coverage", "fit_bounds"]

#: The scenario's new covered area and newly covered points: a colour no choropleth class or coverage layer uses.
NEW_COVERAGE_COLOUR = "#d500f9"
#: A searched place's points and outline.
FOCUS_COLOUR = "#2196f3"


class FitBounds(MacroElement):
    """Fit the map to ``bounds`` in the browser, again whenever its frame is resized, until the user moves the map.

    The zoom computed on the server assumes a frame size; the frame's real width is known only in the
    browser (streamlit-folium sizes it after the map was made), so the view is fitted there.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var bounds = {{ this.bounds|tojson }}, moved = false, box = map.getContainer();
            function fit() {
                if (moved) { return; }
                map.invalidateSize(false);
                map.fitBounds(bounds, {padding: [12, 12], animate: false});
            }
            ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (e) {
                box.addEventListener(e, function () { moved = true; }, {once: true, passive: true});
            });
            setTimeout(fit, 0);
            if (window.ResizeObserver) { new ResizeObserver(fit).observe(box); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        super().__init__()
        self._name = "SxFitBounds"
        minx, miny, maxx, maxy = (round(float(v), 5) for v in bounds)
        self.bounds = [[miny, minx], [maxy, maxx]]


def fit_bounds(m: folium.Map, bounds: tuple[float, float, float, float]) -> None:
    """Fit ``m`` to ``bounds`` (minx, miny, maxx, maxy in degrees) in the browser, see :class:`FitBounds`."""
    FitBounds(bounds).add_to(m)


def _ring_marker(colour: str, size: int) -> folium.Marker:
    return folium.Marker(icon=folium.DivIcon(html=icon_svg("ring", colour, size), icon_size=(size, size),
                                             icon_anchor=(size // 2, size // 2), class_name="sx-focus"))


def add_focus_points(m: folium.Map, points: gpd.GeoDataFrame | None, label: str, *, outline=None) -> int:
    """Highlight a searched place: large rings on its points (named in a tooltip) and its outline; the number drawn."""
    if outline is not None and not outline.is_empty:
        folium.GeoJson(shapely.geometry.mapping(outline), name=label, interactive=False,
                       style_function=lambda _f: {"color": FOCUS_COLOUR, "weight": 3, "fill": False,
                                                  "dashArray": "6 4"}).add_to(m)
    points = located(points) if points is not None else None
    if points is None or not len(points):
        if outline is not None:
            legend_section(m, label, [(swatch("none", FOCUS_COLOUR, 1.0), label)])
        return 0
    group = folium.FeatureGroup(name=t("map.layer_count", m._sx_lang, title=label, n=len(points)))
    names = points["name"].astype(str) if "name" in points else [label] * len(points)
    for geom, name in zip(points.geometry, names):
        folium.Marker([geom.y, geom.x], icon=_ring_marker(FOCUS_COLOUR, 26).icon, tooltip=html.escape(name)).add_to(group)
    group.add_to(m)
    legend_section(m, label, [(icon_svg("ring", FOCUS_COLOUR, 16), label)])
    return len(points)


def add_new_coverage(m: folium.Map, new_area: gpd.GeoDataFrame | None, newly_covered: gpd.GeoDataFrame | None,
                     *, lang: str = "zh") -> None:
    """A scenario's gain: the area its planned sites newly cover and the residential points they newly reach."""
    if new_area is not None and len(new_area):
        name = t("map.new_coverage_area", lang)
        geoms = shapely.set_precision(new_area.geometry.to_numpy(), 1e-5)
        folium.GeoJson(
            {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)} for g in geoms if g is not None
                and not g.is_empty]},
            name=name, interactive=False,
            style_function=lambda _f: {"fillColor": NEW_COVERAGE_COLOUR, "fillOpacity": 0.3, "color": NEW_COVERAGE_COLOUR,
                                       "weight": 2, "dashArray": "5 3"},
        ).add_to(m)
        legend_section(m, name, [(swatch(NEW_COVERAGE_COLOUR, NEW_COVERAGE_COLOUR, 0.45), name)])
    pts = located(newly_covered) if newly_covered is not None else None
    if pts is None or not len(pts):
        return
    label = t("map.newly_covered", lang)
    group = folium.FeatureGroup(name=t("map.layer_count", lang, title=label, n=len(pts)))
    for _, row in pts.iterrows():
        pop = row.get("population")
        tip = f"{html.escape(str(row.get('name', '')))} · {fmt_count(pop)} {t('map.residents', lang)}"
        folium.Marker([row.geometry.y, row.geometry.x], icon=_ring_marker(NEW_COVERAGE_COLOUR, 20).icon,
                      tooltip=tip).add_to(group)
    group.add_to(m)
    legend_section(m, label, [(icon_svg("ring", NEW_COVERAGE_COLOUR, 16), label)])
