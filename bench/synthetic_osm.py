"""Synthetic OSM street files for the benchmarks: a plain grid and a realistic-looking town grid.

``grid`` is the issue's reference case: a square grid of nodes, ways of 25
nodes along rows and columns, ``highway=residential`` with every 10th way a
motorway (not walkable).  ``realistic`` adds what real extracts have:
several highway classes with names, ``maxspeed`` and ``oneway`` tags, curved
ways (extra shape nodes between junctions), dangling ``service`` roads and
footpaths, buildings (closed ways with no ``highway``) and untagged nodes.
Both are written with pyosmium and are deterministic for a given size.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import osmium
from osmium.osm.mutable import Node, Way

#: Where the grids start (a point in central Shanxi) and the node spacing in degrees (~80-100 m).
LON0, LAT0, STEP = 111.6, 37.2, 0.0009


def grid(path: str | Path, n_nodes: int, *, way_len: int = 25, lon0: float = LON0, lat0: float = LAT0) -> int:
    """Write the plain grid PBF with about ``n_nodes`` nodes; return the number of nodes."""
    side = math.isqrt(n_nodes)
    writer = osmium.SimpleWriter(str(path))
    try:
        for r in range(side):
            for c in range(side):
                writer.add_node(Node(id=r * side + c + 1, location=(lon0 + c * STEP, lat0 + r * STEP)))
        way_id = 1
        lines = [[r * side + c + 1 for c in range(side)] for r in range(side)]
        lines += [[r * side + c + 1 for r in range(side)] for c in range(side)]
        for line in lines:
            for start in range(0, side - 1, way_len - 1):
                refs = line[start:start + way_len]
                tags = {"highway": "motorway" if way_id % 10 == 0 else "residential"}
                writer.add_way(Way(id=way_id, nodes=refs, tags=tags))
                way_id += 1
    finally:
        writer.close()
    return side * side


_CLASSES = ("primary", "secondary", "tertiary", "residential", "residential", "unclassified", "living_street")
_NAMES = ("迎泽大街", "长风街", "学府街", "坞城路", "体育路", "平阳路", "并州路", "南内环街")


def realistic(path: str | Path, n_nodes: int, *, lon0: float = LON0, lat0: float = LAT0, seed: int = 0) -> int:
    """Write the realistic synthetic PBF with about ``n_nodes`` nodes; return the number of nodes written."""
    town = _Town(np.random.default_rng(seed), n_nodes, lon0, lat0)
    town.streets()
    town.extras()
    out = osmium.SimpleWriter(str(path))
    try:
        for r in range(town.side):
            for c in range(town.side):
                out.add_node(Node(id=r * town.side + c + 1, location=(float(town.jx[c]), float(town.jy[r]))))
        for node in town.nodes:  # every node before any way: readers fill locations in file order
            out.add_node(node)
        for way in town.ways:
            out.add_way(way)
    finally:
        out.close()
    return town.next_id - 1


class _Town:
    """The nodes and ways of a realistic synthetic town (see :func:`realistic`)."""

    shape = 3  # shape nodes between two junctions: curved streets

    def __init__(self, rng: np.random.Generator, n_nodes: int, lon0: float, lat0: float) -> None:
        self.rng = rng
        self.side = max(2, math.isqrt(n_nodes // (1 + 2 * self.shape + 2)))
        self.nodes: list[Node] = []
        self.ways: list[Way] = []
        self.next_id = self.side * self.side + 1
        self.way_id = 1
        spacing = STEP * (self.shape + 1)
        self.jx = lon0 + np.arange(self.side) * spacing + rng.normal(0, STEP * 0.1, self.side)
        self.jy = lat0 + np.arange(self.side) * spacing + rng.normal(0, STEP * 0.1, self.side)

    def node(self, lon: float, lat: float, tags: dict | None = None) -> int:
        """Add a node; return its id."""
        nid = self.next_id
        self.next_id += 1
        self.nodes.append(Node(id=nid, location=(lon, lat), tags=tags or {}))
        return nid

    def way(self, refs: list[int], tags: dict) -> None:
        """Add a way."""
        self.ways.append(Way(id=self.way_id, nodes=refs, tags=tags))
        self.way_id += 1

    def _junction(self, k: int, j: int, horizontal: bool) -> tuple[int, float, float]:
        """Id and position of junction ``j`` along street ``k``."""
        if horizontal:
            return k * self.side + j + 1, float(self.jx[j]), float(self.jy[k])
        return j * self.side + k + 1, float(self.jx[k]), float(self.jy[j])

    def _bend(self, a: tuple, b: tuple, horizontal: bool) -> list[int]:
        """Shape nodes on a curve between two junctions."""
        (_, x0, y0), (_, x1, y1) = a, b
        bend = self.rng.normal(0, STEP * 0.3)
        out = []
        for s in range(1, self.shape + 1):
            f = s / (self.shape + 1)
            off = bend * math.sin(math.pi * f)
            out.append(self.node(x0 + f * (x1 - x0) + (0 if horizontal else off),
                                 y0 + f * (y1 - y0) + (off if horizontal else 0)))
        return out

    def streets(self) -> None:
        """Named, classed, curved streets along every row and column, split into ways of about 40 nodes."""
        for horizontal in (True, False):
            for k in range(self.side):
                refs: list[int] = []
                for j in range(self.side - 1):
                    a, b = self._junction(k, j, horizontal), self._junction(k, j + 1, horizontal)
                    refs += [a[0], *self._bend(a, b, horizontal)]
                    if len(refs) > 40 or j == self.side - 2:
                        self.way([*refs, b[0]], self._tags(k, horizontal))
                        refs = []

    def _tags(self, k: int, horizontal: bool) -> dict:
        cls = _CLASSES[(k + (0 if horizontal else 3)) % len(_CLASSES)]
        tags = {"highway": cls, "name": _NAMES[(k + self.way_id) % len(_NAMES)],
                "maxspeed": str(int(self.rng.choice([30, 40, 50, 60]))), "surface": "asphalt"}
        if self.way_id % 13 == 0:
            tags["oneway"] = "yes"
        return tags

    def extras(self) -> None:
        """Dangling service roads and footways to a parking node, and buildings (closed ways, no highway)."""
        for r in range(0, self.side, 2):
            for c in range(0, self.side, 2):
                base = r * self.side + c + 1
                x, y = float(self.jx[c]), float(self.jy[r])
                a = self.node(x + STEP * 0.4, y + STEP * 0.5)
                b = self.node(x + STEP * 0.9, y + STEP * 0.7, {"amenity": "parking"})
                self.way([base, a, b], {"highway": "service" if (r + c) % 4 else "footway"})
                corners = ((1.2, 1.2), (1.6, 1.2), (1.6, 1.6), (1.2, 1.6))
                ring = [self.node(x + STEP * dx, y + STEP * dy) for dx, dy in corners]
                self.way([*ring, ring[0]], {"building": "residential"})
