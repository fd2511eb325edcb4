"""The regional medical projects scenario in the reports, and the plan tasks' layers on the county map.

``sxgeo report --city 140800`` runs on the hand-checked case of tests/regional_case.py (CSV
files, the roads as a local OSM file, the test scenario): the summary page carries the
scenario's section for 运城市 and each county page its own line, with the hand figures of
tests/analysis/test_regional.py.  The county map of the demo data is checked through its
matplotlib figure: every layer present is drawn and in the legend, none that is absent.
"""

from __future__ import annotations

import base64
import dataclasses
import importlib.util
import io
import re
from pathlib import Path

import numpy as np
import pytest
import regional_case as rc
import regional_osm as ro
from matplotlib.colors import to_rgba
from PIL import Image

from sxgeo.analysis.inputs import analyse_inputs, load_inputs
from sxgeo.cli import main
from sxgeo.layers.geometry import metric_xy
from sxgeo.layers.scope import resolve_scope
from sxgeo.report.builder import ReportBuilder

_spec = importlib.util.spec_from_file_location("regional_hand", Path(__file__).parents[1] / "analysis" / "test_regional.py")
_hand = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_hand)
HAND = _hand.HAND  # (level, unit code, minutes) -> (residents, in reach before, in reach after)

CITY = "140800"  # 运城市: 盐湖区 (140802) and 夏县 (140828) hold the case's residents there
COUNTY = "140105"  # 小店区, for the map of the demo data


@pytest.fixture(scope="module")
def city_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("regional_report")
    layers = ro.write_layers(folder)
    out = folder / "out"
    code = main(["report", "--city", CITY, "--scenario", str(rc.write_scenario(folder)),
                 "--residential", str(layers["residential"]), "--hospitals", str(layers["hospitals"]),
                 "--osm", str(ro.write_osm(folder)), "--cache-dir", str(folder / "cache"),
                 "--out", str(out), "--no-progress", "--jobs", "1"])
    return code, out


def _pct(part: float, whole: float) -> str:
    return f"{part / whole * 100:.1f}%"


def _text(html: str) -> str:
    """The page's text, tags replaced by a bar."""
    return re.sub(r"\s*\|(\s*\|)*\s*", " | ", re.sub(r"<[^>]+>", "|", html))


def test_the_city_summary_has_the_scenario_section_for_the_city(city_report):
    code, out = city_report
    assert code == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    section = page[page.index('<section class="regional"'):page.index("</section>")]
    assert "<h2>测试情景</h2>" in section and "位置为近似（测试）" in section
    # only what lies wholly in the city's report area: no province table, no other city or county
    assert "<h3>全省</h3>" not in section and "临汾市" not in _text(section.split("<h3>项目位置</h3>")[0])
    text = _text(section)
    for minutes in (60, 120):
        pop, before, after = HAND[("city", CITY, minutes)]
        assert f"| 运城市 | {minutes} | {pop:,} | {before:,} | {after:,} | {_pct(before, pop)} | {_pct(after, pop)} |" in text
    # 120 min: of the city's counties only 夏县 gains (2,000 → 3,500 of 3,700); 200 of its residents stay outside
    assert f"| 1 | 夏县 | 运城市 | 3,700 | 2,000 | 3,500 | 1,500 | {_pct(2000, 3700)} | {_pct(3500, 3700)} |" in text
    assert "| 盐湖区 |" not in text.split("建设后仍有居民")[0].split("新增可达人口最多的区县")[1]
    assert f"| 夏县 | 运城市 | 3,700 | 200 | {_pct(200, 3700)} |" in text


def test_each_county_page_has_its_own_before_and_after_line(city_report):
    _, out = city_report
    xia = _text((out / "counties" / "140828.html").read_text(encoding="utf-8"))
    for minutes in (60, 120):
        pop, before, after = HAND[("county", "140828", minutes)]
        assert (f"驾车 {minutes} 分钟内可达三级及以上医院的人口比例：{_pct(before, pop)} → {_pct(after, pop)}"
                f"（+{(after - before) / pop * 100:.1f} 个百分点；可达人口 {before:,} → {after:,}，共 {pop:,} 人）") in xia
    assert f"建设后仍有 200 人（{_pct(200, 3700)}）在驾车 120 分钟以外" in xia  # R8 at 130 minutes
    yanhu = _text((out / "counties" / "140802.html").read_text(encoding="utf-8"))
    assert "人口比例：100.0% → 100.0%（+0.0 个百分点；可达人口 5,000 → 5,000，共 5,000 人）" in yanhu
    assert "建设后本区县全部居民都在驾车 120 分钟以内" in yanhu
    empty = _text((out / "counties" / "140821.html").read_text(encoding="utf-8"))  # 临猗县: no residents in the case
    assert "测试情景" in empty and "本区县没有居民点数据，无法计算" in empty


# --------------------------------------------------------------------------- the county map
@pytest.fixture(scope="module")
def demo_builder():
    inputs = load_inputs()
    scope = resolve_scope(inputs.counties, "county", COUNTY)
    analysis = analyse_inputs(inputs, county_codes=scope.county_codes)
    return ReportBuilder(inputs, analysis, scope), inputs, analysis, scope


def _legend(fig) -> list[str]:
    """The legend's entries, a long one wrapped in the column read as one line."""
    return [" ".join(x.get_text().split()) for x in fig.axes[0].get_legend().get_texts()]


def _scatters(fig, colour: str) -> list:
    """The scatter collections drawn in ``colour`` (their face colour)."""
    rgb = np.array(to_rgba(colour))[:3]
    return [c for c in fig.axes[0].collections
            if len(c.get_facecolors()) and np.allclose(c.get_facecolors()[0][:3], rgb) and len(c.get_offsets())]


def _drawn(fig, colour: str) -> int:
    """Points drawn in ``colour``."""
    return sum(len(c.get_offsets()) for c in _scatters(fig, colour))


def _in_view(fig, layer, mask=None) -> int:
    """Points of ``layer`` (``mask``) inside the map's axes limits, counted from the layer's own coordinates."""
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    xy = metric_xy(layer)
    keep = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    return int((keep & (True if mask is None else mask)).sum())


def test_the_county_map_draws_the_plan_tasks_layers_with_a_legend(demo_builder):
    builder, inputs, _, _ = demo_builder
    fig = builder.county_figure(COUNTY)
    legend = _legend(fig)
    for entry in ("基层医疗卫生机构", "特殊教育与寄宿制学校", "公共文化设施", "儿童福利机构", "医院（三级）", "医院（二级）"):
        assert entry in legend
    # the facilities before the gaps, hospitals highest level first; the existing layers are still there
    assert legend.index("医院（三级）") < legend.index("医院（二级）") < legend.index("健身圈未覆盖的居民点")
    assert {"本区县", "公办幼儿园", "健身设施", "社区养老服务设施"} <= set(legend)
    # every point in view is drawn: primary care (pink crosses) and level-3 hospitals (dark red)
    assert _drawn(fig, "#d81b60") == _in_view(fig, inputs.layers["primary_care"]) > 20
    hospitals = inputs.layers["hospitals"]
    assert _drawn(fig, "#6a0000") == _in_view(fig, hospitals, (hospitals["hospital_level"] == "level3").to_numpy()) >= 1
    # level-3 hospitals are the large markers, primary care the small ones (the areas of the markers, pt²)
    level3 = {float(s) for c in _scatters(fig, "#6a0000") for s in c.get_sizes()}
    primary = {float(s) for c in _scatters(fig, "#d81b60") for s in c.get_sizes()}
    assert min(level3) > 4 * max(primary)
    png = Image.open(io.BytesIO(base64.b64decode(builder.county_map(COUNTY))))
    assert png.size == (1060, 700)  # the map keeps its size, the legend has its own column


def test_an_absent_layer_is_not_in_the_legend_and_english_labels(demo_builder):
    builder, inputs, analysis, scope = demo_builder
    layers = {k: v for k, v in inputs.layers.items() if k not in ("child_welfare", "culture")}
    lean = ReportBuilder(dataclasses.replace(inputs, layers=layers), analysis, scope, lang="en")
    legend = _legend(lean.county_figure(COUNTY))
    assert "Hospital (level 3)" in legend and "Primary care" in legend
    assert "Special-education and boarding schools" in legend
    assert "Public cultural venues" not in legend and "Child-welfare institutions" not in legend
    assert not any(re.search(r"[\u4e00-\u9fff]", x) for x in legend)
