"""The regional medical projects scenario in the shells: reach from the inputs, limited to a scope, and in words."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from sxgeo.analysis.inputs import Inputs
from sxgeo.analysis.regional import RegionalReach, RegionalScenario, load_regional_scenario, regional_reach
from sxgeo.formatting import fmt_count, fmt_percent
from sxgeo.layers.scope import Scope
from sxgeo.outputs.regional import regional_html
from sxgeo.text import t

__all__ = [
    "RegionalPages",
    "compute_reach",
    "county_lines",
    "reach_kwargs",
    "scope_reach",
    "summary_lines",
]


def reach_kwargs(inputs: Inputs) -> dict:
    """The keywords :func:`sxgeo.analysis.inputs.analyse_inputs` passes to ``analyse``, for the same inputs.

    Street networks, counties, townships and their polygons, detour factor,
    cross-border setting and area, and the default travel mode: the reach is
    computed exactly as the target checks of the same run.
    """
    return {
        "network": inputs.networks,
        "township_polygons": inputs.township_polygons,
        "counties": inputs.counties,
        "townships": inputs.townships,
        "detour_factor": inputs.detour_factor,
        "same_county": not inputs.cross_border,
        "mode": inputs.mode,
        "facility_area": inputs.area,
    }


def compute_reach(inputs: Inputs, scenario: RegionalScenario | str | Path | None = None) -> RegionalReach | None:
    """The scenario's reach on the inputs' layers (the shipped scenario by default); None without residents.

    ``scenario`` is a loaded scenario or a scenario file
    (:func:`sxgeo.analysis.regional.load_regional_scenario`).
    """
    if inputs.layers.get("residential") is None:
        return None
    if not isinstance(scenario, RegionalScenario):
        scenario = load_regional_scenario(scenario, counties=inputs.counties)
    return regional_reach(inputs.layers, scenario, **reach_kwargs(inputs))


def scope_reach(reach: RegionalReach, scope: Scope, *, whole: bool) -> RegionalReach:
    """The reach with the table limited to what concerns ``scope``.

    ``whole`` says that the reach was computed for the whole province (no
    facility area, every resident counted with every hospital): the province
    and the scope's cities are then kept as context.  Otherwise (a report of
    a city or county, whose facilities and network are limited to the scope
    and its surroundings) only units lying wholly in the scope are right and
    kept: the scope's counties, and the city of a city scope.
    """
    if scope.level == "province":
        return reach
    table = reach.table
    codes = set(scope.county_codes)
    cities = set(reach.counties.loc[reach.counties["adcode"].isin(codes), "city_code"]) if len(reach.counties) else set()
    keep = (table["level"] == "county") & table["unit_code"].isin(codes)
    if whole:
        keep |= (table["level"] == "province") | ((table["level"] == "city") & table["unit_code"].isin(cities))
    elif scope.level == "city":
        keep |= (table["level"] == "city") & (table["unit_code"] == scope.code)
    return dataclasses.replace(reach, table=table[keep.to_numpy()].reset_index(drop=True))


# --------------------------------------------------------------------------- in words
def _points(gain: float, lang: str) -> str:
    """A share gained in signed percentage points (``+18.4 个百分点``); ``—`` when unknown."""
    if pd.isna(gain):
        return "—"
    return t("fmt.points", lang, points=f"{float(gain) * 100:+.1f}")


def _share_line(reach: RegionalReach, row: pd.Series, lang: str) -> str:
    """One unit at one drive time: the target in words, share before → after, the gain, residents in reach."""
    sc = reach.scenario
    return t(
        "report.regional_line", lang,
        target=t("regional.target_name", lang, minutes=row["threshold_min"], level=sc.level(lang)),
        before=fmt_percent(row["share_before"]), after=fmt_percent(row["share_after"]),
        gain=_points(row["gain"], lang), covered_before=fmt_count(row["covered_before"]),
        covered_after=fmt_count(row["covered_after"]), population=fmt_count(row["population"]),
    )


def _outside_line(reach: RegionalReach, code: str, lang: str) -> str:
    """Whether a county's residents stay beyond the largest drive time after the projects."""
    out = reach.outside()
    row = out[out["county_code"] == code]
    if row.empty:
        return t("report.regional_inside", lang, minutes=reach.largest)
    r = row.iloc[0]
    return t("report.regional_outside", lang, minutes=reach.largest, population=fmt_count(r["population_outside"]),
             share=fmt_percent(r["share_outside"]))


def county_lines(reach: RegionalReach, code: str, lang: str) -> list[str]:
    """A county's lines: its share within each drive time before → after, and whether it stays outside."""
    rows = reach.at("county")
    rows = rows[rows["unit_code"] == code]
    if rows.empty:
        return [t("report.regional_no_residents", lang)]
    return [*(_share_line(reach, r, lang) for _, r in rows.iterrows()), _outside_line(reach, code, lang)]


def summary_lines(reach: RegionalReach, scope: Scope, lang: str, n: int = 5) -> list[str]:
    """The command line's summary of a scoped reach (:func:`scope_reach`).

    The scenario's title and the note on approximate positions; the
    province's share within each drive time before → after (when the reach
    has it) and the scope's own; the ``n`` counties of the scope gaining most
    at the largest drive time; how many counties of the scope keep residents
    beyond it.
    """
    sc = reach.scenario
    lines = [sc.title(lang), t(f"regional.travel.{reach.mode}", lang)]
    if sc.any_approximate:
        lines.append(t("cli.regional_note", lang, note=sc.position_note(lang)))
    if reach.table["share_before"].isna().all():
        lines.append(t("cli.regional_no_before", lang))
    levels = [("province", None)]
    if scope.level != "province":
        levels.append((scope.level, scope.code))
    for level, code in levels:
        rows = reach.at(level)
        rows = rows if code is None else rows[rows["unit_code"] == code]
        for _, r in rows.iterrows():
            lines.append(t("cli.regional_share", lang, area=r["unit_name"], line=_share_line(reach, r, lang)))
    gainers = reach.gainers(n)
    lines.append(t("cli.regional_gainers", lang, minutes=reach.largest))
    for r in gainers.itertuples(index=False):
        lines.append(t("cli.regional_gainer", lang, rank=r.rank, county=r.county_name, city=r.city_name,
                       gained=fmt_count(r.gain_population), before=fmt_percent(r.share_before),
                       after=fmt_percent(r.share_after)))
    if gainers.empty:
        lines.append(t("cli.regional_none", lang))
    outside = reach.outside()
    lines.append(t("cli.regional_outside", lang, minutes=reach.largest, n=len(outside),
                   total=len(reach.at("county", reach.largest)),
                   population=fmt_count(outside["population_outside"].sum())))
    return lines


class RegionalPages:
    """Mixin of :class:`sxgeo.report.builder.ReportBuilder`: the scenario on the summary and county pages.

    The reach is computed once per batch (:meth:`regional_for_scope`, called
    when the builder is made) and only read by the pages.
    """

    def regional_for_scope(self, scenario: RegionalScenario | str | Path | None = None) -> RegionalReach | None:
        """The scenario's reach on the report's inputs, limited to the report's scope (None without residents)."""
        reach = compute_reach(self.inputs, scenario)
        if reach is None:
            return None
        return scope_reach(reach, self.scope, whole=self.scope.level == "province")

    def regional_summary_section(self) -> Markup | None:
        """The summary page's section of the scenario (HTML, escaped by :mod:`sxgeo.outputs.regional`)."""
        if self.regional is None:
            return None
        return Markup(regional_html(self.regional, self.lang))  # every text in it is escaped there

    def regional_county_section(self, code: str) -> dict | None:
        """A county page's section of the scenario: the county's own line per drive time and whether it stays outside."""
        if self.regional is None:
            return None
        sc = self.regional.scenario
        paragraphs = [t("regional.html.source", self.lang, source=sc.source(self.lang))]
        if sc.any_approximate:
            paragraphs.append(sc.position_note(self.lang))
        return {"title": sc.title(self.lang), "paragraphs": paragraphs,
                "bullets": county_lines(self.regional, code, self.lang), "charts": [], "tables": []}
