"""Reading OpenStreetMap street data (a local OSM file or an Overpass download) into a cached WalkNetwork."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from sxgeo.errors import LayerReadError
from sxgeo.io import _osm
from sxgeo.layers.network import WalkNetwork

__all__ = ["default_cache_dir", "download_walk_graph", "read_osm"]


def default_cache_dir() -> Path:
    """Where networks are cached: ``$SXGEO_CACHE_DIR/networks`` if that
    variable is set, else ``~/.cache/sxgeo/networks``."""
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
) -> WalkNetwork:
    """Build (or load from the cache) the walk network of a local OSM file.

    The file is filtered with pyosmium to the ways of osmnx's
    ``network_type="walk"`` (see :data:`sxgeo.io._osm.EXCLUDED_TAGS`: no
    motorways, cycleways, construction, ``foot=no``, ``access=private``,
    ``area=yes``, ...), ways cut at the extract's edge (referencing nodes
    missing from the file) are dropped, and the rest is read with
    ``osmnx.graph_from_xml(simplify=True, retain_all=True)`` and projected to
    its UTM zone.  The result is cached in ``cache_dir`` keyed by the file's
    SHA-256, the filter version and the area, so the next call with the same
    file is a fast ``.npz`` load.

    Parameters
    ----------
    path
        ``.osm`` (XML), ``.osm.bz2`` or ``.osm.pbf`` file, e.g. Geofabrik's
        ``shanxi-latest.osm.pbf``.
    cache_dir
        Cache folder; default :func:`default_cache_dir`.
    bbox_or_polygon
        Optional area in lon/lat: ``(west, south, east, north)`` or a shapely
        (Multi)Polygon, e.g. one county.  Ways with no node inside are skipped
        and the graph is truncated to the nodes inside.

    Returns
    -------
    WalkNetwork

    Raises
    ------
    sxgeo.errors.LayerReadError
        If the file is missing, not an OSM file, unreadable, or has no
        walkable street in the area.  The message names the file.
    """
    path = Path(path)
    polygon = _osm.as_polygon(bbox_or_polygon)
    if not path.is_file():
        raise LayerReadError(path, "err_not_found")
    sha = _sha256(path)
    area_key = hashlib.sha256(_osm.polygon_key(polygon).encode()).hexdigest()[:12] if polygon is not None else "all"
    cache_file = Path(cache_dir or default_cache_dir()) / f"{sha[:32]}-f{_osm.FILTER_VERSION}-{area_key}.npz"

    def build() -> WalkNetwork:
        graph, stats = _osm.graph_from_osm_file(path, polygon=polygon)
        source = (
            f"OSM file {path.name} (sha256 {sha[:12]}), osmnx walk filter v{_osm.FILTER_VERSION}: "
            f"{stats.kept:,} ways kept, {stats.not_walkable:,} not walkable, "
            f"{stats.clipped:,} clipped at the extract's edge, {stats.outside:,} outside the area"
        )
        return WalkNetwork.from_graph(graph, source=source)

    return _cached(cache_file, build)


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
