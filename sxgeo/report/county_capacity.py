"""The capacity section of the reports: scores, equity, the concentration curve and the capacity gap list."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sxgeo.analysis import equity
from sxgeo.analysis.supply import CAPACITY_KINDS
from sxgeo.formatting import fmt_percent
from sxgeo.layers.geometry import metric_xy
from sxgeo.outputs import charts
from sxgeo.outputs.fonts import setup_fonts
from sxgeo.outputs.staticmap import MAP_ASPECT, MAP_AXES, MAP_SIZE, draw_polygons, fit_extent, scale_bar
from sxgeo.outputs.tables import localise
from sxgeo.report.templates import cell

__all__ = ["CapacityPages"]

#: Colours of the kinds in charts and of the score classes on the map.
_COLOURS = {"kindergartens": "#1f5fbf", "elderly": "#8e44ad", "fitness": "#1a7f37"}
_BELOW, _ABOVE = "#c0392b", "#1a7f37"
#: Equity figures shown per county, in order.
EQUITY_COLUMNS = ("mean_score", "share_below", "gini", "cv", "palma", "theil", "theil_between_share", "fgt1",
                  "urban_rural_ratio", "gini_townships")
_GAP_COLUMNS = ("rank", "township_code", "township_name", "demand", "mean_score", "needed", "reached", "shortfall")


class CapacityPages:
    """Mixin of :class:`sxgeo.report.builder.ReportBuilder`: the capacity measures on county and summary pages."""

    def capacity_results(self) -> dict:
        """The capacity measures the analysis made, by kind (those without their layers are left out)."""
        out = {}
        for kind in CAPACITY_KINDS:
            result = self.analysis.capacity_result(kind)
            if result is not None:
                out[kind] = result
        return out

    def equity_table(self, kind: str, codes) -> pd.DataFrame:
        """Per county of ``codes``: the population-weighted mean score, the share below and the equity figures.

        ``rank`` orders the counties from the most equal (lowest Gini).
        """
        result = self.capacity_results()[kind]
        area = result.by_area("county")[["share_below"]]
        eq = result.equity("county").join(area, how="left")
        eq = eq[eq.index.isin(set(codes)) & (eq["demand"] > 0)].copy()
        eq["rank"] = eq["gini"].rank(method="min").astype("Int64")
        eq.insert(0, "county_name", eq.index.map(self.county_info["name"]))
        return eq.sort_values(["rank", "mean_score"], na_position="last")

    def _number(self, column: str, value) -> str:
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            return "—"
        if column in ("share_below",):
            return fmt_percent(value)
        if column in ("mean_score", "demand", "needed", "reached", "shortfall"):
            return f"{float(value):,.1f}"
        return f"{float(value):.3f}"

    def _frame_table(self, frame: pd.DataFrame, columns) -> dict:
        cols = [c for c in columns if c in frame.columns]
        header = list(localise(pd.DataFrame(columns=cols), self.lang).columns)
        rows = [[cell(self._number(c, v) if isinstance(v, float | np.floating) else v,
                      "num" if isinstance(v, float | int | np.number) else None) for c, v in zip(cols, rec, strict=True)]
                for rec in frame[cols].itertuples(index=False)]
        return {"header": header, "rows": rows, "empty": self.tr("empty")}

    def capacity_sections(self, code: str) -> list[dict]:
        """The county page's capacity sections: one per measure, with figures, the curve, the map and the gaps."""
        sections = []
        for kind, result in self.capacity_results().items():
            pts = result.points[result.points["county_code"] == code]
            if pts["demand"].sum() <= 0:
                continue
            eq = self.equity_table(kind, self.scope.county_codes)
            row = eq.loc[[code]] if code in eq.index else eq.iloc[0:0]
            figures = self.tr("cap_figures", n=len(eq), rank=row["rank"].iat[0] if len(row) else "—")
            gaps = result.gap_list()
            gaps = gaps[gaps["county_code"] == code].copy()
            gaps["rank"] = np.arange(1, len(gaps) + 1)
            sections.append({
                "title": self.tr(f"cap_title_{kind}", threshold=f"{result.threshold:g}" if result.threshold else "—",
                                 minutes=f"{result.params.get('catchment_min', 0):g}"),
                "paragraphs": [figures, self.tr("cap_method", method=self.tr(f"cap_method_{result.method}"))],
                "charts": [c for c in (self.concentration_curve(kind, pts), self.score_map(code, pts, result.threshold)) if c],
                "tables": [
                    {"title": self.tr("cap_equity"), "table": self._frame_table(row, EQUITY_COLUMNS)},
                    {"title": self.tr("cap_gaps", n=len(gaps)), "table": self._frame_table(gaps, _GAP_COLUMNS)},
                ],
            })
        return sections

    def capacity_summary_sections(self, codes) -> list[dict]:
        """The summary page's ranking of counties by equity, one per measure."""
        out = []
        for kind in self.capacity_results():
            eq = self.equity_table(kind, codes).reset_index().rename(columns={"unit_code": "county_code"})
            bottom = self.capacity_results()[kind].bottom_townships(0.1, codes).reset_index()
            bottom = bottom.rename(columns={"unit_code": "township_code"})
            out.append({"title": self.tr(f"cap_rank_{kind}"), "paragraphs": [self.tr("cap_rank_note")], "charts": [],
                        "tables": [
                            {"title": "", "table": self._frame_table(eq, ("rank", "county_code", "county_name", *EQUITY_COLUMNS))},
                            {"title": self.tr("cap_bottom", n=len(bottom)), "table": self._frame_table(
                                bottom, ("township_code", "township_name", "county_name", "demand", "mean_score",
                                         "share_below", "shortfall"))},
                        ]})
        return out

    def concentration_curve(self, kind: str, pts: pd.DataFrame) -> str | None:
        """The county's concentration curve of the score (PNG data URI), urban and rural apart."""
        series = []
        for label, mask, colour in ((self.tr("cap_all"), np.ones(len(pts), bool), _COLOURS[kind]),
                                    (self.tr("cap_urban"), pts["urban"].to_numpy(bool), "#e67e22"),
                                    (self.tr("cap_rural"), ~pts["urban"].to_numpy(bool), "#16a085")):
            pop, val = equity.lorenz(pts["score"].to_numpy(float)[mask], pts["demand"].to_numpy(float)[mask])
            if len(pop):
                series.append((label, colour, pop, val))
        if not series:
            return None
        fig = charts.concentration_chart(self.tr("cap_curve"), series, xlabel=self.tr("cap_curve_x"),
                                         ylabel=self.tr("cap_curve_y"), equality_label=self.tr("cap_equality"))
        return charts.to_data_uri(fig)

    def score_map(self, code: str, pts: pd.DataFrame, threshold: float | None) -> str | None:
        """Residential points of the county coloured by whether their score reaches the threshold (PNG data URI)."""
        if threshold is None or not len(pts):
            return None
        setup_fonts()
        outline = self.display.loc[[code]].geometry
        extent = fit_extent(tuple(outline.total_bounds), MAP_ASPECT)
        fig = Figure(figsize=MAP_SIZE, dpi=100)
        ax = fig.add_axes(MAP_AXES)
        draw_polygons(ax, outline.to_numpy(), facecolor="white", edgecolor="#333333", linewidth=1.2)
        xy = metric_xy(pts)
        below = pts["below"].to_numpy(bool)
        size = np.clip(np.sqrt(pts["demand"].to_numpy(float)) * 1.5, 4, 60)
        for mask, colour, key in ((~below, _ABOVE, "cap_map_above"), (below, _BELOW, "cap_map_below")):
            ax.scatter(xy[mask, 0], xy[mask, 1], s=size[mask], c=colour, alpha=0.75, linewidths=0,
                       label=self.tr(key, threshold=f"{threshold:g}"))
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
        ax.set_axis_off()
        scale_bar(ax, extent, self.lang)
        ax.legend(loc="upper right", fontsize=9, framealpha=0.9)
        return charts.to_data_uri(fig)
