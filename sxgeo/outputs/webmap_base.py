"""The empty web map: its frame and zoom, the metric scale bar, steady focus, offline Leaflet and the basemaps.

Every map starts here (:func:`base_map`); :mod:`sxgeo.outputs.webmap` adds the layers.  Leaflet comes from
the app's own static folder (see :mod:`sxgeo.outputs.assets`), never from a CDN.  The default basemap has
no tiles at all; Tianditu (needs a user key; CGCS2000 = WGS-84, so overlays match) and OSM are options.
Amap and Baidu tiles are GCJ-02/BD-09 shifted and are deliberately not offered.
"""

from __future__ import annotations

import html
import math

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from sxgeo.outputs import assets
from sxgeo.outputs.webmap_style import MAP_CSS
from sxgeo.text import t

__all__ = ["BASEMAPS", "add_basemap", "base_map", "zoom_for"]

# --- basemaps --------------------------------------------------------------------------------

#: Basemap choices (labels: ``map.basemap.<key>`` in the text catalogue).  ``none`` works offline.
BASEMAPS: tuple[str, ...] = ("none", "tianditu", "osm")

_TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)


def base_map(
    bounds: tuple[float, float, float, float],
    *,
    lang: str = "zh",
    basemap: str = "none",
    tianditu_key: str | None = None,
    asset_base: str = assets.VENDOR_URL,
    size: tuple[int, int] = (800, 540),
    leaflet_css: str | None = None,
) -> folium.Map:
    """An empty map showing ``bounds`` (minx, miny, maxx, maxy) in a ``size`` pixel frame, with a scale bar.

    The zoom is computed here rather than with Leaflet's fitBounds, which
    streamlit-folium may run before its iframe has its final width.

    ``asset_base`` is the URL folder holding ``leaflet.js`` and ``leaflet.css``
    (the app's static folder by default; a relative folder for an HTML file
    written beside a copy of the assets).

    ``leaflet_css``, the text of ``leaflet.css``, is put into the map's header
    instead of a link to the file.  The app does this: streamlit-folium draws
    the map as soon as ``leaflet.js`` has loaded, without waiting for a linked
    stylesheet, and until that arrives the map's panes are not positioned, so
    a click on a county reaches no county.
    """
    minx, miny, maxx, maxy = bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=zoom_for(bounds, size),
        tiles=None,
        control_scale=False,  # a metric-only scale is added below (Leaflet's default also shows miles and feet)
        prefer_canvas=False,
        min_zoom=5,
        max_zoom=18,
        zoomSnap=0.25,
        zoomDelta=0.5,
    )
    # Serve Leaflet from the app, never from a CDN (the instance attributes
    # override folium's class defaults, which also pull jQuery, Bootstrap and
    # Font Awesome).
    m.default_js = assets.js_links(asset_base)
    m.default_css = assets.css_links(asset_base)
    if leaflet_css is not None:
        m.default_css = []
        m.get_root().header.add_child(Element(f"<style>{leaflet_css}</style>"), name="leaflet_css")
    m.get_root().header.add_child(Element(MAP_CSS), name="sx_css")  # after Leaflet's rules, which it overrides
    m._sx_lang = lang
    m._sx_legend = []
    m._sx_points = False  # set by the point layers; a choropleth under points is drawn lighter
    _MetricScale().add_to(m)
    _SteadyFocus().add_to(m)
    add_basemap(m, basemap, tianditu_key=tianditu_key, lang=lang)
    return m


class _MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, position: "bottomright"}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SxScale"


class _SteadyFocus(MacroElement):
    """Focus the map on the first press without scrolling its frame.

    Leaflet's keyboard handler focuses the map container on mousedown; in
    streamlit-folium's frame that focus scrolled the frame by a few pixels
    between mousedown and mouseup, so the first click on a county ended on
    another shape and selected nothing (one click in three, measured).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            if (!map.keyboard) { return; }
            map.keyboard.disable();  // the handler's listeners hold the old function: re-bind them
            map.keyboard._onMouseDown = function () {
                if (!this._focused) { this._map.getContainer().focus({preventScroll: true}); }
            };
            map.keyboard.enable();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SxSteadyFocus"


def zoom_for(bounds: tuple[float, float, float, float], size: tuple[int, int] = (800, 540)) -> float:
    """The largest zoom (in steps of 0.25) at which ``bounds`` fit a ``size`` (width, height) pixel map."""
    minx, miny, maxx, maxy = bounds
    width, height = size
    lon_span = max(maxx - minx, 1e-6)
    y = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))  # noqa: E731
    lat_frac = max((y(maxy) - y(miny)) / (2 * math.pi), 1e-9)
    zoom = min(math.log2(width * 360 / (256 * lon_span)), math.log2(height / (256 * lat_frac))) - 0.15
    return max(5.0, min(16.0, math.floor(zoom * 4) / 4))


def add_basemap(m: folium.Map, basemap: str, *, tianditu_key: str | None = None, lang: str = "zh") -> None:
    """Add the tiles of an online basemap (nothing for ``none``)."""
    if basemap == "osm":
        folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr="© OpenStreetMap contributors",
            name="OpenStreetMap",
            max_zoom=19,
        ).add_to(m)
    elif basemap == "tianditu":
        if not tianditu_key:
            raise ValueError("Tianditu needs a key (tk)")
        key = html.escape(tianditu_key.strip(), quote=True)
        for layer, overlay in (("vec", False), ("cva", True)):
            folium.TileLayer(
                _TIANDITU.format(s="{s}", layer=layer, key=key),
                attr="© 天地图 Tianditu",
                name=t("map.tianditu_labels" if overlay else "map.tianditu", lang),
                subdomains="01234567",
                overlay=overlay,
                control=False,
                max_zoom=18,
            ).add_to(m)
    elif basemap != "none":
        raise ValueError(f"unknown basemap {basemap!r}")
