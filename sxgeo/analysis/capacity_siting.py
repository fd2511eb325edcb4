"""Where to add seats or beds: a p-median of the people still short of service, with 2SFCA and equity before and after.

:func:`capacity_sites` measures today's capacity access
(:func:`sxgeo.analysis.supply.capacity_access`), counts the people each
residential point still lacks at the target (:func:`sxgeo.analysis.pmedian.short_of_service`),
chooses ``k`` new sites of a given capacity that minimise their total travel
time (:func:`sxgeo.analysis.pmedian.solve_pmedian`), and measures again with
the new sites open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.analysis import equity
from sxgeo.analysis.costs import TravelCost
from sxgeo.analysis.pmedian import short_of_service, solve_pmedian
from sxgeo.analysis.scenario import add_planned
from sxgeo.analysis.supply import CAPACITY_KINDS, CapacityResult, capacity_access
from sxgeo.layers.geometry import located
from sxgeo.settings import DETOUR_FACTOR, WALK_SPEED_KMH

__all__ = ["CapacitySiting", "capacity_sites"]

#: At most this many candidate sites go into the model (the p-median grows with demand × candidates).
MAX_CANDIDATES = 150


@dataclass
class CapacitySiting:
    """New sites and the measure before and after them.

    Attributes
    ----------
    sites
        The chosen sites in order: ``order``, ``id``, ``name``, ``county_code``,
        ``township_name``, ``capacity``, ``served`` (people short today that
        the site serves), ``mean_minutes`` (their mean travel time), geometry.
    comparison
        Per county of the scope and for the whole scope (``unit_code``
        ``all``): ``mean_score``, ``share_below``, ``shortfall`` (the sum of
        its townships' shortfalls: a surplus in one does not offset another)
        and ``gini`` before and after.
    short_before, unserved
        People short of the target today, and those the new sites leave unserved.
    """

    kind: str
    sites: gpd.GeoDataFrame
    comparison: pd.DataFrame
    short_before: float
    unserved: float
    before: CapacityResult
    after: CapacityResult
    params: dict[str, Any] = field(default_factory=dict)


def _summary(result: CapacityResult, codes: list[str]) -> pd.DataFrame:
    area = result.by_area("county")
    eq = result.equity("county")
    rows = pd.DataFrame(index=pd.Index(codes, name="unit_code"))
    rows["mean_score"] = area["mean_score"].reindex(codes)
    rows["share_below"] = area["share_below"].reindex(codes)
    tw = result.by_area("township")["shortfall"]  # seats missing where they are needed: townships do not offset
    rows["shortfall"] = tw.groupby(tw.index.str[:6]).sum().reindex(codes).fillna(0.0)
    rows["gini"] = eq["gini"].reindex(codes) if len(eq) else np.nan
    pts = result.points[result.points["county_code"].isin(codes)]
    d = pts["demand"].to_numpy(float)
    whole = {
        "mean_score": float(np.average(pts["score"], weights=d)) if d.sum() > 0 else np.nan,
        "share_below": float(d[pts["below"].to_numpy(bool)].sum() / d.sum()) if d.sum() > 0 else np.nan,
        "shortfall": float(rows["shortfall"].sum()),
        "gini": equity.gini(pts["score"].to_numpy(float), d),
    }
    return pd.concat([rows, pd.DataFrame([whole], index=pd.Index(["all"], name="unit_code"))])


def capacity_sites(
    layers: dict[str, gpd.GeoDataFrame | None],
    kind: str,
    county_codes,
    k: int,
    capacity: float,
    *,
    threshold: float,
    candidates: gpd.GeoDataFrame | None = None,
    network=None,
    speed_kmh: float = WALK_SPEED_KMH,
    detour_factor: float = DETOUR_FACTOR,
    time_limit_s: float | None = None,
    **params: Any,
) -> CapacitySiting:
    """Choose ``k`` new sites of ``capacity`` seats or beds for the people short of ``threshold`` in ``county_codes``.

    Candidates are the user's candidate sites in the counties, else the
    residential points where people are short (the :data:`MAX_CANDIDATES`
    with the most people short).  ``params`` (method, catchment …) and the
    travel settings are those of :func:`capacity_access`.
    """
    codes = sorted(set(county_codes))
    ck = CAPACITY_KINDS[kind]
    measure = {"network": network, "speed_kmh": speed_kmh, "detour_factor": detour_factor, "threshold": threshold, **params}
    before = capacity_access(layers, kind, **measure)
    pts = before.points[before.points["county_code"].isin(codes)]
    short = short_of_service(pts["demand"].to_numpy(float), pts["score"].to_numpy(float), threshold)
    demand = pts[short > 0]
    weights = short[short > 0]
    if candidates is not None:
        cands = located(candidates)
        cands = cands[cands["county_code"].isin(codes)] if "county_code" in cands else cands
    else:
        cands = demand.iloc[np.argsort(-weights, kind="stable")[:MAX_CANDIDATES]]
    cands = cands.reset_index(drop=True)
    travel = TravelCost(network=network, speed_kmh=speed_kmh, detour_factor=detour_factor)
    if len(demand) == 0 or len(cands) == 0:
        chosen, served, minutes, unserved = np.empty(0, dtype=int), np.empty(0), np.empty(0), float(weights.sum())
    else:
        sol = solve_pmedian(travel.matrix(demand, cands), weights, k, capacity=capacity, time_limit_s=time_limit_s)
        chosen, served, unserved = sol.chosen, sol.served, float(sol.unserved.sum())
        cost = travel.matrix(demand, cands.iloc[chosen])
        minutes = np.array([np.average(cost[:, j], weights=sol.allocation[:, j]) if sol.allocation[:, j].sum() > 0
                            else np.nan for j in range(len(chosen))])
    picked = cands.iloc[chosen]
    sites = gpd.GeoDataFrame({
        "order": np.arange(1, len(picked) + 1),
        "id": [f"NEW-{i}" for i in range(1, len(picked) + 1)],
        "name": picked["name"].to_numpy() if "name" in picked else None,
        "county_code": picked["county_code"].to_numpy(),
        "township_code": picked["township_code"].to_numpy() if "township_code" in picked else None,
        "township_name": picked["township_name"].to_numpy() if "township_name" in picked else None,
        "capacity": float(capacity),
        "served": np.asarray(served, dtype=float),
        "mean_minutes": minutes,
    }, geometry=picked.geometry.to_numpy(), crs=picked.crs or "EPSG:4326")
    planned = sites.assign(**{ck.supply: capacity} if ck.supply else {}, located=True)
    after = capacity_access(add_planned(layers, {ck.layer: planned}), kind, **measure)
    comparison = _summary(before, codes).join(_summary(after, codes), lsuffix="_before", rsuffix="_after")
    return CapacitySiting(kind, sites, comparison.reset_index(), float(weights.sum()), unserved, before, after,
                          {"k": k, "capacity": capacity, "candidates": "layer" if candidates is not None else "demand"})
