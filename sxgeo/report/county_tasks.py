"""The plan's tasks on the report pages: targets by task with their notes, the health and culture sections, what is left out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sxgeo.analysis.inputs import presence_in, targets_on
from sxgeo.formatting import fmt_count, fmt_minutes, fmt_status, fmt_threshold, fmt_value, number_kind
from sxgeo.io.targets import Target
from sxgeo.outputs.tables import localise
from sxgeo.report.gaps import presence_table, travel_rows, travel_table
from sxgeo.report.templates import cell
from sxgeo.text import t

__all__ = ["SECTION_KINDS", "TaskPages"]

#: The plan-task sections of a county page, in order: (text key, the facility layers whose targets they show).
SECTION_KINDS = (
    ("section_health", ("primary_care", "hospitals")),
    ("section_culture", ("culture", "special_education")),
)
#: Columns of a travel target's list of uncovered points on the page (the workbook has every column).
_TRAVEL_COLUMNS = ("rank", "name", "township_name", "urban", "population", "minutes", "travel_mode",
                   "nearest_facility_name", "distance_m")
#: Columns of a presence rule's list of units without the facility on the page.
_PRESENCE_COLUMNS = ("unit_code", "unit_name", "unit_kind", "population", "count", "needed")
#: Rows of a list shown in the HTML page (the workbook has them all).
_HTML_ROWS = 200


class SourceNotes:
    """The notes of one targets table: the assumption mark and the sources, numbered in order of first use."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.sources: dict[str, int] = {}
        self.assumption = False

    def mark(self, tg: Target) -> str:
        """The superscript of a target's row: the assumption mark and its source's number."""
        parts = []
        if tg.assumption:
            self.assumption = True
            parts.append(t("report.assumption_mark", self.lang))
        source = tg.source(self.lang)
        if source:
            parts.append(f"[{self.sources.setdefault(source, len(self.sources) + 1)}]")
        return "".join(parts)

    def lines(self) -> list[str]:
        """The footnotes: what the mark means, then the numbered sources."""
        out = []
        if self.assumption:
            out.append(t("report.assumption_note", self.lang, mark=t("report.assumption_mark", self.lang)))
        if self.sources:
            listed = t("report.list_sep", self.lang).join(f"[{n}] {s}" for s, n in self.sources.items())
            out.append(t("report.sources_note", self.lang, sources=listed))
        return out


def _layer_of(tg: Target) -> str | None:
    """The facility layer a target is judged on (a presence rule's kind or a travel target's facilities)."""
    from sxgeo.analysis.run import WALK_QUANTITIES

    if tg.is_presence:
        return tg.kind
    return WALK_QUANTITIES[tg.quantity][0] if tg.quantity in WALK_QUANTITIES else None


class TaskPages:
    """Mixin of :class:`sxgeo.report.builder.ReportBuilder`: the plan's tasks on the pages."""

    # -- targets by task -----------------------------------------------------------------------
    def task_groups(self) -> list[tuple[str, list[Target]]]:
        """The targets by plan task: the tasks of the targets file in its order, then the targets of no task."""
        tasks = self.inputs.tasks
        known = {task.id for task in tasks}
        groups = [(task.name(self.lang), [tg for tg in self.targets.values() if tg.task == task.id]) for task in tasks]
        other = [tg for tg in self.targets.values() if tg.task not in known]
        if other:
            groups.append((self.tr("task_other"), other))
        return [(title, targets) for title, targets in groups if targets]

    def not_applicable_text(self, tg: Target, population: float) -> str:
        """Why a presence rule does not apply to a unit: its residents under the rule's minimum."""
        return self.tr("not_applicable_reason", population=fmt_count(population),
                       minimum=fmt_count(tg.params.get("min_population")))

    def out_of_scope_section(self) -> dict | None:
        """The short list at the end of a page: per plan task, what sxgeo does not check (None when nothing)."""
        bullets = [self.tr("out_of_scope_item", task=task.name(self.lang), text=task.out_of_scope(self.lang))
                   for task in self.inputs.tasks if task.out_of_scope(self.lang)]
        if not bullets:
            return None
        return {"title": self.tr("out_of_scope_title"), "paragraphs": [], "bullets": bullets, "charts": [], "tables": []}

    # -- the health and culture sections ----------------------------------------------------------
    def travel_gap_rows(self) -> dict[str, pd.DataFrame]:
        """Uncovered points of every section's travel target (one list per travel computation), all counties."""
        out, seen = {}, set()
        codes = tuple(self.county_info.index)
        for _, kinds in SECTION_KINDS:
            for kind in kinds:
                for tg in targets_on(self.analysis.targets, kind):
                    key = (tg.quantity, tg.params_key())
                    if tg.is_presence or key in seen or tg.level == "province":
                        continue
                    seen.add(key)
                    rows = travel_rows(self.analysis, tg, codes)
                    if rows is not None:
                        out[tg.id] = rows
        return out

    def _section_targets(self, kinds) -> list[Target]:
        return [tg for tg in self.targets.values() if _layer_of(tg) in kinds and tg.level != "province"]

    def _county_lists(self, code: str, kinds) -> list[tuple[Target, pd.DataFrame]]:
        """The section's lists in the county: uncovered points per travel computation, units lacking per presence rule."""
        city = self.county_info.at[code, "city_code"]
        out = []
        for tg in self._section_targets(kinds):
            if tg.is_presence:
                gaps = self.analysis.presence_gaps(tg.id)
                if gaps is not None and tg.level == "township":
                    out.append((tg, presence_in(gaps, tg, (code,), (city,))))
            elif tg.id in self.travel_gaps:
                rows = self.travel_gaps[tg.id]
                out.append((tg, rows[rows["county_code"] == code].assign(rank=lambda f: np.arange(1, len(f) + 1))))
        return out

    def _line(self, tg: Target, rows: pd.DataFrame) -> str | None:
        """One target in words for a section: its value or count against the rule, its status."""
        sub = rows[rows["target_id"] == tg.id]
        if sub.empty:
            return None
        name = tg.name(self.lang)
        if tg.level == "township":
            judged = sub[~sub["status"].isin(["no_data", "no_network", "not_applicable"])]
            if judged.empty:
                return self.tr("line_no_data", target=name)
            return self.tr("line_townships", target=name, met=int((judged["status"] == "met").sum()), n=len(judged))
        r = sub.iloc[0]
        status = r["status"]
        if status == "not_applicable":
            return self.tr("line_rule", target=name, unit=r["unit_name"],
                           status=self.not_applicable_text(tg, r["denominator"]))
        if tg.is_presence:
            return self.tr("line_rule", target=name, unit=r["unit_name"], status=self.tr(
                "line_presence", count=fmt_count(r["value"]), minimum=fmt_count(tg.threshold),
                status=fmt_status(status, self.lang)))
        return self.tr("line_rule", target=name, unit=r["unit_name"], status=self.tr(
            "line_value", value=fmt_value(r["value"], tg.unit, self.lang),
            threshold=fmt_threshold(tg.comparator, tg.threshold, tg.unit, self.lang),
            status=fmt_status(status, self.lang, r.get("network_share"))))

    def _show(self, frame: pd.DataFrame, columns, tg: Target) -> dict:
        """A list as a page table: the chosen columns, headers and words in the page's language, capped."""
        if not len(frame):
            return {"rows": [], "empty": self.tr("empty")}
        cols = [c for c in columns if c in frame.columns]
        view = pd.DataFrame(frame[cols]).head(_HTML_ROWS).copy()
        if "travel_mode" in view:
            view["travel_mode"] = [t(f"report.travel_{m}", self.lang) for m in view["travel_mode"]]
        header = list(localise(pd.DataFrame(columns=cols), self.lang).columns)
        custom = {"count": "col_present", "needed": "col_missing", "minutes": "col_travel_minutes",
                  "travel_mode": "col_travel_mode"}
        header = [self.tr(custom[c]) if c in custom else h for c, h in zip(cols, header, strict=True)]
        body = []
        for rec in localise(view, self.lang).itertuples(index=False):
            cells = []
            for col, v in zip(cols, rec, strict=True):
                if col == "minutes":
                    cells.append(cell(fmt_minutes(v), "num"))
                elif isinstance(v, float | int | np.number) and not isinstance(v, bool | np.bool_):
                    whole = col == "rank" or number_kind(col) in ("whole", "metres")
                    cells.append(cell(("—" if not np.isfinite(v) else f"{v:,.0f}") if whole else fmt_count(v), "num"))
                else:
                    cells.append(cell(v))
            body.append(cells)
        note = self.tr("more_rows", shown=_HTML_ROWS, n=len(frame)) if len(frame) > _HTML_ROWS else None
        return {"header": header, "rows": body, "empty": self.tr("empty"), "note": note}

    def task_sections(self, code: str, rows: pd.DataFrame) -> list[dict]:
        """The county page's health and culture sections: each target in words, then its lists in the county."""
        sections = []
        for key, kinds in SECTION_KINDS:
            targets = self._section_targets(kinds)
            bullets = [line for line in (self._line(tg, rows) for tg in targets) if line]
            if not bullets:
                continue
            tables = []
            for tg, frame in self._county_lists(code, kinds):
                if tg.is_presence:
                    title = self.tr("list_units_title", target=tg.name(self.lang), n=len(frame))
                    tables.append({"title": title, "table": self._show(frame, _PRESENCE_COLUMNS, tg)})
                else:
                    pop = pd.to_numeric(frame["population"], errors="coerce").sum()
                    title = self.tr("list_points_title", target=tg.name(self.lang), n=len(frame))
                    note = [self.tr("list_points_note", population=fmt_count(pop))] if len(frame) else []
                    tables.append({"title": title, "paragraphs": note, "table": self._show(frame, _TRAVEL_COLUMNS, tg)})
            sections.append({"title": self.tr(key), "paragraphs": [], "bullets": bullets, "charts": [], "tables": tables})
        return sections

    def task_sheets(self, code: str) -> dict[str, pd.DataFrame]:
        """The county workbook's sheets of the sections' lists (every row and column)."""
        sheets = {}
        for _, kinds in SECTION_KINDS:
            for tg, frame in self._county_lists(code, kinds):
                table = presence_table(frame, tg, self.lang) if tg.is_presence else travel_table(frame, tg, self.lang)
                sheets[t("report.sheet_gap", self.lang, name=tg.name(self.lang))] = table
        return sheets
