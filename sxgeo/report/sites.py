"""Siting outputs: the proposal's workbook, GeoPackage and map (``sxgeo site``)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sxgeo.analysis.plan_siting import PlanSiting
from sxgeo.analysis.siting import SITE_KINDS, SitingResult
from sxgeo.layers.geometry import metric_xy
from sxgeo.outputs.fonts import png_bytes, setup_fonts
from sxgeo.outputs.staticmap import MAP_ASPECT, MAP_AXES, MAP_SIZE, draw_polygons, fit_extent, scale_bar
from sxgeo.outputs.tables import localise, to_xlsx_bytes, write_table
from sxgeo.report.gaps import numbered_sheet
from sxgeo.settings import METRIC_CRS
from sxgeo.text import t

__all__ = ["presence_site_table", "site_map", "write_site_outputs"]


def _draw_covering(result: SitingResult, pts, ax, lang: str, suffix: str = "") -> None:
    """A covering proposal on the map: demand covered before, newly covered, still uncovered; MCLP and LSCP sites."""
    d = result.demand
    covered = d["covered"].fillna(False).astype(bool)
    after = d["covered_mclp" if "covered_mclp" in d else "covered_lscp"].astype(bool)
    pts(d[covered], t("site.map.covered", lang) + suffix, c="#9a9a9a", marker="o", s=8, linewidths=0)
    pts(d[~covered & after], t("site.map.newly", lang) + suffix, c="#1a7f37", marker="o", s=14, linewidths=0)
    pts(d[~covered & ~after], t("site.map.uncovered", lang) + suffix, facecolors="none", edgecolors="#d62728", marker="o",
        s=30, linewidths=1.2)
    if result.lscp_sites is not None:
        pts(result.lscp_sites, t("site.map.lscp", lang, n=len(result.lscp_sites)) + suffix, facecolors="none",
            edgecolors="#8e44ad", marker="D", s=70, linewidths=1.4)
    if result.sites is not None:
        sites = result.sites
        pts(sites, t("site.map.mclp", lang, n=len(sites)) + suffix, c="#ff8c00", marker="*", s=220, linewidths=0.5,
            edgecolors="black")
        for (x, y), order in zip(metric_xy(sites), sites["order"], strict=True):
            ax.annotate(str(order), (x, y), xytext=(6, 6), textcoords="offset points", fontsize=9)


def _draw_plan(result: PlanSiting, pts, ax, lang: str) -> None:
    """Every part of a plan task layer's proposal: covering parts (per group), then the presence sites, named."""
    for part in result.parts:
        if part.covering is not None:
            _draw_covering(part.covering, pts, ax, lang, f"（{_part_label(part, lang)}）")
    placed = [part.sites[~part.sites.geometry.isna()] for part in result.parts if part.sites is not None]
    placed = [frame for frame in placed if len(frame)]
    if placed:
        sites = pd.concat(placed, ignore_index=True)
        pts(sites, t("site.map.presence", lang, n=len(sites)), c="#000000", marker="P", s=120, linewidths=0)
        for (x, y), name in zip(metric_xy(sites), sites["unit_name"], strict=True):
            ax.annotate(str(name), (x, y), xytext=(6, 6), textcoords="offset points", fontsize=8)


def _part_label(part, lang: str) -> str:
    """A covering part in words: its target, and its group and mode when the target mixes modes."""
    label = part.target.name(lang)
    if part.group:
        label += t("site.part_group", lang, group=t(f"site.group.{part.group}", lang), mode=t(f"site.mode.{part.mode}", lang))
    return label


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
    existing_label = (t("site.map.existing_plan", lang, kind=t(f"kind.{kind}", lang)) if isinstance(result, PlanSiting)
                      else t(f"site.map.existing_{kind}", lang))
    pts(existing, existing_label, c="#1f5fbf", marker="s", s=16, linewidths=0)
    if isinstance(result, PlanSiting):
        _draw_plan(result, pts, ax, lang)
    elif isinstance(result, SitingResult):
        _draw_covering(result, pts, ax, lang)
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
    title = (t("site.map.title_plan", lang, area=scope.name, kind=t(f"kind.{kind}", lang)) if isinstance(result, PlanSiting)
             else t(f"site.map.title_{kind}", lang, area=scope.name))
    fig.suptitle(title, fontsize=13)
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)
    return png_bytes(fig)


def presence_site_table(sites: pd.DataFrame, target, lang: str = "zh") -> pd.DataFrame:
    """A presence rule's proposed sites as exported: the rule, the unit, facilities present and missing, the site."""
    order = ["target_id", "unit_code", "unit_name", "unit_kind", "county_code", "county_name", "city_code", "city_name",
             "population", "count", "needed", "basis", "site_id", "site_name", "site_address", "mean_distance_m"]
    if target.level in ("city", "county"):  # a county is its own county; a city has none
        order = [c for c in order if c not in ("county_code", "county_name")]
    frame = pd.DataFrame(sites[[c for c in order if c in sites.columns]]).copy()
    frame.insert(0, "target_en", target.name("en"))
    frame.insert(0, "target_zh", target.name("zh"))
    frame["basis"] = [t(f"site.basis.{b}", lang) for b in frame["basis"]]
    frame["mean_distance_m"] = pd.to_numeric(frame["mean_distance_m"], errors="coerce").round(0)
    frame = frame.rename(columns={"count": t("report.col_present", lang), "needed": t("report.col_missing", lang),
                                  "mean_distance_m": t("site.col_mean_distance", lang)})
    frame[t("report.col_rule_source", lang)] = target.source(lang)
    if isinstance(sites, gpd.GeoDataFrame):
        frame = gpd.GeoDataFrame(frame, geometry=sites.geometry.to_numpy(), crs=sites.crs)
    return localise(frame, lang)


def _plan_contents(result: PlanSiting, lang: str) -> pd.DataFrame:
    """One row per part of a plan task layer's proposal: its number, target, group and mode, and its sites."""
    rows = []
    for i, part in enumerate(result.parts, start=1):
        row = {t("site.col_part", lang): i, "target_id": part.target.id, "target_zh": part.target.name("zh"),
               "target_en": part.target.name("en"),
               t("site.col_group", lang): t(f"site.group.{part.group}", lang) if part.group else "",
               t("site.col_travel_mode", lang): t(f"site.mode.{part.mode}", lang) if part.mode else ""}
        if part.sites is not None:
            row[t("site.col_method", lang)] = t("site.method_presence", lang)
            row[t("site.col_sites", lang)] = int(part.sites["site_id"].notna().sum())
            rows.append(row)
            continue
        for name, frame in (("mclp", part.covering.sites), ("lscp", part.covering.lscp_sites)):
            if frame is not None:
                rows.append({**row, t("site.col_method", lang): name.upper(), t("site.col_sites", lang): len(frame)})
    return localise(pd.DataFrame(rows), lang)


def _plan_outputs(result: PlanSiting, lang: str) -> tuple[dict, dict]:
    """The workbook's sheets (contents, then per part numbered sheets) and the GeoPackage's layers."""
    sheets = {t("site.sheet_contents", lang): _plan_contents(result, lang)}
    layers = {}
    for i, part in enumerate(result.parts, start=1):
        tid = part.target.id + (f"_{part.group}" if part.group else "")
        if part.sites is not None:
            table = presence_site_table(part.sites, part.target, lang)
            sheets[numbered_sheet(i, part.target.name(lang))] = table
            if len(part.sites):
                layers[f"{i}_{tid}_sites"] = table
            continue
        cov = part.covering
        sheets[f"{i} {t('site.sheet_coverage', lang)}"] = localise(cov.coverage, lang)
        for name, frame in (("mclp", cov.sites), ("lscp", cov.lscp_sites)):
            if frame is not None:
                sheets[f"{i} {t('site.sheet_sites', lang, method=name.upper())}"] = localise(frame, lang)
                if len(frame):
                    layers[f"{i}_{tid}_{name}_sites"] = localise(frame, lang)
        sheets[f"{i} {t('site.sheet_demand', lang)}"] = localise(cov.demand, lang)
    return sheets, layers


def write_site_outputs(result, inputs, scope, kind: str, out_dir, *, lang: str = "zh") -> list:
    """Write ``sites.xlsx``, ``sites.gpkg`` and ``map.png`` to ``out_dir``; return the paths.

    For a plan task layer (:class:`~sxgeo.analysis.siting.PlanSiting`) the
    workbook starts with a contents sheet numbering the parts (one per
    presence rule, one per travel target and group), and each part's sheets
    and layers carry its number.
    """
    out = Path(out_dir)
    if isinstance(result, PlanSiting):
        sheets, layers = _plan_outputs(result, lang)
    elif isinstance(result, SitingResult):
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
        write_table(frame if isinstance(result, PlanSiting) else localise(frame, lang), gpkg, layer=name, lang=lang)
    png = out / "map.png"
    png.write_bytes(site_map(result, inputs, scope, kind, lang))
    return [xlsx, gpkg, png]
