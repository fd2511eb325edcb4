"""Independent references for street networks: pyrosm's network of the same file, routed by networkx.

pyrosm parses the OSM file with its own reader and applies its own walking
filter; networkx's Dijkstra does the routing.  Nothing here uses sxgeo, so
agreement with it is evidence that sxgeo's graph and paths are right.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from pyproj import Transformer
from scipy.spatial import cKDTree


class PyrosmReference:
    """pyrosm's walking network of ``path`` as an undirected networkx graph, with a node KD-tree in ``crs``."""

    def __init__(self, path: str, crs: str) -> None:
        from pyrosm import OSM

        nodes, edges = OSM(path).get_network("walking", nodes=True)
        graph = nx.Graph()
        for u, v, length in zip(edges["u"].to_numpy(), edges["v"].to_numpy(), edges["length"].to_numpy(), strict=True):
            if u == v:
                continue
            if graph.has_edge(u, v) and graph[u][v]["length"] <= length:
                continue
            graph.add_edge(int(u), int(v), length=float(length))
        self.graph = graph
        keep = nodes["id"].isin(graph.nodes).to_numpy()
        self.node_ids = nodes["id"].to_numpy()[keep].astype(np.int64)
        to_metric = Transformer.from_crs(4326, crs, always_xy=True)
        x, y = to_metric.transform(nodes["lon"].to_numpy()[keep], nodes["lat"].to_numpy()[keep])
        self.xy = np.column_stack([x, y])
        self.tree = cKDTree(self.xy)

    def ids_of(self, x: np.ndarray, y: np.ndarray, tolerance_m: float = 0.5) -> np.ndarray:
        """pyrosm's node id at each point (metric ``x``/``y`` in the same CRS), -1 where it has none."""
        d, i = self.tree.query(np.column_stack([x, y]))
        return np.where(d <= tolerance_m, self.node_ids[i], -1)

    def nearest_distance(self, facilities_xy: np.ndarray, demand_xy: np.ndarray) -> np.ndarray:
        """Metres from each demand point to its nearest facility: snap + networkx multi-source Dijkstra + snap."""
        fd, fi = self.tree.query(facilities_xy)
        dd, di = self.tree.query(demand_xy)
        g = self.graph.copy()
        for d, i in zip(fd, fi, strict=True):
            node = int(self.node_ids[i])
            if not g.has_edge("source", node) or g["source"][node]["length"] > d:
                g.add_edge("source", node, length=float(d))
        reach = nx.single_source_dijkstra_path_length(g, "source", weight="length")
        return np.array([reach.get(int(self.node_ids[i]), np.inf) + d for d, i in zip(dd, di, strict=True)])


def agreement(reference: np.ndarray, ours: np.ndarray, cutoff_m: float) -> np.ndarray:
    """Per point: within 5 % or 30 m of the reference (both unreachable also agrees), and the same coverage."""
    both = np.isfinite(reference) & np.isfinite(ours)
    ref, got = np.where(both, reference, 0.0), np.where(both, ours, 0.0)
    close = np.abs(ref - got) <= np.maximum(0.05 * ref, 30.0)
    close = np.where(both, close, ~np.isfinite(reference) & ~np.isfinite(ours))
    return close & ((reference <= cutoff_m) == (ours <= cutoff_m))
