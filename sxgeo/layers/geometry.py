"""Geometry helpers shared by every layer: metric coordinates of point layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from sxgeo.settings import METRIC_CRS

__all__ = ["metric_xy", "valid_geometry"]


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
