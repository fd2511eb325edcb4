"""Assign counties and townships to points, and parse township names out of addresses.

Townships are assigned by the first method that works, in this order:

1. the township polygon layer, when the user loaded one;
2. a township code or name column;
3. the address text, parsed against the official township list;

and the county always comes from the county polygons (or from the township,
when one is known).  The method used is reported for every row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = [
    "AddressParser",
    "assign_admin",
    "normalise_township_code",
    "METHODS",
    "METRIC_CRS",
]

#: UTM zone 49N covers Shanxi; all distances are computed in it.
METRIC_CRS = "EPSG:32649"

#: Assignment methods, in the order they are tried.
METHODS = ("township_polygon", "township_code", "township_name", "address", "county_only")

_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
_NON_DIGIT = re.compile(r"\D")


def normalise_township_code(value: object) -> str | None:
    """Return a 9-digit township code from user input, or None.

    Accepts the 9-digit MCA code and the 12-digit statistical code (whose first
    nine digits are the township), with spaces or a trailing ``.0`` from Excel.
    """
    s = str(value).strip()
    if s.endswith(".0"):
        s = s[:-2]
    digits = _NON_DIGIT.sub("", s)
    if len(digits) == 12 and digits.endswith("000"):
        digits = digits[:9]
    return digits if len(digits) == 9 else None


def _strip_suffix(name: str) -> str:
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf) + 1:
            return name[: -len(suf)]
    return name


def township_name_index(
    townships: pd.DataFrame,
) -> tuple[dict[tuple[str, str], list[str]], dict[str, list[str]]]:
    """Township codes by ``(county_code, name)`` and by name alone.

    Each township is indexed under its full name and under the name without
    its 街道/镇/乡 suffix, so "坞城" finds 坞城街道.
    """
    by_county: dict[tuple[str, str], list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for code, name, county in zip(townships["code"], townships["name"], townships["county_code"]):
        for key in {name, _strip_suffix(name)}:
            by_county.setdefault((county, key), []).append(code)
            by_name.setdefault(key, []).append(code)
    return by_county, by_name


def lookup_township_name(by_county: dict[tuple[str, str], list[str]], key: tuple[str, str]) -> list[str] | None:
    """Codes for ``(county_code, name)``, trying the name as given, then without its suffix."""
    county, name = key
    return by_county.get((county, name)) or by_county.get((county, _strip_suffix(name)))


@dataclass
class AddressParser:
    """Find the township named in a free-text address.

    Parameters
    ----------
    townships
        The township table (``code, name, county_code, county_name, city_code,
        city_name``) from :func:`sxgeo.layers.boundaries.load_townships`.
    """

    townships: pd.DataFrame

    @cached_property
    def _by_name(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i, name in enumerate(self.townships["name"]):
            out.setdefault(name, []).append(i)
        return out

    @cached_property
    def _lengths(self) -> list[int]:
        return sorted({len(n) for n in self._by_name}, reverse=True)

    @cached_property
    def _ends(self) -> re.Pattern[str]:
        return re.compile("街道|镇|乡")

    @cached_property
    def _county_names(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for code, name in zip(self.townships["county_code"], self.townships["county_name"]):
            out.setdefault(name, set()).add(code)
        return out

    @cached_property
    def _city_names(self) -> dict[str, str]:
        return dict(zip(self.townships["city_name"], self.townships["city_code"]))

    def candidates(self, address: str) -> list[int]:
        """Row positions of every township whose full name occurs in ``address``."""
        found: list[int] = []
        text = re.sub(r"\s+", "", address)
        for m in self._ends.finditer(text):
            end = m.end()
            for length in self._lengths:
                start = end - length
                if start < 0:
                    continue
                hit = self._by_name.get(text[start:end])
                if hit:
                    found.extend(hit)
                    break  # the longest name ending here wins
        return list(dict.fromkeys(found))

    def parse(self, address: object, county_hint: str | None = None) -> str | None:
        """Return the 9-digit code of the township named in ``address``, or None.

        Same-named townships (there are many 城关镇) are told apart by the city
        and county names in the address, then by ``county_hint`` (the county
        the point lies in).  An address that stays ambiguous gives None.
        """
        if address is None:
            return None
        text = str(address)
        if not text.strip():
            return None
        cands = self.candidates(text)
        if not cands:
            return None
        if len(cands) > 1:
            cands = self._narrow(text, cands, county_hint)
        if len(cands) != 1:
            return None
        return str(self.townships["code"].iat[cands[0]])

    def _narrow(self, text: str, cands: list[int], county_hint: str | None) -> list[int]:
        tw = self.townships
        counties = {code for name, codes in self._county_names.items() if name in text for code in codes}
        cities = {code for name, code in self._city_names.items() if name in text}
        if counties:
            if cities:  # two counties are named 城区: the city decides
                scoped = {c for c in counties if c[:4] + "00" in cities}
                counties = scoped or counties
            kept = [i for i in cands if tw["county_code"].iat[i] in counties]
            if kept:
                cands = kept
        elif cities:
            kept = [i for i in cands if tw["city_code"].iat[i] in cities]
            if kept:
                cands = kept
        if len(cands) > 1 and county_hint:
            kept = [i for i in cands if tw["county_code"].iat[i] == county_hint]
            if kept:
                cands = kept
        return cands


def _county_of_points(
    points: gpd.GeoSeries, counties: gpd.GeoDataFrame, tolerance_m: float
) -> tuple[pd.Series, pd.Series]:
    """County adcode of each point, and the distance (m) for points just outside.

    Points inside a county get distance 0; points within ``tolerance_m`` of the
    province get the nearest county and their distance; others get None/NaN.
    """
    pts = gpd.GeoDataFrame(geometry=points.reset_index(drop=True), crs=points.crs)
    inside = gpd.sjoin(pts, counties[["adcode", "geometry"]], how="left", predicate="within")
    inside = inside[~inside.index.duplicated(keep="first")]
    code = inside["adcode"].astype(object).where(inside["adcode"].notna(), None)
    dist = pd.Series(np.where(code.notna(), 0.0, np.nan), index=pts.index)
    missing = code.isna() & pts.geometry.notna() & ~pts.geometry.is_empty
    if missing.any() and tolerance_m > 0:
        near = gpd.sjoin_nearest(
            pts.loc[missing].to_crs(METRIC_CRS),
            counties[["adcode", "geometry"]].to_crs(METRIC_CRS),
            how="left",
            max_distance=tolerance_m,
            distance_col="_dist",
        )
        near = near[~near.index.duplicated(keep="first")]
        ok = near["adcode"].notna()
        code.loc[near.index[ok]] = near.loc[ok, "adcode"]
        dist.loc[near.index[ok]] = near.loc[ok, "_dist"]
    code.index = points.index
    dist.index = points.index
    return code, dist


def assign_admin(
    points: gpd.GeoDataFrame,
    *,
    counties: gpd.GeoDataFrame,
    townships: pd.DataFrame,
    township_polygons: gpd.GeoDataFrame | None = None,
    tolerance_m: float = 500.0,
    parser: AddressParser | None = None,
) -> pd.DataFrame:
    """Give every point its county and township.

    Parameters
    ----------
    points
        Points in EPSG:4326, with optional columns ``township_code``,
        ``township_name`` and ``address`` (strings, '' when empty).
    counties
        County polygons (``adcode``, ``geometry``), EPSG:4326.
    townships
        The township table from :func:`sxgeo.layers.boundaries.load_townships`.
    township_polygons
        Optional user polygons with a ``code`` column of matched 9-digit codes.
    tolerance_m
        Points this close outside the province are given the nearest county.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``points``, with ``county_code``, ``township_code``,
        ``admin_method``, ``border_distance_m``, ``reject`` (a reason key or
        None), ``reject_value`` and ``point_county`` (the county of the
        coordinates, which can differ from the township's county).
    """
    out = _unassigned(points.index)
    point_county, dist = _county_of_points(points.geometry, counties, tolerance_m)
    out["point_county"] = point_county
    out["border_distance_m"] = dist
    outside = point_county.isna()
    out.loc[outside, "reject"] = "outside_shanxi"
    open_rows = ~outside

    # Each method only sees the rows the ones before it left without a township.
    if township_polygons is not None and len(township_polygons):
        _by_polygon(points, open_rows, township_polygons, out)
    if "township_code" in points:
        _by_code(points["township_code"], _pending(out, open_rows), set(townships["code"]), out)
    if "township_name" in points:
        _by_name(points["township_name"], _pending(out, open_rows), townships, out)
    if "address" in points:
        _by_address(points["address"], _pending(out, open_rows), parser or AddressParser(townships), out)
    _set_counties(out)
    return out


def _unassigned(idx: pd.Index) -> pd.DataFrame:
    """The assignment table before any method ran: no county, township, method or rejection."""
    n = len(idx)
    return pd.DataFrame(
        {
            "county_code": pd.Series([None] * n, index=idx, dtype=object),
            "township_code": pd.Series([None] * n, index=idx, dtype=object),
            "admin_method": pd.Series([None] * n, index=idx, dtype=object),
            "reject": pd.Series([None] * n, index=idx, dtype=object),
            "reject_value": pd.Series([""] * n, index=idx, dtype=object),
        }
    )


def _pending(out: pd.DataFrame, open_rows: pd.Series) -> pd.Series:
    """Rows inside the province with neither a township nor a rejection yet."""
    return open_rows & out["township_code"].isna() & out["reject"].isna()


def _by_polygon(
    points: gpd.GeoDataFrame, open_rows: pd.Series, township_polygons: gpd.GeoDataFrame, out: pd.DataFrame
) -> None:
    """Method 1: the township polygon each point lies in."""
    pts = gpd.GeoDataFrame(geometry=points.geometry[open_rows], crs=points.crs)
    hit = gpd.sjoin(pts, township_polygons[["code", "geometry"]].to_crs(points.crs), how="inner", predicate="within")
    hit = hit[~hit.index.duplicated(keep="first")]
    out.loc[hit.index, "township_code"] = hit["code"].values
    out.loc[hit.index, "admin_method"] = "township_polygon"


def _by_code(codes: pd.Series, pending: pd.Series, valid_codes: set[str], out: pd.DataFrame) -> None:
    """Method 2a: the township code column; a code not in the official list rejects the row."""
    raw = codes.astype(str).str.strip()
    rows = pending & (raw != "")
    for i in rows[rows].index:
        code = normalise_township_code(raw.at[i])
        if code in valid_codes:
            out.at[i, "township_code"] = code
            out.at[i, "admin_method"] = "township_code"
        else:
            out.at[i, "reject"] = "unknown_township"
            out.at[i, "reject_value"] = raw.at[i]


def _by_name(names: pd.Series, pending: pd.Series, townships: pd.DataFrame, out: pd.DataFrame) -> None:
    """Method 2b: the township name column, in the point's county, else province-wide if the name is unique."""
    raw = names.astype(str).str.strip()
    rows = pending & (raw != "")
    by_county, by_name = township_name_index(townships)
    for i in rows[rows].index:
        name = raw.at[i]
        codes = lookup_township_name(by_county, (out.at[i, "point_county"], name))
        if not codes:
            codes = by_name.get(name) or by_name.get(_strip_suffix(name))
            if codes and len(codes) > 1:
                out.at[i, "reject"] = "township_ambiguous"
                out.at[i, "reject_value"] = name
                continue
        if codes and len(codes) == 1:
            out.at[i, "township_code"] = codes[0]
            out.at[i, "admin_method"] = "township_name"
        else:
            out.at[i, "reject"] = "unknown_township"
            out.at[i, "reject_value"] = name


def _by_address(addresses: pd.Series, pending: pd.Series, parser: AddressParser, out: pd.DataFrame) -> None:
    """Method 3: a township named in the address text (rows it cannot place keep no township)."""
    for i in pending[pending].index:
        code = parser.parse(addresses.at[i], out.at[i, "point_county"])
        if code is not None:
            out.at[i, "township_code"] = code
            out.at[i, "admin_method"] = "address"


def _set_counties(out: pd.DataFrame) -> None:
    """The county of every placed row: its township's, else the one its point lies in (``county_only``)."""
    placed = out["reject"].isna()
    has_tw = placed & out["township_code"].notna()
    out.loc[has_tw, "county_code"] = out.loc[has_tw, "township_code"].str[:6]
    county_only = placed & out["township_code"].isna()
    out.loc[county_only, "county_code"] = out.loc[county_only, "point_county"]
    out.loc[county_only, "admin_method"] = "county_only"
