"""The roads of tests/regional_case.py as a local OSM file, so that the real commands read them with ``--osm``.

Each road is one way between its two nodes, tagged ``highway=primary`` with a
``maxspeed`` chosen so that driving it takes the case's minutes: the way's
length in UTM 49N (where the OSM reader measures it) over those minutes.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import regional_case as rc
from shapely.geometry import Point

#: Minutes of each road of the case (length over speed).
MINUTES = {(a, b): metres / (kmh * 1000 / 60) for a, b, metres, kmh in rc.EDGES}


def write_osm(folder: Path) -> Path:
    """``regional_roads.osm`` in ``folder``: the case's nodes and roads, each road taking the case's minutes."""
    names = list(rc.NODES)
    ids = {n: i for i, n in enumerate(names, start=1)}
    xy = gpd.GeoSeries([Point(lon, lat) for lon, lat, _ in rc.NODES.values()], crs=4326).to_crs(rc.UTM)
    pos = {n: np.array([p.x, p.y]) for n, p in zip(names, xy, strict=True)}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="sxgeo-test">']
    for name, (lon, lat, _) in rc.NODES.items():
        lines.append(f'  <node id="{ids[name]}" version="1" lat="{lat:.9f}" lon="{lon:.9f}"/>')
    for i, ((a, b), minutes) in enumerate(MINUTES.items(), start=100):
        metres = float(np.hypot(*(pos[a] - pos[b])))
        kmh = metres / 1000 / (minutes / 60)
        lines.append(f'  <way id="{i}" version="1"><nd ref="{ids[a]}"/><nd ref="{ids[b]}"/>'
                     f'<tag k="highway" v="primary"/><tag k="maxspeed" v="{kmh:.9f}"/></way>')
    lines.append("</osm>")
    path = Path(folder) / "regional_roads.osm"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_layers(folder: Path) -> dict[str, Path]:
    """The case's residents and existing hospitals as CSV files, as a planner would hand them in."""
    folder = Path(folder)
    residential = pd.DataFrame([
        {"编号": rid, "名称": f"居民点{rid}", "人口": pop, "经度": rc.NODES[node][0], "纬度": rc.NODES[node][1]}
        for rid, (node, pop) in rc.RESIDENTS.items()
    ])
    hospitals = pd.DataFrame([
        {"编号": hid, "名称": f"医院{hid}", "等级": level, "经度": rc.NODES[node][0], "纬度": rc.NODES[node][1]}
        for hid, (node, level) in rc.HOSPITALS.items()
    ])
    paths = {"residential": folder / "居民点.csv", "hospitals": folder / "医院.csv"}
    residential.to_csv(paths["residential"], index=False, encoding="utf-8-sig")
    hospitals.to_csv(paths["hospitals"], index=False, encoding="utf-8-sig")
    return paths
