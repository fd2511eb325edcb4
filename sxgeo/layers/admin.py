"""Assign counties and townships to points, and parse township names out of addresses.

Townships are assigned by the first method that works, in this order:

1. the township polygon layer, when the user loaded one;
2. a township code or name column;
3. the address text, parsed against the official township list;

and the county comes from the township when one is known, else from the
county polygon the point lies in, else (a row without usable coordinates)
from a county code, a county name or the address.  The method used is
reported for every row.  A township code or name that is not on the official
list (townships were merged in 2019–2021) never rejects a row: the row keeps
its county and gets a note naming the township, with close matches.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = [
    "AddressParser",
    "assign_admin",
    "close_townships",
    "county_from_code",
    "normalise_township_code",
    "METHODS",
    "METRIC_CRS",
]

#: UTM zone 49N covers Shanxi; all distances are computed in it.
METRIC_CRS = "EPSG:32649"

#: Assignment methods, in the order they are tried: townships first, then counties.
#: ``county_only``: the county the point lies in; ``county_code`` / ``county_name`` /
#: ``address_county``: a row without usable coordinates placed by its county's code, name or address.
METHODS = (
    "township_polygon", "township_code", "township_name", "address",
    "county_only", "county_code", "county_name", "address_county",
)

_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
_NON_DIGIT = re.compile(r"\D")
# A township-like name right after the province, city and county names of an address.
_TOWNSHIP_TOKEN = re.compile(r"^([\u4e00-\u9fff]{1,8}?)(街道办事处|街道|镇|乡)")


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


def close_townships(name: str, county: str | None, townships: pd.DataFrame) -> str:
    """Up to three official township names close to ``name`` (in ``county`` when known, else with their county), or ''.

    Names are compared without their 街道/镇/乡 suffix first, so a 乡 that
    became a 镇 (or was typed as one) finds its listed name.
    """
    pool = townships if county is None else townships[townships["county_code"] == county]
    labels: dict[str, list[str]] = {}
    for n, c in zip(pool["name"], pool["county_name"]):
        labels.setdefault(_strip_suffix(n), []).append(n if county is not None else f"{n}（{c}）")
    close = difflib.get_close_matches(_strip_suffix(name), list(labels), n=3, cutoff=0.5)
    return " / ".join([label for key in close for label in labels[key]][:3])


def county_from_code(value: object, valid: set[str]) -> str | None:
    """The county adcode in a county code (6 digits) or a township code (9 or 12 digits), if it is a known county."""
    digits = _NON_DIGIT.sub("", str(value).strip().removesuffix(".0"))
    if len(digits) in (6, 9, 12) and digits[:6] in valid:
        return digits[:6]
    return None


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

    @cached_property
    def _place_names(self) -> list[tuple[str, str, set[str]]]:
        """(name, level, codes) of every city and county name, longest name first (two counties share 城区)."""
        names = [(n, "county", codes) for n, codes in self._county_names.items()]
        names += [(n, "city", {c}) for n, c in self._city_names.items()]
        return sorted(names, key=lambda x: -len(x[0]))

    def _places(self, text: str) -> tuple[set[str], set[str], int]:
        """Counties and cities named in ``text`` (not inside a longer name), and where the last one ends."""
        taken = np.zeros(len(text) + 1, dtype=bool)
        counties: set[str] = set()
        cities: set[str] = set()
        end = 0
        for name, level, codes in self._place_names:
            for m in re.finditer(re.escape(name), text):
                if taken[m.start():m.end()].any():
                    continue
                taken[m.start():m.end()] = True
                (counties if level == "county" else cities).update(codes)
                end = max(end, m.end())
        return counties, cities, end

    def county(self, text: object, city_text: object = "") -> str | None:
        """The county named in ``text`` (an address, or a county name), or None when none or several.

        Two counties named alike (the two 城区) are told apart by a city named
        in ``text`` or in ``city_text`` (a city column).
        """
        text = re.sub(r"\s+", "", "" if text is None else str(text))
        if not text:
            return None
        counties, cities, _ = self._places(text)
        if len(counties) > 1:
            _, more, _ = self._places(re.sub(r"\s+", "", str(city_text or "")))
            cities |= more
            counties = {c for c in counties if c[:4] + "00" in cities} or counties
        return next(iter(counties)) if len(counties) == 1 else None

    def unmatched_township(self, address: object) -> str | None:
        """A township named in ``address`` right after its city and county that is not on the official list, or None."""
        text = re.sub(r"\s+", "", "" if address is None else str(address))
        if not text or self.candidates(text):
            return None
        _, _, end = self._places(text)
        rest = re.sub(r"^(山西省|山西)", "", text[end:])
        m = _TOWNSHIP_TOKEN.match(rest)
        return m.group(0) if m else None

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
    """Give every row its county and township, from its point or, failing that, from its text.

    Parameters
    ----------
    points
        Rows in EPSG:4326 with optional columns ``township_code``,
        ``township_name``, ``address``, ``county_code``, ``county_name`` and
        ``city_name`` (strings, '' when empty).  A row's geometry is None when
        it has no usable coordinates.
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
        ``admin_method`` (one of :data:`METHODS`), ``located`` (the point was
        used: it lies in Shanxi), ``border_distance_m``, ``point_county`` (the
        county of the point, which can differ from the township's county),
        ``township_note`` (``(key, params)`` for a township code or name that
        is not on the list or is ambiguous, else None), and ``reject``:
        ``outside_shanxi`` (a point outside Shanxi and no county in the text)
        or ``no_location`` (no point and no county), else None.
    """
    index = points.index
    out = _unassigned(index)
    has_point = (points.geometry.notna() & ~points.geometry.is_empty).to_numpy()
    point_county, dist = _county_of_points(points.geometry[has_point], counties, tolerance_m)
    out["point_county"] = point_county.reindex(index).astype(object).where(lambda c: c.notna(), None)
    out["border_distance_m"] = dist.reindex(index)
    out["located"] = out["point_county"].notna()
    outside = pd.Series(has_point, index=index) & ~out["located"]
    parser = parser or AddressParser(townships)
    text_county, text_method = _text_counties(points, ~out["located"], counties, parser)
    # The county a township name is looked up in: the point's, else the one the text names.
    context = out["point_county"].where(out["located"], text_county)

    # Each method only sees the rows the ones before it left without a township.
    if township_polygons is not None and len(township_polygons):
        _by_polygon(points, out["located"], township_polygons, out)
    if "township_code" in points:
        _by_code(points["township_code"], _pending(out), set(townships["code"]), out)
    if "township_name" in points:
        _by_name(points["township_name"], _pending(out), context, townships, out)
    if "address" in points:
        _by_address(points["address"], _pending(out), context, parser, townships, out)
    _set_counties(out, text_county, text_method)
    unplaced = out["county_code"].isna()
    out.loc[unplaced & outside, "reject"] = "outside_shanxi"
    out.loc[unplaced & ~outside, "reject"] = "no_location"
    return out


def _text_counties(
    points: pd.DataFrame, rows: pd.Series, counties: pd.DataFrame, parser: AddressParser
) -> tuple[pd.Series, pd.Series]:
    """The county the text of each row in ``rows`` names, and how: a county or township code, a county name, or the address."""
    index = points.index
    county = pd.Series([None] * len(index), index=index, dtype=object)
    method = pd.Series([None] * len(index), index=index, dtype=object)
    valid = set(counties["adcode"])
    cities = points["city_name"] if "city_name" in points else pd.Series("", index=index)
    sources = (
        ("county_code", lambda v, i: county_from_code(v, valid)),
        ("township_code", lambda v, i: county_from_code(v, valid)),
        ("county_name", lambda v, i: parser.county(v, cities.at[i])),
        ("address", lambda v, i: parser.county(v, cities.at[i])),
    )
    for column, find in sources:
        if column not in points:
            continue
        name = "address_county" if column == "address" else ("county_name" if column == "county_name" else "county_code")
        for i in index[(county.isna() & rows).to_numpy()]:
            value = points.at[i, column]
            found = find(value, i) if str(value).strip() else None
            if found is not None:
                county.at[i], method.at[i] = found, name
    return county, method


def _unassigned(idx: pd.Index) -> pd.DataFrame:
    """The assignment table before any method ran: no county, township, method, note or rejection."""
    n = len(idx)
    return pd.DataFrame(
        {
            "county_code": pd.Series([None] * n, index=idx, dtype=object),
            "township_code": pd.Series([None] * n, index=idx, dtype=object),
            "admin_method": pd.Series([None] * n, index=idx, dtype=object),
            "township_note": pd.Series([None] * n, index=idx, dtype=object),
            "reject": pd.Series([None] * n, index=idx, dtype=object),
            "reject_value": pd.Series([""] * n, index=idx, dtype=object),
        }
    )


def _pending(out: pd.DataFrame) -> pd.Series:
    """Rows without a township yet."""
    return out["township_code"].isna()


def _by_polygon(
    points: gpd.GeoDataFrame, located: pd.Series, township_polygons: gpd.GeoDataFrame, out: pd.DataFrame
) -> None:
    """Method 1: the township polygon each point lies in."""
    pts = gpd.GeoDataFrame(geometry=points.geometry[located.to_numpy()], crs=points.crs)
    hit = gpd.sjoin(pts, township_polygons[["code", "geometry"]].to_crs(points.crs), how="inner", predicate="within")
    hit = hit[~hit.index.duplicated(keep="first")]
    out.loc[hit.index, "township_code"] = hit["code"].values
    out.loc[hit.index, "admin_method"] = "township_polygon"


def _note(out: pd.DataFrame, i, key: str, params: dict) -> None:
    """Keep the first township note of a row."""
    if out.at[i, "township_note"] is None:
        out.at[i, "township_note"] = (key, params)


def _by_code(codes: pd.Series, pending: pd.Series, valid_codes: set[str], out: pd.DataFrame) -> None:
    """Method 2a: the township code column; a code not on the official list is noted."""
    raw = codes.astype(str).str.strip()
    rows = pending & (raw != "")
    for i in rows[rows].index:
        code = normalise_township_code(raw.at[i])
        if code in valid_codes:
            out.at[i, "township_code"] = code
            out.at[i, "admin_method"] = "township_code"
        else:
            _note(out, i, "note_township_code_unlisted", {"value": raw.at[i]})


def _by_name(
    names: pd.Series, pending: pd.Series, context: pd.Series, townships: pd.DataFrame, out: pd.DataFrame
) -> None:
    """Method 2b: the township name column, in the row's county, else province-wide if the name is unique."""
    raw = names.astype(str).str.strip()
    rows = pending & (raw != "")
    by_county, by_name = township_name_index(townships)
    for i in rows[rows].index:
        name, county = raw.at[i], context.at[i]
        codes = lookup_township_name(by_county, (county, name)) if county else None
        if not codes:
            codes = by_name.get(name) or by_name.get(_strip_suffix(name))
        if codes and len(codes) == 1:
            out.at[i, "township_code"] = codes[0]
            out.at[i, "admin_method"] = "township_name"
        elif codes:
            _note(out, i, "note_township_ambiguous", {"name": name})
        else:
            _note(out, i, *_unlisted(name, county, townships))


def _unlisted(name: str, county: str | None, townships: pd.DataFrame) -> tuple[str, dict]:
    """The note for a township name not on the list, with close matches when there are any."""
    matches = close_townships(name, county, townships)
    if matches:
        return "note_township_unlisted_close", {"name": name, "matches": matches}
    return "note_township_unlisted", {"name": name}


def _by_address(
    addresses: pd.Series,
    pending: pd.Series,
    context: pd.Series,
    parser: AddressParser,
    townships: pd.DataFrame,
    out: pd.DataFrame,
) -> None:
    """Method 3: a township named in the address text; one named there but not on the list is noted."""
    for i in pending[pending].index:
        address = addresses.at[i]
        code = parser.parse(address, context.at[i])
        if code is not None:
            out.at[i, "township_code"] = code
            out.at[i, "admin_method"] = "address"
            continue
        unlisted = parser.unmatched_township(address)
        if unlisted:
            _note(out, i, *_unlisted(unlisted, context.at[i], townships))


def _set_counties(out: pd.DataFrame, text_county: pd.Series, text_method: pd.Series) -> None:
    """The county of every row: its township's, else its point's (``county_only``), else the one its text names."""
    has_tw = out["township_code"].notna()
    out.loc[has_tw, "county_code"] = out.loc[has_tw, "township_code"].str[:6]
    by_point = ~has_tw & out["located"]
    out.loc[by_point, "county_code"] = out.loc[by_point, "point_county"]
    out.loc[by_point, "admin_method"] = "county_only"
    by_text = ~has_tw & ~out["located"] & text_county.notna()
    out.loc[by_text, "county_code"] = text_county[by_text]
    out.loc[by_text, "admin_method"] = text_method[by_text]
