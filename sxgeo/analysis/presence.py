"""Presence rules: every unit of a level has at least N facilities of a kind, with their gap lists and sites.

A presence rule (``rule = "presence"`` in the targets file, see
:func:`sxgeo.io.targets.load_targets`) reads "every <level> has at least
<min_count> <kind> [with <column> = <value>] [only where the unit has at
least <min_population> residents]".  Facilities count at every level their
row is known at, located or not (a record with a township but no coordinates
still counts for its township).  A unit whose population is under the rule's
minimum is *not applicable*; a rule whose kind has no layer gives *no data*,
never *not met*.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from sxgeo.analysis import indicators as ind
from sxgeo.io.targets import Target
from sxgeo.layers.geometry import located, metric_xy

__all__ = ["matching", "presence_counts", "presence_gaps", "presence_rows", "presence_sites"]

#: Where a proposed site comes from (column ``basis``).
BASIS_CANDIDATE = "candidate"
BASIS_CENTRAL = "central_demand"
BASIS_NONE = "none"

_CODE = {"township": "township_code", "county": "county_code", "city": "city_code"}


def matching(layer: pd.DataFrame | None, tg: Target) -> pd.DataFrame | None:
    """The rows of ``layer`` a presence rule counts (its ``where`` filter applied); None without a layer."""
    if layer is None:
        return None
    mask = pd.Series(True, index=layer.index)
    for column, value in tg.where().items():
        if column not in layer:
            return layer.iloc[0:0]
        col = layer[column]
        mask &= col.fillna(False).astype(bool).eq(value) if isinstance(value, bool) else col.astype(object).eq(value)
    return layer[mask]


def presence_counts(
    tg: Target, layers: dict, counties: pd.DataFrame, townships: pd.DataFrame
) -> pd.DataFrame:
    """Per unit of the rule's level: ``count`` of matching facilities, ``population`` and ``applicable``.

    Indexed by ``unit_code`` with ``unit_name`` (and ``unit_kind`` for
    townships), ``county_code``/``county_name``/``city_code`` where known.
    ``count`` is NaN when the rule's kind has no layer (no data);
    ``applicable`` is False for units under ``min_population`` and NA where
    the population is unknown but a minimum is set.
    """
    level = tg.level
    out = ind.units(level, counties, townships).set_index("unit_code")
    facilities = matching(layers.get(tg.kind), tg)
    key = _CODE[level]
    if facilities is None:
        out["count"] = np.nan
    else:
        codes = facilities[key].dropna() if key in facilities else pd.Series([], dtype=object)
        out["count"] = codes.value_counts().reindex(out.index).fillna(0).astype(float)
    residential = layers.get("residential")
    if residential is not None and key in residential:
        pop = pd.to_numeric(residential["population"], errors="coerce").groupby(residential[key]).sum(min_count=1)
        out["population"] = pop.reindex(out.index).astype(float)
        if len(residential):  # a unit without residential points has none
            out["population"] = out["population"].fillna(0.0)
    else:
        out["population"] = np.nan
    minimum = tg.params.get("min_population")
    if minimum is None:
        out["applicable"] = pd.array([True] * len(out), dtype="boolean")
    else:
        applicable = pd.array(out["population"].to_numpy() >= float(minimum), dtype="boolean")
        applicable[out["population"].isna().to_numpy()] = pd.NA
        out["applicable"] = applicable
    _add_admin(out, level, counties, townships)
    return out


def _add_admin(out: pd.DataFrame, level: str, counties: pd.DataFrame, townships: pd.DataFrame) -> None:
    """County and city codes and names of each unit (in place)."""
    if level == "township":
        tw = townships.set_index("code").reindex(out.index)
        out["county_code"] = tw["county_code"].to_numpy()
        out["county_name"] = tw["county_name"].to_numpy()
        out["city_code"] = tw["city_code"].to_numpy()
    elif level == "county":
        c = counties.set_index("adcode").reindex(out.index)
        out["county_code"] = out.index.to_numpy()
        out["county_name"] = out["unit_name"].to_numpy()
        out["city_code"] = c["city_code"].to_numpy()
    else:
        out["county_code"] = None
        out["county_name"] = None
        out["city_code"] = out.index.to_numpy()
    names = counties.drop_duplicates("city_code").set_index("city_code")["city_name"]
    out["city_name"] = out["city_code"].map(names).to_numpy()


def presence_gaps(counts: pd.DataFrame, tg: Target) -> pd.DataFrame:
    """Units that break a presence rule, most populous first.

    ``needed`` is how many facilities are missing (``min_count - count``);
    units outside the rule's scope, not applicable or without data are not gaps.
    """
    short = counts["count"].notna() & (counts["count"] < tg.threshold) & counts["applicable"].fillna(False).astype(bool)
    if tg.scope and "unit_kind" in counts:
        short &= counts["unit_kind"].isin(tg.scope)  # a 乡/镇 rule never lists a 街道
    gaps = counts[short].copy()
    gaps["needed"] = (tg.threshold - gaps["count"]).astype(int)
    gaps["target_id"] = tg.id
    gaps = gaps.sort_values(["population", "count"], ascending=[False, True], na_position="last")
    return gaps.reset_index()


def presence_sites(
    gaps: pd.DataFrame,
    level: str,
    residential: gpd.GeoDataFrame | None,
    candidates: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """One proposed site per gap unit: where a new facility serves the unit's residents best.

    The site minimises the population-weighted straight-line distance from
    the unit's residential points (the 1-median, by exhaustive search over
    the allowed sites): among the user's candidate sites inside the unit when
    there are any (basis ``candidate``), else among the unit's residential
    points (basis ``central_demand``); ties go to the smaller id.  A unit with
    neither has no site (basis ``none``).

    Returns the gap rows with ``basis``, ``site_id``, ``site_name``,
    ``site_address``, ``mean_distance_m`` (population-weighted mean distance
    from the unit's residents to the site) and the site as geometry (EPSG:4326).
    """
    key = _CODE[level]
    res = located(residential) if residential is not None else None
    res = res[res[key].notna()] if res is not None and key in res else None
    cand = located(candidates) if candidates is not None and len(candidates) and key in candidates else None
    res_xy = metric_xy(res) if res is not None and len(res) else np.empty((0, 2))
    cand_xy = metric_xy(cand) if cand is not None and len(cand) else np.empty((0, 2))
    res_codes = res[key].to_numpy() if res is not None else np.array([], dtype=object)
    cand_codes = cand[key].to_numpy() if cand is not None else np.array([], dtype=object)
    pop = (pd.to_numeric(res["population"], errors="coerce").fillna(0).clip(lower=0).to_numpy(float)
           if res is not None else np.empty(0))
    rows, geoms = [], []
    for _, g in gaps.iterrows():
        r = np.flatnonzero(res_codes == g["unit_code"])
        c = np.flatnonzero(cand_codes == g["unit_code"])
        rec = {**g.to_dict(), "basis": BASIS_NONE, "site_id": None, "site_name": None, "site_address": None,
               "mean_distance_m": np.nan}
        frame, sites, site_xy, basis = (cand, c, cand_xy, BASIS_CANDIDATE) if len(c) else (res, r, res_xy, BASIS_CENTRAL)
        geom = None
        if len(sites):
            w = pop[r] if len(r) and pop[r].sum() > 0 else np.ones(len(r))
            cost = (cdist(res_xy[r], site_xy[sites]) * w[:, None]).sum(axis=0) if len(r) else np.zeros(len(sites))
            ids = frame["id"].astype(str).to_numpy()[sites]
            best = min(range(len(sites)), key=lambda k: (round(float(cost[k]), 6), ids[k]))
            row = frame.iloc[sites[best]]
            rec.update(basis=basis, site_id=ids[best], site_name=row.get("name"), site_address=row.get("address"))
            if len(r):
                rec["mean_distance_m"] = round(float(cost[best] / w.sum()), 1)
            geom = gpd.GeoSeries([row.geometry], crs=frame.crs).to_crs("EPSG:4326").iloc[0]
        rows.append(rec)
        geoms.append(geom)
    columns = [*gaps.columns, "basis", "site_id", "site_name", "site_address", "mean_distance_m"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry=gpd.GeoSeries(geoms, crs="EPSG:4326").values,
                            crs="EPSG:4326")


def presence_rows(tg: Target, counts: pd.DataFrame) -> pd.DataFrame:
    """The rule's rows of the tidy quantity table (``applicable`` kept for :func:`sxgeo.analysis.targets.evaluate`)."""
    rows = ind.tidy(counts, tg.level, tg.quantity, "count", "count", "population", tg.params_key())
    rows["applicable"] = counts["applicable"].to_numpy()
    return rows

