"""The web map of the demo data: folded layer switcher, compact legend, distinguishable styling, readable popups.

Maps are built from the synthetic demo layers analysed by the app's
:class:`~sxgeo.app.data.Workspace` (as ``sxgeo.app.mapview.build_map`` does),
rendered to HTML, and read back: the GeoJSON each layer carries, its popup
fields, labels and unit templates, its styles and the controls' options.
What a popup shows is checked against the source rows (the layer files and the
analysis' gap list), and one test opens a map in headless Chromium to measure
the legend and click the uncovered points.
"""

from __future__ import annotations

import json
import pickle
import re

import numpy as np
import pandas as pd
import pytest

from sxgeo.app.data import COUNTY_ONLY_KINDS, Boundaries, Workspace
from sxgeo.app.mapview import POINT_KINDS
from sxgeo.io.demo import load_demo
from sxgeo.layers.geometry import located
from sxgeo.layers.kinds import KINDS
from sxgeo.outputs import assets
from sxgeo.outputs import webmap as maps
from sxgeo.outputs.webmap_style import (
    CHOROPLETH_OPACITY,
    CHOROPLETH_OPACITY_UNDER_POINTS,
    CLASS_COLOURS,
    COVERAGE_COLOUR,
    HATCH_ID,
    ICON_GLYPHS,
    ICON_GROUPS,
    ICON_STYLES,
    NO_NETWORK_COLOUR,
    NOT_APPLICABLE_COLOUR,
    POPUP_OPTIONS,
    POPUP_UNITS,
    UNCOVERED_COLOUR,
)
from sxgeo.text import choose, has, t

TARGET = "fitness_15min"  # the walking target whose coverage the app draws
XIAODIAN = "140105"  # 太原市小店区
FACILITY_KINDS = POINT_KINDS  # the point layers the app draws, bottom to top
#: Every column name the layers and the analysis use: none may show as a popup label.
INTERNAL = {c.name for k in KINDS.values() for c in k.columns} | {
    "minutes", "distance_m", "nearest_facility_name", "nearest_facility_id", "covered", "planned", "demand", "score",
    "supply_in_reach", "located", "flag", "mode", "snap_m", "rank", "row", "sx_code", "sx_level", "sx_colour",
}


# --- fixtures: the demo workspace and maps built like the app's --------------------------------


@pytest.fixture(scope="module")
def ws() -> Workspace:
    layers = {k: r.layer for k, r in load_demo().items()}
    return Workspace.build(layers, Boundaries.load())


@pytest.fixture(scope="module")
def county(ws) -> str:
    """A county with uncovered demand points and a kindergarten opened in 2015 (the most uncovered points first)."""
    gaps = located(ws.analysis.walk_gaps("fitness_walk_share"))
    kg = located(ws.layers["kindergartens"])
    with_2015 = set(kg.loc[kg["opening_year"] == 2015, "county_code"].astype(str))
    ranked = gaps["county_code"].astype(str).value_counts()
    return next(code for code in ranked.index if code in with_2015)


def _target(ws, target_id: str, lang: str) -> maps.Indicator:
    tg = ws.map_targets().set_index("target_id").loc[target_id]
    return maps.Indicator(label=str(choose({"zh": tg["target_zh"], "en": tg["target_en"]}, lang)),
                          threshold=float(tg["threshold"]), comparator=str(tg["comparator"]), unit=str(tg["unit"]))


def _build(ws, level: str, code: str | None, lang: str = "zh", *, points: bool = True, **base) -> maps.folium.Map:
    """The map of an area as the app draws it (choropleth, coverage, point layers, legend, layer switcher)."""
    m = maps.base_map(ws.bbox(level, code), lang=lang, **base)
    outlines, labels = ws.reference(level, code)
    maps.add_reference(m, outlines, labels, lang=lang)
    maps.add_choropleth(m, ws.choropleth_units(level, code, TARGET), _target(ws, TARGET, lang), lang=lang,
                        highlight_code=code if level == "county" else None)
    cov = ws.coverage(level, code)
    if points and cov is not None:
        maps.add_coverage(m, cov[0], cov[1], lang=lang, threshold_min=15)
    for kind in FACILITY_KINDS if points else ():
        if kind in COUNTY_ONLY_KINDS and level != "county":
            continue
        maps.add_points(m, None, kind, lang=lang, collection=ws.point_collection(kind, level, code, lang))
    return maps.finish(m, lang=lang)


@pytest.fixture(scope="module")
def html_zh(ws, county) -> str:
    return _build(ws, "county", county, "zh").get_root().render()


@pytest.fixture(scope="module")
def html_en(ws, county) -> str:
    return _build(ws, "county", county, "en").get_root().render()


# --- reading a rendered map back ------------------------------------------------------------

_OVERLAY = re.compile(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*(geo_json_[0-9a-f]+),$', re.M)
_DATA = re.compile(r"(geo_json_[0-9a-f]+)_add\((\{\"features\".*\})\);$", re.M)
_POPUP = re.compile(r"(geo_json_[0-9a-f]+)\.bindPopup\(function \(layer\) \{.*?var fields = (\[.*?\]), "
                    r"aliases = (\[.*?\]), units = (\[.*?\]);", re.S)
_STYLER = re.compile(r"function (geo_json_[0-9a-f]+)_styler\(feature\) \{(.*?)\n\s*\}\n\s*\}", re.S)
_MARKER = re.compile(r"function (geo_json_[0-9a-f]+)_pointToLayer\(feature, latlng\) \{\s*var opts = (\{.*?\});", re.S)
_ICON = re.compile(r"function (geo_json_[0-9a-f]+)_pointToLayer\(feature, latlng\) \{.*?const iconOptions = (\{.*?\})\n",
                   re.S)


def _loose_json(text: str):
    """folium's option objects as JSON (they end lists and objects with a comma)."""
    return json.loads(re.sub(r",(\s*[\]}])", r"\1", text))


def _layers(html: str) -> dict[str, dict]:
    """Every GeoJSON layer of a rendered map by its name in the layer switcher.

    Each holds ``data`` (the FeatureCollection), the popup's ``fields``,
    ``aliases`` and ``units``, its ``styles`` and its marker ``options``.
    """
    names = {var: json.loads(name) for name, var in _OVERLAY.findall(html)}
    out = {var: {"data": json.loads(data)} for var, data in _DATA.findall(html)}
    for var, fields, aliases, units in _POPUP.findall(html):
        out[var].update(fields=json.loads(fields), aliases=json.loads(aliases), units=json.loads(units))
    for var, body in _STYLER.findall(html):
        out[var]["styles"] = [json.loads(s) for s in re.findall(r"return (\{.*?\});", body)]
    for var, opts in _MARKER.findall(html):
        out[var]["options"] = _loose_json(opts)
    for var, icon in _ICON.findall(html):
        out[var]["icon"] = _loose_json(icon)
    return {names[var]: layer for var, layer in out.items() if var in names}


def _layer(html: str, title: str) -> dict:
    """The layer whose switcher name starts with ``title`` (point layers add their count)."""
    found = [layer for name, layer in _layers(html).items() if name.startswith(title)]
    assert len(found) == 1, (title, list(_layers(html)))
    return found[0]


def _shown(layer: dict, feature: dict) -> dict[str, str]:
    """A feature's popup as label -> text, following the popup script: empty values left out, units filled in."""
    rows = {}
    for key, alias, unit in zip(layer["fields"], layer["aliases"], layer["units"]):
        value = feature["properties"].get(key)
        if value is None or value == "":
            continue
        value = str(value)
        rows[alias] = unit.replace("{n}", value) if unit and re.fullmatch(r"-?[0-9][0-9,.]*", value) else value
    return rows


def _legend(html: str) -> str:
    """The legend's HTML (the content the legend control writes into its box)."""
    match = re.search(r"div\.innerHTML = (\".*?\");\n", html)
    assert match, "no legend"
    return json.loads(match.group(1))


# --- the controls ----------------------------------------------------------------------------


def test_the_layer_switcher_starts_folded(html_zh):
    control = re.search(r"L\.control\.layers\(.*?(\{.*?\})\s*\)\.addTo", html_zh, re.S)
    options = _loose_json(control.group(1))
    assert options["collapsed"] is True and options["position"] == "topright"
    assert len(_layers(html_zh)) >= 7  # what it folds away: choropleth, coverage, uncovered, point layers


def test_the_legend_folds_sits_bottom_left_and_covers_under_a_quarter_of_a_900_by_600_map(html_zh, html_en):
    for html in (html_zh, html_en):
        legend = _legend(html)
        assert legend.startswith("<details") and "<summary>" in legend  # a toggle, with its disclosure triangle
        assert 'position: "bottomleft"' in html  # not under the layer switcher (top right)
        assert "details.open = false" in html  # folds on small maps and under an opened popup
        rows = re.findall(r'<div class="sx-row"', legend)
        heads = re.findall(r"<h4", legend)
        # one line per entry: the choropleth's classes, the covered area, the uncovered points, each point layer;
        # a heading for the choropleth and for each kind drawn in groups (hospitals by level)
        layers = _layers(html)
        assert len(rows) == len(CLASS_COLOURS) + len(layers) - 1 and len(heads) == 1 + len(ICON_GROUPS)
        css = re.search(r"\.sx-legend\{[^}]*\}", html).group(0)
        body = re.search(r"\.sx-legend \.sx-legend-body\{[^}]*\}", html).group(0)
        line = float(re.search(r"line-height:(\d+)px", css).group(1))
        width = float(re.search(r"max-width:(\d+)px", css).group(1)) + 2 * 7  # plus its padding
        vh, cap = (float(x) for x in re.search(r"max-height:min\((\d+)vh,(\d+)px\)", body).groups())
        assert "nowrap" in re.search(r"\.sx-legend h4,\.sx-legend \.sx-row\{[^}]*\}", html).group(0)
        assert "overflow-y:auto" in body  # longer legends scroll
        height = min(vh / 100 * 600, cap, (len(rows) + len(heads)) * line) + 20 + 4  # body, summary, padding
        assert width * height <= 0.25 * 900 * 600, (width, height)


def test_popups_pan_clear_of_the_controls(html_zh):
    found = re.findall(r'"autoPanPaddingTopLeft": \[\s*(\d+),\s*(\d+),\s*\],\s*"autoPanPaddingBottomRight": '
                       r"\[\s*(\d+),\s*(\d+),\s*\]", html_zh)
    with_popup = [layer for layer in _layers(html_zh).values() if "fields" in layer]
    assert len(found) == html_zh.count(".bindPopup(") == len(with_popup) >= 6  # every popup
    left, top, right, bottom = (int(x) for x in found[0])
    assert [left, top] == POPUP_OPTIONS["autoPanPaddingTopLeft"]
    assert left >= 10 + 34  # Leaflet's zoom buttons: 10 px margin, 34 px wide (measured in Chromium)
    assert right >= 10 + 44  # the folded layer switcher: 10 px margin, 44 px wide (touch style)
    assert bottom >= 5 + 43 + 10 + 24  # the scale bar (two lines) and the folded legend above it


# --- styling ---------------------------------------------------------------------------------


def _lab(colour: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB hex colour."""
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375],
                    [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _expand(colour: str) -> str:
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour


def test_lab_conversion_matches_published_values():
    assert np.allclose(_lab("#ff0000"), [53.24, 80.09, 67.20], atol=0.05)
    assert np.allclose(_lab("#ffffff"), [100, 0, 0], atol=0.01)
    assert np.allclose(_lab("#808080"), [53.59, 0, 0], atol=0.05)


def test_coverage_and_uncovered_colours_are_far_from_every_choropleth_colour(html_zh):
    area = _layer(html_zh, t("map.covered_area", "zh", minutes=15))
    styles = area["styles"]
    assert {s["fillColor"] for s in styles} == {f"url(#{HATCH_ID})"}  # a hatch, not a flat fill
    assert {s["color"] for s in styles} == {COVERAGE_COLOUR} and all(s.get("dashArray") for s in styles)
    assert f'id=\\"{HATCH_ID}\\"' in html_zh and COVERAGE_COLOUR in html_zh.split(HATCH_ID, 2)[-1][:400]
    ring = re.search(r'stroke=\\"(#[0-9a-f]{6})\\" stroke-width=\\"2\.2\\"', html_zh)
    assert ring and ring.group(1) == UNCOVERED_COLOUR == ICON_STYLES["uncovered"][1]
    assert 'stroke=\\"#fff\\" stroke-width=\\"4.5\\"' in html_zh  # the ring's white halo
    drawn = {NO_NETWORK_COLOUR, *CLASS_COLOURS}  # every class colour, no data included
    for own in (COVERAGE_COLOUR, UNCOVERED_COLOUR):
        for colour in drawn:
            distance = float(np.linalg.norm(_lab(own) - _lab(_expand(colour))))
            rgb = float(np.linalg.norm(np.array([int(own[i:i + 2], 16) - int(_expand(colour)[i:i + 2], 16)
                                                 for i in (1, 3, 5)])))
            assert distance >= 40 and rgb >= 100, (own, colour, distance, rgb)


def test_the_choropleth_is_lighter_under_point_layers(ws, county, html_zh):
    title = _target(ws, TARGET, "zh").label
    under = {s["fillOpacity"] for s in _layer(html_zh, title)["styles"]}
    assert under == {CHOROPLETH_OPACITY_UNDER_POINTS}
    alone = _build(ws, "province", None, "zh", points=False).get_root().render()
    assert {s["fillOpacity"] for s in _layer(alone, title)["styles"]} == {CHOROPLETH_OPACITY}
    assert CHOROPLETH_OPACITY_UNDER_POINTS <= CHOROPLETH_OPACITY / 2


def test_uncovered_points_are_drawn_above_the_other_markers(html_zh):
    layers = _layers(html_zh)
    title = t("map.uncovered", "zh")
    uncovered = next(layer for name, layer in layers.items() if name.startswith(title))
    others = [layer for name, layer in layers.items() if "options" in layer and not name.startswith(title)]
    assert uncovered["options"]["zIndexOffset"] >= 1000
    assert others and all(o["options"].get("zIndexOffset", 0) == 0 for o in others)


# --- popups ----------------------------------------------------------------------------------


def _feature_by_id(layer: dict, label: str, ident: str) -> dict:
    key = layer["fields"][layer["aliases"].index(label)]
    found = [f for f in layer["data"]["features"] if f["properties"][key] == ident]
    assert len(found) == 1, ident
    return found[0]


def test_a_kindergarten_popup_writes_the_year_flags_and_places(ws, county, html_zh, html_en):
    kg = located(ws.points("kindergartens", "county", county))
    row = kg[kg["opening_year"] == 2015].iloc[0]
    for html, lang, places in ((html_zh, "zh", f"{row['places']:,} 个学位"), (html_en, "en", f"{row['places']:,} places")):
        layer = _layer(html, KINDS["kindergartens"].label(lang))
        shown = _shown(layer, _feature_by_id(layer, t("col.id", lang), row["id"]))
        assert shown[t("col.opening_year", lang)] == "2015"
        assert shown[t("col.places", lang)] == places
        yes_no = {True: t("bool.true", lang), False: t("bool.false", lang)}
        assert shown[t("map.col.central", lang)] == yes_no[bool(row["central"])]  # a flag, labelled as one
        assert shown[t("col.inclusive", lang)] == yes_no[bool(row["inclusive"])]
        assert t("col.central", lang) not in shown  # the catalogue's "公办中心园数" is a count per township
        assert shown[t("col.ownership", lang)] == t(f"cat.ownership.{row['ownership']}", lang)
    kindergartens = _layer(html_zh, "幼儿园")
    assert {_shown(kindergartens, f)["中心园"] for f in kindergartens["data"]["features"]} == {"是", "否"}


def test_an_elderly_care_popup_writes_beds_with_their_unit(ws, county, html_zh, html_en):
    care = located(ws.points("elderly_care", "county", county))
    row = care.iloc[0]
    for html, lang, unit in ((html_zh, "zh", "{n} 张床位"), (html_en, "en", "{n} beds")):
        layer = _layer(html, KINDS["elderly_care"].label(lang))
        shown = _shown(layer, _feature_by_id(layer, t("col.id", lang), row["id"]))
        assert shown[t("col.beds", lang)] == unit.replace("{n}", f"{row['beds']:,}")
        assert shown[t("col.nursing_beds", lang)] == unit.replace("{n}", f"{row['nursing_beds']:,}")
        assert shown[t("col.opening_year", lang)] == str(row["opening_year"])


def test_popups_show_no_raw_values_or_internal_names(html_zh, html_en):
    years = 0
    for html, lang in ((html_zh, "zh"), (html_en, "en")):
        for name, layer in _layers(html).items():
            if "fields" not in layer:
                continue
            assert not set(layer["aliases"]) & INTERNAL, name
            for feature in layer["data"]["features"]:
                shown = _shown(layer, feature)
                for text in shown.values():
                    assert text not in ("None", "none", "nan", "NaN", "True", "False", "<NA>"), (name, text)
                    assert not re.search(r"\d\.\d{3,}", text), (name, text)  # rounded
                year = shown.get(t("col.opening_year", lang))
                if year is not None:
                    assert re.fullmatch(r"(19|20)\d\d", year), (name, year)  # never "2,015"
                    years += 1
    assert years > 100


def test_missing_values_leave_their_row_out(ws, county):
    kg = located(ws.points("kindergartens", "county", county)).copy()
    kg["places"] = kg["places"].astype("Int64")
    kg["opening_year"] = kg["opening_year"].astype("Int64")
    kg["central"] = kg["central"].astype("boolean")
    blank = kg.index[:3]
    kg.loc[blank, ["places", "opening_year", "central"]] = pd.NA  # blank cells in a planner's file
    kg.loc[blank, "address"] = None
    m = maps.base_map(ws.bbox("county", county))
    maps.add_points(m, kg, "kindergartens")
    layer = _layer(maps.finish(m).get_root().render(), "幼儿园")
    shown = _shown(layer, _feature_by_id(layer, "编号", kg.loc[blank[0], "id"]))
    assert not {"学位数", "建成年份", "中心园", "地址"} & set(shown)
    assert shown["名称"] == kg.loc[blank[0], "name"]
    full = _shown(layer, _feature_by_id(layer, "编号", kg.iloc[-1]["id"]))
    assert full["建成年份"] == str(kg.iloc[-1]["opening_year"])


def test_an_uncovered_point_shows_its_walking_time_nearest_facility_and_distance(ws, county, html_zh, html_en):
    gaps = located(ws.coverage("county", county)[1])
    assert len(gaps) > 0
    places = zip(np.round(gaps.geometry.x.to_numpy(), 5), np.round(gaps.geometry.y.to_numpy(), 5))
    by_place = {(float(x), float(y)): row for (x, y), (_, row) in zip(places, gaps.iterrows())}
    for html, lang in ((html_zh, "zh"), (html_en, "en")):
        layer = _layer(html, t("map.uncovered", lang))
        features = layer["data"]["features"]
        assert len(features) == len(gaps)
        for feature in features:
            row = by_place[tuple(feature["geometry"]["coordinates"])]
            shown = _shown(layer, feature)
            assert shown[t("col.name", lang)] == row["name"]
            minutes = re.fullmatch(r"(\d+\.\d) (分钟|min)", shown[t("map.col.minutes", lang)])
            assert minutes and abs(float(minutes.group(1)) - row["minutes"]) <= 0.05
            assert shown[t("col.nearest_facility_name", lang)] == row["nearest_facility_name"]
            distance = re.fullmatch(r"([\d,.]+) (米|公里|m|km)", shown[t("map.col.distance_m", lang)])
            metres = float(distance.group(1).replace(",", "")) * (1000 if distance.group(2) in ("公里", "km") else 1)
            assert abs(metres - row["distance_m"]) <= (50 if metres >= 1000 else 5)
            assert (distance.group(2) in ("米", "m")) == (row["distance_m"] < 1000)
            people = t("map.unit.people", lang).replace("{n}", f"{row['population']:,}")
            assert shown[t("col.population", lang)] == people


def test_point_collections_stay_small_and_cacheable(ws, county):
    collection = ws.point_collection("kindergartens", "county", county, "zh")
    assert pickle.loads(pickle.dumps(collection)) == collection  # memoised by the workspace, picklable
    text = json.dumps(collection.data)
    keys = {k for f in collection.data["features"] for k in f["properties"]}
    assert keys == set(collection.keys) and all(re.fullmatch(r"p\d+", k) for k in keys)
    for sent_once in (*collection.labels, *(u.replace("{n}", "").strip() for u in collection.units if u)):
        assert json.dumps(sent_once)[1:-1] not in text  # labels and units are sent once per layer
    per_feature = len(text) / len(collection.data["features"])
    assert per_feature < 1200, per_feature


# --- in the browser --------------------------------------------------------------------------


def test_in_chromium_the_legend_is_small_and_uncovered_points_open_their_own_popup(ws, county, tmp_path):
    """Headless Chromium at 900×600: the folded switcher, the legend's share of the map, clicks on uncovered points."""
    from e2e_helpers import launch
    from playwright.sync_api import sync_playwright

    m = _build(ws, "county", county, "zh", size=(900, 600), asset_base=assets.VENDOR_DIR.as_uri())
    page_file = tmp_path / "map.html"
    page_file.write_text(m.get_root().render(), encoding="utf-8")
    gaps = located(ws.coverage("county", county)[1])
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 600})
            requested: list[str] = []
            page.on("request", lambda r: requested.append(r.url))
            page.goto(page_file.as_uri())
            page.wait_for_selector(".sx-legend")
            page.wait_for_timeout(500)
            assert all(u.startswith(("file:", "data:")) for u in requested), requested  # offline
            assert page.locator(".leaflet-control-layers-expanded").count() == 0
            box = page.locator(".sx-legend").bounding_box()
            assert page.locator(".sx-legend details[open]").count() == 1  # open on a map this size
            assert box["width"] * box["height"] <= 0.25 * 900 * 600, box
            assert box["x"] < 450 and box["y"] > 300  # bottom left
            rings = page.locator(f'.sx-icon:has(circle[stroke="{UNCOVERED_COLOUR}"])')
            assert rings.count() == len(gaps)
            names = set(gaps["name"])
            clicked = 0
            for i in range(rings.count()):
                ring = rings.nth(i).bounding_box()
                cx, cy = ring["x"] + ring["width"] / 2, ring["y"] + ring["height"] / 2
                if not (60 < cx < 840 and 70 < cy < 500):
                    continue  # under a control or at the edge
                page.mouse.click(cx, cy)  # the centre, where the demand point's own dot is drawn too
                page.wait_for_timeout(450)  # Leaflet's auto-pan
                popup = page.locator(".leaflet-popup-content")
                assert popup.count() == 1, (cx, cy)
                text = popup.inner_text()
                assert "步行时间" in text and "分钟" in text and "最近设施" in text and ("米" in text or "公里" in text)
                assert text.split("\n")[0].split("\t")[-1] in names
                overlaps = page.evaluate("""() => {
                    const b = document.querySelector('.leaflet-popup').getBoundingClientRect();
                    return Array.from(document.querySelectorAll('.leaflet-control')).filter(c => {
                        const a = c.getBoundingClientRect();
                        return a.width && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
                    }).map(c => c.className);
                }""")
                assert overlaps == [], overlaps
                page.locator(".leaflet-popup-close-button").click()
                page.locator(".leaflet-popup").wait_for(state="detached")
                clicked += 1
                if clicked == 3:
                    break
            assert clicked == 3, clicked
        finally:
            browser.close()


def test_units_and_values_of_the_popups_are_in_the_catalogue():
    for key in {*POPUP_UNITS.values(), "map.value.minutes", "map.value.metres", "map.value.km"}:
        assert has(key) and all("{n}" in t(key, lang) for lang in ("zh", "en")), key
    assert has("map.value.unreachable") and has("map.col.central") and has("map.flag.urban.true")


# --- the layers of the plan's other tasks (issue 14) ------------------------------------------

REPO_DATA = __import__("pathlib").Path(__file__).resolve().parents[2] / "data" / "facilities"
#: The hospital levels as the demo file writes them (an independent reading of the source file).
_LEVEL_WORDS = {"三级": "level3", "二级": "level2"}


def _source(kind: str, county: str) -> pd.DataFrame:
    """The demo file's rows of one county, read as text with pandas (not through sxgeo)."""
    raw = pd.read_csv(REPO_DATA / f"{kind}.csv", dtype=str, encoding="utf-8-sig")
    return raw[raw["乡镇代码"].str[:6] == county].set_index("编号")


def test_every_point_kind_has_its_own_marker_and_the_print_map_draws_it():
    from sxgeo.outputs.printmap import _point_style

    kinds = [k for k, kind in KINDS.items() if kind.has_points]
    assert set(kinds) <= set(ICON_STYLES)
    looks = [(*ICON_STYLES[k], ICON_GLYPHS.get(k)) for k in kinds]
    assert len(set(looks)) == len(kinds)  # shape, colour and inner mark: no two kinds alike
    assert len({colour for _shape, colour, _glyph in looks}) == len(kinds)  # and every colour its own
    for kind in kinds:
        style = _point_style(kind)  # the printed map draws the same shape and colour
        assert ICON_STYLES[kind][1] in (style.get("c"), style.get("edgecolors")), (kind, style)


def _hospital_groups(html: str, lang: str, county: str) -> dict[str, int]:
    """The hospital layers of a rendered map, checked against the source file: group -> marker size."""
    source = _source("hospitals", county)
    want = source["等级"].map(_LEVEL_WORDS).fillna("other").value_counts().to_dict()
    drawn, sizes = {}, {}
    for group in ICON_GROUPS["hospitals"][1]:
        label = t(f"map.group.hospitals.{group.name}", lang)
        found = [(name, layer) for name, layer in _layers(html).items() if name.startswith(label)]
        if not found:
            continue
        name, layer = found[0]
        drawn[group.name] = len(layer["data"]["features"])
        assert name == t("map.layer_count", lang, title=label, n=drawn[group.name])  # the switcher counts them
        icon = layer["icon"]
        sizes[group.name] = icon["iconSize"][0]
        assert icon["iconSize"] == [group.size, group.size]
        assert ICON_STYLES["hospitals"][1] in icon["html"] and "<path" in icon["html"]  # red, with a white cross
        ids = {_shown(layer, f)[t("col.id", lang)] for f in layer["data"]["features"]}
        levels = {source.loc[i, "等级"] for i in ids}
        assert {_LEVEL_WORDS.get(v, "other") for v in levels} == {group.name}, (group.name, levels)
    assert drawn == want, (lang, drawn, want)
    return sizes


def test_hospitals_are_drawn_in_three_sizes_by_level(ws, county, html_zh, html_en):
    for html, lang in ((html_zh, "zh"), (html_en, "en")):
        _hospital_groups(html, lang, county)
    # 小店区 has hospitals of every level: level 3 drawn largest, level 2 next, the others smallest
    m = maps.base_map(ws.bbox("county", XIAODIAN))
    maps.add_points(m, None, "hospitals", collection=ws.point_collection("hospitals", "county", XIAODIAN, "zh"))
    html = maps.finish(m).get_root().render()
    sizes = _hospital_groups(html, "zh", XIAODIAN)
    assert list(sizes) == ["other", "level2", "level3"]  # drawn bottom to top
    assert sizes["other"] < sizes["level2"] < sizes["level3"]
    # the legend: "医院" as a heading, then its groups, the largest first
    legend = _legend(html)
    assert re.findall(r'title="([^"]+)"', legend) == [KINDS["hospitals"].label("zh"), "三级医院", "二级医院",
                                                      "其他医院（一级、等级未知）"]


def test_popups_of_the_new_kinds_write_levels_flags_and_units_from_the_source(ws, county, html_zh, html_en):
    hospitals, culture = _source("hospitals", county), _source("culture", county)
    schools, care = _source("special_education", county), _source("primary_care", county)
    for html, lang in ((html_zh, "zh"), (html_en, "en")):
        yes_no = {"是": t("bool.true", lang), "否": t("bool.false", lang)}
        level_words = {"三级": "level3", "二级": "level2", "一级": "level1", "未定级": "unknown"}
        tiers = {"县级": "county", "市级": "city", "省级": "province"}
        layers = _layers(html)
        for name, layer in layers.items():
            if not any(name.startswith(t(f"map.group.hospitals.{g.name}", lang)) for g in ICON_GROUPS["hospitals"][1]):
                continue
            for feature in layer["data"]["features"]:
                shown = _shown(layer, feature)
                row = hospitals.loc[shown[t("col.id", lang)]]
                assert shown[t("col.hospital_level", lang)] == t(f"cat.hospital_level.{level_words[row['等级']]}", lang)
                assert shown[t("col.admin_tier", lang)] == t(f"cat.admin_tier.{tiers[row['隶属']]}", lang)
                assert shown[t("col.beds", lang)] == t("map.unit.beds", lang).replace("{n}", f"{int(row['床位数']):,}")
                assert shown[t("col.emergency_base", lang)] == yes_no[row["公共卫生应急基地"]]
        venues = {"图书馆": "library", "文化馆": "cultural_centre", "综合文化站": "cultural_station", "博物馆": "museum"}
        layer = _layer(html, KINDS["culture"].label(lang))
        assert len(layer["data"]["features"]) == len(culture)
        for feature in layer["data"]["features"]:
            shown = _shown(layer, feature)
            row = culture.loc[shown[t("col.id", lang)]]
            assert shown[t("col.venue_kind", lang)] == t(f"cat.venue_kind.{venues[row['类型']]}", lang)
            assert shown[t("col.free_open", lang)] == yes_no[row["免费开放"]]
        if len(schools):
            layer = _layer(html, KINDS["special_education"].label(lang))
            for feature in layer["data"]["features"]:
                shown = _shown(layer, feature)
                row = schools.loc[shown[t("col.id", lang)]]
                assert shown[t("col.pupils", lang)] == t("map.unit.pupils", lang).replace("{n}", f"{int(row['在校生数']):,}")
                assert shown[t("col.places", lang)] == t("map.unit.places", lang).replace("{n}", f"{int(row['学位数']):,}")
        layer = _layer(html, KINDS["primary_care"].label(lang))
        assert len(layer["data"]["features"]) == len(care)  # village clinics are drawn in the county view
        assert ICON_STYLES["primary_care"][1] in layer["icon"]["html"] and "<path" in layer["icon"]["html"]


def test_primary_care_is_drawn_per_county_only(ws, county):
    city = ws.bounds.county_city[county]
    html = _build(ws, "city", city, "zh").get_root().render()
    names = list(_layers(html))
    assert not any(n.startswith(KINDS["primary_care"].label("zh")) for n in names)  # thousands per city
    assert any(n.startswith(t("map.group.hospitals.level2", "zh")) for n in names)  # hospitals are
    assert any(n.startswith(KINDS["culture"].label("zh")) for n in names)


def test_units_a_rule_does_not_apply_to_are_left_blank_and_named_in_the_legend(ws):
    ind = maps.Indicator("特殊教育学校", 1.0, ">=", "count")
    colours, _rows = maps.classify(pd.Series([0.0, 1.0, 0.0, None]), ind,
                                   pd.Series(["not_met", "met", "not_applicable", "no_data"]))
    assert list(colours) == [CLASS_COLOURS[3], CLASS_COLOURS[0], NOT_APPLICABLE_COLOUR, CLASS_COLOURS[4]]
    for colour in (*CLASS_COLOURS, NO_NETWORK_COLOUR):
        assert float(np.linalg.norm(_lab(NOT_APPLICABLE_COLOUR) - _lab(colour))) >= 10, colour
    # a city whose counties are partly under the rule's population minimum: those left blank, with a legend row
    ev = ws.evaluation
    rule = ev[(ev["target_id"] == "special_school_per_county") & ev["period"].isna()]
    small = set(rule.loc[rule["status"] == "not_applicable", "unit_code"])
    city = next(c for c in sorted(set(ws.bounds.county_city.values()))
                if small & set(ws.bounds.scope("city", c).county_codes))
    units = ws.choropleth_units("city", city, "special_school_per_county")
    m = maps.base_map(ws.bbox("city", city))
    maps.add_choropleth(m, units, ind)
    html = maps.finish(m).get_root().render()
    layer = _layer(html, "特殊教育学校")
    fills = {f["properties"]["sx_code"]: f["properties"]["sx_colour"] for f in layer["data"]["features"]}
    assert {c for c, colour in fills.items() if colour == NOT_APPLICABLE_COLOUR} == small & set(fills)
    assert "不适用" in _legend(html)
