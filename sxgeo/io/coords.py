"""Conversions between WGS-84, GCJ-02 (Amap, Tencent) and BD-09 (Baidu).

GCJ-02 is the obfuscated datum that Chinese web maps are required to use; BD-09
is Baidu's further offset on top of GCJ-02.  Both are published only as
forward formulas, so the inverse transforms here are computed by fixed-point
iteration until the forward transform reproduces the input to better than
``1e-10`` degrees (about 0.01 mm), far below the 0.5 m the project requires.

All functions are vectorised: they take scalars or array-likes of longitudes
and latitudes in degrees and return ``(lon, lat)`` as numpy arrays (or floats
for scalar input).  CGCS2000 and WGS-84 differ by centimetres and are treated
as the same system.

The formula is applied everywhere, inside or outside China; callers reject
points outside Shanxi before converting.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "COORD_SYSTEMS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "normalise_coord_system",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
_TOL_DEG = 1e-10
_MAX_ITER = 30

#: Canonical coordinate-system names and the spellings users type for them.
COORD_SYSTEMS: dict[str, tuple[str, ...]] = {
    "wgs84": (
        "wgs84",
        "wgs-84",
        "wgs 84",
        "epsg:4326",
        "4326",
        "cgcs2000",
        "cgcs 2000",
        "epsg:4490",
        "4490",
        "gps",
        "天地图",
        "国家2000",
        "2000国家大地坐标系",
    ),
    "gcj02": ("gcj02", "gcj-02", "gcj", "amap", "gaode", "tencent", "qq", "高德", "腾讯", "火星坐标"),
    "bd09": ("bd09", "bd-09", "bd09ll", "baidu", "百度"),
}
_ALIASES = {alias: name for name, aliases in COORD_SYSTEMS.items() for alias in aliases}


def normalise_coord_system(name: str | None) -> str | None:
    """Return the canonical name (``wgs84``, ``gcj02``, ``bd09``) or None.

    None is returned for a name that is not recognised; an empty or missing
    name is also None so that callers can tell "not given" apart only by
    checking the input themselves.
    """
    if name is None:
        return None
    key = str(name).strip().lower()
    return _ALIASES.get(key)


def _as_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), scalar


def _out(lon: np.ndarray, lat: np.ndarray, scalar: bool):
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (degrees) to add to a WGS-84 position."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat = dlat + common
    dlat = dlat + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlon = dlon + common
    dlon = dlon + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _wgs_to_gcj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlon, dlat = _gcj_delta(lon, lat)
    return lon + dlon, lat + dlat


def _gcj_to_bd(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _invert(
    forward: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    lon: np.ndarray,
    lat: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Invert a near-identity ``forward`` transform by fixed-point iteration."""
    guess_lon, guess_lat = lon.copy(), lat.copy()
    for _ in range(_MAX_ITER):
        f_lon, f_lat = forward(guess_lon, guess_lat)
        err_lon, err_lat = f_lon - lon, f_lat - lat
        guess_lon = guess_lon - err_lon
        guess_lat = guess_lat - err_lat
        worst = np.nanmax(np.abs(np.concatenate([np.ravel(err_lon), np.ravel(err_lat)])), initial=0.0)
        if worst < _TOL_DEG:
            break
    return guess_lon, guess_lat


def wgs84_to_gcj02(lon, lat):
    """Convert WGS-84 longitude/latitude to GCJ-02."""
    lon, lat, scalar = _as_arrays(lon, lat)
    return _out(*_wgs_to_gcj(lon, lat), scalar)


def gcj02_to_wgs84(lon, lat):
    """Convert GCJ-02 longitude/latitude to WGS-84 (iterative, exact to ~1e-10 deg)."""
    lon, lat, scalar = _as_arrays(lon, lat)
    return _out(*_invert(_wgs_to_gcj, lon, lat), scalar)


def gcj02_to_bd09(lon, lat):
    """Convert GCJ-02 longitude/latitude to BD-09."""
    lon, lat, scalar = _as_arrays(lon, lat)
    return _out(*_gcj_to_bd(lon, lat), scalar)


def bd09_to_gcj02(lon, lat):
    """Convert BD-09 longitude/latitude to GCJ-02 (iterative)."""
    lon, lat, scalar = _as_arrays(lon, lat)
    return _out(*_invert(_gcj_to_bd, lon, lat), scalar)


def wgs84_to_bd09(lon, lat):
    """Convert WGS-84 longitude/latitude to BD-09."""
    lon, lat, scalar = _as_arrays(lon, lat)
    return _out(*_gcj_to_bd(*_wgs_to_gcj(lon, lat)), scalar)


def bd09_to_wgs84(lon, lat):
    """Convert BD-09 longitude/latitude to WGS-84 (iterative)."""
    lon, lat, scalar = _as_arrays(lon, lat)
    gcj_lon, gcj_lat = _invert(_gcj_to_bd, lon, lat)
    return _out(*_invert(_wgs_to_gcj, gcj_lon, gcj_lat), scalar)


_TO_WGS84 = {
    "wgs84": lambda lon, lat: (np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}


def to_wgs84(lon, lat, coord_system: str):
    """Convert from the named system (any alias in :data:`COORD_SYSTEMS`) to WGS-84.

    Raises
    ------
    ValueError
        If ``coord_system`` is not a known name.
    """
    name = normalise_coord_system(coord_system)
    if name is None:
        known = ", ".join(COORD_SYSTEMS)
        raise ValueError(f"unknown coordinate system {coord_system!r}; use one of {known}")
    return _TO_WGS84[name](lon, lat)
