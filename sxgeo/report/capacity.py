"""Capacity outputs (``sxgeo access``): scores per point, township gap list and county equity, as files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from sxgeo.analysis.inputs import Inputs
from sxgeo.analysis.run import CAPACITY_QUANTITIES
from sxgeo.analysis.supply import CAPACITY_KINDS, CapacityResult, capacity_access, measure_params
from sxgeo.errors import InputError
from sxgeo.layers.geometry import inside
from sxgeo.layers.scope import Scope
from sxgeo.outputs.tables import localise, to_xlsx_bytes, write_table
from sxgeo.text import t

__all__ = ["ACCESS_LAYERS", "capacity_params", "export_access", "run_access", "run_capacity_sites", "write_capacity_sites"]

#: Layer kinds each capacity measure needs.
ACCESS_LAYERS = {kind: ("residential", ck.layer) for kind, ck in CAPACITY_KINDS.items()}


def capacity_params(inputs: Inputs, kind: str, overrides: dict) -> tuple[dict, float | None]:
    """The measure's parameters and threshold: the targets file's entry for ``kind``, then the given overrides."""
    params: dict = {}
    threshold = None
    for tg in inputs.targets:
        if CAPACITY_QUANTITIES.get(tg.quantity) == kind:
            params, threshold = dict(tg.params), float(tg.threshold)
            break
    given = {k: v for k, v in overrides.items() if v is not None}
    threshold = given.pop("threshold", threshold)
    params.update(given)
    return params, threshold


def run_access(inputs: Inputs, kind: str, overrides: dict | None = None) -> CapacityResult:
    """The capacity measure of ``kind`` on the inputs.

    Only facilities inside the inputs' area (the scope grown by the
    cross-border margin) serve, as in every travel analysis; every resident
    takes part, so a facility's load counts its neighbours' residents too.
    """
    params, threshold = capacity_params(inputs, kind, overrides or {})
    ck = CAPACITY_KINDS[kind]
    layers = dict(inputs.layers)
    layers[ck.layer] = inside(layers.get(ck.layer), inputs.area)
    kwargs = measure_params(params, networks=inputs.networks, default_mode=inputs.mode)
    return capacity_access(layers, kind, detour_factor=inputs.detour_factor, threshold=threshold, **kwargs)


def _tables(result: CapacityResult, scope: Scope, lang: str) -> dict[str, pd.DataFrame]:
    """The sheets of the workbook, in order: gap list, townships, counties with equity, points, facilities."""
    county = result.by_area("county").join(result.equity("county").drop(columns=["demand", "mean_score"]), how="left")
    county = county[county.index.isin(scope.county_codes)]
    townships = result.by_area("township").reset_index().rename(columns={"unit_code": "township_code"})
    townships = townships[townships["township_code"].astype(str).str[:6].isin(scope.county_codes)]
    return {
        t("report.sheet_capacity_gaps", lang): scope.rows(result.gap_list()),
        t("report.sheet_capacity_townships", lang): townships,
        t("report.sheet_capacity_counties", lang): county.reset_index().rename(columns={"unit_code": "county_code"}),
        t("report.sheet_capacity_points", lang): pd.DataFrame(scope.rows(result.points.drop(columns="geometry"))),
        t("report.sheet_capacity_facilities", lang): pd.DataFrame(scope.rows(result.facilities.drop(columns="geometry"))),
    }


def export_access(result: CapacityResult, scope: Scope, path: str | Path, *, lang: str = "zh") -> tuple[Path, int]:
    """Write the measure to ``path``: XLSX (every table), CSV (the township gap list) or GPKG (gap list and scored points).

    Returns the path and the number of township gap rows.
    """
    path = Path(path)
    gaps = scope.rows(result.gap_list())
    try:
        if path.suffix.lower() == ".xlsx":
            tables = {k: localise(v.round(4), lang) for k, v in _tables(result, scope, lang).items()}
            path.write_bytes(to_xlsx_bytes(tables, lang))
        elif path.suffix.lower() == ".gpkg":  # two layers: the township gap list and the scored points
            write_table(gaps, path, layer="capacity_gaps", lang=lang)
            points = gpd.GeoDataFrame(scope.rows(result.points), geometry="geometry", crs=result.points.crs)
            write_table(points, path, layer="capacity_points", lang=lang)
        else:
            write_table(localise(gaps.round(4), lang), path, layer="capacity_gaps", lang=lang)
    except OSError as exc:
        raise InputError("report.err_output_file", path=str(path), problem=exc.strerror or type(exc).__name__) from None
    return path, len(gaps)


#: ``sxgeo site --kind`` -> the capacity kind a p-median siting adds seats or beds to.
SITE_CAPACITY_KINDS = {"kindergarten": "kindergartens", "elderly": "elderly"}


def run_capacity_sites(inputs: Inputs, site_kind: str, scope: Scope, k: int, *, capacity: float | None = None,
                       candidates=None, time_limit_s: float | None = None):
    """``sxgeo site --method pmedian``: ``k`` new sites of ``capacity`` (default: the targets file's ``site_capacity``)."""
    from sxgeo.analysis.capacity_siting import capacity_sites

    kind = SITE_CAPACITY_KINDS.get(site_kind)
    if kind is None:
        raise InputError("report.err_pmedian_kind", kind=site_kind)
    params, threshold = capacity_params(inputs, kind, {})
    capacity = capacity if capacity is not None else params.get("site_capacity")
    if capacity is None or threshold is None:
        raise InputError("report.err_pmedian_capacity")
    layers = dict(inputs.layers)
    kwargs = measure_params(params, networks=inputs.networks, default_mode=inputs.mode)
    return capacity_sites(layers, kind, scope.county_codes, k, float(capacity), threshold=threshold,
                          candidates=candidates, detour_factor=inputs.detour_factor, time_limit_s=time_limit_s, **kwargs)


def write_capacity_sites(result, out_dir: str | Path, *, lang: str = "zh") -> list[Path]:
    """The proposal as files: ``capacity_sites.xlsx`` (sites, before and after) and ``capacity_sites.gpkg``."""
    out = Path(out_dir)
    sites = pd.DataFrame(result.sites.drop(columns="geometry")).round(2)
    cmp = result.comparison.round(4)
    xlsx = out / "capacity_sites.xlsx"
    xlsx.write_bytes(to_xlsx_bytes({t("report.sheet_new_sites", lang): localise(sites, lang),
                                    t("report.sheet_before_after", lang): localise(cmp, lang)}, lang))
    gpkg = write_table(result.sites, out / "capacity_sites.gpkg", layer="capacity_sites", lang=lang)
    return [xlsx, gpkg]
