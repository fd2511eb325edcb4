"""Walk networks: read OSM street data once, then answer "how far to the
nearest facility" for every street node in a single shortest-path pass.

Public API::

    from sxgeo.analysis.network import (
        WalkNetwork, read_osm, download_walk_graph, snap, nearest_facility, covered_area,
    )

Distances are metres along the street network in a metric CRS (UTM).  A
network is built from a local OSM file (:func:`read_osm`, the way planners in
China get OSM: Geofabrik's ``shanxi-latest.osm.pbf``), from an osmnx graph
(:meth:`WalkNetwork.from_graph`) or from plain arrays
(:meth:`WalkNetwork.from_arrays`).  The graph is undirected: pedestrians may
walk one-way streets both ways, as in osmnx's ``network_type="walk"``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from sxgeo.io import _osm

__all__ = [
    "FLAG_NO_GEOMETRY",
    "FLAG_SMALL_COMPONENT",
    "FLAG_SNAP_TOO_FAR",
    "WalkNetwork",
    "covered_area",
    "default_cache_dir",
    "download_walk_graph",
    "nearest_facility",
    "read_osm",
    "snap",
    "synthetic_grid",
]

#: Snap flags (values of the ``flag`` column returned by :func:`snap`).
FLAG_SNAP_TOO_FAR = "snap_too_far"
FLAG_SMALL_COMPONENT = "small_component"
FLAG_NO_GEOMETRY = "no_geometry"

#: Stand-in for a zero edge length in the sparse matrix, where an explicit
#: zero could be dropped as "no edge" by sparse operations.  1 nanometre: the
#: error it adds is far below any distance that matters.
_EPS = 1e-9

#: Version of the ``.npz`` layout written by :meth:`WalkNetwork.save`.
_NPZ_VERSION = 1


@dataclass(eq=False)
class WalkNetwork:
    """An undirected walk network in compact array form, in a metric CRS.

    Attributes
    ----------
    node_ids
        OSM node id (or any int64 label) of each node, shape ``(n,)``.
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
        weights = np.maximum(self.length_m, _EPS)
        self.matrix = csr_matrix(
            (np.concatenate([weights, weights]), (np.concatenate([self.u, self.v]), np.concatenate([self.v, self.u]))),
            shape=(n, n),
        )
        n_comp, labels = connected_components(self.matrix, directed=False)
        self.component = labels.astype(np.int64)
        self.component_sizes = np.bincount(labels, minlength=n_comp).astype(np.int64)

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
        """Write the network to a compressed ``.npz`` file (no pickle).

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
        np.savez_compressed(path, **arrays)
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
        """Number of components with at least ``min_component_nodes`` nodes and
        at least ``min_component_share`` of all nodes."""
        need = max(min_component_nodes, min_component_share * self.n_nodes)
        return int((self.component_sizes >= need).sum())


def synthetic_grid(
    n_cols: int,
    n_rows: int,
    *,
    spacing_m: float = 100.0,
    origin: tuple[float, float] = (500_000.0, 4_180_000.0),
    crs: str = "EPSG:32649",
    drop_share: float = 0.0,
    jitter_m: float = 0.0,
    seed: int = 0,
) -> WalkNetwork:
    """A synthetic street grid, for tests and benchmarks.

    Parameters
    ----------
    n_cols, n_rows
        Grid size in nodes; node ``r * n_cols + c`` sits at
        ``origin + (c, r) * spacing_m``.
    spacing_m
        Block length in metres.
    origin
        Coordinates of node 0 in ``crs`` (default: near Taiyuan in UTM 49N).
    crs
        Metric CRS.
    drop_share
        Share of edges removed at random (missing street links).
    jitter_m
        Move every node by up to this many metres in x and y (uniformly at
        random), so that blocks differ in length as in real streets; edge
        lengths are then the straight-line distances.
    seed
        Random seed for ``drop_share`` and ``jitter_m``.

    Returns
    -------
    WalkNetwork
    """
    ids = np.arange(n_cols * n_rows, dtype=np.int64).reshape(n_rows, n_cols)
    rng = np.random.default_rng(seed)
    x = (origin[0] + (ids % n_cols) * spacing_m).ravel()
    y = (origin[1] + (ids // n_cols) * spacing_m).ravel()
    if jitter_m > 0:
        x = x + rng.uniform(-jitter_m, jitter_m, len(x))
        y = y + rng.uniform(-jitter_m, jitter_m, len(y))
    u = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    v = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    if drop_share > 0:
        keep = rng.random(len(u)) >= drop_share
        u, v = u[keep], v[keep]
    length = np.hypot(x[u] - x[v], y[u] - y[v]) if jitter_m > 0 else np.full(len(u), float(spacing_m))
    return WalkNetwork(
        node_ids=ids.ravel(),
        x=x,
        y=y,
        crs=crs,
        u=u,
        v=v,
        length_m=length,
        source=f"synthetic {n_cols}x{n_rows} grid",
    )


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


# ------------------------------------------------------------------ reading OSM
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
    sxgeo.io.LayerReadError
        If the file is missing, not an OSM file, unreadable, or has no
        walkable street in the area.  The message names the file.
    """
    path = Path(path)
    polygon = _osm.as_polygon(bbox_or_polygon)
    if not path.is_file():
        from sxgeo.io import LayerReadError

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


# --------------------------------------------------------------- snapping
def snap(
    network: WalkNetwork,
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    max_snap_m: float = 500.0,
    min_component_nodes: int = 50,
) -> pd.DataFrame:
    """Snap points to their nearest network node.

    Parameters
    ----------
    network
        The walk network.
    points
        Point layer in any CRS (reprojected to ``network.crs``).
    max_snap_m
        Points farther than this from every node are flagged ``snap_too_far``.
    min_component_nodes
        Points whose node lies on a component with fewer nodes are flagged
        ``small_component`` (a fragment of the network, usually a mapping gap).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``points.index``: ``node`` (node position, -1 without a
        geometry), ``snap_m`` (straight-line metres to the node, NaN without
        a geometry) and ``flag`` (None, ``snap_too_far``, ``small_component``
        or ``no_geometry``).
    """
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    n = len(geoms)
    node = np.full(n, -1, dtype=np.int64)
    snap_m = np.full(n, np.nan)
    flag = np.full(n, None, dtype=object)
    if n:
        if geoms.crs is None:
            raise ValueError("the point layer has no CRS")
        projected = geoms.to_crs(network.crs)
        valid = ~(projected.isna() | projected.is_empty).to_numpy()
        flag[~valid] = FLAG_NO_GEOMETRY
        if valid.any() and network.n_nodes:
            xy = shapely.get_coordinates(projected.to_numpy()[valid])
            dist, idx = network.tree.query(xy)
            node[valid] = idx
            snap_m[valid] = dist
            small = np.zeros(n, dtype=bool)
            small[valid] = network.small_components(min_component_nodes)[idx]
            flag[small] = FLAG_SMALL_COMPONENT
            flag[valid & (snap_m > max_snap_m)] = FLAG_SNAP_TOO_FAR
        elif valid.any():
            flag[valid] = FLAG_SNAP_TOO_FAR
    return pd.DataFrame(
        {"node": node, "snap_m": snap_m, "flag": pd.Series(flag, index=geoms.index, dtype=object)}, index=geoms.index
    )


# ---------------------------------------------------------- shortest paths
def nearest_facility(
    network: WalkNetwork,
    facility_nodes: Sequence[int] | np.ndarray,
    facility_offsets_m: Sequence[float] | np.ndarray | None = None,
    *,
    limit_m: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Distance from every node to its nearest facility, in one pass.

    One virtual node per facility is joined to the facility's network node by
    a one-way edge whose length is the facility's offset (its snap distance),
    and a single multi-source Dijkstra (``scipy.sparse.csgraph.dijkstra`` with
    ``min_only=True``) from all virtual nodes yields, for every node, the
    shortest distance from any facility and which facility that is.

    Parameters
    ----------
    network
        The walk network.
    facility_nodes
        Node position of each facility (several facilities may share a node).
    facility_offsets_m
        Extra metres from each facility to its node (default 0).
    limit_m
        Stop searching beyond this distance (nodes farther away get inf and
        -1); default: no limit.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``dist_m`` (float, inf where no facility is reachable) and
        ``facility`` (index into ``facility_nodes``, -1 where unreachable),
        each of shape ``(network.n_nodes,)``.
    """
    n = network.n_nodes
    nodes = np.asarray(facility_nodes, dtype=np.int64).reshape(-1)
    k = len(nodes)
    if k == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    if nodes.min() < 0 or nodes.max() >= n:
        raise ValueError("facility_nodes must be node positions in 0..n-1")
    offsets = np.zeros(k) if facility_offsets_m is None else np.asarray(facility_offsets_m, dtype=np.float64)
    if offsets.shape != (k,) or not np.all(np.isfinite(offsets)) or offsets.min() < 0:
        raise ValueError("facility_offsets_m must be finite, non-negative, one per facility")
    m = network.matrix
    idx_dtype = m.indices.dtype if n + k < np.iinfo(np.int32).max else np.int64
    indptr = np.concatenate([m.indptr, m.indptr[-1] + np.arange(1, k + 1)]).astype(idx_dtype, copy=False)
    indices = np.concatenate([m.indices, nodes]).astype(idx_dtype, copy=False)
    data = np.concatenate([m.data, np.maximum(offsets, _EPS)])
    graph = csr_matrix((data, indices, indptr), shape=(n + k, n + k))
    dist, _pred, sources = dijkstra(
        graph,
        directed=True,
        indices=np.arange(n, n + k),
        return_predecessors=True,  # needed for ``sources``, the nearest source
        min_only=True,
        limit=np.inf if limit_m is None else float(limit_m),
    )
    dist, sources = dist[:n], sources[:n].astype(np.int64)
    reached = sources >= 0
    facility = np.where(reached, sources - n, -1)
    # Remove the stand-in length of zero offsets.
    zero = np.zeros(n, dtype=bool)
    zero[reached] = offsets[facility[reached]] == 0
    dist[zero] = np.maximum(dist[zero] - _EPS, 0.0)
    return dist, facility


# ------------------------------------------------------------ isochrones
def covered_area(
    network: WalkNetwork,
    dist_m: np.ndarray,
    threshold_m: float,
    *,
    buffer_m: float = 50.0,
    by: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """Polygons of the street area within ``threshold_m`` of a facility.

    Every edge whose both ends are reached in time is taken whole; an edge
    reached only partly contributes the reachable stretch from each end
    (``threshold - dist`` metres along it).  The pieces and the reached nodes
    are buffered by ``buffer_m`` and unioned.

    Parameters
    ----------
    network
        The walk network.
    dist_m
        Distance of every node to its nearest facility (from
        :func:`nearest_facility`).
    threshold_m
        Walking distance limit in metres.
    buffer_m
        Half-width of the drawn band around the streets.
    by
        Optional group label per node (e.g. the facility index from
        :func:`nearest_facility`; negative = none): one polygon per group,
        split where two groups' catchments meet on an edge.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326; one row (column ``geometry``) or one row per group
        (columns ``group``, ``geometry``); no rows if nothing is reached.
    """
    dist_m = np.asarray(dist_m, dtype=np.float64)
    if dist_m.shape != (network.n_nodes,):
        raise ValueError("dist_m needs one value per network node")
    labels = np.zeros(network.n_nodes, dtype=np.int64) if by is None else np.asarray(by, dtype=np.int64)
    t = float(threshold_m)
    u, v, length = network.u, network.v, network.length_m
    du, dv = dist_m[u], dist_m[v]
    with np.errstate(invalid="ignore"):
        reach_u = np.clip(t - du, 0.0, length)  # metres reachable from the u end
        reach_v = np.clip(t - dv, 0.0, length)
    reach_u[~np.isfinite(du) | (labels[u] < 0)] = 0.0
    reach_v[~np.isfinite(dv) | (labels[v] < 0)] = 0.0
    same = labels[u] == labels[v]
    whole = same & (reach_u + reach_v >= length) & ((reach_u > 0) | (reach_v > 0))
    # Where two groups meet on a fully reached edge, split at the point that
    # is equally far from both: du + s == dv + (length - s).
    meet = ~same & (reach_u + reach_v >= length) & (reach_u > 0) & (reach_v > 0)
    split = np.zeros_like(length)
    split[meet] = np.clip((length[meet] + dv[meet] - du[meet]) / 2.0, 0.0, length[meet])
    reach_u = np.where(meet, split, reach_u)
    reach_v = np.where(meet, length - split, reach_v)

    pieces: list[np.ndarray] = []
    groups: list[np.ndarray] = []
    whole_idx = np.flatnonzero(whole)
    pieces.append(network.edge_lines(whole_idx))
    groups.append(labels[u[whole_idx]])
    for side, reach in (("u", reach_u), ("v", reach_v)):
        part = np.flatnonzero(~whole & (reach > 0))
        if len(part) == 0:
            continue
        lines = network.edge_lines(part)
        total = shapely.length(lines)
        frac = np.divide(reach[part], length[part], out=np.ones(len(part)), where=length[part] > 0)
        if side == "u":
            start, end = np.zeros(len(part)), frac * total
        else:
            start, end = (1.0 - frac) * total, total
        pieces.append(np.array([_substring(line, s, e) for line, s, e in zip(lines, start, end, strict=True)]))
        groups.append(labels[(u if side == "u" else v)[part]])
    reached = np.flatnonzero(np.isfinite(dist_m) & (dist_m <= t) & (labels >= 0))
    pieces.append(shapely.points(network.x[reached], network.y[reached]))
    groups.append(labels[reached])
    geoms = np.concatenate(pieces) if pieces else np.empty(0, dtype=object)
    group = np.concatenate(groups) if groups else np.empty(0, dtype=np.int64)

    out_geoms: list[BaseGeometry] = []
    out_groups: list[int] = []
    for g in np.unique(group):
        parts = geoms[group == g]
        # Buffering each piece and then one cascaded union is much faster in
        # GEOS than buffering a multi-geometry (minutes vs. a second).
        shape = shapely.union_all(shapely.buffer(parts, buffer_m, quad_segs=4))
        if not shape.is_empty:
            out_geoms.append(shapely.make_valid(shape))
            out_groups.append(int(g))
    series = gpd.GeoSeries(out_geoms, crs=network.crs).to_crs("EPSG:4326")
    if by is None:
        return gpd.GeoDataFrame(geometry=series.values, crs="EPSG:4326")
    return gpd.GeoDataFrame({"group": np.asarray(out_groups, dtype=np.int64)}, geometry=series.values, crs="EPSG:4326")


def _substring(line: BaseGeometry, start: float, end: float) -> BaseGeometry:
    """The part of ``line`` between distances ``start`` and ``end`` (a point if they meet)."""
    from shapely.ops import substring

    return substring(line, float(start), float(end))
