"""Siting outputs: the proposal's workbook, GeoPackage and map (``sxgeo site``)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sxgeo.analysis.siting import SITE_KINDS, SitingResult
from sxgeo.layers.geometry import metric_xy
from sxgeo.outputs.fonts import png_bytes, setup_fonts
from sxgeo.outputs.staticmap import MAP_ASPECT, MAP_AXES, MAP_SIZE, draw_polygons, fit_extent, scale_bar
from sxgeo.outputs.tables import localise, to_xlsx_bytes, write_table
from sxgeo.settings import METRIC_CRS
from sxgeo.text import t

__all__ = ["site_map", "write_site_outputs"]


def site_map(result, inputs, scope, kind: str, lang: str = "zh") -> bytes:
    """PNG map of the proposal: the scope, existing facilities, demand and the new sites."""
    setup_fonts()
    counties = inputs.counties
    area = counties[counties["adcode"].isin(scope.county_codes)].to_crs(METRIC_CRS)
    extent = fit_extent(tuple(area.total_bounds), MAP_ASPECT)
    fig = Figure(figsize=MAP_SIZE, dpi=100)
    ax = fig.add_axes(MAP_AXES)
    draw_polygons(ax, area.geometry.to_numpy(), facecolor="white", edgecolor="#333333", linewidth=1.2)
    handles = []

    def pts(frame, label, **kw):
        if frame is None or len(frame) == 0:
            return
        xy = metric_xy(frame)
        ax.scatter(xy[:, 0], xy[:, 1], **kw)
        handles.append(Line2D([], [], linestyle="none", marker=kw.get("marker", "o"), markersize=7,
                              markerfacecolor=kw.get("c", "none") if kw.get("facecolors") != "none" else "none",
                              markeredgecolor=kw.get("edgecolors", kw.get("c")), label=label))

    layer_kind = SITE_KINDS[kind][1]
    existing = inputs.layers.get(layer_kind)
    if existing is not None:
        existing = existing[existing["county_code"].isin(scope.county_codes)]
        if kind == "kindergarten":
            existing = existing[existing["ownership"].eq("public")]
        elif kind == "elderly":
            existing = existing[existing["care_kind"].eq("community")]
    pts(existing, t(f"site.map.existing_{kind}", lang), c="#1f5fbf", marker="s", s=16, linewidths=0)
    if isinstance(result, SitingResult):
        d = result.demand
        covered = d["covered"].fillna(False).astype(bool)
        after = d["covered_mclp" if "covered_mclp" in d else "covered_lscp"].astype(bool)
        pts(d[covered], t("site.map.covered", lang), c="#9a9a9a", marker="o", s=8, linewidths=0)
        pts(d[~covered & after], t("site.map.newly", lang), c="#1a7f37", marker="o", s=14, linewidths=0)
        pts(d[~covered & ~after], t("site.map.uncovered", lang), facecolors="none", edgecolors="#d62728", marker="o", s=30,
            linewidths=1.2)
        if result.lscp_sites is not None:
            pts(result.lscp_sites, t("site.map.lscp", lang, n=len(result.lscp_sites)), facecolors="none",
                edgecolors="#8e44ad", marker="D", s=70, linewidths=1.4)
        if result.sites is not None:
            sites = result.sites
            pts(sites, t("site.map.mclp", lang, n=len(sites)), c="#ff8c00", marker="*", s=220, linewidths=0.5,
                edgecolors="black")
            for (x, y), order in zip(metric_xy(sites), sites["order"], strict=True):
                ax.annotate(str(order), (x, y), xytext=(6, 6), textcoords="offset points", fontsize=9)
    else:
        placed = result[~result.geometry.isna()]
        pts(placed, t("site.map.kg", lang, n=len(placed)), c="#ff8c00", marker="*", s=220, linewidths=0.5,
            edgecolors="black")
        for (x, y), name in zip(metric_xy(placed), placed["township_name"], strict=True):
            ax.annotate(str(name), (x, y), xytext=(6, 6), textcoords="offset points", fontsize=8)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_axis_off()
    scale_bar(ax, extent, lang)
    title = t(f"site.map.title_{kind}", lang, area=scope.name)
    fig.suptitle(title, fontsize=13)
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)
    return png_bytes(fig)


def write_site_outputs(result, inputs, scope, kind: str, out_dir, *, lang: str = "zh") -> list:
    """Write ``sites.xlsx``, ``sites.gpkg`` and ``map.png`` to ``out_dir``; return the paths."""
    out = Path(out_dir)
    if isinstance(result, SitingResult):
        sheets = {t("site.sheet_coverage", lang): localise(result.coverage, lang)}
        layers = {}
        for name, frame in (("mclp", result.sites), ("lscp", result.lscp_sites)):
            if frame is not None:
                sheets[t("site.sheet_sites", lang, method=name.upper())] = localise(frame, lang)
                layers[f"{name}_sites"] = frame
        sheets[t("site.sheet_demand", lang)] = localise(result.demand, lang)
    else:
        sheets = {t("site.sheet_kindergarten", lang): localise(result, lang)}
        layers = {"kindergarten_sites": result}
    xlsx = out / "sites.xlsx"
    xlsx.write_bytes(to_xlsx_bytes(sheets, lang))
    gpkg = out / "sites.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    for name, frame in layers.items():
        write_table(localise(frame, lang), gpkg, layer=name, lang=lang)
    png = out / "map.png"
    png.write_bytes(site_map(result, inputs, scope, kind, lang))
    return [xlsx, gpkg, png]
