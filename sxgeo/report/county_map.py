"""The county map of a report: facilities of every layer, walking coverage and gaps, drawn with matplotlib."""

from __future__ import annotations

import numpy as np
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sxgeo.outputs.fonts import png_base64, setup_fonts
from sxgeo.outputs.staticmap import (
    LEGEND_MAP_AXES,
    LEGEND_MAP_SIZE,
    MAP_ASPECT,
    draw_polygons,
    fit_extent,
    legend_style,
    scale_bar,
    side_legend,
)
from sxgeo.settings import METRIC_CRS
from sxgeo.text import t

__all__ = ["CountyMap"]

#: Walking-time gaps drawn on the map: (quantity, colour, marker, legend text key).
_WALK_GAPS = (
    ("fitness_walk_share", "#d62728", "o", "legend_gap_fitness"),
    ("elderly_walk_share", "#ff8c00", "x", "legend_gap_elderly"),
)
#: The plan tasks' facility layers, small (legend text ``kind.<layer>``): (layer kind, scatter style).
_TASK_LAYERS = (
    ("primary_care", {"s": 14, "c": "#d81b60", "marker": "+", "linewidths": 0.9}),
    ("special_education", {"s": 22, "c": "#00838f", "marker": "v", "linewidths": 0}),
    ("culture", {"s": 22, "c": "#b8860b", "marker": "p", "linewidths": 0}),
    ("child_welfare", {"s": 24, "c": "#6d4c41", "marker": "8", "linewidths": 0}),
)
#: Hospitals by level, larger and drawn over the other facilities: (``hospital_level`` code, scatter style).
_HOSPITAL_LEVELS = (
    ("level1", {"s": 34, "c": "#e57373", "marker": "H", "edgecolors": "white", "linewidths": 0.5}),
    ("level2", {"s": 50, "c": "#c62828", "marker": "H", "edgecolors": "white", "linewidths": 0.5}),
    ("level3", {"s": 80, "c": "#6a0000", "marker": "H", "edgecolors": "white", "linewidths": 0.6}),
    ("unknown", {"s": 34, "facecolors": "none", "edgecolors": "#c62828", "marker": "H", "linewidths": 1.0}),
)
#: Legend order of the hospital levels: the highest first.
_HOSPITAL_LEGEND = ("level3", "level2", "level1", "unknown")


class _Canvas:
    """The axes of one county map, its extent (metres) and the legend entries of what was drawn."""

    def __init__(self, ax, extent: tuple[float, float, float, float]) -> None:
        self.ax = ax
        self.extent = extent
        self.handles: list = []

    def inside(self, xy: np.ndarray) -> np.ndarray:
        """Which of the points ``xy`` lie in the map's extent."""
        minx, miny, maxx, maxy = self.extent
        return (xy[:, 0] >= minx) & (xy[:, 0] <= maxx) & (xy[:, 1] >= miny) & (xy[:, 1] <= maxy)

    def scatter(self, xy: np.ndarray, mask: np.ndarray, label: str, own: np.ndarray | None = None, *,
                legend: bool = True, **kw) -> Line2D | None:
        """Points of ``mask`` in view; those outside the county (``own`` False) faded.

        Returns the legend entry when something was drawn (added to the
        legend unless ``legend`` is False), else None.
        """
        if not len(xy):
            return None
        show = mask & self.inside(xy)
        own = np.ones(len(xy), bool) if own is None else own
        drawn = False
        for part, alpha in ((show & ~own, 0.3), (show & own, 1.0)):
            if part.any():
                self.ax.scatter(xy[part, 0], xy[part, 1], alpha=alpha, **kw)
                drawn = True
        if not drawn:
            return None
        handle = Line2D([], [], linestyle="none", label=label, **legend_style(kw))
        if legend:
            self.handles.append(handle)
        return handle


class CountyMap:
    """Mixin of :class:`sxgeo.report.builder.ReportBuilder`: the map of one county."""

    def _coverage_parts(self):
        """The fitness covered area split into parts, with a spatial index (None without coverage)."""
        res = self.walk.get("fitness_walk_share")
        area = getattr(res, "covered_area", None)
        if area is None or len(area) == 0:
            return np.empty(0, dtype=object), None
        geoms = area.to_crs(METRIC_CRS).geometry.to_numpy()
        parts = shapely.get_parts(geoms)
        return parts, shapely.STRtree(parts)

    def county_map(self, code: str) -> str:
        """The county map as base64 PNG (:meth:`county_figure`)."""
        return png_base64(self.county_figure(code))

    def county_figure(self, code: str) -> Figure:
        """The county map: facilities of every layer present, fitness coverage and the gaps, legend on the right."""
        setup_fonts()
        geom = self.display.geometry.at[code]
        extent = fit_extent(geom.bounds, MAP_ASPECT)
        fig = Figure(figsize=LEGEND_MAP_SIZE, dpi=100)
        canvas = _Canvas(fig.add_axes(LEGEND_MAP_AXES), extent)
        self._draw_areas(canvas, geom)
        self._draw_facilities(canvas, code)
        self._draw_task_layers(canvas, code)
        facilities_end = len(canvas.handles)
        self._draw_walk_gaps(canvas, code)
        self._draw_hospitals(canvas, code, facilities_end)  # few and large: over the gaps, listed with the facilities
        self._draw_kindergarten_gaps(canvas, code)
        ax = canvas.ax
        minx, miny, maxx, maxy = extent
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
        ax.set_axis_off()
        scale_bar(ax, (minx, miny, maxx, maxy), self.lang)
        info = self.county_info.loc[code]
        fig.suptitle(self.tr("map_title", city=info["city_name"], county=info["name"], code=code), fontsize=13,
                     x=LEGEND_MAP_AXES[0] + LEGEND_MAP_AXES[2] / 2)
        side_legend(ax, canvas.handles)
        return fig

    def _draw_areas(self, canvas: _Canvas, geom) -> None:
        """The neighbouring counties in grey, the county in white and the fitness coverage in view."""
        ax = canvas.ax
        box = shapely.box(*canvas.extent)
        near = self.display.iloc[self.display_tree.query(box)]
        draw_polygons(ax, near.geometry.to_numpy(), facecolor="#eeeeee", edgecolor="#bbbbbb", linewidth=0.6)
        draw_polygons(ax, [geom], facecolor="white", edgecolor="#333333", linewidth=1.4)
        canvas.handles.append(Patch(facecolor="white", edgecolor="#333333", label=self.tr("legend_county")))
        if self.cover_tree is not None:
            parts = self.cover_parts[self.cover_tree.query(box)]
            if len(parts):
                draw_polygons(ax, parts, facecolor="#a8dcb5", edgecolor="none", alpha=0.55)
                minutes = self.walk["fitness_walk_share"].params.get("threshold_min", 15)
                canvas.handles.append(Patch(facecolor="#a8dcb5", alpha=0.55, label=self.tr("legend_coverage", minutes=minutes)))
        draw_polygons(ax, [geom], facecolor="none", edgecolor="#333333", linewidth=1.4, zorder=2.5)

    def _in_county(self, kind: str, code: str) -> np.ndarray:
        """Which points of the input layer ``kind`` lie in the county ``code``."""
        return (self.inputs.layers[kind]["county_code"] == code).to_numpy()

    def _draw_facilities(self, canvas: _Canvas, code: str) -> None:
        """Demand points outside the walking gaps, kindergartens, fitness and elderly-care facilities."""
        layers, xy, tr = self.inputs.layers, self.layer_xy, self.tr
        res = layers.get("residential")
        gap_ids = {k: set(self.gaps[k]["id"]) if self.gaps.get(k) is not None else set() for k in ("fitness", "elderly")}
        if res is not None:
            in_gap = res["id"].isin(gap_ids["fitness"] | gap_ids["elderly"]).to_numpy()
            canvas.scatter(xy["residential"], ~in_gap, tr("legend_residential"), self._in_county("residential", code),
                           s=4, c="#9a9a9a", marker="o", linewidths=0)
        kg = layers.get("kindergartens")
        if kg is not None:
            public = kg["ownership"].eq("public").to_numpy()
            own = self._in_county("kindergartens", code)
            canvas.scatter(xy["kindergartens"], public, tr("legend_kg_public"), own, s=22, c="#1f5fbf", marker="s", linewidths=0)
            canvas.scatter(xy["kindergartens"], ~public, tr("legend_kg_private"), own, s=18, facecolors="none",
                           edgecolors="#1f5fbf", marker="s", linewidths=0.8)
        fit = layers.get("fitness")
        if fit is not None:
            canvas.scatter(xy["fitness"], np.ones(len(fit), bool), tr("legend_fitness"), self._in_county("fitness", code),
                           s=26, c="#1a7f37", marker="^", linewidths=0)
        eld = layers.get("elderly_care")
        if eld is not None:
            community = eld["care_kind"].eq("community").to_numpy()
            institution = eld["care_kind"].eq("institution").to_numpy()
            own = self._in_county("elderly_care", code)
            canvas.scatter(xy["elderly_care"], community, tr("legend_elderly"), own, s=22, c="#8e44ad", marker="D", linewidths=0)
            canvas.scatter(xy["elderly_care"], institution, tr("legend_institution"), own, s=40, c="#5b2c6f", marker="P",
                           linewidths=0)

    def _draw_task_layers(self, canvas: _Canvas, code: str) -> None:
        """The plan tasks' facility layers present but hospitals, in small markers."""
        layers, xy = self.inputs.layers, self.layer_xy
        for kind, style in _TASK_LAYERS:
            if layers.get(kind) is not None:
                canvas.scatter(xy[kind], np.ones(len(layers[kind]), bool), t(f"kind.{kind}", self.lang),
                               self._in_county(kind, code), **style)

    def _draw_hospitals(self, canvas: _Canvas, code: str, legend_at: int) -> None:
        """Hospitals per level, larger the higher (level 3 drawn last); their legend entries at ``legend_at``."""
        hospitals, xy = self.inputs.layers.get("hospitals"), self.layer_xy
        if hospitals is None:
            return
        level = hospitals["hospital_level"].astype(object).to_numpy()
        graded = [c for c, _ in _HOSPITAL_LEVELS if c != "unknown"]
        own = self._in_county("hospitals", code)
        handles = {}
        for level_code, style in _HOSPITAL_LEVELS:
            mask = level == level_code if level_code != "unknown" else ~np.isin(level, graded)  # no level: unknown
            label = self.tr("legend_hospital", level=t(f"cat.hospital_level.{level_code}", self.lang))
            handles[level_code] = canvas.scatter(xy["hospitals"], mask, label, own, legend=False, **style)
        canvas.handles[legend_at:legend_at] = [handles[c] for c in _HOSPITAL_LEGEND if handles[c] is not None]

    def _draw_walk_gaps(self, canvas: _Canvas, code: str) -> None:
        """The county's demand points beyond walking distance of a fitness or an elderly-care facility."""
        for q, color, marker, key in _WALK_GAPS:
            r = self.walk.get(q)
            if r is None:
                continue
            uncovered = ~r.points["covered"].fillna(False).astype(bool).to_numpy()
            own = (r.points["county_code"] == code).to_numpy()
            style = {"s": 40, "c": color, "marker": marker, "linewidths": 1.2 if marker == "x" else 0}
            if marker == "o":
                style.update(facecolors="none", edgecolors=color, c=None, linewidths=1.4)
            canvas.scatter(self.walk_xy[q], uncovered & own, self.tr(key), **{k: v for k, v in style.items() if v is not None})

    def _draw_kindergarten_gaps(self, canvas: _Canvas, code: str) -> None:
        """The county's townships without a public kindergarten, starred and named."""
        kgg = self.gaps.get("kindergarten")
        if kgg is None or not len(kgg):
            return
        own = (kgg["county_code"] == code).to_numpy() & ~np.isnan(self.kg_gap_xy[:, 0])
        canvas.scatter(self.kg_gap_xy, own, self.tr("legend_gap_kg"), s=120, c="#000000", marker="*", linewidths=0)
        for (x, y), name in zip(self.kg_gap_xy[own], kgg.loc[own, "unit_name"], strict=True):
            canvas.ax.annotate(name, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=8, color="#000000")
