"""County reports and the summary page, built from one analysis (``sxgeo report``).

The whole scope is analysed once with :func:`sxgeo.analysis.run.analyse` (the
same call the app makes) and each county's report is a slice of that
analysis: an HTML page (map, targets table, charts, gap lists) and an XLSX
workbook with one sheet per target and per gap list.  A summary page ranks
the counties on each target and links to their reports.

The HTML pages are self-contained: the map and the charts are PNG images
drawn with matplotlib and embedded as ``data:`` URIs; there is no script, no
web font and no external link, so a page opens offline and sends no request.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from sxgeo.analysis.inputs import Inputs
from sxgeo.analysis.regional import RegionalScenario
from sxgeo.analysis.run import WALK_QUANTITIES, Analysis
from sxgeo.formatting import fmt_gap, fmt_percent, fmt_status, fmt_threshold, fmt_value
from sxgeo.layers import boundaries
from sxgeo.layers.geometry import metric_xy, on_map
from sxgeo.layers.scope import Scope
from sxgeo.outputs.fonts import setup_fonts
from sxgeo.report.county import CountyPages
from sxgeo.report.county_capacity import CapacityPages
from sxgeo.report.county_map import CountyMap
from sxgeo.report.county_tasks import SourceNotes, TaskPages
from sxgeo.report.gaps import GAP_KINDS
from sxgeo.report.regional import RegionalPages
from sxgeo.report.summary import SummaryPages
from sxgeo.report.templates import cell, environment
from sxgeo.settings import METRIC_CRS, NETWORK_MIN_SHARE, WALK_SPEED_KMH
from sxgeo.text import t

__all__ = ["ReportBuilder"]



def _map_xy(layer) -> np.ndarray:
    """Metric x/y of a layer's points, NaN for rows that are not on the map (they are listed, not drawn)."""
    xy = metric_xy(layer)
    if layer is not None and len(layer):
        xy[~on_map(layer)] = np.nan
    return xy


class ReportBuilder(CountyPages, CountyMap, SummaryPages, CapacityPages, TaskPages, RegionalPages):
    """Builds county reports and the summary from one analysis.

    Parameters
    ----------
    inputs
        From :func:`load_inputs`.
    analysis
        :func:`analyse_inputs` of the same inputs (whole province, or at least
        every county reported on).
    scope
        The counties to summarise.
    lang
        ``zh`` (default) or ``en``.
    regional_scenario
        The regional medical projects scenario, loaded or as a file
        (:func:`sxgeo.analysis.regional.load_regional_scenario`; default the
        shipped one).  Its reach is computed here, once for the whole batch,
        with the same inputs and options as ``analysis``.
    """

    def __init__(self, inputs: Inputs, analysis: Analysis, scope: Scope, *, lang: str = "zh",
                 regional_scenario: RegionalScenario | str | Path | None = None) -> None:
        self.inputs, self.analysis, self.scope, self.lang = inputs, analysis, scope, lang
        self.generated = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        counties = inputs.counties.set_index("adcode")
        self.county_info = counties[["name", "city_code", "city_name"]]
        display = boundaries.load_counties(display=True).to_crs(METRIC_CRS)
        self.display = display.set_index("adcode")
        self.display_tree = shapely.STRtree(display.geometry.to_numpy())
        ev = analysis.evaluation
        self.evaluation = ev
        self.targets = {tg.id: tg for tg in analysis.targets}
        lists = analysis.gap_lists()  # every list once (the walking ones sort and summarise all points)
        self.gaps = {k: lists.get(k) for k in GAP_KINDS}
        self.gaps["nursing"] = lists["nursing"] if "nursing_beds_county" in self.targets else None
        self.gaps["off_map"] = analysis.off_map
        self.layer_xy = {k: _map_xy(v) for k, v in inputs.layers.items()}
        self.walk = {q: analysis.walk_result(q) for q in WALK_QUANTITIES}
        self.walk_xy = {q: metric_xy(r.points) if r is not None else np.empty((0, 2)) for q, r in self.walk.items()}
        self.cover_parts, self.cover_tree = self._coverage_parts()
        self.kg_gap_xy = metric_xy(self.gaps["kindergarten"])
        self.travel_gaps = self.travel_gap_rows()
        self.regional = self.regional_for_scope(regional_scenario)
        self.templates = environment()

    # -- helpers ---------------------------------------------------------------------------
    def tr(self, key: str, **params: object) -> str:
        """Report text ``key`` in the report's language."""
        return t(f"report.{key}", self.lang, **params)

    def target_name(self, tid: str) -> str:
        """The name of target ``tid`` in the report's language."""
        tg = self.targets[tid]
        return tg.name(self.lang)

    def notices(self, codes=None, area: str = "") -> list[str]:
        """Notices at the top of a page: synthetic data, rejected input rows, the network's reach, no Chinese font."""
        out = []
        reach = self.analysis.network_reach(codes)
        if reach is not None:
            out.append(t("net.coverage", self.lang, area=area, points=fmt_percent(reach["points"]),
                         facilities=fmt_percent(reach["facilities"]), max_snap_m=reach["max_snap_m"]))
            shares = [v for v in (reach["points"], reach["facilities"]) if not np.isnan(v)]
            if shares and min(shares) < NETWORK_MIN_SHARE:  # an area without points or facilities has no share
                out.append(t("net.coverage_low", self.lang, area=area, min_share=fmt_percent(NETWORK_MIN_SHARE, 0)))
        if self.inputs.synthetic:
            out.append(self.tr("synthetic"))
        for res in self.inputs.loaded.values():
            if len(res.rejected) and not self.inputs.synthetic:
                out.append(self.tr("rejected_rows", summary=res.summary(self.lang)))
        off = self.gaps["off_map"]
        off_map = int(len(off) if codes is None else off["county_code"].isin(set(codes)).sum())
        if off_map:
            out.append(self.tr("off_map_rows", n=off_map))
        if setup_fonts() is None:
            out.append(self.tr("no_cjk_font"))
        return out

    def meta(self) -> list[tuple[str, str]]:
        """(label, text) pairs describing the report: when, which data, which method, which targets file."""
        an = self.analysis
        res = next((r for r in self.walk.values() if r is not None), None)
        if an.mode == "network" and res is not None and res.params.get("network_mode") == "drive":
            method = self.tr("mode_drive", leg=res.params.get("leg_speed_kmh"), source=res.params.get("network_source", ""))
        elif an.mode == "network" and res is not None:
            method = self.tr("mode_network", speed=res.params.get("speed_kmh"), source=res.params.get("network_source", ""))
        else:
            speed = res.params.get("speed_kmh") if res is not None else WALK_SPEED_KMH
            detour = res.params.get("detour_factor", self.inputs.detour_factor) if res is not None else self.inputs.detour_factor
            method = self.tr("mode_distance", detour=detour, speed=speed)
        if self.inputs.synthetic:
            data = self.tr("data_demo")
        else:
            data = self.tr("list_sep").join(r.summary(self.lang) for r in self.inputs.loaded.values())
        return [
            (self.tr("generated"), self.generated),
            (self.tr("data"), data),
            (self.tr("method"), method),
            (self.tr("cross_border"), self._cross_border()),
            (self.tr("targets_file"), self.inputs.targets_source or self.tr("targets_default")),
        ]

    def _cross_border(self) -> str:
        """Whether facilities across a county line count, in words."""
        if not self.inputs.cross_border:
            return t("net.cross_border_off", self.lang)
        return t("net.cross_border_on", self.lang, margin_km=self.inputs.margin_m / 1000)

    def _target_header(self) -> list[str]:
        return [self.tr(k) for k in ("col_target", "col_unit", "col_value", "col_threshold", "col_status", "col_gap")]

    def targets_table(self, rows: pd.DataFrame) -> tuple[list[dict], list[str], dict[str, int]]:
        """The targets of a page by plan task, the table's footnotes, and how many targets have each status.

        One table per task (in the targets file's order; targets of no task
        last, under "other"); a target's name carries the assumption mark
        when its value is an assumption and the number of its source, both
        explained in the footnotes.
        """
        header = self._target_header()
        counts = {"met": 0, "not_met": 0, "no_data": 0, "no_network": 0, "not_applicable": 0}
        notes = SourceNotes(self.lang)
        groups = []
        for title, targets in self.task_groups():
            body = []
            for tg in targets:
                sub = rows[rows["target_id"] == tg.id]
                if sub.empty or tg.level == "province":
                    continue
                mark = notes.mark(tg)
                if tg.level == "township":
                    met = int((sub["status"] == "met").sum())
                    known = int((~sub["status"].isin(["no_data", "no_network", "not_applicable"])).sum())
                    status = "no_data" if known == 0 else ("met" if met == known else "not_met")
                    body.append([
                        cell(tg.name(self.lang), sup=mark), cell(self.tr("townships_unit")),
                        cell(self.tr("townships_met", met=met, n=known), "num"),
                        cell(fmt_threshold(tg.comparator, tg.threshold, tg.unit, self.lang), "num"),
                        cell(fmt_status(status, self.lang), status), cell(""),
                    ])
                    counts[status] += 1
                    continue
                for _, r in sub.sort_values("period", na_position="first").iterrows():
                    body.append(self._target_row(r, mark))
                    counts[r["status"]] += 1
            if body:
                groups.append({"title": title,
                               "table": {"header": header, "rows": body, "empty": self.tr("empty"), "note": None}})
        return groups, notes.lines(), counts

    def _target_row(self, r: pd.Series, mark: str | None = None) -> list[dict]:
        """Table cells of one evaluation row: target (year), unit, value, threshold, status, gap.

        A unit a rule does not apply to says why in its status.
        """
        tg = self.targets[r["target_id"]]
        name = tg.name(self.lang) + (f"（{int(r['period'])}）" if pd.notna(r["period"]) else "")
        status = (self.not_applicable_text(tg, r["denominator"]) if r["status"] == "not_applicable"
                  else fmt_status(r["status"], self.lang, r.get("network_share")))
        return [
            cell(name, sup=mark), cell(r["unit_name"]), cell(fmt_value(r["value"], tg.unit, self.lang), "num"),
            cell(fmt_threshold(tg.comparator, tg.threshold, tg.unit, self.lang), "num"),
            cell(status, r["status"]),
            cell("" if r["status"] in ("no_network", "not_applicable") else fmt_gap(r["gap"], tg.unit, self.lang), "num"),
        ]
