"""The workspace store: the same cases on every backend (GeoPackage files, PostGIS), plus atomicity and concurrency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from sxgeo.errors import StoreError
from sxgeo.io import load_layer
from sxgeo.io.store import WorkspaceStore, open_store

XIAODIAN_POINT = (112.5647, 37.8135)


def _kg(n: int, tag: str = "A", extra: str = "") -> pd.DataFrame:
    rows = []
    for i in range(n):
        rows.append({"编号": f"{tag}{i}", "名称": f"幼儿园{tag}{i}", "性质": "公办" if i % 2 else "民办", "学位数": 100 + i,
                     "经度": XIAODIAN_POINT[0] + i * 1e-4, "纬度": XIAODIAN_POINT[1], "地址": extra})
    rows.append({"编号": f"{tag}x", "名称": "地址园", "性质": "公办", "学位数": "", "经度": "", "纬度": "",
                 "地址": "山西省太原市小店区北格镇"})  # kept without a location
    rows.append({"编号": f"{tag}y", "名称": "坏行", "性质": "公办", "学位数": "很多", "经度": 112.5, "纬度": 37.8, "地址": ""})
    return pd.DataFrame(rows)


@pytest.fixture(params=["gpkg", "postgis"])
def store(request, tmp_path) -> WorkspaceStore:
    """A fresh store on each backend; the PostGIS one needs the test server (see tests/conftest.py)."""
    if request.param == "gpkg":
        return open_store(home=tmp_path / "home")
    url = request.getfixturevalue("postgis_url")
    return open_store(url=url)


def _name(request_node_name: str) -> str:
    """A workspace name unique to the test (the PostGIS database is shared by the session)."""
    return "ws_" + "".join(ch if ch.isalnum() else "_" for ch in request_node_name)[-50:]


def test_layers_round_trip_with_versions_summaries_and_rejected_rows(store, request):
    name = _name(request.node.name)
    store.create(name, owner=None)
    first = load_layer(_kg(3), "kindergartens", display_name="教育局.csv")
    assert store.add_layer(name, first) == 1
    second = load_layer(_kg(5, "B"), "kindergartens", display_name="教育局2.csv")
    assert store.add_layer(name, second) == 2
    got = store.layer(name, "kindergartens")
    assert got.version == 2 and got.source == "教育局2.csv"
    want = second.layer
    assert got.layer["id"].tolist() == want["id"].tolist()
    assert got.layer["places"].astype("Int64").tolist() == want["places"].astype("Int64").tolist()
    assert got.layer["located"].tolist() == want["located"].tolist() == [True] * 5 + [False]
    assert got.layer.geometry.isna().tolist() == want.geometry.isna().tolist()
    assert got.layer.geometry.iloc[0].distance(want.geometry.iloc[0]) < 1e-9
    assert got.summaries == {"zh": second.summary("zh"), "en": second.summary("en")}
    assert got.summary("zh").startswith(second.summary("zh")) and f"工作空间“{name}”第 2 版" in got.summary("zh")
    assert got.rejected["reason_key"].tolist() == ["bad_value"]
    # the old version stays, and can be made current again (as a new version)
    old = store.layer(name, "kindergartens", 1)
    assert old.layer["id"].tolist() == first.layer["id"].tolist()
    assert store.restore_version(name, "kindergartens", 1) == 3
    history = store.versions(name, "kindergartens")
    assert history["version"].tolist() == [1, 2, 3] and history["current"].tolist() == [False, False, True]
    assert history["source"].tolist() == ["教育局.csv", "教育局2.csv", "教育局.csv"]
    assert store.layer(name, "kindergartens").layer["id"].tolist() == first.layer["id"].tolist()


def test_trash_keeps_layers_scenarios_and_workspaces(store, request):
    name = _name(request.node.name)
    store.create(name)
    store.add_layer(name, load_layer(_kg(2), "kindergartens"))
    planned = load_layer(_kg(1, "P"), "kindergartens").layer
    store.save_scenario(name, "新园方案", {"kindergartens": planned})
    store.delete_layer(name, "kindergartens")
    store.delete_scenario(name, "新园方案")
    info = store.info(name)
    assert info.layers == {} and info.scenarios == []
    assert sorted(i["type"] for i in info.trash) == ["layer", "scenario"]
    for item in info.trash:
        store.restore_item(name, item["id"])
    info = store.info(name)
    assert info.layers == {"kindergartens": 1} and info.scenarios == ["新园方案"]
    assert store.scenario(name, "新园方案")["kindergartens"]["id"].tolist() == planned["id"].tolist()
    trash_id = store.delete(name)
    assert name not in store.names()
    assert any(e["id"] == trash_id and e["name"] == name for e in store.deleted())
    assert store.restore(trash_id) == name
    assert store.layer(name, "kindergartens").layer["id"].tolist() == ["A0", "A1", "Ax"]


def test_names_targets_views_and_rename(store, request):
    name = _name(request.node.name)
    for bad in ("../etc", "a/b", "", "a" * 65, ".."):
        with pytest.raises(StoreError) as err:
            store.create(bad)
        assert "工作空间名称" in err.value.message("zh")
    store.create(name)
    with pytest.raises(StoreError, match="已存在"):
        store.create(name)
    store.set_targets(name, "version = 1\n", "目标.toml")
    assert store.targets(name) == "version = 1\n"
    store.set_view(name, {"level": "county", "county": "140105"})
    assert store.view(name) == {"level": "county", "county": "140105"}
    store.rename(name, name + "_新")
    assert store.info(name + "_新").has_targets and store.view(name + "_新")["county"] == "140105"
    with pytest.raises(StoreError, match="找不到"):
        store.info(name)


def test_owner_editors_and_readers(store, request):
    name = _name(request.node.name)
    store.create(name, owner="li")
    store.set_access(name, editors=["wang"], readers=["zhao"], user="li")
    assert name in store.names("li") and name in store.names("wang") and name in store.names("zhao")
    assert name not in store.names("sun")
    layer = load_layer(_kg(1), "kindergartens")
    assert store.add_layer(name, layer, user="wang") == 1
    with pytest.raises(StoreError) as err:
        store.add_layer(name, layer, user="zhao")
    assert "只有读取权限" in err.value.message("zh")
    assert store.layer(name, "kindergartens", user="zhao").version == 1
    with pytest.raises(StoreError, match="无权访问"):
        store.layer(name, "kindergartens", user="sun")
    with pytest.raises(StoreError, match="无权访问"):
        store.delete(name, user="wang")  # only the owner deletes


# --- the embedded backend: atomic files ------------------------------------------------------


def test_a_damaged_file_is_reported_and_never_overwritten(tmp_path):
    store = open_store(home=tmp_path)
    store.create("甲")
    path = tmp_path / "workspaces" / "甲.gpkg"
    path.write_bytes(b"not a geopackage at all" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        store.info("甲")
    assert "甲.gpkg" in err.value.message("zh") and "已损坏" in err.value.message("zh")
    with pytest.raises(StoreError):
        store.add_layer("甲", load_layer(_kg(1), "kindergartens"))
    assert path.read_bytes() == before


_WRITER = textwrap.dedent(
    """
    import sys
    import geopandas as gpd, numpy as np, pandas as pd
    from shapely.geometry import Point
    from sxgeo.io.store import open_store
    store = open_store(home=sys.argv[1])
    n = int(sys.argv[2])
    frame = gpd.GeoDataFrame({"id": [f"R{i}" for i in range(n)], "population": np.arange(n)},
                             geometry=gpd.points_from_xy(112 + np.arange(n) * 1e-6, np.full(n, 37.8)), crs=4326)

    class Big:
        kind = type("K", (), {"name": "residential"})()
        layer, rejected, source = frame, pd.DataFrame(), "big.csv"

        def summary(self, lang):
            return "big"

    store.add_layer("甲", Big())
    """
)


def test_a_writer_killed_mid_write_leaves_the_previous_state_readable(tmp_path):
    store = open_store(home=tmp_path)
    store.create("甲")
    store.add_layer("甲", load_layer(_kg(3), "kindergartens"))
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), "2000000"])
    folder = tmp_path / "workspaces"
    deadline = time.time() + 120
    while not list(folder.glob(".甲.*.tmp.gpkg")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    time.sleep(0.5)  # well inside the copy being written
    assert proc.poll() is None, "the writer finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list(folder.glob(".甲.*.tmp.gpkg"))  # it died half-way, leaving its copy
    info = store.info("甲")
    assert info.layers == {"kindergartens": 1}  # the previous state, whole
    assert store.layer("甲", "kindergartens").layer["id"].tolist() == ["A0", "A1", "A2", "Ax"]
    # the next writer cleans up and works
    assert store.add_layer("甲", load_layer(_kg(2, "B"), "kindergartens")) == 2
    assert not list(folder.glob(".甲.*.tmp.gpkg"))


_SCENARIO_WRITER = textwrap.dedent(
    """
    import sys
    import geopandas as gpd
    from shapely.geometry import Point
    from sxgeo.io.store import open_store
    store = open_store(url=sys.argv[3] or None, home=sys.argv[1])
    for i in range(int(sys.argv[4])):
        frame = gpd.GeoDataFrame({"id": [f"{sys.argv[2]}{i}"]}, geometry=[Point(112.56, 37.81)], crs=4326)
        store.save_scenario(sys.argv[5], f"{sys.argv[2]}_{i}", {"fitness": frame})
    """
)


@pytest.mark.parametrize("backend", ["gpkg", "postgis"])
def test_two_processes_adding_scenarios_lose_nothing(tmp_path, request, backend):
    url = request.getfixturevalue("postgis_url") if backend == "postgis" else ""
    store = open_store(url=url or None, home=tmp_path)
    name = _name(request.node.name)
    store.create(name)
    n = 6
    procs = [subprocess.Popen([sys.executable, "-c", _SCENARIO_WRITER, str(tmp_path), tag, url, str(n), name])
             for tag in ("甲", "乙")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    assert store.info(name).scenarios == sorted([f"甲_{i}" for i in range(n)] + [f"乙_{i}" for i in range(n)])


@pytest.mark.parametrize("suffix", ["", ".zip"])
def test_export_and_import_keep_every_version_and_scenario(store, request, tmp_path, suffix):
    name = _name(request.node.name)
    store.create(name)
    store.add_layer(name, load_layer(_kg(2), "kindergartens", display_name="一.csv"))
    store.add_layer(name, load_layer(_kg(3, "B"), "kindergartens", display_name="二.csv"))
    planned = load_layer(_kg(1, "P"), "kindergartens").layer
    store.save_scenario(name, "方案", {"kindergartens": planned})
    out = store.export(name, tmp_path / f"导出{suffix}")
    copy = store.import_(out, name + "_copy")
    assert store.versions(copy, "kindergartens")["source"].tolist() == ["一.csv", "二.csv"]
    for version in (1, 2):
        a = store.layer(name, "kindergartens", version).layer
        b = store.layer(copy, "kindergartens", version).layer
        assert b["id"].tolist() == a["id"].tolist() and b["located"].tolist() == a["located"].tolist()
    assert store.scenario(copy, "方案")["kindergartens"]["id"].tolist() == planned["id"].tolist()
    with pytest.raises(StoreError, match="已存在"):
        store.import_(out, name)


def test_a_layer_added_after_one_was_deleted_never_overwrites_the_trash(store, request):
    name = _name(request.node.name)
    store.create(name)
    store.add_layer(name, load_layer(_kg(2, "A"), "kindergartens"))
    store.delete_layer(name, "kindergartens")
    assert store.add_layer(name, load_layer(_kg(2, "B"), "kindergartens")) == 2  # numbered past the trash
    store.delete_layer(name, "kindergartens")
    first = next(i for i in store.info(name).trash if i["entry"]["versions"][0]["version"] == 1)
    store.restore_item(name, first["id"])
    assert store.layer(name, "kindergartens").layer["id"].tolist() == ["A0", "A1", "Ax"]


def test_long_and_odd_headers_are_kept_exactly(store, request):
    name = _name(request.node.name)
    store.create(name)
    header = "备注（教育局二〇二一年度核定的学位数与在园幼儿数之差及其原因说明.含附表）" * 2
    frame = _kg(2).assign(**{header: ["甲", None, "丙", "丁"]})
    result = load_layer(frame, "kindergartens")
    store.add_layer(name, result)
    got = store.layer(name, "kindergartens").layer
    assert header in got.columns and got[header].tolist() == result.layer[header].tolist()
    assert list(got.columns) == list(result.layer.columns)
