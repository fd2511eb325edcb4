"""Load a user or demo file as a typed, validated, WGS-84 layer.

``load_layer`` is the one entry point for point layers (kindergartens,
elderly-care sites, fitness facilities, residential demand points):

read (any format) -> map headers -> parse values -> convert coordinates ->
assign county and township -> :class:`LoadResult` with the loaded layer and a
table of rejected rows.  Every input row ends up in exactly one of the two.

A row without usable coordinates (none, unreadable, swapped, outside Shanxi,
an unknown datum) is still loaded when its township or at least its county is
known from its other fields (a township or county code, a township or county
name, the address): ``located`` is False, its geometry is empty, it counts in
the rules and indicators at the levels it is known at, and it is left out of
every distance analysis.  Only a row with neither is rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo.errors import LayerReadError
from sxgeo.io import coords, poi
from sxgeo.io._validate import Rejects, add_note, cross_checks, nfkc, parse_columns, rejected_frame
from sxgeo.io.lenient import is_plain_number, parse_coordinate, show_number
from sxgeo.io.read import RawTable, read_table
from sxgeo.io.result import LoadResult, note_counts
from sxgeo.layers import admin, boundaries
from sxgeo.layers.kinds import LayerKind, get_kind, normalise_header, normalise_value
from sxgeo.text import t

__all__ = ["LoadResult", "load_layer", "map_headers"]

# Raw longitude/latitude that would be Shanxi if the two columns were exchanged.
_SWAPPED_LON = (33.5, 41.5)
_SWAPPED_LAT = (109.5, 115.5)

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
    "located",
)

#: Rejection keys of coordinates that cannot be used; a row with one of them is kept without a location
#: when its county is known from its other fields, with the problem as a note.
COORD_PROBLEMS = ("unknown_crs", "missing_coords", "bad_coords", "swapped_coords", "outside_shanxi")

#: ``coord_system`` value asking for the datum of a recognised map-service export, else WGS-84.
AUTO = "auto"


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


# --- Reading the source -------------------------------------------------------------------


def _read_input(
    source: str | Path | pd.DataFrame,
    coord_system: str,
    *,
    sheet: str | int | None,
    encoding: str | None,
    display_name: str | None,
) -> tuple[RawTable, str, str]:
    """Check the file's coordinate system, then read the source: the raw table, its name and the system (or ``auto``)."""
    in_memory = isinstance(source, pd.DataFrame)
    name = display_name or ("<table>" if in_memory else Path(source).name)
    auto = str(coord_system).strip().lower() == AUTO
    default_crs = AUTO if auto else coords.normalise_coord_system(coord_system)
    if default_crs is None:
        raise LayerReadError(name, "err_crs", value=coord_system)
    if in_memory:
        return _raw_from_frame(source, name), name, default_crs
    return read_table(source, sheet=sheet, encoding=encoding, display_name=name), name, default_crs


def _raw_from_frame(frame: pd.DataFrame, name: str) -> RawTable:
    """A table already in memory (a list typed in the app, planned sites), numbered from 1."""
    geometry = None
    attrs = pd.DataFrame(frame)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
        geometry = frame.geometry.reset_index(drop=True)
        attrs = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    attrs = attrs.reset_index(drop=True)
    text = attrs.apply(lambda col: col.map(_cell_text))
    return RawTable(
        frame=text.astype(str) if len(attrs.columns) else attrs,
        rows=np.arange(1, len(attrs) + 1),
        geometry=geometry,
        name=name,
    )


def _cell_text(v: object) -> str:
    """A value of a table in memory as text: '' for None, NaN and NA."""
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v)


def _has_geometry(raw: RawTable) -> bool:
    """Whether the source brought any geometry (a spatial file, or a GeoDataFrame with some)."""
    return raw.geometry is not None and raw.geometry.notna().any()


def _map_columns(
    raw: RawTable, export: poi.PoiExport, kind: LayerKind, name: str
) -> tuple[pd.DataFrame, dict[str, str], list[tuple[str, dict]]]:
    """Rename recognised headers to canonical columns; fill missing columns that have a default, with a warning.

    Fails if a required column or the coordinates are missing.
    """
    headers = [h for h in export.frame.columns if h not in export.consumed]
    column_map = map_headers(headers, kind, name)
    frame = export.frame.rename(columns=column_map)
    warnings = list(export.warnings)
    for col in kind.columns:
        if col.default is not None and col.name not in frame:
            frame[col.name] = col.default
            default = t(f"cat.{col.name}.{col.default}", "zh")
            warnings.append(("warn_missing_optional", {"column": col.label_zh, "value": default}))
    for col in kind.required:
        if col not in frame:
            column = kind.column(col)
            spellings = "、".join(dict.fromkeys((column.label_zh, *column.aliases)))
            raise LayerReadError(name, "err_missing_column", column=column.label_zh, accepted=spellings)
    placeable = any(c in frame for c in ("township_code", "township_name", "county_code", "county_name", "address"))
    if not _has_geometry(raw) and ("lon" not in frame or "lat" not in frame) and not placeable:
        raise LayerReadError(name, "err_no_coords")
    return frame, column_map, warnings


def _fallback_warnings(kind: LayerKind, layer: pd.DataFrame, column_map: dict, frame: pd.DataFrame) -> list[tuple[str, dict]]:
    """A warning per column whose unrecognised values were kept as its fallback (``Column.warn_fallback``)."""
    out = []
    for col in kind.columns:
        if not (col.warn_fallback and col.name in layer and col.name in frame and col.name in column_map.values()):
            continue
        raw = frame.loc[layer.index, col.name].astype(str).str.strip()
        lookup = col.category_lookup()
        unknown = (raw != "") & raw.map(lambda v, known=lookup: known.get(normalise_value(v)) is None) & raw.ne("nan")
        if unknown.any():
            value = t(f"cat.{col.name}.{col.fallback}", "zh")
            out.append(("warn_category_fallback",
                        {"column": col.label_zh, "count": int(unknown.sum()), "example": raw[unknown].iloc[0], "value": value}))
    return out


def _file_datum(default_crs: str, export: poi.PoiExport) -> tuple[str, str]:
    """The file's datum and why: as given, the recognised service's, or WGS-84."""
    if default_crs != AUTO:
        return default_crs, "explicit"
    if export.service is not None:
        return poi.SERVICE_DATUM[export.service], "export"
    return "wgs84", "default"


# --- Row checks, in the order load_layer runs them ----------------------------------------


def _reject_empty_rows(raw: RawTable, frame: pd.DataFrame, rej: Rejects) -> pd.Series:
    """Reject the wholly empty rows (no value, no geometry) and return their mask."""
    empty = (frame.apply(lambda c: c.astype(str).str.strip()) == "").all(axis=1)
    if _has_geometry(raw):
        empty &= raw.geometry.set_axis(frame.index).isna()
    rej.add(empty, "empty_row")
    return empty


def _row_coord_systems(frame: pd.DataFrame, default_crs: str, rej: Rejects) -> pd.Series:
    """Each row's coordinate system (its ``坐标系`` value, else the file's); reject unknown systems."""
    if "coord_system" not in frame:
        return pd.Series(default_crs, index=frame.index, dtype=object)
    text = nfkc(frame["coord_system"].astype(str))
    row_crs = text.map(lambda v: coords.normalise_coord_system(v) if v else default_crs)
    rej.add(row_crs.isna(), "unknown_crs", lambda i: {"value": text.at[i]})
    return row_crs


def _coordinates(
    raw: RawTable, frame: pd.DataFrame, notes: pd.Series, kind: LayerKind
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Raw longitude/latitude (as typed), their text for messages, from columns or geometry.

    Degrees-minutes-seconds and (in a ``;``-separated file) decimal commas are
    read, with a note.
    """
    if _has_geometry(raw):
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
    if "lon" not in frame or "lat" not in frame:  # a registry without coordinates: every row is placed by its text
        empty = pd.Series("", index=frame.index, dtype=object)
        nan = pd.Series(np.nan, index=frame.index)
        return nan, nan.copy(), empty, empty.copy()
    text_lon = nfkc(frame["lon"].astype(str))
    text_lat = nfkc(frame["lat"].astype(str))
    comma = raw.delimiter == ";"
    out = []
    for name, text in (("lon", text_lon), ("lat", text_lat)):
        value = pd.to_numeric(text.map(lambda v: parse_coordinate(v, decimal_comma=comma)), errors="coerce").astype(float)
        label = kind.column(name).label_zh
        typed = frame[name].astype(str).str.strip()
        read = value.notna() & ~typed.map(is_plain_number)
        add_note(
            notes, read, "note_value_read",
            lambda i, typed=typed, value=value, label=label: {
                "column": label, "value": typed.at[i], "parsed": show_number(value.at[i])
            },
        )
        out.append(value)
    return out[0], out[1], text_lon, text_lat


def _check_coordinates(
    raw: RawTable, frame: pd.DataFrame, rej: Rejects, notes: pd.Series, kind: LayerKind
) -> tuple[pd.Series, pd.Series, Callable[[object], dict[str, str]]]:
    """Coordinates as given and their message parameters; mark missing, unreadable, swapped and impossible ones in ``rej``."""
    lon, lat, text_lon, text_lat = _coordinates(raw, frame, notes, kind)

    def coord_params(i):
        return {"lon": text_lon.at[i] or "∅", "lat": text_lat.at[i] or "∅"}

    rej.add((text_lon == "") | (text_lat == ""), "missing_coords")
    rej.add(lon.isna() | lat.isna() | ~np.isfinite(lon) | ~np.isfinite(lat), "bad_coords", coord_params)
    swapped = lon.between(*_SWAPPED_LON) & lat.between(*_SWAPPED_LAT)
    rej.add(swapped, "swapped_coords", coord_params)
    rej.add((lon.abs() > 180) | (lat.abs() > 90), "bad_coords", coord_params)
    return lon, lat, coord_params


def _row_ids(
    parsed: dict[str, pd.Series], row_no: pd.Series, empty: pd.Series, rej: Rejects, notes: pd.Series
) -> pd.Series:
    """Each row's id (``R<row>`` when blank); reject an id's repeats after its first row."""
    index = row_no.index
    ids = parsed.get("id", pd.Series("", index=index, dtype=object)).astype(str)
    blank_id = ids == ""
    ids = ids.where(~blank_id, pd.Series([f"R{r}" for r in row_no.to_numpy()], index=index))
    if "id" in parsed:
        notes[blank_id & ~empty] = notes[blank_id & ~empty].map(lambda ns: ns + [("note_generated_id", {})])
    first_row = {}
    dup = pd.Series(False, index=index)
    for i in index[~empty]:
        if ids.at[i] in first_row:
            dup.at[i] = True
        else:
            first_row[ids.at[i]] = row_no.at[i]
    rej.add(dup, "duplicate_id", lambda i: {"id": ids.at[i], "first": first_row[ids.at[i]]})
    return ids


# --- Datum, county and township -----------------------------------------------------------


def _to_wgs84(lon: pd.Series, lat: pd.Series, row_crs: pd.Series, ok: pd.Series) -> tuple[pd.Series, pd.Series]:
    """WGS-84 longitude and latitude: the GCJ-02 and BD-09 rows in ``ok`` converted, the others as given."""
    wlon, wlat = lon.copy(), lat.copy()
    for system in ("gcj02", "bd09"):
        m = ok & (row_crs == system)
        if m.any():
            x, y = coords.to_wgs84(lon[m].to_numpy(), lat[m].to_numpy(), system)
            wlon[m], wlat[m] = x, y
    return wlon, wlat


_TEXT_COLUMNS = ("township_code", "township_name", "address", "county_code", "county_name", "city_name")


def _points(frame: pd.DataFrame, lon: pd.Series, lat: pd.Series, rows: pd.Series, usable: pd.Series) -> gpd.GeoDataFrame:
    """The rows in ``rows`` with the source columns admin assignment reads; a WGS-84 point where ``usable``, else None."""
    geometry = gpd.GeoSeries(gpd.points_from_xy(lon.where(usable, 0.0), lat.where(usable, 0.0)), index=frame.index)
    geometry[~usable] = None
    return gpd.GeoDataFrame(
        {c: frame[c].astype(str) for c in _TEXT_COLUMNS if c in frame},
        geometry=geometry.set_crs("EPSG:4326"),
        index=frame.index,
    )[rows]


def _reject_unplaced(placed: pd.DataFrame, rej: Rejects, coord_rej: Rejects, coord_params: Callable) -> pd.DataFrame:
    """Reject the rows that have neither a usable point nor a county named in their text.

    A point outside Shanxi is rejected as such; a row without a point is
    rejected for its coordinate problem (missing, unreadable, swapped …).
    """
    rej.add((placed["reject"] == "outside_shanxi").reindex(rej.key.index, fill_value=False), "outside_shanxi", coord_params)
    no_location = (placed["reject"] == "no_location").reindex(rej.key.index, fill_value=False)
    for key in COORD_PROBLEMS:
        rej.add(no_location & (coord_rej.key == key), key, lambda i: coord_rej.params.get(i, {}))
    return placed[placed["reject"].isna()]


def _note_unlocated(placed: pd.DataFrame, notes: pd.Series, coord_rej: Rejects, coord_params: Callable) -> None:
    """Note why each row kept without a location has none, and at which level it counts."""
    for i in placed.index[~placed["located"].to_numpy(dtype=bool)]:
        key = coord_rej.key.get(i)
        if key is None:  # its point lies outside Shanxi
            problem = ("outside_shanxi", coord_params(i))
        else:
            problem = ("note_no_coords", {}) if key == "missing_coords" else (key, coord_rej.params.get(i, {}))
        level = "township" if placed.at[i, "township_code"] is not None else "county"
        notes.at[i] = notes.at[i] + [problem, (f"note_unlocated_{level}", {})]


def _note_admin_caveats(placed: pd.DataFrame, notes: pd.Series, counties: gpd.GeoDataFrame) -> None:
    """Note points just outside the border, township codes of another county than the point's, and unlisted townships."""
    county_names = counties.set_index("adcode")
    for i in placed.index[placed["township_note"].notna().to_numpy()]:
        notes.at[i] = notes.at[i] + [placed.at[i, "township_note"]]
    near = placed["border_distance_m"] > 0
    for i in placed.index[near]:
        notes.at[i] = notes.at[i] + [("note_near_border", {"distance": int(round(placed.at[i, "border_distance_m"]))})]
    located = placed["located"].astype(bool)
    mismatch = located & placed["township_code"].notna() & (placed["county_code"] != placed["point_county"])
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


# --- The result ---------------------------------------------------------------------------


def _admin_columns(placed: pd.DataFrame, counties: gpd.GeoDataFrame, townships: pd.DataFrame) -> dict[str, np.ndarray]:
    """The :data:`ADMIN_COLUMNS` of the placed rows, with names looked up from the codes."""
    county_names = counties.set_index("adcode")
    tw = townships.set_index("code")
    cc, tc = placed["county_code"], placed["township_code"]
    return {
        "county_code": cc.to_numpy(),
        "county_name": cc.map(county_names["name"]).to_numpy(),
        "city_code": cc.map(county_names["city_code"]).to_numpy(),
        "city_name": cc.map(county_names["city_name"]).to_numpy(),
        "township_code": tc.to_numpy(),
        "township_name": tc.map(tw["name"]).to_numpy(),
        "township_kind": tc.map(tw["kind"]).to_numpy(),
        "admin_method": placed["admin_method"].to_numpy(),
        "located": placed["located"].to_numpy(dtype=bool),
    }


def _build_layer(
    kind: LayerKind,
    raw: RawTable,
    column_map: dict[str, str],
    parsed: dict[str, pd.Series],
    kept: pd.DataFrame,
    admin_columns: dict[str, np.ndarray],
) -> gpd.GeoDataFrame:
    """The loaded layer: row, id, attributes, coordinates, admin columns, notes, extra source columns, points."""
    keep = kept.index
    data: dict[str, object] = {"row": kept["row"].to_numpy(), "id": kept["id"].to_numpy()}
    for col in kind.columns:
        if col.name in ("id", "lon", "lat", "coord_system", *_TEXT_COLUMNS[:2], *_TEXT_COLUMNS[3:]):
            continue
        if col.name in parsed:
            data[col.name] = parsed[col.name][keep].to_numpy()
    located = admin_columns["located"]
    data["lon"] = kept["lon"].round(7).where(located, np.nan).to_numpy()
    data["lat"] = kept["lat"].round(7).where(located, np.nan).to_numpy()
    data["coord_system"] = kept["coord_system"].to_numpy()
    data.update(admin_columns)
    data["notes"] = kept["notes"].map(lambda ns: "；".join(t(k, "zh", **p) for k, p in ns)).to_numpy()
    data["notes_en"] = kept["notes"].map(lambda ns: "; ".join(t(k, "en", **p) for k, p in ns)).to_numpy()
    for h in raw.frame.columns:
        if h not in column_map and h not in data:
            data[h] = raw.frame.loc[keep, h].to_numpy()
    points = gpd.GeoSeries(gpd.points_from_xy(np.nan_to_num(data["lon"]), np.nan_to_num(data["lat"])))
    points[~located] = None
    layer = gpd.GeoDataFrame(data, geometry=points.to_numpy(), crs="EPSG:4326").reset_index(drop=True)
    for c in ("id", "county_code", "city_code", "township_code"):
        layer[c] = layer[c].astype(object)
    return layer


def _rejected_rows(raw: RawTable, rej: Rejects, row_no: pd.Series) -> pd.DataFrame:
    """The rejected rows under their original headers, with a spatial source's geometry as WKT."""
    original = raw.frame.copy()
    if _has_geometry(raw):
        original["_geometry_wkt"] = raw.geometry.set_axis(row_no.index).map(lambda g: "" if g is None else g.wkt[:200])
    return rejected_frame(rej, row_no, original)


def load_layer(
    source: str | Path | pd.DataFrame,
    kind: str | LayerKind,
    *,
    coord_system: str = AUTO,
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
        :data:`sxgeo.io.coords.COORD_SYSTEMS`; or ``auto`` (the default): the
        service's datum for a recognised Amap/Tencent (GCJ-02) or Baidu (BD-09)
        POI export (:mod:`sxgeo.io.poi`), else WGS-84.  A named system always
        wins over the guess.  A ``坐标系`` column overrides it row by row.
        :meth:`LoadResult.summary` says which datum was used and why.
    township_polygons
        Township polygons from :func:`sxgeo.io.townships.load_township_polygons` (optional); when
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
    raw, name, default_crs = _read_input(source, coord_system, sheet=sheet, encoding=encoding, display_name=display_name)
    export = poi.adapt(raw.frame, kind)
    file_crs, datum_reason = _file_datum(default_crs, export)
    frame, column_map, warnings = _map_columns(raw, export, kind, name)
    counties = boundaries.load_counties() if counties is None else counties
    townships = boundaries.load_townships() if townships is None else townships
    index = frame.index
    rej = Rejects(index)
    coord_rej = Rejects(index)  # coordinate problems: a row with one is kept without a location if its county is known
    notes = pd.Series([list(export.notes.get(i, [])) for i in index], index=index, dtype=object)
    row_no = pd.Series(raw.rows, index=index)

    # The checks, in this order: a row is rejected for the first one it fails.
    empty = _reject_empty_rows(raw, raw.frame, rej)
    row_crs = _row_coord_systems(frame, file_crs, coord_rej)
    lon, lat, coord_params = _check_coordinates(raw, frame, coord_rej, notes, kind)
    parsed = parse_columns(frame, kind, rej, notes, decimal_comma=raw.delimiter == ";")
    cross_checks(kind, parsed, rej)
    ids = _row_ids(parsed, row_no, empty, rej, notes)

    # Datum, then county and township: a row with neither a usable point nor a county in its text is rejected.
    usable = rej.ok & coord_rej.ok
    lon, lat = _to_wgs84(lon, lat, row_crs, usable)
    placed = admin.assign_admin(
        _points(frame, lon, lat, rej.ok, usable),
        counties=counties,
        townships=townships,
        township_polygons=township_polygons,
        tolerance_m=tolerance_m,
    )
    placed = _reject_unplaced(placed, rej, coord_rej, coord_params)
    _note_unlocated(placed, notes, coord_rej, coord_params)
    _note_admin_caveats(placed, notes, counties)

    per_row = pd.DataFrame({"row": row_no, "id": ids, "lon": lon, "lat": lat, "coord_system": row_crs, "notes": notes})
    admin_columns = _admin_columns(placed, counties, townships)
    layer = _build_layer(kind, raw, column_map, parsed, per_row.loc[placed.index], admin_columns)
    rejected = _rejected_rows(raw, rej, row_no)
    warnings += _fallback_warnings(kind, layer, column_map, frame)
    assert len(layer) + len(rejected) == len(frame), "every input row is loaded or rejected"
    return LoadResult(
        kind=kind, layer=layer, rejected=rejected, source=name, column_map=column_map, coord_system=file_crs,
        datum_reason=datum_reason if layer["located"].any() or len(layer) == 0 else None, service=export.service,
        warnings=warnings, has_row_datum="coord_system" in frame, note_counts=note_counts(per_row.loc[placed.index, "notes"]),
    )

