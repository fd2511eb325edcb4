"""Shared fixtures: a small hand-built case whose answers are worked out by hand."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from sxgeo.io import load_layer
from sxgeo.layers import boundaries

# An anchor inside 小店区 (140105) and one inside 晋源区 (140110), in UTM 49N metres.
XIAODIAN_UTM = gpd.GeoSeries([Point(112.5647, 37.8135)], crs=4326).to_crs(32649).iloc[0]
JINYUAN_UTM = gpd.GeoSeries([Point(112.4900, 37.7200)], crs=4326).to_crs(32649).iloc[0]


def lonlat(base, dx=0.0, dy=0.0):
    """Lon/lat of a point ``dx``, ``dy`` metres east/north of ``base`` (UTM 49N)."""
    p = gpd.GeoSeries([Point(base.x + dx, base.y + dy)], crs=32649).to_crs(4326).iloc[0]
    return round(p.x, 9), round(p.y, 9)


def _layer(rows: list[dict], kind: str):
    res = load_layer(pd.DataFrame(rows), kind)
    assert len(res.rejected) == 0, res.rejected
    return res.layer


@pytest.fixture(scope="session")
def hand_case():
    """Layers of the hand-checked case (see tests/analysis/test_indicators.py for the answers)."""
    x0 = lonlat(XIAODIAN_UTM)
    j0 = lonlat(JINYUAN_UTM)
    kg = [
        # id, ownership, inclusive, central, enrolled, township, position
        ("K1", "公办", "是", "是", 100, "140105100", x0),
        ("K2", "民办", "是", "否", 50, "140105200", lonlat(XIAODIAN_UTM, 0, 5000)),
        ("K3", "民办", "否", "否", 50, "140105201", lonlat(XIAODIAN_UTM, 0, 6000)),
        ("K4", "公办", "是", "否", 80, "140110101", j0),
        ("K5", "公办", "是", "否", 20, "140105001", lonlat(XIAODIAN_UTM, -3000, 0)),
    ]
    kindergartens = _layer(
        [
            {"编号": i, "名称": f"{i}园", "性质": o, "普惠": inc, "中心园": c, "在园幼儿数": e, "乡镇代码": tw,
             "经度": p[0], "纬度": p[1], "建成年份": 2010}
            for i, o, inc, c, e, tw, p in kg
        ],
        "kindergartens",
    )
    residential = _layer(
        [
            {"编号": "R1", "名称": "甲社区", "类型": "社区", "城乡": "城镇", "人口": 1000, "3-5岁人口": 100,
             "60岁以上人口": 200, "乡镇代码": "140105100", "经度": x0[0], "纬度": x0[1]},
            {"编号": "R2", "名称": "乙村", "类型": "村", "城乡": "农村", "人口": 3000, "3-5岁人口": 100,
             "60岁以上人口": 500, "乡镇代码": "140105201", "经度": lonlat(XIAODIAN_UTM, 1000, 0)[0],
             "纬度": lonlat(XIAODIAN_UTM, 1000, 0)[1]},
            {"编号": "R3", "名称": "丙村", "类型": "村", "城乡": "农村", "人口": 500, "3-5岁人口": 50,
             "60岁以上人口": 100, "乡镇代码": "140110102", "经度": j0[0], "纬度": j0[1]},
        ],
        "residential",
    )
    elderly = _layer(
        [
            {"编号": "E1", "名称": "甲院", "类型": "养老机构", "床位数": 100, "护理型床位数": 50, "经度": x0[0], "纬度": x0[1], "建成年份": 2021},
            {"编号": "E2", "名称": "乙院", "类型": "养老机构", "床位数": 200, "护理型床位数": 60, "经度": j0[0], "纬度": j0[1], "建成年份": 2019},
            {"编号": "E3", "名称": "幸福院", "类型": "农村互助幸福院", "床位数": 10, "护理型床位数": 0, "乡镇代码": "140105201",
             "经度": x0[0], "纬度": x0[1], "建成年份": 2021},
            {"编号": "E4", "名称": "服务站", "类型": "社区养老服务站", "床位数": 0, "护理型床位数": 0, "经度": x0[0], "纬度": x0[1],
             "建成年份": 2021},
        ],
        "elderly_care",
    )
    fitness = _layer(
        [
            {"编号": "F1", "名称": "中心一", "类型": "社区全民健身中心", "建成年份": 2021, "经度": x0[0], "纬度": x0[1]},
            {"编号": "F2", "名称": "中心二", "类型": "社区全民健身中心", "建成年份": 2021, "经度": j0[0], "纬度": j0[1]},
            {"编号": "F3", "名称": "公园", "类型": "体育公园", "建成年份": 2022, "经度": j0[0], "纬度": j0[1]},
        ],
        "fitness",
    )
    return {"kindergartens": kindergartens, "residential": residential, "elderly_care": elderly, "fitness": fitness}


@pytest.fixture(scope="session")
def counties():
    return boundaries.load_counties()


@pytest.fixture(scope="session")
def townships():
    return boundaries.load_townships()


@pytest.fixture(scope="session")
def app_server():
    """The real app (``streamlit run app.py`` on a free loopback port), shared by the browser tests.

    Its log goes to ``test-artifacts/e2e-streamlit.log``.  (Kept here: a second ``conftest.py`` would
    shadow this module for the tests that import its helpers.)
    """
    from e2e_helpers import REPO, StreamlitServer

    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with StreamlitServer(log=artifacts / "e2e-streamlit.log") as server:
        yield server


@pytest.fixture(scope="session")
def postgis_url():
    """The URL of a throw-away PostGIS database (Debian's PostgreSQL, see tests/postgis_server.py).

    Skips, with the reason, when PostgreSQL or PostGIS is not installed or the server cannot start.
    """
    from postgis_server import Unavailable, postgis_server

    try:
        server = postgis_server()
        url = server.__enter__()
    except Unavailable as exc:
        pytest.skip(f"no PostGIS test database: {exc}")
    try:
        yield url
    finally:
        server.__exit__(None, None, None)
