"""Scenarios: add planned facilities (by clicking the map or from a file) and compare every target before and after."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from sxgeo.app.data import Workspace
from sxgeo.app.panels import target_names, target_table
from sxgeo.app.state import UPLOAD_TYPES, choice, planned_key, planned_layer
from sxgeo.app.uploads import read_upload, upload_error
from sxgeo.formatting import fmt_percent, fmt_status, fmt_value
from sxgeo.layers.kinds import KINDS
from sxgeo.outputs import tables as export
from sxgeo.settings import LONLAT_CRS
from sxgeo.text import t

#: Facility kinds that can be planned.
PLANNED_KINDS = ("kindergartens", "elderly_care", "fitness")


def _planned_defaults(kind: str) -> dict:
    """The attributes of a facility added by clicking, from the scenario tab's inputs (codes, as in any file)."""
    ss = st.session_state
    year = int(ss.get("planned_year", 2025))
    if kind == "kindergartens":
        return {"ownership": ss.get("planned_ownership", "public"), "inclusive": "是", "opening_year": year,
                "places": int(ss.get("planned_places", 180))}
    if kind == "elderly_care":
        return {"care_kind": ss.get("planned_care_kind", "community"), "beds": int(ss.get("planned_beds", 20)),
                "nursing_beds": int(ss.get("planned_nursing", 10)), "opening_year": year}
    return {"fitness_kind": "community_centre", "opening_year": year}


def add_planned_record(lon: float, lat: float, lang: str) -> None:
    """Add a planned facility of the chosen kind at a clicked point (validated like any input)."""
    kind = st.session_state.get("planned_kind", PLANNED_KINDS[0])
    records = st.session_state.setdefault("planned", [])
    saved = st.session_state.get("planned_saved", {})  # planned in an earlier session of the open workspace
    n = sum(1 for r in records if r[0] == kind) + len(saved.get(kind, ())) + 1
    # the facility's name is data and, like the demo data, Chinese
    name = t("app.planned_default_name", "zh", kind=KINDS[kind].label("zh"), n=n)
    number = len(records) + sum(map(len, saved.values())) + 1
    rec = {"id": f"P{number:03d}", "name": name, "lon": round(lon, 6), "lat": round(lat, 6), **_planned_defaults(kind)}
    res = planned_layer((tuple(sorted(rec.items())),), kind)
    if len(res.rejected):
        st.session_state["_planned_msg"] = ("error", str(res.rejected_view(lang).iloc[0, 1]))
        return
    records.append((kind, tuple(sorted(rec.items()))))
    st.session_state["_planned_msg"] = ("ok", t("app.planned_added", lang, name=name, lon=lon, lat=lat))


def planned_layers() -> dict[str, gpd.GeoDataFrame]:
    """Every planned facility, clicked or uploaded, as one layer per kind."""
    out: dict[str, list[gpd.GeoDataFrame]] = {}
    for kind in PLANNED_KINDS:
        recs = [dict(r) for k, r in st.session_state.get("planned", []) if k == kind]
        if recs:
            key = tuple(tuple(sorted(r.items())) for r in recs)
            out.setdefault(kind, []).append(planned_layer(key, kind).layer)
    for kind, entry in st.session_state.get("planned_files", {}).items():
        out.setdefault(kind, []).append(entry["result"].layer)
    for kind, frame in st.session_state.get("planned_saved", {}).items():  # the open workspace's scenario
        out.setdefault(kind, []).insert(0, frame)
    return {k: gpd.GeoDataFrame(pd.concat(v, ignore_index=True), crs=LONLAT_CRS) for k, v in out.items() if v}


def planned_kind_choice(lang: str) -> str:
    """The kind of facility a click on the map plans (beside the map)."""
    return choice(st, "selectbox", t("app.planned_kind", lang), list(PLANNED_KINDS), "planned_kind",
                  lambda k: KINDS[k].label(lang))


def planned_summary(planned: dict[str, gpd.GeoDataFrame], lang: str) -> None:
    """How many facilities are planned, by kind, and the last planning message (beside the map)."""
    if planned:
        parts = "，".join(f"{KINDS[k].label(lang)} {len(f)}" for k, f in planned.items())
        st.markdown(t("app.planned_count", lang, n=sum(map(len, planned.values())), parts=parts))
    else:
        st.caption(t("app.planned_none_short", lang))


def scenario_inputs(lang: str) -> None:
    """The planned facility's kind and attributes, and the upload of a list of planned facilities."""
    st.caption(t("app.scenario_help", lang))
    kind = st.session_state.get("planned_kind", PLANNED_KINDS[0])
    st.markdown(f"**{t('app.planned_attributes', lang, kind=KINDS[kind].label(lang))}**")
    c2, c3 = st.columns(2)
    c2.number_input(t("col.opening_year", lang), min_value=2021, max_value=2035, value=2025, step=1, key="planned_year")
    if kind == "kindergartens":
        choice(c3, "radio", t("col.ownership", lang), ["public", "private"], "planned_ownership",
               lambda k: t(f"cat.ownership.{k}", lang), horizontal=True)
        st.number_input(t("col.places", lang), min_value=0, value=180, step=30, key="planned_places")
    elif kind == "elderly_care":
        choice(c3, "selectbox", t("col.care_kind", lang), list(KINDS["elderly_care"].column("care_kind").values),
               "planned_care_kind", lambda k: t(f"cat.care_kind.{k}", lang))
        d1, d2 = st.columns(2)
        d1.number_input(t("col.beds", lang), min_value=0, value=20, key="planned_beds")
        d2.number_input(t("col.nursing_beds", lang), min_value=0, value=10, key="planned_nursing")
    up = st.file_uploader(t("app.planned_upload", lang), type=UPLOAD_TYPES, key="planned_file")
    if up is not None and st.session_state.get("_last_planned_upload") != (up.file_id, kind):
        st.session_state["_last_planned_upload"] = (up.file_id, kind)
        try:
            res = read_upload(up, kind, st.session_state.get("upload_crs", "wgs84"), None)
        except Exception as err:  # noqa: BLE001 - a broken file must never break the app
            st.session_state["_planned_msg"] = ("error", upload_error(err, lang))
        else:
            st.session_state.setdefault("planned_files", {})[kind] = {"result": res}
            st.session_state["_planned_msg"] = ("ok", res.summary(lang))
            st.rerun()
    msg = st.session_state.get("_planned_msg")
    if msg:
        (st.success if msg[0] == "ok" else st.error)(msg[1] if msg[0] == "ok" else t("app.planned_rejected", lang, reason=msg[1]))


def _planned_list(planned: dict[str, gpd.GeoDataFrame], lang: str) -> None:
    """The planned facilities as a table, with a button that clears them."""
    st.markdown(f"**{t('app.planned_list', lang)}**")
    listing = pd.concat([f.assign(layer_kind=KINDS[k].label(lang)) for k, f in planned.items()], ignore_index=True)
    columns = [c for c in ("layer_kind", "id", "name", "lon", "lat", "county_name", "township_name") if c in listing]
    view = export.localise(pd.DataFrame(listing[columns]), lang, values=False).fillna("—")
    st.dataframe(view, hide_index=True)
    if st.button(t("app.planned_clear", lang), key="planned_clear"):
        st.session_state["planned"] = []
        st.session_state["planned_files"] = {}
        st.session_state["planned_saved"] = {}
        st.session_state.pop("_planned_msg", None)
        st.rerun()


def _before_after(before: pd.DataFrame, after: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every target's value (status) before and after, one row per target."""
    cols = [t("app.target", lang), t("col.value", lang), t("col.status", lang)]
    b_, a_ = (tb[cols].set_index(cols[0]) for tb in (target_table(before, lang), target_table(after, lang)))

    def cells(frame: pd.DataFrame) -> list[str]:
        return [t("app.value_status", lang, value=v, status=s) for v, s in zip(frame[cols[1]], frame[cols[2]])]

    both = pd.DataFrame({t("app.before", lang): cells(b_)}, index=b_.index)
    both[t("app.after", lang)] = cells(a_) if len(a_) == len(b_) else None
    return both


def _changed_units(changed: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The units whose shown value or status changed: target, unit, value before and after, status (change).

    A change below the shown precision (56.51% → 56.54%) with the same status is no change to a reader and
    is left out.
    """
    before = [fmt_value(v, u) for v, u in zip(changed["value_before"], changed["unit"])]
    after = [fmt_value(v, u) for v, u in zip(changed["value_after"], changed["unit"])]
    moved = changed["status_before"].to_numpy() != changed["status_after"].to_numpy()
    status = [t("app.status_change", lang, before=fmt_status(a, lang), after=fmt_status(b, lang)) if m
              else t("app.status_same", lang, status=fmt_status(a, lang))
              for a, b, m in zip(changed["status_before"], changed["status_after"], moved)]
    view = pd.DataFrame({
        t("app.target", lang): target_names(changed, lang).to_numpy(),
        t("app.unit_column", lang): changed["unit_name"].to_numpy(),
        t("app.before", lang): before,
        t("app.after", lang): after,
        t("col.status", lang): status,
    })
    real = moved | (pd.Series(before) != pd.Series(after)).to_numpy()
    return view[real].reset_index(drop=True)


def _shortfall_closed(ws: Workspace, planned: dict, key, lang: str) -> None:
    """How much of the seat or bed shortfall each planned site closes, alone and all together."""
    for layer_kind, frame in ws.shortfall_closed(planned, key).items():
        st.markdown(f"**{t('app.shortfall_closed', lang, kind=KINDS[layer_kind].label(lang))}**")
        st.caption(t("app.shortfall_before", lang, value=f"{frame.attrs['shortfall_before']:,.0f}"))
        view = frame.assign(id=frame["id"].fillna(t("app.all_planned", lang)))
        if "name" in view:
            view = view.assign(name=view["name"].fillna("—"))
        view = view.assign(closed=view["closed"].round(1), share_closed=[fmt_percent(v) for v in view["share_closed"]])
        st.dataframe(export.localise(view, lang, values=False), hide_index=True)


def scenario_results(ws: Workspace, planned: dict, level: str, code: str | None, lang: str) -> None:
    """The planned facilities and, for the area, every target before and after and the units that changed."""
    if not planned:
        st.info(t("app.planned_none", lang))
        return
    _planned_list(planned, lang)
    if ws.analysis is None:
        return
    key = planned_key(planned)
    after, comparison, after_layers = ws.scenario(planned, key)
    after_ws = Workspace(layers=after_layers, bounds=ws.bounds, analysis=after)
    st.table(_before_after(ws.target_rows(level, code), after_ws.target_rows(level, code), lang))
    changed = ws.filter_rows(comparison[(comparison["status_before"] != comparison["status_after"])
                                        | (comparison["change"].abs() > 1e-12)], level, code)
    _shortfall_closed(ws, planned, key, lang)
    st.markdown(f"**{t('app.changed_units', lang)}**")
    view = _changed_units(changed, lang) if changed is not None and not changed.empty else None
    if view is None or view.empty:
        st.caption(t("app.no_change", lang))
        return
    st.dataframe(view, hide_index=True)
