"""Run every target of the plan on a set of layers: the one call the app, reports and CLI make.

``analyse(layers)`` computes each quantity the targets need (once per
quantity, level and parameters), evaluates the targets and collects the gap
lists.  Nothing here draws or prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from sxgeo.settings import DETOUR_FACTOR, WALK_MINUTES, WALK_SPEED_KMH

from sxgeo.analysis import access
from sxgeo.layers import boundaries
from sxgeo.analysis import indicators as ind
from sxgeo.io import ADMIN_COLUMNS
from sxgeo.analysis.targets import evaluate
from sxgeo.io.targets import Target, load_targets

__all__ = ["Analysis", "analyse", "WALK_QUANTITIES"]

#: Walking-coverage quantities: demand selection and facility selection.
WALK_QUANTITIES = {
    "fitness_walk_share": ("fitness", None),
    "elderly_walk_share": ("elderly_care", ("care_kind", "community")),
}
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

    def walk_result(self, quantity: str = "fitness_walk_share", target_id: str | None = None):
        """The access result of a walking quantity (of a given target, else the first)."""
        for tg in self.targets:
            if tg.quantity == quantity and (target_id is None or tg.id == target_id):
                return self.walk.get((quantity, tg.params_key()))
        return None

    def walk_gaps(self, quantity: str = "fitness_walk_share", target_id: str | None = None) -> gpd.GeoDataFrame | None:
        """Uncovered demand points of a walking quantity, most populous first."""
        res = self.walk_result(quantity, target_id)
        return None if res is None else access.gap_list(res)

    def gap_lists(self) -> dict[str, pd.DataFrame | None]:
        """The gap lists planners hand on, by kind.

        ``kindergarten``: townships (乡/镇) without a public kindergarten;
        ``fitness`` / ``elderly``: demand points outside the walking threshold
        of a fitness facility / community elderly-care site (all their source
        columns kept); ``nursing``: counties under the nursing-bed target.
        """
        return {
            "kindergarten": self.kindergarten_gaps,
            "fitness": self.walk_gaps("fitness_walk_share"),
            "elderly": self.walk_gaps("elderly_walk_share"),
            "nursing": self.below("nursing_beds_county"),
        }

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
    if facilities is not None and selector is not None and selector[0] in facilities:
        facilities = facilities[facilities[selector[0]].eq(selector[1])]
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


def analyse(
    layers: dict[str, gpd.GeoDataFrame | None],
    *,
    targets: list[Target] | None = None,
    network=None,
    township_polygons: gpd.GeoDataFrame | None = None,
    counties: gpd.GeoDataFrame | None = None,
    townships: pd.DataFrame | None = None,
    detour_factor: float = DETOUR_FACTOR,
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
        A :class:`sxgeo.layers.network.WalkNetwork` for network mode; without it
        walking times use straight-line distance × ``detour_factor``.
    township_polygons
        Optional user township polygons (used to place township gaps).
    """
    targets = load_targets(known_quantities=set(ind.QUANTITIES)) if targets is None else targets
    counties = boundaries.load_counties() if counties is None else counties
    townships = boundaries.load_townships() if townships is None else townships
    kg, res = layers.get("kindergartens"), layers.get("residential")
    elderly = layers.get("elderly_care")
    warnings: list[tuple[str, dict]] = []

    by_township = ind.kindergartens_by_township(kg, townships, res)
    gaps = ind.kindergarten_gaps(by_township, kg, res, township_polygons=township_polygons)
    rows: list[pd.DataFrame] = []
    walk: dict[tuple, Any] = {}
    done: set[tuple] = set()
    for tg in targets:
        key = (tg.quantity, tg.level, tg.params_key())
        if key in done:
            continue
        done.add(key)
        q, level, pk, p = tg.quantity, tg.level, tg.params_key(), tg.params
        if q in ("public_kindergartens", "central_kindergartens", "inclusive_private_kindergartens"):
            col = {"public_kindergartens": "public", "central_kindergartens": "central",
                   "inclusive_private_kindergartens": "inclusive_private"}[q]
            rows.append(ind.tidy(by_township, "township", q, col, params_key=pk))
        elif q in ("township_public_kg_share", "subdistrict_public_kg_share"):
            t = ind.kindergartens_by_county(by_township, counties, level)
            if q == "township_public_kg_share":
                rows.append(ind.tidy(t, level, q, "township_share", "townships_passing", "townships", pk))
            else:
                rows.append(ind.tidy(t, level, q, "subdistrict_share", "subdistricts_passing", "subdistricts", pk))
        elif q in ("gross_enrolment_rate", "inclusive_coverage"):
            t = ind.enrolment(kg, res, counties, level)
            num, den = ("enrolled", "pop_3_5") if q == "gross_enrolment_rate" else ("enrolled_inclusive", "enrolled")
            rows.append(ind.tidy(t, level, q, q, num, den, pk))
        elif q in ("nursing_bed_share", "beds_per_100_elderly"):
            t = ind.beds_per_100_elderly(elderly, res, counties, level)
            num, den = ("nursing_beds", "beds") if q == "nursing_bed_share" else ("beds", "pop_60_plus")
            rows.append(ind.tidy(t, level, q, q, num, den, pk))
        elif q == "mutual_aid_homes":
            rows.append(ind.tidy(ind.mutual_aid_by_township(elderly, townships), "township", q, q, params_key=pk))
        elif q in WALK_QUANTITIES:
            wkey = (q, pk)
            if wkey not in walk:
                demand, facilities = _walk_inputs(layers, q, p)
                walk[wkey] = access.walking_access(
                    demand,
                    facilities,
                    network=network,
                    speed_kmh=float(p.get("speed_kmh", WALK_SPEED_KMH)),
                    threshold_min=float(p.get("threshold_min", WALK_MINUTES)),
                    detour_factor=float(p.get("detour_factor", detour_factor)),
                )
                warnings.extend(walk[wkey].warnings)
            cov = access.coverage_by_area(walk[wkey].points, level)
            cov.index = pd.Index([ind.PROVINCE[0]] * len(cov)) if level == "province" else cov[access.LEVELS[level][0]]
            t = ind.units(level, counties, townships).set_index("unit_code")
            t = t.join(cov[["population", "covered_population", "share"]], how="left")
            rows.append(ind.tidy(t, level, q, "share", "covered_population", "population", pk))
        elif q in _YEARLY:
            kind, col, value = _YEARLY[q]
            layer = layers.get(kind)
            mask = layer[col].eq(value) if layer is not None and col in layer else None
            years = _years(layers, int(p.get("first_year", 2021)), p.get("last_year"))
            for year, t in ind.new_per_year(layer, mask, counties, years, level).items():
                rows.append(ind.tidy(t, level, q, "count", params_key=pk, period=year))
        elif q in ("minor_protection_city_share", "minor_protection_county_share"):
            t = ind.minor_protection(layers.get("minor_protection"), counties)
            if q == "minor_protection_city_share":
                rows.append(ind.tidy(t, "province", q, "city_share", "cities_with", "cities", pk))
            else:
                rows.append(ind.tidy(t, "province", q, "county_share", "counties_with", "counties", pk))
        else:
            raise ValueError(f"target {tg.id!r}: unknown quantity {q!r}")
    # Indicators the plan names without a threshold are always reported in the quantity table.
    for level in ("county", "city", "province"):
        if ("beds_per_100_elderly", level, ()) not in done:
            t = ind.beds_per_100_elderly(elderly, res, counties, level)
            rows.append(ind.tidy(t, level, "beds_per_100_elderly", "beds_per_100_elderly", "beds", "pop_60_plus"))
    if ("mutual_aid_homes", "township", ()) not in done:
        rows.append(ind.tidy(ind.mutual_aid_by_township(elderly, townships), "township", "mutual_aid_homes", "mutual_aid_homes"))
    quantities = pd.concat(rows, ignore_index=True)
    evaluation = evaluate(targets, quantities)
    mode = "network" if network is not None else "distance"
    return Analysis(
        evaluation=evaluation,
        quantities=quantities,
        targets=targets,
        kindergartens_by_township=by_township,
        kindergarten_gaps=gaps,
        walk=walk,
        mode=mode,
        warnings=warnings,
    )

