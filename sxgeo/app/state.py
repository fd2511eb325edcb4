"""What the app keeps between reruns: cached datasets and workspaces, the street networks and the user's choices."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import streamlit as st

from sxgeo.analysis.scenario import planned_from_records
from sxgeo.app.data import Boundaries, Workspace
from sxgeo.errors import AssetError
from sxgeo.formatting import plan_numbers as target_numbers
from sxgeo.io import LoadResult
from sxgeo.io.demo import load_demo
from sxgeo.io.store import StoredLayer, WorkspaceStore, open_store
from sxgeo.io.targets import Target, load_targets
from sxgeo.layers.kinds import KINDS, LayerKind
from sxgeo.outputs import assets
from sxgeo.settings import DETOUR_FACTOR, DRIVE_SPEED_KMH, TRAVEL_MODES, WALK_SPEED_KMH
from sxgeo.text import lang_or_default, t

#: Environment variables the app reads.
ENV_OSM = "SXGEO_OSM_FILE"
ENV_TIANDITU = "SXGEO_TIANDITU_KEY"
ENV_WARM = "SXGEO_APP_WARM"  # "0": do not precompute every county's view in the background
ENV_DATABASE = "SXGEO_DATABASE_URL"  # the store's PostGIS database (else GeoPackages under SXGEO_HOME)
ENV_HOME = "SXGEO_HOME"
#: The URL parameter naming the open workspace (``?ws=太原``): a reload or a restarted server reopens it.
WS_PARAM = "ws"
#: Session key of the logged-in user (None: no login, single-user mode).
USER = "sxgeo_user"
#: The upload kind that is not a point layer.
POLYGONS = "township_polygons"
#: Upload choices that are read as population data and stored as the residential layer (kind ``RESIDENTIAL``).
POP_TABLE = "population_table"  # a census table per township (CSV, XLSX)
POP_GRID = "population_grid"  # a population grid (GeoTIFF)
POPULATION_CHOICES = (POP_TABLE, POP_GRID)
UPLOAD_TYPES = ["csv", "txt", "xlsx", "geojson", "json", "gpkg", "zip"]
#: What the "own data" uploader accepts: any layer file, and GeoTIFF population grids.
OWN_UPLOAD_TYPES = [*UPLOAD_TYPES, "tif", "tiff"]


# --- cached resources ------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def boundaries() -> Boundaries:
    """The bundled administrative geography, loaded once per server."""
    b = Boundaries.load()
    b.simplified  # noqa: B018 - warm the simplified outlines once
    return b


@st.cache_resource(show_spinner=False)
def asset_error() -> AssetError | OSError | None:
    """Why the offline Leaflet files are missing, or None when they are in place."""
    try:
        assets.ensure_assets()
    except (AssetError, OSError) as exc:
        return exc
    return None


@st.cache_resource(show_spinner=False)
def leaflet_css() -> str | None:
    """The text of ``leaflet.css``, put into every map rather than linked (None while the assets are missing).

    streamlit-folium runs the map's script once ``leaflet.js`` has loaded and
    does not wait for a linked stylesheet: on a busy server the map was drawn
    without Leaflet's CSS for up to a second or more, and a click then hit the bare
    overlay pane instead of the county under it.
    """
    if asset_error() is not None:
        return None
    return assets.inline_assets()[1]


@st.cache_resource(show_spinner=False, max_entries=1)
def demo_layers() -> dict[str, gpd.GeoDataFrame]:
    """The synthetic demo layers."""
    return {k: r.layer for k, r in load_demo().items()}


@st.cache_resource(show_spinner=False)
def default_targets() -> list[Target]:
    """The bundled plan targets (for texts when no analysis could be made)."""
    return load_targets()


def target_ids() -> set[str]:
    """The ids of the plan's targets (what an ``indicator`` URL parameter may name)."""
    return {tg.id for tg in default_targets()}


@st.cache_resource(show_spinner=False, max_entries=len(TRAVEL_MODES))
def network(path: str, mode: str):
    """The street network of a local OSM file for one travel mode (``walk`` or ``drive``), read once per mode."""
    from sxgeo.io.osm import read_osm  # noqa: PLC0415 - only in network mode

    return read_osm(path, mode=mode)


@st.cache_resource(show_spinner=False, max_entries=4)
def workspace(data_key: tuple, _layers: dict, _polygons, _network, mode: str) -> Workspace:
    """The analysed dataset ``data_key`` in travel mode ``mode``; every county's view is then computed in the background.

    ``data_key`` names the layers and the OSM file; the mode is part of the cache key too.
    """
    networks = {mode: _network} if _network is not None else None
    ws = Workspace.build(_layers, boundaries(), township_polygons=_polygons, network=networks, mode=mode)
    if os.environ.get(ENV_WARM, "1") != "0":
        threading.Thread(target=ws.warm, name="sxgeo-warm", daemon=True).start()
    return ws


@st.cache_resource(show_spinner=False, max_entries=32)
def planned_layer(records_key: tuple, kind: str) -> LoadResult:
    """Planned facilities validated like any input; ``records_key`` is a tuple of sorted record items."""
    return planned_from_records([dict(r) for r in records_key], kind, display_name="planned")


@dataclass
class StoredResult(LoadResult):
    """A stored layer version shown like a fresh upload; its summary names the workspace and the version."""

    stored: StoredLayer | None = None

    def summary(self, lang: str = "zh") -> str:
        """The summary of the load, with the workspace, version and date (see :meth:`StoredLayer.summary`)."""
        return self.stored.summary(lang)


@st.cache_resource(show_spinner=False, max_entries=16)
def stored_layers(where: tuple, name: str, created: str, user: str | None, versions: tuple) -> dict[str, StoredResult]:
    """The layers ``versions`` ((kind, version) pairs) of workspace ``name``, read once per version."""
    store_ = open_store(*where)
    out = {}
    for kind, version in versions:
        s = store_.layer(name, kind, version, user=user)
        layer = s.layer if isinstance(s.layer, gpd.GeoDataFrame) else gpd.GeoDataFrame(s.layer)
        kind_ = KINDS.get(kind) or LayerKind(kind, (), has_points=False)
        out[kind] = StoredResult(kind=kind_, layer=layer, rejected=s.rejected, source=s.source, stored=s)
    return out


# --- session ---------------------------------------------------------------------------------


def lang() -> str:
    """The language chosen in the sidebar (``zh`` until one is chosen)."""
    return lang_or_default(st.session_state.get("lang"))


def user() -> str | None:
    """The logged-in user, or None without a login (single-user mode)."""
    return st.session_state.get(USER)


def store() -> WorkspaceStore:
    """The workspace store (PostGIS at ``SXGEO_DATABASE_URL``, else GeoPackages under ``SXGEO_HOME``)."""
    return open_store(*store_place())


def store_place() -> tuple[str | None, str | None]:
    """Where the store is: (database URL, home folder), as the environment says now."""
    return os.environ.get(ENV_DATABASE) or None, os.environ.get(ENV_HOME) or None


def open_name() -> str | None:
    """The name of the workspace open in this session, or None (then uploads live only in the session)."""
    return st.session_state.get("_ws_open") or None


def session_uploads() -> dict:
    """The layers uploaded in this session without a workspace: kind -> {result, digest, crs, name, choice}."""
    return st.session_state.setdefault("own", {})


def own() -> dict:
    """The user's own layers: kind -> {result, digest, crs, name, choice}; those of the open workspace, if any.

    A population table or grid is stored under the residential kind (it replaces the residential layer);
    ``choice`` is the upload choice it was read as.  A stored layer's digest names the workspace and version.
    """
    name = open_name()
    if name is None:
        return session_uploads()
    info = st.session_state.get("_ws_info")
    if info is None or info.name != name:
        return {}
    versions = tuple(sorted(info.layers.items()))
    results = stored_layers(store_place(), name, info.created, user(), versions)
    choices = st.session_state.get("_ws_choices", {})
    where = "|".join(map(str, store_place()))
    return {kind: {"result": res, "digest": f"{where}|{name}|{info.created}|{kind}|v{res.stored.version}", "crs": None,
                   "name": res.source, "choice": choices.get((kind, res.stored.version), kind)}
            for kind, res in results.items()}


def planned_key(planned: dict) -> tuple:
    """Planned facilities (frames by kind) as a cache key: each kind's ids and rounded coordinates.

    As text: a planned row without a location has NaN coordinates, and NaN never equals itself in a cache key.
    """
    return tuple((k, tuple(map(str, f["id"])), tuple(map(str, f.geometry.x.round(6))), tuple(map(str, f.geometry.y.round(6))))
                 for k, f in sorted(planned.items()))


def network_state(mode: str) -> tuple[object | None, str | None, str | None]:
    """(network of ``mode``, OSM file, problem) of the configured OSM file; without a network the app is in distance mode."""
    path = os.environ.get(ENV_OSM, "").strip()
    if not path:
        return None, None, None
    if not Path(path).is_file():
        return None, path, t("err_not_found", lang())
    try:
        with st.spinner(t("app.loading", lang())):
            return network(path, mode), path, None
    except Exception as exc:  # noqa: BLE001 - any reader failure falls back to distance mode
        return None, path, str(exc)


def current_workspace(source: str, mode: str) -> tuple[Workspace, bool]:
    """The workspace of the chosen data source and travel mode; the flag says whether the demo data is in use."""
    uploads = own()
    polys = uploads.get(POLYGONS)
    net, net_path, _ = st.session_state["_net"]
    net_key = (mode, net_path if net is not None else None)
    poly_layer = polys["result"].layer if polys else None
    if source == "own":
        layers = {k: v["result"].layer for k, v in uploads.items() if k != POLYGONS}
        key = ("own", tuple(sorted((k, v["digest"], v["crs"]) for k, v in uploads.items())), net_key)
    else:
        layers = demo_layers()
        key = ("demo", polys["digest"] if polys else None, net_key)
    with st.spinner(t("app.loading", lang())):
        return workspace(key, layers, poly_layer, net, mode), source == "demo"


def plan_numbers(ws: Workspace) -> dict[str, object]:
    """The plan's numbers that the app's texts quote, never written into a text.

    ``minutes`` and ``threshold`` (see :func:`sxgeo.formatting.plan_numbers`)
    come from the targets, ``detour`` from the walking analysis (distance mode).
    """
    targets = ws.analysis.targets if ws.analysis is not None else default_targets()
    walk = ws.analysis.walk_result("fitness_walk_share") if ws.analysis is not None else None
    detour = walk.params.get("detour_factor") if walk is not None else None
    return {**target_numbers(targets), "detour": detour or DETOUR_FACTOR}


def mode_caption(ws: Workspace, lang: str) -> str:
    """How travel times are computed: along the OSM street network of the mode, or straight-line distance × detour."""
    net, path, problem = st.session_state["_net"]
    mode = t(f"net.mode_{ws.mode}", lang)
    if net is not None:
        return t("app.mode_network", lang, mode=mode, file=Path(path).name)
    if problem is not None:
        return t("app.network_failed", lang, file=path, err=problem)
    walk = ws.analysis.walk_result("fitness_walk_share") if ws.analysis is not None else None
    speed = walk.params.get("speed_kmh") if walk is not None else None
    speed = speed or {"walk": WALK_SPEED_KMH, "drive": DRIVE_SPEED_KMH}.get(ws.mode)
    return t("app.mode_distance", lang, mode=mode, detour=plan_numbers(ws)["detour"], speed=speed)


# --- widgets ---------------------------------------------------------------------------------


def choice(container, widget: str, label: str, options: list, key: str, fmt, **kwargs):
    """A radio or selectbox whose choice survives a language switch.

    Streamlit's frontend does not relabel a keyed widget whose option labels
    change (after a language switch it showed no radio selected and stale
    selectbox text), so the widget's key carries the language, ``key@zh`` or
    ``key@en``, and the choice itself lives in ``st.session_state[key]``.
    """
    wkey = f"{key}@{lang()}"
    current = st.session_state.get(key)
    if current not in options:
        current = options[0]
    if wkey in st.session_state and st.session_state[wkey] not in options:
        del st.session_state[wkey]  # the options changed (another city's counties)
    if wkey not in st.session_state:  # else the widget's own state (possibly set by apply_pending) holds it
        kwargs["index"] = options.index(current)
    value = getattr(container, widget)(label, options, key=wkey, format_func=fmt, **kwargs)
    st.session_state[key] = value
    return value


def apply_pending() -> None:
    """Apply an area chosen by clicking the map (before the widgets are drawn)."""
    pending = st.session_state.pop("_pending_area", None)
    if pending:
        for key, value in zip(("level", "city", "county"), pending):
            st.session_state[key] = value
            # set through the Session State API, so that the browser shows the new choice too
            st.session_state[f"{key}@{lang()}"] = value
