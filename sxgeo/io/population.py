"""Population inputs: census tables per township and population grids (GeoTIFF) as residential layers.

Either source replaces the residential layer (kind ``residential``):

* :func:`load_population_table` reads a CSV/XLSX with one row per township
  (code or name, resident population 常住人口, optional age counts or shares),
  joins it to the official township list and makes one demand point per
  township: inside the user's township polygon when one is given, else at the
  township's county's representative point (``located`` False: approximate);
* :func:`load_population_grid` reads a population grid such as WorldPop's 100 m
  GeoTIFF and makes one demand point per populated cell at the cell centre.

Ages missing from the source come from the shares in
``sxgeo/data/population_defaults.toml`` (2020 census values and stated
assumptions), with a note.  Every input row (table) or cell (grid) is accounted
for: loaded, or rejected / skipped with its reason.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo.errors import LayerReadError
from sxgeo.io._validate import Rejects, rejected_frame, to_number
from sxgeo.io.load import ADMIN_COLUMNS, LoadResult
from sxgeo.io.read import read_table
from sxgeo.layers import admin, boundaries
from sxgeo.layers.kinds import RESIDENTIAL, normalise_header
from sxgeo.resources import package_file
from sxgeo.text import t

__all__ = ["PopulationResult", "age_defaults", "load_population_grid", "load_population_table"]

AGE_COLUMNS = ("pop_3_5", "pop_60_plus")

# Accepted headers (compared after normalise_header), best first.
_CODE = ("乡镇代码", "乡镇街道代码", "街道代码", "乡镇编码", "统计用区划代码", "区划代码", "township_code", "code", "代码")
_NAME = ("乡镇名称", "乡镇(街道)", "乡镇街道", "乡镇", "街道", "township_name", "township", "名称", "name")
_COUNTY_CODE = ("区县代码", "县区代码", "县代码", "county_code", "adcode")
_COUNTY_NAME = ("区县名称", "区县", "县区", "县(市、区)", "县(市,区)", "county_name", "county")
_POPULATION = ("常住人口", "常住人口数", "人口", "人口数", "总人口", "resident_population", "population", "pop")

# Age columns: a header matching the pattern is a count, or a share when it also names a share.
_AGE_PATTERNS = {
    "pop_0_14": re.compile(r"0[-~_至到]?14"),
    "pop_3_5": re.compile(r"(?<!\d)3[-~_至到]?5(?!\d)|学前|适龄幼儿"),
    "pop_60_plus": re.compile(r"(?<!\d)60"),
}
_SHARE_WORDS = ("占比", "比重", "比例", "百分比", "share", "pct", "percent", "%", "ratio")


@dataclass
class PopulationResult(LoadResult):
    """A :class:`~sxgeo.io.load.LoadResult` of a residential layer made from population data.

    Attributes
    ----------
    cells
        For a grid: how many cells were ``loaded`` or skipped as ``nodata``,
        ``negative``, ``zero`` or ``outside`` the area; ``total`` is their sum.
        Empty for a table.
    messages
        File-level notes and warnings as ``(key, params)`` of the text catalogue.
    """

    cells: dict[str, int] = field(default_factory=dict)
    messages: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def shares(self) -> dict[str, float]:
        """The population-weighted shares of 3-5 and 60+ in the layer (for a grid's ``age_shares``)."""
        total = float(self.layer["population"].sum()) if len(self.layer) else 0.0
        if total <= 0:
            return age_defaults()
        return {c: float(self.layer[c].sum()) / total for c in AGE_COLUMNS}

    def message_lines(self, lang: str = "zh") -> list[str]:
        """The file-level notes and warnings in ``lang``."""
        lines = []
        for key, params in self.messages:
            p = dict(params)
            if "basis" in p and p["basis"] is None:
                p["basis"] = t("pop_ages_defaults", lang)
            lines.append(t(key, lang, **p))
        return lines

    def summary(self, lang: str = "zh") -> str:
        """What was read, loaded and skipped, then the notes and warnings, one per line."""
        if self.cells:
            head = t("pop_grid_summary", lang, source=self.source, population=f"{self.layer['population'].sum():,.0f}",
                     **self.cells)
        else:
            head = super().summary(lang)
        return "\n".join([head, *self.message_lines(lang)])


@cache
def _defaults_file() -> dict:
    with open(package_file("data", "population_defaults.toml"), "rb") as f:
        return tomllib.load(f)


def age_defaults() -> dict[str, float]:
    """The default shares of 3-5 and 60+ in the resident population (``population_defaults.toml``)."""
    shares = _defaults_file()["shares"]
    return {c: float(shares[c]) for c in AGE_COLUMNS}


def _pct(share: float) -> str:
    return f"{share * 100:.3g}%"


# --- Census table --------------------------------------------------------------------------


def _find(headers: list[str], spellings: tuple[str, ...]) -> str | None:
    """The header matching the earliest of ``spellings``, else None."""
    norm = {normalise_header(h): h for h in reversed(headers)}
    for s in spellings:
        if normalise_header(s) in norm:
            return norm[normalise_header(s)]
    return None


def _age_headers(headers: list[str], taken: set[str]) -> dict[str, tuple[str, bool]]:
    """Age group -> (header, is_share) for the age columns among ``headers``."""
    found: dict[str, tuple[str, bool]] = {}
    for h in headers:
        if h in taken:
            continue
        norm = normalise_header(h)
        for group, pattern in _AGE_PATTERNS.items():
            if group not in found and pattern.search(norm):
                found[group] = (h, any(w in norm for w in _SHARE_WORDS))
                break
    return found


def _share_values(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Shares from text given as 0-1 or percent (a ``%`` sign, or any value above 1 in the column), and the bad mask."""
    has_pct = text.str.endswith("%")
    num = to_number(text.str.rstrip("%"))
    percent = has_pct | (num > 1).any()
    share = num.where(~percent, num / 100)
    bad = (text != "") & (num.isna() | (share < 0) | (share > 1))
    return share, bad


def _county_lookup(counties: gpd.GeoDataFrame) -> dict[str, list[str]]:
    by_name: dict[str, list[str]] = {}
    for code, name in zip(counties["adcode"], counties["name"]):
        by_name.setdefault(name, []).append(code)
    return by_name


def _match_townships(frame, cols, townships, counties, rej: Rejects) -> tuple[pd.Series, pd.Series]:
    """Each row's township code (None when rejected) and how it was matched."""
    index = frame.index
    valid = set(townships["code"])
    by_county, by_name = admin.township_name_index(townships)
    county_names = _county_lookup(counties)
    codes = pd.Series([None] * len(index), index=index, dtype=object)
    method = pd.Series([None] * len(index), index=index, dtype=object)
    bad_key: dict[object, tuple[str, dict]] = {}
    for i in index[rej.ok]:
        raw_code = frame.at[i, cols["code"]].strip() if cols["code"] else ""
        name = unicodedata.normalize("NFKC", frame.at[i, cols["name"]]).strip() if cols["name"] else ""
        code = admin.normalise_township_code(raw_code) if raw_code else None
        if code in valid:
            codes.at[i], method.at[i] = code, "township_code"
            continue
        if not name:
            bad_key[i] = ("unknown_township", {"value": raw_code}) if raw_code else ("population_no_township", {})
            continue
        county = _row_county(frame, cols, i, county_names)
        hits = admin.lookup_township_name(by_county, (county, name)) if county else (
            by_name.get(name) or by_name.get(admin._strip_suffix(name))
        )
        if hits and len(hits) == 1:
            codes.at[i], method.at[i] = hits[0], "township_name"
        elif hits:
            bad_key[i] = ("township_ambiguous", {"value": name, "name": name})
        else:
            bad_key[i] = _unmatched(name, county, townships)
    for key in ("population_no_township", "unknown_township", "township_ambiguous", "population_unmatched",
                "population_unmatched_close"):
        mask = pd.Series([bad_key.get(i, ("",))[0] == key for i in index], index=index)
        rej.add(mask, key, lambda i: bad_key[i][1])
    return codes, method


def _row_county(frame, cols, i, county_names: dict[str, list[str]]) -> str | None:
    """The row's county adcode from a county-code or county-name column (None when absent or ambiguous)."""
    if cols["county_code"]:
        digits = re.sub(r"\D", "", frame.at[i, cols["county_code"]])
        if len(digits) >= 6:
            return digits[:6]
    if cols["county_name"]:
        hits = county_names.get(unicodedata.normalize("NFKC", frame.at[i, cols["county_name"]]).strip())
        if hits and len(hits) == 1:
            return hits[0]
    return None


def _unmatched(name: str, county: str | None, townships: pd.DataFrame) -> tuple[str, dict]:
    """The rejection of a township name not in the list, with close matches (in its county when known)."""
    matches = admin.close_townships(name, county, townships)
    if matches:
        return "population_unmatched_close", {"name": name, "matches": matches}
    return "population_unmatched", {"name": name}


def _count_column(frame, header, rej: Rejects, label: str) -> pd.Series:
    text = frame[header].astype(str).map(lambda v: unicodedata.normalize("NFKC", v).strip())
    num = to_number(text)

    def params(i):
        return {"column": label, "value": text.at[i]}

    rej.add((text != "") & num.isna(), "bad_value", params)
    rej.add(num < 0, "negative_value", params)
    return num


def _ages(frame, age_cols, population, rej: Rejects, notes: pd.Series) -> dict[str, pd.Series]:
    """The 3-5 and 60+ counts: from counts, shares, 0-14 (3-5 only) or the default shares, with notes."""
    defaults = age_defaults()
    of_0_14 = float(_defaults_file()["shares"]["pop_3_5_of_0_14"])
    out: dict[str, pd.Series] = {}
    given: dict[str, pd.Series] = {}
    for group, (header, is_share) in age_cols.items():
        label = header
        if is_share:
            text = frame[header].astype(str).map(lambda v: unicodedata.normalize("NFKC", v).strip())
            share, bad = _share_values(text)
            rej.add(bad, "bad_value", lambda i, text=text, label=label: {"column": label, "value": text.at[i]})
            given[group] = (population * share).round()
        else:
            given[group] = _count_column(frame, header, rej, label)
    for col in AGE_COLUMNS:
        value = given.get(col, pd.Series(np.nan, index=frame.index))
        label = RESIDENTIAL.column(col).label_zh
        if col == "pop_3_5" and "pop_0_14" in given:
            from_0_14 = value.isna() & given["pop_0_14"].notna()
            value = value.where(~from_0_14, (given["pop_0_14"] * of_0_14).round())
            notes[from_0_14] = notes[from_0_14].map(lambda ns: ns + [("note_age_from_0_14", {"share": _pct(of_0_14)})])
        default = value.isna()
        value = value.where(~default, (population * defaults[col]).round())
        params = {"column": label, "share": _pct(defaults[col])}
        notes[default] = notes[default].map(lambda ns, params=params: ns + [("note_age_default", params)])
        over = (value > population).fillna(False).astype(bool)
        rej.add(over, "age_gt_population", lambda i, v=value, label=label: {
            "column": label, "value": int(v.at[i]), "population": int(population.at[i])})
        out[col] = value
    return out


def _township_points(codes: pd.Series, township_polygons, counties) -> tuple[np.ndarray, np.ndarray]:
    """A representative point per township code, and whether it lies in the township (else its county's)."""
    county_pts = counties.set_index("adcode").geometry.representative_point()
    poly_pts = pd.Series(dtype=object)
    if township_polygons is not None and len(township_polygons):
        poly_pts = township_polygons.drop_duplicates("code").set_index("code").geometry.representative_point()
    located = codes.isin(poly_pts.index).to_numpy()
    geoms = [poly_pts[c] if ok else county_pts[c[:6]] for c, ok in zip(codes, located)]
    return np.array(geoms, dtype=object), located


def load_population_table(
    path: str | Path,
    *,
    townships: pd.DataFrame | None = None,
    counties: gpd.GeoDataFrame | None = None,
    township_polygons: gpd.GeoDataFrame | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    display_name: str | None = None,
) -> PopulationResult:
    """Read a census table per township as a residential layer: one demand point per township.

    Parameters
    ----------
    path
        CSV or XLSX with a township code (9 or 12 digits) or name (optionally a
        county code or name to tell equal names apart), the resident population
        (常住人口) and optionally 0-14, 3-5 and 60+ counts or shares (0-1, or
        percent when a value is above 1 or ends in ``%``).
    townships, counties
        The official lists (default: the shipped ones).
    township_polygons
        The user's township polygons (``load_township_polygons(...).layer``):
        a township's point is its polygon's representative point; without one
        it is the county's representative point, ``located`` False.
    sheet, encoding, display_name
        Passed to :func:`sxgeo.io.read.read_table`.

    Returns
    -------
    PopulationResult
        ``layer`` is a residential layer with ``located``; ``rejected`` lists
        the rows that matched no township (with close matches), lack the
        population or have bad values.

    Raises
    ------
    LayerReadError
        When the file cannot be read or lacks the township or population column.
    """
    name = display_name or Path(path).name
    raw = read_table(path, sheet=sheet, encoding=encoding, display_name=name)
    townships = boundaries.load_townships() if townships is None else townships
    counties = boundaries.load_counties() if counties is None else counties
    frame = raw.frame
    headers = list(frame.columns)
    cols = {
        "code": _find(headers, _CODE), "name": _find(headers, _NAME),
        "county_code": _find(headers, _COUNTY_CODE), "county_name": _find(headers, _COUNTY_NAME),
        "population": _find(headers, _POPULATION),
    }
    if cols["code"] is None and cols["name"] is None:
        raise LayerReadError(name, "err_population_no_township_column", accepted="、".join(_CODE[:3] + _NAME[:3]))
    if cols["population"] is None:
        raise LayerReadError(name, "err_missing_column", column="常住人口", accepted="、".join(_POPULATION[:5]))
    age_cols = _age_headers(headers, {c for c in cols.values() if c})
    index = frame.index
    rej = Rejects(index)
    notes = pd.Series([[] for _ in index], index=index, dtype=object)
    row_no = pd.Series(raw.rows, index=index)

    rej.add((frame.apply(lambda c: c.astype(str).str.strip()) == "").all(axis=1), "empty_row")
    pop_text = frame[cols["population"]].astype(str).str.strip()
    rej.add(pop_text == "", "missing_value", lambda i: {"column": "常住人口"})
    population = _count_column(frame, cols["population"], rej, cols["population"])
    codes, method = _match_townships(frame, cols, townships, counties, rej)
    first: dict[str, int] = {}
    dup = pd.Series(False, index=index)
    for i in index[rej.ok]:
        if codes.at[i] in first:
            dup.at[i] = True
        else:
            first[codes.at[i]] = row_no.at[i]
    rej.add(dup, "duplicate_township", lambda i: {"code": codes.at[i], "first": first[codes.at[i]]})
    ages = _ages(frame, age_cols, population, rej, notes)

    keep = index[rej.ok]
    kept = codes[keep]
    geoms, located = _township_points(kept, township_polygons, counties)
    for i, ok in zip(keep, located):
        if not ok:
            notes.at[i] = [("note_population_county_point", {}), *notes.at[i]]
    layer = _table_layer(kept, method[keep], row_no[keep], population[keep], {c: v[keep] for c, v in ages.items()},
                         geoms, located, notes[keep], townships, counties, name)
    messages = []
    if (~located).any():
        messages.append(("pop_table_located", {"count": int((~located).sum())}))
    rejected = rejected_frame(rej, row_no, frame)
    assert len(layer) + len(rejected) == len(frame), "every input row is loaded or rejected"
    return PopulationResult(kind=RESIDENTIAL, layer=layer, rejected=rejected, source=name,
                            column_map={h: c for c, h in cols.items() if h}, messages=messages)


def _table_layer(codes, method, rows, population, ages, geoms, located, notes, townships, counties, source):
    tw = townships.set_index("code")
    county = counties.set_index("adcode")
    cc = codes.str[:6]
    pts = gpd.GeoSeries(list(geoms), crs="EPSG:4326") if len(geoms) else gpd.GeoSeries([], crs="EPSG:4326")
    lon, lat = np.round(pts.x.to_numpy(), 7), np.round(pts.y.to_numpy(), 7)
    data = {
        "row": rows.to_numpy(),
        "id": codes.to_numpy(),
        "name": codes.map(tw["name"]).to_numpy(),
        "urban": (codes.map(tw["kind"]) == "街道").to_numpy(dtype=bool),
        "population": population.round().astype("int64").to_numpy(),
        **{c: ages[c].astype("int64").to_numpy() for c in AGE_COLUMNS},
        "source": np.full(len(codes), source, dtype=object),
        "lon": lon,
        "lat": lat,
        "coord_system": np.full(len(codes), "wgs84", dtype=object),
        "county_code": cc.to_numpy(),
        "county_name": cc.map(county["name"]).to_numpy(),
        "city_code": cc.map(county["city_code"]).to_numpy(),
        "city_name": cc.map(county["city_name"]).to_numpy(),
        "township_code": codes.to_numpy(),
        "township_name": codes.map(tw["name"]).to_numpy(),
        "township_kind": codes.map(tw["kind"]).to_numpy(),
        "admin_method": method.to_numpy(),
        "located": np.asarray(located, dtype=bool),
        "notes": notes.map(lambda ns: "；".join(t(k, "zh", **p) for k, p in ns)).to_numpy(),
        "notes_en": notes.map(lambda ns: "; ".join(t(k, "en", **p) for k, p in ns)).to_numpy(),
    }
    layer = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    for c in ("id", *[a for a in ADMIN_COLUMNS if a.endswith("code")]):
        layer[c] = layer[c].astype(object)
    return layer


# --- Population grid -----------------------------------------------------------------------


def _resolve_shares(age_shares) -> tuple[dict[str, float], str | None]:
    """Shares from a dict, a population-table result, or the defaults; and their source (None: defaults)."""
    if age_shares is None:
        return age_defaults(), None
    if isinstance(age_shares, PopulationResult):
        return age_shares.shares, age_shares.source
    defaults = age_defaults()
    return {c: float(age_shares.get(c, defaults[c])) for c in AGE_COLUMNS}, "age_shares"


def _cell_area_km2(transform, crs, centre_lat: float) -> float:
    """The area of one cell in km² (at the grid's centre latitude for a geographic grid)."""
    w, h = abs(transform.a), abs(transform.e)
    if crs is None or crs.is_geographic:
        return (w * 111.32 * np.cos(np.radians(centre_lat))) * (h * 110.574)
    return w * h / 1e6


def _cell_centres(transform, rows: np.ndarray, cols: np.ndarray, crs) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of the centres of the given cells."""
    x = transform.c + (cols + 0.5) * transform.a + (rows + 0.5) * transform.b
    y = transform.f + (cols + 0.5) * transform.d + (rows + 0.5) * transform.e
    if crs is not None and crs.to_epsg() != 4326:
        from pyproj import Transformer

        tr = Transformer.from_crs(crs.to_wkt(), "EPSG:4326", always_xy=True)
        x, y = tr.transform(x, y)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _grid_lonlat_bounds(ds) -> tuple[float, float, float, float]:
    from rasterio.warp import transform_bounds

    if ds.crs is None:
        return tuple(ds.bounds)
    return transform_bounds(ds.crs, "EPSG:4326", *ds.bounds, densify_pts=21)


def _read_grid(path: Path, name: str):
    """The raster's band 1 (float, NaN for nodata), transform, CRS, band count and dtype."""
    import rasterio

    try:
        with rasterio.open(path) as ds:
            band = ds.read(1, masked=True).astype("float64")
            return band.filled(np.nan), ds.transform, ds.crs, ds.count, ds.dtypes[0], _grid_lonlat_bounds(ds)
    except rasterio.errors.RasterioError as exc:
        detail = " ".join(str(exc).replace(str(path), name).split())  # never show a server's temporary path
        raise LayerReadError(name, "err_parse", detail=detail[:300]) from None


def load_population_grid(
    path: str | Path,
    *,
    area: shapely.Geometry | None = None,
    age_shares: dict[str, float] | PopulationResult | None = None,
    max_cells: int = 2_000_000,
    counties: gpd.GeoDataFrame | None = None,
    townships: pd.DataFrame | None = None,
    display_name: str | None = None,
) -> PopulationResult:
    """Read a population grid (people per cell, e.g. WorldPop 100 m) as one demand point per populated cell.

    Cells are skipped and counted, each once, in this order: ``nodata`` (the
    raster's nodata value or NaN), ``negative``, ``zero``, ``outside`` (cell
    centre outside ``area`` or outside every county); the others are
    ``loaded``.  Ages come from ``age_shares``; ``urban`` is True where the
    cell density reaches the threshold of ``population_defaults.toml``.

    Warnings (in :attr:`PopulationResult.messages`, shown by ``summary``):
    a raster of 3 or more uint8 bands looks like imagery; a cell above the
    plausible density (``max_plausible_density_per_km2``, 100,000 per km²,
    i.e. 1,000 people in a 100 m cell) means the values are not people per cell.

    Parameters
    ----------
    path
        A GeoTIFF (any raster rasterio reads); band 1 is read.  Any CRS:
        cell centres are transformed to EPSG:4326.
    area
        Lon/lat polygon to keep (default: Shanxi's province outline).
    age_shares
        ``{"pop_3_5": share, "pop_60_plus": share}``, or a census-table result
        whose population-weighted shares are used; default: the defaults file.
    max_cells
        More populated cells in the area than this is an error (aggregate first).
    counties, townships, display_name
        Boundaries to use (default: the shipped ones) and the name in messages.

    Raises
    ------
    LayerReadError
        When the file cannot be read, lies outside Shanxi, or has too many cells.
    """
    path = Path(path)
    name = display_name or path.name
    if not path.is_file():
        raise LayerReadError(name, "err_not_found")
    values, transform, crs, n_bands, dtype, (west, south, east, north) = _read_grid(path, name)
    counties = boundaries.load_counties() if counties is None else counties
    townships = boundaries.load_townships() if townships is None else townships
    province = boundaries.load_province().geometry.iloc[0]
    if not shapely.box(west, south, east, north).intersects(province):
        raise LayerReadError(name, "err_grid_outside", west=f"{west:.4f}", east=f"{east:.4f}",
                             south=f"{south:.4f}", north=f"{north:.4f}")
    area = province if area is None else area
    settings = _defaults_file()["grid"]
    messages: list[tuple[str, dict]] = []
    if crs is None:
        messages.append(("pop_grid_no_crs", {}))
    if n_bands >= 3 and dtype == "uint8":
        messages.append(("pop_grid_warn_rgb", {"bands": n_bands}))

    flat = values.ravel()
    nodata = ~np.isfinite(flat)
    negative = ~nodata & (flat < 0)
    zero = ~nodata & (flat == 0)
    positive = np.flatnonzero(~nodata & (flat > 0))
    rows, cols = np.divmod(positive, values.shape[1])
    lon, lat = _cell_centres(transform, rows, cols, crs)
    inside = shapely.contains_xy(area, lon, lat)
    if int(inside.sum()) > max_cells:
        raise LayerReadError(name, "err_grid_too_large", cells=int(inside.sum()), limit=max_cells)
    cell_km2 = _cell_area_km2(transform, crs, (south + north) / 2)
    pop = flat[positive]
    limit = float(settings["max_plausible_density_per_km2"])
    if len(pop) and pop.max() / cell_km2 > limit:
        messages.append(("pop_grid_warn_density", {
            "value": f"{pop.max():,.0f}", "density": f"{pop.max() / cell_km2:,.0f}", "limit": f"{limit:,.0f}"}))

    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon[inside], lat[inside]), crs="EPSG:4326")
    placed = admin.assign_admin(pts, counties=counties, townships=townships, tolerance_m=0.0)
    ok = placed["reject"].isna().to_numpy()
    keep = np.flatnonzero(inside)[ok]
    shares, basis = _resolve_shares(age_shares)
    urban_density = float(settings["urban_density_per_km2"])
    layer = _grid_layer(rows[keep], cols[keep], lon[keep], lat[keep], pop[keep], placed[ok], shares,
                        pop[keep] / cell_km2 >= urban_density, counties, name)
    messages.append(("pop_grid_ages", {"share_3_5": _pct(shares["pop_3_5"]), "share_60": _pct(shares["pop_60_plus"]),
                                       "basis": basis}))
    messages.append(("pop_grid_urban", {"density": f"{urban_density:,.0f}"}))
    cells = {
        "total": int(flat.size),
        "loaded": len(layer),
        "nodata": int(nodata.sum()),
        "negative": int(negative.sum()),
        "zero": int(zero.sum()),
        "outside": int(len(positive) - len(layer)),
    }
    assert cells["total"] == sum(v for k, v in cells.items() if k != "total"), "every cell is counted once"
    rejected = pd.DataFrame(columns=["row", "reason_key", "reason", "reason_en"])
    return PopulationResult(kind=RESIDENTIAL, layer=layer, rejected=rejected, source=name, cells=cells, messages=messages)


def _grid_layer(rows, cols, lon, lat, pop, placed, shares, urban, counties, source) -> gpd.GeoDataFrame:
    county = counties.set_index("adcode")
    cc = placed["county_code"].reset_index(drop=True)
    n = len(rows)
    ids = np.array([f"G{r}-{c}" for r, c in zip(rows, cols)], dtype=object)
    empty = np.full(n, "", dtype=object)
    data = {
        "row": np.arange(1, n + 1),
        "id": ids,
        "name": ids.copy(),
        "urban": np.asarray(urban, dtype=bool),
        "population": pop,
        **{c: pop * shares[c] for c in AGE_COLUMNS},
        "source": np.full(n, source, dtype=object),
        "lon": np.round(lon, 7),
        "lat": np.round(lat, 7),
        "coord_system": np.full(n, "wgs84", dtype=object),
        "county_code": cc.to_numpy(dtype=object),
        "county_name": cc.map(county["name"]).to_numpy(dtype=object),
        "city_code": cc.map(county["city_code"]).to_numpy(dtype=object),
        "city_name": cc.map(county["city_name"]).to_numpy(dtype=object),
        "township_code": np.full(n, None, dtype=object),
        "township_name": np.full(n, None, dtype=object),
        "township_kind": np.full(n, None, dtype=object),
        "admin_method": placed["admin_method"].to_numpy(dtype=object),
        "located": np.ones(n, dtype=bool),
        "notes": empty,
        "notes_en": empty.copy(),
    }
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(data["lon"], data["lat"]), crs="EPSG:4326")
