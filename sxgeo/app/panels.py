"""The targets panel (table and attainment chart) and the gap lists with their downloads."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from sxgeo.app.data import GAP_KINDS, Workspace
from sxgeo.formatting import fmt_status, fmt_value
from sxgeo.outputs import charts
from sxgeo.outputs import tables as export
from sxgeo.settings import PROVINCE_CODE
from sxgeo.text import choose, t

#: Comparators as shown (a leading ">" would turn a table cell into a Markdown quote).
_CMP = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "==": "="}
#: Status colours of the targets table and of the attainment bars ("no_network": the street network does not
#: cover the area, grey-blue: neither a pass nor a fail, and not the grey of missing data).
_STATUS_COLOURS = {"met": "#1a7f37", "not_met": "#c62828", "no_data": "#777", "no_network": "#4f6d8a"}
_BAR_COLOURS = {"met": "#1a9850", "not_met": "#d73027", "no_data": "#999999", "no_network": "#7b93ab"}
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


def download_row(frame: pd.DataFrame, name: str, slug: str, lang: str, key: str) -> None:
    """CSV, XLSX and (for layers with geometry) GeoPackage downloads of one table."""
    c1, c2, c3 = st.columns(3)
    base = f"{name}_{slug}"
    c1.download_button(t("app.download_csv", lang), data=lambda: export.to_csv_bytes(frame, lang),
                       file_name=f"{base}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore")
    c2.download_button(t("app.download_xlsx", lang), data=lambda: export.to_xlsx_bytes({name: frame}, lang),
                       file_name=f"{base}.xlsx", key=f"{key}_xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.notna().any():
        c3.download_button(t("app.download_gpkg", lang),
                           data=lambda: export.to_gpkg_bytes(frame[frame.geometry.notna()], name, lang),
                           file_name=f"{base}.gpkg", mime="application/geopackage+sqlite3", key=f"{key}_gpkg",
                           on_click="ignore")


#: Columns of a "not on the map" table, in order (those the rows lack are left out; notes in the UI language).
_OFF_MAP_VIEW = ("layer_kind", "row", "name", "address", "county_name", "township_name", "admin_method", "population")


def off_map_view(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rows without a location as shown, with headers and coded values in words.

    Layer, source row, name, address, county, township, how the row was placed (and population, for demand
    points) where the rows have them, then the notes in ``lang``.
    """
    notes = str(choose({"zh": "notes", "en": "notes_en"}, lang))
    cols = [c for c in _OFF_MAP_VIEW if c in frame and frame[c].notna().any()]
    cols += [notes] if notes in frame else []
    return export.localise(pd.DataFrame(frame[cols]).reset_index(drop=True), lang)


def off_map_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`off_map_view` drawn as a scrolling table; returns the table shown."""
    view = off_map_view(frame, lang)
    st.dataframe(view, hide_index=True, height=min(38 + 35 * len(view), 300))
    return view


def off_map_list(ws: Workspace, level: str, code: str | None, lang: str, slug: str) -> None:
    """The area's rows without a location, with downloads; a caption when there are none."""
    st.markdown(f"#### {t('app.off_map', lang)}")
    frame = ws.off_map(level, code)
    area = ws.bounds.scope(level, code).name
    if frame is None or frame.empty:
        st.caption(t("app.off_map_none", lang, area=area))
        return
    st.caption(t("app.off_map_help", lang, area=area, n=len(frame)))
    view = off_map_table(frame, lang)
    download_row(view, "off_map", slug, lang, key="dl_off_map")


def gap_lists(ws: Workspace, level: str, code: str | None, lang: str, plan: dict) -> None:
    """Each gap list of the area as a table with its downloads (file names carry the area code), then the off-map rows."""
    slug = PROVINCE_CODE if level == "province" else str(code)
    for name in GAP_KINDS:
        st.markdown(f"#### {gap_title(name, lang, plan)}")
        frame = ws.gap_list(name, level, code)
        if frame is None:
            st.caption(fmt_status("no_data", lang))
            continue
        st.caption(t("app.rows_n", lang, n=len(frame)))
        plain = pd.DataFrame(frame.drop(columns=frame.geometry.name)) if isinstance(frame, gpd.GeoDataFrame) else frame
        view = export.localise(plain, lang, values=False)
        st.dataframe(view, hide_index=True, height=min(38 + 35 * len(view), 300))
        download_row(frame, name, slug, lang, key=f"dl_{name}")
    off_map_list(ws, level, code, lang, slug)
