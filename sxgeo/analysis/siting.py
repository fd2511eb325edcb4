"""Where to build next: siting proposals for fitness, elderly care and kindergartens.

Fitness and community elderly care are *covering* problems: a resident is
served when a facility lies within the walking-time threshold of the plan's
target (15 minutes by default).  Two questions are answered with PySAL
``spopt`` and PuLP's CBC solver (no hand-written solver):

* MCLP (maximal covering location problem): with N new sites, which
  candidates newly cover the most people?
* LSCP (location set covering problem): what is the smallest set of new sites
  that covers every uncovered resident that any candidate can reach?

Existing facilities stay where they are: residents they already cover (as
computed by :func:`sxgeo.analysis.access.walking_access`, the same call the analysis
makes) count as covered before any new site is added, so only the uncovered
residents enter the optimisation.  This is the same optimum as forcing every
existing facility into the model as a predefined site, with a smaller model.

Candidates are the uncovered demand points themselves (build where the
people are) or a layer the user supplies (for example land that is
available).  Travel times come from straight-line distance × detour factor in
:data:`sxgeo.layers.admin.METRIC_CRS` or, with a :class:`sxgeo.analysis.network.WalkNetwork`,
from shortest paths along the streets.

Kindergartens are a different question: every 乡/镇 without a public
kindergarten needs one, so each such township gets one proposed site (its most
populous residential point, or the best candidate of the user's layer inside
it) with the children aged 3–5 it would serve.

The plan tasks' facility layers (primary care, hospitals, special education,
culture, child welfare) answer every target of the targets file on the layer:
see :mod:`sxgeo.analysis.plan_siting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from sxgeo.analysis.costs import TravelCost
from sxgeo.analysis.covering import CoverSolution, coverage, solve_lscp, solve_mclp
from sxgeo.analysis.inputs import analyse_inputs, require_layers
from sxgeo.errors import InputError
from sxgeo.io import LoadResult, load_layer, map_headers, read_table
from sxgeo.layers.geometry import located, metric_xy
from sxgeo.layers.kinds import get_kind
from sxgeo.settings import DETOUR_FACTOR, WALK_MINUTES, WALK_SPEED_KMH

# CoverSolution, solve_lscp and solve_mclp live in sxgeo.analysis.covering and stay importable from here.
__all__ = [
    "PLAN_SITE_KINDS",
    "CoverSolution",
    "SitingResult",
    "kindergarten_sites",
    "propose_sites",
    "solve_lscp",
    "solve_mclp",
]

#: Candidate origin labels (column ``candidate_source``).
FROM_DEMAND = "uncovered_demand"
FROM_LAYER = "candidate_layer"

#: Kindergarten proposal basis (column ``basis``).
BASIS_CANDIDATE = "candidate"
BASIS_POPULOUS = "most_populous"
BASIS_NONE = "none"


# --------------------------------------------------------------------- walking siting
@dataclass
class SitingResult:
    """Proposed sites for one kind of walking coverage.

    Attributes
    ----------
    sites
        MCLP sites (None when not asked for): every column of the candidate (its source attributes),
        ``candidate_source``, ``order`` (1 = adds most), ``added_population``
        and ``added_points`` (the newly covered residents assigned to the
        nearest proposed site), geometry.
    lscp_sites
        LSCP sites, same columns (None when not asked for).
    coverage
        One row per scenario (``current``, ``mclp``, ``lscp``): ``scenario``,
        ``new_sites``, ``population``, ``covered_population``, ``share``,
        ``added_population``.
    demand
        The demand points in scope with ``covered`` (before), ``covered_mclp``,
        ``site_mclp`` (id of the proposed site that newly covers it) and, with
        LSCP, ``covered_lscp``, ``site_lscp``; plus ``reachable`` (some
        candidate covers it).
    candidates
        The candidates considered.
    params
        Threshold, speed, detour, mode, number of sites asked for, candidate
        source and the population no candidate can reach.
    status
        The solver's status per model (``Optimal``, or ``trivial`` when no
        model was needed).
    """

    sites: gpd.GeoDataFrame | None
    lscp_sites: gpd.GeoDataFrame | None
    coverage: pd.DataFrame
    demand: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    params: dict = field(default_factory=dict)
    status: dict = field(default_factory=dict)


def _candidate_frame(candidates: gpd.GeoDataFrame | None, uncovered: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if candidates is None:
        cand = uncovered.copy()
        cand["candidate_source"] = FROM_DEMAND
    else:
        cand = located(candidates).copy()  # a candidate without coordinates cannot be a site
        cand["candidate_source"] = FROM_LAYER
    return gpd.GeoDataFrame(cand.reset_index(drop=True), geometry=cand.geometry.name, crs=cand.crs).to_crs("EPSG:4326")


def _site_table(
    cand: gpd.GeoDataFrame, chosen: np.ndarray, a: np.ndarray, minutes: np.ndarray, pop: np.ndarray, ids: np.ndarray
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The chosen sites with the population each adds; and each demand row's site (or None)."""
    site_of = np.full(a.shape[0], None, dtype=object)
    added = np.zeros(len(chosen))
    points = np.zeros(len(chosen), dtype=np.int64)
    if len(chosen):
        sub = np.where(a[:, chosen], minutes[:, chosen], np.inf)
        best = np.argmin(sub, axis=1)
        hit = np.isfinite(sub[np.arange(len(sub)), best])
        for k in range(len(chosen)):
            rows = hit & (best == k)
            added[k] = pop[rows].sum()
            points[k] = rows.sum()
            site_of[rows] = ids[chosen[k]]
    out = cand.iloc[chosen].copy()
    out["added_population"] = added
    out["added_points"] = points
    out["_id"] = ids[chosen]
    out = out.sort_values(["added_population", "_id"], ascending=[False, True]).drop(columns="_id")
    out.insert(0, "order", np.arange(1, len(out) + 1))
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry=cand.geometry.name, crs=cand.crs), site_of


def propose_sites(
    points: gpd.GeoDataFrame,
    n_sites: int,
    *,
    threshold_min: float = WALK_MINUTES,
    speed_kmh: float = WALK_SPEED_KMH,
    detour_factor: float = DETOUR_FACTOR,
    candidates: gpd.GeoDataFrame | None = None,
    network=None,
    methods: tuple[str, ...] = ("mclp", "lscp"),
    time_limit_s: float | None = None,
) -> SitingResult:
    """Propose new sites for walking coverage: MCLP and/or LSCP (``methods``).

    Parameters
    ----------
    points
        The demand points in scope as returned by
        :func:`sxgeo.analysis.access.walking_access` (``points``): at least ``id``,
        ``population``, ``covered`` and a point geometry.
    n_sites
        How many new sites the MCLP may place.
    threshold_min, speed_kmh, detour_factor
        The target's walking parameters (as the analysis used them).
    candidates
        Candidate sites (a point layer, any CRS); default: the uncovered
        demand points themselves.
    network
        A :class:`sxgeo.analysis.network.WalkNetwork` for network travel times.
    methods
        ``mclp`` (N sites covering the most people) and/or ``lscp`` (fewest
        sites covering everyone a candidate can reach).
    """
    points = points.copy()
    covered = points["covered"].fillna(False).astype(bool).to_numpy()
    pop_all = pd.to_numeric(points["population"], errors="coerce").fillna(0).to_numpy(float)
    uncovered = points[~covered]
    cand = _candidate_frame(candidates, uncovered)
    cost = TravelCost(network=network, speed_kmh=speed_kmh, detour_factor=detour_factor)
    minutes = cost.matrix(uncovered, cand, limit_min=threshold_min if network is not None else None)
    pop_u = pop_all[~covered]
    a = coverage(minutes, threshold_min)
    ids = cand["id"].astype(str).to_numpy() if "id" in cand else np.arange(len(cand)).astype(str)

    total, before = pop_all.sum(), pop_all[covered].sum()
    rows = [_scenario("current", 0, total, before, 0.0)]
    solutions = {}
    if "mclp" in methods:
        solutions["mclp"] = solve_mclp(minutes, pop_u, threshold_min, n_sites, time_limit_s=time_limit_s)
    if "lscp" in methods:
        solutions["lscp"] = solve_lscp(minutes, threshold_min, time_limit_s=time_limit_s)
    points["reachable"] = covered
    points.loc[~covered, "reachable"] = a.any(axis=1)
    tables = {}
    for name, sol in solutions.items():
        tables[name], site_of = _site_table(cand, sol.chosen, a, minutes, pop_u, ids)
        gain = float(pop_u[sol.covered].sum())
        rows.append(_scenario(name, len(tables[name]), total, before + gain, gain))
        points[f"covered_{name}"] = covered
        points.loc[~covered, f"covered_{name}"] = sol.covered
        points[f"site_{name}"] = None
        points.loc[~covered, f"site_{name}"] = site_of
    status = {name: sol.status for name, sol in solutions.items()}
    params = {
        "threshold_min": threshold_min, "speed_kmh": speed_kmh, "detour_factor": detour_factor,
        "mode": "network" if network is not None else "distance", "n_sites": n_sites,
        "candidates": FROM_LAYER if candidates is not None else FROM_DEMAND,
        "unreachable_population": float(pop_u[~a.any(axis=1)].sum()) if len(pop_u) else 0.0,
    }
    return SitingResult(tables.get("mclp"), tables.get("lscp"), pd.DataFrame(rows), points, cand, params, status)


def _scenario(name: str, n: int, total: float, covered: float, added: float) -> dict:
    return {
        "scenario": name,
        "new_sites": n,
        "population": total,
        "covered_population": covered,
        "share": covered / total if total > 0 else np.nan,
        "added_population": added,
    }


# --------------------------------------------------------------------- kindergartens
def kindergarten_sites(
    gaps: gpd.GeoDataFrame,
    residential: gpd.GeoDataFrame | None,
    candidates: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """One proposed kindergarten site per township without a public kindergarten.

    Parameters
    ----------
    gaps
        Townships without a public kindergarten
        (:attr:`sxgeo.analysis.run.Analysis.kindergarten_gaps`).
    residential
        The residential layer (``id``, ``population``, ``pop_3_5``,
        ``township_code``).
    candidates
        Optional candidate sites with ``township_code``: inside a township,
        the best candidate is the one with the least total walking distance
        for the township's children aged 3–5 (Σ children × straight-line
        distance to the candidate, ties broken by id).  Townships without a
        candidate fall back to the most populous residential point.

    Returns
    -------
    geopandas.GeoDataFrame
        Per gap township: ``township_code``, ``township_name``,
        ``township_kind``, ``county_code``, ``county_name``, ``basis``
        (``candidate``, ``most_populous`` or ``none``), ``site_id``,
        ``site_name``, ``site_address``, ``children_3_5`` (children aged 3–5
        living in the township: those the new kindergarten would serve),
        ``population``, ``mean_distance_m`` (children-weighted mean
        straight-line distance from the township's residential points to the
        site), ``nearest_public_name`` and ``nearest_public_m`` (today's
        nearest public kindergarten); geometry = the site (EPSG:4326).
    """
    res = residential if residential is not None else gpd.GeoDataFrame({"township_code": []}, geometry=[], crs="EPSG:4326")
    res = located(res)  # rows off the map have no distance; their children still count in the gap's pop_3_5
    res = res[res["township_code"].notna()]
    candidates = located(candidates)
    res_xy = metric_xy(res)
    res_groups = {code: np.flatnonzero(res["township_code"].to_numpy() == code) for code in gaps["unit_code"]}
    cand_groups: dict = {}
    if candidates is not None and len(candidates) and "township_code" in candidates:
        cand_xy = metric_xy(candidates)
        codes = candidates["township_code"].to_numpy()
        cand_groups = {code: np.flatnonzero(codes == code) for code in gaps["unit_code"]}
    kids_all = pd.to_numeric(res.get("pop_3_5", pd.Series(np.nan, index=res.index)), errors="coerce").to_numpy(float)
    pop_all = pd.to_numeric(res.get("population", pd.Series(np.nan, index=res.index)), errors="coerce").to_numpy(float)
    records, geoms = [], []
    for _, g in gaps.iterrows():
        code = g["unit_code"]
        r = res_groups.get(code, np.empty(0, dtype=np.int64))
        kids = np.nan_to_num(kids_all[r])
        known_kids = kids_all[r][~np.isnan(kids_all[r])]
        rec = {
            "township_code": code,
            "township_name": g.get("unit_name"),
            "township_kind": g.get("unit_kind"),
            "county_code": g.get("county_code"),
            "county_name": g.get("county_name"),
            "basis": BASIS_NONE,
            "site_id": None,
            "site_name": None,
            "site_address": None,
            "children_3_5": float(known_kids.sum()) if len(known_kids) else g.get("pop_3_5"),
            "population": float(np.nansum(pop_all[r])) if len(r) else g.get("population"),
            "mean_distance_m": np.nan,
            "nearest_public_name": g.get("nearest_public_name"),
            "nearest_public_m": g.get("nearest_public_m"),
        }
        site_xy, geom = None, None
        c = cand_groups.get(code, np.empty(0, dtype=np.int64))
        if len(c):
            ids = candidates["id"].astype(str).to_numpy()[c] if "id" in candidates else c.astype(str)
            w = kids if kids.sum() > 0 else np.ones(len(r))
            cost = (cdist(res_xy[r], cand_xy[c]) * w[:, None]).sum(axis=0) if len(r) else np.zeros(len(c))
            best = min(range(len(c)), key=lambda k: (round(float(cost[k]), 6), ids[k]))
            row = candidates.iloc[c[best]]
            rec.update(basis=BASIS_CANDIDATE, site_id=ids[best], site_name=row.get("name"), site_address=row.get("address"))
            site_xy, geom = cand_xy[c[best]], candidates.geometry.iloc[c[best]]
            geom = gpd.GeoSeries([geom], crs=candidates.crs).to_crs("EPSG:4326").iloc[0]
        elif len(r):
            order = sorted(r, key=lambda i: (-np.nan_to_num(pop_all[i]), str(res["id"].iloc[i])))
            row = res.iloc[order[0]]
            rec.update(basis=BASIS_POPULOUS, site_id=str(row["id"]), site_name=row.get("name"), site_address=row.get("address"))
            site_xy = res_xy[order[0]]
            geom = gpd.GeoSeries([row.geometry], crs=res.crs).to_crs("EPSG:4326").iloc[0]
        if site_xy is not None and len(r):
            d = np.hypot(res_xy[r, 0] - site_xy[0], res_xy[r, 1] - site_xy[1])
            w = kids if kids.sum() > 0 else np.ones(len(r))
            rec["mean_distance_m"] = round(float((d * w).sum() / w.sum()), 1)
        records.append(rec)
        geoms.append(geom)
    cols = ["township_code", "township_name", "township_kind", "county_code", "county_name", "basis", "site_id",
            "site_name", "site_address", "children_3_5", "population", "mean_distance_m", "nearest_public_name",
            "nearest_public_m"]
    return gpd.GeoDataFrame(
        pd.DataFrame(records, columns=cols), geometry=gpd.GeoSeries(geoms, crs="EPSG:4326").values, crs="EPSG:4326"
    )


# --------------------------------------------------------------------- command-line runs
#: ``sxgeo site --kind`` -> (walking quantity or None, layer kind of the facilities and candidates).
#: ``sxgeo site --kind`` of the plan tasks' facility layers: every target on the layer (:func:`plan_sites`).
PLAN_SITE_KINDS = ("primary_care", "hospitals", "special_education", "culture", "child_welfare")

SITE_KINDS: dict[str, tuple[str | None, str]] = {
    "fitness": ("fitness_walk_share", "fitness"),
    "elderly": ("elderly_walk_share", "elderly_care"),
    "kindergarten": (None, "kindergartens"),
    **{kind: (None, kind) for kind in PLAN_SITE_KINDS},
}

#: Layer kinds each siting kind needs.
SITE_LAYERS: dict[str, tuple[str, ...]] = {
    "fitness": ("residential", "fitness"),
    "elderly": ("residential", "elderly_care"),
    "kindergarten": ("kindergartens", "residential"),
    **{kind: ("residential", kind) for kind in PLAN_SITE_KINDS},
}

#: A candidate file only needs an id, a name and a position: the kind's other
#: required column gets this value when the file has no such column (a
#: candidate is a place, not yet a facility of any category).
_CANDIDATE_DEFAULTS = {
    "fitness": ("fitness_kind", "community_centre"),
    "elderly_care": ("care_kind", "community"),
    "kindergartens": ("ownership", "public"),
    "primary_care": ("care_level", "township_centre"),
    "culture": ("venue_kind", "cultural_station"),
}


def load_candidates(path, kind: str, *, coord_system: str = "wgs84", counties=None, townships=None) -> LoadResult:
    """Read a candidate-site file (any format :func:`sxgeo.io.load_layer` reads).

    It is validated like a facility layer of ``kind`` (coordinates, datum,
    county and township), but the facility's category column may be absent.
    Returns a :class:`sxgeo.io.LoadResult`.
    """
    layer_kind = SITE_KINDS[kind][1]
    name = Path(path).name
    raw = read_table(path)
    frame = raw.frame
    if raw.geometry is not None:
        frame = gpd.GeoDataFrame(frame, geometry=raw.geometry.reset_index(drop=True).values, crs=raw.geometry.crs)
    column, default = _CANDIDATE_DEFAULTS.get(layer_kind, (None, None))
    if column is not None and column not in map_headers(list(raw.frame.columns), get_kind(layer_kind), name).values():
        frame = frame.copy()
        frame[column] = default
    return load_layer(frame, layer_kind, coord_system=coord_system, display_name=name, counties=counties, townships=townships)


def _walk_target(inputs, quantity: str):
    hit = [tg for tg in inputs.targets if tg.quantity == quantity]
    if not hit:
        raise InputError("report.err_no_target", quantity=quantity)
    return hit[0]


def run_site(
    inputs,
    scope,
    kind: str,
    *,
    n_sites: int = 5,
    candidates: gpd.GeoDataFrame | None = None,
    methods: tuple[str, ...] = ("mclp", "lscp"),
    time_limit_s: float | None = None,
):
    """Siting for ``kind`` in ``scope`` from the command line's inputs.

    Fitness / elderly: the walking target's analysis is run (the same
    :func:`sxgeo.analysis.run.analyse` as everywhere, cut to the scope's
    residential points), then :func:`propose_sites`.  Kindergarten:
    :func:`kindergarten_sites` on the analysis' township gaps.

    The plan tasks' layers (:data:`PLAN_SITE_KINDS`):
    :func:`sxgeo.analysis.plan_siting.plan_sites`.

    Returns a :class:`SitingResult`, for kindergartens a GeoDataFrame, for the
    plan tasks' layers a :class:`sxgeo.analysis.plan_siting.PlanSiting`.
    """
    if kind in PLAN_SITE_KINDS:
        from sxgeo.analysis.plan_siting import plan_sites  # it builds on this module

        return plan_sites(inputs, scope, kind, n_sites=n_sites, candidates=candidates, methods=methods,
                          time_limit_s=time_limit_s)
    quantity, layer_kind = SITE_KINDS[kind]
    require_layers([k for k, v in inputs.layers.items() if v is not None], SITE_LAYERS[kind])
    codes = set(scope.county_codes)
    if candidates is not None and "county_code" in candidates:
        candidates = candidates[candidates["county_code"].isin(codes)]
    if quantity is None:
        kg_targets = [tg for tg in inputs.targets if tg.kind == "kindergartens"][:1] or inputs.targets[:1]
        analysis = analyse_inputs(inputs, county_codes=scope.county_codes, targets=kg_targets)
        gaps = analysis.kindergarten_gaps
        gaps = gaps[gaps["county_code"].isin(codes)]
        res = inputs.layers["residential"]
        return kindergarten_sites(gaps, res[res["county_code"].isin(codes)], candidates)
    target = _walk_target(inputs, quantity)
    analysis = analyse_inputs(inputs, county_codes=scope.county_codes, targets=[target])
    access = analysis.walk_result(quantity, target.id)
    points = access.points[access.points["county_code"].isin(codes)]
    p = access.params
    return propose_sites(
        points,
        n_sites,
        threshold_min=float(p["threshold_min"]),
        speed_kmh=float(p["speed_kmh"]),
        detour_factor=float(p.get("detour_factor", inputs.detour_factor)),
        candidates=candidates,
        network=inputs.network(access.params.get("travel_mode")),
        methods=methods,
        time_limit_s=time_limit_s,
    )
