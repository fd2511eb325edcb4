"""The printable map (PNG and A4 PDF) of the demo data: page size, colours of the web map's classes, legend, notice."""

from __future__ import annotations

import dataclasses
import io
import time
from collections import Counter

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import Point

from sxgeo.app.data import Boundaries, Workspace
from sxgeo.app.printview import print_spec, rendered
from sxgeo.io.demo import load_demo
from sxgeo.layers.geometry import located
from sxgeo.layers.kinds import KINDS
from sxgeo.outputs import printmap
from sxgeo.outputs.printmap import MAP_BOX, PAGE_SIZE, build_figure, fill_opacity, map_extent, render_pdf, render_png
from sxgeo.outputs.staticmap import fit_extent
from sxgeo.outputs.webmap_style import CLASS_COLOURS, NO_NETWORK_COLOUR, classify
from sxgeo.text import t

XIAODIAN = "140105"
TARGET = "fitness_15min"  # a county-level target with a threshold
A4_MM = (297.0, 210.0)
A4_PT = (A4_MM[0] / 25.4 * 72, A4_MM[1] / 25.4 * 72)


@pytest.fixture(scope="module")
def ws() -> Workspace:
    layers = {k: r.layer for k, r in load_demo().items()}
    return Workspace.build(layers, Boundaries.load())


@pytest.fixture(scope="module")
def indicator(ws) -> dict:
    info = ws.map_targets().set_index("target_id")
    return {"target_id": TARGET, **info.loc[TARGET].to_dict()}


@pytest.fixture(scope="module")
def specs(ws, indicator) -> dict:
    return {
        "county": print_spec(ws, "county", XIAODIAN, indicator, "zh", {}, 15.0, True),
        "province": print_spec(ws, "province", None, indicator, "zh", {}, 15.0, True),
    }


def _rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _blend(colour: str, alpha: float) -> np.ndarray:
    """``colour`` at opacity ``alpha`` on white paper, as 0-255 RGB."""
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
    return alpha * rgb + (1 - alpha) * 255.0


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def _squash(text: str) -> str:
    return "".join(text.split())


def _to_pixels(xy_m: np.ndarray, extent, size) -> np.ndarray:
    """Metres to (column, row) of the page image: the map fills MAP_BOX, rows counted from the top."""
    minx, miny, maxx, maxy = extent
    w, h = size
    col = w * (MAP_BOX[0] + MAP_BOX[2] * (xy_m[:, 0] - minx) / (maxx - minx))
    row = h * (1 - (MAP_BOX[1] + MAP_BOX[3] * (xy_m[:, 1] - miny) / (maxy - miny)))
    return np.column_stack([col, row])


def _modal_colour(img: np.ndarray, col: float, row: float, r: int = 2) -> tuple:
    c, rw = int(col), int(row)
    window = img[rw - r:rw + r + 1, c - r:c + r + 1].reshape(-1, 3)
    return Counter(map(tuple, window)).most_common(1)[0][0]


def _nearest(colour, palette: dict[str, np.ndarray]) -> str:
    return min(palette, key=lambda k: float(np.abs(palette[k] - np.asarray(colour)).sum()))


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["county", "province"])
@pytest.mark.parametrize("dpi", [100, 150])
def test_png_is_an_a4_landscape_page_at_the_dpi_and_not_blank(specs, view, dpi):
    png = render_png(specs[view], dpi=dpi)
    img = Image.open(io.BytesIO(png))
    w, h = img.size
    assert abs(w - A4_MM[0] / 25.4 * dpi) <= 1 and abs(h - A4_MM[1] / 25.4 * dpi) <= 1
    rgb = _rgb(png)
    colours = np.unique(rgb.reshape(-1, 3), axis=0)
    assert len(colours) > 300  # map, text, legend: far from a blank page
    left, bottom, width, height = MAP_BOX
    box = rgb[int(h * (1 - bottom - height)):int(h * (1 - bottom)), int(w * left):int(w * (left + width))]
    assert (box != 255).any(axis=2).mean() > 0.25  # a good part of the map box is drawn on


@pytest.mark.parametrize("view", ["county", "province"])
def test_the_web_maps_class_colours_appear_on_the_png(specs, view):
    """Province: every class on the map; county: the county's class (its neighbours are veiled)."""
    spec = specs[view]
    img = _rgb(render_png(spec, dpi=100))
    expected, _ = classify(spec.units["value"], spec.indicator, spec.units["status"])
    if view == "county":
        expected = expected[(spec.units["unit_code"] == XIAODIAN).to_numpy()]
    alpha = fill_opacity(spec)
    pixels = img.reshape(-1, 3)
    assert len(set(expected)) >= (3 if view == "province" else 1)
    for colour in set(expected):
        want = np.round(_blend(colour, alpha))
        hits = (np.abs(pixels - want) <= 2).all(axis=1).sum()
        assert hits > 500, (colour, hits)  # an area of the class colour, not a stray pixel


def test_fill_is_lighter_under_points_as_on_the_web_map(specs):
    from sxgeo.outputs.webmap_style import CHOROPLETH_OPACITY, CHOROPLETH_OPACITY_UNDER_POINTS

    assert specs["county"].points and fill_opacity(specs["county"]) == CHOROPLETH_OPACITY_UNDER_POINTS
    assert not specs["province"].points and fill_opacity(specs["province"]) == CHOROPLETH_OPACITY


def test_map_extent_fits_the_outline_to_the_map_box_in_metres(specs):
    spec = specs["county"]
    bounds = spec.outline.to_crs(32649).total_bounds
    aspect = MAP_BOX[2] * PAGE_SIZE[0] / (MAP_BOX[3] * PAGE_SIZE[1])
    assert map_extent(spec) == pytest.approx(fit_extent(tuple(bounds), aspect))
    minx, miny, maxx, maxy = map_extent(spec)
    assert minx <= bounds[0] and maxx >= bounds[2] and miny <= bounds[1] and maxy >= bounds[3]


def test_every_county_on_the_province_map_has_the_colour_of_its_class(specs):
    """Read the page at a point inside each county (projected to pixels here) and compare with classify."""
    spec = specs["province"]
    img = _rgb(render_png(spec, dpi=150))
    size = (img.shape[1], img.shape[0])
    units = spec.units.reset_index(drop=True)
    expected, _ = classify(units["value"], spec.indicator, units["status"])
    palette = {c: _blend(c, fill_opacity(spec)) for c in (*CLASS_COLOURS, NO_NETWORK_COLOUR)}
    # a point well inside each county (2 km from its border), away from the city names (a box of ±20 km × ±7 km)
    names = [shapely.box(p.x - 20000, p.y - 7000, p.x + 20000, p.y + 7000) for p in spec.labels.to_crs(32649).geometry]
    shapes = shapely.difference(units.to_crs(32649).geometry.buffer(-2000).to_numpy(), shapely.union_all(names))
    readable = ~shapely.is_empty(shapes)
    inside = shapely.point_on_surface(shapes[readable])
    px = _to_pixels(shapely.get_coordinates(inside), map_extent(spec), size)
    found = [_nearest(_modal_colour(img, c, r), palette) for c, r in px]
    want = expected[readable].to_numpy()
    names_read = units.loc[readable, "unit_name"].to_numpy()
    wrong = [(n, f, w) for n, f, w in zip(names_read, found, want) if f != w]
    assert len(units) == 117 and readable.sum() >= 100
    assert len(set(want)) >= 3  # several classes are on the map
    assert not wrong


def test_the_county_has_the_colour_of_its_class_where_nothing_is_drawn_over_it(ws, specs):
    spec = specs["county"]
    img = _rgb(render_png(spec, dpi=150))
    size = (img.shape[1], img.shape[0])
    units = spec.units.set_index("unit_code")
    expected, _ = classify(units["value"], spec.indicator, units["status"])
    county = ws.bounds.counties.set_index("adcode").loc[[XIAODIAN]].to_crs(32649).geometry.iloc[0]
    # candidate points on a grid inside the county, 1.5 km from every drawn point, the coverage area and the label
    drawn = [f for f in (*spec.points.values(), spec.uncovered) if f is not None and len(f)]
    pts = shapely.union_all(np.concatenate([located(f).to_crs(32649).geometry.to_numpy() for f in drawn]))
    labels = shapely.union_all(spec.labels.to_crs(32649).geometry.to_numpy())
    blocked = shapely.union_all([pts.buffer(1500), labels.buffer(3000),
                                 shapely.union_all(spec.covered_area.to_crs(32649).geometry.to_numpy()).buffer(300)])
    minx, miny, maxx, maxy = county.bounds
    grid = shapely.points(np.array(np.meshgrid(np.arange(minx, maxx, 1000), np.arange(miny, maxy, 1000))).reshape(2, -1).T)
    free = grid[shapely.contains(county.buffer(-800), grid) & ~shapely.intersects(blocked, grid)]
    assert len(free) >= 3
    palette = {c: _blend(c, fill_opacity(spec)) for c in (*CLASS_COLOURS, NO_NETWORK_COLOUR)}
    for col, row in _to_pixels(shapely.get_coordinates(free), map_extent(spec), size):
        colour = _modal_colour(img, col, row)
        assert _nearest(colour, palette) == expected[XIAODIAN]
        assert np.abs(np.asarray(colour) - palette[expected[XIAODIAN]]).max() <= 3


def test_province_png_renders_fast(specs):
    render_png(specs["province"], dpi=150)  # fonts warmed up
    start = time.perf_counter()
    render_png(specs["province"], dpi=150)
    assert time.perf_counter() - start < 3.0


# --- the PDF -------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["county", "province"])
def test_pdf_is_one_a4_landscape_page_with_title_area_and_notice(specs, view):
    spec = specs[view]
    pdf = render_pdf(spec)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4_PT[0], abs=1) and float(box.height) == pytest.approx(A4_PT[1], abs=1)
    text = _pdf_text(pdf)
    assert _squash(spec.title) in text and _squash(spec.area_name) in text
    assert spec.area_name == ("山西省" if view == "province" else "太原市小店区")
    assert _squash(t("print.synthetic", "zh")) in text
    assert _squash(t("print.date", "zh", date=(spec.date or __import__("datetime").date.today()).isoformat())) in text
    for line in spec.sources:
        assert _squash(line) in text


def test_pdf_without_synthetic_data_has_no_notice(specs):
    spec = dataclasses.replace(specs["county"], synthetic=False)
    text = _pdf_text(render_pdf(spec))
    assert _squash(spec.title) in text
    assert _squash(t("print.synthetic", "zh")) not in text
    with_notice = _rgb(render_png(specs["county"], dpi=100))
    without = _rgb(render_png(spec, dpi=100))
    box = np.round(_blend(printmap._NOTICE_FILL, 1.0))
    assert (np.abs(with_notice - box) <= 1).all(axis=2).sum() > 1000
    assert (np.abs(without - box) <= 1).all(axis=2).sum() == 0


def test_pdf_embeds_the_chinese_font(specs):
    reader = PdfReader(io.BytesIO(render_pdf(specs["province"])))
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        assert "NotoSansSC" in str(font["/BaseFont"])
        # Type 3: the glyphs are drawn by the PDF itself; other types must carry a font file
        descriptor = font.get("/FontDescriptor")
        assert font["/Subtype"] == "/Type3" and "/CharProcs" in font or any(
            k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_pdf_in_english(ws, indicator):
    spec = print_spec(ws, "county", XIAODIAN, indicator, "en", {}, 15.0, True)
    text = _pdf_text(render_pdf(spec))
    assert spec.title == indicator["target_en"]
    assert _squash(spec.title) in text and _squash(t("print.synthetic", "en")) in text
    assert _squash(t("print.legend", "en")) in text


# --- the legend ----------------------------------------------------------------------------------


def _legend_texts(spec) -> list[str]:
    fig = build_figure(spec)
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == 1
    return [_squash(x.get_text()) for x in legends[0].get_texts()]


def test_county_legend_lists_the_classes_and_every_layer_drawn(ws, specs):
    spec = specs["county"]
    texts = _legend_texts(spec)
    lang = "zh"
    # the classes of the web map
    _, rows = classify(spec.units["value"], spec.indicator, spec.units["status"])
    assert _squash(t("map.legend_met", lang, label=rows[0][1])) in texts
    assert all(_squash(label) in texts for _, label in rows[1:])
    assert _squash(t("val.status.no_data", lang)) in texts
    # the layers, counted from the demo layers of the county
    assert _squash(t("print.outline", lang)) in texts
    assert _squash(t("map.covered_area", lang, minutes=15.0)) in texts
    for kind in ("kindergartens", "elderly_care", "fitness", "residential"):
        layer = located(ws.layers[kind])
        n = int((layer["county_code"].astype(str) == XIAODIAN).sum())
        assert n > 0
        assert _squash(t("map.layer_count", lang, title=KINDS[kind].label(lang), n=n)) in texts, kind
    walk = ws.analysis.walk_result("fitness_walk_share").points
    n_gaps = int(((walk["county_code"] == XIAODIAN) & ~walk["covered"].fillna(False).astype(bool)).sum())
    assert _squash(t("map.layer_count", lang, title=t("map.uncovered", lang), n=n_gaps)) in texts
    pdf_text = _pdf_text(render_pdf(spec))
    assert _squash(t("map.layer_count", lang, title=KINDS["fitness"].label(lang), n=len(located(spec.points["fitness"])))) in pdf_text


def test_province_legend_has_no_point_layers(specs):
    texts = " ".join(_legend_texts(specs["province"]))
    for kind in KINDS:
        assert KINDS[kind].label("zh") not in texts
    assert t("map.uncovered", "zh") not in texts
    assert _squash(t("print.outline", "zh")) in texts


def test_planned_sites_are_drawn_and_in_the_legend(ws, indicator):
    county = ws.bounds.counties.set_index("adcode").geometry[XIAODIAN]
    inside = county.representative_point()
    planned = {"kindergartens": gpd.GeoDataFrame({"id": ["P1", "P2"]},
                                                 geometry=[inside, Point(inside.x + 0.01, inside.y)], crs=4326)}
    spec = print_spec(ws, "county", XIAODIAN, indicator, "zh", planned, 15.0, True)
    texts = _legend_texts(spec)
    label = t("print.planned", "zh", kind=KINDS["kindergartens"].label("zh"))
    assert _squash(t("map.layer_count", "zh", title=label, n=2)) in texts
    # the planned star's red is on the page at the site
    img = _rgb(render_png(spec, dpi=150))
    col, row = _to_pixels(shapely.get_coordinates(gpd.GeoSeries([inside], crs=4326).to_crs(32649).to_numpy()),
                          map_extent(spec), (img.shape[1], img.shape[0]))[0]
    red = np.round(_blend("#d62728", 1.0))
    window = img[int(row) - 3:int(row) + 4, int(col) - 3:int(col) + 4].reshape(-1, 3)
    assert (np.abs(window - red) <= 3).all(axis=1).sum() >= 10


# --- the app's adaptor ---------------------------------------------------------------------------


def test_rendered_files_are_cached_per_workspace_and_view(ws, indicator):
    first = rendered(ws, "pdf", "county", XIAODIAN, indicator, "zh", {}, 15.0, True)
    again = rendered(ws, "pdf", "county", XIAODIAN, indicator, "zh", {}, 15.0, True)
    assert again is first  # not rendered twice
    english = rendered(ws, "pdf", "county", XIAODIAN, indicator, "en", {}, 15.0, True)
    assert english is not first and _squash(indicator["target_en"]) in _pdf_text(english)
    png = rendered(ws, "png", "county", XIAODIAN, indicator, "zh", {}, 15.0, True)
    assert Image.open(io.BytesIO(png)).format == "PNG"


def _download_page():
    import streamlit as st
    from streamlit.runtime import Runtime

    from sxgeo.app.data import Boundaries, Workspace
    from sxgeo.app.printview import _CACHE, map_downloads
    from sxgeo.io.demo import load_demo

    @st.cache_resource
    def workspace():
        layers = {k: r.layer for k, r in load_demo(("kindergartens", "residential", "fitness")).items()}
        return Workspace.build(layers, Boundaries.load())

    ws = workspace()
    info = ws.map_targets().set_index("target_id")
    tid = info.index[0]
    map_downloads(ws, "county", "140105", {"target_id": tid, **info.loc[tid].to_dict()}, "zh", {}, 15.0, True)
    st.write(f"rendered={len(_CACHE.get(ws, {}))}")
    st.session_state["media"] = Runtime.instance().media_file_mgr  # where a click's file is made (read by the test)


def test_download_buttons_render_nothing_until_clicked_then_the_files():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_download_page, default_timeout=300).run()
    assert not at.exception
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [t("print.download_png", "zh"), t("print.download_pdf", "zh")]
    for b in buttons:
        assert b.proto.deferred_file_id and not b.proto.url  # the file is made by a callable when clicked
        assert b.proto.ignore_rerun  # a click does not rerun the page
    assert [m.value for m in at.markdown] == ["rendered=0"]
    at.run()  # a rerun renders nothing either
    assert [m.value for m in at.markdown] == ["rendered=0"]
    # a click: streamlit runs the button's callable and serves what it returns
    media = at.session_state["media"]
    png_button, pdf_button = at.get("download_button")
    files = {}
    for name, button in (("png", png_button), ("pdf", pdf_button)):
        url = media.execute_deferred(button.proto.deferred_file_id)
        files[name] = media.read_file(url.rsplit("/", 1)[1]).content
    assert Image.open(io.BytesIO(files["png"])).format == "PNG"
    reader = PdfReader(io.BytesIO(files["pdf"]))
    assert len(reader.pages) == 1 and "太原市小店区" in _pdf_text(files["pdf"])
    at.run()
    assert [m.value for m in at.markdown] == ["rendered=2"]  # kept for the next click, in this session or another


def test_units_a_rule_does_not_apply_to_have_their_legend_row(ws):
    # the special-school rule judges only counties of >= its population minimum; the province map shows the rest
    # in the "not applicable" colour, named in the legend (as the web map does); a rule without such units has no row
    info = ws.map_targets().set_index("target_id")
    special = {"target_id": "special_school_per_county", **info.loc["special_school_per_county"].to_dict()}
    ev = ws.evaluation
    rule = ev[(ev["target_id"] == "special_school_per_county") & ev["period"].isna()]
    assert (rule["status"] == "not_applicable").any()
    texts = _legend_texts(print_spec(ws, "province", None, special, "zh", {}, 15.0, True))
    assert t("val.status.not_applicable", "zh") in texts
    library = {"target_id": "county_library", **info.loc["county_library"].to_dict()}
    texts = _legend_texts(print_spec(ws, "province", None, library, "zh", {}, 15.0, True))
    assert t("val.status.not_applicable", "zh") not in texts
