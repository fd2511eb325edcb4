"""How the web maps look: their stylesheet, marker icons, legend, popups and the colour classes of a choropleth.

Pure presentation, shared by every layer of :mod:`sxgeo.outputs.webmap`
(popup values are written here too, see :func:`popup_props`):
icons are inline SVG, the legend plain HTML and the coverage hatch an inline
SVG pattern, so a map pulls no icon font or image from a CDN.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template as FoliumTemplate
from jinja2 import Template

from sxgeo.formatting import fmt_count, fmt_value
from sxgeo.layers.kinds import KINDS
from sxgeo.text import has, t
from sxgeo.text import labels as text_labels

__all__ = [
    "CHOROPLETH_OPACITY",
    "CHOROPLETH_OPACITY_UNDER_POINTS",
    "CLASS_COLOURS",
    "COVERAGE_COLOUR",
    "HATCH_ID",
    "ICON_GLYPHS",
    "ICON_GROUPS",
    "ICON_STYLES",
    "LEGEND_OPEN_MIN",
    "MAP_CSS",
    "NO_NETWORK_COLOUR",
    "NOT_APPLICABLE_COLOUR",
    "POPUP_OPTIONS",
    "POPUP_UNITS",
    "UNCOVERED_COLOUR",
    "CoverageHatch",
    "IconGroup",
    "Indicator",
    "Legend",
    "PopupTable",
    "classify",
    "coverage_swatch",
    "icon_group",
    "icon_svg",
    "legend_section",
    "popup_props",
    "swatch",
]

#: Choropleth colours: met, close (>= 90 % of the way), far (>= 75 %), very far, no data.
CLASS_COLOURS = ("#1a9850", "#fee08b", "#fc8d59", "#d73027", "#d9d9d9")
#: Choropleth colour of units the street network does not cover (status ``no_network``): grey-blue, none of the classes.
NO_NETWORK_COLOUR = "#8fa3b8"
#: Choropleth colour of units a rule does not apply to (status ``not_applicable``): white, left blank, paler than
#: the grey of no data.
NOT_APPLICABLE_COLOUR = "#ffffff"
#: The walking-coverage area: a dark indigo hatch and dashed outline, a hue no choropleth class uses.
COVERAGE_COLOUR = "#253494"
#: The rings of uncovered demand points: black with a white halo, readable on every class colour.
UNCOVERED_COLOUR = "#000000"
#: Fill opacity of a choropleth alone, and under point layers (a lighter fill keeps the points readable).
CHOROPLETH_OPACITY = 0.65
CHOROPLETH_OPACITY_UNDER_POINTS = 0.3
#: Element id of the coverage hatch (polygons filled with ``url(#sx-hatch)``).
HATCH_ID = "sx-hatch"
#: The legend starts open on maps at least this many pixels wide and high, folded on smaller ones.
LEGEND_OPEN_MIN = (700, 450)

# Where the controls sit: zoom buttons top left, the (collapsed) layer switcher
# top right, the scale bar and above it the legend bottom left.  Leaflet keeps
# every control above the map panes (the panes share one stacking context
# under the controls; giving the controls a lower z-index would draw polygons
# and markers over them), so a popup cannot simply be raised above a control.
# Instead Leaflet's auto-pan keeps each popup inside the map minus these
# margins: ``[left, top]`` clears the zoom buttons (44 px wide with their
# margin), ``[right, bottom]`` the folded layer switcher (54 px wide with its
# margin) and the scale bar with the folded legend (about 85 px high).  The
# open legend can be taller; it folds itself when a popup lands on it (see
# :class:`Legend`).
#: Options of every popup: auto-pan margins that keep it clear of the controls, and a readable width.
POPUP_OPTIONS: dict = {
    "autoPanPaddingTopLeft": [52, 12],
    "autoPanPaddingBottomRight": [62, 92],
    "maxWidth": 320,
}

#: The maps' own stylesheet (put into each map's header after Leaflet's).
MAP_CSS = """
<style>
.leaflet-container{background:#f6f4ef;font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif}
.sx-icon{background:none;border:none}
.sx-label{background:none;border:none;color:#555;font-size:12px;white-space:nowrap;
  text-shadow:0 0 3px #fff,0 0 3px #fff;pointer-events:none;transform:translate(-50%,-50%)}
.leaflet-control-layers{font-size:12px;line-height:1.5}
.leaflet-control-layers-list{max-height:min(60vh,420px);overflow-y:auto}
.sx-legend{background:rgba(255,255,255,.92);padding:2px 7px;border-radius:4px;font-size:11px;line-height:15px;
  box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:220px}
.sx-legend summary{cursor:pointer;font-weight:bold;font-size:12px;line-height:20px;user-select:none}
.sx-legend .sx-legend-body{max-height:min(40vh,260px);overflow-y:auto;overflow-x:hidden;padding-bottom:2px}
.sx-legend h4{margin:3px 0 0;font-size:11px;line-height:15px}
.sx-legend h4,.sx-legend .sx-row{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sx-legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
.sx-legend svg{vertical-align:-2px;margin-right:4px}
.sx-popup{border-collapse:collapse;font-size:12px;line-height:17px}
.sx-popup th{font-weight:normal;color:#666;text-align:left;padding:0 10px 0 0;vertical-align:top;white-space:nowrap}
.sx-popup td{padding:0}
</style>
"""

# --- icons -----------------------------------------------------------------------------------

#: Per-kind marker: (shape, fill colour).  Shapes are drawn as inline SVG (and by the print map as the same
#: shapes, see :mod:`sxgeo.outputs.printmap`).
ICON_STYLES: dict[str, tuple[str, str]] = {
    "kindergartens": ("square", "#e6550d"),
    "elderly_care": ("diamond", "#756bb1"),
    "fitness": ("circle", "#31a354"),
    "residential": ("dot", "#636363"),
    "minor_protection": ("triangle", "#3182bd"),
    "primary_care": ("circle", "#e7298a"),
    "hospitals": ("square", "#cb181d"),
    "special_education": ("triangle", "#8c510a"),
    "culture": ("diamond", "#01665e"),
    "child_welfare": ("circle", "#b8860b"),
    "planned": ("star", "#d62728"),
    "uncovered": ("ring", UNCOVERED_COLOUR),
    "score_below": ("dot", "#7b3294"),
    "score_above": ("dot", "#0571b0"),
}
#: A white mark inside the web map's marker of a kind: a cross for health care, and a dot for child welfare,
#: whose circle would otherwise differ from the fitness facilities' by its colour alone.
ICON_GLYPHS: dict[str, str] = {
    "primary_care": "cross",
    "hospitals": "cross",
    "child_welfare": "dot",
}


@dataclass(frozen=True)
class IconGroup:
    """Markers of a kind drawn at their own size: the rows whose ``column`` is one of ``values`` (None: the rest).

    Labelled ``map.group.<kind>.<name>`` in the text catalogue.
    """

    name: str
    values: tuple[str, ...] | None
    size: int


#: Kinds whose markers are drawn in groups of their own size (and layer), bottom to top: kind -> (column, groups).
#: Hospitals: level 3 largest, level 2 smaller, the others (level 1, unknown level) smallest.
ICON_GROUPS: dict[str, tuple[str, tuple[IconGroup, ...]]] = {
    "hospitals": ("hospital_level", (IconGroup("other", None, 12), IconGroup("level2", ("level2",), 16),
                                     IconGroup("level3", ("level3",), 21))),
}


def icon_group(kind: str, values: pd.Series) -> pd.Series:
    """The :class:`IconGroup` name of each row of a grouped kind (see :data:`ICON_GROUPS`)."""
    _column, groups = ICON_GROUPS[kind]
    out = pd.Series(next(g.name for g in groups if g.values is None), index=values.index, dtype=object)
    for group in groups:
        if group.values is not None:
            out[values.astype(object).isin(group.values).to_numpy()] = group.name
    return out


def _glyph(glyph: str, shape: str, s: float) -> str:
    """The white mark inside a marker of ``s`` pixels (centred on the shape's middle)."""
    h = s / 2
    cy = (0.8 + 2 * (s - 1)) / 3 if shape == "triangle" else h  # a triangle's centroid sits low
    arm, width = s * (0.17 if shape == "triangle" else 0.21), max(1.3, s * 0.12)
    line = f'stroke="#fff" stroke-width="{width:.1f}" stroke-linecap="butt"'
    if glyph == "cross":
        return f'<path d="M{h - arm:.1f},{cy:.1f}H{h + arm:.1f}M{h:.1f},{cy - arm:.1f}V{cy + arm:.1f}" {line}/>'
    if glyph == "bar":
        return f'<path d="M{h - arm:.1f},{cy:.1f}H{h + arm:.1f}" {line}/>'
    return f'<circle cx="{h:.1f}" cy="{cy:.1f}" r="{max(1.1, s * 0.09):.1f}" fill="#fff"/>'


def icon_svg(shape: str, color: str, size: int = 14, glyph: str | None = None) -> str:
    """A small inline SVG symbol (no icon font, no image request), with an optional white ``glyph`` inside.

    ``glyph`` is ``cross``, ``dot`` or ``bar`` (see :data:`ICON_GLYPHS`).
    """
    s = size
    h = s / 2
    edged = f'fill="{color}" stroke="#fff" stroke-width="1.5"'  # a white outline keeps symbols apart
    ring = f'<circle cx="{h}" cy="{h}" r="{h - 2.5}" fill="none" '
    body = {
        "square": f'<rect x="1.5" y="1.5" width="{s - 3}" height="{s - 3}" rx="2" {edged}/>',
        "diamond": f'<polygon points="{h},0.8 {s - 0.8},{h} {h},{s - 0.8} 0.8,{h}" {edged}/>',
        "circle": f'<circle cx="{h}" cy="{h}" r="{h - 1.2}" {edged}/>',
        "dot": f'<circle cx="{h}" cy="{h}" r="{h / 2}" fill="{color}" fill-opacity="0.8"/>',
        "triangle": f'<polygon points="{h},0.8 {s - 0.8},{s - 1} 0.8,{s - 1}" {edged}/>',
        # a white halo under the ring keeps it readable on any fill
        "ring": ring + 'stroke="#fff" stroke-width="4.5"/>' + ring + f'stroke="{color}" stroke-width="2.2"/>',
        "star": (
            '<polygon points="'
            + " ".join(
                f"{h + (h - 0.8) * (1 if i % 2 == 0 else 0.45) * math.sin(i * math.pi / 5):.1f},"
                f"{h - (h - 0.8) * (1 if i % 2 == 0 else 0.45) * math.cos(i * math.pi / 5):.1f}"
                for i in range(10)
            )
            + f'" fill="{color}" stroke="#fff" stroke-width="1"/>'
        ),
    }[shape]
    if glyph is not None:
        body += _glyph(glyph, shape, s)
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" viewBox="0 0 {s} {s}">{body}</svg>'


# --- coverage hatch --------------------------------------------------------------------------

_HATCH_DEFS = (
    f'<defs><pattern id="{HATCH_ID}" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    f'<rect width="7" height="7" fill="{COVERAGE_COLOUR}" fill-opacity="0.07"/>'
    f'<line x1="1" y1="0" x2="1" y2="7" stroke="{COVERAGE_COLOUR}" stroke-width="2" stroke-opacity="0.6"/>'
    "</pattern></defs>"
)


class CoverageHatch(MacroElement):
    """Defines the SVG hatch pattern :data:`HATCH_ID` once per page (a hidden inline SVG, no request).

    Leaflet writes a path's ``fillColor`` into its ``fill`` attribute, so a
    polygon styled ``fillColor: "url(#sx-hatch)"`` is hatched.  The pattern is
    created by the map's script (which streamlit-folium runs) rather than put
    into the page body.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            if (document.getElementById({{ this.hatch_id|tojson }})) { return; }
            var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
            svg.setAttribute("width", "0");
            svg.setAttribute("height", "0");
            svg.setAttribute("aria-hidden", "true");
            svg.style.position = "absolute";
            svg.innerHTML = {{ this.defs|tojson }};
            document.body.appendChild(svg);
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SxCoverageHatch"
        self.hatch_id = HATCH_ID
        self.defs = _HATCH_DEFS


def coverage_swatch() -> str:
    """The legend symbol of the covered area: the hatch (as a CSS gradient) in a dashed outline."""
    return (f'<i style="background:repeating-linear-gradient(45deg,{COVERAGE_COLOUR} 0 2px,transparent 2px 5px);'
            f'opacity:.8;border:1px dashed {COVERAGE_COLOUR}"></i>')


# --- legend ----------------------------------------------------------------------------------


class Legend(MacroElement):
    """The legend: a foldable Leaflet control at the bottom left, above the scale bar.

    It is a ``<details>`` element: the title with its disclosure triangle is
    always shown, the entries (one line each, scrolling beyond a fixed height)
    fold away.  It starts open on maps of at least :data:`LEGEND_OPEN_MIN`
    pixels and folded on smaller ones, and folds itself when a popup opens
    over it (popups sit in a map pane, which no control can be put under).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var div = L.DomUtil.create("div", "sx-legend");
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                div.innerHTML = {{ this.content|tojson }};
                var size = map.getSize(), details = div.querySelector("details");
                if (details && size.x > 0 && (size.x < {{ this.open_min[0] }} || size.y < {{ this.open_min[1] }})) {
                    details.open = false;
                }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
            map.on("popupopen", function (e) {
                var fold = function () {
                    var details = div.querySelector("details"), box = e.popup.getElement();
                    if (!details || !details.open || !box || !map.hasLayer(e.popup)) { return; }
                    var a = div.getBoundingClientRect(), b = box.getBoundingClientRect();
                    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
                        details.open = false;
                    }
                };
                fold();
                setTimeout(fold, 400);  /* again after Leaflet's auto-pan */
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str, sections: Sequence[str], *, open_min: tuple[int, int] = LEGEND_OPEN_MIN) -> None:
        super().__init__()
        self._name = "SxLegend"
        self.open_min = list(open_min)
        self.content = (f'<details open><summary>{html.escape(title)}</summary>'
                        f'<div class="sx-legend-body">{"".join(sections)}</div></details>')


def legend_section(m: folium.Map, title: str, rows: Iterable[tuple[str, str]]) -> None:
    """Queue a legend section: ``rows`` are (symbol HTML, label), one line each.

    A section of one row is that row alone (a layer's symbol with its name);
    longer ones get ``title`` as a heading.  Labels cut by the legend's width
    show in full on hover.
    """
    rows = list(rows)
    body = "".join(f'<div class="sx-row" title="{html.escape(label)}">{sym}{html.escape(label)}</div>'
                   for sym, label in rows)
    head = "" if len(rows) == 1 else f'<h4 title="{html.escape(title)}">{html.escape(title)}</h4>'
    m._sx_legend.append(head + body)


def swatch(fill: str, stroke: str = "#666", opacity: float = 0.75) -> str:
    """A legend's colour square (filled ``fill``, outlined ``stroke``)."""
    return f'<i style="background:{fill};opacity:{opacity};border:1px solid {stroke}"></i>'


# --- popups ----------------------------------------------------------------------------------


class PopupTable(folium.GeoJsonPopup):
    """A feature's popup: a table of its formatted properties, with units.

    Values arrive as ready text (years without a thousands separator, flags as
    words); ``units`` holds per field a template such as ``"{n} 个学位"`` that
    the browser fills with a numeric value, so the unit is sent once per layer
    and not once per feature.  Missing values leave their row out, and values
    are HTML-escaped.  Options default to :data:`POPUP_OPTIONS`.
    """

    _template = FoliumTemplate(  # folium's, for its tojavascript filter
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup(function (layer) {
            var p = layer.feature.properties, rows = [];
            var fields = {{ this.fields|tojson }}, aliases = {{ this.aliases|tojson }}, units = {{ this.units|tojson }};
            var esc = function (s) {
                return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
            };
            fields.forEach(function (k, i) {
                var v = p[k];
                if (v === null || v === undefined || v === "") { return; }
                v = esc(v);
                if (units[i] && /^-?[0-9][0-9,.]*$/.test(v)) { v = units[i].replace("{n}", v); }
                rows.push("<tr><th>" + aliases[i] + "</th><td>" + v + "</td></tr>");
            });
            return '<table class="sx-popup">' + rows.join("") + "</table>";
        }, {{ this.popup_options|tojavascript }});
        {% endmacro %}
        """
    )

    def __init__(self, fields: Sequence[str], aliases: Sequence[str], units: Sequence[str] | None = None,
                 **options) -> None:
        super().__init__(fields=list(fields), aliases=[html.escape(a) for a in aliases], labels=True, localize=False,
                         class_name="sx-popup-box", **{**POPUP_OPTIONS, **options})
        self.units = [html.escape(u) for u in units] if units is not None else [""] * len(fields)
        if len(self.units) != len(self.fields):
            raise ValueError("one unit template per field")


# --- popup values ----------------------------------------------------------------------------

#: Popup values with a unit: column -> text key of its ``{n} unit`` template (filled in the browser).
POPUP_UNITS = {
    "places": "map.unit.places",
    "enrolled": "map.unit.children",
    "beds": "map.unit.beds",
    "pupils": "map.unit.pupils",
    "nursing_beds": "map.unit.beds",
    "population": "map.unit.people",
    "pop_3_5": "map.unit.people",
    "pop_60_plus": "map.unit.people",
    "demand": "map.unit.people",
}
#: How the columns that no layer kind declares are shown (others by their pandas dtype).
_EXTRA_FORMATS = {
    "planned": "bool",
    "minutes": "minutes",
    "distance_m": "distance",
    "demand": "number",
    "score": "number",
    "supply_in_reach": "number",
}


def _label(column: str, lang: str) -> str | None:
    """A popup row's label: the map's own (``map.col.<column>``), else the catalogue's column header, else None."""
    if has(f"map.col.{column}"):
        return t(f"map.col.{column}", lang)
    if has(f"col.{column}"):
        return t(f"col.{column}", lang)
    return None


def _format_of(column: str, kind: str | None, values: pd.Series) -> str:
    """How a column's values are written: the kind's dtype, a known extra column, else by pandas dtype."""
    if kind is not None:
        declared = next((c.dtype for c in KINDS[kind].columns if c.name == column), None)
        if declared is not None:
            return declared
    if column in _EXTRA_FORMATS:
        return _EXTRA_FORMATS[column]
    if values.dtype == bool or str(values.dtype) == "boolean":
        return "bool"
    if pd.api.types.is_integer_dtype(values):
        return "int"
    if pd.api.types.is_float_dtype(values):
        return "number"
    return "str"


def _number(value: float) -> str:
    """A measured number rounded as people read it: whole from 100, one decimal from 10, else two."""
    v = float(value)
    digits = 0 if abs(v) >= 100 else 1 if abs(v) >= 10 else 2
    text = f"{v:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if digits else text


def _distance(metres: float, lang: str) -> str:
    """A distance in metres (to 10 m) below 1 km, else in km with one decimal."""
    if metres < 1000:
        return t("map.value.metres", lang, n=f"{round(metres, -1):,.0f}")
    return t("map.value.km", lang, n=f"{metres / 1000:,.1f}")


def _writer(how: str, column: str, lang: str):
    """The function that writes one (present) value of a column in format ``how``."""
    if how == "bool":
        words = {True: t("bool.true", lang), False: t("bool.false", lang)}
        if has(f"map.flag.{column}.true"):
            words = {True: t(f"map.flag.{column}.true", lang), False: t(f"map.flag.{column}.false", lang)}
        return lambda v: words[bool(v)]
    if how == "category":
        names = text_labels(f"cat.{column}", lang)
        return lambda v: names.get(str(v), str(v))
    if how == "year":
        return lambda v: str(int(float(v)))
    if how in ("minutes", "distance"):
        write = (lambda v: t("map.value.minutes", lang, n=f"{v:.1f}")) if how == "minutes" else (lambda v: _distance(v, lang))
        unreachable = t("map.value.unreachable", lang)
        return lambda v: write(float(v)) if math.isfinite(float(v)) else unreachable
    if how == "int":
        return lambda v: fmt_count(v) if math.isfinite(float(v)) else None
    if how in ("float", "number"):
        return lambda v: _number(v) if math.isfinite(float(v)) else None
    return lambda v: str(v).strip() or None


def _written(write, value) -> str | None:
    """``write(value)``, or the value as plain text when it is not of its column's type (a user's free text)."""
    try:
        return write(value)
    except (TypeError, ValueError, OverflowError):
        return str(value).strip() or None


def popup_props(frame: pd.DataFrame, columns: Sequence[str], lang: str,
                kind: str | None = None) -> tuple[pd.DataFrame, list[str], list[str], list[str]]:
    """Popup properties as text under short keys: (properties, keys, labels, units).

    Years are written without a thousands separator, flags as 是/否 (or the
    column's own words), categories in words, measures rounded, minutes and
    distances with their unit; missing values are None.  Columns without a
    label in the catalogue are left out, so no internal column name shows.
    """
    out, labels, units = {}, [], []
    for column in dict.fromkeys(columns):
        label = _label(column, lang)
        if column not in frame.columns or label is None:
            continue
        values = frame[column]
        write = _writer(_format_of(column, kind, values), column, lang)
        present = values.notna().to_numpy()
        out[column] = [_written(write, v) if ok else None for v, ok in zip(values.to_numpy(dtype=object), present)]
        labels.append(label)
        units.append(t(POPUP_UNITS[column], lang) if column in POPUP_UNITS else "")  # "{n}" stays for the browser
    keys = [f"p{i}" for i in range(len(out))]
    # object columns keep None as None (pandas would infer a string dtype and write NaN)
    props = pd.DataFrame({k: pd.Series(v, index=frame.index, dtype=object) for k, v in zip(keys, out.values())},
                         index=frame.index, columns=keys)
    return props, keys, labels, units


# --- values and classes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """What a choropleth shows: a target's value column with its threshold."""

    label: str
    threshold: float | None = None
    comparator: str = ">="
    unit: str = "share"


def classify(values: pd.Series, indicator: Indicator,
             statuses: pd.Series | None = None) -> tuple[pd.Series, list[tuple[str, str]]]:
    """Colour of each value and the legend rows (colour, label).

    Classes are read against the threshold: met, within 10 %, within 25 %,
    further, and no data.  Without a threshold, four equal-width classes.
    Units whose ``statuses`` is ``no_network`` (the street network does not
    cover them) get :data:`NO_NETWORK_COLOUR` whatever their value, units a
    rule does not apply to (``not_applicable``) :data:`NOT_APPLICABLE_COLOUR`.
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    thr, unit = indicator.threshold, indicator.unit
    fmt = lambda x: fmt_value(x, unit)  # noqa: E731
    colours = pd.Series(CLASS_COLOURS[4], index=v.index)
    if thr is not None and thr != 0 and np.isfinite(thr):
        higher = indicator.comparator in (">=", ">", "==")
        if higher:
            cuts = [thr, 0.9 * thr, 0.75 * thr]
            ok = v >= thr if indicator.comparator != ">" else v > thr
            bands = [ok, ~ok & (v >= cuts[1]), (v < cuts[1]) & (v >= cuts[2]), v < cuts[2]]
            labels = [f"≥ {fmt(thr)}", f"{fmt(cuts[1])} – {fmt(thr)}", f"{fmt(cuts[2])} – {fmt(cuts[1])}", f"< {fmt(cuts[2])}"]
        else:
            cuts = [thr, thr / 0.9, thr / 0.75]
            ok = v <= thr if indicator.comparator != "<" else v < thr
            bands = [ok, ~ok & (v <= cuts[1]), (v > cuts[1]) & (v <= cuts[2]), v > cuts[2]]
            labels = [f"≤ {fmt(thr)}", f"{fmt(thr)} – {fmt(cuts[1])}", f"{fmt(cuts[1])} – {fmt(cuts[2])}", f"> {fmt(cuts[2])}"]
    else:
        finite = v[np.isfinite(v)]
        lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        step = (hi - lo) / 4 or 1.0
        edges = [lo + i * step for i in range(5)]
        bands = [(v >= edges[3]), (v >= edges[2]) & (v < edges[3]), (v >= edges[1]) & (v < edges[2]), v < edges[1]]
        labels = [f"≥ {fmt(edges[3])}", f"{fmt(edges[2])} – {fmt(edges[3])}", f"{fmt(edges[1])} – {fmt(edges[2])}",
                  f"< {fmt(edges[1])}"]
    for colour, band in zip(CLASS_COLOURS, bands):
        colours[band.fillna(False) & v.notna()] = colour
    if statuses is not None:
        status = pd.Series(statuses, index=v.index)
        colours[(status == "no_network").to_numpy()] = NO_NETWORK_COLOUR
        colours[(status == "not_applicable").to_numpy()] = NOT_APPLICABLE_COLOUR
    rows = list(zip(CLASS_COLOURS, labels))
    return colours, rows
