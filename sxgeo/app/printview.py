"""The map's print export: PNG and PDF download buttons of the current view, rendered only when clicked, and cached."""

from __future__ import annotations

import datetime
import threading
import weakref
from collections import OrderedDict

import geopandas as gpd
import pandas as pd
import streamlit as st

from sxgeo.app.data import COUNTY_ONLY_KINDS, Workspace
from sxgeo.app.mapview import POINT_KINDS
from sxgeo.app.state import planned_key
from sxgeo.layers.kinds import KINDS
from sxgeo.outputs.printmap import PrintMap, render_pdf, render_png
from sxgeo.outputs.webmap_style import Indicator
from sxgeo.settings import LONLAT_CRS, PROVINCE_CODE
from sxgeo.text import choose, t

__all__ = ["map_downloads", "print_spec", "rendered"]

#: Resolution of the downloaded PNG.
PNG_DPI = 150
#: Rendered files kept per workspace (each a few hundred kB to a few MB).
CACHE_ENTRIES = 12

_CACHE: weakref.WeakKeyDictionary[Workspace, OrderedDict] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def _indicator(indicator: dict, lang: str) -> Indicator:
    """The web map's :class:`Indicator` of the sidebar's indicator choice (as :func:`sxgeo.app.mapview.build_map` makes it)."""
    return Indicator(label=str(choose({"zh": indicator["target_zh"], "en": indicator["target_en"]}, lang)),
                     threshold=float(indicator["threshold"]), comparator=str(indicator["comparator"]),
                     unit=str(indicator["unit"]))


def _outline(ws: Workspace, level: str, code: str | None) -> gpd.GeoSeries:
    """The area's boundary in full detail."""
    if level == "province":
        return ws.bounds.province.geometry
    c = ws.bounds.counties
    inside = c[c["adcode"].isin(list(ws.bounds.scope(level, code).county_codes))]
    return gpd.GeoSeries([inside.union_all()], crs=LONLAT_CRS)


def _points(ws: Workspace, level: str, code: str | None, indicator: dict | None, lang: str):
    """The point layers the web map draws for the area, and the legend names of those that are not layer kinds."""
    scored = ws.capacity_points(level, code, indicator["target_id"]) if indicator is not None else None
    points, names = {}, {}
    for kind in POINT_KINDS:
        if kind in COUNTY_ONLY_KINDS and level != "county" or kind == "residential" and scored is not None:
            continue  # as on the web map: demand points and village clinics only per county, demand points once
        frame = ws.points(kind, level, code)
        if frame is not None and len(frame):
            points[kind] = frame
    if scored is not None and len(scored):
        threshold = f"{float(indicator['threshold']):g}"
        below = scored["below"].fillna(False).astype(bool).to_numpy()
        for style, key, mask in (("score_below", "map.score_below", below), ("score_above", "map.score_above", ~below)):
            points[style] = scored[mask]
            names[style] = t(key, lang, threshold=threshold)
    return points, names


def _sources(ws: Workspace, indicator: dict | None, lang: str, demo_in_use: bool) -> list[str]:
    """The data-source lines of the printed map."""
    lines = [t("print.source_boundaries", lang)]
    if demo_in_use:
        lines.append(t("print.source_demo", lang))
    else:
        kinds = [KINDS[k].label(lang) for k, v in ws.layers.items() if v is not None and k in KINDS]
        lines.append(t("print.source_own", lang, layers=", ".join(kinds) or "—"))
    if indicator is not None:
        lines.append(t("print.source_targets", lang))
    return lines


def print_spec(ws: Workspace, level: str, code: str | None, indicator: dict | None, lang: str,
               planned: dict[str, gpd.GeoDataFrame], minutes: float, demo_in_use: bool,
               date: datetime.date | None = None) -> PrintMap:
    """The :class:`PrintMap` of the app's current view: the layers the web map draws for the area.

    Parameters
    ----------
    ws : Workspace
        The dataset in use.
    level, code : str
        The area (``province`` with code None, a city or a county).
    indicator : dict or None
        The sidebar's indicator choice (:func:`sxgeo.app.sidebar.indicator_choice`).
    lang : str
        Language of the texts.
    planned : dict of str to GeoDataFrame
        The planned sites by layer kind.
    minutes : float
        The walking time of the coverage drawn (from the targets).
    demo_in_use : bool
        Whether the synthetic demo data is in use (the page then carries the notice).
    date : datetime.date, optional
        The map's date (today when None).

    Returns
    -------
    PrintMap
        What the printed map shows.
    """
    units = ind = None
    if indicator is not None:
        units = ws.choropleth_units(level, code, indicator["target_id"])
        ind = _indicator(indicator, lang)
    reference, labels = ws.reference(level, code)
    cov = ws.coverage(level, code, ws.coverage_quantity(indicator["target_id"] if indicator is not None else None))
    points, names = _points(ws, level, code, indicator, lang)
    return PrintMap(
        title=ind.label if ind is not None else t("print.title_layers", lang),
        area_name=ws.bounds.scope(level, code).name,
        outline=_outline(ws, level, code),
        units=units,
        indicator=ind,
        points=points,
        point_labels=names,
        covered_area=cov[0] if cov is not None else None,
        uncovered=cov[1] if cov is not None else None,
        minutes=minutes,
        planned={k: f for k, f in planned.items() if f is not None and len(f)},
        reference=reference,
        labels=labels,
        sources=_sources(ws, indicator, lang, demo_in_use),
        synthetic=demo_in_use,
        date=date,
        lang=lang,
    )


def _planned_digest(planned: dict[str, gpd.GeoDataFrame]) -> tuple:
    """The planned sites as part of a cache key (ids and coordinates)."""
    return planned_key({k: f for k, f in planned.items() if isinstance(f, pd.DataFrame)})


def rendered(ws: Workspace, fmt: str, level: str, code: str | None, indicator: dict | None, lang: str,
             planned: dict[str, gpd.GeoDataFrame], minutes: float, demo_in_use: bool) -> bytes:
    """The view's printed map as ``png`` or ``pdf``, rendered once per workspace, view and day, and kept.

    The cache lives as long as the workspace (shared by every session on the same data) and
    keeps the last :data:`CACHE_ENTRIES` files.
    """
    today = datetime.date.today()
    key = (fmt, level, code, indicator["target_id"] if indicator is not None else None, lang,
           _planned_digest(planned), float(minutes), bool(demo_in_use), today.isoformat())
    with _CACHE_LOCK:
        files = _CACHE.setdefault(ws, OrderedDict())
        if key in files:
            files.move_to_end(key)
            return files[key]
    spec = print_spec(ws, level, code, indicator, lang, planned, minutes, demo_in_use, date=today)
    data = render_png(spec, dpi=PNG_DPI) if fmt == "png" else render_pdf(spec)
    with _CACHE_LOCK:
        files = _CACHE.setdefault(ws, OrderedDict())
        files[key] = data
        while len(files) > CACHE_ENTRIES:
            files.popitem(last=False)
    return data


def map_downloads(ws: Workspace, level: str, code: str | None, indicator: dict | None, lang: str,
                  planned: dict[str, gpd.GeoDataFrame], minutes: float, demo_in_use: bool) -> None:
    """Two download buttons (PNG, PDF) of the current view in a print layout.

    Nothing is rendered on a rerun: each file is made when its button is clicked (Streamlit runs
    the callable then) and cached per workspace, so other sessions on the same data reuse it.
    The click does not rerun the page.
    """
    args = (level, code, indicator, lang, dict(planned), minutes, demo_in_use)
    stem = f"sxgeo_{code or PROVINCE_CODE}" + (f"_{indicator['target_id']}" if indicator is not None else "")
    col_png, col_pdf = st.columns(2)
    col_png.download_button(t("print.download_png", lang), data=lambda: rendered(ws, "png", *args),
                            file_name=f"{stem}.png", mime="image/png", on_click="ignore", key="sx_print_png",
                            help=t("print.download_help", lang))
    col_pdf.download_button(t("print.download_pdf", lang), data=lambda: rendered(ws, "pdf", *args),
                            file_name=f"{stem}.pdf", mime="application/pdf", on_click="ignore", key="sx_print_pdf",
                            help=t("print.download_help", lang))
