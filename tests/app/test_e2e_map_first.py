"""End to end, in headless Debian Chromium at 1400×900: the map as a planner reads it.

A big map with a collapsed layer control, views kept in the address (a reload and a copied link open the
same view; a bad link falls back to the province with a notice), the township search, a planned site drawn
with the residents it newly covers, the map's PNG and PDF downloads opened and checked, no English in the
Chinese screen, and ten county clicks in a row that each select their county.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from e2e_helpers import MAP_IFRAME, REPO, guard_network, launch, wait_for_map, wait_idle
from playwright.sync_api import sync_playwright
from test_e2e_browser import _click_latlng

ARTIFACTS = REPO / "test-artifacts"
VIEWPORT = {"width": 1400, "height": 900}
XIAODIAN = "140105"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN")
    outside = guard_network(context)
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    yield pg
    context.close()
    assert outside == [], f"requests left 127.0.0.1: {outside[:5]}"


@pytest.fixture(scope="module")
def counties():
    from sxgeo.layers.boundaries import load_counties

    return load_counties()


def _combo(page, label: str):
    return page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label, exact=True)


def _params(page) -> dict[str, str]:
    """The address bar's query (``location.href``: Playwright's ``page.url`` misses history.replaceState)."""
    return {k: v[0] for k, v in parse_qs(urlparse(page.evaluate("location.href")).query).items()}


def _wait_params(page, **wanted) -> dict[str, str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = _params(page)
        if all(got.get(k) == v for k, v in wanted.items()):
            return got
        time.sleep(0.25)
    raise AssertionError(f"the address has {_params(page)}, not {wanted}")


def _open(page, server, query: str = "") -> None:
    page.goto(f"{server.url}/{query}", wait_until="domcontentloaded")
    wait_for_map(page, timeout_ms=180_000)
    wait_idle(page)


def test_the_map_takes_most_of_the_width_and_its_controls_stay_small(page, app_server):
    _open(page, app_server, f"?county={XIAODIAN}")
    box = page.locator(MAP_IFRAME).first.bounding_box()
    assert box["width"] >= 0.65 * VIEWPORT["width"], box
    frame = page.frame_locator(MAP_IFRAME).first
    control = frame.locator(".leaflet-control-layers").first
    control.wait_for()
    assert "leaflet-control-layers-expanded" not in (control.get_attribute("class") or "")
    control_box = control.bounding_box()
    assert control_box["width"] * control_box["height"] < 0.02 * box["width"] * box["height"], control_box
    # the county fills the frame: its outline spans most of the map's width or height
    frame.locator(".sx-icon").first.wait_for()
    page.wait_for_timeout(500)
    spans = frame.locator("body").evaluate("""() => {
        const b = window.map_div.getBounds(), s = window.map_div.getSize();
        return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth(), s.x, s.y];
    }""")
    from sxgeo.layers.boundaries import load_counties

    c = load_counties().set_index("adcode").loc[XIAODIAN].geometry.bounds
    west, south, east, north = spans[:4]
    assert west <= c[0] and south <= c[1] and east >= c[2] and north >= c[3], (spans, c)  # all of it is shown
    assert (c[2] - c[0]) / (east - west) > 0.6 or (c[3] - c[1]) / (north - south) > 0.6, (spans, c)  # and fitted
    page.screenshot(path=str(ARTIFACTS / "county-view.png"))  # docs/county-view.png is a copy


def test_the_view_survives_a_reload_and_a_bad_link_falls_back_to_the_province(page, app_server, counties):
    _open(page, app_server, f"?county={XIAODIAN}&lang=zh&tab=scenario")
    assert _combo(page, "区县").input_value().endswith(XIAODIAN)
    assert page.get_by_role("tab", name="情景模拟").get_attribute("aria-selected") == "true"
    # choose another county in the sidebar: the address follows
    other = counties[(counties["city_code"] == "140100") & (counties["adcode"] != XIAODIAN)].iloc[0]
    _combo(page, "区县").click()
    page.get_by_role("option", name=f"{other['name']} {other['adcode']}", exact=True).click()
    _wait_params(page, county=other["adcode"], tab="scenario")
    wait_idle(page)
    page.reload(wait_until="domcontentloaded")
    wait_for_map(page, timeout_ms=180_000)
    wait_idle(page)
    assert _combo(page, "区县").input_value() == f"{other['name']} {other['adcode']}"
    assert page.get_by_role("tab", name="情景模拟").get_attribute("aria-selected") == "true"
    # a copied link in English opens in English
    _open(page, app_server, f"?county={XIAODIAN}&lang=en")
    assert _combo(page, "County").input_value().endswith(XIAODIAN)
    # a link naming no county: the province, and a notice naming the parameter
    _open(page, app_server, "?county=149999&indicator=nonsense")
    notice = page.locator('[data-testid="stAlert"]').filter(has_text="county=149999").first
    notice.wait_for()
    assert "indicator=nonsense" in notice.inner_text()
    assert page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="全省", exact=True).is_checked()
    assert "county" not in _params(page)


def test_township_search_selects_its_county_and_highlights_its_places(page, app_server):
    from sxgeo.io.demo import load_demo

    _open(page, app_server)
    box = page.locator('[data-testid="stSidebar"]').get_by_label("搜索区县、乡镇或设施")
    box.fill("北格")
    box.press("Enter")
    result = page.locator('[data-testid="stSidebar"] [data-testid="stButton"] button').filter(has_text="北格镇").first
    result.click()
    county = _combo(page, "区县")
    county.wait_for()
    page.wait_for_function("([el, v]) => el.value.endsWith(v)", arg=[county.element_handle(), XIAODIAN])
    frame = page.frame_locator(MAP_IFRAME).first
    frame.locator(".sx-focus").first.wait_for()
    # the highlighted places are the township's points in the demo layers (an independent count)
    layers = load_demo()
    expected = sum(int((res.layer.get("township_code").astype(str) == "140105100").sum())
                   for res in layers.values() if "township_code" in res.layer)
    assert frame.locator(".sx-focus").count() == expected > 0


def test_a_planned_site_is_drawn_with_the_residents_it_newly_covers(page, app_server):
    from sxgeo.app.data import Boundaries, Workspace
    from sxgeo.io.demo import load_demo

    ws = Workspace.build({k: v.layer for k, v in load_demo().items()}, Boundaries.load())
    gaps = ws.coverage("county", XIAODIAN)[1]
    target = gaps.sort_values("population", ascending=False).iloc[0]  # the biggest uncovered point
    _open(page, app_server, f"?county={XIAODIAN}")
    page.get_by_text("添加规划设施", exact=True).first.click()
    wait_idle(page)
    _combo_main = page.locator('[data-testid="stMain"]').get_by_role("combobox", name="规划设施类型", exact=True)
    _combo_main.click()
    page.get_by_role("option", name="健身设施", exact=True).first.click()
    wait_idle(page)
    _click_latlng(page, target.geometry.y, target.geometry.x)
    gain = page.get_by_text(re.compile(r"新增覆盖")).first
    gain.wait_for(timeout=180_000)
    text = gain.inner_text()
    n = int(re.search(r"(\d+) 个居民点", text).group(1))
    assert n >= 1, text
    frame = page.frame_locator(MAP_IFRAME).first
    frame.locator(".sx-focus").first.wait_for()
    assert frame.locator(".sx-focus").count() == n  # one blue ring per newly covered residential point
    page.mouse.move(5, 5)  # no tooltip over the planned site in the screenshot
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "scenario-view.png"), full_page=True)  # docs/scenario-view.png is a copy


def test_map_downloads_png_and_pdf(page, app_server, tmp_path):
    from PIL import Image
    from pypdf import PdfReader

    _open(page, app_server, f"?county={XIAODIAN}")
    files = {}
    for fmt in ("PNG", "PDF"):
        button = page.locator('[data-testid="stDownloadButton"]').filter(has_text=fmt).first
        with page.expect_download(timeout=180_000) as info:
            button.click()
        path = tmp_path / f"map.{fmt.lower()}"
        info.value.save_as(path)
        files[fmt] = path
    image = Image.open(files["PNG"]).convert("RGB")
    assert image.width >= 1200 and image.height >= 800, image.size
    assert len(image.resize((200, 140)).getcolors(maxcolors=28_000)) > 50  # not blank
    pdf = PdfReader(files["PDF"])
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "小店区" in text and "合成" in text, text[:300]
    # docs/print-layout.png is a copy (the PDF's page, drawn by the same code)
    (ARTIFACTS / "print-layout.png").write_bytes(files["PNG"].read_bytes())
    # the browser's own print: no sidebar, no buttons, the map stays
    page.emulate_media(media="print")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stDownloadButton"]').first.is_visible()
    assert page.locator(MAP_IFRAME).first.is_visible()
    page.emulate_media(media="screen")


#: Latin words that may appear on the Chinese screen: file formats, data and map sources, units, codes.
ALLOWED_LATIN = {
    "csv", "xlsx", "gpkg", "geopackage", "png", "pdf", "geojson", "json", "zip", "tif", "tiff", "txt", "osm",
    "openstreetmap", "leaflet", "gcj", "wgs", "cgcs", "bd", "utm", "epsg", "km", "mb", "poi", "id", "sxgeo",
    "tianditu", "amap", "streamlit", "excel", "pbf", "geotiff", "shapefile",
    "english", "language",  # the language switch names each language in itself ("语言 / Language")
}
#: The text a reader sees: visible text nodes (not Streamlit's icon ligatures such as "keyboard_arrow_down",
#: not zero-size or off-screen helpers) and the texts that CSS puts in their place (``::after``).
VISIBLE_TEXT = """el => {
    const out = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, parent = node.parentElement;
        if (!parent || parent.closest('[data-testid="stIconMaterial"], style, script')) continue;
        const cs = getComputedStyle(parent);
        if (cs.display === "none" || cs.visibility === "hidden" || parseFloat(cs.fontSize) === 0
            || cs.fontFamily.includes("Material")) continue;
        const r = parent.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1 || r.right < 0 || r.bottom < 0) continue;
        out.push(node.textContent);
    }
    for (const e of el.querySelectorAll("*")) {
        const c = getComputedStyle(e, "::after").content;
        if (c && c !== "none" && c !== "normal" && c.startsWith('"')) out.push(c.slice(1, -1));
    }
    return out.join("\\n");
}"""


def _latin_words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{2,}", text)} - ALLOWED_LATIN


def test_no_english_on_the_chinese_screen(page, app_server):
    _open(page, app_server, f"?county={XIAODIAN}")
    found = {}
    for tab in ("缺口清单", "载入自己的数据", "情景模拟"):
        page.get_by_role("tab", name=tab).click()
        wait_idle(page)
        words = _latin_words(page.locator('[data-testid="stApp"]').evaluate(VISIBLE_TEXT))
        if words:
            found[tab] = sorted(words)
    frame = page.frame_locator(MAP_IFRAME).first
    legend = _latin_words(frame.locator("body").inner_text())
    assert not found and not legend, (found, legend)


def test_ten_county_clicks_in_a_row_each_select_their_county(page, app_server, counties):
    picks = counties.sort_values("adcode").iloc[::12].head(10)
    _open(page, app_server)
    radio = page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="全省", exact=True)
    for _, county in picks.iterrows():
        point = county.geometry.representative_point()
        _click_latlng(page, point.y, point.x)
        _wait_params(page, county=county["adcode"])
        wait_idle(page)
        assert _combo(page, "区县").input_value() == f"{county['name']} {county['adcode']}"
        radio.check(force=True)
        page.wait_for_function("() => !new URL(location.href).searchParams.has('county')")
        wait_for_map(page, min_polygons=117)
        wait_idle(page)
