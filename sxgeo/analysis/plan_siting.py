"""Siting for the plan tasks' facility layers: one site per unit breaking a presence rule, covering for travel targets.

The plan tasks' facility layers (primary care, hospitals, special education,
culture, child welfare: :func:`plan_sites`) answer every target of the targets
file on the layer.  A presence rule ("every county has a library") gets one
site per unit that breaks it (:func:`sxgeo.analysis.presence.presence_sites`:
the 1-median of the unit's residents, among the user's candidates inside the
unit when there are any).  A travel target (county-hospital access by car,
the medical service circle) gets MCLP / LSCP
(:func:`sxgeo.analysis.siting.propose_sites`), by the target's own mode,
speed, threshold and the street network of that mode.

The medical circle mixes modes: urban residents walk, rural residents travel
by the target's ``rural_mode``.  Its covering is run twice, once per group,
each on the group's uncovered residents with the group's own mode (and
network), and both proposals are reported: MCLP may place N sites for each
group.  A site proposed for one group may also serve residents of the other;
the coverage figures do not count that, so together they understate what
both proposals achieve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from sxgeo.analysis.inputs import analyse_inputs, presence_in, require_layers, targets_on
from sxgeo.analysis.presence import presence_sites
from sxgeo.analysis.siting import SITE_LAYERS, SitingResult, propose_sites
from sxgeo.errors import InputError
from sxgeo.io.targets import Target

__all__ = ["PlanSiting", "SitingPart", "plan_sites"]


@dataclass
class SitingPart:
    """The proposal for one target (and, for a target of mixed modes, one group of residents).

    Attributes
    ----------
    target
        The target answered.
    sites
        Presence rule: :func:`sxgeo.analysis.presence.presence_sites` (one row per unit breaking it); else None.
    covering
        Travel target: :func:`propose_sites` for the group; else None.
    group
        ``urban`` or ``rural`` for a target whose rural residents travel by
        ``rural_mode``; None otherwise.
    mode
        The travel mode of the covering (``walk`` or ``drive``); None for a presence rule.
    """

    target: Target
    sites: gpd.GeoDataFrame | None = None
    covering: SitingResult | None = None
    group: str | None = None
    mode: str | None = None


@dataclass
class PlanSiting:
    """Proposals for every target on one facility layer (``kind``), in the targets file's order."""

    kind: str
    parts: list[SitingPart] = field(default_factory=list)


def _in(frame: gpd.GeoDataFrame | None, codes) -> gpd.GeoDataFrame | None:
    """The rows of ``frame`` in the counties ``codes`` (None passes through; rows without a county are kept out)."""
    if frame is None or "county_code" not in frame:
        return frame
    return frame[frame["county_code"].isin(set(codes))]


def _presence_parts(inputs, scope, targets: list[Target], candidates) -> list[SitingPart]:
    """One site per unit breaking each presence rule (a city rule over its whole city's residents)."""
    counties = inputs.counties
    cities = list(dict.fromkeys(counties.loc[counties["adcode"].isin(set(scope.county_codes)), "city_code"]))
    codes = scope.county_codes
    if any(tg.level == "city" for tg in targets):
        codes = tuple(counties.loc[counties["city_code"].isin(cities), "adcode"])
    analysis = analyse_inputs(inputs, county_codes=codes, targets=targets)
    residential = _in(inputs.layers["residential"], codes)
    cand = _in(candidates, codes)
    parts = []
    for tg in targets:
        gaps = presence_in(analysis.presence_gaps(tg.id), tg, scope.county_codes, cities)
        parts.append(SitingPart(tg, sites=presence_sites(gaps, tg.level, residential, cand)))
    return parts


def _covering_parts(inputs, scope, targets: list[Target], n_sites: int, candidates, methods,
                    time_limit_s) -> list[SitingPart]:
    """MCLP / LSCP per travel target (targets sharing one travel computation answered once), per mode group."""
    analysis = analyse_inputs(inputs, county_codes=scope.county_codes, targets=targets)
    cand = _in(candidates, scope.county_codes)
    parts, seen = [], set()
    for tg in targets:
        if (tg.quantity, tg.params_key()) in seen:
            continue
        seen.add((tg.quantity, tg.params_key()))
        access = analysis.walk_result(tg.quantity, tg.id)
        points = _in(access.points, scope.county_codes)
        p = access.params
        mode = str(p.get("travel_mode", inputs.mode))
        groups = [(None, points, mode, float(p["speed_kmh"]))]
        if "rural_mode" in p:
            urban = points["urban"].fillna(False).astype(bool) if "urban" in points else pd.Series(True, index=points.index)
            groups = [("urban", points[urban], mode, float(p["speed_kmh"])),
                      ("rural", points[~urban], str(p["rural_mode"]), float(p["rural_speed_kmh"]))]
        for group, pts, group_mode, speed in groups:
            if not len(pts):
                continue  # no resident of this group in the scope: nothing to site for
            result = propose_sites(
                pts, n_sites, threshold_min=float(p["threshold_min"]), speed_kmh=speed,
                detour_factor=float(p.get("detour_factor", inputs.detour_factor)), candidates=cand,
                network=inputs.network(group_mode), methods=methods, time_limit_s=time_limit_s,
            )
            result.params["travel_mode"] = group_mode
            parts.append(SitingPart(tg, covering=result, group=group, mode=group_mode))
    return parts


def plan_sites(
    inputs,
    scope,
    kind: str,
    *,
    n_sites: int = 5,
    candidates: gpd.GeoDataFrame | None = None,
    methods: tuple[str, ...] = ("mclp", "lscp"),
    time_limit_s: float | None = None,
) -> PlanSiting:
    """Siting for every target of the targets file on the facility layer ``kind`` in ``scope``.

    Presence rules: one site per unit that breaks the rule
    (:func:`sxgeo.analysis.presence.presence_sites`; among ``candidates``
    inside the unit when there are any, else the unit's residential points).
    A city rule is answered for the scope's cities over their whole area.
    Travel targets: :func:`propose_sites` (MCLP with ``n_sites`` and / or
    LSCP) for the scope's residents the target leaves uncovered, by the
    target's mode, speed and threshold over the street network of that mode
    (straight line × detour factor without one).  A target whose rural
    residents travel by ``rural_mode`` (the medical service circle) is sited
    separately for its urban residents (walking) and its rural residents (by
    ``rural_mode``), each group on its own uncovered residents: both
    proposals are returned, and a site of one group that also serves the
    other is not counted twice (nor at all) across the groups.

    Raises
    ------
    InputError
        When a needed layer is missing or no target is judged on ``kind``.
    """
    require_layers([k for k, v in inputs.layers.items() if v is not None], SITE_LAYERS[kind])
    targets = targets_on(inputs.targets, kind)
    if not targets:
        raise InputError("report.err_no_kind_target", layer=kind)
    presence = [tg for tg in targets if tg.is_presence]
    travel = [tg for tg in targets if not tg.is_presence]
    parts = _presence_parts(inputs, scope, presence, candidates) if presence else []
    if travel:
        parts += _covering_parts(inputs, scope, travel, n_sites, candidates, methods, time_limit_s)
    order = {tg.id: i for i, tg in enumerate(targets)}
    return PlanSiting(kind, sorted(parts, key=lambda part: order[part.target.id]))
