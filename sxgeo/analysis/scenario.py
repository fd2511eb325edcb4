"""Scenarios: add planned facilities and compare every target before and after.

Planned facilities come from a file or a layer (loaded with
:func:`sxgeo.io.load_layer`, so they are validated like any input) or from a
list of records, for example sites clicked on the map.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from sxgeo.analysis.run import Analysis, analyse
from sxgeo.analysis.supply import CAPACITY_KINDS, capacity_access
from sxgeo.io import LoadResult, load_layer

__all__ = ["planned_from_records", "add_planned", "compare", "run_scenario", "shortfall_closed"]

_KEY = ["level", "unit_code", "target_id", "period"]


def planned_from_records(records: list[dict] | pd.DataFrame, kind: str, **load_kwargs) -> LoadResult:
    """Validate planned facilities given as records (Chinese or English keys, as in files).

    Returns a :class:`~sxgeo.io.LoadResult`; invalid records are in ``rejected``.
    """
    frame = pd.DataFrame(records)
    return load_layer(frame, kind, display_name=load_kwargs.pop("display_name", "planned"), **load_kwargs)


def add_planned(
    layers: dict[str, gpd.GeoDataFrame | None], planned: dict[str, gpd.GeoDataFrame]
) -> dict[str, gpd.GeoDataFrame | None]:
    """Layers with the planned facilities appended (column ``planned`` marks them).

    Planned ids that clash with existing ids get a ``P-`` prefix so that every
    facility stays identifiable.
    """
    out = dict(layers)
    for kind, extra in planned.items():
        if extra is None or len(extra) == 0:
            continue
        extra = extra.copy()
        extra["planned"] = True
        base = layers.get(kind)
        if base is None:
            out[kind] = extra
            continue
        base = base.copy()
        base["planned"] = False
        clash = extra["id"].isin(set(base["id"]))
        extra.loc[clash, "id"] = "P-" + extra.loc[clash, "id"].astype(str)
        out[kind] = gpd.GeoDataFrame(pd.concat([base, extra], ignore_index=True), crs=base.crs)
    return out


def compare(before: Analysis, after: Analysis) -> pd.DataFrame:
    """Before, after and change for every unit × target.

    Returns one row per ``level, unit_code, target_id, period`` with
    ``value_before``, ``value_after``, ``change``, ``status_before``,
    ``status_after`` and ``improved`` / ``worsened`` (status changes).
    """
    cols = [*_KEY, "unit_name", "target_zh", "target_en", "threshold", "comparator", "unit", "value", "status"]
    b = before.evaluation[cols].copy()
    a = after.evaluation[[*_KEY, "value", "status"]].copy()
    for f in (a, b):
        f["period"] = f["period"].astype(object).where(f["period"].notna(), -1)
    merged = b.merge(a, on=_KEY, how="outer", suffixes=("_before", "_after"))
    merged["period"] = merged["period"].where(merged["period"] != -1, None)
    merged["change"] = merged["value_after"] - merged["value_before"]
    merged["improved"] = (merged["status_before"] != "met") & (merged["status_after"] == "met")
    merged["worsened"] = (merged["status_before"] == "met") & (merged["status_after"] != "met")
    return merged


def run_scenario(
    layers: dict[str, gpd.GeoDataFrame | None], planned: dict[str, gpd.GeoDataFrame], **analyse_kwargs
) -> tuple[Analysis, Analysis, pd.DataFrame]:
    """Analyse without and with the planned facilities; return both and the comparison."""
    before = analyse(layers, **analyse_kwargs)
    after = analyse(add_planned(layers, planned), **analyse_kwargs)
    return before, after, compare(before, after)


def shortfall_closed(
    layers: dict[str, gpd.GeoDataFrame | None], planned: gpd.GeoDataFrame, kind: str, threshold: float, **params
) -> pd.DataFrame:
    """How much of the capacity shortfall each planned site closes, alone and all together.

    ``planned`` are facilities of the capacity ``kind``'s layer (with their
    seats or beds).  The shortfall is the sum over townships of the supply
    missing for the threshold (:meth:`CapacityResult.by_area`).  One row per
    planned site (``id``, ``name``, ``supply``, ``closed``: the shortfall
    without it minus with it alone, ``share_closed`` of today's total) and a
    last row ``id`` None for all sites together.
    """
    layer = CAPACITY_KINDS[kind].layer

    def total(extra: gpd.GeoDataFrame | None) -> float:
        with_sites = add_planned(layers, {layer: extra}) if extra is not None else layers
        result = capacity_access(with_sites, kind, threshold=threshold, **params)
        return float(result.by_area("township")["shortfall"].sum())

    today = total(None)
    supply_col = CAPACITY_KINDS[kind].supply
    rows = []
    for i in range(len(planned)):
        site = planned.iloc[[i]]
        rows.append({
            "id": site["id"].iat[0], "name": site["name"].iat[0] if "name" in site else None,
            "supply": float(site[supply_col].iat[0]) if supply_col and supply_col in site else 1.0,
            "closed": today - total(site),
        })
    supply_all = sum(r["supply"] for r in rows)
    rows.append({"id": None, "name": None, "supply": supply_all, "closed": today - total(planned)})
    out = pd.DataFrame(rows)
    out["id"] = pd.Series([r["id"] for r in rows], dtype=object)
    out["share_closed"] = out["closed"] / today if today > 0 else float("nan")
    out.attrs["shortfall_before"] = today
    return out
