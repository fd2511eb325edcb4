"""Private: a street network built straight from an OSM file into arrays, with no XML or networkx round trip.

One pass of pyosmium over the file (ways with their node locations) keeps the
ways of osmnx's walk or drive filter and records, for every node reference,
its id and fixed-point location.  Everything after that is numpy:

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
    "has_locations",
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
    """The kept ways of a file, flattened: one entry per node reference.

    Attributes
    ----------
    refs, x, y
        Node id and fixed-point location (``INVALID_COORD`` when the file
        has no location for the node) of every reference, way after way.
    offsets
        Way ``i`` holds references ``offsets[i]:offsets[i+1]``.
    speed_kmh
        Per kept way, its speed (drive mode) or NaN.
    counts
        ``highway_ways``, ``not_kept`` (excluded by the filter) and ``kept``.
    """

    refs: np.ndarray
    x: np.ndarray
    y: np.ndarray
    offsets: np.ndarray
    speed_kmh: np.ndarray
    counts: dict[str, int] = field(default_factory=dict)


def read_ways(path: str, keep: Callable[[Mapping[str, str]], bool],
              speed: Callable[[Mapping[str, str]], float] | None = None) -> Ways:
    """Read the ways that ``keep`` accepts, with their node locations, in one pass over ``path``.

    Raises whatever libosmium raises for an unreadable file (the caller turns
    it into a one-line error naming the file).
    """
    import osmium  # imported lazily: only needed for reading OSM files

    refs, xs, ys = array("q"), array("i"), array("i")
    offsets, speeds = array("q", [0]), array("d")
    add_ref, add_x, add_y = refs.append, xs.append, ys.append
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
        for node in way.nodes:
            add_ref(node.ref)
            add_x(node.x)  # INVALID_COORD where the file has no location for the node
            add_y(node.y)
        offsets.append(len(refs))
        speeds.append(speed(tags) if speed is not None else np.nan)
    return Ways(
        refs=np.frombuffer(refs, dtype=np.int64) if len(refs) else np.zeros(0, np.int64),
        x=np.frombuffer(xs, dtype=np.int32) if len(xs) else np.zeros(0, np.int32),
        y=np.frombuffer(ys, dtype=np.int32) if len(ys) else np.zeros(0, np.int32),
        offsets=np.frombuffer(offsets, dtype=np.int64),
        speed_kmh=np.frombuffer(speeds, dtype=np.float64) if len(speeds) else np.zeros(0),
        counts={"highway_ways": highway, "not_kept": not_kept, "kept": highway - not_kept},
    )


def has_locations(ways: Ways) -> bool:
    """Whether any kept node reference has a location (a file without node locations has none)."""
    return bool(((ways.x != INVALID_COORD) & (ways.y != INVALID_COORD)).any())


def location_notes(arr: StreetArrays) -> tuple:
    """Notes on where the network lies: ``osm_outside_shanxi`` when its centre is far from Shanxi."""
    lon, lat = float(np.median(arr.lon)), float(np.median(arr.lat))
    west, south, east, north = SHANXI_BOUNDS
    if west <= lon <= east and south <= lat <= north:
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
    n = len(ways.refs)
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
    keep = arr.u != arr.v
    lo, hi = np.minimum(arr.u, arr.v), np.maximum(arr.u, arr.v)
    order = np.lexsort((cost, hi, lo))
    order = order[keep[order]]
    pair = lo[order] * (len(arr.node_ids) + 1) + hi[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    chosen = np.sort(order[first])
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
