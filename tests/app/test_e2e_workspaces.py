"""End to end: workspaces in the real app (``streamlit run app.py``) in headless Debian Chromium.

* a planner creates a workspace, uploads a kindergarten list and chooses a county; a reload of the page, and then
  a new server on the same ``SXGEO_HOME`` opened at ``?ws=...``, bring back the workspace, the layer and the county;
* with a login configuration (two users with bcrypt-hashed passwords, as the README shows), the reader logs in,
  sees the shared workspace and its layer, and finds the uploader disabled with a message saying why.

Each test starts its own server (its own store); screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import yaml
from e2e_helpers import REPO, StreamlitServer, guard_network, launch, wait_idle
from playwright.sync_api import expect, sync_playwright

from sxgeo.io import load_layer
from sxgeo.io.store import open_store

ARTIFACTS = REPO / "test-artifacts"
TITLE = "山西省公共服务设施缺口分析"
OWN_TAB = "载入自己的数据"
WS = "太原"


@contextmanager
def _server(home: Path, log: str, auth: Path | None = None):
    env = {"SXGEO_HOME": str(home), "SXGEO_AUTH_CONFIG": str(auth or home.parent / "no-login.yaml")}
    ARTIFACTS.mkdir(exist_ok=True)
    with StreamlitServer(env=env, log=ARTIFACTS / log) as server:
        yield server


@contextmanager
def _browser():
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
        outside = guard_network(context)
        try:
            yield context
        finally:
            browser.close()
    assert outside == [], f"requests left 127.0.0.1: {outside[:10]}"


def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_text(TITLE).first.wait_for(timeout=180_000)


def _wait_text(page, text: str, timeout_s: float = 120) -> None:
    page.get_by_text(text).first.wait_for(state="visible", timeout=timeout_s * 1000)


def _sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def _combo_value(page, label: str, value: str, timeout_s: float = 120) -> None:
    """Wait until the sidebar's selectbox ``label`` shows ``value``."""
    combo = _sidebar(page).get_by_role("combobox", name=label, exact=True)
    deadline = time.monotonic() + timeout_s
    shown = None
    while time.monotonic() < deadline:  # read afresh each time: a rerun may replace the element
        try:
            shown = combo.input_value(timeout=5000)
        except Exception:  # noqa: BLE001 - not drawn yet, or being re-rendered
            shown = None
        if shown == value:
            return
        time.sleep(0.3)
    raise AssertionError(f"{label}: {shown!r}, not {value!r}; address {page.url}")


def _sidebar_choose(page, label: str, option: str) -> None:
    combo = _sidebar(page).get_by_role("combobox", name=label, exact=True)
    combo.wait_for(timeout=120_000)
    wait_idle(page)
    combo.click()
    page.keyboard.type(option.split()[0])  # filter the list down to the option
    page.get_by_role("option", name=option, exact=True).first.click()
    _combo_value(page, label, option)


def _own_tab_shows(page, text: str) -> None:
    page.get_by_role("tab", name=OWN_TAB).click()
    wait_idle(page)  # a tab click reruns the page
    _wait_text(page, text)


def test_workspace_layer_and_county_survive_a_reload_and_a_server_restart(tmp_path):
    home = tmp_path / "home"
    kg = tmp_path / "kg.csv"
    kg.write_bytes(pd.DataFrame({"编号": ["K1", "K2"], "名称": ["甲园", "乙园"], "性质": ["公办", "民办"],
                                 "经度": [112.5647, 112.5650], "纬度": [37.8135, 37.8140]}).to_csv(index=False)
                   .encode("utf-8-sig"))
    stored = "kg.csv（幼儿园）：共 2 行，载入 2 行"
    with _server(home, "e2e-ws-first.log") as server, _browser() as context:
        page = context.new_page()
        _open(page, server.url)
        # create the workspace in the sidebar
        _sidebar(page).get_by_text("新建、重命名、删除工作空间").click()
        name = _sidebar(page).get_by_label("新工作空间名称")
        name.fill(WS)
        name.press("Enter")
        create = _sidebar(page).get_by_role("button", name="新建并打开")
        expect(create).to_be_enabled(timeout=60_000)
        create.click()
        _combo_value(page, "工作空间", WS)
        page.wait_for_url(f"**/?ws={quote(WS)}", timeout=60_000)
        # upload a kindergarten list: stored at once as version 1
        page.get_by_role("tab", name=OWN_TAB).click()
        wait_idle(page)  # a tab click reruns the page: upload into the final uploader
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(kg))
        _wait_text(page, stored)
        _wait_text(page, f"工作空间“{WS}”第 1 版")
        # use it, in 小店区
        _sidebar(page).get_by_role("radio", name="自己的数据", exact=True).check(force=True)
        _wait_text(page, "正在使用您上传的数据。")
        _sidebar(page).get_by_role("radio", name="区县", exact=True).check(force=True)
        _sidebar_choose(page, "地级市", "太原市 140100")
        _sidebar_choose(page, "区县", "晋源区 140110")  # not the first county, which is chosen by default
        wait_idle(page)
        assert open_store(home=home).view(WS)["county"] == "140110"
        # the address follows the view too (a reload reads it first)
        page.wait_for_function("() => new URL(location.href).searchParams.get('county') === '140110'", timeout=60_000)

        # a reload: the same workspace, layer and county
        page.reload(wait_until="domcontentloaded")
        page.get_by_text(TITLE).first.wait_for(timeout=180_000)
        _combo_value(page, "工作空间", WS)
        _combo_value(page, "区县", "晋源区 140110")
        _wait_text(page, "正在使用您上传的数据。")
        _own_tab_shows(page, stored)
        page.screenshot(path=str(ARTIFACTS / "e2e-ws-reload.png"), full_page=True)

    # a new server on the same store, opened at ?ws=太原 in a new browser
    with _server(home, "e2e-ws-second.log") as server, _browser() as context:
        page = context.new_page()
        _open(page, f"{server.url}/?ws={quote(WS)}")
        _combo_value(page, "工作空间", WS)
        _combo_value(page, "地级市", "太原市 140100")
        _combo_value(page, "区县", "晋源区 140110")
        _wait_text(page, "正在使用您上传的数据。")
        _own_tab_shows(page, stored)
        _wait_text(page, f"工作空间“{WS}”第 1 版")
        page.screenshot(path=str(ARTIFACTS / "e2e-ws-restart.png"), full_page=True)


def _auth_config(path: Path, passwords: dict[str, str]) -> Path:
    """A login configuration as the README shows it: bcrypt-hashed passwords (streamlit_authenticator's Hasher)."""
    from streamlit_authenticator.utilities.hasher import Hasher

    users = {u: {"name": u, "email": f"{u}@example.org", "password": Hasher.hash(pw)} for u, pw in passwords.items()}
    config = {"credentials": {"usernames": users}, "cookie": {"name": "sxgeo_auth", "key": "test-key", "expiry_days": 1}}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_a_reader_logs_in_sees_the_workspace_and_cannot_upload(tmp_path):
    home = tmp_path / "home"
    store = open_store(home=home)
    store.create(WS, owner="owner")
    rows = pd.DataFrame({"编号": ["K1"], "名称": ["甲园"], "性质": ["公办"], "经度": [112.5647], "纬度": [37.8135]})
    store.add_layer(WS, load_layer(rows, "kindergartens", display_name="园.csv"), user="owner")
    store.set_access(WS, readers=["reader"], user="owner")
    store.create("私人", owner="owner")
    auth = _auth_config(tmp_path / "auth.yaml", {"owner": "owner-pw-1", "reader": "reader-pw-2"})
    with _server(home, "e2e-ws-login.log", auth=auth) as server, _browser() as context:
        page = context.new_page()
        _open(page, f"{server.url}/?ws={quote(WS)}")
        wait_idle(page)  # a person types once the page has loaded
        # a wrong password is refused
        page.get_by_label("用户名").fill("reader")
        page.get_by_label("密码").fill("wrong")
        page.get_by_role("button", name="登录").click()
        _wait_text(page, "用户名或密码不正确。")
        page.get_by_label("密码").fill("reader-pw-2")
        page.get_by_role("button", name="登录").click()
        _wait_text(page, "已登录：reader")
        wait_idle(page)
        # only the workspaces the reader may read are offered
        combo = _sidebar(page).get_by_role("combobox", name="工作空间", exact=True)
        combo.click()
        options = page.get_by_role("option").all_inner_texts()
        assert [o.strip() for o in options] == ["（不使用工作空间）", WS], options
        page.keyboard.press("Escape")
        # the reader opens it (the address usually opens it already; a login submitted while the page is
        # still loading can lose the address, and then choosing it here is what a planner does)
        _sidebar_choose(page, "工作空间", WS)
        # the layer is there, the uploader is disabled and says why
        _own_tab_shows(page, "园.csv（幼儿园）：共 1 行，载入 1 行")
        _wait_text(page, f"您（reader）对工作空间“{WS}”只有读取权限：不能上传或修改数据。")
        uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]').first
        assert uploader.is_disabled()
        assert page.get_by_role("button", name="恢复此版本").count() == 0
        page.screenshot(path=str(ARTIFACTS / "e2e-ws-reader.png"), full_page=True)
    assert open_store(home=home).versions(WS, "kindergartens")["version"].tolist() == [1]
