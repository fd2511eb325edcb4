"""Own data: upload a layer, township boundaries or population data, and see what was loaded and rejected.

Population data (a census table per township or a population grid) replaces the residential layer.  Under each
upload's summary: the rows without a usable location ("not on the map") and the rejected rows with their reasons.
With a workspace open, each upload is stored at once as the layer's new version, and each layer shows its version
history; a user who may only read the workspace sees the uploader disabled.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from sxgeo.app import workspaces
from sxgeo.app.panels import off_map_table
from sxgeo.app.state import (
    OWN_UPLOAD_TYPES,
    POLYGONS,
    POP_GRID,
    POP_TABLE,
    POPULATION_CHOICES,
    choice,
    open_name,
    own,
    session_uploads,
)
from sxgeo.errors import LayerReadError, StoreError
from sxgeo.io import MAX_BYTES, LoadResult, load_layer, load_township_polygons
from sxgeo.io.population import PopulationResult, load_population_grid, load_population_table
from sxgeo.layers.kinds import KINDS, RESIDENTIAL
from sxgeo.text import t

#: Coordinate systems an upload can be in (labels: ``app.crs_choice.<key>``).
CRS_CHOICES = ("auto", "wgs84", "gcj02", "bd09")
#: Rejected rows listed in the warning above the table.
_FIRST_REJECTED = 5
#: How the cells of a population grid were counted, in order (labels: ``app.cells.<key>``).
CELL_COUNTS = ("total", "loaded", "nodata", "negative", "zero", "outside")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", base)[:120]
    return base or "upload"


def read_upload(upload, kind: str, crs: str, polygons, age_shares=None) -> LoadResult:
    """Load an uploaded file through :mod:`sxgeo.io` (raises :class:`LayerReadError` with a user message).

    ``kind`` is a layer kind, :data:`POLYGONS`, :data:`POP_TABLE` (a census table per township, placed in
    ``polygons`` when given) or :data:`POP_GRID` (a population grid whose ages come from ``age_shares``).
    """
    data = upload.getvalue()
    if len(data) > MAX_BYTES:
        raise LayerReadError(upload.name, "err_too_large", size_mb=round(len(data) / 2**20, 1), limit_mb=MAX_BYTES // 2**20)
    with tempfile.TemporaryDirectory(prefix="sxgeo-upload-") as tmp:
        path = Path(tmp) / _safe_name(upload.name)
        path.write_bytes(data)
        if kind == POLYGONS:
            return load_township_polygons(path, coord_system="wgs84" if crs == "auto" else crs, display_name=upload.name)
        if kind == POP_TABLE:
            return load_population_table(path, township_polygons=polygons, display_name=upload.name)
        if kind == POP_GRID:
            return load_population_grid(path, age_shares=age_shares, display_name=upload.name)
        return load_layer(path, kind, coord_system=crs, display_name=upload.name, township_polygons=polygons)


def upload_error(err: Exception, lang: str) -> str:
    """Why an upload failed, in ``lang``: the reader's message, or the kind of an unexpected error."""
    if isinstance(err, LayerReadError | StoreError):
        return t("app.upload_failed", lang, msg=err.message(lang))
    return t("app.upload_unexpected", lang, err=type(err).__name__)


def _kind_label(kind: str, lang: str) -> str:
    if kind == POLYGONS:
        return t("app.township_polygons", lang)
    return KINDS[kind].label(lang) if kind in KINDS else t(f"app.upload_choice.{kind}", lang)


def stored_kind(choice_: str) -> str:
    """The layer kind an upload choice is kept as: population data replaces the residential layer."""
    return RESIDENTIAL.name if choice_ in POPULATION_CHOICES else choice_


def _summary(res: LoadResult, lang: str) -> None:
    """What was read and loaded; for population data also its notes (one per line) and a grid's cell counts."""
    st.info("  \n".join(res.summary(lang).splitlines()))  # population data: the counts, then message_lines(lang)
    if isinstance(res, PopulationResult) and res.cells:
        st.table(pd.DataFrame([[res.cells[k] for k in CELL_COUNTS]], index=[t("app.cells_title", lang)],
                              columns=[t(f"app.cells.{k}", lang) for k in CELL_COUNTS]))


def _unlocated(res: LoadResult, lang: str) -> None:
    """The loaded rows without a usable location: why they are kept and what they count in, then the rows."""
    st.markdown(f"**{t('app.unlocated', lang, n=len(res.unlocated))}**")
    st.caption(t("app.unlocated_help", lang))
    off_map_table(res.unlocated, lang)


def _rejected(res: LoadResult, lang: str) -> None:
    """The rejected rows of one upload: the first reasons as a warning, then all of them as a table."""
    st.markdown(f"**{t('app.rejected', lang)}**")
    reasons = res.rejected_view(lang)
    first = "\n".join(t("app.rejected_line", lang, row=row.iloc[0], reason=row.iloc[1])
                      for _, row in reasons.head(_FIRST_REJECTED).iterrows())
    st.warning(first)
    st.dataframe(reasons, hide_index=True, height=min(38 + 35 * len(reasons), 300))


def _age_shares(census: dict) -> PopulationResult | None:
    """The census table a grid uploaded after it takes its age shares from (None: the default shares)."""
    if census.get("choice") != POP_TABLE:
        return None
    res = census["result"]
    if isinstance(res, PopulationResult):
        return res
    return PopulationResult(kind=RESIDENTIAL, layer=res.layer, rejected=res.rejected, source=res.source)  # stored


def _keep(upload, kind: str, crs: str, res: LoadResult, shares, census: dict) -> None:
    """Keep a loaded upload: as the layer's new version in the open workspace, else in the session."""
    if open_name() is not None:
        version = workspaces.store_upload(stored_kind(kind), res)
        st.session_state.setdefault("_ws_choices", {})[(stored_kind(kind), version)] = kind
        return
    # the digest names the layer (the workspace's cache key): a grid's ages depend on the census table used
    digest = _digest(upload.getvalue() + (census["digest"].encode() if shares is not None else b""))
    session_uploads()[stored_kind(kind)] = {"result": res, "digest": digest, "crs": crs, "name": upload.name,
                                            "choice": kind}


def _read_and_keep(upload, kind: str, crs: str, uploads: dict) -> None:
    """Read a new upload and keep it; a failure is kept to be shown in the language of each rerun."""
    st.session_state["_last_upload"] = (upload.file_id, kind, crs)
    polys = uploads.get(POLYGONS, {}).get("result")
    census = uploads.get(RESIDENTIAL.name, {})  # a census table's age shares serve a grid uploaded after it
    shares = _age_shares(census) if kind == POP_GRID else None
    try:
        res = read_upload(upload, kind, crs, polys.layer if polys else None, age_shares=shares)
        _keep(upload, kind, crs, res, shares, census)
    except Exception as err:  # noqa: BLE001 - a broken file must never break the app
        st.session_state["_upload_error"] = err  # shown in the language of each rerun
    else:
        st.session_state.pop("_upload_error", None)
        st.rerun()  # every view now uses the new layer


def _remove(uploads: dict, lang: str) -> None:
    """The button that removes the own layers (to the workspace's trash when one is open)."""
    if not uploads or not workspaces.writable():
        return
    if st.button(t("app.remove_own_ws" if open_name() else "app.remove_own", lang), key="remove_own"):
        if open_name() is None:
            uploads.clear()
        else:
            for kind in uploads:
                workspaces.delete_layer(kind)
        st.session_state.pop("_upload_error", None)
        st.rerun()


def own_data(lang: str) -> None:
    """The "own data" tab: kind and coordinate system, the uploader, and each loaded layer's summary and versions."""
    st.caption(t("app.upload_help", lang))
    if open_name() is not None:
        st.caption(t("app.ws_upload_saved", lang, name=open_name()))
    if not workspaces.writable():
        workspaces.read_only_notice(lang)
    c1, c2 = st.columns(2)
    kind = choice(c1, "selectbox", t("app.kind", lang), [*KINDS, *POPULATION_CHOICES, POLYGONS], "upload_kind",
                  lambda k: _kind_label(k, lang))
    crs = choice(c2, "selectbox", t("app.crs", lang), list(CRS_CHOICES), "upload_crs",
                 lambda k: t(f"app.crs_choice.{k}", lang))
    upload = st.file_uploader(t("app.upload", lang), type=OWN_UPLOAD_TYPES, key="upload_file",
                              disabled=not workspaces.writable())
    uploads = own()
    if (upload is not None and workspaces.writable()
            and st.session_state.get("_last_upload") != (upload.file_id, kind, crs)):
        _read_and_keep(upload, kind, crs, uploads)
    err = st.session_state.get("_upload_error")
    if err is not None:
        st.error(upload_error(err, lang))
    for layer_kind, entry in uploads.items():
        res: LoadResult = entry["result"]
        _summary(res, lang)
        if len(res.unlocated):
            _unlocated(res, lang)
        if len(res.rejected):
            _rejected(res, lang)
        if open_name() is not None:
            workspaces.version_history(layer_kind, lang)
    _remove(uploads, lang)
