"""Run every target of the plan on a set of layers: the one call the app, reports and CLI make.

``analyse(layers)`` computes each quantity the targets need (once per
quantity, level and parameters), evaluates the targets and collects the gap
lists.  Nothing here draws or prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.analysis import access, presence
from sxgeo.analysis import indicators as ind
from sxgeo.analysis.supply import CAPACITY_KINDS, capacity_access, measure_params
from sxgeo.analysis.targets import evaluate
from sxgeo.io import ADMIN_COLUMNS
from sxgeo.io.targets import PRESENCE, Target, load_targets
from sxgeo.layers import boundaries
from sxgeo.layers.admin import METRIC_CRS
from sxgeo.layers.geometry import inside, located, off_map_rows
from sxgeo.settings import DETOUR_FACTOR, DRIVE_SPEED_KMH, WALK_MINUTES, WALK_SPEED_KMH

__all__ = ["Analysis", "analyse", "WALK_QUANTITIES"]

def _hospital_levels(facilities: pd.DataFrame, params: dict) -> pd.Series:
    """Hospitals of at least the target's level (``min_level``: 1, 2 or 3); unknown levels never count."""
    rank = facilities["hospital_level"].map({"level1": 1, "level2": 2, "level3": 3})
    return rank.fillna(0) >= int(params.get("min_level", 2))


#: Travel-coverage quantities: the facility layer and which of its rows serve.
#: A selector is ``(column, value or tuple of values)`` or a function ``(facilities, params) -> mask``.
WALK_QUANTITIES = {
    "fitness_walk_share": ("fitness", None),
    "elderly_walk_share": ("elderly_care", ("care_kind", "community")),
    "medical_15min_share": (
        "primary_care", ("care_level", ("village_clinic", "community_station", "community_centre", "township_centre"))
    ),
    "hospital_drive_share": ("hospitals", _hospital_levels),
}
#: The travel quantities whose covered area is drawn on the maps (the others skip the costly union of catchments).
DRAWN_AREAS = frozenset({"fitness_walk_share", "elderly_walk_share"})
_YEARLY = {
    "new_community_fitness_centres": ("fitness", "fitness_kind", "community_centre"),
    "new_community_elderly_sites": ("elderly_care", "care_kind", "community"),
}


@dataclass
class Analysis:
    """Everything one run produced.

    Attributes
    ----------
    evaluation
        Tidy table unit × target (see :func:`sxgeo.analysis.targets.evaluate`).
    quantities
        The tidy quantity table the evaluation was made from, plus the
        indicators without a threshold (beds per 100 residents aged 60+ per
        county, city and province; rural mutual-aid homes per township).
    kindergartens_by_township, kindergarten_gaps
        Per-township kindergarten table and the townships without a public one.
    walk
        Walking-access results keyed by ``(quantity, params_key)``.
    mode
        ``network`` when a street network was used, else ``distance``.
    off_map
        The loaded rows without a location, every layer together
        (:func:`sxgeo.layers.geometry.off_map_rows`): counted in the rules at
        the levels they are known at, left out of travel times.
    warnings
        ``(message_key, params)`` pairs from every step.
    """

    evaluation: pd.DataFrame
    quantities: pd.DataFrame
    targets: list[Target]
    kindergartens_by_township: pd.DataFrame
    kindergarten_gaps: gpd.GeoDataFrame
    walk: dict[tuple, Any] = field(default_factory=dict)
    mode: str = "distance"
    warnings: list[tuple[str, dict]] = field(default_factory=list)
    off_map: pd.DataFrame = field(default_factory=lambda: off_map_rows({}))
    capacity: dict[tuple, Any] = field(default_factory=dict)
    presence: dict[str, pd.DataFrame] = field(default_factory=dict)

    def presence_gaps(self, target_id: str) -> pd.DataFrame | None:
        """The units that break a presence rule (:func:`sxgeo.analysis.presence.presence_gaps`), or None."""
        return self.presence.get(target_id)

    def capacity_result(self, kind: str = "kindergartens"):
        """The first capacity measure computed for ``kind`` (``kindergartens``, ``elderly``, ``fitness``), or None."""
        for (k, _), result in self.capacity.items():
            if k == kind and result is not None:
                return result
        return None

    def walk_result(self, quantity: str = "fitness_walk_share", target_id: str | None = None):
        """The access result of a walking quantity (of a given target, else the first)."""
        for tg in self.targets:
            if tg.quantity == quantity and (target_id is None or tg.id == target_id):
                return self.walk.get((quantity, tg.params_key()))
        return None

    def walk_gaps(self, quantity: str = "fitness_walk_share", target_id: str | None = None) -> gpd.GeoDataFrame | None:
        """Uncovered demand points of a walking quantity, most populous first.

        In network mode each row also carries ``network_share``: how much of
        its county the street network reaches (see :func:`access.network_coverage`).
        """
        res = self.walk_result(quantity, target_id)
        if res is None:
            return None
        gaps = access.gap_list(res)
        if res.mode == "network" and "county_code" in gaps:
            share = access.network_coverage(res, "county")["network_share"]
            gaps["network_share"] = gaps["county_code"].map(share).astype(float)
        return gaps

    def gap_lists(self) -> dict[str, pd.DataFrame | None]:
        """The gap lists planners hand on, by kind.

        ``kindergarten``: townships (乡/镇) without a public kindergarten;
        ``fitness`` / ``elderly``: demand points outside the walking threshold
        of a fitness facility / community elderly-care site (all their source
        columns kept); ``nursing``: counties under the nursing-bed target;
        ``kindergartens_capacity`` / ``elderly_capacity``: townships short of
        seats or beds within reach, largest shortfall first.
        """
        return {
            "kindergarten": self.kindergarten_gaps,
            "fitness": self.walk_gaps("fitness_walk_share"),
            "elderly": self.walk_gaps("elderly_walk_share"),
            "nursing": self.below("nursing_beds_county"),
            **{f"{kind}_capacity": (r.gap_list() if (r := self.capacity_result(kind)) is not None else None)
               for kind in ("kindergartens", "elderly")},
        }

    def network_reach(self, county_codes=None) -> dict[str, float] | None:
        """How much of an area the street network reaches (None when no travel analysis used a network).

        Returns the shares of the area's demand points (``points``) and
        facilities (``facilities``) within the snap limit (``max_snap_m``) of
        the network, over every network travel analysis; NaN where the area
        has none.  ``county_codes`` limits it to those counties.
        """
        if self._network_rows is None:
            return None
        points, facilities, max_snap_m = self._network_rows
        if county_codes is not None:
            points = points[points["county_code"].isin(set(county_codes))]
            facilities = facilities[facilities["county_code"].isin(set(county_codes))]
        off = access.off_network(points)
        return {
            "points": float(1 - off.mean()) if len(points) else float("nan"),
            "facilities": float(1 - facilities["off_network"].mean()) if len(facilities) else float("nan"),
            "max_snap_m": max_snap_m,
        }

    @cached_property
    def _network_rows(self) -> tuple[pd.DataFrame, pd.DataFrame, float] | None:
        """The demand points and facilities of every network travel analysis, gathered once (see :meth:`network_reach`)."""
        results = [r for r in self.walk.values() if r.mode == "network"]
        if not results:
            return None
        points = pd.concat([r.points[["county_code", "flag"]] for r in results])
        points = points[~points.index.duplicated()]
        facilities = pd.concat([r.facilities[["county_code", "off_network"]] for r in results if r.facilities is not None])
        return points, facilities, float(results[0].params.get("max_snap_m", 0.0))

    def below(self, target_id: str) -> pd.DataFrame:
        """Units that do not meet a target (status ``not_met``), furthest from it first."""
        ev = self.evaluation
        rows = ev[(ev["target_id"] == target_id) & (ev["status"] == "not_met")]
        return rows.sort_values("gap", ascending=False, na_position="last")


def _walk_inputs(layers: dict, quantity: str, params: dict) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    fac_kind, selector = WALK_QUANTITIES[quantity]
    demand = layers.get("residential")
    facilities = layers.get(fac_kind)
    if demand is not None and params.get("urban_only", True) and "urban" in demand:
        demand = demand[demand["urban"].fillna(False).astype(bool)]
    if facilities is not None and callable(selector):
        facilities = facilities[selector(facilities, params)]
    elif facilities is not None and selector is not None and selector[0] in facilities:
        values = selector[1] if isinstance(selector[1], tuple) else (selector[1],)
        facilities = facilities[facilities[selector[0]].isin(values)]
    # Rows placed only approximately (``located`` False: a township's county point) are left out of travel times.
    demand, facilities = (located(layer) for layer in (demand, facilities))
    # A missing layer is an empty one with the usual columns, so every level can still be summed.
    columns = ["id", "name", "population", *ADMIN_COLUMNS]
    empty = gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in columns}, geometry=[], crs="EPSG:4326")
    return (demand if demand is not None else empty), (facilities if facilities is not None else empty)


def _years(layers: dict, first: int, last: int | None) -> range:
    if last is None:
        found = [
            int(layers[k]["opening_year"].max())
            for k in ("fitness", "elderly_care")
            if layers.get(k) is not None and "opening_year" in layers[k] and layers[k]["opening_year"].notna().any()
        ]
        last = max(found) if found else first
    return range(int(first), int(last) + 1)


@dataclass
class _Run:
    """What the quantities of one run read, and the walking results and warnings they collect."""

    layers: dict[str, gpd.GeoDataFrame | None]
    counties: gpd.GeoDataFrame
    townships: pd.DataFrame
    by_township: pd.DataFrame
    networks: dict[str, Any]
    detour_factor: float
    same_county: bool = False
    default_mode: str = "walk"
    facility_area: Any = None
    walk: dict[tuple, Any] = field(default_factory=dict)
    capacity: dict[tuple, Any] = field(default_factory=dict)
    presence: dict[str, pd.DataFrame] = field(default_factory=dict)
    presence_counts: dict[tuple, pd.DataFrame] = field(default_factory=dict)
    warnings: list[tuple[str, dict]] = field(default_factory=list)


def _kindergarten_count(run: _Run, tg: Target, *, column: str) -> list[pd.DataFrame]:
    """Kindergartens of one kind (public, central, inclusive private) per township."""
    return [ind.tidy(run.by_township, "township", tg.quantity, column, params_key=tg.params_key())]


def _kindergarten_share(run: _Run, tg: Target, *, column: str, passing: str, total: str) -> list[pd.DataFrame]:
    """Share of townships (乡/镇) or subdistricts (街道) with a public kindergarten."""
    t = ind.kindergartens_by_county(run.by_township, run.counties, tg.level)
    return [ind.tidy(t, tg.level, tg.quantity, column, passing, total, tg.params_key())]


def _enrolment(run: _Run, tg: Target, *, numerator: str, denominator: str) -> list[pd.DataFrame]:
    """Gross preschool enrolment or inclusive kindergarten coverage."""
    t = ind.enrolment(run.layers.get("kindergartens"), run.layers.get("residential"), run.counties, tg.level)
    return [ind.tidy(t, tg.level, tg.quantity, tg.quantity, numerator, denominator, tg.params_key())]


def _elderly_beds(run: _Run, tg: Target, *, numerator: str, denominator: str) -> list[pd.DataFrame]:
    """Nursing-type share of beds, or beds per 100 residents aged 60+."""
    t = ind.beds_per_100_elderly(run.layers.get("elderly_care"), run.layers.get("residential"), run.counties, tg.level)
    return [ind.tidy(t, tg.level, tg.quantity, tg.quantity, numerator, denominator, tg.params_key())]


def _mutual_aid_homes(run: _Run, tg: Target) -> list[pd.DataFrame]:
    """Rural mutual-aid homes per township."""
    t = ind.mutual_aid_by_township(run.layers.get("elderly_care"), run.townships)
    return [ind.tidy(t, "township", tg.quantity, tg.quantity, params_key=tg.params_key())]


def _reach_area(run: _Run, params: dict, modes: set[str]):
    """The area whose facilities a travel target counts: the run's facility area, grown by a drive's reach.

    A drive of half an hour reaches far beyond the cross-border margin (made
    for walking): for a target driven, facilities within the straight-line
    reach of its time at the fastest speed (the network's fastest road, else
    the drive speed) of the area also count.
    """
    if run.facility_area is None or "drive" not in modes:
        return run.facility_area
    net = run.networks.get("drive")
    fastest = float(np.nanmax(net.speed_kmh)) if net is not None and net.speed_kmh is not None and len(net.speed_kmh) else 0.0
    speed = max(fastest, float(params.get("speed_kmh", 0.0) or 0.0), float(params.get("rural_speed_kmh", 0.0) or 0.0),
                DRIVE_SPEED_KMH)
    reach_m = float(params.get("threshold_min", WALK_MINUTES)) / 60.0 * speed * 1000.0
    grown = gpd.GeoSeries([run.facility_area], crs="EPSG:4326").to_crs(METRIC_CRS).buffer(reach_m)
    return grown.to_crs("EPSG:4326").iloc[0]


def _travel(
    run: _Run, demand, facilities, params: dict, mode: str, speed: float | None, *, with_area: bool = True
) -> access.AccessResult:
    """Travel times from ``demand`` to ``facilities`` by ``mode`` (one call of the one travel-cost path)."""
    default_speed = WALK_SPEED_KMH if mode == "walk" else DRIVE_SPEED_KMH
    result = access.walking_access(
        demand,
        facilities,
        network=run.networks.get(mode),
        speed_kmh=float(default_speed if speed is None else speed),
        threshold_min=float(params.get("threshold_min", WALK_MINUTES)),
        detour_factor=float(params.get("detour_factor", run.detour_factor)),
        same_county=run.same_county,
        with_area=with_area,
    )
    result.params["travel_mode"] = mode
    return result


def _split_by_urban(run: _Run, demand, facilities, params: dict, mode: str, speed, with_area: bool) -> access.AccessResult:
    """Urban residents travel by the target's mode, rural ones by ``rural_mode`` (one result for both)."""
    urban = demand["urban"].fillna(False).astype(bool) if "urban" in demand else pd.Series(True, index=demand.index)
    rural_mode = str(params["rural_mode"])
    parts = [
        _travel(run, demand[urban], facilities, params, mode, speed, with_area=with_area),
        _travel(run, demand[~urban], facilities, params, rural_mode, params.get("rural_speed_kmh"), with_area=with_area),
    ]
    areas = [p.covered_area for p in parts if p.covered_area is not None and len(p.covered_area)]
    points = gpd.GeoDataFrame(pd.concat([p.points for p in parts]).loc[demand.index], crs=parts[0].points.crs)
    return access.AccessResult(
        points=points,
        mode="network" if any(p.mode == "network" for p in parts) else "distance",
        params={**parts[0].params, "rural_mode": rural_mode, "rural_speed_kmh": parts[1].params.get("speed_kmh")},
        warnings=[w for p in parts for w in p.warnings],
        covered_area=gpd.GeoDataFrame(pd.concat(areas, ignore_index=True), crs=areas[0].crs) if areas else None,
        facilities=parts[0].facilities,
    )


def _walk_share(run: _Run, tg: Target) -> list[pd.DataFrame]:
    """Share of the population within travel time of a facility (access computed once per parameters)."""
    q, level, pk, p = tg.quantity, tg.level, tg.params_key(), tg.params
    wkey = (q, pk)
    if wkey not in run.walk:
        demand, facilities = _walk_inputs(run.layers, q, p)
        mode = str(p.get("mode", run.default_mode))
        if len(facilities):
            facilities = inside(facilities, _reach_area(run, p, {mode, str(p.get("rural_mode", mode))}))
        # a target's speed is for its own mode: a walking target driven (``--mode drive``) drives at driving speed
        speed = p.get("speed_kmh") if (mode == "walk" or "mode" in p) else None
        if "rural_mode" in p:
            run.walk[wkey] = _split_by_urban(run, demand, facilities, p, mode, speed, q in DRAWN_AREAS)
        else:
            run.walk[wkey] = _travel(run, demand, facilities, p, mode, speed, with_area=q in DRAWN_AREAS)
        run.warnings.extend(run.walk[wkey].warnings)
    result = run.walk[wkey]
    cov = access.coverage_by_area(result.points, level)
    cov.index = pd.Index([ind.PROVINCE[0]] * len(cov)) if level == "province" else cov[access.LEVELS[level][0]]
    t = ind.units(level, run.counties, run.townships).set_index("unit_code")
    t = t.join(cov[["population", "covered_population", "share"]], how="left")
    rows = ind.tidy(t, level, q, "share", "covered_population", "population", pk)
    if run.layers.get(WALK_QUANTITIES[q][0]) is None:
        rows["value"] = float("nan")  # no facility layer: no data, never "nobody covered"
    if result.mode == "network":
        net = access.network_coverage(result, level)["network_share"]
        rows["network_share"] = rows["unit_code"].map(net).to_numpy(dtype=float)
    return [rows]


#: Capacity quantity -> the capacity kind it measures (:data:`sxgeo.analysis.supply.CAPACITY_KINDS`).
CAPACITY_QUANTITIES = {"kg_seats_per_1000": "kindergartens", "elderly_beds_per_1000": "elderly", "fitness_per_10000": "fitness"}


def _capacity_result(run: _Run, kind: str, params: dict, threshold: float | None):
    """The capacity measure of ``kind`` with these parameters, computed once per run (None without its layers)."""
    key = (kind, tuple(sorted((k, str(v)) for k, v in params.items() if k not in ("kind", "site_capacity"))))
    if key not in run.capacity:
        layers = run.layers
        if layers.get("residential") is None or layers.get(CAPACITY_KINDS[kind].layer) is None:
            run.capacity[key] = None
        else:
            layer = CAPACITY_KINDS[kind].layer  # only facilities of the area and its cross-border margin serve
            layers = {**layers, layer: inside(layers[layer], run.facility_area)}
            kwargs = measure_params(params, networks=run.networks, default_mode=run.default_mode)
            result = capacity_access(layers, kind, detour_factor=run.detour_factor, threshold=threshold, **kwargs)
            run.warnings.extend(result.warnings)
            run.capacity[key] = result
    result = run.capacity[key]
    return result if result is None or threshold is None else result.at_threshold(threshold)


def _capacity(run: _Run, tg: Target) -> list[pd.DataFrame]:
    """Supply per person within reach (2SFCA and kin): the population-weighted mean per unit."""
    result = _capacity_result(run, CAPACITY_QUANTITIES[tg.quantity], tg.params, float(tg.threshold))
    t = ind.units(tg.level, run.counties, run.townships).set_index("unit_code")
    if result is not None:
        t = t.join(result.by_area(tg.level)[["mean_score", "reached", "demand"]], how="left")
    else:
        t = t.assign(mean_score=float("nan"), reached=float("nan"), demand=float("nan"))
    return [ind.tidy(t, tg.level, tg.quantity, "mean_score", "reached", "demand", tg.params_key())]


def _urban_rural_ratio(run: _Run, tg: Target) -> list[pd.DataFrame]:
    """Urban residents' mean accessibility over rural residents' (a ceiling target keeps 城乡一体 in view)."""
    kind = str(tg.params.get("kind", "kindergartens"))
    params = {k: v for k, v in tg.params.items() if k != "kind"}
    result = _capacity_result(run, kind, params, None)
    t = ind.units(tg.level, run.counties, run.townships).set_index("unit_code")
    if result is not None:
        eq = result.equity(tg.level)
        t = t.join(eq[["urban_rural_ratio", "urban_mean", "rural_mean"]], how="left")
    else:
        t = t.assign(urban_rural_ratio=float("nan"), urban_mean=float("nan"), rural_mean=float("nan"))
    return [ind.tidy(t, tg.level, tg.quantity, "urban_rural_ratio", "urban_mean", "rural_mean", tg.params_key())]


def _new_per_year(run: _Run, tg: Target) -> list[pd.DataFrame]:
    """New community facilities opened in each year, one block of rows per year."""
    kind, col, value = _YEARLY[tg.quantity]
    layer = run.layers.get(kind)
    mask = layer[col].eq(value) if layer is not None and col in layer else None
    years = _years(run.layers, int(tg.params.get("first_year", 2021)), tg.params.get("last_year"))
    per_year = ind.new_per_year(layer, mask, run.counties, years, tg.level)
    return [ind.tidy(t, tg.level, tg.quantity, "count", params_key=tg.params_key(), period=year) for year, t in per_year.items()]


def _presence_counts(run: _Run, tg: Target) -> pd.DataFrame:
    """Matching facilities per unit of a presence rule, counted once for rules that count the same."""
    key = (tg.level, tg.params_key())
    if key not in run.presence_counts:
        run.presence_counts[key] = presence.presence_counts(tg, run.layers, run.counties, run.townships)
    return run.presence_counts[key]


def _presence(run: _Run, tg: Target) -> list[pd.DataFrame]:
    """A presence rule: matching facilities per unit, and which units it applies to."""
    return [presence.presence_rows(tg, _presence_counts(run, tg))]


def _minor_protection(run: _Run, tg: Target, *, column: str, numerator: str, denominator: str) -> list[pd.DataFrame]:
    """Share of cities or counties with a minor-protection institution."""
    t = ind.minor_protection(run.layers.get("minor_protection"), run.counties)
    return [ind.tidy(t, "province", tg.quantity, column, numerator, denominator, tg.params_key())]


#: Quantity name -> the function giving its rows of the quantity table for one target.
#: Adding a quantity is adding an entry here (and describing it in :data:`sxgeo.analysis.indicators.QUANTITIES`).
_QUANTITY_FUNCTIONS: dict[str, Callable[[_Run, Target], list[pd.DataFrame]]] = {
    "public_kindergartens": partial(_kindergarten_count, column="public"),
    "central_kindergartens": partial(_kindergarten_count, column="central"),
    "inclusive_private_kindergartens": partial(_kindergarten_count, column="inclusive_private"),
    "township_public_kg_share": partial(
        _kindergarten_share, column="township_share", passing="townships_passing", total="townships"
    ),
    "subdistrict_public_kg_share": partial(
        _kindergarten_share, column="subdistrict_share", passing="subdistricts_passing", total="subdistricts"
    ),
    "gross_enrolment_rate": partial(_enrolment, numerator="enrolled", denominator="pop_3_5"),
    "inclusive_coverage": partial(_enrolment, numerator="enrolled_inclusive", denominator="enrolled"),
    "nursing_bed_share": partial(_elderly_beds, numerator="nursing_beds", denominator="beds"),
    "beds_per_100_elderly": partial(_elderly_beds, numerator="beds", denominator="pop_60_plus"),
    "mutual_aid_homes": _mutual_aid_homes,
    **dict.fromkeys(WALK_QUANTITIES, _walk_share),
    **dict.fromkeys(_YEARLY, _new_per_year),
    **dict.fromkeys(CAPACITY_QUANTITIES, _capacity),
    "access_urban_rural_ratio": _urban_rural_ratio,
    PRESENCE: _presence,
    "minor_protection_city_share": partial(
        _minor_protection, column="city_share", numerator="cities_with", denominator="cities"
    ),
    "minor_protection_county_share": partial(
        _minor_protection, column="county_share", numerator="counties_with", denominator="counties"
    ),
}


def _always_reported(run: _Run, done: set[tuple]) -> list[pd.DataFrame]:
    """The indicators the plan names without a threshold, at the levels no target asked for."""
    elderly, res = run.layers.get("elderly_care"), run.layers.get("residential")
    rows = []
    for level in ("county", "city", "province"):
        if ("beds_per_100_elderly", level, ()) not in done:
            t = ind.beds_per_100_elderly(elderly, res, run.counties, level)
            rows.append(ind.tidy(t, level, "beds_per_100_elderly", "beds_per_100_elderly", "beds", "pop_60_plus"))
    if ("mutual_aid_homes", "township", ()) not in done:
        t = ind.mutual_aid_by_township(elderly, run.townships)
        rows.append(ind.tidy(t, "township", "mutual_aid_homes", "mutual_aid_homes"))
    return rows


def analyse(
    layers: dict[str, gpd.GeoDataFrame | None],
    *,
    targets: list[Target] | None = None,
    network=None,
    township_polygons: gpd.GeoDataFrame | None = None,
    counties: gpd.GeoDataFrame | None = None,
    townships: pd.DataFrame | None = None,
    detour_factor: float = DETOUR_FACTOR,
    same_county: bool = False,
    mode: str = "walk",
    facility_area=None,
) -> Analysis:
    """Compute every quantity the targets need and evaluate the targets.

    Parameters
    ----------
    layers
        Loaded layers by kind (``residential``, ``kindergartens``,
        ``elderly_care``, ``fitness``, optionally ``minor_protection``); a
        missing kind gives "no data" for the targets that need it.
    targets
        Default: the plan's targets (:func:`sxgeo.io.targets.load_targets`).
    network
        A street network (:class:`sxgeo.layers.network.WalkNetwork`), or one per
        travel mode (``{"walk": ..., "drive": ...}``); a travel target uses the
        network of its mode, and without one straight-line distance ×
        ``detour_factor``.
    township_polygons
        Optional user township polygons (used to place township gaps).
    same_county
        Count only facilities of a point's own county (no cross-border access).
    mode
        Travel mode of the travel targets whose parameters name none.
    facility_area
        Optional lon/lat area (a scope grown by the cross-border margin):
        travel analyses count only facilities inside it.
    """
    targets = load_targets(known_quantities=set(ind.QUANTITIES)) if targets is None else targets
    counties = boundaries.load_counties() if counties is None else counties
    townships = boundaries.load_townships() if townships is None else townships
    kg, res = layers.get("kindergartens"), layers.get("residential")
    by_township = ind.kindergartens_by_township(kg, townships, res)
    gaps = ind.kindergarten_gaps(by_township, kg, res, township_polygons=township_polygons)
    networks = network if isinstance(network, dict) else ({} if network is None else {network.mode: network})
    run = _Run(layers, counties, townships, by_township, networks, detour_factor, same_county, mode, facility_area)
    rows: list[pd.DataFrame] = []
    done: set[tuple] = set()
    for tg in targets:
        if tg.is_presence:  # each rule has its own gaps (its own minimum count)
            run.presence[tg.id] = presence.presence_gaps(_presence_counts(run, tg), tg)
        key = (tg.quantity, tg.level, tg.params_key())
        if key in done:
            continue
        done.add(key)
        compute = _QUANTITY_FUNCTIONS.get(tg.quantity)
        if compute is None:
            raise ValueError(f"target {tg.id!r}: unknown quantity {tg.quantity!r}")
        rows.extend(compute(run, tg))
    rows.extend(_always_reported(run, done))
    quantities = pd.concat(rows, ignore_index=True)
    evaluation = evaluate(targets, quantities)
    used = {r.mode for r in run.walk.values()}
    return Analysis(
        evaluation=evaluation,
        quantities=quantities,
        targets=targets,
        kindergartens_by_township=by_township,
        kindergarten_gaps=gaps,
        walk=run.walk,
        mode="network" if "network" in used else "distance",
        warnings=run.warnings,
        off_map=off_map_rows(layers),
        capacity=run.capacity,
        presence=run.presence,
    )
