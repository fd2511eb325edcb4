"""End to end, in headless Debian Chromium: a county's targets under the plan's task headings, and its hospitals
on the map.

The expected headings come from the targets file read with ``tomllib``, the expected hospitals from the demo
file read with pandas.
"""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest
from e2e_helpers import MAP_IFRAME, REPO, guard_network, launch, wait_for_map, wait_idle
from playwright.sync_api import sync_playwright

XIAODIAN = "140105"


@pytest.fixture
def page(app_server):
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        outside = guard_network(context)
        pg = context.new_page()
        pg.set_default_timeout(120_000)
        try:
            yield pg
        finally:
            context.close()
            browser.close()
        assert outside == [], f"requests left 127.0.0.1: {outside[:5]}"


def test_a_county_shows_its_targets_under_the_plan_tasks_and_its_hospitals_on_the_map(page, app_server):
    from sxgeo.outputs.webmap_style import ICON_STYLES

    plan = tomllib.loads((REPO / "sxgeo" / "data" / "targets.toml").read_text(encoding="utf-8"))
    shown = {tg["task"] for tg in plan["target"] if tg["level"] in ("county", "township")}
    headings = [task["name_zh"] for task in plan["task"] if task["id"] in shown]
    raw = pd.read_csv(REPO / "data" / "facilities" / "hospitals.csv", dtype=str, encoding="utf-8-sig")
    hospitals = raw[raw["乡镇代码"].str[:6] == XIAODIAN]
    assert len(hospitals) > 0

    page.goto(f"{app_server.url}/?county={XIAODIAN}", wait_until="domcontentloaded")
    wait_for_map(page, timeout_ms=180_000)
    wait_idle(page)
    # the targets panel: one heading per task, in Chinese, in the targets file's order
    found = [h.strip() for h in page.locator('[data-testid="stMain"] h5').all_inner_texts()]
    assert found == headings, found
    # the map: one red square with a white cross per hospital of the county (three sizes by level)
    frame = page.frame_locator(MAP_IFRAME).first
    markers = frame.locator(f'.sx-icon:has(rect[fill="{ICON_STYLES["hospitals"][1]}"])')
    markers.first.wait_for()
    assert markers.count() == len(hospitals)
    sizes = {round(markers.nth(i).bounding_box()["width"]) for i in range(markers.count())}
    levels = hospitals["等级"].map({"三级": 3, "二级": 2}).fillna(1).nunique()
    assert len(sizes) == levels, sizes
