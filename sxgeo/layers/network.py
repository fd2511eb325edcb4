"""The walk network type: an undirected street graph in compact array form, in a metric CRS."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

__all__ = ["WalkNetwork"]

#: Stand-in for a zero edge length in the sparse matrix, where an explicit
#: zero could be dropped as "no edge" by sparse operations.  1 nanometre: the
#: error it adds is far below any distance that matters.
_EPS = 1e-9

#: Version of the ``.npz`` layout written by :meth:`WalkNetwork.save`.
_NPZ_VERSION = 2


@dataclass(eq=False)
class WalkNetwork:
    """An undirected walk network in compact array form, in a metric CRS.

    Pedestrians may walk one-way streets both ways, as in osmnx's
    ``network_type="walk"``.  Build one with :meth:`from_arrays`,
    :meth:`from_graph` or :meth:`load`.

    Attributes
    ----------
    node_ids
        Label of each node, shape ``(n,)``: an OSM node id, or (networks read
        by :func:`sxgeo.io.osm.read_osm`) the node's fixed-point location key.
    x, y
        Node coordinates in metres in :attr:`crs`, shape ``(n,)``.
    crs
        The metric CRS of ``x``/``y`` and the geometries, e.g. ``"EPSG:32649"``.
    u, v
        Edge end points as node *positions* (0..n-1), shape ``(m,)``.  One edge
        per node pair: parallel edges are collapsed to the shortest.
    length_m
        Edge length in metres, shape ``(m,)``.
    geom_coords, geom_offsets
        Optional edge geometries as one ``(k, 2)`` coordinate array;
        edge ``i`` runs through ``geom_coords[geom_offsets[i]:geom_offsets[i+1]]``
        from ``u[i]`` to ``v[i]``.  None means straight segments.
    source
        Where the network came from, for provenance in reports.
    mode
        ``walk`` or ``drive``: which streets it holds (osmnx's filters).
    speed_kmh
        Drive networks: each edge's speed (from ``maxspeed`` or the road-class
        defaults); None for walk networks, whose speed is the walker's.
    notes
        ``(message key, params)`` pairs the reader noticed (for example a file
        far from Shanxi), shown by the shells.
    matrix
        Symmetric ``scipy.sparse.csr_matrix`` of edge lengths, built once.
    component
        Connected-component label of each node.
    component_sizes
        Number of nodes in each component (indexed by label).
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    crs: str
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    geom_coords: np.ndarray | None = None
    geom_offsets: np.ndarray | None = None
    source: str = ""
    mode: str = "walk"
    speed_kmh: np.ndarray | None = None
    notes: tuple = ()
    matrix: csr_matrix = field(init=False, repr=False)
    component: np.ndarray = field(init=False, repr=False)
    component_sizes: np.ndarray = field(init=False, repr=False)
    _tree: cKDTree | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self.node_ids = np.ascontiguousarray(self.node_ids, dtype=np.int64)
        self.x = np.ascontiguousarray(self.x, dtype=np.float64)
        self.y = np.ascontiguousarray(self.y, dtype=np.float64)
        self.u = np.ascontiguousarray(self.u, dtype=np.int64)
        self.v = np.ascontiguousarray(self.v, dtype=np.int64)
        self.length_m = np.ascontiguousarray(self.length_m, dtype=np.float64)
        self.crs = str(self.crs)
        n, m = len(self.node_ids), len(self.u)
        if not (len(self.x) == len(self.y) == n):
            raise ValueError("node_ids, x and y must have the same length")
        if not (len(self.v) == len(self.length_m) == m):
            raise ValueError("u, v and length_m must have the same length")
        if m and (min(self.u.min(), self.v.min()) < 0 or max(self.u.max(), self.v.max()) >= n):
            raise ValueError("u and v must be node positions in 0..n-1")
        if m and not (np.all(np.isfinite(self.length_m)) and self.length_m.min() >= 0):
            raise ValueError("edge lengths must be finite and non-negative")
        if (self.geom_coords is None) != (self.geom_offsets is None):
            raise ValueError("give both geom_coords and geom_offsets, or neither")
        if self.geom_coords is not None:
            self.geom_coords = np.ascontiguousarray(self.geom_coords, dtype=np.float64).reshape(-1, 2)
            self.geom_offsets = np.ascontiguousarray(self.geom_offsets, dtype=np.int64)
            if len(self.geom_offsets) != m + 1 or self.geom_offsets[-1] != len(self.geom_coords):
                raise ValueError("geom_offsets must have one entry per edge plus one, ending at len(geom_coords)")
            if m and np.diff(self.geom_offsets).min() < 2:
                raise ValueError("every edge geometry needs at least two points")
        if self.speed_kmh is not None:
            self.speed_kmh = np.ascontiguousarray(self.speed_kmh, dtype=np.float64)
            if len(self.speed_kmh) != m or (m and not (np.isfinite(self.speed_kmh).all() and self.speed_kmh.min() > 0)):
                raise ValueError("speed_kmh must give every edge a finite positive speed")
        self.matrix = self._symmetric(self.length_m)
        n_comp, labels = connected_components(self.matrix, directed=False)
        self.component = labels.astype(np.int64)
        self.component_sizes = np.bincount(labels, minlength=n_comp).astype(np.int64)

    def _symmetric(self, weights: np.ndarray) -> csr_matrix:
        """The symmetric sparse matrix of per-edge ``weights`` (zero weights kept as a tiny epsilon)."""
        n = self.n_nodes
        w = np.maximum(weights, _EPS)
        rows, cols, vals = np.concatenate([self.u, self.v]), np.concatenate([self.v, self.u]), np.concatenate([w, w])
        # Parallel edges (and an edge given in both directions) keep the shortest: a sparse matrix would sum them.
        order = np.lexsort((vals, cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        return csr_matrix((vals[first], (rows[first], cols[first])), shape=(n, n))

    def minutes_matrix(self, speed_kmh: float) -> csr_matrix:
        """Travel minutes along every edge: at each edge's own speed (drive), else at ``speed_kmh``."""
        speed = self.speed_kmh if self.speed_kmh is not None else np.full(self.n_edges, float(speed_kmh))
        return self._symmetric(self.length_m / (speed * 1000.0 / 60.0))

    # ------------------------------------------------------------------ sizes
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        """Number of (undirected, collapsed) edges."""
        return len(self.u)

    def __repr__(self) -> str:
        return (
            f"WalkNetwork({self.n_nodes:,} nodes, {self.n_edges:,} edges, "
            f"{len(self.component_sizes):,} components, crs={self.crs!r}, source={self.source!r})"
        )

    # ----------------------------------------------------------- constructors
    @classmethod
    def from_arrays(
        cls,
        x: Sequence[float] | np.ndarray,
        y: Sequence[float] | np.ndarray,
        u: Sequence[int] | np.ndarray,
        v: Sequence[int] | np.ndarray,
        length_m: Sequence[float] | np.ndarray | None = None,
        *,
        crs: str,
        node_ids: Sequence[int] | np.ndarray | None = None,
        geometries: Sequence[BaseGeometry | None] | None = None,
        source: str = "arrays",
    ) -> WalkNetwork:
        """Build a network from node coordinates and an edge list.

        Self-loops are dropped and parallel edges (in either direction) are
        collapsed to the shortest, so any edge list is accepted.

        Parameters
        ----------
        x, y
            Node coordinates in metres in ``crs``.
        u, v
            Edge end points as node positions (0..n-1).
        length_m
            Edge lengths in metres; default: the straight-line distance.
        crs
            A metric (projected) CRS.
        node_ids
            Node labels; default ``0..n-1``.
        geometries
            Optional shapely LineString per edge, running from ``u`` to ``v``
            (None entries become straight segments).
        source
            Provenance text.

        Returns
        -------
        WalkNetwork
        """
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        if length_m is None:
            length_m = np.hypot(x[u] - x[v], y[u] - y[v]) if len(u) else np.zeros(0)
        length_m = np.asarray(length_m, dtype=np.float64)
        node_ids = np.arange(len(x), dtype=np.int64) if node_ids is None else np.asarray(node_ids, dtype=np.int64)
        keep = _collapse_parallel(u, v, length_m, len(x))
        coords = offsets = None
        if geometries is not None:
            if len(geometries) != len(u):
                raise ValueError("geometries must have one entry per edge")
            coords, offsets = _pack_geometries([geometries[i] for i in keep], x, y, u[keep], v[keep])
        return cls(
            node_ids=node_ids,
            x=x,
            y=y,
            crs=crs,
            u=u[keep],
            v=v[keep],
            length_m=length_m[keep],
            geom_coords=coords,
            geom_offsets=offsets,
            source=source,
        )

    @classmethod
    def from_graph(cls, G: nx.MultiDiGraph, *, crs: str | None = None, source: str = "") -> WalkNetwork:
        """Build a network from an osmnx/networkx graph.

        Parameters
        ----------
        G
            A (Multi)(Di)Graph with node attributes ``x``, ``y``, graph
            attribute ``crs`` (default EPSG:4326) and edge attribute ``length``
            in metres (osmnx's); ``geometry`` edge attributes are kept.
            Directions are ignored and parallel edges collapse to the shortest.
        crs
            Metric CRS to use.  Default: the graph's own CRS if it is
            projected, else the UTM zone osmnx picks for it (EPSG:32649 for
            most of Shanxi).
        source
            Provenance text; default describes the graph.

        Returns
        -------
        WalkNetwork
        """
        import osmnx as ox

        graph_crs = G.graph.get("crs", "EPSG:4326")
        if not ox.projection.is_projected(graph_crs) or (crs is not None and not _same_crs(crs, graph_crs)):
            G = ox.projection.project_graph(G, to_crs=crs)
        crs = str(G.graph["crs"])
        nodes = list(G.nodes)
        try:
            node_ids = np.asarray(nodes, dtype=np.int64)
        except (TypeError, ValueError, OverflowError):
            node_ids = np.arange(len(nodes), dtype=np.int64)
        position = {node: i for i, node in enumerate(nodes)}
        x = np.fromiter((G.nodes[n]["x"] for n in nodes), dtype=np.float64, count=len(nodes))
        y = np.fromiter((G.nodes[n]["y"] for n in nodes), dtype=np.float64, count=len(nodes))
        u: list[int] = []
        v: list[int] = []
        lengths: list[float] = []
        geoms: list[BaseGeometry | None] = []
        for a, b, data in G.edges(data=True):
            u.append(position[a])
            v.append(position[b])
            geom = data.get("geometry")
            length = data.get("length")
            if length is None:
                length = geom.length if geom is not None else float(np.hypot(x[u[-1]] - x[v[-1]], y[u[-1]] - y[v[-1]]))
            lengths.append(float(length))
            geoms.append(geom)
        has_geom = any(g is not None for g in geoms)
        source = source or f"networkx graph ({len(nodes):,} nodes, {len(u):,} edges)"
        return cls.from_arrays(
            x, y, u, v, lengths, crs=crs, node_ids=node_ids, geometries=geoms if has_geom else None, source=source
        )

    # ----------------------------------------------------------- persistence
    def save(self, path: str | Path) -> Path:
        """Write the network to an ``.npz`` file (no pickle).

        Parameters
        ----------
        path
            Target file; ``.npz`` is appended if missing.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        arrays: dict[str, np.ndarray] = {
            "npz_version": np.array(_NPZ_VERSION),
            "node_ids": self.node_ids,
            "x": self.x,
            "y": self.y,
            "u": self.u,
            "v": self.v,
            "length_m": self.length_m,
            "crs": np.array(self.crs),
            "source": np.array(self.source),
        }
        if self.geom_coords is not None:
            arrays["geom_coords"] = self.geom_coords
            arrays["geom_offsets"] = self.geom_offsets  # type: ignore[assignment]
        arrays["mode"] = np.array(self.mode)
        arrays["notes"] = np.array(json.dumps([[k, p] for k, p in self.notes], ensure_ascii=False))
        if self.speed_kmh is not None:
            arrays["speed_kmh"] = self.speed_kmh
        np.savez(path, **arrays)  # uncompressed: writing is 20x faster, and a cache is read far more than copied
        return path

    @classmethod
    def load(cls, path: str | Path) -> WalkNetwork:
        """Read a network written by :meth:`save`.

        Raises
        ------
        ValueError
            If the file is not a network file of a known version.
        """
        with np.load(Path(path), allow_pickle=False) as data:
            if "npz_version" not in data or int(data["npz_version"]) != _NPZ_VERSION:
                raise ValueError(f"{Path(path).name}: not a sxgeo network file of version {_NPZ_VERSION}")
            geom = "geom_coords" in data
            return cls(
                node_ids=data["node_ids"],
                x=data["x"],
                y=data["y"],
                crs=str(data["crs"]),
                u=data["u"],
                v=data["v"],
                length_m=data["length_m"],
                geom_coords=data["geom_coords"] if geom else None,
                geom_offsets=data["geom_offsets"] if geom else None,
                source=str(data["source"]),
                mode=str(data["mode"]),
                speed_kmh=data.get("speed_kmh"),
                notes=tuple((k, p) for k, p in json.loads(str(data["notes"]))),
            )

    # --------------------------------------------------------------- helpers
    @property
    def tree(self) -> cKDTree:
        """KD-tree on the node coordinates (built on first use)."""
        if self._tree is None:
            self._tree = cKDTree(np.column_stack([self.x, self.y]))
        return self._tree

    def small_components(self, min_component_nodes: int) -> np.ndarray:
        """Boolean mask of nodes on a component with fewer than ``min_component_nodes`` nodes."""
        return self.component_sizes[self.component] < min_component_nodes

    def edge_lines(self, edges: np.ndarray | None = None) -> np.ndarray:
        """Edge geometries as shapely LineStrings (straight if none stored).

        Parameters
        ----------
        edges
            Edge positions to return (default: all).
        """
        edges = np.arange(self.n_edges) if edges is None else np.asarray(edges, dtype=np.int64)
        if len(edges) == 0:
            return np.empty(0, dtype=object)
        if self.geom_coords is None:
            a, b = self.u[edges], self.v[edges]
            coords = np.stack([np.column_stack([self.x[a], self.y[a]]), np.column_stack([self.x[b], self.y[b]])], 1)
            return shapely.linestrings(coords)
        assert self.geom_offsets is not None
        starts, ends = self.geom_offsets[edges], self.geom_offsets[edges + 1]
        counts = ends - starts
        owner = np.repeat(np.arange(len(edges)), counts)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return shapely.linestrings(self.geom_coords[np.repeat(starts, counts) + within], indices=owner)

    def significant_components(self, min_component_nodes: int = 50, min_component_share: float = 0.01) -> int:
        """Number of components that are not just fragments.

        A component counts when it has at least ``min_component_nodes`` nodes
        and at least ``min_component_share`` of all nodes.
        """
        need = max(min_component_nodes, min_component_share * self.n_nodes)
        return int((self.component_sizes >= need).sum())


def _same_crs(a: object, b: object) -> bool:
    from pyproj import CRS

    return CRS.from_user_input(a) == CRS.from_user_input(b)


def _collapse_parallel(u: np.ndarray, v: np.ndarray, length: np.ndarray, n: int) -> np.ndarray:
    """Positions of the edges to keep: no self-loops, shortest per node pair."""
    if len(u) == 0:
        return np.zeros(0, dtype=np.int64)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    key = lo * np.int64(n) + hi
    order = np.lexsort((length, key))
    sorted_key = key[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_key[1:] != sorted_key[:-1]
    keep = order[first]
    keep = keep[lo[keep] != hi[keep]]
    return np.sort(keep)


def _pack_geometries(
    geoms: Sequence[BaseGeometry | None], x: np.ndarray, y: np.ndarray, u: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Flatten edge LineStrings into (coords, offsets), oriented from u to v."""
    parts: list[np.ndarray] = []
    for geom, a, b in zip(geoms, u, v, strict=True):
        start, end = (x[a], y[a]), (x[b], y[b])
        if geom is None or geom.is_empty:
            coords = np.array([start, end], dtype=np.float64)
        else:
            coords = np.asarray(shapely.get_coordinates(geom), dtype=np.float64)
            # osmnx geometries run from u to v; make sure, whatever the source.
            d_fwd = np.hypot(*(coords[0] - start)) + np.hypot(*(coords[-1] - end))
            d_rev = np.hypot(*(coords[-1] - start)) + np.hypot(*(coords[0] - end))
            if d_rev < d_fwd:
                coords = coords[::-1]
        parts.append(coords)
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p) for p in parts])
    coords = np.concatenate(parts) if parts else np.zeros((0, 2))
    return coords, offsets
