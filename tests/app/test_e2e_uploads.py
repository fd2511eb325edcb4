"""End to end: uploads in the real app (``streamlit run app.py``) in headless Debian Chromium.

* a kindergarten list where some rows have only an address: the summary counts the rows with and without a
  location, the "not on the map" table lists the address-only rows, the gap-lists tab lists them for 小店区,
  and the map draws only the rows with coordinates;
* a township census table and a small population grid (GeoTIFF written here with rasterio), each replacing the
  residential layer, with their summaries and the grid's cell counts.

The server is shared with test_e2e_browser.py (conftest.py); each test has its own browser session.
"""

from __future__ import annotations

import csv
import io
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from e2e_helpers import MAP_IFRAME, REPO, guard_network, launch, wait_for_map, wait_idle
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ARTIFACTS = REPO / "test-artifacts"
OWN_TAB = "载入自己的数据"


@contextmanager
def _page(server, shot: str):
    """A fresh browser session on the app, Chinese, with every request outside 127.0.0.1 refused and recorded."""
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True, locale="zh-CN")
        outside = guard_network(context)
        page = context.new_page()
        try:
            page.goto(server.url, wait_until="domcontentloaded")
            page.get_by_text("山西省公共服务设施缺口分析").first.wait_for(timeout=180_000)
            yield page
        finally:
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
            browser.close()
    assert outside == [], f"requests left 127.0.0.1: {outside[:10]}"


def _wait_text(page, text: str, timeout_s: float = 120) -> None:
    page.get_by_text(text).first.wait_for(state="visible", timeout=timeout_s * 1000)


def _main(page):
    return page.locator('[data-testid="stMain"]')


def _upload(page, kind_option: str | None, path: Path) -> None:
    """In the own-data tab: choose the upload kind (None: keep the default) and upload ``path``."""
    page.get_by_role("tab", name=OWN_TAB).click()
    wait_idle(page)
    if kind_option is not None:
        for attempt in range(3):  # a rerun that lands while the list is open redraws it: open it again
            wait_idle(page)
            combo = _main(page).get_by_role("combobox", name="图层类型", exact=True)
            combo.scroll_into_view_if_needed()
            combo.click()
            page.keyboard.type(kind_option[:6])  # filter the list down to the option (a long list can open off-screen)
            try:
                page.get_by_role("option", name=kind_option, exact=True).first.click(timeout=15_000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
                page.keyboard.press("Escape")
        page.wait_for_function(
            "v => [...document.querySelectorAll('[data-testid=stMain] input[role=combobox]')].some(e => e.value === v)",
            arg=kind_option, timeout=60_000)
    wait_idle(page)  # a tab click and a kind choice rerun the page: upload into the final uploader
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(path))


def _sidebar_radio(page, option: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name=option, exact=True).check(force=True)


def _sidebar_choose(page, label: str, option: str) -> None:
    combo = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label, exact=True)
    combo.wait_for(timeout=120_000)
    combo.click()
    page.get_by_role("option", name=option, exact=True).first.click()
    page.wait_for_function("([el, v]) => el.value === v", arg=[combo.element_handle(), option], timeout=120_000)


def _grid_cells(frame_locator) -> list[list[str]]:
    """The cells of a Streamlit dataframe (the grid's accessible table), row by row, header first."""
    grid = frame_locator.locator('[role="grid"]').first
    grid.wait_for(state="attached", timeout=60_000)  # the accessible copy of the canvas grid is hidden
    return grid.evaluate(
        "g => [...g.querySelectorAll('[role=row]')].map(r => [...r.querySelectorAll('[role=columnheader],[role=gridcell]')]"
        ".map(c => c.innerText.trim()))")


def _csv(path: Path, frame: pd.DataFrame) -> Path:
    path.write_bytes(frame.to_csv(index=False).encode("utf-8-sig"))
    return path


# --- rows without coordinates ----------------------------------------------------------------

ADDRESS_ONLY = {"乙园": "山西省太原市小店区坞城街道学府街1号", "丙园": "山西省太原市小店区坞城街道学府街9号"}


def test_address_only_kindergartens_are_listed_not_drawn(app_server):
    kg = _csv(ARTIFACTS / "e2e-kg-address.csv", pd.DataFrame({
        "名称": ["甲园", "乙园", "丙园", "丁园"],
        "性质": ["公办", "民办", "公办", "民办"],
        "地址": ["山西省太原市小店区学府街100号", ADDRESS_ONLY["乙园"], ADDRESS_ONLY["丙园"], "山西省太原市小店区学府街5号"],
        "经度": ["112.5647", "", "", "112.5650"],
        "纬度": ["37.8135", "", "", "37.8140"],
    }))
    with _page(app_server, "e2e-unlocated.png") as page:
        _upload(page, None, kg)  # 幼儿园 is the first kind
        # the summary counts the rows with and without a location
        _wait_text(page, "e2e-kg-address.csv（幼儿园）：共 4 行，载入 4 行（有坐标 2 行，无坐标 2 行），拒绝 0 行；附注：未上图 2 行")
        own = page.locator('[data-testid="stTabPanel"]:visible').first
        own.get_by_text("未上图的记录（2 行）", exact=True).wait_for()
        own.get_by_text("这些记录没有可用坐标：按所在乡镇/区县计入规则和指标，不参与距离分析，也不在地图上显示。", exact=False).wait_for()
        cells = _grid_cells(own.locator('[data-testid="stDataFrame"]').first)
        assert cells[0] == ["行号", "名称", "地址", "区县", "乡镇名称", "位置判定方法", "备注"], cells[0]
        rows = [c for c in cells[1:] if c]
        assert [r[:6] for r in rows] == [
            ["3", "乙园", ADDRESS_ONLY["乙园"], "小店区", "坞城街道", "地址解析"],
            ["4", "丙园", ADDRESS_ONLY["丙园"], "小店区", "坞城街道", "地址解析"],
        ], rows
        assert all(r[6].startswith("缺少坐标（经度或纬度为空）；未上图") for r in rows), rows

        # the uploaded data in 小店区: the gap-lists tab lists the two rows, the map draws the other two
        _sidebar_radio(page, "自己的数据")
        _wait_text(page, "正在使用您上传的数据。")
        _sidebar_radio(page, "区县")
        _sidebar_choose(page, "地级市", "太原市 140100")
        _sidebar_choose(page, "区县", "小店区 140105")
        page.get_by_role("tab", name="缺口清单").click()
        _wait_text(page, "太原市小店区：2 行没有可用坐标，按所在乡镇/区县计入规则和指标，不参与距离分析，也不在地图上显示。")
        gaps = page.locator('[data-testid="stTabPanel"]:visible').first
        gaps.get_by_text("未上图的记录", exact=True).first.wait_for()  # (a rerun can leave a stale copy for a moment)
        page.wait_for_function(  # the run has finished: the buttons are the final ones
            "() => document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state') === 'notRunning'")
        button = gaps.locator('[data-testid="stDownloadButton"]').filter(has_text="下载 CSV").last
        with page.expect_download(timeout=60_000) as info:
            button.click()
        download = info.value
        assert download.suggested_filename == "off_map_140105.csv"
        listed = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
        assert [(r["图层"], r["行号"], r["名称"], r["地址"], r["区县"], r["乡镇名称"], r["位置判定方法"]) for r in listed] == [
            ("幼儿园", "3", "乙园", ADDRESS_ONLY["乙园"], "小店区", "坞城街道", "地址解析"),
            ("幼儿园", "4", "丙园", ADDRESS_ONLY["丙园"], "小店区", "坞城街道", "地址解析"),
        ], listed
        wait_for_map(page)
        frame = page.frame_locator(MAP_IFRAME).first
        frame.locator(".leaflet-control-layers").filter(has_text="幼儿园（2）").first.wait_for(timeout=60_000)
        deadline = time.monotonic() + 30
        while frame.locator(".sx-icon").count() != 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert frame.locator(".sx-icon").count() == 2  # 甲园 and 丁园 only


# --- population data -------------------------------------------------------------------------


def test_township_census_table_replaces_the_residential_layer(app_server):
    table = _csv(ARTIFACTS / "e2e-census.csv", pd.DataFrame({"乡镇代码": ["140105001"], "常住人口": [52000]}))
    with _page(app_server, "e2e-census.png") as page:
        _upload(page, "乡镇人口普查表（CSV、XLSX；替换居民点图层）", table)
        _wait_text(page, "e2e-census.csv（居民点）：共 1 行，载入 1 行（有坐标 0 行，无坐标 1 行），拒绝 0 行")
        _wait_text(page, "1 个乡镇没有界线，点位为所在区县的代表点（近似位置）")
        own = page.locator('[data-testid="stTabPanel"]:visible').first
        own.get_by_text("未上图的记录（1 行）", exact=True).wait_for()
        cells = _grid_cells(own.locator('[data-testid="stDataFrame"]').first)
        assert cells[0][:6] == ["行号", "名称", "区县", "乡镇名称", "位置判定方法", "人口"], cells[0]
        assert cells[1][0] == "2" and cells[1][2] == "小店区" and cells[1][4] == "乡镇代码", cells[1]


def _grid(path: Path) -> Path:
    """10 × 10 cells of 0.001° over lon 112.56–112.57, lat 37.81–37.82 (小店区): 10, 20, 30 people, a zero, nodata."""
    import rasterio
    from rasterio.transform import from_origin

    values = np.full((10, 10), -9999.0, dtype="float32")
    values[0, 0], values[0, 1], values[5, 5], values[9, 9] = 10, 20, 30, 0
    with rasterio.open(path, "w", driver="GTiff", height=10, width=10, count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_origin(112.56, 37.82, 0.001, 0.001), nodata=-9999.0) as ds:
        ds.write(values, 1)
    return path


def test_population_grid_shows_its_cell_counts(app_server):
    grid = _grid(ARTIFACTS / "e2e-grid.tif")
    with _page(app_server, "e2e-grid.png") as page:
        _upload(page, "人口栅格（GeoTIFF；替换居民点图层）", grid)
        _wait_text(page, "e2e-grid.tif：人口格网共 100 个格元，载入 3 个需求点（人口合计 60）；"
                         "跳过：无数据 96、负值 0、零值 1、范围外 0")
        _wait_text(page, "年龄结构按比例估算")
        cells = page.locator('[data-testid="stTable"]').filter(has_text="范围外").first
        cells.wait_for(timeout=60_000)
        header = cells.locator("thead th").all_inner_texts()
        body = cells.locator("tbody tr").first.locator("th, td").all_inner_texts()
        assert [h.strip() for h in header] == ["", "合计", "载入", "无数据", "负值", "零值", "范围外"], header
        assert [b.strip() for b in body] == ["格元数", "100", "3", "96", "0", "1", "0"], body
        own = page.locator('[data-testid="stTabPanel"]:visible').first
        assert own.get_by_text("未上图的记录（").count() == 0  # every cell has its position
