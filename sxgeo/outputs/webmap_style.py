"""How the web maps look: their stylesheet, marker icons, legend and the colour classes of a choropleth.

Pure presentation, shared by every layer of :mod:`sxgeo.outputs.webmap`:
icons are inline SVG and the legend plain HTML, so a map pulls no icon font
or image from a CDN.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from sxgeo.formatting import fmt_value

__all__ = [
    "CLASS_COLOURS",
    "ICON_STYLES",
    "MAP_CSS",
    "NO_NETWORK_COLOUR",
    "Indicator",
    "Legend",
    "classify",
    "icon_svg",
    "legend_section",
    "swatch",
]

#: The maps' own stylesheet (put into each map's header after Leaflet's).
MAP_CSS = """
<style>
.leaflet-container{background:#f6f4ef;font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif}
.sx-icon{background:none;border:none}
.sx-label{background:none;border:none;color:#555;font-size:12px;white-space:nowrap;
  text-shadow:0 0 3px #fff,0 0 3px #fff;pointer-events:none;transform:translate(-50%,-50%)}
.leaflet-control-layers{font-size:12px;line-height:1.5}
.sx-legend{background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;font-size:11px;line-height:16px;
  box-shadow:0 1px 4px rgba(0,0,0,.3);max-height:55vh;overflow:auto}
.sx-legend summary{cursor:pointer;font-weight:bold}
.sx-legend h4{margin:3px 0 1px;font-size:11px}
.sx-legend i{display:inline-block;width:14px;height:14px;margin-right:5px;vertical-align:-2px}
.sx-legend svg{vertical-align:-2px;margin-right:5px}
</style>
"""

# --- icons and legend ------------------------------------------------------------------------

#: Per-kind marker: (shape, fill colour).  Shapes are drawn as inline SVG.
ICON_STYLES: dict[str, tuple[str, str]] = {
    "kindergartens": ("square", "#e6550d"),
    "elderly_care": ("diamond", "#756bb1"),
    "fitness": ("circle", "#31a354"),
    "residential": ("dot", "#636363"),
    "minor_protection": ("triangle", "#3182bd"),
    "planned": ("star", "#d62728"),
    "uncovered": ("ring", "#de2d26"),
    "score_below": ("dot", "#7b3294"),
    "score_above": ("dot", "#0571b0"),
}


def icon_svg(shape: str, color: str, size: int = 14) -> str:
    """A small inline SVG symbol (no icon font, no image request)."""
    s = size
    h = s / 2
    edged = f'fill="{color}" stroke="#fff" stroke-width="1.5"'  # a white outline keeps symbols apart
    body = {
        "square": f'<rect x="1.5" y="1.5" width="{s - 3}" height="{s - 3}" rx="2" {edged}/>',
        "diamond": f'<polygon points="{h},0.8 {s - 0.8},{h} {h},{s - 0.8} 0.8,{h}" {edged}/>',
        "circle": f'<circle cx="{h}" cy="{h}" r="{h - 1.2}" {edged}/>',
        "dot": f'<circle cx="{h}" cy="{h}" r="{h / 2}" fill="{color}" fill-opacity="0.8"/>',
        "triangle": f'<polygon points="{h},0.8 {s - 0.8},{s - 1} 0.8,{s - 1}" {edged}/>',
        "ring": f'<circle cx="{h}" cy="{h}" r="{h - 2}" fill="none" stroke="{color}" stroke-width="3"/>',
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
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" viewBox="0 0 {s} {s}">{body}</svg>'


class Legend(MacroElement):
    """A Leaflet control holding the legend HTML (bottom right)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "sx-legend");
                div.innerHTML = {{ this.content|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, content: str) -> None:
        super().__init__()
        self._name = "SxLegend"
        self.content = content


def legend_section(m: folium.Map, title: str, rows: Iterable[tuple[str, str]]) -> None:
    """Queue a legend section: ``rows`` are (symbol HTML, label)."""
    body = "".join(f"<div>{sym}{html.escape(label)}</div>" for sym, label in rows)
    m._sx_legend.append(f"<h4>{html.escape(title)}</h4>{body}")


def swatch(fill: str, stroke: str = "#666", opacity: float = 0.75) -> str:
    """A legend's colour square (filled ``fill``, outlined ``stroke``)."""
    return f'<i style="background:{fill};opacity:{opacity};border:1px solid {stroke}"></i>'


# --- values and classes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """What a choropleth shows: a target's value column with its threshold."""

    label: str
    threshold: float | None = None
    comparator: str = ">="
    unit: str = "share"


#: Choropleth colours: met, close (>= 90 % of the way), far (>= 75 %), very far, no data.
CLASS_COLOURS = ("#1a9850", "#fee08b", "#fc8d59", "#d73027", "#d9d9d9")
#: Choropleth colour of units the street network does not cover (status ``no_network``): grey-blue, none of the classes.
NO_NETWORK_COLOUR = "#8fa3b8"


def classify(values: pd.Series, indicator: Indicator,
             statuses: pd.Series | None = None) -> tuple[pd.Series, list[tuple[str, str]]]:
    """Colour of each value and the legend rows (colour, label).

    Classes are read against the threshold: met, within 10 %, within 25 %,
    further, and no data.  Without a threshold, four equal-width classes.
    Units whose ``statuses`` is ``no_network`` (the street network does not
    cover them) get :data:`NO_NETWORK_COLOUR` whatever their value.
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
        colours[(pd.Series(statuses, index=v.index) == "no_network").to_numpy()] = NO_NETWORK_COLOUR
    rows = list(zip(CLASS_COLOURS, labels))
    return colours, rows
