"""The one travel-cost function: minutes from demand points to facilities, straight-line or along streets.

Distance mode (no network): straight-line metres in UTM 49N × a detour
factor, at the travel speed.  Network mode: both layers are snapped to their
nearest street node; on a walk network, minutes = (demand snap + shortest
path + facility snap) / walking speed; on a drive network the path is the
fastest one at each road's own speed (:meth:`WalkNetwork.minutes_matrix`)
and the legs between a point and its street node are walked.  Access
(nearest facility) and siting (every demand × candidate pair) both ask a
:class:`TravelCost`, so the modes are decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from sxgeo.analysis.network import FLAG_SMALL_COMPONENT, FLAG_SNAP_TOO_FAR, nearest_facility, snap
from sxgeo.layers.geometry import metric_xy
from sxgeo.layers.network import WalkNetwork
from sxgeo.settings import DETOUR_FACTOR, MAX_SNAP_M, MIN_COMPONENT_NODES, WALK_SPEED_KMH

__all__ = ["Nearest", "TravelCost"]


@dataclass
class Nearest:
    """The nearest facility of every demand point (see :meth:`TravelCost.nearest`).

    ``minutes`` is NaN for points without geometry and ``inf`` for points that
    reach no facility; ``distance_m`` is the travelled distance (NaN on a
    drive network, where the fastest path is not the shortest);
    ``facility`` is the facility's row position or -1.  Network mode also
    fills ``snap_m``, ``demand_flags``, ``facility_flags`` and ``node_cost``
    (cost from every street node to its nearest facility, in ``cost_unit``:
    metres on a walk network, minutes on a drive network); distance mode
    fills ``facility_xy`` (metric x/y of the facilities used).
    """

    distance_m: np.ndarray
    facility: np.ndarray
    snap_m: np.ndarray
    minutes: np.ndarray = field(default_factory=lambda: np.empty(0))
    demand_flags: np.ndarray | None = None
    facility_flags: np.ndarray | None = None
    node_cost: np.ndarray | None = None
    cost_unit: str = "m"
    facility_xy: np.ndarray | None = None
    usable_facilities: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


@dataclass(frozen=True)
class TravelCost:
    """How travel time is measured: along a street network, or straight-line × a detour factor.

    Parameters
    ----------
    network
        Street network (:func:`sxgeo.io.osm.read_osm`); None for distance mode.
    speed_kmh
        Travel speed on a walk network and in distance mode (a drive network
        carries each road's speed).
    detour_factor
        Distance mode only: network / straight-line distance.
    max_snap_m
        Network mode: points farther from every street node are off the network.
    min_component_nodes
        Network mode: street fragments with fewer nodes are "small components".
    """

    network: WalkNetwork | None = None
    speed_kmh: float = WALK_SPEED_KMH
    detour_factor: float = DETOUR_FACTOR
    max_snap_m: float = MAX_SNAP_M
    min_component_nodes: int = MIN_COMPONENT_NODES
    leg_speed_kmh: float = WALK_SPEED_KMH

    @property
    def mode(self) -> str:
        """``network`` or ``distance``."""
        return "network" if self.network is not None else "distance"

    @property
    def drive(self) -> bool:
        """Whether travel follows a drive network (each road at its own speed)."""
        return self.network is not None and self.network.speed_kmh is not None

    @property
    def metres_per_min(self) -> float:
        """Metres travelled in one minute at :attr:`speed_kmh`."""
        return self.speed_kmh * 1000.0 / 60.0

    @property
    def _leg_per_min(self) -> float:
        """Metres per minute on the legs to and from the street (walk networks: the walking speed)."""
        return (self.leg_speed_kmh if self.drive else self.speed_kmh) * 1000.0 / 60.0

    def params(self) -> dict[str, Any]:
        """The parameters that describe this measure, as recorded with results."""
        out: dict[str, Any] = {"speed_kmh": self.speed_kmh, "max_snap_m": self.max_snap_m}
        if self.network is None:
            out["detour_factor"] = self.detour_factor
        else:
            out.update(min_component_nodes=self.min_component_nodes, network_source=self.network.source,
                       network_crs=self.network.crs, network_mode=self.network.mode)
            if self.drive:
                out["leg_speed_kmh"] = self.leg_speed_kmh
        return out

    # --- every pair ----------------------------------------------------------------------------
    def matrix(self, demand: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, *,
               limit_min: float | None = None) -> np.ndarray:
        """Minutes from every demand point (rows) to every facility (columns); ``inf`` where unreachable.

        ``limit_min`` bounds the network search: pairs farther apart are ``inf``.
        """
        if len(demand) == 0 or len(facilities) == 0:
            return np.full((len(demand), len(facilities)), np.inf)
        if self.network is None:
            return cdist(metric_xy(demand), metric_xy(facilities)) * self.detour_factor / self.metres_per_min
        return self._network_matrix(demand, facilities, limit_min)

    def pairs(self, demand: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame,
              limit_min: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The demand × facility pairs within ``limit_min`` minutes: (demand row, facility row, minutes).

        Same minutes as :meth:`matrix`, without ever building the dense
        matrix: a k-d tree in distance mode, Dijkstra from the facilities'
        street nodes in chunks in network mode.  A pair at exactly
        ``limit_min`` is included.
        """
        empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))
        if len(demand) == 0 or len(facilities) == 0:
            return empty
        if self.network is None:
            d_xy, f_xy = metric_xy(demand), metric_xy(facilities)
            d_ok, f_ok = np.flatnonzero(~np.isnan(d_xy[:, 0])), np.flatnonzero(~np.isnan(f_xy[:, 0]))
            if not len(d_ok) or not len(f_ok):
                return empty
            radius = limit_min * self.metres_per_min / self.detour_factor
            coo = cKDTree(d_xy[d_ok]).sparse_distance_matrix(cKDTree(f_xy[f_ok]), radius * (1 + 1e-9), output_type="coo_matrix")
            minutes = coo.data * self.detour_factor / self.metres_per_min
            keep = minutes <= limit_min
            return d_ok[coo.row[keep]], f_ok[coo.col[keep]], minutes[keep]
        return self._network_pairs(demand, facilities, limit_min)

    def _network_pairs(self, demand, facilities, limit_min: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        nw = self.network
        sd = snap(nw, demand, max_snap_m=self.max_snap_m)
        sc = snap(nw, facilities, max_snap_m=self.max_snap_m)
        ok_d, ok_c = np.flatnonzero(_snapped(sd)), np.flatnonzero(_snapped(sc))
        rows, cols, vals = [], [], []
        if len(ok_d) and len(ok_c):
            d_nodes, d_leg = sd["node"].to_numpy()[ok_d], sd["snap_m"].to_numpy()[ok_d] / self._leg_per_min
            c_nodes, c_leg = sc["node"].to_numpy()[ok_c], sc["snap_m"].to_numpy()[ok_c] / self._leg_per_min
            uniq, inverse = np.unique(c_nodes, return_inverse=True)
            chunk = max(1, int(2e7 // max(nw.n_nodes, 1)))  # about 160 MB of distances at a time
            for start in range(0, len(uniq), chunk):
                # the matrix is symmetric (both directions stored): a directed search gives the same distances
                # and spares scipy a transpose of the whole network on every call
                dist = dijkstra(self._minutes, directed=True, indices=uniq[start:start + chunk], limit=limit_min)
                for k in np.flatnonzero((inverse >= start) & (inverse < start + chunk)):
                    total = dist[inverse[k] - start][d_nodes] + d_leg + c_leg[k]
                    hit = np.flatnonzero(total <= limit_min)
                    rows.append(ok_d[hit])
                    cols.append(np.full(len(hit), ok_c[k]))
                    vals.append(total[hit])
        if not rows:
            return (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)

    @cached_property
    def _minutes(self):
        """The network's edge costs in minutes (a walk network at :attr:`speed_kmh`), built once per measure."""
        return self.network.minutes_matrix(self.speed_kmh)

    def _network_matrix(self, demand, facilities, limit_min: float | None) -> np.ndarray:
        nw = self.network
        sd = snap(nw, demand, max_snap_m=self.max_snap_m)
        sc = snap(nw, facilities, max_snap_m=self.max_snap_m)
        out = np.full((len(demand), len(facilities)), np.inf)
        ok_c, ok_d = _snapped(sc), _snapped(sd)
        if not ok_c.any() or not ok_d.any():
            return out
        uniq, inverse = np.unique(sc["node"].to_numpy()[ok_c], return_inverse=True)
        limit = np.inf if limit_min is None else float(limit_min)
        # scipy's Dijkstra (in minutes) from every distinct facility node over the network's matrix.
        dist = dijkstra(self._minutes, directed=False, indices=uniq, limit=limit)
        path = dist[inverse][:, sd["node"].to_numpy()[ok_d]].T  # demand × facility, minutes
        legs = sd["snap_m"].to_numpy()[ok_d][:, None] + sc["snap_m"].to_numpy()[ok_c][None, :]
        block = path + legs / self._leg_per_min
        if limit_min is not None:
            block[block > limit_min] = np.inf
        out[np.ix_(np.flatnonzero(ok_d), np.flatnonzero(ok_c))] = block
        return out

    # --- nearest only --------------------------------------------------------------------------
    def nearest(self, demand: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, demand_ok: np.ndarray,
                facility_ok: np.ndarray) -> Nearest:
        """The nearest facility (by travel distance) of every demand point.

        Only demand rows where ``demand_ok`` and facilities where
        ``facility_ok`` (both: has a geometry) take part.
        """
        if self.network is None:
            return self._nearest_straight(demand, facilities, demand_ok, facility_ok)
        return self._nearest_network(demand, facilities, demand_ok, facility_ok)

    def _nearest_straight(self, demand, facilities, demand_ok, facility_ok) -> Nearest:
        n = len(demand)
        fac_pos = np.flatnonzero(facility_ok)
        fac_xy = metric_xy(facilities.iloc[fac_pos])
        straight, j = cKDTree(fac_xy).query(metric_xy(demand[demand_ok]))
        distance_m = np.full(n, np.nan)
        facility = np.full(n, -1, dtype=np.int64)
        distance_m[demand_ok] = straight * self.detour_factor
        facility[demand_ok] = fac_pos[j]
        return Nearest(distance_m, facility, np.full(n, np.nan), minutes=distance_m / self.metres_per_min,
                       facility_xy=fac_xy, usable_facilities=fac_pos)

    def _nearest_network(self, demand, facilities, demand_ok, facility_ok) -> Nearest:
        nw, n = self.network, len(demand)
        fsnap = snap(nw, facilities, max_snap_m=self.max_snap_m, min_component_nodes=self.min_component_nodes)
        fflag = fsnap["flag"].to_numpy(dtype=object)
        usable = np.flatnonzero(facility_ok & (fflag != FLAG_SNAP_TOO_FAR))
        dsnap = snap(nw, demand, max_snap_m=self.max_snap_m, min_component_nodes=self.min_component_nodes)
        dflag = dsnap["flag"].to_numpy(dtype=object)
        snap_m = dsnap["snap_m"].to_numpy(dtype=float)
        out = Nearest(np.full(n, np.nan), np.full(n, -1, dtype=np.int64), snap_m, minutes=np.full(n, np.nan),
                      demand_flags=dflag, facility_flags=fflag, usable_facilities=usable,
                      cost_unit="min" if self.drive else "m")
        if len(usable) == 0:
            out.distance_m[demand_ok] = np.inf
            out.minutes[demand_ok] = np.inf
            return out
        fac_nodes, fac_snap = fsnap["node"].to_numpy()[usable], fsnap["snap_m"].to_numpy()[usable]
        if self.drive:
            node_cost, node_fac = nearest_facility(nw, fac_nodes, fac_snap / self._leg_per_min, weights=self._minutes)
        else:
            node_cost, node_fac = nearest_facility(nw, fac_nodes, fac_snap)
        ok = demand_ok & (dflag != FLAG_SNAP_TOO_FAR)
        nodes = dsnap["node"].to_numpy()[ok]
        if self.drive:
            out.minutes[ok] = node_cost[nodes] + snap_m[ok] / self._leg_per_min
            out.distance_m[ok] = np.where(np.isfinite(out.minutes[ok]), np.nan, np.inf)
        else:
            out.distance_m[ok] = node_cost[nodes] + snap_m[ok]
            out.minutes[ok] = out.distance_m[ok] / self.metres_per_min
        reached = node_fac[nodes] >= 0
        out.facility[np.flatnonzero(ok)[reached]] = usable[node_fac[nodes][reached]]
        out.node_cost = node_cost
        return out

    def edge_cost(self) -> np.ndarray | None:
        """Each edge's cost in the unit of :attr:`Nearest.node_cost` (None: the edge length in metres)."""
        if not self.drive:
            return None
        return self.network.length_m / (self.network.speed_kmh * 1000.0 / 60.0)


def _snapped(snapped: pd.DataFrame) -> np.ndarray:
    """Rows snapped to a street node (not too far, with geometry); small components still count."""
    flag = snapped["flag"].to_numpy(dtype=object)
    return (snapped["node"].to_numpy() >= 0) & ((flag == None) | (flag == FLAG_SMALL_COMPONENT))  # noqa: E711
