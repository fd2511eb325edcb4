"""The targets panel (table and attainment chart) and the gap lists with their downloads or why they are empty."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from sxgeo.app.data import GAP_KINDS, Workspace
from sxgeo.formatting import fmt_status, fmt_value
from sxgeo.layers.geometry import located
from sxgeo.outputs import charts
from sxgeo.outputs import tables as export
from sxgeo.settings import PROVINCE_CODE
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


def target_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The targets table: target (year), value, threshold, status; township targets as "met/total"."""
    out = []
    for name, (_, r) in zip(target_names(rows, lang), rows.iterrows()):
        name = str(name) + (f"（{int(r['period'])}）" if pd.notna(r["period"]) else "")
        if isinstance(r["units_level"], str) and r["units_total"] == 0:
            value = "—"
        elif isinstance(r["units_level"], str):
            value = t("app.units_met", lang, met=int(r["units_met"]), total=int(r["units_total"]),
                      unit=t(f"app.unit_{r['units_level']}", lang))
        else:
            value = fmt_value(r["value"], r["unit"])
        out.append({
            t("app.target", lang): name,
            t("col.value", lang): value,
            t("col.threshold", lang): f"{_CMP.get(r['comparator'], r['comparator'])} {fmt_value(r['threshold'], r['unit'])}",
            t("col.status", lang): fmt_status(r["status"], lang, r.get("network_share")),
        })
    return pd.DataFrame(out, columns=[t("app.target", lang), *(t(f"col.{k}", lang) for k in ("value", "threshold", "status"))])


def attainment_chart(rows: pd.DataFrame, lang: str):
    """Bars of value ÷ threshold (threshold ÷ value for upper limits), coloured by status; None without values."""
    own = rows[~rows["units_level"].map(lambda v: isinstance(v, str)) & rows["value"].notna()]
    if own.empty:
        return None
    labels = [f"{n} {int(p)}" if pd.notna(p) else str(n) for n, p in zip(target_names(own, lang), own["period"])]
    thr = own["threshold"].astype(float).where(own["threshold"].astype(float) != 0)
    ratio = own["value"].astype(float) / thr
    ratio = ratio.where(own["comparator"].isin([">=", ">", "=="]), 1 / ratio).clip(upper=_ATTAINMENT_MAX)
    colours = [_BAR_COLOURS.get(s, _BAR_COLOURS["no_data"]) for s in own["status"]]
    return charts.bar_chart(t("app.attainment", lang), labels, ratio.to_numpy(dtype=float), thresholds=[1.0] * len(own),
                            colors=colours, percent=True, digits=0, x_max=_ATTAINMENT_MAX)


def targets_panel(ws: Workspace, level: str, code: str | None, lang: str) -> None:
    """The plan's targets for the area: a table coloured by status and the attainment chart."""
    st.subheader(t("app.targets", lang))
    rows = ws.target_rows(level, code)
    table = target_table(rows, lang).set_index(t("app.target", lang))
    styles = [f"color:{status_colour(s)};font-weight:600" for s in rows["status"]]  # rows and table in the same order
    st.table(table.style.apply(lambda _col: styles, subset=[t("col.status", lang)]))
    png = attainment_png(rows, lang)
    if png is not None:
        st.image(png, width="stretch")


@st.cache_data(show_spinner=False, max_entries=512)
def attainment_png(rows: pd.DataFrame, lang: str) -> bytes | None:
    """The attainment chart as PNG, drawn once for all sessions showing the same rows."""
    chart = attainment_chart(rows, lang)
    return None if chart is None else charts.to_png(chart)


def gap_title(name: str, lang: str, plan: dict) -> str:
    """A gap list's name, with the plan's numbers (minutes, threshold) filled in."""
    return t(f"gap.{name}", lang, **plan)


# --- what a gap list shows -------------------------------------------------------------------

#: The layers each gap list is computed from, named when one is not loaded (as ``sxgeo gaps`` asks for them).
GAP_LAYERS: dict[str, tuple[str, ...]] = {
    "kindergarten": ("kindergartens",),
    "fitness": ("residential", "fitness"),
    "elderly": ("residential", "elderly_care"),
    "nursing": ("elderly_care",),
    "kindergartens_capacity": ("residential", "kindergartens"),
    "elderly_capacity": ("residential", "elderly_care"),
}
#: Gap lists of residential points or of the demand around them: the area needs residential points on the map.
_DEMAND_LISTS = ("fitness", "elderly", "kindergartens_capacity", "elderly_capacity")
#: The plan quantities whose targets each gap list follows: an empty list is "no data" when they all have none.
GAP_QUANTITIES: dict[str, tuple[str, ...]] = {
    "kindergarten": ("presence", "public_kindergartens"),
    "fitness": ("fitness_walk_share",),
    "elderly": ("elderly_walk_share",),
    "nursing": ("nursing_bed_share",),
    "kindergartens_capacity": ("kg_seats_per_1000",),
    "elderly_capacity": ("elderly_beds_per_1000",),
}
#: The target whose unit the ``value``, ``threshold`` and ``gap`` columns of a list are in.
_LIST_TARGET = {"nursing": "nursing_beds_county"}
#: Statuses that judge nothing.
_UNJUDGED = ("no_data", "no_network", "not_applicable")


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
    """``no_network`` or ``no_data`` when every target the list follows judges nothing in the area, else None."""
    quantities = GAP_QUANTITIES.get(name, ())
    ids = {tg.id for tg in ws.analysis.targets if tg.quantity in quantities}
    rows = ws.target_rows(level, code)
    status = rows.loc[rows["target_id"].isin(ids), "status"]
    if status.empty or not status.isin(_UNJUDGED).all():
        return None
    return "no_network" if (status == "no_network").all() else "no_data"


def gap_view(ws: Workspace, name: str, level: str, code: str | None, lang: str) -> ListView:
    """What the gap list ``name`` shows for the area: its rows, "no gaps", or "no data" and why.

    No data when a layer the list is computed from is not loaded (named), when
    the analysis failed, when a list of residential points finds none on the
    map in the area, or when the list is empty because every target it follows
    has no data (or no street network) there; an empty list is "no gaps" only
    when its targets were judged.
    """
    area = ws.bounds.scope(level, code).name
    missing = [k for k in GAP_LAYERS.get(name, ()) if not _loaded(ws, k)]
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
    unjudged = _unjudged(ws, name, level, code)
    if unjudged is not None:
        return ListView("no_data", t(f"app.gaps_{unjudged}", lang, area=area))
    return ListView("none", t("app.gaps_none", lang, area=area))


def list_units(ws: Workspace, name: str) -> dict[str, str]:
    """Units of a list's ``value``, ``threshold`` and ``gap`` columns (the nursing list: its target's unit)."""
    target = next((tg for tg in (ws.analysis.targets if ws.analysis is not None else ())
                   if tg.id == _LIST_TARGET.get(name)), None)
    return {} if target is None else dict.fromkeys(("value", "threshold", "gap"), target.unit)


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


def download_row(frame: pd.DataFrame, name: str, slug: str, lang: str, key: str, units: dict | None = None) -> None:
    """CSV, XLSX and (for layers with geometry) GeoPackage downloads of one table, side by side below it.

    The files hold :func:`~sxgeo.outputs.tables.readable` (GeoPackage: numbers kept), the sheet is named in
    ``lang`` and the file and layer names are ASCII (``{name}_{slug}``).
    """
    c1, c2, c3 = st.columns(3)
    base = f"{name}_{slug}"
    c1.download_button(t("app.download_csv", lang), data=lambda: export.to_csv_bytes(frame, lang, units=units),
                       file_name=f"{base}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore")
    c2.download_button(t("app.download_xlsx", lang), data=lambda: export.to_xlsx_bytes({name: frame}, lang, units=units),
                       file_name=f"{base}.xlsx", key=f"{key}_xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.notna().any():
        c3.download_button(t("app.download_gpkg", lang),
                           data=lambda: export.to_gpkg_bytes(frame[frame.geometry.notna()], name, lang),
                           file_name=f"{base}.gpkg", mime="application/geopackage+sqlite3", key=f"{key}_gpkg",
                           on_click="ignore")


def table_with_downloads(frame: pd.DataFrame, name: str, slug: str, lang: str, key: str,
                         units: dict | None = None) -> None:
    """Row count, the table, then its downloads in a row of their own (nothing for a table without rows)."""
    if frame is None or not len(frame):
        return
    st.caption(t("app.rows_n", lang, n=len(frame)))
    show_table(frame, lang, units)
    download_row(frame, name, slug, lang, key, units)


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
    st.markdown(f"#### {t('app.off_map', lang)}")
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
    """Each gap list of the area, then the off-map rows.

    A list with rows: its row count, the table and its downloads (file names carry the area code); an empty
    list: "no gaps" (success) or "no data" and why (info, naming missing layers), never an empty table.
    """
    slug = PROVINCE_CODE if level == "province" else str(code)
    for name in GAP_KINDS:
        st.markdown(f"#### {gap_title(name, lang, plan)}")
        view = gap_view(ws, name, level, code, lang)
        if view.state == "no_data":
            st.info(view.message, icon=":material/info:")
        elif view.state == "none":
            st.success(view.message, icon=":material/check_circle:")
        else:
            table_with_downloads(view.frame, name, slug, lang, key=f"dl_{name}", units=list_units(ws, name))
    off_map_list(ws, level, code, lang, slug)
