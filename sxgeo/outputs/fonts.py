"""Chinese fonts for matplotlib, available offline."""

from __future__ import annotations

import base64
import io
import threading

#: Installed CJK fonts tried, in order, when the bundled Noto Sans SC cannot be loaded.
_FONT_CANDIDATES = (
    "Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC",
)
#: ``{"name": font name or None}`` once :func:`setup_fonts` has run.
_FONT_STATE: dict[str, str | None] = {}
_FONT_LOCK = threading.Lock()


def setup_fonts() -> str | None:
    """Put a Chinese font available offline first in matplotlib's sans-serif list.

    Looks for Noto Sans SC from the PyPI package ``pylopdf-fonts-zh-cn``, then
    for an installed CJK font (for example Debian ``fonts-noto-cjk``).  The
    work is done once per process; later calls return the cached answer.

    Returns
    -------
    str or None
        The font's family name, or None when there is none (Chinese text then
        shows as boxes).
    """
    with _FONT_LOCK:
        if "name" in _FONT_STATE:
            return _FONT_STATE["name"]
        from matplotlib import rcParams

        name = _find_font()
        rcParams["font.family"] = "sans-serif"
        rcParams["font.sans-serif"] = ([name] if name else []) + [f for f in rcParams["font.sans-serif"] if f != name]
        rcParams["axes.unicode_minus"] = False
        _FONT_STATE["name"] = name
    _warm_up()
    return name


def _find_font() -> str | None:
    """Register the bundled Noto Sans SC, else pick an installed CJK font.

    Returns
    -------
    str or None
        The family name, or None when no CJK font is found.
    """
    from matplotlib import font_manager

    try:
        import pylopdf_fonts_zh_cn

        path = str(pylopdf_fonts_zh_cn.sans_path())
        font_manager.fontManager.addfont(path)
        return font_manager.FontProperties(fname=path).get_name()
    except (ImportError, OSError, RuntimeError):
        available = {f.name for f in font_manager.fontManager.ttflist}
        return next((n for n in _FONT_CANDIDATES if n in available), None)


def _warm_up() -> None:
    """Draw a little Chinese text once, so the font is parsed before worker processes fork."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1), dpi=50)
    fig.text(0.1, 0.5, "山西省 0-9%", fontsize=8)
    png_bytes(fig)


def png_bytes(fig, dpi: float | None = None) -> bytes:
    """Render a matplotlib Figure to PNG with Agg, without pyplot.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it gets an Agg canvas if it has none.
    dpi : float, optional
        Resolution of the image; the figure's own dpi when None.

    Returns
    -------
    bytes
        The PNG file.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    buf = io.BytesIO()
    canvas.print_figure(buf, format="png", dpi=fig.dpi if dpi is None else dpi)
    return buf.getvalue()


def png_base64(fig) -> str:
    """Render a figure to PNG, base64-encoded for a ``data:`` URI.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    str
        The PNG file in base64 (ASCII).
    """
    return base64.b64encode(png_bytes(fig)).decode("ascii")
