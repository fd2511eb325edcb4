"""The one scope resolver: which counties an area (province, city or county) covers."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo.errors import InputError
from sxgeo.settings import CROSS_BORDER_M, LONLAT_CRS, METRIC_CRS, PROVINCE_CODE, PROVINCE_NAME

__all__ = ["LEVELS", "Scope", "resolve_scope"]

#: Area levels a scope can have, largest first.
LEVELS = ("province", "city", "county")


@dataclass(frozen=True)
class Scope:
    """The area a command, report or app view works on: the province, one city or one county."""

    level: str
    code: str
    name: str
    county_codes: tuple[str, ...]

    def area(self, counties: gpd.GeoDataFrame, buffer_m: float = CROSS_BORDER_M) -> shapely.Geometry | None:
        """The scope's outline (lon/lat) grown by ``buffer_m`` (the cross-border margin); None for the province."""
        if self.level == "province":
            return None
        sel = counties[counties["adcode"].isin(self.county_codes)].to_crs(METRIC_CRS)
        grown = gpd.GeoSeries([shapely.union_all(sel.geometry.to_numpy()).buffer(buffer_m)], crs=METRIC_CRS)
        return grown.to_crs(LONLAT_CRS).iloc[0]

    def contains(self, county_codes: pd.Series) -> np.ndarray:
        """Which of ``county_codes`` (or township codes, whose first 6 digits are the county) lie in the scope."""
        return county_codes.astype(str).str[:6].isin(set(self.county_codes)).to_numpy()

    def rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` (with ``county_code``) in the scope, in order, ``rank`` renumbered from 1."""
        out = frame[self.contains(frame["county_code"])].reset_index(drop=True)
        if "rank" in out.columns:
            out["rank"] = np.arange(1, len(out) + 1)
        return out


def resolve_scope(counties: pd.DataFrame, level: str = "province", code: str | None = None) -> Scope:
    """The scope of an area given by its ``level`` and ``code``.

    Parameters
    ----------
    counties
        The county table (:func:`sxgeo.layers.boundaries.load_counties`): ``adcode``,
        ``name``, ``city_code``, ``city_name``.
    level
        ``province``, ``city`` or ``county``.
    code
        The city's or county's 6-digit code (ignored for the province).

    Raises
    ------
    InputError
        For a code that is not one of Shanxi's counties (or cities).
    """
    if level == "county" and code is not None:
        return _county(counties, str(code).strip())
    if level == "city" and code is not None:
        return _city(counties, str(code).strip())
    if level not in LEVELS:
        raise InputError("report.err_unknown_level", level=level)
    return Scope("province", PROVINCE_CODE, PROVINCE_NAME, tuple(sorted(counties["adcode"])))


def _county(counties: pd.DataFrame, code: str) -> Scope:
    hit = counties[counties["adcode"] == code]
    if hit.empty:
        if code in set(counties["city_code"]):
            raise InputError("report.err_city_as_county", code=code)
        raise InputError("report.err_unknown_county", code=code)
    row = hit.iloc[0]
    return Scope("county", code, f"{row['city_name']}{row['name']}", (code,))


def _city(counties: pd.DataFrame, code: str) -> Scope:
    hit = counties[counties["city_code"] == code]
    if hit.empty:
        raise InputError("report.err_unknown_city", code=code)
    return Scope("city", code, hit.iloc[0]["city_name"], tuple(sorted(hit["adcode"])))
