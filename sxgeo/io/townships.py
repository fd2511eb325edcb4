"""Load the user's township polygons and match each one to the official township list.

:func:`load_township_polygons` is the optional second way to place points in
townships (see :func:`sxgeo.layers.admin.assign_admin`): a polygon layer from a
bureau, in WGS-84, GCJ-02 or BD-09, whose features are matched by township code
or by county plus name.  Like :func:`sxgeo.io.load.load_layer` it returns a
:class:`~sxgeo.io.load.LoadResult` in which every input feature is either
loaded or rejected with its reason.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo.errors import LayerReadError
from sxgeo.io import coords
from sxgeo.io._validate import Rejects, rejected_frame
from sxgeo.io.load import LoadResult
from sxgeo.io.read import read_table
from sxgeo.layers import admin, boundaries
from sxgeo.layers.kinds import LayerKind, normalise_header

__all__ = ["load_township_polygons"]

# Accepted headers of the code, name and county-code columns, best first.
_TP_CODE = ("code", "乡镇代码", "乡镇街道代码", "街道代码", "乡镇编码", "township_code", "xzqdm", "行政区代码", "行政区划代码")
_TP_NAME = ("name", "乡镇名称", "乡镇", "乡镇街道", "街道", "名称", "township", "township_name", "xzqmc", "行政区名称")
_TP_COUNTY = ("county_code", "区县代码", "县区代码", "县代码", "adcode")


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


def _pick(frame: pd.DataFrame, spellings: tuple[str, ...]) -> str | None:
    """The header of ``frame`` that matches the earliest of ``spellings``, else None."""
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
    rej = Rejects(index)
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
    rejected = rejected_frame(rej, row_no, frame)
    kind = LayerKind("township_polygons", (), has_points=False)
    return LoadResult(kind=kind, layer=layer, rejected=rejected, source=name, column_map={})
