"""Persistent, shared workspaces in the app, run headless with streamlit's AppTest on a real store (no mocks).

Each test has its own ``SXGEO_HOME`` (GeoPackage files in a temp folder) and no login configuration; a user is
set in the session the way the login does (``st.session_state[USER]``).  A "new session" is a new AppTest on the
same folder, with the workspace in its URL (``?ws=...``), as a reload or a restarted server gives it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from app_steps import run, to_county
from streamlit.testing.v1 import AppTest

from sxgeo.app.state import USER
from sxgeo.io import load_layer
from sxgeo.io.store import open_store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 300
XIAODIAN = "140105"  # 太原市小店区
TAIYUAN = "140100"
WS = "太原"


def _csv(rows: list[dict]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8-sig")


KG1 = _csv([{"编号": "K1", "名称": "甲园", "性质": "公办", "在园幼儿数": 100, "经度": 112.5647, "纬度": 37.8135}])
KG2 = _csv([{"编号": "K1", "名称": "甲园", "性质": "公办", "经度": 112.5647, "纬度": 37.8135},
            {"编号": "K2", "名称": "乙园", "性质": "民办", "经度": 112.4900, "纬度": 37.7200},
            {"编号": "K3", "名称": "北京园", "性质": "民办", "经度": 116.40, "纬度": 39.90}])


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A store of its own, no login configuration, no database."""
    monkeypatch.setenv("SXGEO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SXGEO_AUTH_CONFIG", str(tmp_path / "no-login.yaml"))
    monkeypatch.delenv("SXGEO_DATABASE_URL", raising=False)
    return tmp_path / "home"


def _session(ws: str | None = None, user: str | None = None) -> AppTest:
    """A new browser session, opened on ``?ws=ws`` (as a reload or a bookmark), logged in as ``user``."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if ws is not None:
        at.query_params["ws"] = ws
    if user is not None:
        at.session_state[USER] = user
    return run(at)


def _create(at: AppTest, name: str) -> AppTest:
    at.sidebar.text_input(key="ws_new_name").set_value(name)
    run(at)
    at.sidebar.button(key="ws_create").click()
    return run(at)


def _upload(at: AppTest, name: str, data: bytes, kind: str = "kindergartens") -> AppTest:
    at.tabs[1].selectbox(key="upload_kind@zh").set_value(kind)
    run(at)
    at.tabs[1].file_uploader(key="upload_file").set_value((name, data, "text/csv"))
    return run(at)


def test_create_rename_and_delete_a_workspace(home):
    at = _session()
    assert at.sidebar.selectbox(key="workspace@zh").value == ""  # no workspace: the app works as before
    assert "合成数据" in at.warning[0].value
    _create(at, WS)
    assert at.sidebar.selectbox(key="workspace@zh").value == WS
    assert at.query_params.get("ws") == WS
    assert open_store(home=home).names() == [WS]
    assert open_store(home=home).info(WS).owner is None  # single-user mode

    at.sidebar.text_input(key="ws_rename_to").set_value("太原市")
    run(at)
    at.sidebar.button(key="ws_rename").click()
    run(at)
    assert at.sidebar.selectbox(key="workspace@zh").value == "太原市"
    assert at.query_params.get("ws") == "太原市"
    assert open_store(home=home).names() == ["太原市"]

    _create(at, "bad/name")
    assert any("不可用" in e.value for e in at.sidebar.error)  # the store's message, in the sidebar
    assert open_store(home=home).names() == ["太原市"]

    at.sidebar.button(key="ws_delete").click()
    run(at)
    assert at.sidebar.selectbox(key="workspace@zh").value == ""
    assert "ws" not in at.query_params
    store = open_store(home=home)
    assert store.names() == [] and [e["name"] for e in store.deleted()] == ["太原市"]  # in the trash


def test_uploads_are_stored_as_versions_and_an_old_one_can_be_restored(home):
    at = _create(_session(), WS)
    _upload(at, "kg1.csv", KG1)
    _upload(at, "kg2.csv", KG2)
    store = open_store(home=home)
    versions = store.versions(WS, "kindergartens")
    assert list(versions["version"]) == [1, 2] and list(versions["rows"]) == [1, 2]
    assert list(versions["rejected"]) == [0, 1] and list(versions["current"]) == [False, True]
    own = at.tabs[1]
    assert any("kg2.csv" in i.value and "第 2 版" in i.value for i in own.info), [i.value for i in own.info]
    history = own.dataframe[-1].value
    assert list(history.columns) == ["版本", "保存时间", "来源文件", "载入行数", "拒绝行数", "当前版本"]
    assert list(history["来源文件"]) == ["kg1.csv", "kg2.csv"] and list(history["当前版本"]) == ["", "✓ 当前"]

    # the stored layer is what every view uses
    at.sidebar.radio(key="source@zh").set_value("own")
    run(at)
    assert list(at.session_state["_workspace"].layers["kindergartens"]["id"]) == ["K1", "K2"]

    at.tabs[1].selectbox(key="restore_version:kindergartens").set_value(1)
    run(at)
    at.tabs[1].button(key="restore:kindergartens").click()
    run(at)
    versions = open_store(home=home).versions(WS, "kindergartens")
    assert list(versions["version"]) == [1, 2, 3] and list(versions["rows"]) == [1, 2, 1]
    assert list(at.session_state["_workspace"].layers["kindergartens"]["id"]) == ["K1"]
    assert any("kg1.csv" in i.value and "第 3 版" in i.value for i in at.tabs[1].info)

    # a new session opens the workspace with the restored version
    again = _session(WS)
    assert any("kg1.csv" in i.value and "第 3 版" in i.value for i in again.tabs[1].info)


def test_area_indicator_and_scenario_come_back_in_a_new_session(home):
    at = _create(_session(), WS)
    to_county(at)
    at.sidebar.selectbox(key="indicator@zh").set_value(at.sidebar.selectbox(key="indicator@zh").options[1])
    run(at)
    indicator = at.session_state["indicator"]
    planned = _csv([{"编号": "N1", "名称": "规划园", "性质": "公办", "学位数": 270, "经度": 112.5647, "纬度": 37.8135}])
    at.tabs[2].file_uploader(key="planned_file").set_value(("规划.csv", planned, "text/csv"))
    run(at)
    before_after = at.tabs[2].table[0].value
    # a click on the map adds a second planned facility (what the map-click handler does)
    at.session_state["planned"] = [("elderly_care", tuple(sorted({
        "id": "P001", "name": "规划养老1", "lon": 112.5647, "lat": 37.8135, "care_kind": "community", "beds": 20,
        "nursing_beds": 10, "opening_year": 2025}.items())))]
    run(at)
    saved = open_store(home=home).scenario(WS, "当前情景")
    assert sorted(saved) == ["elderly_care", "kindergartens"] and list(saved["kindergartens"]["id"]) == ["N1"]
    assert open_store(home=home).view(WS)["county"] == XIAODIAN

    again = _session(WS)
    assert again.sidebar.selectbox(key="workspace@zh").value == WS
    assert again.sidebar.radio(key="level@zh").value == "county"
    assert again.sidebar.selectbox(key="city@zh").value == TAIYUAN
    assert again.sidebar.selectbox(key="county@zh").value == XIAODIAN
    assert again.sidebar.selectbox(key="indicator@zh").value == indicator
    listing = again.tabs[2].dataframe[0].value
    assert sorted(listing["编号"]) == ["N1", "P001"]
    assert again.tabs[2].table[0].value.loc["乡镇至少有一所公办幼儿园"].equals(
        run(at).tabs[2].table[0].value.loc["乡镇至少有一所公办幼儿园"])
    assert len(before_after) == len(again.tabs[2].table[0].value)

    # clearing the planned facilities is saved too
    again.tabs[2].button(key="planned_clear").click()
    run(again)
    assert open_store(home=home).scenario(WS, "当前情景") == {}
    assert "P001" not in str([d.value for d in _session(WS).tabs[2].dataframe])


def test_a_reader_cannot_upload(home):
    store = open_store(home=home)
    store.create(WS, owner="owner")
    layer = load_layer(pd.read_csv(pd.io.common.BytesIO(KG1)), "kindergartens")
    store.add_layer(WS, layer)
    store.set_access(WS, readers=["reader"])
    store.create("私人", owner="owner")

    at = _session(WS, user="reader")
    assert at.sidebar.selectbox(key="workspace@zh").options == ["（不使用工作空间）", WS]  # not 私人
    own = at.tabs[1]
    assert any("只有读取权限" in w.value and "reader" in w.value for w in own.warning)
    assert own.file_uploader(key="upload_file").disabled
    assert not any(b.key == "remove_own" for b in own.button)
    assert not any(b.key == "ws_delete" for b in at.sidebar.button)
    assert any("第 1 版" in i.value for i in own.info)  # the reader sees the layer

    # the reader may not open a workspace not shared with them, even by its address
    other = _session("私人", user="reader")
    assert other.sidebar.selectbox(key="workspace@zh").value == ""
    assert any("无权访问" in e.value for e in other.sidebar.error)

    # the owner sets who may edit; the editor then uploads
    owner = _session(WS, user="owner")
    owner.sidebar.multiselect(key=f"ws_editors:{WS}").set_value(["editor"])
    run(owner)
    owner.sidebar.button(key="ws_access_save").click()
    run(owner)
    assert open_store(home=home).info(WS).editors == ["editor"]
    editor = _upload(_session(WS, user="editor"), "kg2.csv", KG2)
    assert open_store(home=home).versions(WS, "kindergartens")["user"].tolist()[1:] == ["editor"]
    assert not editor.tabs[1].file_uploader(key="upload_file").disabled
