"""Seats, beds and facilities per person within reach: the layers side of the capacity measures.

:func:`capacity_access` turns the loaded layers into the matrix core's inputs
(:mod:`sxgeo.analysis.capacity`): demand (children aged 3–5, residents aged
60+, all residents) at the residential points, supply (seats, beds, one per
fitness facility) at the facilities, and one cost table from the one
travel-cost function.  Its :class:`CapacityResult` gives the score per point,
the population-weighted mean and the share below the threshold per township,
county, city and province, the capacity gap list per township and the equity
figures (:mod:`sxgeo.analysis.equity`).

Scores are in the kind's unit: seats per 1,000 children aged 3–5, beds per
1,000 residents aged 60+, fitness facilities per 10,000 residents.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.analysis import equity
from sxgeo.analysis.capacity import (
    CostTable,
    gaussian_weights,
    gravity,
    power_weights,
    step_weights,
    supply_within_reach,
    two_step,
)
from sxgeo.analysis.costs import TravelCost
from sxgeo.io.population import age_defaults
from sxgeo.layers.geometry import located, metric_xy
from sxgeo.settings import DETOUR_FACTOR, DRIVE_SPEED_KMH, LONLAT_CRS, METRIC_CRS, WALK_SPEED_KMH

__all__ = ["CAPACITY_KINDS", "METHODS", "CapacityKind", "CapacityResult", "capacity_access", "measure_params"]

#: The measures: classic 2SFCA, enhanced 2SFCA (stepwise weights, or a Gaussian decay) and Hansen gravity.
METHODS = ("2sfca", "e2sfca", "gaussian", "gravity")
#: Luo & Qi (2009): weights of the 0–10, 10–20 and 20–30 minute zones of a 30-minute catchment.
LUO_QI_STEPS = ((1 / 3, 1.0), (2 / 3, 0.68), (1.0, 0.22))


@dataclass(frozen=True)
class CapacityKind:
    """What one capacity measure reads: the facility layer and its supply column, the demand column, the unit."""

    name: str
    layer: str
    supply: str | None  # None: each facility counts as one
    demand: str
    per: float


CAPACITY_KINDS: dict[str, CapacityKind] = {
    "kindergartens": CapacityKind("kindergartens", "kindergartens", "places", "pop_3_5", 1000.0),
    "elderly": CapacityKind("elderly", "elderly_care", "beds", "pop_60_plus", 1000.0),
    "fitness": CapacityKind("fitness", "fitness", None, "population", 10000.0),
}

_LEVEL_COLUMN = {"township": "township_code", "county": "county_code", "city": "city_code"}


@dataclass
class CapacityResult:
    """One capacity measure on the layers.

    Attributes
    ----------
    points
        The residential points used: ``id``, ``name``, admin columns,
        ``urban``, ``demand`` (people of the kind's age), ``score`` (supply per
        ``per`` people, the kind's unit), ``supply_in_reach`` (seats, beds or
        facilities within the catchment, unweighted), ``below`` (score under
        the threshold) and the point geometry.
    facilities
        The facilities: ``id``, ``name``, admin columns, ``supply`` (NaN when
        its capacity is unknown), ``ratio`` (supply per ``per`` people of its
        catchment) and ``status`` (``ok``, ``no_demand`` when nobody is within
        reach, ``capacity_unknown``).
    threshold
        The target, in the kind's unit (None: no threshold).
    warnings
        ``(message_key, params)`` pairs.
    """

    kind: CapacityKind
    method: str
    params: dict[str, Any]
    points: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    threshold: float | None = None
    warnings: list[tuple[str, dict]] = field(default_factory=list)

    def at_threshold(self, threshold: float | None) -> CapacityResult:
        """The same scores judged against another threshold (nothing is recomputed but ``below``)."""
        points = self.points.copy()
        points["below"] = (points["score"] < threshold) if threshold is not None else False
        return replace(self, points=points, threshold=threshold)

    def by_area(self, level: str) -> pd.DataFrame:
        """Per unit of ``level`` (``township``, ``county``, ``city``, ``province``).

        ``demand``, ``mean_score`` (population-weighted), ``share_below``
        (of the demand), ``needed`` (supply the threshold asks for), ``reached``
        (supply attributed to the unit's residents: Σ score × demand / per)
        and ``shortfall`` (needed − reached, never negative).
        """
        pts = self.points
        key = pd.Series("140000", index=pts.index) if level == "province" else pts[_LEVEL_COLUMN[level]]
        d = pts["demand"].to_numpy(float)
        frame = pd.DataFrame({
            "unit_code": key.to_numpy(),
            "demand": d,
            "weighted": d * pts["score"].to_numpy(float),
            "below_demand": np.where(pts["below"].fillna(False).to_numpy(bool), d, 0.0),
        }).dropna(subset=["unit_code"])
        g = frame.groupby("unit_code").sum()
        out = pd.DataFrame(index=g.index)
        out["demand"] = g["demand"]
        out["mean_score"] = (g["weighted"] / g["demand"]).where(g["demand"] > 0)
        out["share_below"] = (g["below_demand"] / g["demand"]).where(g["demand"] > 0) if self.threshold is not None else np.nan
        out["reached"] = g["weighted"] / self.kind.per
        if self.threshold is not None:
            out["needed"] = g["demand"] * self.threshold / self.kind.per
            out["shortfall"] = (out["needed"] - out["reached"]).clip(lower=0)
        else:
            out["needed"] = out["shortfall"] = np.nan
        return out

    def gap_list(self) -> pd.DataFrame:
        """Townships short of the threshold: supply missing for the demand within reach, largest shortfall first.

        Geometry: the demand-weighted centre of the township's residential points.
        """
        tw = self.by_area("township")
        if self.threshold is None:
            tw = tw.iloc[0:0]
        tw = tw[tw["shortfall"] > 0].copy()
        names = self.points.drop_duplicates("township_code").set_index("township_code")
        for col in ("township_name", "county_code", "county_name"):
            tw[col] = tw.index.map(names[col]) if col in names else None
        tw = tw.reset_index().rename(columns={"unit_code": "township_code"})
        tw = tw.sort_values(["shortfall", "township_code"], ascending=[False, True], kind="stable")
        tw.insert(0, "rank", np.arange(1, len(tw) + 1))
        tw = tw.reset_index(drop=True)
        return gpd.GeoDataFrame(tw, geometry=self._centres(tw["township_code"]), crs=LONLAT_CRS)

    def _centres(self, codes: pd.Series) -> np.ndarray:
        """The demand-weighted centre of each township's residential points (None for a township without any)."""
        pts = self.points
        xy = metric_xy(pts)
        w = pts["demand"].to_numpy(float) + 1e-9
        frame = pd.DataFrame({"code": pts["township_code"].to_numpy(), "x": xy[:, 0] * w, "y": xy[:, 1] * w, "w": w})
        g = frame.dropna().groupby("code")[["x", "y", "w"]].sum()
        centre = gpd.GeoSeries(gpd.points_from_xy(g["x"] / g["w"], g["y"] / g["w"]), index=g.index, crs=METRIC_CRS)
        return centre.to_crs(LONLAT_CRS).reindex(codes.to_numpy()).to_numpy()

    def equity(self, level: str = "county") -> pd.DataFrame:
        """Equity of the score across residents, per unit of ``level``.

        Gini, coefficient of variation and Palma ratio across residents
        (population-weighted), and across the unit's townships
        (``gini_townships`` …: township mean scores weighted by demand);
        the Theil T index with its urban/rural split (``theil_between_share``);
        the FGT measures against the threshold (``fgt0``: share of residents
        below, ``fgt1``: mean relative depth, ``fgt2``: severity); urban and
        rural mean scores and their ratio.
        """
        pts = self.points
        key = pd.Series("140000", index=pts.index) if level == "province" else pts[_LEVEL_COLUMN[level]]
        townships = self.by_area("township")
        tw_unit = townships.index.str[:6] if level == "county" else (
            townships.index.str[:4] + "00" if level == "city" else pd.Index(["140000"] * len(townships)))
        rows = []
        for code, idx in pts.groupby(key.to_numpy()).groups.items():
            p = pts.loc[idx]
            tw = townships[np.asarray(tw_unit == code)]
            rows.append({"unit_code": code, **_equity_row(p["score"].to_numpy(float), p["demand"].to_numpy(float),
                                                         p["urban"].to_numpy(bool), self.threshold),
                         # across the unit's townships: their mean scores, weighted by their demand
                         "gini_townships": equity.gini(tw["mean_score"], tw["demand"]),
                         "cv_townships": equity.coefficient_of_variation(tw["mean_score"], tw["demand"]),
                         "palma_townships": equity.palma(tw["mean_score"], tw["demand"])})
        return pd.DataFrame(rows).set_index("unit_code") if rows else pd.DataFrame()

    def bottom_townships(self, share: float = 0.1, county_codes=None) -> pd.DataFrame:
        """The worst-served townships (lowest mean score): the bottom ``share`` of those with demand (in ``county_codes``)."""
        tw = self.by_area("township")
        tw = tw[tw["demand"] > 0]
        if county_codes is not None:
            tw = tw[tw.index.str[:6].isin(set(county_codes))]
        tw = tw.sort_values(["mean_score"], kind="stable")
        tw = tw.head(max(1, int(np.ceil(len(tw) * share)))) if len(tw) else tw
        names = self.points.drop_duplicates("township_code").set_index("township_code")
        for col in ("township_name", "county_name"):
            if col in names:
                tw.insert(0, col, tw.index.map(names[col]))
        return tw


def _equity_row(score: np.ndarray, demand: np.ndarray, urban: np.ndarray, threshold: float | None) -> dict:
    th = equity.theil(score, demand, np.where(urban, "urban", "rural"))
    urban_mean = _mean(score[urban], demand[urban])
    rural_mean = _mean(score[~urban], demand[~urban])
    row = {
        "demand": float(np.nansum(demand)),
        "mean_score": _mean(score, demand),
        "gini": equity.gini(score, demand),
        "cv": equity.coefficient_of_variation(score, demand),
        "palma": equity.palma(score, demand),
        "theil": th.total,
        "theil_between": th.between,
        "theil_between_share": th.between_share,
        "urban_mean": urban_mean,
        "rural_mean": rural_mean,
        "urban_rural_ratio": urban_mean / rural_mean if rural_mean and np.isfinite(rural_mean) else np.nan,
    }
    row.update(equity.fgt(score, demand, threshold) if threshold else {"fgt0": np.nan, "fgt1": np.nan, "fgt2": np.nan})
    return row


def _mean(score: np.ndarray, demand: np.ndarray) -> float:
    ok = np.isfinite(score) & (demand > 0)
    return float(np.average(score[ok], weights=demand[ok])) if ok.any() else float("nan")


def _weights(method: str, catchment: float, params: dict):
    """The weight function of a method (None: 1 inside the catchment)."""
    if method == "2sfca":
        return None
    if method == "e2sfca":
        steps = params.get("steps") or {catchment * f: w for f, w in LUO_QI_STEPS}
        return step_weights({float(k): float(v) for k, v in dict(steps).items()})
    if method == "gaussian":
        return gaussian_weights(float(params.get("sigma", catchment / 2)))
    if method == "gravity":
        return power_weights(float(params.get("beta", 1.0)), float(params.get("min_cost", 1.0)))
    raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")


def _demand(residential: gpd.GeoDataFrame, column: str, warnings: list) -> np.ndarray:
    """People of the kind's age at each point; a missing age column falls back to the default share, with a note."""
    pop = _numbers(residential, "population")
    if column == "population":
        return np.nan_to_num(pop)
    share = age_defaults()[column]
    ages = _numbers(residential, column)
    missing = np.isnan(ages) & ~np.isnan(pop)
    if missing.all() and len(ages):
        warnings.append(("cap_age_default", {"column": column, "share": f"{share:.1%}"}))
    elif missing.any():  # some points lack the age count: those use the default share, never 0
        warnings.append(("cap_age_default_rows", {"column": column, "share": f"{share:.1%}", "n": int(missing.sum())}))
    return np.nan_to_num(np.where(missing, pop * share, ages))


def _numbers(layer: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as floats (NaN where empty, all NaN when the layer lacks it)."""
    if column not in layer:
        return np.full(len(layer), np.nan)
    return pd.to_numeric(layer[column], errors="coerce").to_numpy(float)


def _urban(residential: pd.DataFrame) -> np.ndarray:
    """Urban residents: the layer's 城乡 column, else living in a 街道."""
    if "urban" in residential and residential["urban"].notna().any():
        return residential["urban"].fillna(False).astype(bool).to_numpy()
    return residential.get("township_kind", pd.Series("", index=residential.index)).eq("街道").to_numpy()


def measure_params(params: dict, *, networks=None, default_mode: str = "walk") -> dict[str, Any]:
    """:func:`capacity_access` keywords from a target's ``params``: the network of its mode, its speed, its method.

    ``networks`` is a street network, one per travel mode (``{"walk": ...}``)
    or None (distance mode); ``mode`` defaults to ``default_mode`` and the
    speed to that mode's default.
    """
    p = {k: v for k, v in params.items() if k not in ("kind", "site_capacity")}  # siting, not measuring
    mode = str(p.pop("mode", default_mode))
    speed = float(p.pop("speed_kmh", WALK_SPEED_KMH if mode == "walk" else DRIVE_SPEED_KMH))
    if networks is not None and not isinstance(networks, dict):
        networks = {networks.mode: networks}
    return {"network": (networks or {}).get(mode), "speed_kmh": speed, **p}


def capacity_access(
    layers: dict[str, gpd.GeoDataFrame | None],
    kind: str,
    *,
    method: str = "2sfca",
    catchment_min: float = 15.0,
    threshold: float | None = None,
    network=None,
    speed_kmh: float = WALK_SPEED_KMH,
    detour_factor: float = DETOUR_FACTOR,
    **params: Any,
) -> CapacityResult:
    """Supply per person within reach for one kind (``kindergartens``, ``elderly``, ``fitness``).

    Parameters
    ----------
    layers
        Loaded layers by kind; needs ``residential`` and the kind's facilities.
        Rows not on the map (``located`` False) take no part.
    method
        ``2sfca``, ``e2sfca`` (stepwise weights, ``steps`` = {minutes: weight},
        default Luo & Qi's thirds of the catchment), ``gaussian`` (``sigma``,
        default half the catchment) or ``gravity`` (Hansen; ``beta``,
        ``min_cost``).
    catchment_min
        Catchment in minutes; a pair at exactly this cost is inside.
    threshold
        The target in the kind's unit (seats per 1,000 children …), for the
        share below, the shortfall and the FGT measures.
    network, speed_kmh, detour_factor
        The travel cost (:class:`sxgeo.analysis.costs.TravelCost`); the speed
        is the kind's own (elderly care can walk slower).
    """
    ck = CAPACITY_KINDS[kind]
    warnings: list[tuple[str, dict]] = []
    res = located(layers.get("residential"))
    fac = located(layers.get(ck.layer))
    if res is None or fac is None:
        raise ValueError(f"capacity access for {kind} needs the residential and {ck.layer} layers")
    res, fac = res.reset_index(drop=True), fac.reset_index(drop=True)
    demand = _demand(res, ck.demand, warnings)
    supply = np.ones(len(fac)) if ck.supply is None else _numbers(fac, ck.supply)
    unknown = np.isnan(supply)
    if unknown.any():
        warnings.append(("cap_unknown_capacity", {"n": int(unknown.sum()), "column": ck.supply}))
    travel = TravelCost(network=network, speed_kmh=speed_kmh, detour_factor=detour_factor)
    table = CostTable.from_layers(res, fac, travel, catchment_min)
    w = _weights(method, catchment_min, params)
    s = np.where(unknown, 0.0, supply)
    if method == "gravity":
        score, ratio = gravity(table, s, w), np.full(len(fac), np.nan)
    else:
        score, ratio = two_step(table, demand, s, w)
    in_reach = supply_within_reach(table, s)
    keep = [c for c in ("id", "name", "county_code", "county_name", "city_code", "township_code", "township_name") if c in res]
    points = gpd.GeoDataFrame(res[keep].copy(), geometry=res.geometry.to_numpy(), crs=res.crs)
    points["urban"] = _urban(res)
    points["demand"] = demand
    points["score"] = score * ck.per
    points["supply_in_reach"] = in_reach
    points["below"] = (points["score"] < threshold) if threshold is not None else False
    reached = (table.weighted().T @ demand) > 0  # some demand within the facility's catchment
    fkeep = [c for c in ("id", "name", "county_code", "county_name", "township_code", "township_name") if c in fac]
    facilities = gpd.GeoDataFrame(fac[fkeep].copy(), geometry=fac.geometry.to_numpy(), crs=fac.crs)
    facilities["supply"] = supply
    facilities["ratio"] = ratio * ck.per
    facilities["capacity_status"] = np.where(unknown, "capacity_unknown", np.where(reached, "ok", "no_demand"))
    if (~reached & ~unknown).any():
        warnings.append(("cap_no_demand", {"n": int((~reached & ~unknown).sum())}))
    used = {"method": method, "catchment_min": catchment_min, "speed_kmh": speed_kmh, "mode": travel.mode, **params}
    return CapacityResult(ck, method, used, points, facilities, threshold, warnings)
