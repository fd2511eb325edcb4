"""Walking time from residential points to the nearest facility.

Public API::

    from sxgeo.analysis.access import AccessResult, walking_access, coverage_by_area, gap_list

Pure functions on layers from :func:`sxgeo.io.load_layer` (no user interface).

Defaults
--------
- Walking speed **4.0 km/h** and threshold **15 minutes**, i.e. **1,000 m**
  along the streets.  This matches the 15-minute life circle of GB 50180-2018
  (Standard for urban residential area planning and design), whose walking
  distance is 800-1,000 m, and the "15-minute fitness circle" of the work
  plan.
- Without a street network ("distance mode") the straight-line distance is
  multiplied by a **detour factor of 1.3**: the typical ratio of network to
  straight-line distance in urban street networks (about 1.2-1.4 in the
  literature).

All three are parameters of :func:`walking_access`.

Bad input never crashes and never gives a silent zero: each case adds a
``(message_key, params)`` pair to :attr:`AccessResult.warnings` (messages in
the text catalogue, rendered with :func:`sxgeo.text.t`) and, for
points, a ``flag``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo.analysis.costs import TravelCost
from sxgeo.analysis.network import (
    FLAG_NO_GEOMETRY,
    FLAG_SMALL_COMPONENT,
    FLAG_SNAP_TOO_FAR,
    covered_area,
)
from sxgeo.layers.geometry import valid_geometry
from sxgeo.layers.network import WalkNetwork
from sxgeo.settings import (
    DETOUR_FACTOR,
    LONLAT_CRS,
    MAX_SNAP_M,
    METRIC_CRS,
    MIN_COMPONENT_NODES,
    WALK_MINUTES,
    WALK_SPEED_KMH,
)
from sxgeo.text import t

__all__ = [
    "FLAG_NO_POPULATION",
    "FLAG_UNREACHABLE",
    "LEVELS",
    "AccessResult",
    "coverage_by_area",
    "gap_list",
    "network_coverage",
    "off_network",
    "walking_access",
]

#: Point flags added by this module (besides :func:`sxgeo.analysis.network.snap`'s).
FLAG_NO_POPULATION = "no_population"
FLAG_UNREACHABLE = "unreachable"

#: ``coverage_by_area`` level -> grouping columns (code columns first).
LEVELS: dict[str, tuple[str, ...]] = {
    "township": ("township_code", "township_name", "county_code", "county_name"),
    "county": ("county_code", "county_name", "city_code", "city_name"),
    "city": ("city_code", "city_name"),
    "province": (),
}

#: Columns this module adds to the demand points.
RESULT_COLUMNS = (
    "minutes",
    "distance_m",
    "covered",
    "nearest_facility_id",
    "nearest_facility_name",
    "mode",
    "snap_m",
    "flag",
)


@dataclass
class AccessResult:
    """Outcome of :func:`walking_access`.

    Attributes
    ----------
    points
        The demand layer with all its input columns plus ``minutes`` (walking
        time to the nearest facility; inf if none can be reached, NaN if it
        cannot be computed), ``distance_m``, ``covered`` (bool),
        ``nearest_facility_id``, ``nearest_facility_name``,
        ``nearest_facility_county`` (the facility's county: cross-border
        when it differs from the point's), ``mode``,
        ``snap_m`` (metres from the point to its street node; NaN in distance
        mode) and ``flag`` (None or ``;``-joined flags: ``snap_too_far``,
        ``small_component``, ``no_geometry``, ``unreachable``,
        ``no_population``).
    mode
        ``"network"`` or ``"distance"``.
    params
        The parameters used (speed, threshold, threshold in metres, ...).
    warnings
        ``(message_key, params)`` pairs; render with :meth:`messages`.
    covered_area
        Area within the threshold, for the map (EPSG:4326), or None when
        there is nothing to draw.
    facilities
        Per facility: ``id``, ``county_code``, ``city_code``,
        ``township_code`` and ``off_network`` (beyond the network's snap limit).
    """

    points: gpd.GeoDataFrame
    mode: str
    params: dict[str, Any]
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    covered_area: gpd.GeoDataFrame | None = None
    facilities: pd.DataFrame | None = None

    def messages(self, lang: str = "zh") -> list[str]:
        """The warnings as text in ``lang`` (``zh`` or ``en``)."""
        return [t(key, lang, **params) for key, params in self.warnings]

    @property
    def warning_keys(self) -> list[str]:
        """Just the message keys of :attr:`warnings`."""
        return [key for key, _ in self.warnings]


def _population(points: pd.DataFrame) -> pd.Series:
    """Population as float with NaN for missing (all NaN without the column)."""
    if "population" not in points.columns:
        return pd.Series(np.nan, index=points.index, dtype=float)
    return pd.to_numeric(points["population"], errors="coerce").astype(float)


def _add_flag(flags: np.ndarray, mask: np.ndarray, flag: str) -> None:
    """Append ``flag`` to ``flags`` where ``mask`` (``;``-joined)."""
    for i in np.flatnonzero(mask):
        flags[i] = flag if flags[i] is None else f"{flags[i]};{flag}"


def _column(layer: pd.DataFrame, name: str) -> np.ndarray:
    if name in layer.columns:
        return layer[name].to_numpy(dtype=object)
    return layer.index.to_numpy(dtype=object) if name == "id" else np.full(len(layer), None, dtype=object)


def walking_access(
    demand: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    network: WalkNetwork | None = None,
    speed_kmh: float = WALK_SPEED_KMH,
    threshold_min: float = WALK_MINUTES,
    detour_factor: float = DETOUR_FACTOR,
    max_snap_m: float = MAX_SNAP_M,
    min_component_nodes: int = MIN_COMPONENT_NODES,
    with_area: bool = True,
    same_county: bool = False,
) -> AccessResult:
    """Travel time from every demand point to its nearest facility.

    Network mode (``network`` given): both layers are snapped to their
    nearest street node and one multi-source shortest-path pass gives every
    node its nearest facility; on a walk network minutes = (facility snap +
    network distance + demand snap) / speed, on a drive network the fastest
    path at each road's speed plus the walked legs to and from the street.
    Distance mode (no network): straight-line distance in EPSG:32649
    (UTM 49N) x ``detour_factor`` / speed.

    Parameters
    ----------
    demand
        Residential points (``population`` may be missing).
    facilities
        Facility points (``id``, ``name`` and ``county_code`` are reported
        when present).
    network
        Street network (:func:`sxgeo.io.osm.read_osm`, walk or drive); None
        for distance mode.
    speed_kmh
        Travel speed (walking; or driving in distance mode); default 4.0 km/h.
    threshold_min
        Covered if the trip takes at most this many minutes; default 15
        (1,000 m at 4 km/h, GB 50180-2018's 15-minute life circle).
    detour_factor
        Distance mode only: network / straight-line distance; default 1.3.
    max_snap_m
        Network mode: points farther from every street node are off the
        network (facilities are left out, demand points are not covered).
    min_component_nodes
        Network mode: street fragments with fewer nodes are "small
        components" (flagged).
    with_area
        Compute :attr:`AccessResult.covered_area` for the map (the slowest
        step on very large networks; False leaves it None).
    same_county
        Only a facility of the point's own county counts (no cross-border
        access); default False: the nearest facility wherever it is.

    Returns
    -------
    AccessResult
    """
    if not (speed_kmh > 0 and threshold_min >= 0 and detour_factor >= 1 and max_snap_m >= 0):
        raise ValueError("need speed_kmh > 0, threshold_min >= 0, detour_factor >= 1 and max_snap_m >= 0")
    cost = TravelCost(network=network, speed_kmh=speed_kmh, detour_factor=detour_factor, max_snap_m=max_snap_m,
                      min_component_nodes=min_component_nodes)
    params: dict[str, Any] = {
        "speed_kmh": speed_kmh,
        "threshold_min": threshold_min,
        "threshold_m": threshold_min * cost.metres_per_min,
        "max_snap_m": max_snap_m,
        "cross_border": not same_county,
    }
    params.update({k: v for k, v in cost.params().items() if k not in params})
    state = _State(demand.copy(), facilities)
    if len(state.points) == 0:
        state.warnings.append(("access_empty_demand", {}))
    elif not state.fac_ok.any():
        state.minutes[state.valid] = np.inf
        state.distance_m[state.valid] = np.inf
        state.warnings.append(("access_empty_facilities", {"count": len(state.points)}))
    else:
        _nearest(state, cost, same_county)
        if network is not None:
            _network_warnings(network, state, max_snap_m, min_component_nodes)
        if with_area:
            state.area = _covered_area(cost, state.near_all, threshold_min)
    return state.result(cost, threshold_min, params)


@dataclass
class _State:
    """What :func:`walking_access` builds up for one demand layer."""

    points: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    area: gpd.GeoDataFrame | None = None
    near_all: Any = None

    def __post_init__(self) -> None:
        n = len(self.points)
        self.minutes = np.full(n, np.nan)
        self.distance_m = np.full(n, np.nan)
        self.snap_m = np.full(n, np.nan)
        self.nearest = np.full(n, -1, dtype=np.int64)
        self.flags = np.full(n, None, dtype=object)
        self.demand_flags = np.full(n, None, dtype=object)
        self.facility_flags = np.full(len(self.facilities), None, dtype=object)
        self.valid = valid_geometry(self.points) if n else np.zeros(0, dtype=bool)
        if n and not self.valid.all():
            self.flags[~self.valid] = FLAG_NO_GEOMETRY
            self.warnings.append(("access_demand_no_geometry", {"count": int((~self.valid).sum())}))
        nf = len(self.facilities)
        self.fac_ok = valid_geometry(self.facilities) if nf else np.zeros(0, dtype=bool)
        if nf and not self.fac_ok.all():
            self.warnings.append(("access_facilities_no_geometry", {"count": int((~self.fac_ok).sum())}))

    def result(self, cost: TravelCost, threshold_min: float, params: dict[str, Any]) -> AccessResult:
        """The finished :class:`AccessResult`."""
        points = self.points
        population = _population(points)
        no_pop = population.isna().to_numpy()
        if no_pop.any():
            _add_flag(self.flags, no_pop, FLAG_NO_POPULATION)
            self.warnings.append(("access_no_population", {"count": int(no_pop.sum())}))
        has = self.nearest >= 0
        points["minutes"] = self.minutes
        points["distance_m"] = self.distance_m
        with np.errstate(invalid="ignore"):
            if cost.drive:
                covered = self.minutes <= threshold_min + 1e-9
            else:
                covered = self.distance_m <= threshold_min * cost.metres_per_min + 1e-9
        points["covered"] = np.asarray(covered, dtype=bool)
        for column, source in (("nearest_facility_id", "id"), ("nearest_facility_name", "name"),
                               ("nearest_facility_county", "county_code")):
            values = _column(self.facilities, source)
            picked = np.where(has, values[np.maximum(self.nearest, 0)] if len(values) else None, None)
            points[column] = pd.Series(picked, index=points.index, dtype=object)  # None where no facility
        points["mode"] = cost.mode
        points["snap_m"] = self.snap_m
        points["flag"] = pd.Series(self.flags, index=points.index, dtype=object)
        facilities = _facility_table(self.facilities, self.fac_ok, self.facility_flags)
        return AccessResult(points=points, mode=cost.mode, params=params, warnings=self.warnings,
                            covered_area=self.area, facilities=facilities)


def _nearest(state: _State, cost: TravelCost, same_county: bool) -> None:
    """Fill the nearest facility of every point: over all facilities, or per county."""
    points, facilities = state.points, state.facilities
    if not same_county:
        groups = [(np.ones(len(points), dtype=bool), np.ones(len(facilities), dtype=bool))]
    else:
        pc, fc = _column(points, "county_code"), _column(facilities, "county_code")
        groups = [(pc == code, fc == code) for code in pd.unique(pc)]
    for dem_mask, fac_mask in groups:
        # each group's own rows only: every point and facility is snapped once, whatever the grouping
        dem, fac = np.flatnonzero(dem_mask & state.valid), np.flatnonzero(fac_mask)
        if len(dem) == 0:
            continue
        if not state.fac_ok[fac].any():
            state.minutes[dem] = state.distance_m[dem] = np.inf
            continue
        near = cost.nearest(points.iloc[dem], facilities.iloc[fac], np.ones(len(dem), dtype=bool), state.fac_ok[fac])
        for name in ("minutes", "distance_m", "snap_m"):
            getattr(state, name)[dem] = getattr(near, name)
        state.nearest[dem] = np.where(near.facility >= 0, fac[np.maximum(near.facility, 0)], -1)
        if near.demand_flags is not None:
            state.demand_flags[dem] = near.demand_flags
            state.facility_flags[fac] = near.facility_flags
        if not same_county:
            state.near_all = near
    if same_county and cost.network is None:
        # the drawn discs do not depend on the county; on a network, per-county catchments are not drawn
        state.near_all = cost.nearest(points, facilities, state.valid, state.fac_ok)


def _facility_table(facilities: gpd.GeoDataFrame, fac_ok: np.ndarray, flags: np.ndarray) -> pd.DataFrame:
    """Per facility: its admin codes and whether it lies beyond the snap limit of the network."""
    table = pd.DataFrame({c: _column(facilities, c) for c in ("id", "county_code", "city_code", "township_code")},
                         index=facilities.index)
    table["off_network"] = fac_ok & (flags == FLAG_SNAP_TOO_FAR)
    return table


def _network_warnings(network: WalkNetwork, state: _State, max_snap_m: float, min_component_nodes: int) -> None:
    """Flag demand points and record warnings for what the street network could not serve."""
    warnings, flags, valid, fac_ok = state.warnings, state.flags, state.valid, state.fac_ok
    if network.significant_components(min_component_nodes) > 1:
        sizes = np.sort(network.component_sizes)[::-1]
        big = sizes[sizes >= max(min_component_nodes, 0.01 * network.n_nodes)]
        warnings.append(
            ("access_network_disconnected", {"components": len(big), "sizes": ", ".join(f"{s:,}" for s in big[:5])})
        )
    fflag = state.facility_flags
    far = fac_ok & (fflag == FLAG_SNAP_TOO_FAR)
    if far.any():
        warnings.append(("access_facilities_off_network", {"count": int(far.sum()), "max_snap_m": max_snap_m}))
    small = fflag == FLAG_SMALL_COMPONENT
    if small.any():
        warnings.append(
            ("access_facilities_small_component", {"count": int(small.sum()), "min_nodes": min_component_nodes})
        )
    dflag = state.demand_flags
    dem_far = valid & (dflag == FLAG_SNAP_TOO_FAR)
    dem_small = valid & (dflag == FLAG_SMALL_COMPONENT)
    _add_flag(flags, dem_far, FLAG_SNAP_TOO_FAR)
    _add_flag(flags, dem_small, FLAG_SMALL_COMPONENT)
    if dem_far.any():
        warnings.append(("access_demand_off_network", {"count": int(dem_far.sum()), "max_snap_m": max_snap_m}))
    if dem_small.any():
        warnings.append(
            ("access_demand_small_component", {"count": int(dem_small.sum()), "min_nodes": min_component_nodes})
        )
    if not (fac_ok & ~far).any():
        warnings.append(("access_no_usable_facilities", {"count": len(flags)}))
        return
    unreachable = valid & ~dem_far & (state.nearest < 0)
    if unreachable.any():
        _add_flag(flags, unreachable, FLAG_UNREACHABLE)
        warnings.append(("access_demand_unreachable", {"count": int(unreachable.sum())}))


def _covered_area(cost: TravelCost, near, threshold_min: float):
    """The area within ``threshold_min`` of a facility: street buffers, or discs in distance mode."""
    if near is None:
        return None
    if cost.network is not None:
        if near.node_cost is None:
            return None
        threshold = threshold_min if cost.drive else threshold_min * cost.metres_per_min
        area = covered_area(cost.network, near.node_cost, threshold, edge_cost=cost.edge_cost())
        return area if len(area) else None
    radius = threshold_min * cost.metres_per_min / cost.detour_factor
    disc = shapely.union_all(shapely.buffer(shapely.points(near.facility_xy), radius, quad_segs=16))
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries([disc], crs=METRIC_CRS).to_crs(LONLAT_CRS).values)


def _points_of(result: AccessResult | pd.DataFrame) -> pd.DataFrame:
    return result.points if isinstance(result, AccessResult) else result


def coverage_by_area(result_points: AccessResult | pd.DataFrame, level: str) -> pd.DataFrame:
    """Population and points covered, per administrative unit.

    Parameters
    ----------
    result_points
        :attr:`AccessResult.points` (or the result itself).
    level
        ``township``, ``county``, ``city`` or ``province``.

    Returns
    -------
    pandas.DataFrame
        One row per unit (the level's code and name columns, see
        :data:`LEVELS`; a single row for ``province``) with ``population``,
        ``covered_population``, ``share`` (covered / population; NaN — "no
        data", never 0 — where the unit has no known population), ``points``,
        ``points_covered`` and ``points_no_population``.  Points without a
        population are counted but left out of the population sums.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    points = _points_of(result_points)
    keys = [c for c in LEVELS[level] if c in points.columns]
    if level != "province" and not keys:
        raise ValueError(f"the points have no {LEVELS[level][0]} column")
    population = _population(points)
    covered = points["covered"].fillna(False).astype(bool) if "covered" in points.columns else False
    frame = pd.DataFrame(
        {
            "population": population.fillna(0.0),
            "covered_population": population.where(covered, 0.0).fillna(0.0),
            "points": 1,
            "points_covered": np.asarray(covered, dtype=np.int64) if len(points) else 0,
            "points_no_population": population.isna().astype(np.int64),
        },
        index=points.index,
    )
    if keys:
        frame[keys] = points[keys].astype(object)
        table = frame.groupby(keys, dropna=False, sort=True).sum().reset_index()
    else:
        table = frame.sum().to_frame().T
        table.insert(0, "province", "山西省")
    for col in ("population", "covered_population", "points", "points_covered", "points_no_population"):
        table[col] = table[col].round().astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = table["covered_population"] / table["population"]
    table["share"] = share.where(table["population"] > 0, np.nan)
    metrics = ["population", "covered_population", "share", "points", "points_covered", "points_no_population"]
    return table[[*(keys or ["province"]), *metrics]]


def off_network(points: pd.DataFrame) -> pd.Series:
    """Which demand points lie beyond the network's snap limit (flag ``snap_too_far``)."""
    return points["flag"].fillna("").astype(str).str.contains(FLAG_SNAP_TOO_FAR, regex=False)


def network_coverage(result: AccessResult, level: str) -> pd.DataFrame:
    """Per unit, how much of it the street network reaches (network mode only).

    Returns one row per unit with ``points_off_network`` (demand points
    beyond the snap limit), ``facilities``, ``facilities_off_network`` and
    ``network_share``: the smaller of the shares of demand points and of
    facilities within the snap limit (1.0 where everything is reached; NaN in
    distance mode or where the unit has neither).
    """
    points = result.points
    keys = [c for c in LEVELS[level] if c in points.columns][:1] if level != "province" else []
    off = off_network(points).astype(np.int64)
    demand = pd.DataFrame({"points": 1, "points_off_network": off.to_numpy()}, index=points.index)
    fac = result.facilities if result.facilities is not None else pd.DataFrame(columns=["off_network", *LEVELS[level]])
    facilities = pd.DataFrame({"facilities": 1, "facilities_off_network": fac["off_network"].astype(np.int64)},
                              index=fac.index)
    if keys:
        demand[keys[0]] = points[keys[0]].astype(object)
        facilities[keys[0]] = fac[keys[0]].astype(object) if keys[0] in fac else None
        table = demand.groupby(keys[0]).sum().join(facilities.groupby(keys[0]).sum(), how="outer").fillna(0)
    else:
        table = pd.DataFrame([{**demand.sum().to_dict(), **facilities.sum().to_dict()}], index=["140000"])
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.fmin(1 - table["points_off_network"] / table["points"],
                         1 - table["facilities_off_network"] / table["facilities"])
    table["network_share"] = shares if result.mode == "network" else np.nan
    return table


def gap_list(result: AccessResult | pd.DataFrame) -> gpd.GeoDataFrame:
    """Uncovered demand points, most populous first.

    Parameters
    ----------
    result
        An :class:`AccessResult` (or its ``points``).

    Returns
    -------
    geopandas.GeoDataFrame
        The uncovered points sorted by population (descending; unknown
        population last), then by minutes (descending), with ``rank`` from
        1 first and then every column of the points: the source layer's
        (id, name, address, population, source, ...) and the access results
        (``minutes``, ``distance_m``, ``nearest_facility_id``, ``flag``, ...).
    """
    points = _points_of(result)
    gaps = points.loc[~points["covered"].fillna(False).astype(bool)].copy()
    gaps["_pop"] = _population(gaps)
    gaps["_min"] = pd.to_numeric(gaps["minutes"], errors="coerce").fillna(np.inf)
    gaps = gaps.sort_values(["_pop", "_min"], ascending=[False, False], na_position="last", kind="stable")
    gaps.insert(0, "rank", np.arange(1, len(gaps) + 1))
    # Every column of the source layer stays, so nothing is lost between the gap list and the data.
    gaps = gaps.drop(columns=["_pop", "_min"]).reset_index(drop=True)
    if isinstance(points, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(gaps, geometry=points.geometry.name, crs=points.crs)
    return gaps  # type: ignore[return-value]
