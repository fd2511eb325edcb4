"""Load a user or demo file as a typed, validated, WGS-84 layer.

``load_layer`` is the one entry point for point layers (kindergartens,
elderly-care sites, fitness facilities, residential demand points):

read (any format) -> map headers -> parse values -> convert coordinates ->
assign county and township -> :class:`LoadResult` with the loaded layer and a
table of rejected rows.  Every input row ends up in exactly one of the two.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo.layers import admin
from sxgeo.layers import boundaries
from sxgeo.io import coords
from sxgeo.text import choose, t
from sxgeo.errors import LayerReadError
from sxgeo.io.read import RawTable, read_table
from sxgeo.layers.kinds import BOOL_FALSE, BOOL_TRUE, LayerKind, get_kind, normalise_header, normalise_value

__all__ = ["LoadResult", "load_layer", "load_township_polygons", "map_headers"]

# Raw longitude/latitude that would be Shanxi if the two columns were exchanged.
_SWAPPED_LON = (33.5, 41.5)
_SWAPPED_LAT = (109.5, 115.5)
_YEAR_RANGE = (1900, 2100)

#: Columns every loaded point layer has, after the kind's own.
ADMIN_COLUMNS = (
    "county_code",
    "county_name",
    "city_code",
    "city_name",
    "township_code",
    "township_name",
    "township_kind",
    "admin_method",
)


@dataclass
class LoadResult:
    """A loaded layer and the rows that could not be loaded.

    Attributes
    ----------
    kind
        The layer kind.
    layer
        The loaded rows: canonical columns, administrative columns
        (:data:`ADMIN_COLUMNS`), ``row`` (the source row number), ``notes`` /
        ``notes_en`` (caveats), any extra source columns, and point geometry in
        EPSG:4326.
    rejected
        One row per rejected input row: ``row``, ``reason_key``, ``reason``
        (Chinese), ``reason_en`` and the original values under their original
        headers.
    source
        The file's name.
    column_map
        Source header -> canonical column, for the headers that were recognised.
    """

    kind: LayerKind
    layer: gpd.GeoDataFrame
    rejected: pd.DataFrame
    source: str
    column_map: dict[str, str] = field(default_factory=dict)

    @property
    def n_input(self) -> int:
        return len(self.layer) + len(self.rejected)

    def summary(self, lang: str = "zh") -> str:
        """One line: how many rows were read, loaded and rejected."""
        return t(
            "load.summary", lang, source=self.source, kind=self.kind.label(lang), n=self.n_input,
            loaded=len(self.layer), rejected=len(self.rejected),
        )

    def rejected_view(self, lang: str = "zh") -> pd.DataFrame:
        """The rejected rows with one reason column in ``lang``."""
        reason = choose({"zh": self.rejected["reason"], "en": self.rejected["reason_en"]}, lang)
        rest = self.rejected.drop(columns=["row", "reason_key", "reason", "reason_en"])
        head = pd.DataFrame({t("load.col_row", lang): self.rejected["row"], t("load.col_reason", lang): reason})
        return pd.concat([head, rest], axis=1)


def map_headers(headers: list[str], kind: LayerKind, file: str) -> dict[str, str]:
    """Map source headers to canonical column names.

    A header matches a column when its normalised form is one of the column's
    spellings; when two headers match the same column, the one matching an
    earlier spelling (the canonical label before an alias) wins and the other is
    kept as an extra column, unless both match equally well, which is an error.

    Raises
    ------
    LayerReadError
        When two headers are equally good matches for one column.
    """
    best: dict[str, tuple[int, str]] = {}
    for h in headers:
        norm = normalise_header(h)
        for col in kind.columns:
            spellings = col.spellings()
            if norm in spellings:
                rank = spellings.index(norm)
                prev = best.get(col.name)
                if prev is None or rank < prev[0]:
                    best[col.name] = (rank, h)
                elif rank == prev[0]:
                    raise LayerReadError(
                        file, "err_header_conflict", first=prev[1], second=h, column=col.label_zh
                    )
                break
    return {h: name for name, (_, h) in best.items()}


def _nfkc(s: pd.Series) -> pd.Series:
    return s.map(lambda v: unicodedata.normalize("NFKC", v).strip())


def _to_number(s: pd.Series) -> pd.Series:
    cleaned = s.str.replace(",", "", regex=False).str.replace(" ", "", regex=False)
    return pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce")


class _Rejects:
    """Collects the first rejection reason of each row."""

    def __init__(self, index: pd.Index) -> None:
        self.key = pd.Series([None] * len(index), index=index, dtype=object)
        self.params: dict[object, dict[str, object]] = {}

    def add(self, mask: pd.Series, key: str, params=None) -> None:
        """Reject rows in ``mask`` not yet rejected; ``params(i)`` gives message parameters."""
        new = mask & self.key.isna()
        for i in new[new].index:
            self.key.at[i] = key
            self.params[i] = params(i) if params else {}

    @property
    def ok(self) -> pd.Series:
        return self.key.isna()


def _rejected_frame(rej: "_Rejects", row_no: pd.Series, original: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows: number, reason key, reason in both languages, then the original values."""
    bad = rej.key.notna()
    idx = rej.key.index[bad]
    head = pd.DataFrame(
        {
            "row": row_no[bad].to_numpy(),
            "reason_key": rej.key[bad].to_numpy(),
            "reason": [t(rej.key.at[i], "zh", **rej.params.get(i, {})) for i in idx],
            "reason_en": [t(rej.key.at[i], "en", **rej.params.get(i, {})) for i in idx],
        }
    )
    return pd.concat([head, original.loc[bad].reset_index(drop=True)], axis=1)


def _parse_columns(frame: pd.DataFrame, kind: LayerKind, rej: _Rejects) -> dict[str, pd.Series]:
    """Parse every canonical column present; reject rows with bad values."""
    parsed: dict[str, pd.Series] = {}
    for col in kind.columns:
        if col.name not in frame or col.name in ("lon", "lat", "coord_system"):
            continue
        raw = _nfkc(frame[col.name].astype(str))
        empty = raw == ""
        label = col.label_zh

        def params(i, raw=raw, label=label):
            return {"column": label, "value": raw.at[i]}

        if col.required:
            rej.add(empty, "missing_value", lambda i, label=label: {"column": label})
        if col.dtype in ("int", "float", "year"):
            num = _to_number(raw)
            rej.add(~empty & num.isna(), "bad_value", params)
            rej.add(num < 0, "negative_value", params)
            if col.dtype == "int":
                rej.add(num.notna() & (num != np.floor(num)), "bad_value", params)
                num = num.round().astype("Int64")
            elif col.dtype == "year":
                rej.add(num.notna() & ((num < _YEAR_RANGE[0]) | (num > _YEAR_RANGE[1]) | (num != np.floor(num))), "bad_value", params)
                num = num.round().astype("Int64")
            parsed[col.name] = num
        elif col.dtype == "bool":
            norm = raw.map(normalise_value)
            true = set(BOOL_TRUE) | {normalise_value(v) for v in col.values.get("true", ())}
            false = set(BOOL_FALSE) | {normalise_value(v) for v in col.values.get("false", ())}
            value = pd.Series(pd.NA, index=raw.index, dtype="boolean")
            value[norm.isin(true)] = True
            value[norm.isin(false)] = False
            rej.add(~empty & value.isna(), "bad_value", params)
            parsed[col.name] = value
        elif col.dtype == "category":
            lookup = col.category_lookup()
            value = raw.map(lambda v: lookup.get(normalise_value(v)) if v else None)
            rej.add(~empty & value.isna(), "bad_value", params)
            parsed[col.name] = value.astype(object)
        else:
            parsed[col.name] = raw.astype(object)
    return parsed


def _cross_checks(kind: LayerKind, parsed: dict[str, pd.Series], rej: _Rejects) -> None:
    if "beds" in parsed and "nursing_beds" in parsed:
        beds, nursing = parsed["beds"], parsed["nursing_beds"]
        bad = (nursing > beds).fillna(False).astype(bool)
        rej.add(bad, "nursing_gt_beds", lambda i: {"nursing": nursing.at[i], "beds": beds.at[i]})
    if "population" in parsed:
        pop = parsed["population"]
        for name in ("pop_3_5", "pop_60_plus"):
            if name in parsed:
                part = parsed[name]
                bad = (part > pop).fillna(False).astype(bool)
                label = kind.column(name).label_zh
                rej.add(
                    bad,
                    "age_gt_population",
                    lambda i, part=part, label=label: {"column": label, "value": part.at[i], "population": pop.at[i]},
                )


def _coordinates(
    raw: RawTable, frame: pd.DataFrame, rej: _Rejects, notes: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Raw longitude/latitude (as typed), their text for messages, from columns or geometry."""
    if raw.geometry is not None and raw.geometry.notna().any():
        geom = raw.geometry
        if geom.crs is not None and not geom.crs.equals("EPSG:4326"):
            geom = geom.to_crs("EPSG:4326")
        geom = geom.set_axis(frame.index)
        missing = geom.isna() | geom.is_empty
        polys = ~missing & ~geom.geom_type.isin(["Point"])
        pts = geom.copy()
        pts[polys] = geom[polys].representative_point()
        notes[polys] = notes[polys].map(lambda ns: ns + [("note_polygon_centroid", {})])
        lon = pd.Series(np.where(missing, np.nan, shapely.get_x(pts.where(~missing, None).values)), index=frame.index)
        lat = pd.Series(np.where(missing, np.nan, shapely.get_y(pts.where(~missing, None).values)), index=frame.index)
        text_lon = lon.map(lambda v: "" if np.isnan(v) else f"{v:.6f}")
        text_lat = lat.map(lambda v: "" if np.isnan(v) else f"{v:.6f}")
        return lon, lat, text_lon, text_lat
    if "lon" not in frame or "lat" not in frame:
        raise LayerReadError(raw.name, "err_no_coords")
    text_lon = _nfkc(frame["lon"].astype(str))
    text_lat = _nfkc(frame["lat"].astype(str))
    return _to_number(text_lon), _to_number(text_lat), text_lon, text_lat


def _raw_from_frame(frame: pd.DataFrame, name: str) -> RawTable:
    """A table already in memory (a list typed in the app, planned sites), numbered from 1."""
    geometry = None
    attrs = pd.DataFrame(frame)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
        geometry = frame.geometry.reset_index(drop=True)
        attrs = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    attrs = attrs.reset_index(drop=True)
    text = attrs.apply(lambda col: col.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v)))
    return RawTable(frame=text.astype(str) if len(attrs.columns) else attrs, rows=np.arange(1, len(attrs) + 1), geometry=geometry, name=name)


def load_layer(
    source: str | Path | pd.DataFrame,
    kind: str | LayerKind,
    *,
    coord_system: str = "wgs84",
    township_polygons: gpd.GeoDataFrame | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    display_name: str | None = None,
    tolerance_m: float = 500.0,
    counties: gpd.GeoDataFrame | None = None,
    townships: pd.DataFrame | None = None,
) -> LoadResult:
    """Read, validate and convert a point layer.

    Parameters
    ----------
    source
        CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX, GeoJSON, GeoPackage or
        zipped Shapefile; or a (Geo)DataFrame already in memory, whose rows are
        numbered from 1.
    kind
        ``kindergartens``, ``elderly_care``, ``fitness`` or ``residential``.
    coord_system
        The system the coordinates are in: ``wgs84`` (also CGCS2000),
        ``gcj02`` (Amap, Tencent) or ``bd09`` (Baidu); any alias from
        :data:`sxgeo.io.coords.COORD_SYSTEMS`.  A ``坐标系`` column overrides it
        row by row.
    township_polygons
        Township polygons from :func:`load_township_polygons` (optional); when
        given they are the first way to assign townships.
    sheet, encoding, display_name
        Passed to :func:`sxgeo.io.read.read_table`.
    tolerance_m
        Points up to this far outside Shanxi's boundary are kept and given the
        nearest county, with a note; farther ones are rejected.
    counties, townships
        Boundaries to use (default: the shipped ones).

    Returns
    -------
    LoadResult

    Raises
    ------
    LayerReadError
        If the file cannot be read at all, lacks a required column, or
        ``coord_system`` is unknown.
    """
    kind = get_kind(kind)
    in_memory = isinstance(source, pd.DataFrame)
    name = display_name or ("<table>" if in_memory else Path(source).name)
    default_crs = coords.normalise_coord_system(coord_system)
    if default_crs is None:
        raise LayerReadError(name, "err_crs", value=coord_system)
    raw = _raw_from_frame(source, name) if in_memory else read_table(source, sheet=sheet, encoding=encoding, display_name=name)
    column_map = map_headers(list(raw.frame.columns), kind, name)
    frame = raw.frame.rename(columns=column_map)
    has_geometry = raw.geometry is not None and raw.geometry.notna().any()
    for col in kind.required:
        if col not in frame:
            spellings = "、".join(dict.fromkeys((kind.column(col).label_zh, *kind.column(col).aliases)))
            raise LayerReadError(name, "err_missing_column", column=kind.column(col).label_zh, accepted=spellings)
    if not has_geometry and ("lon" not in frame or "lat" not in frame):
        raise LayerReadError(name, "err_no_coords")

    counties = boundaries.load_counties() if counties is None else counties
    townships = boundaries.load_townships() if townships is None else townships
    index = frame.index
    rej = _Rejects(index)
    notes = pd.Series([[] for _ in range(len(index))], index=index, dtype=object)

    # 1. wholly empty rows
    empty = (frame.apply(lambda c: c.astype(str).str.strip()) == "").all(axis=1)
    if has_geometry:
        empty &= raw.geometry.set_axis(index).isna()
    rej.add(empty, "empty_row")

    # 2. per-row coordinate system
    if "coord_system" in frame:
        row_crs_text = _nfkc(frame["coord_system"].astype(str))
        row_crs = row_crs_text.map(lambda v: coords.normalise_coord_system(v) if v else default_crs)
        rej.add(row_crs.isna(), "unknown_crs", lambda i: {"value": row_crs_text.at[i]})
    else:
        row_crs = pd.Series(default_crs, index=index, dtype=object)

    # 3. coordinates present, numeric, in range, not swapped
    lon, lat, text_lon, text_lat = _coordinates(raw, frame, rej, notes)

    def coord_params(i):
        return {"lon": text_lon.at[i] or "∅", "lat": text_lat.at[i] or "∅"}

    rej.add((text_lon == "") | (text_lat == ""), "missing_coords")
    rej.add(lon.isna() | lat.isna() | ~np.isfinite(lon) | ~np.isfinite(lat), "bad_coords", coord_params)
    swapped = lon.between(*_SWAPPED_LON) & lat.between(*_SWAPPED_LAT)
    rej.add(swapped, "swapped_coords", coord_params)
    rej.add((lon.abs() > 180) | (lat.abs() > 90), "bad_coords", coord_params)

    # 4. attribute values
    parsed = _parse_columns(frame, kind, rej)
    _cross_checks(kind, parsed, rej)

    # 5. ids: generated when missing, the first occurrence of a duplicate wins
    ids = parsed.get("id", pd.Series("", index=index, dtype=object)).astype(str)
    blank_id = ids == ""
    ids = ids.where(~blank_id, pd.Series([f"R{r}" for r in raw.rows], index=index))
    if "id" in parsed:
        notes[blank_id & ~empty] = notes[blank_id & ~empty].map(lambda ns: ns + [("note_generated_id", {})])
    row_no = pd.Series(raw.rows, index=index)
    first_row = {}
    dup = pd.Series(False, index=index)
    for i in index[~empty]:
        if ids.at[i] in first_row:
            dup.at[i] = True
        else:
            first_row[ids.at[i]] = row_no.at[i]
    rej.add(dup, "duplicate_id", lambda i: {"id": ids.at[i], "first": first_row[ids.at[i]]})

    # 6. convert to WGS-84, row by row system
    wlon, wlat = lon.copy(), lat.copy()
    for system in ("gcj02", "bd09"):
        m = rej.ok & (row_crs == system)
        if m.any():
            x, y = coords.to_wgs84(lon[m].to_numpy(), lat[m].to_numpy(), system)
            wlon[m], wlat[m] = x, y
    ok = rej.ok
    points = gpd.GeoDataFrame(
        {c: frame[c].astype(str) for c in ("township_code", "township_name", "address") if c in frame},
        geometry=gpd.points_from_xy(wlon.where(ok), wlat.where(ok)),
        index=index,
        crs="EPSG:4326",
    )[ok]

    # 7. county and township
    placed = admin.assign_admin(
        points, counties=counties, townships=townships, township_polygons=township_polygons, tolerance_m=tolerance_m
    )
    for key in ("outside_shanxi", "unknown_township", "township_ambiguous"):
        m = (placed["reject"] == key).reindex(index, fill_value=False)
        if key == "outside_shanxi":
            rej.add(m, key, coord_params)
        else:
            rej.add(m, key, lambda i: {"value": placed.at[i, "reject_value"], "name": placed.at[i, "reject_value"]})
    placed = placed[placed["reject"].isna()]
    county_names = counties.set_index("adcode")
    tw = townships.set_index("code")
    near = placed["border_distance_m"] > 0
    for i in placed.index[near]:
        notes.at[i] = notes.at[i] + [("note_near_border", {"distance": int(round(placed.at[i, "border_distance_m"]))})]
    mismatch = placed["township_code"].notna() & (placed["county_code"] != placed["point_county"])
    for i in placed.index[mismatch]:
        notes.at[i] = notes.at[i] + [
            (
                "note_county_mismatch",
                {
                    "township_county": county_names.at[placed.at[i, "county_code"], "name"],
                    "point_county": county_names.at[placed.at[i, "point_county"], "name"],
                },
            )
        ]

    # 8. assemble the loaded layer
    keep = placed.index
    data: dict[str, object] = {"row": row_no[keep].to_numpy(), "id": ids[keep].to_numpy()}
    for col in kind.columns:
        if col.name in ("id", "lon", "lat", "coord_system", "township_code", "township_name", "county_code"):
            continue
        if col.name in parsed:
            data[col.name] = parsed[col.name][keep].to_numpy()
    data["lon"] = wlon[keep].round(7).to_numpy()
    data["lat"] = wlat[keep].round(7).to_numpy()
    data["coord_system"] = row_crs[keep].to_numpy()
    cc = placed["county_code"]
    data["county_code"] = cc.to_numpy()
    data["county_name"] = cc.map(county_names["name"]).to_numpy()
    data["city_code"] = cc.map(county_names["city_code"]).to_numpy()
    data["city_name"] = cc.map(county_names["city_name"]).to_numpy()
    tc = placed["township_code"]
    data["township_code"] = tc.to_numpy()
    data["township_name"] = tc.map(tw["name"]).to_numpy()
    data["township_kind"] = tc.map(tw["kind"]).to_numpy()
    data["admin_method"] = placed["admin_method"].to_numpy()
    data["notes"] = notes[keep].map(lambda ns: "；".join(t(k, "zh", **p) for k, p in ns)).to_numpy()
    data["notes_en"] = notes[keep].map(lambda ns: "; ".join(t(k, "en", **p) for k, p in ns)).to_numpy()
    canonical = set(column_map)
    extras = [h for h in raw.frame.columns if h not in canonical]
    for h in extras:
        if h not in data:
            data[h] = raw.frame.loc[keep, h].to_numpy()
    layer = gpd.GeoDataFrame(
        data, geometry=gpd.points_from_xy(data["lon"], data["lat"]), crs="EPSG:4326"
    ).reset_index(drop=True)
    for c in ("id", "county_code", "city_code", "township_code"):
        layer[c] = layer[c].astype(object)

    # 9. rejected rows, with the original values under the original headers
    original = raw.frame.copy()
    if has_geometry:
        original["_geometry_wkt"] = raw.geometry.set_axis(index).map(lambda g: "" if g is None else g.wkt[:200])
    rejected = _rejected_frame(rej, row_no, original)
    assert len(layer) + len(rejected) == len(frame), "every input row is loaded or rejected"
    return LoadResult(kind=kind, layer=layer, rejected=rejected, source=name, column_map=column_map)


def _geoms_to_wgs84(geoms: gpd.GeoSeries, system: str) -> gpd.GeoSeries:
    """Reproject to EPSG:4326, then remove a GCJ-02/BD-09 offset from every vertex."""
    if geoms.crs is not None and not geoms.crs.equals("EPSG:4326"):
        geoms = geoms.to_crs("EPSG:4326")
    if system == "wgs84":
        return geoms.set_crs("EPSG:4326", allow_override=True)

    def shift(xy: np.ndarray) -> np.ndarray:
        x, y = coords.to_wgs84(xy[:, 0], xy[:, 1], system)
        return np.column_stack([x, y])

    out = shapely.transform(geoms.values, shift)
    return gpd.GeoSeries(out, index=geoms.index, crs="EPSG:4326")


_TP_CODE = ("code", "乡镇代码", "乡镇街道代码", "街道代码", "乡镇编码", "township_code", "xzqdm", "行政区代码", "行政区划代码")
_TP_NAME = ("name", "乡镇名称", "乡镇", "乡镇街道", "街道", "名称", "township", "township_name", "xzqmc", "行政区名称")
_TP_COUNTY = ("county_code", "区县代码", "县区代码", "县代码", "adcode")


def _pick(frame: pd.DataFrame, spellings: tuple[str, ...]) -> str | None:
    norm = {normalise_header(c): c for c in frame.columns}
    for s in spellings:
        if normalise_header(s) in norm:
            return norm[normalise_header(s)]
    return None


def load_township_polygons(
    source: str | Path,
    *,
    coord_system: str = "wgs84",
    encoding: str | None = None,
    display_name: str | None = None,
    counties: gpd.GeoDataFrame | None = None,
    townships: pd.DataFrame | None = None,
) -> LoadResult:
    """Load township polygons supplied by the user and match them to the official list.

    Each polygon is matched by its township code (9 or 12 digits) when it has
    one, else by county plus name: the county from a county-code column or,
    failing that, the county that holds the polygon's interior point.
    Polygons that match nothing, or a township already matched, are rejected
    with their reason.

    Returns
    -------
    LoadResult
        ``layer`` has ``code, name, kind, county_code, county_name, row,
        admin_method`` and the polygon geometry in EPSG:4326;
        ``layer.attrs["missing"]`` lists the codes of townships, in the counties
        the file covers, that got no polygon.
    """
    name = display_name or Path(source).name
    system = coords.normalise_coord_system(coord_system)
    if system is None:
        raise LayerReadError(name, "err_crs", value=coord_system)
    raw = read_table(source, encoding=encoding, display_name=name)
    if raw.geometry is None or not raw.geometry.notna().any():
        raise LayerReadError(name, "err_not_polygons")
    counties = boundaries.load_counties() if counties is None else counties
    townships = boundaries.load_townships() if townships is None else townships
    frame = raw.frame
    index = frame.index
    geoms = raw.geometry.set_axis(index)
    rej = _Rejects(index)
    rej.add(geoms.isna() | geoms.is_empty, "no_geometry")
    rej.add(~geoms.isna() & ~geoms.geom_type.isin(["Polygon", "MultiPolygon"]), "bad_geometry",
            lambda i: {"detail": geoms.at[i].geom_type})
    geoms = _geoms_to_wgs84(geoms, system)
    fixable = rej.ok & ~geoms.is_valid
    geoms[fixable] = geoms[fixable].make_valid()

    code_col, name_col, county_col = _pick(frame, _TP_CODE), _pick(frame, _TP_NAME), _pick(frame, _TP_COUNTY)
    valid = set(townships["code"])
    by_county_name, _ = admin.township_name_index(townships)
    ok = rej.ok
    inner = gpd.GeoSeries(geoms[ok].representative_point(), crs="EPSG:4326")
    point_county, _ = admin._county_of_points(inner, counties, 0.0)
    matched = pd.Series([None] * len(index), index=index, dtype=object)
    method = pd.Series([None] * len(index), index=index, dtype=object)
    for i in index[ok]:
        code = admin.normalise_township_code(frame.at[i, code_col]) if code_col else None
        if code in valid:
            matched.at[i], method.at[i] = code, "township_code"
            continue
        tname = unicodedata.normalize("NFKC", frame.at[i, name_col]).strip() if name_col else ""
        county = frame.at[i, county_col].strip()[:6] if county_col else point_county.get(i)
        hits = admin.lookup_township_name(by_county_name, (county, tname))
        if hits and len(hits) == 1:
            matched.at[i], method.at[i] = hits[0], "township_name"
    unmatched = ok & matched.isna()
    rej.add(
        unmatched,
        "township_not_matched",
        lambda i: {
            "code": frame.at[i, code_col] if code_col else "∅",
            "name": frame.at[i, name_col] if name_col else "∅",
        },
    )
    row_no = pd.Series(raw.rows, index=index)
    first: dict[str, int] = {}
    for i in index[rej.ok]:
        c = matched.at[i]
        if c in first:
            rej.add(pd.Series(index == i, index=index), "duplicate_township", lambda j, c=c: {"code": c, "first": first[c]})
        else:
            first[c] = row_no.at[i]
    keep = index[rej.ok]
    tw = townships.set_index("code")
    codes = matched[keep]
    layer = gpd.GeoDataFrame(
        {
            "code": codes.to_numpy(),
            "name": codes.map(tw["name"]).to_numpy(),
            "kind": codes.map(tw["kind"]).to_numpy(),
            "county_code": codes.map(tw["county_code"]).to_numpy(),
            "county_name": codes.map(tw["county_name"]).to_numpy(),
            "row": row_no[keep].to_numpy(),
            "admin_method": method[keep].to_numpy(),
        },
        geometry=geoms[keep].to_numpy(),
        crs="EPSG:4326",
    )
    covered = set(layer["county_code"])
    layer.attrs["missing"] = sorted(set(townships.loc[townships["county_code"].isin(covered), "code"]) - set(layer["code"]))
    rejected = _rejected_frame(rej, row_no, frame)
    kind = LayerKind("township_polygons", (), has_points=False)
    return LoadResult(kind=kind, layer=layer, rejected=rejected, source=name, column_map={})
