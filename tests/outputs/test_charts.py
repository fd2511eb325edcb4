"""Charts of sxgeo.outputs.charts: rendered for real with Agg and checked on the PNG and the artists."""

from __future__ import annotations

import base64
import io
import itertools
import warnings

import numpy as np
import pytest
from matplotlib import rcParams
from matplotlib.lines import Line2D
from PIL import Image

from sxgeo.outputs import charts, fonts

BLUE = (0x1F, 0x5F, 0xBF)
YEARS = range(2016, 2026)
# Ten labels sharing a long prefix: each needs wrapping and only the year tells them apart.
LONG_ZH = [f"各县（市、区）城镇社区十五分钟健身圈人口覆盖率：每年新建社区全民健身中心（{y}）" for y in YEARS]
LONG_EN = "Share of urban residents within a 15-minute walk of a community fitness centre (2021)"


def _image(png: bytes) -> np.ndarray:
    """Decode a PNG to an RGB array, checking the signature."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _pixels_near(img: np.ndarray, rgb: tuple[int, int, int], tol: int = 8) -> int:
    """Count the pixels within ``tol`` of the colour ``rgb``."""
    return int((np.abs(img.astype(int) - np.array(rgb)).max(axis=2) <= tol).sum())


def _drawn(fig):
    """Draw the figure (as saving it would) and return its renderer."""
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _tick_texts(fig) -> list[str]:
    """Texts of the bar chart's y tick labels."""
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_setup_fonts_returns_a_chinese_font_first_in_the_list():
    """The bundled Noto Sans SC (or an installed CJK font) heads the sans-serif list."""
    name = fonts.setup_fonts()
    assert name, "no CJK font: pylopdf-fonts-zh-cn should provide Noto Sans SC"
    assert rcParams["font.sans-serif"][0] == name
    assert fonts.setup_fonts() == name  # cached


def test_chinese_text_renders_without_missing_glyphs():
    """Chinese titles, labels and legends render with no "missing glyph" warning."""
    fonts.setup_fonts()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        labels = ["普惠性幼儿园覆盖率", "每年新建社区全民健身中心（2022）"]
        fig = charts.bar_chart("山西省县级目标达成情况（2021年）", labels, [0.565, 0.9], thresholds=[0.8, np.nan])
        charts.to_png(fig)
        series = [("健身设施", "#1a7f37", [1.0, 9.0], [0.4, 1.0])]
        fig = charts.step_chart("城镇人口步行时间累计占比", series, threshold=15, threshold_label="15 分钟",
                                xlabel="步行时间（分钟）", ylabel="人口占比 (%)")
        charts.to_png(fig)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []


def test_missing_glyph_warnings_are_caught_by_this_check():
    """Control for the test above: a private-use character no font has does warn."""
    fonts.setup_fonts()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts.to_png(charts.bar_chart("\ue000", ["a"], [0.5]))
    assert any("missing from" in str(w.message) for w in caught)


def test_bar_chart_png_size_and_content():
    """The PNG has the figure's size at the asked dpi and shows the bars."""
    fig = charts.bar_chart("目标达成", ["普惠性幼儿园覆盖率", "公办园在园幼儿占比", "城镇社区健身设施覆盖率"],
                           [0.565, 0.3, 0.92], thresholds=[0.8, 0.5, np.nan])
    png = charts.to_png(fig, dpi=100)
    img = _image(png)
    w, h = fig.get_size_inches() * 100
    assert abs(img.shape[0] - h) <= 1 and abs(img.shape[1] - w) <= 1  # matplotlib truncates to whole pixels
    assert img.shape[1] == 780  # short labels keep the report's width
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 20  # not blank
    assert _pixels_near(img, BLUE) > 3000  # the bars are drawn in the default blue
    # twice the resolution, twice the pixels
    big = _image(charts.to_png(fig, dpi=200))
    assert abs(big.shape[0] - 2 * h) <= 1 and abs(big.shape[1] - 2 * w) <= 1


def test_bar_chart_value_texts_and_threshold_ticks():
    """Value texts in percent; a black tick per finite threshold, none for NaN."""
    fig = charts.bar_chart("t", ["a", "b", "c"], [0.565, 0.3, float("nan")], thresholds=[0.8, np.nan, 0.5])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["56.5%", "30.0%", "—"]
    ticks = [ln for ln in ax.get_children() if isinstance(ln, Line2D) and ln.get_visible() and ln in ax.lines]
    assert len(ticks) == 2  # one per finite threshold, none for NaN
    assert sorted(float(ln.get_xdata()[0]) for ln in ticks) == [0.5, 0.8]
    assert all(ln.get_color() == "black" for ln in ticks)
    assert len(charts.bar_chart("t", ["a", "b"], [0.2, 0.4]).axes[0].lines) == 0


def test_bar_chart_digits_counts_and_colours():
    """Counts are written as numbers with ``digits`` decimals; bars take the given colours."""
    fig = charts.bar_chart("t", ["a", "b"], [1234.4, 12.0], percent=False, digits=0, colors=["#1a7f37", "#c0392b"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["1,234", "12"]
    assert ax.get_xlim()[1] >= 1234.4
    assert [tuple(round(c, 3) for c in p.get_facecolor()[:3]) for p in ax.patches] == [
        (round(0x1A / 255, 3), round(0x7F / 255, 3), round(0x37 / 255, 3)),
        (round(0xC0 / 255, 3), round(0x39 / 255, 3), round(0x2B / 255, 3)),
    ]
    assert charts.bar_chart("t", ["a"], [0.5], digits=0).axes[0].texts[0].get_text() == "50%"


def test_bar_chart_rejects_mismatched_lengths():
    """Values, thresholds and colours must match the labels one to one."""
    with pytest.raises(ValueError):
        charts.bar_chart("t", ["a", "b"], [0.5])
    with pytest.raises(ValueError):
        charts.bar_chart("t", ["a", "b"], [0.5, 0.6], thresholds=[0.1])
    with pytest.raises(ValueError):
        charts.bar_chart("t", ["a", "b"], [0.5, 0.6], colors=["red"])


def test_ten_long_shared_prefix_labels_are_whole_and_inside_the_figure():
    """Ten wrapped labels with a shared prefix: each whole, inside the figure, none overlapping."""
    fig = charts.bar_chart("每年新建社区全民健身中心", LONG_ZH, np.linspace(0.2, 1.0, 10), thresholds=[0.5, np.nan] * 5)
    texts = _tick_texts(fig)
    assert any("\n" in t for t in texts)  # they are long enough to be wrapped...
    assert [t.replace("\n", "") for t in texts] == LONG_ZH  # ...and nothing is cut
    renderer = _drawn(fig)
    width, height = fig.canvas.get_width_height()
    ax = fig.axes[0]
    left = ax.get_window_extent(renderer).x0
    boxes = [t.get_window_extent(renderer) for t in ax.get_yticklabels()]
    for box in boxes:
        assert box.x0 >= 0 and box.x1 <= left  # inside the figure, clear of the bars
        assert box.y0 >= 0 and box.y1 <= height
    tops = sorted(boxes, key=lambda b: -b.y1)
    assert all(a.y0 >= b.y1 for a, b in itertools.pairwise(tops))  # no label overlaps the next
    title = fig.get_suptitle()
    assert title == "每年新建社区全民健身中心"
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width  # value texts too
    img = _image(charts.to_png(fig))
    assert img.shape[0] > 10 * 40  # the height grows with the bars and their lines


def test_long_latin_label_wraps_at_spaces_and_loses_nothing():
    """An English label breaks at spaces into lines of about 28 characters."""
    fig = charts.bar_chart("Share of counties meeting each target", [LONG_EN, "Kindergarten coverage"], [0.5, 1.0])
    texts = _tick_texts(fig)
    assert "\n" in texts[0]
    assert texts[0].replace("\n", " ") == LONG_EN
    assert texts[1] == "Kindergarten coverage"
    assert max(len(line) for line in texts[0].split("\n")) <= 30


def test_very_long_label_widens_the_figure_instead_of_squeezing_the_bars():
    """A label with no space is cut into lines, and the bars keep their room."""
    label = "x" * 400  # no space to break at: cut into lines, still never lost
    fig = charts.bar_chart("t", [label], [0.5])
    assert fig.axes[0].get_yticklabels()[0].get_text().replace("\n", "") == label
    renderer = _drawn(fig)
    assert all(t.get_window_extent(renderer).x0 >= 0 for t in fig.axes[0].get_yticklabels())
    assert fig.axes[0].get_window_extent(renderer).width >= 300


def test_step_chart_curves_threshold_and_png():
    """Step curves in percent up to x_max, the dashed threshold line, its label and the legend."""
    minutes = np.array([2.0, 5.0, 12.0, 40.0, 75.0])
    cum = np.array([0.1, 0.35, 0.6, 0.8, 1.0])
    fig = charts.step_chart("城镇人口步行时间累计占比", [("健身设施", "#1a7f37", minutes, cum),
                                                 ("养老设施", "#8e44ad", minutes[:3], cum[:3] / 2)],
                            threshold=15, threshold_label="15 分钟", xlabel="步行时间（分钟）", ylabel="人口占比 (%)")
    ax = fig.axes[0]
    fitness, elderly, line = ax.lines
    assert fitness.get_drawstyle() == "steps-post"
    # within x_max = 60 the first curve reaches 80 % (the 75-minute point is off the chart), the second 30 %
    assert fitness.get_ydata()[-1] == pytest.approx(80.0)
    assert fitness.get_xdata()[-1] == 60.0 and fitness.get_ydata()[0] == 0.0
    assert elderly.get_ydata()[-1] == pytest.approx(cum[2] / 2 * 100)
    assert list(line.get_xdata()) == [15, 15] and line.get_linestyle() == "--"
    assert [t.get_text() for t in ax.texts] == ["15 分钟"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["健身设施", "养老设施"]
    assert ax.get_ylim()[0] <= 0 and ax.get_ylim()[1] >= 100 and ax.get_xlim() == (0.0, 60.0)
    img = _image(charts.to_png(fig))
    assert img.shape[:2] == (360, 780)
    assert _pixels_near(img, (0x1A, 0x7F, 0x37)) > 200 and _pixels_near(img, (0x8E, 0x44, 0xAD)) > 100


def test_step_chart_ends_at_the_last_cumulative_share():
    """With every point on the chart the curve ends at the last cumulative share."""
    xs, cum = np.array([1.0, 3.0, 8.0]), np.array([0.25, 0.5, 0.9])
    fig = charts.step_chart("t", [("a", "red", xs, cum)], threshold=10, threshold_label="10 min",
                            xlabel="min", ylabel="%", x_max=30)
    assert fig.axes[0].lines[0].get_ydata()[-1] == pytest.approx(90.0)
    assert fig.axes[0].get_xlim() == (0.0, 30.0)


def test_data_uri_is_the_png():
    """The data: URI carries the same PNG as to_png and fonts.png_base64."""
    fig = charts.bar_chart("t", ["a"], [0.5])
    uri = charts.to_data_uri(fig)
    assert uri.startswith("data:image/png;base64,")
    png = base64.b64decode(uri.split(",", 1)[1])
    assert _image(png).shape[:2] == _image(charts.to_png(fig)).shape[:2]
    assert fonts.png_base64(fig) == uri.split(",", 1)[1]
