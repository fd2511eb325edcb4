"""Reading OpenStreetMap street data (a local OSM file or an Overpass download) into a cached street network."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from sxgeo.errors import LayerReadError
from sxgeo.io import _osm, _streets
from sxgeo.io.speeds import load_road_speeds
from sxgeo.layers.network import WalkNetwork
from sxgeo.settings import TRAVEL_MODES

__all__ = ["MODES", "default_cache_dir", "download_walk_graph", "read_osm"]

#: Street networks sxgeo builds: osmnx's walk and drive filters.
MODES = TRAVEL_MODES


def default_cache_dir() -> Path:
    """Where networks are cached.

    ``$SXGEO_CACHE_DIR/networks`` if that variable is set, else
    ``~/.cache/sxgeo/networks``.
    """
    root = os.environ.get("SXGEO_CACHE_DIR")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "sxgeo"
    return base / "networks"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _cached(cache_file: Path, build: object) -> WalkNetwork:
    """Load ``cache_file`` or build (``build()``), save atomically, return."""
    if cache_file.is_file():
        try:
            return WalkNetwork.load(cache_file)
        except (OSError, ValueError, KeyError):
            pass  # a corrupt or outdated cache file is rebuilt below
    network: WalkNetwork = build()  # type: ignore[operator]
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, prefix=".tmp-", suffix=".npz")
        os.close(fd)
        network.save(tmp)
        os.replace(tmp, cache_file)
    except OSError:
        pass  # an unwritable cache only costs time on the next call
    return network


def read_osm(
    path: str | Path,
    *,
    cache_dir: str | Path | None = None,
    bbox_or_polygon: tuple[float, float, float, float] | BaseGeometry | None = None,
    mode: str = "walk",
    simplify: bool = False,
    road_speeds: str | Path | None = None,
) -> WalkNetwork:
    """Build (or load from the cache) the street network of a local OSM file.

    One pyosmium pass reads the ways of osmnx's walk filter (``mode="walk"``:
    no motorways, cycleways, construction, ``foot=no``, ``access=private``,
    ``area=yes``, ...; see :data:`sxgeo.io._osm.EXCLUDED_TAGS`) or drive
    filter (``mode="drive"``: :data:`sxgeo.io._osm.DRIVE_EXCLUDED`) with
    their node locations, straight into arrays (no XML, no networkx).  A way
    cut at the extract's edge keeps its in-file nodes and the segments
    between them.  Drive networks carry each edge's speed: the way's
    ``maxspeed`` where tagged, else the default of its road class
    (:func:`sxgeo.io.speeds.load_road_speeds`).  The result is projected to
    its UTM zone and cached in ``cache_dir`` keyed by the file's SHA-256, the
    filter version, the mode, the area and the options, so the next call
    with the same file is a fast ``.npz`` load.

    Parameters
    ----------
    path
        ``.osm`` (XML), ``.osm.bz2`` or ``.osm.pbf`` file, e.g. Geofabrik's
        ``shanxi-latest.osm.pbf``.
    cache_dir
        Cache folder; default :func:`default_cache_dir`.
    bbox_or_polygon
        Optional area in lon/lat: ``(west, south, east, north)`` or a shapely
        (Multi)Polygon, e.g. a county grown by the cross-border margin.  Nodes
        outside are left out; the ways through them are cut there.
    mode
        ``walk`` or ``drive``.
    simplify
        Contract nodes that only continue a street (degree two); edges keep
        their geometry.  Smaller and faster, but points snap to junctions only.
    road_speeds
        A road-speed TOML file for drive mode; default the bundled one.

    Returns
    -------
    WalkNetwork

    Raises
    ------
    sxgeo.errors.LayerReadError
        If the file is missing, not an OSM file, truncated or corrupt, has no
        node locations, or has no street of the mode in the area.  The
        message names the file.
    """
    path = Path(path)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}: {mode!r}")
    polygon = _osm.as_polygon(bbox_or_polygon)
    if not path.is_file():
        raise LayerReadError(path, "err_not_found")
    if not _osm.suffix_ok(path):
        raise LayerReadError(path, "err_osm_suffix", suffixes=", ".join(_osm.OSM_SUFFIXES[:3]))
    speeds = load_road_speeds(road_speeds) if mode == "drive" else None
    sha = _sha256(path)
    area_key = hashlib.sha256(_osm.polygon_key(polygon).encode()).hexdigest()[:12] if polygon is not None else "all"
    options = f"{mode}{'-s' if simplify else ''}{'-' + speeds.key if speeds is not None else ''}"
    cache_file = Path(cache_dir or default_cache_dir()) / f"{sha[:32]}-f{_osm.FILTER_VERSION}-{options}-{area_key}.npz"
    return _cached(cache_file, lambda: _build(path, sha, polygon, mode, simplify, speeds))


def _build(path: Path, sha: str, polygon, mode: str, simplify: bool, speeds) -> WalkNetwork:
    """Parse ``path`` and build its network (see :func:`read_osm`)."""
    keep = _osm.is_walkable if mode == "walk" else _osm.is_drivable
    try:
        ways = _streets.read_ways(str(path), keep, speeds.of if speeds is not None else None)
    except Exception as exc:  # libosmium raises RuntimeError and friends for truncated or foreign files
        raise LayerReadError(path, "err_osm_corrupt", detail=" ".join(str(exc).split())[:200] or type(exc).__name__) from None
    if ways.counts["kept"] == 0:
        raise LayerReadError(path, f"err_osm_no_{mode}", highway=ways.counts["highway_ways"])
    if not _streets.has_locations(ways):
        raise LayerReadError(path, "err_osm_no_locations", ways=ways.counts["kept"])
    arrays = _streets.build_arrays(ways, polygon=polygon, simplify=simplify)
    if arrays is None:
        lon, lat = _streets.centre(ways)
        if not _streets.in_shanxi(lon, lat):
            raise LayerReadError(path, "err_osm_elsewhere", lon=round(lon, 3), lat=round(lat, 3))
        raise LayerReadError(path, f"err_osm_no_{mode}_in_area", highway=ways.counts["highway_ways"])
    notes = _streets.location_notes(arrays)
    source = (
        f"OSM file {path.name} (sha256 {sha[:12]}), osmnx {mode} filter v{_osm.FILTER_VERSION}: "
        f"{ways.counts['kept']:,} of {ways.counts['highway_ways']:,} highway ways kept, "
        f"{arrays.pieces_cut:,} way pieces cut at the edge of the file or area kept"
        + (f"; speeds: {speeds.source}" if speeds is not None else "")
    )
    return WalkNetwork(
        node_ids=arrays.node_ids, x=arrays.x, y=arrays.y, crs=arrays.crs, u=arrays.u, v=arrays.v,
        length_m=arrays.length_m, geom_coords=arrays.geom_coords, geom_offsets=arrays.geom_offsets,
        source=source, mode=mode, speed_kmh=arrays.speed_kmh, notes=notes,
    )


def download_walk_graph(
    polygon: BaseGeometry, *, allow_download: bool = False, cache_dir: str | Path | None = None
) -> WalkNetwork:
    """Download a county's walk network from OpenStreetMap (online option).

    Uses ``osmnx.graph_from_polygon(polygon, network_type="walk",
    retain_all=True)``, which queries the Overpass API.  Off by default:
    sxgeo works offline from a local OSM file (:func:`read_osm`); pass
    ``allow_download=True`` to go online.  The result is cached like
    :func:`read_osm`'s, keyed by the polygon.

    Parameters
    ----------
    polygon
        Area in lon/lat (EPSG:4326), e.g. a county boundary.
    allow_download
        Must be True: downloading is an explicit, online choice.
    cache_dir
        Cache folder; default :func:`default_cache_dir`.

    Raises
    ------
    RuntimeError
        If ``allow_download`` is False.
    """
    if not allow_download:
        raise RuntimeError(
            "download_walk_graph needs the internet (OpenStreetMap's Overpass API) and is an online option: "
            "pass allow_download=True, or use read_osm() with a local OSM file such as shanxi-latest.osm.pbf"
        )
    import osmnx as ox

    key = hashlib.sha256(_osm.polygon_key(polygon).encode()).hexdigest()[:32]
    cache_file = Path(cache_dir or default_cache_dir()) / f"overpass-{key}.npz"

    def build() -> WalkNetwork:
        G = ox.graph_from_polygon(polygon, network_type="walk", retain_all=True)
        return WalkNetwork.from_graph(G, source="OpenStreetMap via Overpass (osmnx walk network)")

    return _cached(cache_file, build)
