"""Private helpers: read a local OSM file into an osmnx walk graph.

``osmnx.graph_from_xml`` builds a graph from *every* way in an OSM XML file
and fails on ways that reference nodes missing from the file.  Files cut from
a larger extract (Geofabrik's ``shanxi-latest.osm.pbf``, a bounding-box
extract) contain such clipped ways, and contain buildings, rivers and
motorways that must not become walkable streets.  So the file is first
filtered with pyosmium (the ``osmium`` package):

1. keep only ways that pass :func:`is_walkable` (osmnx's "walk" filter);
2. drop ways that reference a node missing from the file (clipped ways);
3. optionally keep only ways with at least one node inside a polygon;
4. write the kept ways and their nodes as OSM XML to a temporary file,

which is then handed to ``osmnx.graph_from_xml``.  Everything here is private:
the public entry point is :func:`sxgeo.io.osm.read_osm`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

__all__ = [
    "EXCLUDED_HIGHWAY",
    "FILTER_VERSION",
    "OSM_SUFFIXES",
    "FilterStats",
    "as_polygon",
    "filter_walk_ways",
    "graph_from_osm_file",
    "is_walkable",
    "polygon_key",
]

#: Bump whenever the filter below changes: it is part of the network cache key.
FILTER_VERSION = 1

#: Suffixes that :func:`graph_from_osm_file` accepts.
OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.pbf", ".pbf", ".osm.xml", ".xml")

#: ``highway`` values excluded from the walk network.  This is osmnx 2.x's
#: ``network_type="walk"`` Overpass filter, and like Overpass's ``!~`` each
#: entry is an unanchored, case-sensitive regular expression, so ``motor``
#: excludes ``motorway`` and ``motorway_link``.  Note that osmnx keeps
#: ``trunk`` roads (pedestrians use them in many places); a trunk road that
#: may not be walked on is expected to carry ``foot=no``, which is excluded.
EXCLUDED_HIGHWAY = (
    "abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|raceway|razed|rest_area|services"
)

#: Other tag conditions of osmnx's walk filter: a way is dropped when the tag
#: exists and its value matches the pattern (again an unanchored regex).
#:
#: - ``area=yes``: squares and plazas mapped as areas, not as lines;
#: - ``access=private`` (osmnx's ``settings.default_access``);
#: - ``foot=no``: pedestrians prohibited;
#: - ``service=private``: private driveways;
#: - ``sidewalk*=separate``: the street's sidewalks are mapped as separate
#:   footways, which are kept instead.
EXCLUDED_TAGS: dict[str, str] = {
    "area": "yes",
    "access": "private",
    "highway": EXCLUDED_HIGHWAY,
    "foot": "no",
    "service": "private",
    "sidewalk": "separate",
    "sidewalk:both": "separate",
    "sidewalk:left": "separate",
    "sidewalk:right": "separate",
}
_EXCLUDED_RE = {key: re.compile(pattern) for key, pattern in EXCLUDED_TAGS.items()}


def is_walkable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these OSM tags belongs to the walk network.

    Parameters
    ----------
    tags
        The way's tags (any mapping; pyosmium's ``TagList`` works).

    Returns
    -------
    bool
        True when the way has a ``highway`` tag and no tag in
        :data:`EXCLUDED_TAGS` matches (osmnx's ``network_type="walk"``).
    """
    if "highway" not in tags:
        return False
    for key, pattern in _EXCLUDED_RE.items():
        value = tags.get(key)
        if value is not None and pattern.search(value):
            return False
    return True


@dataclass
class FilterStats:
    """Counts from :func:`filter_walk_ways`.

    Attributes
    ----------
    highway_ways
        Ways with a ``highway`` tag in the input file.
    not_walkable
        Of those, ways excluded by the walk filter.
    clipped
        Walkable ways dropped because they reference a node missing from the
        file (cut at the extract's edge).
    outside
        Walkable ways dropped because none of their nodes is inside the
        requested polygon.
    kept
        Ways written to the output.
    """

    highway_ways: int = 0
    not_walkable: int = 0
    clipped: int = 0
    outside: int = 0
    kept: int = 0


def as_polygon(area: object) -> BaseGeometry | None:
    """Turn ``bbox_or_polygon`` into a shapely geometry in lon/lat (or None).

    Parameters
    ----------
    area
        None, a ``(west, south, east, north)`` tuple in degrees, or a shapely
        (Multi)Polygon in EPSG:4326.
    """
    if area is None:
        return None
    if isinstance(area, BaseGeometry):
        if area.is_empty:
            raise ValueError("bbox_or_polygon is empty")
        return area
    values = tuple(float(v) for v in area)  # type: ignore[union-attr]
    if len(values) != 4:
        raise ValueError("bbox_or_polygon must be (west, south, east, north) or a polygon")
    west, south, east, north = values
    if not (west < east and south < north):
        raise ValueError(f"bbox (west, south, east, north) is inverted or empty: {values}")
    return box(west, south, east, north)


def filter_walk_ways(src: str | Path, dst: str | Path, *, polygon: BaseGeometry | None = None) -> FilterStats:
    """Write the walkable, complete ways of ``src`` and their nodes to ``dst``.

    Parameters
    ----------
    src
        An OSM file that libosmium reads (``.osm``, ``.osm.bz2``, ``.osm.pbf``).
    dst
        Output file; its suffix sets the format (``.osm`` for XML).  Must not
        exist yet.
    polygon
        If given (lon/lat), keep only ways with at least one node inside it.

    Returns
    -------
    FilterStats
        What was kept and dropped.
    """
    import osmium  # imported lazily: only needed for reading OSM files

    stats = FilterStats()
    if polygon is not None:
        shapely.prepare(polygon)
    processor = (
        osmium.FileProcessor(str(src))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    # The back-reference writer adds every node the written ways reference,
    # with its tags, reading them from ``src`` when it is closed.
    writer = osmium.BackReferenceWriter(str(dst), ref_src=str(src), remove_tags=False)
    try:
        for way in processor:
            stats.highway_ways += 1
            if not is_walkable(way.tags):
                stats.not_walkable += 1
                continue
            locations = [node.location for node in way.nodes]
            if not all(loc.valid() for loc in locations):
                stats.clipped += 1
                continue
            if polygon is not None:
                lon = [loc.lon for loc in locations]
                lat = [loc.lat for loc in locations]
                if not shapely.contains_xy(polygon, lon, lat).any():
                    stats.outside += 1
                    continue
            writer.add_way(way)
            stats.kept += 1
    finally:
        writer.close()
    return stats


def _suffix_ok(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def graph_from_osm_file(
    path: str | Path, *, polygon: BaseGeometry | None = None
) -> tuple[nx.MultiDiGraph, FilterStats]:
    """Build an (unprojected) osmnx walk graph from a local OSM file.

    Parameters
    ----------
    path
        ``.osm`` (XML), ``.osm.bz2`` or ``.osm.pbf`` file.
    polygon
        Optional lon/lat area; the graph is truncated to the nodes inside it.

    Returns
    -------
    (networkx.MultiDiGraph, FilterStats)
        osmnx's graph (simplified, all components retained, bidirectional as
        osmnx does for walking) and the filter's counts.

    Raises
    ------
    sxgeo.io.LayerReadError
        If the file does not exist, has an unsupported suffix, cannot be
        parsed, or holds no walkable way.
    """
    import osmnx as ox

    from sxgeo.errors import LayerReadError

    path = Path(path)
    if not path.is_file():
        raise LayerReadError(path, "err_not_found")
    if not _suffix_ok(path):
        raise LayerReadError(path, "err_parse", detail=f"not an OSM file (use {', '.join(OSM_SUFFIXES[:3])})")
    with tempfile.TemporaryDirectory(prefix="sxgeo-osm-") as tmp:
        filtered = Path(tmp) / "walk.osm"
        try:
            stats = filter_walk_ways(path, filtered, polygon=polygon)
        except Exception as exc:  # libosmium raises RuntimeError and friends
            raise LayerReadError(path, "err_parse", detail=str(exc) or type(exc).__name__) from exc
        if stats.kept == 0:
            raise LayerReadError(path, "err_parse", detail="no walkable street (highway) in the file/area")
        try:
            graph = ox.graph_from_xml(filtered, bidirectional=True, simplify=True, retain_all=True)
            if polygon is not None:
                graph = ox.truncate.truncate_graph_polygon(graph, polygon)
        except Exception as exc:  # osmnx/networkx errors on unusual data
            raise LayerReadError(path, "err_parse", detail=f"{type(exc).__name__}: {exc}") from exc
    if len(graph) == 0:
        raise LayerReadError(path, "err_parse", detail="no walkable street (highway) in the file/area")
    return graph, stats


def polygon_key(polygon: BaseGeometry | None) -> str:
    """A stable text form of the area, for cache keys ('' for none)."""
    if polygon is None:
        return ""
    return polygon.normalize().wkb_hex
