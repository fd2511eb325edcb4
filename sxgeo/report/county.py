"""One county's report: its HTML page and its Excel workbook."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sxgeo.formatting import fmt_value, plan_numbers
from sxgeo.layers.scope import Scope
from sxgeo.outputs import charts
from sxgeo.outputs.tables import localise, notes_in, to_xlsx_bytes
from sxgeo.report.templates import cell
from sxgeo.text import t

__all__ = ["CountyPages"]

_GAP_COLUMNS = {
    "kindergarten": ["unit_code", "unit_name", "unit_kind", "population", "pop_3_5", "private", "unknown_ownership",
                     "nearest_public_name", "nearest_public_m"],
    "fitness": ["rank", "id", "name", "township_name", "population", "minutes", "nearest_facility_name", "distance_m"],
    "elderly": ["rank", "id", "name", "township_name", "population", "minutes", "nearest_facility_name", "distance_m"],
    "nursing": ["unit_code", "unit_name", "value", "threshold", "gap", "numerator", "denominator"],
    "off_map": ["layer_kind", "row", "id", "name", "address", "township_name", "admin_method", "notes"],
}
#: The lists of a county page, in order: the gap lists, then the records not on the map.
_LISTS = ("kindergarten", "fitness", "elderly", "nursing", "off_map")
#: Rows of a gap list shown in the HTML page (the workbook has them all).
_HTML_ROWS = 200
#: Gap-list columns right-aligned as numbers (besides integer cells).
_NUM_COLUMNS = ("population", "pop_3_5", "minutes", "distance_m", "nearest_public_m")


class CountyPages:
    """Mixin of :class:`sxgeo.report.builder.ReportBuilder`: one county's page and workbook."""

    def county_rows(self, code: str) -> pd.DataFrame:
        """Evaluation rows that concern the county: its townships, itself, its city."""
        ev = self.evaluation
        city = self.county_info.at[code, "city_code"]
        tw = self.analysis.kindergartens_by_township
        tw_codes = set(tw.index[tw["county_code"] == code])
        mask = ((ev["level"] == "county") & (ev["unit_code"] == code)) | (
            (ev["level"] == "township") & ev["unit_code"].isin(tw_codes)
        ) | ((ev["level"] == "city") & (ev["unit_code"] == city))
        return ev[mask]

    def county_gaps(self, code: str) -> dict[str, pd.DataFrame | None]:
        """Each gap list's rows in the county (None for a list the analysis could not make)."""
        out = {}
        for kind, frame in self.gaps.items():
            if frame is None:
                out[kind] = None
            elif kind == "nursing":
                out[kind] = frame[frame["unit_code"] == code]
            else:
                out[kind] = Scope("county", code, "", (code,)).rows(frame)
        return out

    def _gap_table(self, kind: str, frame: pd.DataFrame | None) -> dict:
        if frame is None or len(frame) == 0:
            return {"rows": [], "empty": self.tr("empty")}
        frame = notes_in(frame, self.lang)
        cols = [c for c in _GAP_COLUMNS[kind] if c in frame.columns]
        view = localise(pd.DataFrame(frame[cols]).head(_HTML_ROWS), self.lang)
        rows = []
        for rec in view.itertuples(index=False):
            cells = []
            for col, v in zip(cols, rec, strict=True):
                if isinstance(v, float | np.floating):
                    if col in ("value", "threshold", "gap"):
                        v = fmt_value(v, "share", self.lang)
                    elif col == "minutes":
                        v = "—" if not np.isfinite(v) else f"{v:.1f}"
                    elif np.isfinite(v):
                        v = f"{v:,.0f}"
                    else:
                        v = "—"
                cells.append(cell(v, "num" if isinstance(v, int | np.integer) or col in _NUM_COLUMNS else None))
            rows.append(cells)
        note = self.tr("more_rows", shown=_HTML_ROWS, n=len(frame)) if len(frame) > _HTML_ROWS else None
        return {"header": list(view.columns), "rows": rows, "empty": self.tr("empty"), "note": note}

    def chart_targets(self, rows: pd.DataFrame) -> str | None:
        """Bar chart (PNG data URI) of the county's share targets: value against threshold."""
        sel = rows[(rows["level"] == "county") & (rows["unit"] == "share") & rows["period"].isna()]
        sel = sel[sel["value"].notna()]
        if sel.empty:
            return None
        fig = charts.bar_chart(
            self.tr("chart_targets"),
            [self.target_name(t) for t in sel["target_id"]],
            sel["value"].to_numpy(float),
            thresholds=sel["threshold"].to_numpy(float),
            colors=["#1a7f37" if s == "met" else "#c0392b" for s in sel["status"]],
        )
        return charts.to_data_uri(fig)

    def chart_walk(self, code: str) -> str | None:
        """Step chart (PNG data URI): cumulative share of the county's urban population by walking time."""
        series = []
        threshold = None
        for q, key, color in (("fitness_walk_share", "walk_fitness", "#1a7f37"), ("elderly_walk_share", "walk_elderly", "#8e44ad")):
            r = self.walk.get(q)
            if r is None:
                continue
            p = r.points[r.points["county_code"] == code]
            pop = pd.to_numeric(p["population"], errors="coerce").fillna(0).to_numpy(float)
            if pop.sum() <= 0:
                continue
            minutes = p["minutes"].to_numpy(float)
            finite = np.isfinite(minutes)
            order = np.argsort(minutes[finite], kind="stable")
            cum = np.cumsum(pop[finite][order]) / pop.sum()
            series.append((self.tr(key), color, minutes[finite][order], cum))
            threshold = threshold if threshold is not None else float(r.params.get("threshold_min", 15))
        if not series:
            return None
        fig = charts.step_chart(
            self.tr("chart_walk"), series, threshold=threshold, threshold_label=self.tr("threshold_line", value=f"{threshold:g}"),
            xlabel=self.tr("axis_minutes"), ylabel=self.tr("axis_share") + " (%)",
        )
        return charts.to_data_uri(fig)

    # -- workbook ------------------------------------------------------------------------------
    def county_sheets(self, code: str, rows: pd.DataFrame, gaps: dict) -> dict[str, pd.DataFrame]:
        """Sheets of the county workbook: all targets, one per target, one per gap list."""
        lang = self.lang
        rows = rows.drop(columns=["quantity"], errors="ignore")
        sheets = {t("report.sheet_targets", lang): localise(rows, lang)}
        for tid, tg in self.targets.items():
            sub = rows[rows["target_id"] == tid]
            if sub.empty:
                continue
            sheets[t("report.sheet_target", lang, name=tg.name(lang))] = localise(sub, lang)
        for kind in _LISTS:
            frame = gaps.get(kind)
            if frame is None or (kind == "off_map" and frame.empty):
                continue
            frame = notes_in(pd.DataFrame(frame).drop(columns="geometry", errors="ignore"), lang)
            sheets[t("report.sheet_gap", lang, name=t(f"report.gap_short_{kind}", lang))] = localise(frame, lang)
        sheets.update(self.task_sheets(code))
        tw = self.analysis.kindergartens_by_township
        sheets[t("report.sheet_townships", lang)] = localise(tw[tw["county_code"] == code].reset_index(), lang)
        for kind, result in self.capacity_results().items():
            name = t(f"report.cap_short_{kind}", lang)
            gaps = result.gap_list()
            sheets[t("report.sheet_gap", lang, name=name)] = localise(gaps[gaps["county_code"] == code].round(4), lang)
        return sheets

    # -- one county ------------------------------------------------------------------------------
    def county(self, code: str) -> tuple[str, bytes]:
        """The county's HTML page and XLSX workbook."""
        rows = self.county_rows(code)
        gaps = self.county_gaps(code)
        info = self.county_info.loc[code]
        groups, notes, counts = self.targets_table(rows)
        figures = [uri for uri in (self.chart_targets(rows), self.chart_walk(code)) if uri]
        gap_sections = []
        for kind in _LISTS:
            frame = gaps.get(kind)
            if kind == "off_map" and (frame is None or frame.empty):
                continue  # listed only when some records have no location
            gap_sections.append({
                "title": t(f"gap.{kind}", self.lang, **plan_numbers(self.analysis.targets)),
                "count": 0 if frame is None else len(frame),
                "table": self._gap_table(kind, frame),
            })
        warnings = list(dict.fromkeys(t(k, self.lang, **p) for k, p in self.analysis.warnings))
        title = self.tr("title_county", city=info["city_name"], county=info["name"], code=code)
        meta = [(self.tr("code"), code), (self.tr("city"), f"{info['city_name']}（{info['city_code']}）"), *self.meta()]
        html = self.templates.get_template("county.html").render(
            html_lang=self.tr("html_lang"),
            title=title,
            text={k: self.tr(k) for k in ("back", "download", "map", "targets", "charts", "gaps", "warnings", "footer")},
            back="../index.html",
            notices=self.notices((code,), f"{info['city_name']}{info['name']}"),
            meta=meta,
            badges=[
                {"text": self.tr("badge_met", n=counts["met"]), "cls": "met"},
                {"text": self.tr("badge_not_met", n=counts["not_met"]), "cls": "not_met"},
                {"text": self.tr("badge_no_data", n=counts["no_data"]), "cls": "no_data"},
                *([{"text": self.tr("badge_no_network", n=counts["no_network"]), "cls": "no_network"}]
                  if counts["no_network"] else []),
                *([{"text": self.tr("badge_not_applicable", n=counts["not_applicable"]), "cls": "not_applicable"}]
                  if counts["not_applicable"] else []),
            ],
            xlsx=f"{code}.xlsx",
            map_png=self.county_map(code),
            target_groups=groups,
            target_notes=notes,
            charts=figures,
            gaps=gap_sections,
            sections=[*self.task_sections(code, rows),
                      *[s for s in (self.regional_county_section(code),) if s],
                      *self.capacity_sections(code),
                      *[s for s in (self.out_of_scope_section(),) if s]],
            warnings=warnings,
        )
        xlsx = to_xlsx_bytes(self.county_sheets(code, rows, gaps), self.lang)
        return html, xlsx

    def write_county(self, code: str, out_dir: str | Path) -> Path:
        """Write ``counties/<code>.html`` and ``counties/<code>.xlsx`` below ``out_dir``."""
        folder = Path(out_dir) / "counties"
        folder.mkdir(parents=True, exist_ok=True)
        html, xlsx = self.county(code)
        (folder / f"{code}.xlsx").write_bytes(xlsx)
        path = folder / f"{code}.html"
        path.write_text(html, encoding="utf-8")
        return path
