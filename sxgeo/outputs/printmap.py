"""Print-layout maps of an area (PNG, and PDF on A4 landscape) drawn with matplotlib, in the web map's classes and colours.

The map shows what the app's web map shows for an area: the units coloured by
a plan indicator (the classes and colours of
:func:`sxgeo.outputs.webmap_style.classify`), the administrative reference
lines and place names, the walking-coverage area, facility points with the
web map's colours, the uncovered demand points and the planned sites.  Around
it: title, area name, legend, scale bar, north arrow, data sources, date and,
for synthetic data, a notice.  Pure functions of plain inputs (no streamlit),
rendered offline with the bundled Chinese font.

Typical use::

    spec = PrintMap(title="...", area_name="太原市小店区", outline=county, units=units, indicator=ind)
    png = render_png(spec, dpi=150)
    pdf = render_pdf(spec)
"""

from __future__ import annotations

import datetime
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, Polygon

from sxgeo.layers.geometry import located
from sxgeo.layers.kinds import KINDS
from sxgeo.outputs.fonts import png_bytes, setup_fonts
from sxgeo.outputs.staticmap import draw_polygons, fit_extent, legend_style, scale_bar
from sxgeo.outputs.webmap_style import (
    CHOROPLETH_OPACITY,
    CHOROPLETH_OPACITY_UNDER_POINTS,
    CLASS_COLOURS,
    COVERAGE_COLOUR,
    ICON_STYLES,
    NO_NETWORK_COLOUR,
    NOT_APPLICABLE_COLOUR,
    Indicator,
    classify,
)
from sxgeo.settings import LONLAT_CRS, METRIC_CRS
from sxgeo.text import labels as text_labels
from sxgeo.text import t

__all__ = [
    "LEGEND_BOX",
    "MAP_BOX",
    "MAP_BOX_ASPECT",
    "PAGE_SIZE",
    "PrintMap",
    "build_figure",
    "fill_opacity",
    "map_extent",
    "render_pdf",
    "render_png",
]

#: A4 landscape, in inches (297 mm × 210 mm).
PAGE_SIZE = (297 / 25.4, 210 / 25.4)
#: The map's box on the page (left, bottom, width, height, as fractions of the page).
MAP_BOX = (0.025, 0.085, 0.645, 0.80)
#: The box of the legend and the data sources, right of the map.
LEGEND_BOX = (0.69, 0.085, 0.285, 0.80)
#: Width / height of the map box; the map's extent is fitted to it, so metres are square on the page.
MAP_BOX_ASPECT = MAP_BOX[2] * PAGE_SIZE[0] / (MAP_BOX[3] * PAGE_SIZE[1])

#: Matplotlib marker and area (points²) of each web-map icon shape.
_SHAPES = {
    "square": ("s", 22.0),
    "diamond": ("D", 18.0),
    "circle": ("o", 22.0),
    "dot": ("o", 5.0),
    "triangle": ("^", 26.0),
    "star": ("*", 90.0),
    "ring": ("o", 36.0),
}
#: Drawing order (zorder) of the map's layers, bottom to top.
_Z = {"units": 1, "reference": 2, "coverage": 3, "outline": 4, "points": 6, "uncovered": 7, "labels": 7.5, "planned": 8,
      "furniture": 10}
#: The walking-coverage area as on the web map: a hatch and dashed outline in :data:`COVERAGE_COLOUR`.
_COVER_STYLE = {"facecolor": to_rgba(COVERAGE_COLOUR, 0.07), "edgecolor": to_rgba(COVERAGE_COLOUR, 0.9), "hatch": "///",
                "linestyle": (0, (5, 4)), "linewidth": 0.9}
#: The veil over the surroundings of the area (outside its outline).
_VEIL = {"facecolor": "white", "edgecolor": "none", "alpha": 0.5}
#: Characters a wrapped line does not start with.
_NO_LINE_START = "）)】」』，,。.、；;：:！!？?%"
#: ``gid`` of the text drawn over its outline by :func:`_outlined`.
_OUTLINED_GID = "sx-outlined"
#: Width (points) of the outline that makes text look bold: the bundled font has one weight.
_BOLD = 0.6
#: Colours of the synthetic-data notice.
_NOTICE_TEXT, _NOTICE_FILL = "#b30000", "#fff1f0"


@dataclass
class PrintMap:
    """Everything a printed map shows, as plain inputs (layers in lon/lat, EPSG:4326).

    Attributes
    ----------
    title, area_name : str
        The map's title and the name of the area it shows.
    outline : GeoDataFrame or GeoSeries
        The area's boundary; the map is fitted to it.
    units : GeoDataFrame, optional
        Polygons with ``value`` and ``status`` columns, coloured by ``indicator``.
    indicator : Indicator, optional
        Label, threshold, comparator and unit of the values (see :func:`classify`).
    points : mapping of str to GeoDataFrame
        Point layers by style: a layer kind, or another key of :data:`ICON_STYLES` (for example
        ``score_below``) named in ``point_labels``; drawn with the web map's shapes and colours.
    point_labels : mapping of str to str
        Legend names of point layers (default: the layer kind's name).
    covered_area, uncovered : GeoDataFrame, optional
        The walking-coverage area and the demand points outside it.
    minutes : float, optional
        The walking time of ``covered_area`` (from the targets), for its legend text.
    planned : mapping of str to GeoDataFrame
        Planned sites by layer kind, drawn prominently.
    reference : sequence of (GeoDataFrame, float)
        Administrative outlines (polygons or lines) with their web-map line weight.
    labels : GeoDataFrame, optional
        Place names: points with a ``name`` column.
    sources : sequence of str
        The data-source lines.
    synthetic : bool
        Whether the data is synthetic: the page then carries a notice.
    date : datetime.date, optional
        The map's date (today when None).
    lang : str
        Language of the texts.
    """

    title: str
    area_name: str
    outline: gpd.GeoDataFrame | gpd.GeoSeries
    units: gpd.GeoDataFrame | None = None
    indicator: Indicator | None = None
    points: Mapping[str, gpd.GeoDataFrame | None] = field(default_factory=dict)
    point_labels: Mapping[str, str] = field(default_factory=dict)
    covered_area: gpd.GeoDataFrame | None = None
    uncovered: gpd.GeoDataFrame | None = None
    minutes: float | None = None
    planned: Mapping[str, gpd.GeoDataFrame | None] = field(default_factory=dict)
    reference: Sequence[tuple[gpd.GeoDataFrame, float]] = ()
    labels: gpd.GeoDataFrame | None = None
    sources: Sequence[str] = ()
    synthetic: bool = False
    date: datetime.date | None = None
    lang: str = "zh"


class _Legend:
    """Legend entries of what was drawn, in sections (a section header is an entry without a symbol)."""

    def __init__(self) -> None:
        self.handles: list = []
        self.headers: list[int] = []

    def header(self, text: str) -> None:
        self.headers.append(len(self.handles))
        self.handles.append(Line2D([], [], linestyle="none", label=text))

    def add(self, handle) -> None:
        self.handles.append(handle)


# --- geometry ------------------------------------------------------------------------------------


def _metric(frame: gpd.GeoDataFrame | gpd.GeoSeries, tolerance: float = 0.0) -> np.ndarray:
    """The frame's geometries in metres (:data:`METRIC_CRS`), simplified to ``tolerance`` metres."""
    arr = frame.to_crs(METRIC_CRS).geometry.to_numpy()
    arr = arr[~(shapely.is_missing(arr) | shapely.is_empty(arr))]
    return shapely.simplify(arr, tolerance, preserve_topology=True) if tolerance > 0 else arr


def _xy(frame: gpd.GeoDataFrame | None) -> np.ndarray:
    """Coordinates (metres) of the located points of ``frame``, one row per point."""
    frame = located(frame)
    if frame is None or not len(frame):
        return np.empty((0, 2))
    geoms = frame.to_crs(METRIC_CRS).geometry.to_numpy()
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    return shapely.get_coordinates(shapely.centroid(geoms)) if len(geoms) else np.empty((0, 2))


def _draw_lines(ax, geoms: np.ndarray, **kw) -> None:
    """Draw lines, or the outlines of polygons, as one LineCollection."""
    if not len(geoms):
        return
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    lines = np.where(polygonal, shapely.boundary(geoms), geoms)
    parts = shapely.get_parts(lines)
    parts = parts[~shapely.is_empty(parts)]
    if not len(parts):
        return
    xy, idx = shapely.get_coordinates(parts, return_index=True)
    ax.add_collection(LineCollection(np.split(xy, np.flatnonzero(np.diff(idx)) + 1), **kw), autolim=False)


def map_extent(spec: PrintMap) -> tuple[float, float, float, float]:
    """The map's extent in metres (:data:`METRIC_CRS`): the outline's bounds fitted to the map box.

    Parameters
    ----------
    spec : PrintMap
        The map.

    Returns
    -------
    tuple of float
        (minx, miny, maxx, maxy); width / height equals :data:`MAP_BOX_ASPECT`.
    """
    bounds = shapely.total_bounds(_metric(spec.outline))
    return tuple(float(v) for v in fit_extent(tuple(bounds), MAP_BOX_ASPECT))


# --- layers --------------------------------------------------------------------------------------


def fill_opacity(spec: PrintMap) -> float:
    """Opacity of the choropleth fill, as on the web map: lighter under point layers or the coverage area."""
    layers = [*spec.points.values(), spec.covered_area, spec.uncovered, *spec.planned.values()]
    under_points = any(frame is not None and len(frame) for frame in layers)
    return CHOROPLETH_OPACITY_UNDER_POINTS if under_points else CHOROPLETH_OPACITY


def _draw_units(ax, spec: PrintMap, tolerance: float, legend: _Legend) -> None:
    """The units coloured by the indicator's classes, with the classes in the legend (as the web map shows them)."""
    units, ind = spec.units, spec.indicator
    if units is None or not len(units) or ind is None:
        return
    units = units[~(units.geometry.isna() | units.geometry.is_empty)]
    statuses = units.get("status")
    colours, rows = classify(units["value"], ind, statuses)
    geoms = _metric(units, tolerance)
    alpha = fill_opacity(spec)
    for colour in pd.unique(colours):
        mask = (colours == colour).to_numpy()
        draw_polygons(ax, geoms[mask], facecolor=to_rgba(colour, alpha), edgecolor="#666666", linewidth=0.35,
                      zorder=_Z["units"])
    status_text = text_labels("val.status", spec.lang)
    if ind.threshold:
        rows[0] = (rows[0][0], t("map.legend_met", spec.lang, label=rows[0][1]))
    rows = rows + [(CLASS_COLOURS[4], status_text["no_data"])]
    if statuses is not None and (statuses == "no_network").any():
        rows.append((NO_NETWORK_COLOUR, status_text["no_network"]))
    if statuses is not None and (statuses == "not_applicable").any():
        rows.append((NOT_APPLICABLE_COLOUR, status_text["not_applicable"]))
    legend.header(ind.label)
    for colour, label in rows:
        legend.add(Patch(facecolor=to_rgba(colour, alpha), edgecolor="#666666", linewidth=0.35, label=label))


def _draw_outline(ax, spec: PrintMap, extent: tuple[float, ...], tolerance: float, legend: _Legend) -> None:
    """The area's boundary, its surroundings veiled in white."""
    outline = _metric(spec.outline, tolerance)
    around = shapely.difference(shapely.box(*extent), shapely.union_all(outline))
    draw_polygons(ax, [around], zorder=_Z["outline"] - 0.5, **_VEIL)
    draw_polygons(ax, outline, facecolor="none", edgecolor="#111111", linewidth=1.8, zorder=_Z["outline"])
    legend.add(Line2D([], [], color="#111111", linewidth=1.8, label=t("print.outline", spec.lang)))


def _draw_reference(ax, spec: PrintMap, tolerance: float, legend: _Legend) -> None:
    """Administrative outlines (grey) and place names."""
    drawn = False
    for frame, weight in spec.reference:
        if frame is None or not len(frame):
            continue
        _draw_lines(ax, _metric(frame, tolerance), colors="#6f6f6f", linewidths=0.5 * weight, zorder=_Z["reference"])
        drawn = True
    if drawn:
        legend.add(Line2D([], [], color="#6f6f6f", linewidth=1.0, label=t("print.reference", spec.lang)))
    if spec.labels is None or not len(spec.labels):
        return
    minx, miny, maxx, maxy = ax.get_xlim() + ax.get_ylim()
    xy = _xy(spec.labels)
    names = spec.labels.loc[~(spec.labels.geometry.isna() | spec.labels.geometry.is_empty), "name"].astype(str)
    for (x, y), name in zip(xy, names):
        if minx <= x <= maxx and miny <= y <= maxy:
            _outlined(ax, x, y, name, outline="white", width=2.2, ha="center", va="center", fontsize=7.5,
                      color="#333333", zorder=_Z["labels"], clip_on=True)


def _draw_coverage(ax, spec: PrintMap, tolerance: float, legend: _Legend) -> None:
    """The walking-coverage area, hatched with a dashed outline as on the web map."""
    area = spec.covered_area
    if area is None or not len(area):
        return
    draw_polygons(ax, _metric(area, tolerance), zorder=_Z["coverage"], **_COVER_STYLE)
    label = t("map.covered_area", spec.lang, minutes=spec.minutes) if spec.minutes else t("print.covered", spec.lang)
    legend.add(Patch(label=label, **_COVER_STYLE))


def _point_style(style_key: str) -> dict:
    """``scatter`` keywords of a web-map icon style (shape and colour of :data:`ICON_STYLES`)."""
    shape, colour = ICON_STYLES[style_key]
    marker, size = _SHAPES[shape]
    if shape == "ring":
        return {"marker": marker, "s": size, "facecolors": "none", "edgecolors": colour, "linewidths": 1.4}
    if shape == "dot":
        return {"marker": marker, "s": size, "c": colour, "linewidths": 0}
    return {"marker": marker, "s": size, "c": colour, "edgecolors": "white", "linewidths": 0.5}


def _scatter(ax, xy: np.ndarray, label: str, legend: _Legend, zorder: float, **kw) -> None:
    """Points with their legend entry (the label counts them); nothing for an empty layer."""
    if not len(xy):
        return
    ax.scatter(xy[:, 0], xy[:, 1], zorder=zorder, **kw)
    legend.add(Line2D([], [], linestyle="none", label=label, **legend_style(kw)))


def _kind_label(spec: PrintMap, kind: str) -> str:
    """A point layer's name: its label in ``spec.point_labels``, else the layer kind's name."""
    return spec.point_labels.get(kind) or KINDS[kind].label(spec.lang)


def _draw_points(ax, spec: PrintMap, legend: _Legend) -> None:
    """Facility and demand points per kind, then the uncovered demand points and the planned sites."""
    lang = spec.lang
    for kind, frame in spec.points.items():
        xy = _xy(frame)
        label = t("map.layer_count", lang, title=_kind_label(spec, kind), n=len(xy))
        _scatter(ax, xy, label, legend, _Z["points"], **_point_style(kind))
    xy = _xy(spec.uncovered)
    if len(xy):  # a white halo keeps the rings visible on every class colour, as on the web map
        halo = {**_point_style("uncovered"), "edgecolors": "white", "linewidths": 3.2}
        ax.scatter(xy[:, 0], xy[:, 1], zorder=_Z["uncovered"] - 0.1, **halo)
    _scatter(ax, xy, t("map.layer_count", lang, title=t("map.uncovered", lang), n=len(xy)), legend, _Z["uncovered"],
             **_point_style("uncovered"))
    for kind, frame in spec.planned.items():
        xy = _xy(frame)
        edge = ICON_STYLES[kind][1] if kind in ICON_STYLES else "#222222"
        style = {"marker": "*", "s": 260.0, "c": ICON_STYLES["planned"][1], "edgecolors": edge, "linewidths": 1.1}
        label = t("map.layer_count", lang, title=t("print.planned", lang, kind=KINDS[kind].label(lang)), n=len(xy))
        _scatter(ax, xy, label, legend, _Z["planned"], **style)


# --- map furniture -------------------------------------------------------------------------------


def _scale_bar(ax, extent: tuple[float, float, float, float], lang: str) -> None:
    """The reports' scale bar (:func:`scale_bar`), raised above the map's layers, its text haloed."""
    n_lines, n_texts = len(ax.lines), len(ax.texts)
    scale_bar(ax, extent, lang)
    for artist in ax.lines[n_lines:]:
        artist.set_zorder(_Z["furniture"])
    for artist in ax.texts[n_texts:]:
        artist.set_zorder(_Z["furniture"])
        artist.set_gid(_OUTLINED_GID)
        ax.text(*artist.get_position(), artist.get_text(), ha=artist.get_ha(), va=artist.get_va(),
                fontsize=artist.get_fontsize(), zorder=_Z["furniture"] - 0.01,
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])


def _north_arrow(ax, extent: tuple[float, float, float, float], lang: str) -> None:
    """A small north arrow in the map's upper right corner, turned to true north (UTM grid convergence)."""
    minx, miny, maxx, maxy = extent
    w, h = maxx - minx, maxy - miny
    centre = gpd.GeoSeries(shapely.points([((minx + maxx) / 2, (miny + maxy) / 2)]), crs=METRIC_CRS).to_crs(LONLAT_CRS)
    lon, lat = centre.x.iloc[0], centre.y.iloc[0]
    north = gpd.GeoSeries(shapely.points([(lon, lat), (lon, lat + 0.05)]), crs=LONLAT_CRS).to_crs(METRIC_CRS)
    angle = math.atan2(north.x.iloc[1] - north.x.iloc[0], north.y.iloc[1] - north.y.iloc[0])
    d = np.array([math.sin(angle), math.cos(angle)])
    p = np.array([d[1], -d[0]])
    length = 0.075 * h
    base = np.array([maxx - 0.05 * w, maxy - 0.05 * h - length - 0.03 * h])
    tip, notch = base + length * d, base + 0.25 * length * d
    left, right = base - 0.28 * length * p, base + 0.28 * length * p
    z = _Z["furniture"]
    pad = 0.02 * h
    box = (min(left[0], right[0], tip[0]) - pad, base[1] - pad, max(left[0], right[0], tip[0]) + pad, tip[1] + 0.075 * h)
    ax.add_patch(FancyBboxPatch(box[:2], box[2] - box[0], box[3] - box[1], boxstyle=f"round,pad=0,rounding_size={pad}",
                                facecolor="white", edgecolor="#999999", linewidth=0.5, alpha=0.85, zorder=z - 0.1))
    ax.add_patch(Polygon([tip, left, notch], closed=True, facecolor="#222222", edgecolor="#222222", linewidth=0.8, zorder=z))
    ax.add_patch(Polygon([tip, notch, right], closed=True, facecolor="white", edgecolor="#222222", linewidth=0.8, zorder=z))
    _outlined(ax, *(tip + 0.012 * h * d), t("print.north", lang), outline="black", width=_BOLD, ha="center", va="bottom",
              fontsize=10, zorder=z)


def _outlined(container, x: float, y: float, text: str, *, outline: str, width: float, **kw):
    """Text drawn twice: its outline (a halo, or faux bold) as a path beneath, the text itself on top.

    Path effects turn text into paths in a PDF; drawn this way the text stays text (searchable, copyable).
    A ``bbox`` goes with the outline, so that it lies beneath both.  In a raster image the text on top is
    drawn as a path too (see :func:`render_png`): hinted raster glyphs would drift off their outline.
    """
    zorder = kw.pop("zorder", 3.0)
    bbox = kw.pop("bbox", None)
    container.text(x, y, text, zorder=zorder - 0.01, bbox=bbox,
                   path_effects=[patheffects.withStroke(linewidth=width, foreground=outline)], **kw)
    return container.text(x, y, text, zorder=zorder, gid=_OUTLINED_GID, **kw)


def _wrap(text: str, width: int = 58) -> str:
    """``text`` wrapped to ``width`` columns, a Chinese character counting two; no line starts with closing punctuation."""
    lines, line, used = [], "", 0
    for word in re.findall(r"[\u2e80-\uffef]|[^\s\u2e80-\uffef]+|\s+", text):
        size = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in word)
        if used + size > width and line.strip() and not word.isspace():
            if word[0] in _NO_LINE_START and len(line) > 1:
                word, line = line[-1] + word, line[:-1]
                size += 2
            lines.append(line.rstrip())
            line, used = "", 0
        if line or not word.isspace():
            line, used = line + word, used + size
    return "\n".join([*lines, line.rstrip()]) if line.strip() else "\n".join(lines)


def _legend(fig: Figure, legend: _Legend, lang: str):
    """The legend in the right-hand column, its section headers larger and darker."""
    ax = fig.add_axes(LEGEND_BOX)
    ax.set_axis_off()
    for h in legend.handles:
        h.set_label(_wrap(h.get_label(), 48))
    leg = ax.legend(handles=legend.handles, loc="upper left", frameon=False, fontsize=8.5, title=t("print.legend", lang),
                    title_fontsize=11.5, alignment="left", handlelength=1.8, borderaxespad=0.0, labelspacing=0.55)
    texts = leg.get_texts()
    for i in legend.headers:  # headers larger and darker (outlining them would make them paths, not text, in a PDF)
        texts[i].set_fontsize(9.5)
        texts[i].set_color("black")
    for i in set(range(len(texts))) - set(legend.headers):
        texts[i].set_color("#222222")
    return leg


def _page_text(fig: Figure, spec: PrintMap) -> None:
    """Title, area name, date, projection, data sources and the synthetic-data notice."""
    lang = spec.lang
    top = MAP_BOX[1] + MAP_BOX[3]
    _outlined(fig, MAP_BOX[0], 0.965, spec.title, outline="black", width=_BOLD, fontsize=17, va="top")
    fig.text(MAP_BOX[0], top + 0.012, spec.area_name, fontsize=12.5, color="#333333", va="bottom")
    date = (spec.date or datetime.date.today()).isoformat()
    right = LEGEND_BOX[0] + LEGEND_BOX[2]
    fig.text(right, 0.965, t("print.date", lang, date=date), fontsize=9, ha="right", va="top")
    fig.text(right, top + 0.012, t("print.crs", lang), fontsize=7, color="#555555", ha="right", va="bottom")
    if spec.sources:
        body = "\n".join(_wrap("· " + s, 64) for s in spec.sources)
        fig.text(LEGEND_BOX[0], MAP_BOX[1], t("print.sources", lang) + "\n" + body, fontsize=7.2, color="#333333",
                 va="bottom", linespacing=1.45)
    if spec.synthetic:
        _outlined(fig, 0.5, 0.022, t("print.synthetic", lang), outline=_NOTICE_TEXT, width=_BOLD, fontsize=10.5,
                  color=_NOTICE_TEXT, ha="center", va="bottom",
                  bbox={"boxstyle": "round,pad=0.45", "facecolor": _NOTICE_FILL, "edgecolor": _NOTICE_TEXT, "linewidth": 1.2})


# --- the page ------------------------------------------------------------------------------------


def build_figure(spec: PrintMap) -> Figure:
    """The print layout as a matplotlib Figure (A4 landscape, no pyplot).

    Parameters
    ----------
    spec : PrintMap
        What the map shows.

    Returns
    -------
    matplotlib.figure.Figure
        The page; its first axes is the map (in metres, :data:`METRIC_CRS`, filling :data:`MAP_BOX`),
        the second holds the legend.
    """
    setup_fonts()
    fig = Figure(figsize=PAGE_SIZE, dpi=100, facecolor="white")
    ax = fig.add_axes(MAP_BOX)
    extent = map_extent(spec)
    minx, miny, maxx, maxy = extent
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)
    tolerance = (maxx - minx) / 3000.0  # well under a pixel of the printed map
    legend = _Legend()
    _draw_units(ax, spec, tolerance, legend)
    legend.header(t("print.layers", spec.lang))
    _draw_outline(ax, spec, extent, tolerance, legend)
    _draw_reference(ax, spec, tolerance, legend)
    _draw_coverage(ax, spec, tolerance, legend)
    _draw_points(ax, spec, legend)
    _scale_bar(ax, extent, spec.lang)
    _north_arrow(ax, extent, spec.lang)
    _legend(fig, legend, spec.lang)
    _page_text(fig, spec)
    return fig


def render_png(spec: PrintMap, dpi: float = 150) -> bytes:
    """The print layout as a PNG file.

    Parameters
    ----------
    spec : PrintMap
        What the map shows.
    dpi : float
        Resolution; the image is A4 landscape at this resolution (about 1754 × 1240 pixels at 150 dpi).

    Returns
    -------
    bytes
        The PNG file.
    """
    fig = build_figure(spec)
    for text in fig.findobj(lambda a: a.get_gid() == _OUTLINED_GID):
        text.set_path_effects([patheffects.Normal()])  # drawn as a path, like its outline beneath
    return png_bytes(fig, dpi=dpi)


def render_pdf(spec: PrintMap) -> bytes:
    """The print layout as a one-page PDF, A4 landscape, with the Chinese font embedded (subset).

    Parameters
    ----------
    spec : PrintMap
        What the map shows.

    Returns
    -------
    bytes
        The PDF file.
    """
    from matplotlib.backends.backend_pdf import FigureCanvasPdf

    fig = build_figure(spec)
    buf = io.BytesIO()
    FigureCanvasPdf(fig).print_figure(buf, format="pdf", metadata={"Title": spec.title, "Creator": "sxgeo"})
    return buf.getvalue()
