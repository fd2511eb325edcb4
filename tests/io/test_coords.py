"""Datum converters: against an independent implementation, and round trips under 0.5 m."""

from __future__ import annotations

import numpy as np
import prcoords
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from sxgeo.io import coords

GEOD = Geod(ellps="WGS84")

# Places in Shanxi (WGS-84): Taiyuan, Datong, Yuncheng, Jincheng, Lüliang, and two corners.
SHANXI_POINTS = [
    (112.5489, 37.8706),
    (113.3001, 40.0768),
    (111.0070, 35.0263),
    (112.8513, 35.4907),
    (111.1441, 37.5193),
    (110.25, 34.60),
    (114.55, 40.70),
]


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    _, _, d = GEOD.inv(np.asarray(lon1), np.asarray(lat1), np.asarray(lon2), np.asarray(lat2))
    return np.asarray(d)


@pytest.mark.parametrize("lon,lat", SHANXI_POINTS)
def test_wgs_to_gcj_matches_prcoords(lon, lat):
    ref = prcoords.wgs_gcj((lat, lon))
    got = coords.wgs84_to_gcj02(lon, lat)
    assert metres(got[0], got[1], ref.lon, ref.lat) < 0.001


@pytest.mark.parametrize("lon,lat", SHANXI_POINTS)
def test_wgs_to_bd_matches_prcoords(lon, lat):
    ref = prcoords.wgs_bd((lat, lon))
    got = coords.wgs84_to_bd09(lon, lat)
    assert metres(got[0], got[1], ref.lon, ref.lat) < 0.001


@pytest.mark.parametrize("lon,lat", SHANXI_POINTS)
def test_inverse_matches_prcoords_precise_inverse(lon, lat):
    gcj = prcoords.wgs_gcj((lat, lon))
    ref = prcoords.gcj_wgs_bored((gcj.lat, gcj.lon))  # prcoords' iterative (precise) inverse
    got = coords.gcj02_to_wgs84(gcj.lon, gcj.lat)
    assert metres(got[0], got[1], ref.lon, ref.lat) < 0.01
    bd = prcoords.wgs_bd((lat, lon))
    ref_bd = prcoords.bd_wgs_bored((bd.lat, bd.lon))
    got_bd = coords.bd09_to_wgs84(bd.lon, bd.lat)
    assert metres(got_bd[0], got_bd[1], ref_bd.lon, ref_bd.lat) < 0.01


def test_offset_magnitude_in_shanxi():
    """GCJ-02 moves points in Shanxi by a few hundred metres; BD-09 by roughly a kilometre."""
    lon, lat = np.array(SHANXI_POINTS).T
    g = coords.wgs84_to_gcj02(lon, lat)
    b = coords.wgs84_to_bd09(lon, lat)
    d_gcj = metres(lon, lat, *g)
    d_bd = metres(lon, lat, *b)
    assert np.all((d_gcj > 200) & (d_gcj < 800)), d_gcj
    assert np.all((d_bd > 600) & (d_bd < 1600)), d_bd


def test_vectorised_equals_scalar():
    lon, lat = np.array(SHANXI_POINTS).T
    vx, vy = coords.gcj02_to_wgs84(lon, lat)
    for i, (x, y) in enumerate(SHANXI_POINTS):
        sx, sy = coords.gcj02_to_wgs84(x, y)
        assert isinstance(sx, float)
        # Iteration stops on the worst point of the batch, so results agree to ~1e-10 deg (0.01 mm).
        assert abs(sx - vx[i]) < 1e-9 and abs(sy - vy[i]) < 1e-9


china_lon = st.floats(min_value=73.5, max_value=135.0, allow_nan=False)
china_lat = st.floats(min_value=18.0, max_value=53.5, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(china_lon, china_lat)
def test_round_trip_gcj_under_half_metre(lon, lat):
    back = coords.gcj02_to_wgs84(*coords.wgs84_to_gcj02(lon, lat))
    assert metres(lon, lat, *back) < 0.5


@settings(max_examples=300, deadline=None)
@given(china_lon, china_lat)
def test_round_trip_bd_under_half_metre(lon, lat):
    back = coords.bd09_to_wgs84(*coords.wgs84_to_bd09(lon, lat))
    assert metres(lon, lat, *back) < 0.5
    gcj = coords.wgs84_to_gcj02(lon, lat)
    back_gcj = coords.bd09_to_gcj02(*coords.gcj02_to_bd09(*gcj))
    assert metres(*gcj, *back_gcj) < 0.5


def test_coordinate_system_names():
    assert coords.normalise_coord_system("CGCS2000") == "wgs84"
    assert coords.normalise_coord_system(" 高德 ") == "gcj02"
    assert coords.normalise_coord_system("BD-09") == "bd09"
    assert coords.normalise_coord_system("火星") is None
    with pytest.raises(ValueError, match="unknown coordinate system"):
        coords.to_wgs84(112.0, 37.0, "mars")
    x, y = coords.to_wgs84(112.0, 37.0, "WGS-84")
    assert (float(x), float(y)) == (112.0, 37.0)
