"""Static maps drawn with matplotlib for the reports and printed outputs: polygons, points, scale bar."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import shapely

from sxgeo.text import t

__all__ = [
    "LEGEND_MAP_AXES",
    "LEGEND_MAP_SIZE",
    "MAP_ASPECT",
    "MAP_AXES",
    "MAP_SIZE",
    "draw_polygons",
    "fit_extent",
    "legend_style",
    "scale_bar",
    "side_legend",
]

#: Size (inches, at 100 dpi) and axes box of every map.
MAP_SIZE = (8.0, 7.0)
MAP_AXES = (0.01, 0.01, 0.98, 0.92)
MAP_ASPECT = MAP_AXES[2] * MAP_SIZE[0] / (MAP_AXES[3] * MAP_SIZE[1])
#: A map with its legend in a column on the right (many layers): the map keeps the size and
#: shape (:data:`MAP_ASPECT`) of the other maps, the figure is wider by the legend's column.
LEGEND_MAP_SIZE = (10.6, 7.0)
LEGEND_MAP_AXES = (0.0075, 0.01, MAP_AXES[2] * MAP_SIZE[0] / LEGEND_MAP_SIZE[0], 0.92)


def draw_polygons(ax, geoms, **kw) -> None:
    """Draw shapely (Multi)Polygons on ``ax`` as one PathCollection (much faster than GeoSeries.plot)."""
    from matplotlib.collections import PathCollection
    from matplotlib.path import Path as MplPath

    parts = shapely.get_parts(shapely.orient_polygons(np.asarray(geoms, dtype=object)))
    paths = []
    for poly in parts:
        if poly is None or poly.is_empty or poly.geom_type != "Polygon":
            continue
        verts, codes = [], []
        for ring in shapely.get_rings(poly):
            xy = shapely.get_coordinates(ring)
            verts.append(xy)
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            codes.append(c)
        paths.append(MplPath(np.concatenate(verts), np.concatenate(codes)))
    if paths:
        ax.add_collection(PathCollection(paths, **kw), autolim=False)


def _nice_km(width_m: float) -> float:
    """A round scale-bar length (km) about a fifth of ``width_m``."""
    target = width_m / 5000.0
    for step in (0.2, 0.5, 1, 2, 5, 10, 20, 50, 100):
        if step >= target:
            return step
    return 100.0


def scale_bar(ax, extent: tuple[float, float, float, float], lang: str = "zh") -> None:
    """A scale bar in the lower left corner of a map drawn in metres."""
    minx, miny, maxx, maxy = extent
    km = _nice_km(maxx - minx)
    x0, y0 = minx + 0.04 * (maxx - minx), miny + 0.04 * (maxy - miny)
    ax.plot([x0, x0 + km * 1000], [y0, y0], color="black", linewidth=3, solid_capstyle="butt")
    ax.text(x0 + km * 500, y0 + 0.012 * (maxy - miny), t("report.scale", lang, km=km), ha="center", va="bottom", fontsize=8)


def fit_extent(bounds: tuple[float, float, float, float], aspect: float, pad: float = 0.04) -> tuple[float, ...]:
    """``bounds`` grown by ``pad`` and widened or heightened to the width/height ``aspect``."""
    minx, miny, maxx, maxy = bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = (maxx - minx) * (1 + 2 * pad), (maxy - miny) * (1 + 2 * pad)
    w, h = max(w, h * aspect, 1.0), max(h, w / aspect, 1.0)
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def legend_style(kw: dict) -> dict:
    """Legend-handle style (``Line2D`` keywords) matching a ``scatter`` call's keywords."""
    style = {"marker": kw.get("marker", "o"), "markersize": max(3.0, math.sqrt(kw.get("s", 20)))}
    face = kw.get("facecolors", kw.get("c"))
    style["markerfacecolor"] = "none" if face == "none" else face
    style["markeredgecolor"] = kw.get("edgecolors", kw.get("c"))
    style["markeredgewidth"] = kw.get("linewidths", 0) or (1.2 if kw.get("marker") == "x" else 0)
    return style


def side_legend(ax, handles: list, fontsize: float = 8.0, width: int = 34):
    """The legend of ``handles`` in the column right of ``ax`` (see :data:`LEGEND_MAP_AXES`), top aligned.

    Labels longer than ``width`` characters are wrapped at spaces, so that
    they stay in the column.
    """
    for handle in handles:
        handle.set_label(textwrap.fill(handle.get_label(), width))
    return ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                     fontsize=fontsize, frameon=False, handletextpad=0.4, labelspacing=0.55)
