"""The targets panel (a table per plan task, and the attainment chart) and the gap lists with their downloads."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from sxgeo.app.data import Workspace
from sxgeo.app.tasks import TRAVEL_GAPS, plan_tasks, task_rank
from sxgeo.formatting import fmt_status, fmt_value
from sxgeo.io.targets import Target
from sxgeo.layers.geometry import located
from sxgeo.outputs import charts
from sxgeo.outputs import tables as export
from sxgeo.settings import PROVINCE_CODE, WALK_MINUTES
from sxgeo.text import choose, t

#: Comparators as shown (a leading ">" would turn a table cell into a Markdown quote).
_CMP = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "==": "="}
#: Status colours of the targets table and of the attainment bars ("no_network": the street network does not
#: cover the area, grey-blue: neither a pass nor a fail, and not the grey of missing data).
_STATUS_COLOURS = {"met": "#1a7f37", "not_met": "#c62828", "no_data": "#777", "no_network": "#4f6d8a", "not_applicable": "#999"}
_BAR_COLOURS = {"met": "#1a9850", "not_met": "#d73027", "no_data": "#999999", "no_network": "#7b93ab", "not_applicable": "#cccccc"}
#: Attainment bars stop at 150 % of the threshold.
_ATTAINMENT_MAX = 1.5


def status_colour(status: str) -> str:
    """The colour of a status in the targets table."""
    return _STATUS_COLOURS.get(status, _STATUS_COLOURS["no_data"])


def target_names(rows: pd.DataFrame, lang: str) -> pd.Series:
    """The targets' names in ``lang`` (rows with ``target_zh`` and ``target_en``)."""
    return choose({"zh": rows["target_zh"], "en": rows["target_en"]}, lang)


def _flag(value) -> bool:
    """Whether a row's yes/no cell is yes (a missing cell is no)."""
    return isinstance(value, (bool, np.bool_)) and bool(value)


def _units_value(r: pd.Series, lang: str) -> str:
    """A summary row's value: how many units meet the target; for a presence rule also how many lack it.

    Units the rule does not apply to (too few residents) are counted apart.
    """
    unit = t(f"app.unit_{r['units_level']}", lang)
    total, na = int(r["units_total"]), int(r.get("units_not_applicable") or 0)
    if total == 0:
        return t("app.units_all_not_applicable", lang, n=na, unit=unit) if na else "—"
    text = t("app.units_met", lang, met=int(r["units_met"]), total=total, unit=unit)
    if _flag(r.get("presence")) and int(r["units_not_met"]):
        text += t("app.units_without", lang, n=int(r["units_not_met"]), unit=unit)
    if na:
        text += t("app.units_not_applicable", lang, n=na)
    return text


def target_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The targets table: target (year), value, threshold (※ when assumed), status, source.

    Targets of a lower level are summarised as "met/total" (presence rules: and how many units lack one).
    """
    out = []
    mark = t("app.assumption_mark", lang)
    for name, (_, r) in zip(target_names(rows, lang), rows.iterrows()):
        name = str(name) + (f"（{int(r['period'])}）" if pd.notna(r["period"]) else "")
        if isinstance(r["units_level"], str):
            value = _units_value(r, lang)
        else:
            value = fmt_value(r["value"], r["unit"])
        threshold = f"{_CMP.get(r['comparator'], r['comparator'])} {fmt_value(r['threshold'], r['unit'])}"
        source = choose({"zh": r.get("source_zh"), "en": r.get("source_en")}, lang)
        out.append({
            t("app.target", lang): name,
            t("col.value", lang): value,
            t("col.threshold", lang): f"{threshold} {mark}" if _flag(r.get("assumption")) else threshold,
            t("col.status", lang): fmt_status(r["status"], lang, r.get("network_share")),
            t("app.target_source", lang): source if isinstance(source, str) and source else "—",
        })
    columns = [t("app.target", lang), *(t(f"col.{k}", lang) for k in ("value", "threshold", "status")),
               t("app.target_source", lang)]
    return pd.DataFrame(out, columns=columns)


def attainment_chart(rows: pd.DataFrame, lang: str):
    """Bars of value ÷ threshold (threshold ÷ value for upper limits), coloured by status; None without values.

    In the plan's task order.  Presence rules (a count against "at least one": met or not, no degree of
    attainment) and targets that do not apply to the area are left out.
    """
    presence = rows["presence"].eq(True) if "presence" in rows else False
    own = rows[~rows["units_level"].map(lambda v: isinstance(v, str)) & rows["value"].notna()
               & (rows["status"] != "not_applicable") & ~presence]
    if "task" in own:
        own = own.iloc[np.argsort([task_rank(str(task)) for task in own["task"]], kind="stable")]
    if own.empty:
        return None
    labels = [f"{n} {int(p)}" if pd.notna(p) else str(n) for n, p in zip(target_names(own, lang), own["period"])]
    thr = own["threshold"].astype(float).where(own["threshold"].astype(float) != 0)
    ratio = own["value"].astype(float) / thr
    ratio = ratio.where(own["comparator"].isin([">=", ">", "=="]), 1 / ratio).clip(upper=_ATTAINMENT_MAX)
    colours = [_BAR_COLOURS.get(s, _BAR_COLOURS["no_data"]) for s in own["status"]]
    return charts.bar_chart(t("app.attainment", lang), labels, ratio.to_numpy(dtype=float), thresholds=[1.0] * len(own),
                            colors=colours, percent=True, digits=0, x_max=_ATTAINMENT_MAX)


@dataclass(frozen=True)
class TaskGroup:
    """A plan task's heading (with what sxgeo leaves out of the task) and its rows or items, in the plan's order."""

    task: str
    title: str
    note: str
    items: object


def task_groups(tasks, items, lang: str) -> list[TaskGroup]:
    """``items`` grouped under the plan's tasks, in the plan's order; items of no known task last, under "other".

    ``tasks`` gives each item's task id (a sequence as long as ``items``); ``items`` is a list or a
    DataFrame (grouped by row).  Tasks without items are left out.
    """
    tasks = [str(task) for task in tasks]
    known = {p.id: p for p in plan_tasks()}
    order = sorted(dict.fromkeys(tasks), key=task_rank)
    out = []
    for task in order:
        picked = [i for i, x in enumerate(tasks) if x == task]
        part = items.iloc[picked] if isinstance(items, pd.DataFrame) else [items[i] for i in picked]
        plan = known.get(task)
        title = plan.name(lang) if plan is not None else t("app.task_other", lang)
        out.append(TaskGroup(task if plan is not None else "", title, plan.out_of_scope(lang) if plan else "", part))
    return out


def _target_table(rows: pd.DataFrame, lang: str) -> None:
    """One table of targets, each status in its colour."""
    table = target_table(rows, lang).set_index(t("app.target", lang))
    styles = [f"color:{status_colour(s)};font-weight:600" for s in rows["status"]]  # rows and table in the same order
    st.table(table.style.apply(lambda _col: styles, subset=[t("col.status", lang)]))


def targets_panel(ws: Workspace, level: str, code: str | None, lang: str) -> None:
    """The plan's targets for the area: a table per plan task (coloured by status), then the attainment chart.

    Each task's heading tells, on hover, what of the task sxgeo does not check; a footnote explains the
    mark of assumed thresholds.
    """
    st.subheader(t("app.targets", lang))
    rows = ws.target_rows(level, code)
    if rows.empty:
        _target_table(rows, lang)
    for group in task_groups(rows["task"], rows, lang):
        st.markdown(f"##### {group.title}", help=group.note or None)
        _target_table(group.items, lang)
    if rows["assumption"].eq(True).any():
        st.caption(t("app.assumption_note", lang, mark=t("app.assumption_mark", lang)))
    png = attainment_png(rows, lang)
    if png is not None:
        st.image(png, width="stretch")


@st.cache_data(show_spinner=False, max_entries=512)
def attainment_png(rows: pd.DataFrame, lang: str) -> bytes | None:
    """The attainment chart as PNG, drawn once for all sessions showing the same rows."""
    chart = attainment_chart(rows, lang)
    return None if chart is None else charts.to_png(chart)


def gap_title(name: str, lang: str, plan: dict, ws: Workspace | None = None) -> str:
    """A gap list's name, with the plan's numbers (minutes, threshold, hospital level) filled in.

    The core's lists are named in the catalogue (``gap.<name>``); the travel lists and the presence rules'
    lists (named by their target id) take their numbers and names from the targets ``ws`` analysed.
    """
    targets = ws.gap_targets(name) if ws is not None else []
    if name in TRAVEL_GAPS:
        params = targets[0].params if targets else {}
        minutes = float(params.get("threshold_min", WALK_MINUTES))
        if name == "hospital" and params.get("min_level") is not None:
            level = t(f"cat.hospital_level.level{int(params['min_level'])}", lang)
            return t("app.gap_hospital_level", lang, minutes=minutes, level=level)
        return t(f"app.gap_{name}", lang, minutes=minutes)
    if targets and targets[0].is_presence and name == targets[0].id:
        tg = targets[0]
        return t("app.gap_presence", lang, rule=tg.name(lang), unit=t(f"app.unit_{tg.level}", lang))
    return t(f"gap.{name}", lang, **plan)


def gap_sheet(name: str, lang: str, ws: Workspace) -> str:
    """The worksheet name of a list's XLSX download: the catalogue's table name, else the list's rule or kind."""
    targets = ws.gap_targets(name)
    if name in TRAVEL_GAPS:
        return t(f"app.sheet_{name}", lang)
    if targets and targets[0].is_presence and name == targets[0].id:
        return targets[0].name(lang)
    return name


# --- what a gap list shows -------------------------------------------------------------------

#: The layers each of the core's gap lists and each travel list is computed from, named when one is not loaded
#: (as ``sxgeo gaps`` asks for them); a presence rule's list needs its kind (and, with a population minimum,
#: the residential points).
GAP_LAYERS: dict[str, tuple[str, ...]] = {
    "kindergarten": ("kindergartens",),
    "fitness": ("residential", "fitness"),
    "elderly": ("residential", "elderly_care"),
    "nursing": ("elderly_care",),
    "kindergartens_capacity": ("residential", "kindergartens"),
    "elderly_capacity": ("residential", "elderly_care"),
    "medical": ("residential", "primary_care"),
    "hospital": ("residential", "hospitals"),
}
#: Gap lists of residential points or of the demand around them: the area needs residential points on the map.
_DEMAND_LISTS = ("fitness", "elderly", "kindergartens_capacity", "elderly_capacity", *TRAVEL_GAPS)
#: The target whose unit the ``value``, ``threshold`` and ``gap`` columns of a list are in.
_LIST_TARGET = {"nursing": "nursing_beds_county"}
#: Statuses that judge nothing.
_UNJUDGED = ("no_data", "no_network", "not_applicable")


def gap_layers(ws: Workspace, name: str) -> tuple[str, ...]:
    """The layer kinds a gap list is computed from."""
    if name in GAP_LAYERS:
        return GAP_LAYERS[name]
    tg = ws.targets.get(name)
    if tg is None or not tg.is_presence:
        return ()
    return (tg.kind, "residential") if "min_population" in tg.params else (tg.kind,)


def _list_task(ws: Workspace, name: str) -> str:
    """The plan task of a gap list: that of the first target it follows."""
    targets: list[Target] = ws.gap_targets(name)
    return targets[0].task if targets else ""


@dataclass(frozen=True)
class ListView:
    """What a gap list shows.

    ``state`` is ``rows`` (``frame`` as a table with its downloads), ``none``
    (no gaps: ``message`` in a success box) or ``no_data`` (``message`` says
    why, in an info box; no downloads).
    """

    state: str
    message: str = ""
    frame: pd.DataFrame | None = None


def layer_names(kinds, lang: str) -> str:
    """Layer kinds named for people, quoted and joined (「居民点」、「健身设施」)."""
    return t("app.empty_sep", lang).join(t("app.empty_layer", lang, name=t(f"kind.{k}", lang)) for k in kinds)


def _loaded(ws: Workspace, kind: str) -> bool:
    layer = ws.layers.get(kind)
    return layer is not None and len(layer) > 0


def _on_map_in(ws: Workspace, kind: str, level: str, code: str | None) -> bool:
    """Whether the area has rows of layer ``kind`` with a location."""
    layer = located(ws.layers.get(kind))
    if layer is None or not len(layer):
        return False
    if level == "province" or "county_code" not in layer:
        return True
    return bool(ws.bounds.scope(level, code).contains(layer["county_code"]).any())


def _unjudged(ws: Workspace, name: str, level: str, code: str | None) -> str | None:
    """Why an empty list judges nothing in the area, or None when one of the targets it follows was judged.

    ``no_network`` (every target has no street network there), ``not_applicable`` (the rule applies to none
    of the area's units) or ``no_data``.
    """
    ids = {tg.id for tg in ws.gap_targets(name)}
    rows = ws.target_rows(level, code)
    status = rows.loc[rows["target_id"].isin(ids), "status"]
    if status.empty or not status.isin(_UNJUDGED).all():
        return None
    return next((s for s in ("no_network", "not_applicable") if (status == s).all()), "no_data")


def _list_area(ws: Workspace, name: str, level: str, code: str | None) -> tuple[str, str | None]:
    """The area a list judges: the county's city for the list of a city rule in a county view, else the area."""
    targets = ws.gap_targets(name)
    if level == "county" and targets and all(tg.level == "city" for tg in targets):
        return "city", ws.bounds.county_city[code]
    return level, code


def gap_view(ws: Workspace, name: str, level: str, code: str | None, lang: str) -> ListView:
    """What the gap list ``name`` shows for the area: its rows, "no gaps", or "no data" and why.

    No data when a layer the list is computed from is not loaded (named), when
    the analysis failed, when a list of residential points finds none on the
    map in the area, or when the list is empty because every target it follows
    has no data (or no street network) there, or the rule applies to none of its
    units; an empty list is "no gaps" only when its targets were judged.  A list
    of a city rule speaks, in a county view, of the county's city.
    """
    level_, code_ = _list_area(ws, name, level, code)
    area = ws.bounds.scope(level_, code_).name
    missing = [k for k in gap_layers(ws, name) if not _loaded(ws, k)]
    if missing:
        return ListView("no_data", t("app.gaps_missing_layers", lang, layers=layer_names(missing, lang),
                                     tab=t("app.own_data", lang)))
    if ws.analysis is None:
        return ListView("no_data", t("app.gaps_analysis_failed", lang))
    frame = ws.gap_list(name, level, code)
    if frame is None:
        return ListView("no_data", t("app.gaps_no_data", lang, area=area))
    if len(frame):
        return ListView("rows", frame=frame)
    if name in _DEMAND_LISTS and not _on_map_in(ws, "residential", level, code):
        return ListView("no_data", t("app.gaps_none_in_area", lang, area=area,
                                     layers=layer_names(["residential"], lang)))
    unjudged = _unjudged(ws, name, level_, code_)
    if unjudged is not None:
        return ListView("no_data", t(f"app.gaps_{unjudged}", lang, area=area))
    return ListView("none", t("app.gaps_none", lang, area=area))


def list_units(ws: Workspace, name: str) -> dict[str, str]:
    """Units of a list's ``value``, ``threshold`` and ``gap`` columns: its target's (the nursing list, presence rules)."""
    target = ws.targets.get(_LIST_TARGET.get(name, name))
    if target is None or (name not in _LIST_TARGET and not target.is_presence):
        return {}
    return dict.fromkeys(("value", "threshold", "gap"), target.unit)


# --- tables and downloads --------------------------------------------------------------------


def table_height(rows: int) -> int:
    """A table's height in pixels: every row up to ten, then it scrolls."""
    return 38 + 35 * min(rows, 10) + 2


def show_table(frame: pd.DataFrame, lang: str, units: dict | None = None) -> pd.DataFrame | None:
    """``frame`` as people read it (:func:`~sxgeo.outputs.tables.readable`) in a table of fixed height.

    Nothing is drawn for a table without rows (Streamlit's "empty" never shows); returns the table shown.
    """
    view = export.readable(frame, lang, units=units)
    if view.empty:
        return None
    st.dataframe(view, hide_index=True, height=table_height(len(view)))
    return view


def download_row(frame: pd.DataFrame, name: str, slug: str, lang: str, key: str, units: dict | None = None,
                 sheet: str | None = None) -> None:
    """CSV, XLSX and (for layers with geometry) GeoPackage downloads of one table, side by side below it.

    The files hold :func:`~sxgeo.outputs.tables.readable` (GeoPackage: numbers kept), the sheet is named in
    ``lang`` (``sheet``, else the catalogue's name of table ``name``) and the file and layer names are ASCII
    (``{name}_{slug}``).
    """
    c1, c2, c3 = st.columns(3)
    base = f"{name}_{slug}"
    c1.download_button(t("app.download_csv", lang), data=lambda: export.to_csv_bytes(frame, lang, units=units),
                       file_name=f"{base}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore")
    c2.download_button(t("app.download_xlsx", lang),
                       data=lambda: export.to_xlsx_bytes({sheet or name: frame}, lang, units=units),
                       file_name=f"{base}.xlsx", key=f"{key}_xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.notna().any():
        c3.download_button(t("app.download_gpkg", lang),
                           data=lambda: export.to_gpkg_bytes(frame[frame.geometry.notna()], name, lang),
                           file_name=f"{base}.gpkg", mime="application/geopackage+sqlite3", key=f"{key}_gpkg",
                           on_click="ignore")


def table_with_downloads(frame: pd.DataFrame, name: str, slug: str, lang: str, key: str,
                         units: dict | None = None, sheet: str | None = None) -> None:
    """Row count, the table, then its downloads in a row of their own (nothing for a table without rows)."""
    if frame is None or not len(frame):
        return
    st.caption(t("app.rows_n", lang, n=len(frame)))
    show_table(frame, lang, units)
    download_row(frame, name, slug, lang, key, units, sheet)


#: Columns of a "not on the map" table, in order (those the rows lack are left out; notes in the UI language).
_OFF_MAP_VIEW = ("layer_kind", "row", "name", "address", "county_name", "township_name", "admin_method", "population")


def off_map_rows(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The columns of rows without a location that are shown and exported, under their column names.

    Layer, source row, name, address, county, township, how the row was placed (and population, for demand
    points) where the rows have them, then the notes in ``lang``.
    """
    notes = str(choose({"zh": "notes", "en": "notes_en"}, lang))
    cols = [c for c in _OFF_MAP_VIEW if c in frame and frame[c].notna().any()]
    cols += [notes] if notes in frame else []
    return pd.DataFrame(frame[cols]).reset_index(drop=True)


def off_map_view(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rows without a location as shown: :func:`off_map_rows` with headers and values in words."""
    return export.readable(off_map_rows(frame, lang), lang)


def off_map_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`off_map_view` drawn as a scrolling table (nothing without rows); returns the table shown."""
    return show_table(off_map_rows(frame, lang), lang)


def off_map_list(ws: Workspace, level: str, code: str | None, lang: str, slug: str) -> None:
    """The area's rows without a location with downloads; "all on the map", or "no data" without any layer."""
    st.markdown(f"### {t('app.off_map', lang)}")
    area = ws.bounds.scope(level, code).name
    if not any(_loaded(ws, kind) for kind in ws.layers):
        st.info(t("app.off_map_no_data", lang), icon=":material/info:")
        return
    frame = ws.off_map(level, code)
    if frame is None or frame.empty:
        st.success(t("app.off_map_none", lang, area=area), icon=":material/check_circle:")
        return
    st.caption(t("app.off_map_help", lang, area=area, n=len(frame)))
    rows = off_map_rows(frame, lang)
    show_table(rows, lang)
    download_row(rows, "off_map", slug, lang, key="dl_off_map")


def gap_lists(ws: Workspace, level: str, code: str | None, lang: str, plan: dict) -> None:
    """Each gap list of the area under its plan task's heading, then the off-map rows under their own.

    A list with rows: its row count, the table and its downloads (file names carry the area code); an empty
    list: "no gaps" (success) or "no data" and why (info, naming missing layers), never an empty table.
    """
    slug = PROVINCE_CODE if level == "province" else str(code)
    names = ws.gap_names()
    for group in task_groups([_list_task(ws, n) for n in names], names, lang):
        st.markdown(f"### {group.title}")
        for name in group.items:
            st.markdown(f"#### {gap_title(name, lang, plan, ws)}")
            view = gap_view(ws, name, level, code, lang)
            if view.state == "no_data":
                st.info(view.message, icon=":material/info:")
            elif view.state == "none":
                st.success(view.message, icon=":material/check_circle:")
            else:
                table_with_downloads(view.frame, name, slug, lang, key=f"dl_{name}", units=list_units(ws, name),
                                     sheet=gap_sheet(name, lang, ws))
    off_map_list(ws, level, code, lang, slug)
