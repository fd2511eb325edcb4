"""The county map of a report: facilities, walking coverage and gaps, drawn with matplotlib."""

from __future__ import annotations

import numpy as np
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sxgeo.outputs.fonts import png_base64, setup_fonts
from sxgeo.outputs.staticmap import MAP_ASPECT, MAP_AXES, MAP_SIZE, draw_polygons, fit_extent, legend_style, scale_bar
from sxgeo.settings import METRIC_CRS

__all__ = ["CountyMap"]


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
        """The county map as base64 PNG: facilities, fitness coverage and the gaps."""
        setup_fonts()
        geom = self.display.geometry.at[code]
        minx, miny, maxx, maxy = geom.bounds
        minx, miny, maxx, maxy = fit_extent(geom.bounds, MAP_ASPECT)
        fig = Figure(figsize=MAP_SIZE, dpi=100)
        ax = fig.add_axes(MAP_AXES)
        box = shapely.box(minx, miny, maxx, maxy)
        near = self.display.iloc[self.display_tree.query(box)]
        draw_polygons(ax, near.geometry.to_numpy(), facecolor="#eeeeee", edgecolor="#bbbbbb", linewidth=0.6)
        draw_polygons(ax, [geom], facecolor="white", edgecolor="#333333", linewidth=1.4)
        handles = [Patch(facecolor="white", edgecolor="#333333", label=self.tr("legend_county"))]
        if self.cover_tree is not None:
            parts = self.cover_parts[self.cover_tree.query(box)]
            if len(parts):
                draw_polygons(ax, parts, facecolor="#a8dcb5", edgecolor="none", alpha=0.55)
                minutes = self.walk["fitness_walk_share"].params.get("threshold_min", 15)
                handles.append(Patch(facecolor="#a8dcb5", alpha=0.55, label=self.tr("legend_coverage", minutes=minutes)))
        draw_polygons(ax, [geom], facecolor="none", edgecolor="#333333", linewidth=1.4, zorder=2.5)

        def inside(xy: np.ndarray) -> np.ndarray:
            return (xy[:, 0] >= minx) & (xy[:, 0] <= maxx) & (xy[:, 1] >= miny) & (xy[:, 1] <= maxy)

        def scatter(xy, mask, label, own=None, **kw):
            """Points of ``mask`` in view; those outside the county (``own`` False) faded."""
            if not len(xy):
                return
            show = mask & inside(xy)
            own = np.ones(len(xy), bool) if own is None else own
            drawn = False
            for part, alpha in ((show & ~own, 0.3), (show & own, 1.0)):
                if part.any():
                    ax.scatter(xy[part, 0], xy[part, 1], alpha=alpha, **kw)
                    drawn = True
            if drawn:
                handles.append(Line2D([], [], linestyle="none", label=label, **legend_style(kw)))

        def own(kind: str) -> np.ndarray:
            return (layers[kind]["county_code"] == code).to_numpy()

        layers = self.inputs.layers
        res = layers.get("residential")
        gap_ids = {k: set(self.gaps[k]["id"]) if self.gaps.get(k) is not None else set() for k in ("fitness", "elderly")}
        if res is not None:
            xy = self.layer_xy["residential"]
            in_gap = res["id"].isin(gap_ids["fitness"] | gap_ids["elderly"]).to_numpy()
            scatter(xy, ~in_gap, self.tr("legend_residential"), own("residential"), s=4, c="#9a9a9a", marker="o", linewidths=0)
        kg = layers.get("kindergartens")
        if kg is not None:
            public = kg["ownership"].eq("public").to_numpy()
            scatter(self.layer_xy["kindergartens"], public, self.tr("legend_kg_public"), own("kindergartens"), s=22, c="#1f5fbf", marker="s", linewidths=0)
            scatter(self.layer_xy["kindergartens"], ~public, self.tr("legend_kg_private"), own("kindergartens"), s=18, facecolors="none",
                    edgecolors="#1f5fbf", marker="s", linewidths=0.8)
        fit = layers.get("fitness")
        if fit is not None:
            scatter(self.layer_xy["fitness"], np.ones(len(fit), bool), self.tr("legend_fitness"), own("fitness"), s=26, c="#1a7f37", marker="^", linewidths=0)
        eld = layers.get("elderly_care")
        if eld is not None:
            community = eld["care_kind"].eq("community").to_numpy()
            institution = eld["care_kind"].eq("institution").to_numpy()
            scatter(self.layer_xy["elderly_care"], community, self.tr("legend_elderly"), own("elderly_care"), s=22, c="#8e44ad", marker="D", linewidths=0)
            scatter(self.layer_xy["elderly_care"], institution, self.tr("legend_institution"), own("elderly_care"), s=40, c="#5b2c6f", marker="P", linewidths=0)
        for q, color, marker, key in (
            ("fitness_walk_share", "#d62728", "o", "legend_gap_fitness"),
            ("elderly_walk_share", "#ff8c00", "x", "legend_gap_elderly"),
        ):
            r = self.walk.get(q)
            if r is None:
                continue
            uncovered = ~r.points["covered"].fillna(False).astype(bool).to_numpy()
            own = (r.points["county_code"] == code).to_numpy()
            style = {"s": 40, "c": color, "marker": marker, "linewidths": 1.2 if marker == "x" else 0}
            if marker == "o":
                style.update(facecolors="none", edgecolors=color, c=None, linewidths=1.4)
            scatter(self.walk_xy[q], uncovered & own, self.tr(key), **{k: v for k, v in style.items() if v is not None})
        kgg = self.gaps.get("kindergarten")
        if kgg is not None and len(kgg):
            own = (kgg["county_code"] == code).to_numpy() & ~np.isnan(self.kg_gap_xy[:, 0])
            scatter(self.kg_gap_xy, own, self.tr("legend_gap_kg"), s=120, c="#000000", marker="*", linewidths=0)
            for (x, y), name in zip(self.kg_gap_xy[own], kgg.loc[own, "unit_name"], strict=True):
                ax.annotate(name, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=8, color="#000000")
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
        ax.set_axis_off()
        scale_bar(ax, (minx, miny, maxx, maxy), self.lang)
        info = self.county_info.loc[code]
        fig.suptitle(self.tr("map_title", city=info["city_name"], county=info["name"], code=code), fontsize=13)
        ax.legend(handles=handles, loc="upper right", fontsize=7.5, framealpha=0.9)
        return png_base64(fig)
