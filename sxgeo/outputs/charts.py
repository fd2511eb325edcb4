"""Charts for the app and the reports, drawn offline with matplotlib."""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator, PercentFormatter

from sxgeo.outputs.fonts import png_bytes, setup_fonts

__all__ = ["bar_chart", "concentration_chart", "step_chart", "to_data_uri", "to_png"]

_DPI = 100
_WIDTH_IN = 7.8  # 780 px at 100 dpi, the width of the report's column
_MIN_PLOT_IN = 3.6  # the bars keep at least this width; long labels widen the figure instead
_BAR_COLOR = "#1f5fbf"
_TITLE_PT = 13.0
_LABEL_PT = 10.0
_VALUE_PT = 9.0
_LABEL_EM = 16.0  # tick labels wrap at about 16 CJK characters (about 28 Latin ones)
_TITLE_EM = 40.0
_LATIN_EM = 0.57  # average width of a Latin character, in em

#: A line may not start with these characters nor end with the opening ones.
_NO_BREAK_BEFORE = frozenset("）】》」』〕〉，。、；：！？%％")
_NO_BREAK_AFTER = frozenset("（【《「『〔〈")
#: Wrapping tokens: a run of spaces, one wide (CJK) character, or a run of other characters.
_TOKEN = re.compile(r"\s+|[\u2e80-\uffff]|[^\s\u2e80-\uffff]+")


# --------------------------------------------------------------------------- text wrapping
def _em(text: str) -> float:
    """Width of ``text`` in em: wide (CJK) characters 1, others about 0.57."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else _LATIN_EM for ch in text)


def _tokens(text: str, width: float) -> list[str]:
    """Split ``text`` into wrapping tokens, cutting any token wider than ``width`` em."""
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        while not tok.isspace() and _em(tok) > width:
            n = max(1, int(width / _LATIN_EM))
            out.append(tok[:n])
            tok = tok[n:]
        out.append(tok)
    return out


def _break(line: str) -> tuple[str, str]:
    """Split ``line`` at its end into the finished line and what starts the next one.

    A trailing space is dropped (the line break stands for it) and a trailing
    opening bracket moves to the next line.
    """
    if line.endswith(" "):
        return line[:-1], ""
    if len(line) > 1 and line[-1] in _NO_BREAK_AFTER:
        return line[:-1], line[-1]
    return line, ""


def _wrap(text: str, width: float = _LABEL_EM) -> str:
    """Wrap ``text`` into lines of at most about ``width`` em, joined by newlines.

    Nothing is dropped except that a break at a space replaces the space:
    removing the newlines of a CJK label gives the label back, and replacing
    them with spaces gives a Latin one back.

    Parameters
    ----------
    text : str
        The label or title.
    width : float
        The line width, in em (one CJK character).

    Returns
    -------
    str
        The wrapped text.
    """
    lines: list[str] = []
    line = ""
    for tok in _tokens(str(text), width):
        if line and _em(line + tok) > width and tok[0] not in _NO_BREAK_BEFORE:
            done, line = _break(line)
            lines.append(done)
            if tok.isspace():
                tok = tok[1:]  # the break stands for one space
        line += tok
    lines.append(line)
    return "\n".join(lines)


# --------------------------------------------------------------------------- bar chart
def _as_floats(values, n: int, name: str) -> np.ndarray:
    """``values`` as a float array of length ``n`` (None: all NaN)."""
    if values is None:
        return np.full(n, np.nan)
    arr = np.asarray(values, dtype=float).reshape(-1)
    if len(arr) != n:
        raise ValueError(f"{name}: {len(arr)} values for {n} labels")
    return arr


def _x_limits(values: np.ndarray, thresholds: np.ndarray, percent: bool, x_max: float | None) -> tuple[float, float]:
    """Left and right end of the value axis."""
    finite = np.concatenate([values[np.isfinite(values)], thresholds[np.isfinite(thresholds)]])
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    if x_max is not None:
        return low, float(x_max)
    high = float(finite.max()) if finite.size else 0.0
    if percent:
        return low, max(1.0, high)
    return low, high * 1.05 if high > 0 else 1.0


def _value_text(value: float, percent: bool, digits: int) -> str:
    """Format the text written at the end of a bar."""
    if not np.isfinite(value):
        return "—"
    return f"{value * 100:.{digits}f}%" if percent else f"{value:,.{digits}f}"


def _draw_bars(ax, values, thresholds, colors, limits, percent: bool, digits: int) -> list:
    """Bars, threshold ticks and value texts; returns the value texts."""
    rows = np.arange(len(values))
    ax.barh(rows, np.where(np.isfinite(values), values, 0.0), height=0.6, color=colors)
    texts = []
    for i, (v, t) in enumerate(zip(values, thresholds, strict=True)):
        if np.isfinite(t):
            ax.plot([t, t], [i - 0.4, i + 0.4], color="black", linewidth=2, solid_capstyle="butt")
        end = float(np.clip(v, *limits)) if np.isfinite(v) else 0.0
        texts.append(ax.annotate(
            _value_text(v, percent, digits), xy=(max(end, 0.0), i), xytext=(3, 0), textcoords="offset points",
            va="center", ha="left", fontsize=_VALUE_PT, annotation_clip=False,
        ))
    return texts


def _style_bar_axes(ax, labels: list[str], limits: tuple[float, float], percent: bool) -> None:
    """Tick labels, limits, grid and frame of a bar chart."""
    n = len(labels)
    ax.set_yticks(np.arange(n), labels, fontsize=_LABEL_PT)
    ax.set_ylim(max(n, 1) - 0.5, -0.5)  # first label on top
    ax.set_xlim(*limits)
    ax.tick_params(axis="y", length=0, pad=6)
    ax.tick_params(axis="x", labelsize=_VALUE_PT, colors="#555555")
    if percent:
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _fit_bar_margins(fig: Figure, ax, texts: list, top_in: float, bottom_in: float) -> None:
    """Size the left margin to the widest tick label and the right one to the widest value text.

    The text is measured with the Agg renderer; when the labels leave less
    than ``_MIN_PLOT_IN`` for the bars, the figure is made wider.
    """
    renderer = FigureCanvasAgg(fig).get_renderer()
    dpi = fig.dpi
    pad = 10.0 / 72 * dpi  # tick pad plus a little air, in px
    left = max((t.get_window_extent(renderer).width for t in ax.get_yticklabels()), default=0.0) + pad
    right = max((t.get_window_extent(renderer).width for t in texts), default=0.0) + pad
    width, height = fig.get_size_inches()
    width = max(width, (left + right) / dpi + _MIN_PLOT_IN)
    fig.set_size_inches(width, height)
    fig.subplots_adjust(left=left / (width * dpi), right=1 - right / (width * dpi),
                        top=1 - top_in / height, bottom=bottom_in / height)


def bar_chart(
    title: str,
    labels: list[str],
    values,
    *,
    thresholds=None,
    colors: list[str] | None = None,
    percent: bool = True,
    digits: int = 1,
    x_max: float | None = None,
) -> Figure:
    """Horizontal bar chart, one bar per label, with the value at the bar end.

    Long labels are wrapped, never cut: the figure grows in height with the
    number of bars and of wrapped lines, the left margin is measured to fit
    the widest label, and the figure grows in width when the labels would
    leave too little room for the bars.

    Parameters
    ----------
    title : str
        Title above the chart (wrapped when long).
    labels : list of str
        One label per bar, drawn top to bottom.
    values : array-like of float
        One value per bar; shares 0–1 when ``percent``.  NaN draws no bar and "—".
    thresholds : array-like of float, optional
        A black tick across each bar at its threshold; NaN for none.
    colors : list of str, optional
        One colour per bar; all blue when None.
    percent : bool
        Values are shares written and scaled as percent.
    digits : int
        Decimals of the value texts.
    x_max : float, optional
        Right end of the value axis (longer bars are cut there); by default
        100 % for shares, else a little more than the largest value.

    Returns
    -------
    matplotlib.figure.Figure
        The chart, with an Agg canvas.
    """
    setup_fonts()
    labels = [str(lb) for lb in labels]
    vals = _as_floats(values, len(labels), "values")
    thr = _as_floats(thresholds, len(labels), "thresholds")
    if colors is not None and len(colors) != len(labels):
        raise ValueError(f"colors: {len(colors)} colours for {len(labels)} labels")
    wrapped = [_wrap(lb) for lb in labels]
    title_text = _wrap(title, _TITLE_EM)
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    row_in = max(0.36, lines * _LABEL_PT * 1.25 / 72 + 0.16)
    top_in = 0.18 + (title_text.count("\n") + 1) * _TITLE_PT * 1.3 / 72
    bottom_in = 0.4
    fig = Figure(figsize=(_WIDTH_IN, top_in + max(len(labels), 1) * row_in + bottom_in), dpi=_DPI)
    ax = fig.add_subplot()
    limits = _x_limits(vals, thr, percent, x_max)
    texts = _draw_bars(ax, vals, thr, colors or [_BAR_COLOR] * len(labels), limits, percent, digits)
    _style_bar_axes(ax, wrapped, limits, percent)
    fig.suptitle(title_text, fontsize=_TITLE_PT, y=1 - 0.08 / fig.get_size_inches()[1], va="top")
    _fit_bar_margins(fig, ax, texts, top_in, bottom_in)
    return fig


# --------------------------------------------------------------------------- step chart
def _step_xy(xs, cum, x_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Points of a cumulative step curve from 0 to ``x_max``, y in percent."""
    xs = np.asarray(xs, dtype=float).reshape(-1)
    cum = np.asarray(cum, dtype=float).reshape(-1)
    keep = np.isfinite(xs) & np.isfinite(cum) & (xs <= x_max)
    last = float(cum[keep][-1]) if keep.any() else 0.0
    x = np.concatenate(([0.0], xs[keep], [x_max]))
    y = np.concatenate(([0.0], cum[keep], [last])) * 100.0
    return x, y


def step_chart(
    title: str,
    series: Sequence[tuple[str, str, Sequence[float], Sequence[float]]],
    *,
    threshold: float,
    threshold_label: str,
    xlabel: str,
    ylabel: str,
    x_max: float = 60.0,
) -> Figure:
    """Cumulative step curves, for example the share of the population by walking time.

    Parameters
    ----------
    title : str
        Title above the chart (wrapped when long).
    series : sequence of (label, colour, sorted_x, cumulative_share)
        One curve each: x sorted ascending and the cumulative share (0–1)
        reached at each x.  Points beyond ``x_max`` are not drawn.
    threshold : float
        Where the dashed vertical line goes, in x units.
    threshold_label : str
        Text next to the threshold line.
    xlabel, ylabel : str
        Axis titles.
    x_max : float
        Right end of the x axis.

    Returns
    -------
    matplotlib.figure.Figure
        The chart, y in percent 0–100, with an Agg canvas.
    """
    setup_fonts()
    fig = Figure(figsize=(_WIDTH_IN, 3.6), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for label, colour, xs, cum in series:
        x, y = _step_xy(xs, cum, x_max)
        ax.plot(x, y, drawstyle="steps-post", color=colour, linewidth=2, label=label)
    ax.axvline(threshold, color="black", linestyle=(0, (5, 4)), linewidth=1)
    ax.annotate(threshold_label, xy=(threshold, 0), xycoords=("data", "axes fraction"), xytext=(4, 6),
                textcoords="offset points", fontsize=_VALUE_PT)
    ax.set_xlim(0, x_max)
    ax.set_ylim(-1, 101)
    ax.yaxis.set_major_locator(MultipleLocator(20))
    if x_max >= 20:
        ax.xaxis.set_major_locator(MultipleLocator(10 if x_max <= 120 else 30))
    ax.set_xlabel(xlabel, fontsize=_LABEL_PT)
    ax.set_ylabel(ylabel, fontsize=_LABEL_PT)
    ax.set_title(_wrap(title, _TITLE_EM), fontsize=_TITLE_PT)
    ax.grid(color="#e5e5e5")
    ax.set_axisbelow(True)
    if len(series):
        ax.legend(loc="lower right", fontsize=_VALUE_PT, framealpha=0.9)
    return fig


def concentration_chart(
    title: str,
    series: Sequence[tuple[str, str, Sequence[float], Sequence[float]]],
    *,
    xlabel: str,
    ylabel: str,
    equality_label: str,
) -> Figure:
    """Concentration (Lorenz) curves: cumulative share of the score against cumulative share of residents.

    Parameters
    ----------
    series : sequence of (label, colour, population_share, score_share)
        One curve each, both from 0 to 1, residents sorted from the worst-served.
    xlabel, ylabel, equality_label : str
        Axis titles and the label of the diagonal (equal access for all).

    Returns
    -------
    matplotlib.figure.Figure
        Square-ish chart in percent, with an Agg canvas.
    """
    setup_fonts()
    fig = Figure(figsize=(_WIDTH_IN * 0.7, 4.2), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 100], [0, 100], color="#8a8a8a", linestyle=(0, (5, 4)), linewidth=1, label=equality_label)
    for label, colour, pop, val in series:
        ax.plot(np.asarray(pop, dtype=float) * 100, np.asarray(val, dtype=float) * 100, color=colour, linewidth=2,
                label=label)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    ax.xaxis.set_major_locator(MultipleLocator(20))
    ax.yaxis.set_major_locator(MultipleLocator(20))
    ax.set_xlabel(xlabel, fontsize=_LABEL_PT)
    ax.set_ylabel(ylabel, fontsize=_LABEL_PT)
    ax.set_title(_wrap(title, _TITLE_EM * 0.7), fontsize=_TITLE_PT)
    ax.grid(color="#e5e5e5")
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", fontsize=_VALUE_PT, framealpha=0.9)
    return fig


# --------------------------------------------------------------------------- output
def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render a chart to PNG.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart.
    dpi : int
        Resolution; 100 gives 780 px wide charts.

    Returns
    -------
    bytes
        The PNG file.
    """
    return png_bytes(fig, dpi=dpi)


def to_data_uri(fig: Figure) -> str:
    """Render a chart to a PNG ``data:`` URI for a self-contained HTML page.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart.

    Returns
    -------
    str
        ``data:image/png;base64,...``.
    """
    return "data:image/png;base64," + base64.b64encode(to_png(fig)).decode("ascii")
