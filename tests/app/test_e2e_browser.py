"""End to end: the real app (``streamlit run app.py``) in headless Debian Chromium.

One browser session walks through what a planner does: the map appears (and
no request leaves 127.0.0.1), a county is chosen by clicking it on the map and
another from the sidebar, a gap list is downloaded and its rows checked
against the core, a bad CSV is uploaded, and the language is switched.
Screenshots go to ``test-artifacts/``.  Chromium is installed with apt-get
when missing (see tests/e2e_helpers.py); the test never skips for a missing
browser.
"""

from __future__ import annotations

import contextlib
import csv
import io
import time
from pathlib import Path

import pandas as pd
import pytest
from e2e_helpers import MAP_IFRAME, REPO, guard_network, launch, wait_for_map, wait_idle
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ARTIFACTS = REPO / "test-artifacts"  # the app server is in conftest.py


@pytest.fixture(scope="module")
def expected_gaps():
    """Townships (乡/镇) without a public kindergarten in the demo data, by county, from the core."""
    from sxgeo.analysis import indicators
    from sxgeo.io.demo import load_demo
    from sxgeo.layers import boundaries

    demo = load_demo(("kindergartens", "residential"))
    by_tw = indicators.kindergartens_by_township(demo["kindergartens"].layer, boundaries.load_townships(), demo["residential"].layer)
    gaps = by_tw[(by_tw["passes"] == False) & by_tw["unit_kind"].isin(["镇", "乡"])]  # noqa: E712
    counties = boundaries.load_counties()
    per_county = gaps.groupby("county_code").size()
    # The county with the most gaps, and a representative point inside it to click.
    code = per_county.sort_values(ascending=False).index[0]
    county = counties[counties["adcode"] == code].iloc[0]
    point = county.geometry.representative_point()
    return {
        "code": code,
        "name": county["name"],
        "city_code": county["city_code"],
        "point": (point.y, point.x),
        "townships": set(gaps[gaps["county_code"] == code].index.astype(str)),
    }


def _table_text(page) -> str:
    return page.locator('[data-testid="stTable"]').first.inner_text()


def _wait_text(page, text: str, timeout_s: float = 120) -> None:
    page.get_by_text(text).first.wait_for(state="visible", timeout=timeout_s * 1000)


def _wait_change(read, old, timeout_s: float = 120):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            new = read()
        except Exception:  # noqa: BLE001 - element being re-rendered
            new = old
        if new != old:
            return new
        time.sleep(0.3)
    raise AssertionError(f"nothing changed within {timeout_s} s")


def _click_latlng(page, lat: float, lng: float, timeout_s: float = 60) -> None:
    """A real mouse click on the map at a geographic position (retried while the map iframe is replaced)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            frame = page.locator(MAP_IFRAME).first.element_handle(timeout=5000).content_frame()
            x, y = frame.evaluate(
                "([lat, lng]) => { const p = window.map_div.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
                [lat, lng],
            )
            box = page.locator(MAP_IFRAME).first.bounding_box()
            if box is None or box["height"] < 100:
                raise RuntimeError("map iframe not laid out yet")
            page.mouse.click(box["x"] + x, box["y"] + y)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _combo(page, label: str):
    """A sidebar selectbox (its input holds the chosen option)."""
    return page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label, exact=True)


def _options(page, label: str) -> list[str]:
    _combo(page, label).click()
    options = page.get_by_role("option")
    options.first.wait_for()
    names = [o.inner_text() for o in options.all()]
    page.keyboard.press("Escape")
    return names


def _choose(page, label: str, option: str) -> None:
    _combo(page, label).click()
    page.get_by_role("option", name=option, exact=True).first.click()


def test_planner_walkthrough_in_a_real_browser(app_server, expected_gaps):
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True, locale="zh-CN")
        outside = guard_network(context)
        page = context.new_page()
        try:
            _walkthrough(page, app_server, expected_gaps, outside)
        finally:
            page.screenshot(path=str(ARTIFACTS / "e2e-final.png"), full_page=True)
            browser.close()
    assert outside == [], f"requests left 127.0.0.1: {outside[:10]}"


def _walkthrough(page, server, gaps, outside) -> None:
    # 1. The map is actually visible: a tall iframe and Leaflet holding the 117 county polygons.
    page.goto(server.url, wait_until="domcontentloaded")
    _wait_text(page, "山西省公共服务设施缺口分析", 180)
    state = wait_for_map(page, min_polygons=117, timeout_ms=180_000)
    assert state["height"] > 400 and state["containers"] == 1, state
    assert state["polygons"] >= 117
    page.locator('[data-testid="stTable"]').first.wait_for(timeout=60_000)
    assert "合成数据" in page.locator('[data-testid="stAlert"]').first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "e2e-1-province.png"))
    assert outside == [], outside

    # 2a. Clicking a county on the map selects it: the map and the targets table change.
    province_table = _table_text(page)
    _click_latlng(page, *gaps["point"])
    county = _combo(page, "区县")
    county.wait_for(timeout=120_000)
    page.wait_for_function("([el, v]) => el.value.includes(v)", arg=[county.element_handle(), gaps["name"]], timeout=120_000)
    assert gaps["city_code"] in _combo(page, "地级市").input_value()
    county_table = _wait_change(lambda: _table_text(page), province_table)
    assert "达标" in county_table
    frame = page.frame_locator(MAP_IFRAME).first
    frame.locator(".sx-icon").first.wait_for(timeout=60_000)  # facility icons of the county are drawn
    county_state = wait_for_map(page)
    assert county_state["markers"] > 0 and county_state["polygons"] < 117, county_state
    page.screenshot(path=str(ARTIFACTS / "e2e-2-county-clicked.png"))

    # 2b. Choosing another county in the sidebar changes the map and the table again.
    names = _options(page, "区县")
    pick = next(n for n in names if gaps["name"] not in n)
    _choose(page, "区县", pick)
    other_table = _wait_change(lambda: _table_text(page), county_table)
    assert _combo(page, "区县").input_value() == pick
    wait_for_map(page)
    # back to the county with the most gaps, for the download
    _choose(page, "区县", f"{gaps['name']} {gaps['code']}")
    _wait_change(lambda: _table_text(page), other_table)
    wait_for_map(page)

    # 3. Download the kindergarten gap list as CSV and check its rows against the core.
    page.get_by_role("tab", name="缺口清单").click()
    wait_idle(page)  # a tab click reruns the page (the open tab is kept in the address)
    heading = page.get_by_text("没有公办幼儿园的乡镇", exact=True).first
    heading.wait_for()
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="下载 CSV").first
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    data = Path(download.path()).read_bytes()
    (ARTIFACTS / download.suggested_filename).write_bytes(data)
    assert download.suggested_filename.endswith(".csv") and gaps["code"] in download.suggested_filename
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must be UTF-8 with BOM for Excel"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    codes = {r["单位代码"] for r in rows}
    assert codes == gaps["townships"], (codes ^ gaps["townships"])
    assert all(r["区县"] == gaps["name"] for r in rows)

    # 3b. Scenario: a click on the map adds a planned public kindergarten; every target before and after.
    page.locator('[data-testid="stMain"] label').filter(has_text="添加规划设施").first.click()
    page.wait_for_timeout(1500)  # the map is mounted again with click reporting
    wait_for_map(page)
    frame = page.frame_locator(MAP_IFRAME).first
    lat, lng = gaps["point"]
    for attempt in range(4):  # the first spot may be covered by a facility icon
        _click_latlng(page, lat + 0.004 * attempt, lng + 0.004 * attempt)
        try:
            frame.locator(".leaflet-control-layers").filter(has_text="规划设施").first.wait_for(timeout=30_000)
            break
        except Exception:  # noqa: BLE001
            continue
    else:
        raise AssertionError("clicking the map did not add a planned facility")
    page.get_by_role("tab", name="情景模拟").click()
    wait_idle(page)  # a tab click reruns the page (the open tab is kept in the address)
    scenario = page.locator('[data-testid="stTable"]').filter(has_text="规划前").first
    scenario.wait_for(timeout=120_000)
    text = scenario.inner_text()
    assert "规划后" in text and "学前三年毛入园率" in text
    page.locator('[data-testid="stAlert"]').filter(has_text="已添加").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "e2e-3-scenario.png"), full_page=True)
    page.locator('[data-testid="stMain"] label').filter(has_text="选择区县").first.click()

    # 4. Upload a bad CSV: the rejected rows are listed with their reasons, the app keeps working.
    page.get_by_role("tab", name="载入自己的数据").click()
    wait_idle(page)  # a tab click reruns the page (the open tab is kept in the address)
    bad = pd.DataFrame(
        {"编号": ["K1", "K2", "K3"], "名称": ["好园", "没有坐标园", "北京园"], "性质": ["公办", "公办", "民办"],
         "经度": ["112.56", "", "116.40"], "纬度": ["37.80", "", "39.90"]}
    )
    bad_path = ARTIFACTS / "e2e-bad.csv"
    bad_path.write_bytes(bad.to_csv(index=False).encode("utf-8-sig"))
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(bad_path))
    _wait_text(page, "拒绝 2 行", 120)
    _wait_text(page, "被拒绝的行")
    warning = page.locator('[data-testid="stAlert"]').filter(has_text="缺少坐标").first
    warning.wait_for(timeout=60_000)
    assert "山西省范围以外" in warning.inner_text()
    wait_for_map(page)
    page.screenshot(path=str(ARTIFACTS / "e2e-4-upload.png"), full_page=True)

    # 5. Switch the language to English.
    page.locator('[data-testid="stSidebar"] label').filter(has_text="English").first.click()
    _wait_text(page, "Shanxi public-service gap analysis", 120)
    page.locator('[data-testid="stAlert"]').filter(has_text="SYNTHETIC").first.wait_for(timeout=60_000)
    page.get_by_role("tab", name="Gap lists").wait_for()
    wait_for_map(page)
    # every choice is still shown selected, relabelled in English
    # (the four radio groups: language, data source, area level, travel mode; while Streamlit reruns, stale
    # copies of the groups can stay in the page for a moment, so wait for the rerun to settle)
    script = ("() => [...document.querySelectorAll('[data-testid=stSidebar] [role=radiogroup]')]"
              ".map(g => g.querySelectorAll('input:checked').length)")
    with contextlib.suppress(PlaywrightTimeout):  # the assertion below reports what was there
        page.wait_for_function(f"() => JSON.stringify(({script})()) === JSON.stringify([1, 1, 1, 1])", timeout=60_000)
    checked = page.evaluate(script)
    assert checked == [1, 1, 1, 1], checked
    assert _combo(page, "County").input_value() == f"{gaps['name']} {gaps['code']}"
    # 6. The screenshot of the finished walk-through.
    page.screenshot(path=str(ARTIFACTS / "e2e-5-english.png"))
