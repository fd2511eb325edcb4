"""The planner's map app (Streamlit + folium): ``streamlit run app.py`` or ``make app``.

Streamlit code lives only here, in ``app.py`` and in the ``sxgeo.webapp_*``
modules.  The app holds no analysis logic: data comes from :mod:`sxgeo.io.demo`
or :mod:`sxgeo.io`, results from :func:`sxgeo.analysis.run.analyse` (selected per
area by :class:`sxgeo.app.data.Workspace`), maps from :mod:`sxgeo.outputs.webmap`,
downloads from :mod:`sxgeo.outputs.tables`.  Every text is in simplified Chinese by
default, with an English switch.

Data and results are loaded once per dataset and cached; the map only ever
receives the geometry of the area on screen.  Leaflet is served from the
app's own static folder (:mod:`sxgeo.outputs.assets`), so the map works offline.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from pathlib import Path

import altair as alt
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from sxgeo.outputs import assets
from sxgeo.outputs import tables as export
from sxgeo.outputs import webmap as maps
from sxgeo.io.demo import load_demo
from sxgeo.text import t
from sxgeo.io import MAX_BYTES, LayerReadError, LoadResult, load_layer, load_township_polygons
from sxgeo.layers.kinds import KINDS
from sxgeo.analysis.scenario import planned_from_records
from sxgeo.app.data import GAP_KINDS, Boundaries, Workspace
from sxgeo.app.text import CRS_CHOICES, tr

#: Environment variables the app reads.
ENV_OSM = "SXGEO_OSM_FILE"
ENV_TIANDITU = "SXGEO_TIANDITU_KEY"
ENV_WARM = "SXGEO_APP_WARM"  # "0": do not precompute every county's view in the background
MAP_HEIGHT = 600
PLANNED_KINDS = ("kindergartens", "elderly_care", "fitness")
_UPLOAD_TYPES = ["csv", "txt", "xlsx", "geojson", "json", "gpkg", "zip"]
_POLYGONS = "township_polygons"


# --- cached resources ------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _boundaries() -> Boundaries:
    b = Boundaries.load()
    b.simplified  # noqa: B018 - warm the simplified outlines once
    return b


@st.cache_resource(show_spinner=False)
def _asset_error() -> str | None:
    try:
        assets.ensure_assets()
    except (assets.AssetError, OSError) as exc:
        return str(exc)
    return None


@st.cache_resource(show_spinner=False, max_entries=1)
def _demo_layers() -> dict[str, gpd.GeoDataFrame]:
    return {k: r.layer for k, r in load_demo().items()}


@st.cache_resource(show_spinner=False, max_entries=1)
def _network(path: str):
    from sxgeo.analysis.network import read_osm  # noqa: PLC0415 - only in network mode

    return read_osm(path)


@st.cache_resource(show_spinner=False, max_entries=4)
def _workspace(data_key: tuple, _layers: dict, _polygons, _network) -> Workspace:
    ws = Workspace.build(_layers, _boundaries(), township_polygons=_polygons, network=_network)
    if os.environ.get(ENV_WARM, "1") != "0":
        # every county's view, computed once in the background: later switches only assemble the map
        threading.Thread(target=ws.warm, name="sxgeo-warm", daemon=True).start()
    return ws


@st.cache_resource(show_spinner=False, max_entries=32)
def _planned_layer(records_key: tuple, kind: str) -> LoadResult:
    """Planned facilities validated like any input; ``records_key`` is a tuple of sorted record items."""
    return planned_from_records([dict(r) for r in records_key], kind, display_name="planned")


# --- helpers ---------------------------------------------------------------------------------


def _lang() -> str:
    return st.session_state.get("lang", "zh")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", base)[:120]
    return base or "upload"


def _read_upload(upload, kind: str, crs: str, polygons) -> LoadResult:
    """Load an uploaded file through sxgeo.io (raises LayerReadError with a user message)."""
    data = upload.getvalue()
    if len(data) > MAX_BYTES:
        raise LayerReadError(upload.name, "err_too_large", size_mb=round(len(data) / 2**20, 1), limit_mb=MAX_BYTES // 2**20)
    with tempfile.TemporaryDirectory(prefix="sxgeo-upload-") as tmp:
        path = Path(tmp) / _safe_name(upload.name)
        path.write_bytes(data)
        if kind == _POLYGONS:
            return load_township_polygons(path, coord_system=crs, display_name=upload.name)
        return load_layer(path, kind, coord_system=crs, display_name=upload.name, township_polygons=polygons)


def _own() -> dict:
    return st.session_state.setdefault("own", {})


def _network_state() -> tuple[object | None, str, str | None]:
    """(network, message, path) for the configured OSM file, or distance mode."""
    path = os.environ.get(ENV_OSM, "").strip()
    lang = _lang()
    if not path:
        return None, tr("mode_distance", lang), None
    if not Path(path).is_file():
        return None, tr("network_failed", lang, file=path, err=t("err_not_found", lang)), None
    try:
        with st.spinner(tr("loading", lang)):
            net = _network(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure falls back to distance mode
        return None, tr("network_failed", lang, file=path, err=exc), None
    return net, tr("mode_network", lang, file=Path(path).name), path


def _current_workspace(source: str) -> tuple[Workspace, bool]:
    """The workspace for the chosen data source; the flag says whether demo data is in use."""
    own = _own()
    polys = own.get(_POLYGONS)
    net, _, net_path = st.session_state["_net"]
    poly_layer = polys["result"].layer if polys else None
    if source == "own":
        layers = {k: v["result"].layer for k, v in own.items() if k != _POLYGONS}
        key = ("own", tuple(sorted((k, v["digest"], v["crs"]) for k, v in own.items())), net_path)
    else:
        layers = _demo_layers()
        key = ("demo", polys["digest"] if polys else None, net_path)
    with st.spinner(tr("loading", _lang())):
        return _workspace(key, layers, poly_layer, net), source == "demo"


# --- sidebar ---------------------------------------------------------------------------------


def _choice(container, widget: str, label: str, options: list, key: str, fmt, **kwargs):
    """A radio or selectbox whose choice survives a language switch.

    Streamlit's frontend does not relabel a keyed widget whose option labels
    change (after a language switch it showed no radio selected and stale
    selectbox text), so the widget's key carries the language, ``key@zh`` or
    ``key@en``, and the choice itself lives in ``st.session_state[key]``.
    """
    wkey = f"{key}@{_lang()}"
    current = st.session_state.get(key)
    if current not in options:
        current = options[0]
    if wkey in st.session_state and st.session_state[wkey] not in options:
        del st.session_state[wkey]  # the options changed (another city's counties)
    if wkey not in st.session_state:  # else the widget's own state (possibly set by _apply_pending) holds it
        kwargs["index"] = options.index(current)
    value = getattr(container, widget)(label, options, key=wkey, format_func=fmt, **kwargs)
    st.session_state[key] = value
    return value


def _apply_pending() -> None:
    """Apply an area chosen by clicking the map (before the widgets are drawn)."""
    pending = st.session_state.pop("_pending_area", None)
    if pending:
        for key, value in zip(("level", "city", "county"), pending):
            st.session_state[key] = value
            # set through the Session State API, so that the browser shows the new choice too
            st.session_state[f"{key}@{_lang()}"] = value


def _sidebar(b: Boundaries) -> tuple[str, str, str | None]:
    sb = st.sidebar
    lang = sb.radio("语言 / Language", ["zh", "en"], key="lang", horizontal=True,
                    format_func=lambda k: {"zh": "中文", "en": "English"}[k])
    source = _choice(sb, "radio", tr("data_source", lang), ["demo", "own"], "source", lambda k: tr("src_" + k, lang))
    level = _choice(sb, "radio", tr("area", lang), ["province", "city", "county"], "level", lambda k: tr(k, lang),
                    horizontal=True)
    code = None
    if level != "province":
        cities = b.counties.drop_duplicates("city_code").set_index("city_code")["city_name"].sort_index()
        city = _choice(sb, "selectbox", tr("city", lang), list(cities.index), "city", lambda c: f"{cities[c]} {c}")
        code = city
        if level == "county":
            inside = b.counties[b.counties["city_code"] == city].set_index("adcode")["name"].sort_index()
            code = _choice(sb, "selectbox", tr("county", lang), list(inside.index), "county", lambda c: f"{inside[c]} {c}")
    return lang, source, level, code


def _indicator_choice(ws: Workspace, lang: str) -> dict | None:
    options = ws.map_targets()
    if options.empty:
        return None
    ids = list(options["target_id"])
    info = options.set_index("target_id")
    name_col = "target_zh" if lang == "zh" else "target_en"

    def label(tid: str) -> str:
        prefix = tr("township_prefix" if info.at[tid, "level"] == "township" else "county_prefix", lang)
        return prefix + str(info.at[tid, name_col])

    tid = _choice(st.sidebar, "selectbox", tr("indicator", lang), ids, "indicator", label)
    return {"target_id": tid, **info.loc[tid].to_dict()}


def _basemap_choice(lang: str) -> tuple[str, str | None]:
    sb = st.sidebar
    basemap = _choice(sb, "selectbox", tr("basemap", lang), list(maps.BASEMAPS), "basemap",
                      lambda k: maps.BASEMAPS[k][0 if lang == "zh" else 1])
    key = None
    if basemap == "tianditu":
        key = sb.text_input(tr("tianditu_key", lang), value=os.environ.get(ENV_TIANDITU, ""), type="password", key="tk")
        if not key:
            sb.info(tr("tianditu_missing", lang))
            basemap = "none"
    sb.caption(tr("basemap_note", lang))
    return basemap, key


# --- map -------------------------------------------------------------------------------------


def _build_map(ws: Workspace, level: str, code: str | None, indicator: dict | None, lang: str,
               basemap: str, tk: str | None, planned: dict[str, gpd.GeoDataFrame]):
    m = maps.base_map(ws.bbox(level, code), lang=lang, basemap=basemap, tianditu_key=tk)
    outlines, labels = ws.reference(level, code)
    maps.add_reference(m, outlines, labels, lang=lang)
    if indicator is not None:
        units = ws.choropleth_units(level, code, indicator["target_id"])
        ind = maps.Indicator(label=str(indicator["target_zh" if lang == "zh" else "target_en"]),
                             threshold=float(indicator["threshold"]), comparator=str(indicator["comparator"]),
                             unit=str(indicator["unit"]))
        maps.add_choropleth(m, units, ind, lang=lang, unit_level=str(indicator["level"]),
                            highlight_code=code if level == "county" else None)
    cov = ws.coverage(level, code)
    if cov is not None:
        maps.add_coverage(m, cov[0], cov[1], lang=lang)
    for kind in ("kindergartens", "elderly_care", "fitness", "minor_protection", "residential"):
        if kind == "residential" and level != "county":
            continue  # demand points only per county: a city has thousands
        maps.add_points(m, None, kind, lang=lang, collection=ws.point_collection(kind, level, code, lang))
    for kind, frame in planned.items():
        maps.add_points(m, frame, kind, lang=lang, name=f"{tr('planned_list', lang)}：{KINDS[kind].label(lang)}"
                        if lang == "zh" else f"{tr('planned_list', lang)}: {KINDS[kind].label(lang)}",
                        style_key="planned")
    return maps.finish(m, lang=lang)


def _handle_click(event: dict | None, mode: str, ws: Workspace, lang: str, area: tuple) -> None:
    """Turn a map click into a county selection or a planned facility.

    The component keeps reporting its last click until the map changes, so
    each click is acted on once: its token holds the map's area (and, for
    planned facilities, how many there are), which change with the map.
    """
    if not event:
        return
    if mode == "select":
        feature = event.get("last_active_drawing") or {}
        props = feature.get("properties") or {}
        code = props.get("sx_code")
        if props.get("sx_level") == "township" and code:
            code = str(code)[:6]
        if not code or code not in ws.bounds.county_city:
            return
        token = ("select", area, code)
        if st.session_state.get("_last_click") == token:
            return
        st.session_state["_last_click"] = token
        if not (st.session_state.get("level") == "county" and st.session_state.get("county") == code):
            st.session_state["_pending_area"] = ("county", ws.bounds.county_city[code], code)
            st.rerun()
    else:
        # a click on an area or a point reports last_object_clicked; on empty map, last_clicked
        click = event.get("last_object_clicked") or event.get("last_clicked")
        if not click:
            return
        token = ("add", area, len(st.session_state.get("planned", [])), round(click["lat"], 7), round(click["lng"], 7))
        if st.session_state.get("_last_click") == token:
            return
        st.session_state["_last_click"] = token
        _add_planned_record(click["lng"], click["lat"], lang)
        st.rerun()


# --- targets panel ---------------------------------------------------------------------------


# Comparators as shown (a leading ">" would turn a table cell into a Markdown quote).
_CMP = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "==": "="}
_STATUS_COLOURS = {"met": "#1a7f37", "not_met": "#c62828", "no_data": "#777"}


def _status_text(status: str, lang: str) -> str:
    return tr(status if status in ("met", "not_met", "no_data") else "no_data", lang)


def _target_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    name_col = "target_zh" if lang == "zh" else "target_en"
    out = []
    for _, r in rows.iterrows():
        name = str(r[name_col]) + (f"（{int(r['period'])}）" if pd.notna(r["period"]) else "")
        if isinstance(r["units_level"], str) and r["units_total"] == 0:
            value = "—"
        elif isinstance(r["units_level"], str):
            value = tr("units_met", lang, met=int(r["units_met"]), total=int(r["units_total"]),
                       unit=tr("unit_" + r["units_level"], lang))
        else:
            value = maps.format_value(r["value"], r["unit"])
        out.append({
            tr("target", lang): name,
            tr("value", lang): value,
            tr("threshold", lang): f"{_CMP.get(r['comparator'], r['comparator'])} {maps.format_value(r['threshold'], r['unit'])}",
            tr("status", lang): _status_text(r["status"], lang),
        })
    return pd.DataFrame(out, columns=[tr(k, lang) for k in ("target", "value", "threshold", "status")])


def _attainment_chart(rows: pd.DataFrame, lang: str):
    own = rows[~rows["units_level"].map(lambda v: isinstance(v, str)) & rows["value"].notna()].copy()
    if own.empty:
        return None
    name_col = "target_zh" if lang == "zh" else "target_en"
    own["label"] = own[name_col].astype(str) + own["period"].map(lambda p: f" {int(p)}" if pd.notna(p) else "")
    thr = own["threshold"].astype(float).where(own["threshold"].astype(float) != 0)
    ratio = own["value"].astype(float) / thr
    own["ratio"] = ratio.where(own["comparator"].isin([">=", ">", "=="]), 1 / ratio).clip(upper=1.5)
    own["status_text"] = own["status"].map(lambda s: _status_text(s, lang))
    base = alt.Chart(own).encode(y=alt.Y("label:N", title=None, sort=None))
    bars = base.mark_bar().encode(
        x=alt.X("ratio:Q", title=tr("attainment", lang), axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1.5])),
        color=alt.Color("status_text:N", title=tr("status", lang),
                        scale=alt.Scale(domain=[tr("met", lang), tr("not_met", lang)], range=["#1a9850", "#d73027"])),
        tooltip=["label", alt.Tooltip("ratio:Q", format=".0%")],
    )
    rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#333", strokeDash=[4, 3]).encode(x="x:Q")
    return (bars + rule).properties(height=max(120, 28 * len(own)))


def _targets_panel(ws: Workspace, level: str, code: str | None, lang: str) -> None:
    st.subheader(tr("targets", lang))
    rows = ws.target_rows(level, code)
    table = _target_table(rows, lang).set_index(tr("target", lang))
    colours = {tr(k, lang): c for k, c in _STATUS_COLOURS.items()}
    st.table(table.style.map(lambda v: f"color:{colours.get(v, '#333')};font-weight:600", subset=[tr("status", lang)]))
    chart = _attainment_chart(rows, lang)
    if chart is not None:
        st.altair_chart(chart, width="stretch")


# --- gap lists -------------------------------------------------------------------------------


def _download_row(frame: pd.DataFrame, name: str, slug: str, lang: str, key: str) -> None:
    c1, c2, c3 = st.columns(3)
    base = f"{name}_{slug}"
    c1.download_button(tr("download_csv", lang), data=lambda: export.to_csv_bytes(frame, lang),
                       file_name=f"{base}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore")
    c2.download_button(tr("download_xlsx", lang), data=lambda: export.to_xlsx_bytes({name: frame}, lang),
                       file_name=f"{base}.xlsx", key=f"{key}_xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.notna().any():
        c3.download_button(tr("download_gpkg", lang),
                           data=lambda: export.to_gpkg_bytes(frame[frame.geometry.notna()], name, lang),
                           file_name=f"{base}.gpkg", mime="application/geopackage+sqlite3", key=f"{key}_gpkg",
                           on_click="ignore")


def _gap_lists(ws: Workspace, level: str, code: str | None, lang: str) -> None:
    slug = "140000" if level == "province" else str(code)  # file names carry the area code
    for name in GAP_KINDS:
        st.markdown(f"#### {tr('gap_' + name, lang)}")
        frame = ws.gap_list(name, level, code)
        if frame is None:
            st.caption(tr("no_data", lang))
            continue
        st.caption(tr("rows_n", lang, n=len(frame)))
        view = export.localise_columns(pd.DataFrame(frame.drop(columns=frame.geometry.name)) if isinstance(frame, gpd.GeoDataFrame) else frame, lang)
        st.dataframe(view, hide_index=True, height=min(38 + 35 * len(view), 300))
        _download_row(frame, name, slug, lang, key=f"dl_{name}")


# --- own data --------------------------------------------------------------------------------


def _own_data(lang: str) -> None:
    st.caption(tr("upload_help", lang))
    kinds = [*KINDS, _POLYGONS]
    c1, c2 = st.columns(2)
    kind = _choice(c1, "selectbox", tr("kind", lang), kinds, "upload_kind",
                   lambda k: tr(_POLYGONS, lang) if k == _POLYGONS else KINDS[k].label(lang))
    crs = _choice(c2, "selectbox", tr("crs", lang), list(CRS_CHOICES), "upload_crs",
                  lambda k: CRS_CHOICES[k][0 if lang == "zh" else 1])
    upload = st.file_uploader(tr("upload", lang), type=_UPLOAD_TYPES, key="upload_file")
    own = _own()
    if upload is not None and st.session_state.get("_last_upload") != (upload.file_id, kind, crs):
        st.session_state["_last_upload"] = (upload.file_id, kind, crs)
        polys = own.get(_POLYGONS, {}).get("result")
        try:
            res = _read_upload(upload, kind, crs, polys.layer if polys else None)
        except LayerReadError as err:
            st.session_state["_upload_msg"] = ("error", tr("upload_failed", "zh", msg=err.message("zh")),
                                               tr("upload_failed", "en", msg=err.message("en")))
        except Exception as err:  # noqa: BLE001 - a broken file must never break the app
            st.session_state["_upload_msg"] = ("error", tr("upload_unexpected", "zh", err=type(err).__name__),
                                               tr("upload_unexpected", "en", err=type(err).__name__))
        else:
            own[kind] = {"result": res, "digest": _digest(upload.getvalue()), "crs": crs, "name": upload.name}
            st.session_state["_upload_msg"] = ("ok", kind)
            st.rerun()  # every view now uses the new layer
    msg = st.session_state.get("_upload_msg")
    if msg and msg[0] == "error":
        st.error(msg[1] if lang == "zh" else msg[2])
    for k, entry in own.items():
        res: LoadResult = entry["result"]
        st.info(res.summary(lang))
        if len(res.rejected):
            st.markdown(f"**{tr('rejected', lang)}**")
            reasons = res.rejected_view(lang)
            first = "\n".join(f"- {row.iloc[0]}：{row.iloc[1]}" if lang == "zh" else f"- row {row.iloc[0]}: {row.iloc[1]}"
                              for _, row in reasons.head(5).iterrows())
            st.warning(first)
            st.dataframe(reasons, hide_index=True, height=min(38 + 35 * len(reasons), 300))
    if own and st.button(tr("remove_own", lang), key="remove_own"):
        own.clear()
        st.session_state.pop("_upload_msg", None)
        st.rerun()


# --- scenario --------------------------------------------------------------------------------


def _planned_defaults(kind: str) -> dict:
    ss = st.session_state
    year = int(ss.get("planned_year", 2025))
    if kind == "kindergartens":
        return {"性质": "公办" if ss.get("planned_ownership", "public") == "public" else "民办", "普惠": "是", "建成年份": year}
    if kind == "elderly_care":
        return {"类型": {"community": "社区养老服务站", "institution": "养老机构", "mutual_aid": "农村互助幸福院"}[
            ss.get("planned_care_kind", "community")], "床位数": int(ss.get("planned_beds", 20)),
            "护理型床位数": int(ss.get("planned_nursing", 10)), "建成年份": year}
    return {"类型": "社区全民健身中心", "建成年份": year}


def _add_planned_record(lon: float, lat: float, lang: str) -> None:
    kind = st.session_state.get("planned_kind", PLANNED_KINDS[0])
    records = st.session_state.setdefault("planned", [])
    n = sum(1 for r in records if r[0] == kind) + 1
    name = tr("planned_default_name", "zh", kind=KINDS[kind].label("zh"), n=n)
    rec = {"编号": f"P{len(records) + 1:03d}", "名称": name, "经度": round(lon, 6), "纬度": round(lat, 6), **_planned_defaults(kind)}
    res = _planned_layer((tuple(sorted(rec.items())),), kind)
    if len(res.rejected):
        st.session_state["_planned_msg"] = ("error", str(res.rejected_view(lang).iloc[0, 1]))
        return
    records.append((kind, tuple(sorted(rec.items()))))
    st.session_state["_planned_msg"] = ("ok", tr("planned_added", lang, name=name, lon=lon, lat=lat))


def _planned_layers() -> dict[str, gpd.GeoDataFrame]:
    out: dict[str, list[gpd.GeoDataFrame]] = {}
    for kind in PLANNED_KINDS:
        recs = [dict(r) for k, r in st.session_state.get("planned", []) if k == kind]
        if recs:
            key = tuple(tuple(sorted(r.items())) for r in recs)
            out.setdefault(kind, []).append(_planned_layer(key, kind).layer)
    for kind, entry in st.session_state.get("planned_files", {}).items():
        out.setdefault(kind, []).append(entry["result"].layer)
    return {k: gpd.GeoDataFrame(pd.concat(v, ignore_index=True), crs="EPSG:4326") for k, v in out.items() if v}


def _scenario_inputs(lang: str) -> None:
    st.caption(tr("scenario_help", lang))
    c1, c2, c3 = st.columns(3)
    kind = _choice(c1, "selectbox", tr("planned_kind", lang), list(PLANNED_KINDS), "planned_kind", lambda k: KINDS[k].label(lang))
    c2.number_input(tr("opening_year", lang), min_value=2021, max_value=2035, value=2025, step=1, key="planned_year")
    if kind == "kindergartens":
        _choice(c3, "radio", tr("kg_ownership", lang), ["public", "private"], "planned_ownership", lambda k: tr(k, lang),
                horizontal=True)
    elif kind == "elderly_care":
        labels = KINDS["elderly_care"].column("care_kind").values
        _choice(c3, "selectbox", tr("elderly_kind", lang), list(labels), "planned_care_kind",
                lambda k: labels[k][0] if lang == "zh" else k.replace("_", " "))
        d1, d2 = st.columns(2)
        d1.number_input(tr("beds", lang), min_value=0, value=20, key="planned_beds")
        d2.number_input(tr("nursing_beds", lang), min_value=0, value=10, key="planned_nursing")
    up = st.file_uploader(tr("planned_upload", lang), type=_UPLOAD_TYPES, key="planned_file")
    if up is not None and st.session_state.get("_last_planned_upload") != (up.file_id, kind):
        st.session_state["_last_planned_upload"] = (up.file_id, kind)
        try:
            res = _read_upload(up, kind, st.session_state.get("upload_crs", "wgs84"), None)
        except LayerReadError as err:
            st.session_state["_planned_msg"] = ("error", err.message(lang))
        except Exception as err:  # noqa: BLE001
            st.session_state["_planned_msg"] = ("error", tr("upload_unexpected", lang, err=type(err).__name__))
        else:
            st.session_state.setdefault("planned_files", {})[kind] = {"result": res}
            st.session_state["_planned_msg"] = ("ok", res.summary(lang))
            st.rerun()
    msg = st.session_state.get("_planned_msg")
    if msg:
        (st.success if msg[0] == "ok" else st.error)(msg[1] if msg[0] == "ok" else tr("planned_rejected", lang, reason=msg[1]))


def _scenario_results(ws: Workspace, planned: dict, level: str, code: str | None, lang: str) -> None:
    if not planned:
        st.info(tr("planned_none", lang))
        return
    st.markdown(f"**{tr('planned_list', lang)}**")
    listing = pd.concat([f.assign(_kind=KINDS[k].label(lang)) for k, f in planned.items()], ignore_index=True)
    st.dataframe(export.localise_columns(pd.DataFrame(listing[["_kind", "id", "name", "lon", "lat", "county_name", "township_name"]]), lang),
                 hide_index=True)
    if st.button(tr("planned_clear", lang), key="planned_clear"):
        st.session_state["planned"] = []
        st.session_state["planned_files"] = {}
        st.session_state.pop("_planned_msg", None)
        st.rerun()
    if ws.analysis is None:
        return
    key = tuple((k, tuple(map(str, f["id"])), tuple(f.geometry.x.round(6)), tuple(f.geometry.y.round(6))) for k, f in sorted(planned.items()))
    after, comparison, after_layers = ws.scenario(planned, key)
    after_ws = Workspace(layers=after_layers, bounds=ws.bounds, analysis=after)
    before_rows, after_rows = ws.target_rows(level, code), after_ws.target_rows(level, code)
    table_b, table_a = _target_table(before_rows, lang), _target_table(after_rows, lang)
    fmt = "{}（{}）" if lang == "zh" else "{} ({})"
    cols = [tr(k, lang) for k in ("target", "value", "status")]
    b_, a_ = (tb[cols].set_index(cols[0]) for tb in (table_b, table_a))
    both = pd.DataFrame({
        tr("before", lang): [fmt.format(v, s) for v, s in zip(b_[cols[1]], b_[cols[2]])],
    }, index=b_.index)
    both[tr("after", lang)] = [fmt.format(v, s) for v, s in zip(a_[cols[1]], a_[cols[2]])] if len(a_) == len(b_) else None
    st.table(both)
    changed = ws.filter_rows(comparison[(comparison["status_before"] != comparison["status_after"])
                                        | (comparison["change"].abs() > 1e-12)], level, code)
    st.markdown(f"**{tr('changed_units', lang)}**")
    if changed is None or changed.empty:
        st.caption(tr("no_change", lang))
        return
    name_col = "target_zh" if lang == "zh" else "target_en"
    view = pd.DataFrame({
        tr("target", lang): changed[name_col],
        "unit": changed["unit_name"],
        tr("before", lang): [maps.format_value(v, u) for v, u in zip(changed["value_before"], changed["unit"])],
        tr("after", lang): [maps.format_value(v, u) for v, u in zip(changed["value_after"], changed["unit"])],
        tr("status", lang): [f"{_status_text(a, lang)} → {_status_text(b, lang)}" for a, b in zip(changed["status_before"], changed["status_after"])],
    }).rename(columns={"unit": "单位" if lang == "zh" else "Unit"})
    st.dataframe(view, hide_index=True)


# --- page ------------------------------------------------------------------------------------


def main() -> None:
    st.set_page_config(page_title="sxgeo 山西公共服务设施缺口分析", layout="wide")
    _apply_pending()
    b = _boundaries()
    lang, source, level, code = _sidebar(b)
    st.title(tr("title", lang))
    st.session_state["_net"] = _network_state()
    ws, demo_in_use = _current_workspace(source)
    if demo_in_use:
        st.warning(tr("synthetic", lang))
    else:
        st.info(tr("own_in_use", lang) if any(k != _POLYGONS for k in _own()) else tr("own_empty", lang))
    st.caption(st.session_state["_net"][1])
    if ws.error is not None:
        st.error(tr("analysis_failed", lang, err=f"{type(ws.error).__name__}: {ws.error}"))
    elif ws.analysis.warnings:
        with st.expander("⚠️ " + ("分析提示" if lang == "zh" else "Analysis notes")):
            for key, params in ws.analysis.warnings:
                st.write(t(key, lang, **params))
    indicator = _indicator_choice(ws, lang)
    basemap, tk = _basemap_choice(lang)
    planned = _planned_layers()

    col_map, col_panel = st.columns([5, 3], gap="medium")
    with col_map:
        mode = _choice(st, "radio", tr("click_mode", lang), ["select", "add"], "click_mode", lambda k: tr("click_" + k, lang),
                       horizontal=True)
        err = _asset_error()
        if err:
            st.error(tr("assets_missing", lang, err=err))
        m = _build_map(ws, level, code, indicator, lang, basemap, tk, planned)
        # render=False: st_folium renders the map itself once more; one render is enough
        # the key holds the click mode: streamlit-folium reads returned_objects only when the map mounts
        event = st_folium(m, key=f"map_{mode}", height=MAP_HEIGHT, use_container_width=True, render=False,
                          returned_objects=["last_active_drawing"] if mode == "select" else ["last_clicked", "last_object_clicked"])
        if level != "county":
            st.caption(tr("province_points" if level == "province" else "city_points", lang))
        _handle_click(event, mode, ws, lang, (level, code))
    with col_panel:
        _targets_panel(ws, level, code, lang)

    tab_gaps, tab_own, tab_scen = st.tabs([tr("gaps", lang), tr("own_data", lang), tr("scenario", lang)])
    with tab_gaps:
        _gap_lists(ws, level, code, lang)
    with tab_own:
        _own_data(lang)
    with tab_scen:
        _scenario_inputs(lang)
        _scenario_results(ws, planned, level, code, lang)
