"""Shanxi administrative geography shipped in ``data/boundaries/``.

The files are built by ``scripts/build_boundaries.py`` (see
``data/boundaries/README.md`` for the sources).  This module only reads them:
it needs geopandas, pandas and shapely, never the registry packages the data
was built from.

All codes are strings (6-digit adcodes, 9-digit township codes) and every
layer is lon/lat EPSG:4326.  Files are read once and cached; each call returns
a fresh copy that the caller may modify.

The folder is :func:`sxgeo.resources.boundaries_dir`: the package's
``sxgeo/data/boundaries`` (the repository's ``data/boundaries``, mapped into the
package) unless the environment variable ``SXGEO_BOUNDARIES_DIR`` names another.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sxgeo.resources import boundaries_dir

__all__ = [
    "load_cities",
    "load_counties",
    "load_province",
    "load_townships",
]


_CRS = "EPSG:4326"
_REBUILD = "python scripts/build_boundaries.py"
_ADCODE = r"\d{6}"
_TOWNSHIP_CODE = r"\d{9}"

_PROVINCE_COLUMNS = ["adcode", "name"]
_CITY_COLUMNS = ["adcode", "name", "parent_code"]
_COUNTY_COLUMNS = ["adcode", "name", "city_code", "city_name"]
_TOWNSHIP_COLUMNS = ["code", "name", "kind", "kind_en", "county_code", "county_name", "city_code", "city_name"]


def _missing(path: Path) -> FileNotFoundError:
    return FileNotFoundError(f"找不到行政区划数据文件 {path}。请运行 `{_REBUILD}` 重新生成。")


def _corrupt(path: Path, problem: str) -> ValueError:
    return ValueError(
        f"行政区划数据文件 {path} 无法使用（{problem}）。请运行 `{_REBUILD}` 重新生成。"
    )


def _check_codes(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    """Raise if a table lacks ``columns`` or a ``*code`` column holds a malformed code."""
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise _corrupt(path, f"缺少字段 {', '.join(absent)}")
    for column in columns:
        if column.endswith("code"):
            pattern = _TOWNSHIP_CODE if column == "code" else _ADCODE
            values = frame[column].astype(str)
            bad = ~values.str.fullmatch(pattern)
            if bad.any():
                raise _corrupt(path, f"字段 {column} 含非法代码 {values[bad].iloc[0]!r}")


@cache
def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read and check one shipped file; GeoJSON gives a GeoDataFrame, CSV a DataFrame."""
    if not path.is_file():
        raise _missing(path)
    try:
        if path.suffix == ".geojson":
            frame = gpd.read_file(path)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except Exception as exc:  # pyogrio and pandas raise many parser-specific types
        raise _corrupt(path, f"读取失败：{exc}") from exc
    _check_codes(frame, list(columns), path)
    keep = list(columns)
    if isinstance(frame, gpd.GeoDataFrame):
        if frame.crs is None or not frame.crs.equals(_CRS):
            raise _corrupt(path, f"坐标系为 {frame.crs}，应为 {_CRS}")
        if frame.empty or frame.geometry.isna().any():
            raise _corrupt(path, "没有要素或存在空几何")
        keep.append(frame.geometry.name)
    return frame[keep].astype({c: str for c in columns})


def _layer(filename: str, columns: list[str]) -> gpd.GeoDataFrame:
    return _read(boundaries_dir() / filename, tuple(columns)).copy()


def load_province() -> gpd.GeoDataFrame:
    """The Shanxi province outline.

    Returns
    -------
    geopandas.GeoDataFrame
        One row; columns ``adcode`` ("140000"), ``name``, ``geometry``; EPSG:4326.
    """
    return _layer("province.geojson", _PROVINCE_COLUMNS)


def load_cities(display: bool = False) -> gpd.GeoDataFrame:
    """The 11 prefecture-level cities.

    Parameters
    ----------
    display : bool, default False
        Return the simplified outlines made for drawing maps instead of the
        full-detail ones.  Never use them to assign points to cities.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``adcode``, ``name``, ``parent_code`` ("140000"), ``geometry``;
        EPSG:4326, sorted by adcode.
    """
    return _layer("cities_display.geojson" if display else "cities.geojson", _CITY_COLUMNS)


def load_counties(display: bool = False) -> gpd.GeoDataFrame:
    """The 117 county-level divisions (counties, districts, county-level cities).

    Two districts are both named 城区 (Yangquan 140302, Jincheng 140502):
    join on ``adcode``, never on ``name``.

    Parameters
    ----------
    display : bool, default False
        Simplified outlines for drawing, as in :func:`load_cities`; the
        counties still share their borders exactly.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``adcode``, ``name``, ``city_code``, ``city_name``,
        ``geometry``; EPSG:4326, sorted by adcode.
    """
    return _layer("counties_display.geojson" if display else "counties.geojson", _COUNTY_COLUMNS)


def load_townships() -> pd.DataFrame:
    """The 1,283 township-level divisions (镇, 乡 and 街道); no geometry.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (9 digits), ``name``, ``kind`` (镇/乡/街道),
        ``kind_en`` (town/township/subdistrict), ``county_code``,
        ``county_name``, ``city_code``, ``city_name``; all strings, sorted by code.
    """
    return _read(boundaries_dir() / "townships.csv", tuple(_TOWNSHIP_COLUMNS)).copy()
