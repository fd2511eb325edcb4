"""Walk-network analysis: snapping points to a WalkNetwork, nearest-facility distances and covered street areas."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry.base import BaseGeometry

from sxgeo.layers.network import _EPS, WalkNetwork

__all__ = [
    "FLAG_NO_GEOMETRY",
    "FLAG_SMALL_COMPONENT",
    "FLAG_SNAP_TOO_FAR",
    "covered_area",
    "nearest_facility",
    "snap",
]

#: Snap flags (values of the ``flag`` column returned by :func:`snap`).
FLAG_SNAP_TOO_FAR = "snap_too_far"
FLAG_SMALL_COMPONENT = "small_component"
FLAG_NO_GEOMETRY = "no_geometry"


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
    weights: csr_matrix | None = None,
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
    weights
        Another symmetric edge-cost matrix of the network (for example travel
        minutes, :meth:`WalkNetwork.minutes_matrix`); offsets and ``limit_m``
        are then in its unit.  Default: metres (:attr:`WalkNetwork.matrix`).

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
    m = network.matrix if weights is None else weights
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
    edge_cost: np.ndarray | None = None,
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
    edge_cost
        Cost of each edge in the unit of ``dist_m`` and ``threshold_m`` (for
        example minutes on a drive network); default the edge length in metres.

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
    u, v = network.u, network.v
    length = network.length_m if edge_cost is None else np.asarray(edge_cost, dtype=np.float64)
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
