"""A small hand-checked case of the regional medical scenario: a drive network in three Shanxi counties.

Nodes (lon/lat, all inside the county named; the loaders assign the counties)::

    A 盐湖区  existing 三级 hospital H0, residents R6 (4,000)
    B 盐湖区  residents R1 (1,000)
    C 夏县    residents R2 (2,000)
    D 夏县    planned 三级 site P2, residents R3 (1,500)
    H 夏县    residents R8 (200)
    E 尧都区  planned 三级 site P1, residents R4 (3,000)
    F 尧都区  existing 二级 hospital H1 (below the scenario's level: never serves), residents R5 (1,500)
    G 尧都区  residents R7 (600)

Roads (length, speed → minutes)::

    A-B 30 km at 60 km/h = 30      B-C 40 km at 60 km/h = 40      A-C 50 km at 30 km/h = 100 (short but slow)
    C-D 55 km at 60 km/h = 55      D-H 130 km at 60 km/h = 130
    A-E 100 km at 60 km/h = 100    E-F 45 km at 60 km/h = 45      F-G 80 km at 60 km/h = 80

Every point sits on its node, so it drives from its node (the walked leg is below a millimetre).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from sxgeo.io import load_layer
from sxgeo.layers.network import WalkNetwork

UTM = "EPSG:32649"

#: node -> (lon, lat, county code)
NODES = {
    "A": (111.00, 35.03, "140802"),
    "B": (111.05, 35.06, "140802"),
    "C": (111.22, 35.14, "140828"),
    "D": (111.26, 35.10, "140828"),
    "H": (111.30, 35.18, "140828"),
    "E": (111.52, 36.09, "141002"),
    "F": (111.45, 36.12, "141002"),
    "G": (111.36, 36.15, "141002"),
}
#: (from, to, metres, km/h)
EDGES = [
    ("A", "B", 30_000.0, 60.0),
    ("B", "C", 40_000.0, 60.0),
    ("A", "C", 50_000.0, 30.0),
    ("C", "D", 55_000.0, 60.0),
    ("D", "H", 130_000.0, 60.0),
    ("A", "E", 100_000.0, 60.0),
    ("E", "F", 45_000.0, 60.0),
    ("F", "G", 80_000.0, 60.0),
]
#: resident id -> (node, population)
RESIDENTS = {
    "R6": ("A", 4000), "R1": ("B", 1000),
    "R2": ("C", 2000), "R3": ("D", 1500), "R8": ("H", 200),
    "R4": ("E", 3000), "R5": ("F", 1500), "R7": ("G", 600),
}
#: existing hospitals: id -> (node, level as planners write it)
HOSPITALS = {"H0": ("A", "三级"), "H1": ("F", "二级")}
#: planned sites: id -> (node, city code)
SITES = {"P1": ("E", "141000"), "P2": ("D", "140800")}

SCENARIO = """
title_zh = "测试情景"
title_en = "Test scenario"
clause_zh = "测试条款"
clause_en = "Test clause"
source_zh = "测试来源"
source_en = "Test source"
thresholds_min = [60, 120]
min_level = 3
position_note_zh = "位置为近似（测试）"
position_note_en = "Approximate position (test)"
""" + "".join(
    f"""
[[site]]
id = "{sid}"
name = "拟建医院{sid}"
name_en = "Planned hospital {sid}"
city_code = "{city}"
lon = {NODES[node][0]}
lat = {NODES[node][1]}
hospital_level = "三级"
admin_tier = "省级"
approximate = true
"""
    for sid, (node, city) in SITES.items()
)


def _load(rows: list[dict], kind: str) -> gpd.GeoDataFrame:
    result = load_layer(pd.DataFrame(rows), kind)
    assert len(result.rejected) == 0, result.rejected
    return result.layer


def layers() -> dict[str, gpd.GeoDataFrame]:
    """The residential and hospitals layers of the case, loaded like any input."""
    residential = _load([
        {"编号": rid, "名称": f"居民点{rid}", "人口": pop, "经度": NODES[node][0], "纬度": NODES[node][1]}
        for rid, (node, pop) in RESIDENTS.items()
    ], "residential")
    hospitals = _load([
        {"编号": hid, "名称": f"医院{hid}", "等级": level, "经度": NODES[node][0], "纬度": NODES[node][1]}
        for hid, (node, level) in HOSPITALS.items()
    ], "hospitals")
    return {"residential": residential, "hospitals": hospitals}


def network() -> WalkNetwork:
    """The roads as a drive network (the project's own constructor), in UTM 49N."""
    names = list(NODES)
    xy = gpd.GeoSeries([Point(lon, lat) for lon, lat, _ in NODES.values()], crs=4326).to_crs(UTM)
    pos = {n: i for i, n in enumerate(names)}
    return WalkNetwork(
        node_ids=np.arange(len(names)), x=xy.x.to_numpy(), y=xy.y.to_numpy(), crs=UTM,
        u=np.array([pos[a] for a, *_ in EDGES]), v=np.array([pos[b] for _, b, *_ in EDGES]),
        length_m=np.array([e[2] for e in EDGES]), mode="drive", speed_kmh=np.array([e[3] for e in EDGES]),
        source="regional test roads",
    )


def write_scenario(folder: Path) -> Path:
    """The case's scenario file (the two planned sites) in ``folder``."""
    path = Path(folder) / "regional_test.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path
