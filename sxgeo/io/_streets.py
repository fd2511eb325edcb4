"""Private: a street network built straight from an OSM file into arrays, with no XML or networkx round trip.

One pass of pyosmium over the file (ways with their node locations) keeps the
ways of osmnx's walk or drive filter and records the fixed-point location of
every node of every way (as WKB lines from libosmium, so that no Python object
is made per node).  A street node is a location: nodes of different ways at
the same location join.  Everything after that is numpy:

- a way cut at the extract's edge (or at the edge of the requested area)
  keeps its in-file nodes and the segments between them: it is split into
  pieces at every node without a location, never dropped;
- segments are measured on the sphere (haversine, as osmnx does);
- optionally, nodes that only continue a street (degree two) are contracted
  and the edge keeps their coordinates as its geometry;
- parallel edges collapse to the cheapest, self-loops are dropped.

The public entry point is :func:`sxgeo.io.osm.read_osm`.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

__all__ = [
    "INVALID_COORD",
    "StreetArrays",
    "Ways",
    "build_arrays",
    "centre",
    "has_locations",
    "in_shanxi",
    "location_notes",
    "read_ways",
    "utm_crs",
]

#: Shanxi's extent in lon/lat (west, south, east, north), with a margin: a file far outside it gets a note.
SHANXI_BOUNDS = (109.5, 34.0, 115.0, 41.2)

#: libosmium's fixed-point coordinate of a node whose location is unknown.
INVALID_COORD = 2147483647
#: Fixed-point unit of libosmium coordinates (degrees per unit).
_COORD_SCALE = 1e-7
#: Earth radius in metres used by osmnx's great-circle distances.
_EARTH_RADIUS_M = 6_371_009.0

@dataclass
class Ways:
    """The kept ways of a file, flattened: one entry per node of each way.

    Attributes
    ----------
    x, y
        Fixed-point location of every node of every way, way after way
        (``INVALID_COORD`` when the file has no location for the node).
    offsets
        Way ``i`` holds positions ``offsets[i]:offsets[i+1]``.
    speed_kmh
        Per kept way, its speed (drive mode) or NaN.
    counts
        ``highway_ways``, ``not_kept`` (excluded by the filter) and ``kept``.
    """

    x: np.ndarray
    y: np.ndarray
    offsets: np.ndarray
    speed_kmh: np.ndarray
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def refs(self) -> np.ndarray:
        """A node key per position: its fixed-point location (nodes at one location are one street node)."""
        return (self.x.astype(np.int64) << 32) | (self.y.astype(np.int64) & 0xFFFFFFFF)


def read_ways(path: str, keep: Callable[[Mapping[str, str]], bool],
              speed: Callable[[Mapping[str, str]], float] | None = None) -> Ways:
    """Read the ways that ``keep`` accepts, with their node locations, in one pass over ``path``.

    A way whose nodes all have locations comes out of libosmium as one WKB
    line (no Python object per node); only ways cut at the file's edge are
    read node by node.  Raises whatever libosmium raises for an unreadable
    file (the caller turns it into a one-line error naming the file).
    """
    import osmium  # imported lazily: only needed for reading OSM files

    factory, every_node = osmium.geom.WKBFactory(), osmium.geom.ALL
    lines: list[str] = []
    fast, speeds = array("b"), array("d")
    slow_x, slow_y, slow_counts = array("i"), array("i"), array("q")
    highway = not_kept = 0
    processor = (
        osmium.FileProcessor(path)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for way in processor:
        highway += 1
        tags = way.tags
        if not keep(tags):
            not_kept += 1
            continue
        try:
            lines.append(factory.create_linestring(way, use_nodes=every_node))
            fast.append(1)
        except (osmium.InvalidLocationError, RuntimeError):  # a node without a location, or a one-node way
            fast.append(0)
            for node in way.nodes:
                slow_x.append(node.x)
                slow_y.append(node.y)
            slow_counts.append(len(way.nodes))
        speeds.append(speed(tags) if speed is not None else np.nan)
    x, y, offsets = _assemble(lines, np.frombuffer(fast, dtype=np.int8).astype(bool) if len(fast) else np.zeros(0, bool),
                              slow_x, slow_y, slow_counts)
    return Ways(x=x, y=y, offsets=offsets,
                speed_kmh=np.frombuffer(speeds, dtype=np.float64) if len(speeds) else np.zeros(0),
                counts={"highway_ways": highway, "not_kept": not_kept, "kept": highway - not_kept})


def _assemble(lines: list[str], fast: np.ndarray, slow_x: array, slow_y: array, slow_counts: array):
    """Fixed-point x/y of every way's nodes, in way order, from the WKB lines and the node-by-node ways."""
    sizes = np.fromiter((len(h) // 2 for h in lines), dtype=np.int64, count=len(lines))
    fast_counts = (sizes - 9) // 16  # WKB line: byte order, type, point count, then 2 doubles a point
    counts = np.zeros(len(fast), dtype=np.int64)
    counts[fast] = fast_counts
    counts[~fast] = np.frombuffer(slow_counts, dtype=np.int64) if len(slow_counts) else []
    offsets = np.concatenate([[0], np.cumsum(counts)])
    x = np.empty(offsets[-1], dtype=np.int32)
    y = np.empty(offsets[-1], dtype=np.int32)
    at_fast = np.repeat(fast, counts)
    if len(lines):
        raw = np.frombuffer(bytes.fromhex("".join(lines)), dtype=np.uint8)
        header = np.zeros(len(raw), dtype=bool)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        header[(starts[:, None] + np.arange(9)).ravel()] = True
        coords = raw[~header].view("<f8").reshape(-1, 2)
        x[at_fast] = np.rint(coords[:, 0] / _COORD_SCALE).astype(np.int32)
        y[at_fast] = np.rint(coords[:, 1] / _COORD_SCALE).astype(np.int32)
    if len(slow_x):
        x[~at_fast] = np.frombuffer(slow_x, dtype=np.int32)
        y[~at_fast] = np.frombuffer(slow_y, dtype=np.int32)
    return x, y, offsets


def has_locations(ways: Ways) -> bool:
    """Whether any kept node reference has a location (a file without node locations has none)."""
    return bool(((ways.x != INVALID_COORD) & (ways.y != INVALID_COORD)).any())


def centre(ways: Ways) -> tuple[float, float]:
    """The median lon/lat of the ways' nodes that have a location."""
    ok = (ways.x != INVALID_COORD) & (ways.y != INVALID_COORD)
    return float(np.median(ways.x[ok])) * _COORD_SCALE, float(np.median(ways.y[ok])) * _COORD_SCALE


def in_shanxi(lon: float, lat: float) -> bool:
    """Whether a point lies in (a margin around) Shanxi's extent."""
    west, south, east, north = SHANXI_BOUNDS
    return west <= lon <= east and south <= lat <= north


def location_notes(arr: StreetArrays) -> tuple:
    """Notes on where the network lies: ``osm_outside_shanxi`` when its centre is far from Shanxi."""
    lon, lat = float(np.median(arr.lon)), float(np.median(arr.lat))
    if in_shanxi(lon, lat):
        return ()
    return (("osm_outside_shanxi", {"lon": round(lon, 3), "lat": round(lat, 3)}),)


def utm_crs(lon: np.ndarray, lat: np.ndarray) -> str:
    """The UTM zone of the data's centre, as osmnx picks it (EPSG:326xx north, 327xx south)."""
    clon, clat = float(np.median(lon)), float(np.median(lat))
    zone = int(np.floor((clon + 180.0) / 6.0)) % 60 + 1
    return f"EPSG:{(32600 if clat >= 0 else 32700) + zone}"


def _haversine(lon1, lat1, lon2, lat2) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(a) for a in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


@dataclass
class StreetArrays:
    """A street graph in arrays, ready for :class:`sxgeo.layers.network.WalkNetwork`."""

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    crs: str
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    speed_kmh: np.ndarray | None
    geom_coords: np.ndarray | None
    geom_offsets: np.ndarray | None
    lon: np.ndarray
    lat: np.ndarray
    pieces_cut: int = 0


def _usable(ways: Ways, polygon: BaseGeometry | None) -> np.ndarray:
    """Which references have a location (and, with ``polygon``, lie inside it)."""
    ok = (ways.x != INVALID_COORD) & (ways.y != INVALID_COORD)
    if polygon is not None and ok.any():
        lon = ways.x * _COORD_SCALE
        lat = ways.y * _COORD_SCALE
        west, south, east, north = polygon.bounds
        ok &= (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        idx = np.flatnonzero(ok)
        shapely.prepare(polygon)
        ok[idx] = shapely.contains_xy(polygon, lon[idx], lat[idx])
    return ok


def _pieces(ways: Ways, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Positions kept and the piece each belongs to: a way is split wherever a node is missing."""
    n = len(ways.x)
    way_of = np.repeat(np.arange(len(ways.offsets) - 1), np.diff(ways.offsets))
    start = np.ones(n, dtype=bool)
    start[1:] = (way_of[1:] != way_of[:-1]) | ~ok[:-1]
    kept = np.flatnonzero(ok)
    piece = np.cumsum(start[kept]) - 1
    # pieces that begin after a missing node of the same way: ways cut into more than one piece
    cut = int((start[kept] & ~np.r_[True, way_of[1:] != way_of[:-1]][kept]).sum())
    return kept, piece, cut


def build_arrays(ways: Ways, *, polygon: BaseGeometry | None = None, simplify: bool = False,
                 crs: str | None = None) -> StreetArrays | None:
    """The street graph of ``ways`` (None when no segment is left)."""
    ok = _usable(ways, polygon)
    kept, piece, cut = _pieces(ways, ok)
    if len(kept) < 2:
        return None
    refs = ways.refs[kept]
    lon = ways.x[kept] * _COORD_SCALE
    lat = ways.y[kept] * _COORD_SCALE
    way_of = np.repeat(np.arange(len(ways.offsets) - 1), np.diff(ways.offsets))[kept]
    same = piece[1:] == piece[:-1]  # a segment joins positions i and i+1 of the same piece
    if not same.any():
        return None
    seg_len = np.where(same, _haversine(lon[:-1], lat[:-1], lon[1:], lat[1:]), 0.0)
    node_ids, first, inverse = np.unique(refs, return_index=True, return_inverse=True)
    if simplify:
        u, v, length, edge_way, geom = _contracted(inverse, piece, same, seg_len, way_of, len(node_ids))
    else:
        i = np.flatnonzero(same)
        u, v, length, edge_way, geom = inverse[i], inverse[i + 1], seg_len[i], way_of[i], None
    speed = ways.speed_kmh[edge_way] if np.isfinite(ways.speed_kmh).any() else None
    node_lon, node_lat = lon[first], lat[first]
    crs = crs or utm_crs(node_lon, node_lat)
    to_metric = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_user_input(crs), always_xy=True)
    x, y = to_metric.transform(node_lon, node_lat)
    coords = offsets = None
    if geom is not None:
        gx, gy = to_metric.transform(lon[geom[0]], lat[geom[0]])
        coords, offsets = np.column_stack([gx, gy]), geom[1]
    return _finish(StreetArrays(node_ids, np.asarray(x), np.asarray(y), crs, u, v, length, speed, coords, offsets,
                                node_lon, node_lat, cut))


def _contracted(inverse, piece, same, seg_len, way_of, n_nodes):
    """Edges between street nodes that are not mere continuations (degree-2 nodes contracted).

    A node stays when it ends a piece or is referenced more than once
    (a junction, or a way crossing itself).  Returns ``u, v, length, way,
    (positions of the geometry coordinates, geometry offsets)``.
    """
    m = len(inverse)
    end = np.ones(m, dtype=bool)
    end[:-1] = ~same
    begin = np.ones(m, dtype=bool)
    begin[1:] = ~same
    junction = np.bincount(inverse, minlength=n_nodes)[inverse] > 1
    stay = begin | end | junction
    pos = np.flatnonzero(stay)
    a, b = pos[:-1], pos[1:]
    keep = piece[a] == piece[b]
    a, b = a[keep], b[keep]
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])
    length = cum[b] - cum[a]
    counts = b - a + 1
    geom_offsets = np.concatenate([[0], np.cumsum(counts)])
    geom_pos = np.repeat(a, counts) + (np.arange(geom_offsets[-1]) - np.repeat(geom_offsets[:-1], counts))
    return inverse[a], inverse[b], length, way_of[a], (geom_pos, geom_offsets)


def _finish(arr: StreetArrays) -> StreetArrays:
    """Drop self-loops, collapse parallel edges to the cheapest, keep only nodes that carry an edge."""
    cost = arr.length_m / arr.speed_kmh if arr.speed_kmh is not None else arr.length_m
    keep = np.flatnonzero(arr.u != arr.v)
    lo, hi = np.minimum(arr.u[keep], arr.v[keep]), np.maximum(arr.u[keep], arr.v[keep])
    pair = lo * (len(arr.node_ids) + 1) + hi
    order = np.argsort(pair, kind="stable")
    sorted_pair = pair[order]
    dup = sorted_pair[1:] == sorted_pair[:-1]
    if dup.any():  # parallel edges: the cheapest of each pair first
        order = np.lexsort((cost[keep], pair))
        sorted_pair = pair[order]
        dup = sorted_pair[1:] == sorted_pair[:-1]
    chosen = np.sort(keep[order[np.concatenate([[True], ~dup])]])
    used = np.zeros(len(arr.node_ids), dtype=bool)
    used[arr.u[chosen]] = used[arr.v[chosen]] = True
    new_pos = np.cumsum(used) - 1
    coords = offsets = None
    if arr.geom_offsets is not None:
        counts = np.diff(arr.geom_offsets)[chosen]
        offsets = np.concatenate([[0], np.cumsum(counts)])
        take = np.repeat(arr.geom_offsets[chosen], counts) + (np.arange(offsets[-1]) - np.repeat(offsets[:-1], counts))
        coords = arr.geom_coords[take]
    return StreetArrays(
        node_ids=arr.node_ids[used], x=arr.x[used], y=arr.y[used], crs=arr.crs,
        u=new_pos[arr.u[chosen]], v=new_pos[arr.v[chosen]], length_m=arr.length_m[chosen],
        speed_kmh=None if arr.speed_kmh is None else arr.speed_kmh[chosen],
        geom_coords=coords, geom_offsets=offsets, lon=arr.lon[used], lat=arr.lat[used], pieces_cut=arr.pieces_cut,
    )
