"""Geometry helpers shared by every layer: metric coordinates of point layers, and which rows are on the map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo.settings import METRIC_CRS

__all__ = ["OFF_MAP_COLUMNS", "inside", "located", "metric_xy", "off_map_rows", "on_map", "valid_geometry"]


def metric_xy(frame: gpd.GeoDataFrame | None) -> np.ndarray:
    """Metric (UTM 49N) x/y of a point layer, one row per feature; NaN where a row has no geometry."""
    if frame is None or len(frame) == 0:
        return np.empty((0, 2))
    pts = frame.geometry.to_crs(METRIC_CRS)
    ok = ~(pts.isna() | pts.is_empty).to_numpy()
    xy = np.full((len(frame), 2), np.nan)
    if ok.any():
        xy[ok] = shapely.get_coordinates(pts.to_numpy()[ok])
    return xy


def valid_geometry(layer: gpd.GeoDataFrame) -> np.ndarray:
    """Which rows have a geometry (not missing, not empty)."""
    geoms = layer.geometry
    return ~(geoms.isna() | geoms.is_empty).to_numpy()


def located(layer: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The rows of ``layer`` whose position is real, for distance analyses and maps.

    Rows with ``located`` False (a registry row placed only by its township
    or county, a census row at its county's point) are left out; a layer
    without the column is returned whole.
    """
    if layer is None or "located" not in layer:
        return layer
    return layer[on_map(layer)]


def on_map(layer: gpd.GeoDataFrame) -> np.ndarray:
    """Which rows of ``layer`` are on the map (``located`` not False)."""
    if "located" not in layer:
        return np.ones(len(layer), dtype=bool)
    return layer["located"].fillna(True).astype(bool).to_numpy()


#: Columns of the "not on the map" list (those a layer lacks are left empty).
OFF_MAP_COLUMNS = (
    "layer_kind", "source_file", "row", "id", "name", "address", "city_name", "county_code", "county_name", "township_code",
    "township_name", "admin_method", "population", "notes", "notes_en",
)


def off_map_rows(layers: dict[str, gpd.GeoDataFrame | None]) -> pd.DataFrame:
    """Every loaded row without a location ("not on the map"), all layers together.

    They count in the rules and indicators at the levels they are known at,
    but in no distance analysis and on no map, so planners get them listed to
    add coordinates.  One row per such input row, with ``layer_kind`` and the
    columns of :data:`OFF_MAP_COLUMNS`, ordered by layer and county, then as in the source files.
    """
    frames = []
    for kind, layer in layers.items():
        if layer is None or "located" not in layer:
            continue
        off = layer[~on_map(layer)]
        if len(off):
            frame = pd.DataFrame({c: off[c].to_numpy() if c in off else None for c in OFF_MAP_COLUMNS[1:]})
            frame.insert(0, "layer_kind", kind)
            frames.append(frame)
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in OFF_MAP_COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["layer_kind", "county_code"], kind="stable").reset_index(drop=True)


def inside(layer: gpd.GeoDataFrame, area) -> gpd.GeoDataFrame:
    """The rows of ``layer`` inside ``area`` (a lon/lat polygon), and those without a geometry; all rows when ``area`` is None."""
    if area is None or layer is None:
        return layer
    return layer[layer.geometry.within(area).to_numpy() | layer.geometry.isna().to_numpy()]
