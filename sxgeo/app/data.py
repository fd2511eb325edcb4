"""What the app shows for an area, computed once per dataset and memoised.

:class:`Workspace` holds one dataset (demo or uploaded layers), its
:class:`~sxgeo.analysis.run.Analysis` and the boundaries, and answers the app's
questions per area (province, a city or a county): which units and points to
draw, which target rows and gap-list rows belong to it.  It only selects and
reshapes results of the sxgeo core; it holds no analysis logic and does not
import streamlit, so the benchmark and reports can use it directly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.analysis.run import CAPACITY_QUANTITIES, Analysis, analyse
from sxgeo.analysis.scenario import add_planned, compare, shortfall_closed
from sxgeo.analysis.supply import CAPACITY_KINDS, measure_params
from sxgeo.app.tasks import TARGET_ROW_COLUMNS, TRAVEL_GAPS, described, followed_targets, presence_lists, task_rank
from sxgeo.io.targets import Target
from sxgeo.layers import boundaries
from sxgeo.layers.geometry import located, off_map_rows
from sxgeo.layers.scope import Scope, resolve_scope
from sxgeo.outputs import webmap as maps
from sxgeo.settings import LONLAT_CRS, PROVINCE_CODE

__all__ = ["Boundaries", "Workspace", "COUNTY_ONLY_KINDS", "GAP_KINDS", "TOLERANCE"]

#: Display simplification (degrees) of what is drawn at each level.
TOLERANCE = {"province": 0.004, "city": 0.0015, "county": 0.0}

#: The core's gap lists (:meth:`~sxgeo.analysis.run.Analysis.gap_lists`) shown by the app, in order.
GAP_KINDS = ("kindergarten", "fitness", "elderly", "nursing", "kindergartens_capacity", "elderly_capacity")
#: Point layers drawn only in a county view (a city has thousands of them).
COUNTY_ONLY_KINDS = ("residential", "primary_care")

_LEVEL_RANK = {"township": 0, "county": 1, "city": 2, "province": 3}
#: Statuses that count neither as met nor as not met when a target's units are summarised.
_UNJUDGED = ("no_data", "no_network", "not_applicable")


@dataclass
class Boundaries:
    """The bundled administrative geography, loaded once."""

    counties: gpd.GeoDataFrame  # full detail (for the selected county and exports)
    counties_display: gpd.GeoDataFrame
    cities_display: gpd.GeoDataFrame
    province: gpd.GeoDataFrame
    townships: pd.DataFrame
    _scopes: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls) -> Boundaries:
        """The bundled boundaries: counties (full detail and for display), cities, the province and townships."""
        return cls(
            counties=boundaries.load_counties(),
            counties_display=boundaries.load_counties(display=True),
            cities_display=boundaries.load_cities(display=True),
            province=boundaries.load_province(),
            townships=boundaries.load_townships(),
        )

    def scope(self, level: str, code: str | None) -> Scope:
        """The area's :class:`~sxgeo.layers.scope.Scope` (memoised: the app asks for it on every rerun)."""
        key = (level, code)
        if key not in self._scopes:
            self._scopes[key] = resolve_scope(self.counties, level, code)
        return self._scopes[key]

    @cached_property
    def county_city(self) -> dict[str, str]:
        """County code -> code of its city."""
        return dict(zip(self.counties["adcode"], self.counties["city_code"]))

    @cached_property
    def simplified(self) -> dict[str, gpd.GeoDataFrame]:
        """County and city outlines simplified per level (shared borders kept)."""
        out = {("county", level): maps.simplify_for_display(self.counties_display, tol) for level, tol in TOLERANCE.items()}
        out["cities"] = maps.simplify_for_display(self.cities_display, 0.003)
        out["province"] = maps.simplify_for_display(self.province, 0.004)
        return out


@dataclass(frozen=True)
class ScenarioCoverage:
    """The walking coverage a scenario adds in an area: the new covered area and the residential points it reaches."""

    new_area: gpd.GeoDataFrame
    newly_covered: gpd.GeoDataFrame
    still_uncovered: gpd.GeoDataFrame

    @property
    def points(self) -> int:
        return len(self.newly_covered)

    @property
    def population(self) -> float:
        col = self.newly_covered.get("population")
        return float(col.sum()) if col is not None else 0.0

    @classmethod
    def between(cls, before: tuple, after: tuple) -> ScenarioCoverage:
        """From the (covered area, uncovered points) of the area before and after."""
        area_before, gaps_before = before
        area_after, gaps_after = after
        empty = gpd.GeoDataFrame(geometry=[], crs=LONLAT_CRS)
        gaps_before = gaps_before if gaps_before is not None else empty
        gaps_after = gaps_after if gaps_after is not None else empty
        still = gaps_after["id"] if "id" in gaps_after else pd.Series([], dtype=object)
        newly = gaps_before[~gaps_before["id"].isin(still)] if "id" in gaps_before else gaps_before.iloc[0:0]
        new_area = empty
        if area_after is not None and len(area_after):
            grown = area_after.union_all()
            if area_before is not None and len(area_before):
                grown = grown.difference(area_before.union_all())
            if not grown.is_empty:
                new_area = gpd.GeoDataFrame(geometry=[grown], crs=area_after.crs)
        return cls(new_area=new_area, newly_covered=newly, still_uncovered=gaps_after)


@dataclass(eq=False)
class Workspace:
    """One dataset and its analysis, with per-area views memoised."""

    layers: dict[str, gpd.GeoDataFrame | None]
    bounds: Boundaries
    township_polygons: gpd.GeoDataFrame | None = None
    network: object | None = None  # a street network, or one per travel mode ({"walk": ..., "drive": ...})
    mode: str = "walk"  # travel mode of the travel targets that name none
    analysis: Analysis | None = None
    error: Exception | None = None
    _memo: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(cls, layers, bounds: Boundaries, *, township_polygons=None, network=None, mode: str = "walk") -> Workspace:
        """Analyse ``layers`` in travel mode ``mode`` (see :func:`~sxgeo.analysis.run.analyse` for ``network``).

        A failing analysis is kept in ``error`` so the app still shows the layers.
        """
        ws = cls(layers=layers, bounds=bounds, township_polygons=township_polygons, network=network, mode=mode)
        try:
            ws.analysis = analyse(
                layers,
                network=network,
                township_polygons=township_polygons,
                counties=bounds.counties,
                townships=bounds.townships,
                mode=mode,
            )
        except Exception as exc:  # noqa: BLE001 - shown to the user, the app keeps working
            ws.error = exc
        return ws

    def _cached(self, key, compute):
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        value = compute()
        with self._lock:
            self._memo[key] = value
        return value

    def warm(self, target_id: str | None = None, langs: tuple[str, ...] = ("zh",)) -> None:
        """Compute every county's and city's views ahead of time (run in a background thread).

        After this, switching area only assembles the map from memoised parts.
        """
        if self.analysis is None:
            return
        if target_id is None:
            options = self.map_targets()
            target_id = options["target_id"].iloc[0] if len(options) else None
        areas = [("city", c) for c in sorted(set(self.bounds.counties["city_code"]))]
        areas += [("county", c) for c in self.bounds.counties["adcode"]]
        for level, code in areas:
            self.target_rows(level, code)
            self.reference(level, code)
            if target_id is not None:
                self.choropleth_units(level, code, target_id)
            self.coverage(level, code)
            for name in self.gap_names():
                self.gap_list(name, level, code)
            for kind in self.layers:
                if level != "county" and kind in COUNTY_ONLY_KINDS:
                    continue  # not drawn there
                for lang in langs:
                    self.point_collection(kind, level, code, lang)

    # --- evaluation ----------------------------------------------------------------------
    @property
    def evaluation(self) -> pd.DataFrame:
        """Every target judged for every unit (empty, with the same columns, when there is no analysis)."""
        return self.analysis.evaluation if self.analysis is not None else pd.DataFrame(
            columns=["level", "unit_code", "unit_name", "target_id", "target_zh", "target_en", "period", "value",
                     "threshold", "comparator", "unit", "met", "status", "gap"]
        )

    @property
    def targets(self) -> dict[str, Target]:
        """The analysed targets by id (empty without an analysis)."""
        return {tg.id: tg for tg in self.analysis.targets} if self.analysis is not None else {}

    def map_targets(self) -> pd.DataFrame:
        """Targets a choropleth can show: county-level ones, township-level ones with polygons.

        In the plan's task order (file order within a task), with each target's ``task``.
        """
        ev = self.evaluation
        levels = ["county"] + (["township"] if self.township_polygons is not None else [])
        rows = ev[ev["level"].isin(levels) & ev["period"].isna()]
        columns = ["target_id", "level", "target_zh", "target_en", "threshold", "comparator", "unit"]
        out = rows.drop_duplicates("target_id")[columns]
        targets = self.targets
        out = out.assign(task=[targets[i].task if i in targets else "" for i in out["target_id"]])
        return out.iloc[np.argsort([task_rank(task) for task in out["task"]], kind="stable")]

    def target_rows(self, level: str, code: str | None) -> pd.DataFrame:
        """One row per target for the area: its own value, or how many of its units meet it.

        Columns: target_id, target_zh, target_en, period, value, threshold,
        comparator, unit, status, units_met, units_total, units_level,
        network_share, units_not_met, units_not_applicable, and what
        describes the target: task, presence (a presence rule), assumption,
        source_zh, source_en.  Units the street network does not cover (status
        ``no_network``) and units a rule does not apply to
        (``not_applicable``) are, like units without data, neither met nor
        not met; a summary row whose units are all uncovered is
        ``no_network``, all too small for the rule ``not_applicable``.
        ``network_share`` is the area's own share (NaN for summary rows and
        in distance mode).
        """
        return self._cached(("targets", level, code), lambda: self._target_rows(level, code))

    def _target_rows(self, level: str, code: str | None) -> pd.DataFrame:
        ev = self.evaluation
        counties = set(self.bounds.scope(level, code).county_codes)
        own_code = PROVINCE_CODE if level == "province" else code
        has_share = "network_share" in ev
        targets = self.targets
        out = []
        for tid, rows in ev.groupby("target_id", sort=False):
            tlevel = rows["level"].iloc[0]
            first = rows.iloc[0]
            base = {k: first[k] for k in ("target_id", "target_zh", "target_en", "threshold", "comparator", "unit")}
            base.update(described(targets.get(tid)))
            if tlevel == level:
                mine = rows[rows["unit_code"].astype(str) == own_code]
                for _, r in mine.iterrows():
                    out.append({**base, "period": r["period"], "value": r["value"], "status": r["status"],
                                "units_met": np.nan, "units_total": np.nan, "units_level": None,
                                "network_share": r["network_share"] if has_share else np.nan,
                                "units_not_met": np.nan, "units_not_applicable": np.nan})
            elif _LEVEL_RANK[tlevel] < _LEVEL_RANK[level]:
                if tlevel == "city":
                    inside = rows[rows["unit_code"].isin({self.bounds.county_city[c] for c in counties})]
                else:
                    inside = rows[self.bounds.scope(level, code).contains(rows["unit_code"])]
                if inside.empty:
                    continue
                judged = inside[~inside["status"].isin(_UNJUDGED)]
                met = int((judged["status"] == "met").sum())
                if judged.empty:
                    status = next((s for s in ("no_network", "not_applicable") if (inside["status"] == s).any()),
                                  "no_data")
                    if status == "not_applicable" and not (inside["status"] == status).all():
                        status = "no_data"  # some units have no data: not "too small" everywhere
                else:
                    status = "met" if met == len(judged) else "not_met"
                out.append({**base, "period": None, "value": (met / len(judged)) if len(judged) else np.nan,
                            "status": status, "units_met": met, "units_total": len(judged), "units_level": tlevel,
                            "network_share": np.nan, "units_not_met": len(judged) - met,
                            "units_not_applicable": int((inside["status"] == "not_applicable").sum())})
        return pd.DataFrame(out, columns=TARGET_ROW_COLUMNS)

    def network_reach(self, level: str, code: str | None) -> dict[str, float] | None:
        """:meth:`Analysis.network_reach` of the area's counties (None in distance mode or without an analysis)."""
        if self.analysis is None:
            return None
        counties = self.bounds.scope(level, code).county_codes
        return self._cached(("reach", level, code), lambda: self.analysis.network_reach(counties))

    # --- what is drawn -------------------------------------------------------------------
    def choropleth_units(self, level: str, code: str | None, target_id: str) -> gpd.GeoDataFrame:
        """Polygons to colour for an area, with the target's ``value`` and ``status``.

        Province: all counties (simplified); city: the city's counties; county:
        the counties of its city (simplified) with the county itself in full detail.
        Township targets use the user's township polygons of the area.
        """
        return self._cached(("units", level, code, target_id), lambda: self._choropleth_units(level, code, target_id))

    def _choropleth_units(self, level, code, target_id):
        ev = self.evaluation
        rows = ev[(ev["target_id"] == target_id) & ev["period"].isna()]
        tlevel = rows["level"].iloc[0] if len(rows) else "county"
        if tlevel == "township" and self.township_polygons is not None:
            polys = self.township_polygons
            polys = polys[self.bounds.scope(level, code).contains(polys["code"])]
            units = maps.simplify_for_display(polys.rename(columns={"code": "unit_code", "name": "unit_name"}),
                                              TOLERANCE[level] / 2)
        else:
            show_level = "city" if level == "county" else level
            show_code = self.bounds.county_city.get(code) if level == "county" else code
            drawn = self.bounds.simplified[("county", show_level)]
            drawn = drawn[drawn["adcode"].isin(list(self.bounds.scope(show_level, show_code).county_codes))]
            units = drawn.rename(columns={"adcode": "unit_code", "name": "unit_name"})
            if level == "county":
                full = self.bounds.counties
                detail = maps.simplify_for_display(full[full["adcode"] == code], 0.0)
                units = units.copy()
                units.loc[units["unit_code"] == code, "geometry"] = detail.geometry.to_numpy()
        vals = rows.set_index(rows["unit_code"].astype(str))[["value", "status"]]
        units = units[["unit_code", "unit_name", "geometry"]].copy()
        units["value"] = units["unit_code"].map(vals["value"])
        units["status"] = units["unit_code"].map(vals["status"]).fillna("no_data")
        return gpd.GeoDataFrame(units, geometry="geometry", crs=LONLAT_CRS)

    def reference(self, level: str, code: str | None):
        """(outlines, labels) of the offline reference layer for an area."""
        return self._cached(("ref", level, code), lambda: self._reference(level, code))

    def _reference(self, level, code):
        b = self.bounds
        province, cities = b.simplified["province"], b.simplified["cities"]
        if level == "province":
            return [(cities, 1.2), (province, 2.0)], cities.assign(geometry=cities.representative_point())
        minx, miny, maxx, maxy = self.bbox(level, code)
        dx, dy = (maxx - minx) * 0.75, (maxy - miny) * 0.75
        rect = (minx - dx, miny - dy, maxx + dx, maxy + dy)

        def lines(frame):  # outlines as lines cut to the surroundings of the view
            cut = frame.boundary.clip_by_rect(*rect)
            return gpd.GeoDataFrame(geometry=cut[~cut.is_empty].to_numpy(), crs=frame.crs)

        city_code = code if level == "city" else b.county_city.get(code)
        counties = b.simplified[("county", "city")]
        inside = counties[counties["city_code"] == city_code]
        return [(lines(cities), 1.5), (lines(province), 2.0)], inside.assign(geometry=inside.representative_point())

    def bbox(self, level: str, code: str | None) -> tuple[float, float, float, float]:
        """The area's bounds (minx, miny, maxx, maxy) in degrees."""
        c = self.bounds.counties
        if level == "province":
            frame = self.bounds.province
        elif level == "city":
            frame = c[c["city_code"] == code]
        else:
            frame = c[c["adcode"] == code]
        minx, miny, maxx, maxy = frame.total_bounds
        return float(minx), float(miny), float(maxx), float(maxy)

    def points(self, kind: str, level: str, code: str | None, layers: dict | None = None) -> gpd.GeoDataFrame | None:
        """The points of a layer inside the area that are on the map (none at province level: too many to send).

        Rows without a location (``located`` False) are never drawn; they are listed by :meth:`off_map`.
        """
        if level == "province":
            return None
        src = located((layers or self.layers).get(kind))
        if src is None or not len(src):
            return None
        col = "city_code" if level == "city" else "county_code"
        return src[src[col].astype(str) == code] if col in src else None

    def capacity_points(self, level: str, code: str | None, target_id: str) -> gpd.GeoDataFrame | None:
        """The county's residential points scored by the capacity target ``target_id`` (None for other targets)."""
        if self.analysis is None or level != "county":
            return None
        target = next((tg for tg in self.analysis.targets if tg.id == target_id), None)
        kind = CAPACITY_QUANTITIES.get(target.quantity) if target is not None else None
        result = self.analysis.capacity_result(kind) if kind else None
        if result is None:
            return None
        result = result.at_threshold(float(target.threshold))
        return self._cached(("cap_pts", level, code, target_id),
                            lambda: result.points[result.points["county_code"] == code])

    def shortfall_closed(self, planned: dict[str, gpd.GeoDataFrame], key) -> dict[str, pd.DataFrame]:
        """Per planned kindergarten or elderly-care site: the capacity shortfall it closes (see :func:`shortfall_closed`)."""
        out = {}
        if self.analysis is None or self.layers.get("residential") is None:
            return out
        for layer_kind, frame in planned.items():
            kind = next((k for k, ck in CAPACITY_KINDS.items() if ck.layer == layer_kind and ck.supply), None)
            target = next((tg for tg in self.analysis.targets if CAPACITY_QUANTITIES.get(tg.quantity) == kind), None)
            if kind is None or target is None or self.layers.get(layer_kind) is None:
                continue
            kwargs = measure_params(target.params, networks=self.network, default_mode=self.mode)
            out[layer_kind] = self._cached(
                ("closed", key, layer_kind),
                lambda frame=frame, kind=kind, target=target, kwargs=kwargs: shortfall_closed(
                    self.layers, frame, kind, float(target.threshold), **kwargs),
            )
        return out

    def point_collection(self, kind: str, level: str, code: str | None, lang: str):
        """:func:`sxgeo.outputs.webmap.point_collection` of :meth:`points`, memoised (None when empty)."""
        def build():
            pts = self.points(kind, level, code)
            return None if pts is None or not len(pts) else maps.point_collection(pts, kind, lang)
        return self._cached(("pts", kind, level, code, lang), build)

    def coverage_quantity(self, target_id: str | None) -> str:
        """The travel quantity whose coverage the map draws with an indicator: its own, else the fitness circle."""
        tg = self.targets.get(target_id) if target_id is not None else None
        return tg.quantity if tg is not None and tg.quantity in TRAVEL_GAPS.values() else "fitness_walk_share"

    def coverage(self, level: str, code: str | None, quantity: str = "fitness_walk_share"):
        """(covered area clipped to the area, uncovered demand points in it), or None."""
        if level == "province" or self.analysis is None:
            return None
        return self._cached(("cov", level, code, quantity), lambda: self._coverage(level, code, quantity))

    def _coverage(self, level, code, quantity):
        res = self.analysis.walk_result(quantity)
        if res is None:
            return None
        c = self.bounds.counties
        shape = c[c["adcode"].isin(list(self.bounds.scope(level, code).county_codes))].union_all()
        area = res.covered_area
        if area is not None and len(area):
            area = area[area.intersects(shape)]
            area = gpd.clip(area, shape.envelope) if len(area) else area
        gaps = self.filter_rows(self.analysis.walk_gaps(quantity), level, code)
        return area, gaps

    # --- gap lists -----------------------------------------------------------------------
    def filter_rows(self, frame: pd.DataFrame | None, level: str, code: str | None, *, demand_kind: str = "residential"):
        """Rows of a result table that lie in the area (by county code, township code or point id)."""
        if frame is None or level == "province":
            return frame
        scope = self.bounds.scope(level, code)
        if "county_code" in frame:
            county = frame["county_code"].astype(str)
        elif "unit_code" in frame:
            county = frame["unit_code"]
        elif "id" in frame and self.layers.get(demand_kind) is not None:
            src = self.layers[demand_kind]
            lookup = self._cached(("id_county", demand_kind),
                                  lambda: pd.Series(src["county_code"].astype(str).to_numpy(), index=src["id"].to_numpy()))
            county = frame["id"].map(lookup)
        else:
            return frame.iloc[0:0]
        return frame[scope.contains(county)]

    def gap_names(self) -> list[str]:
        """Every gap list of the app: the core's, the travel lists, then one per presence rule (see :mod:`.tasks`)."""
        return [*GAP_KINDS, *TRAVEL_GAPS, *presence_lists(self.targets)]

    def gap_targets(self, name: str) -> list[Target]:
        """The targets a gap list follows (:func:`~sxgeo.app.tasks.followed_targets`)."""
        return followed_targets(self.targets, name)

    def gap_list(self, name: str, level: str, code: str | None) -> pd.DataFrame | None:
        """A gap list for the area (see :meth:`gap_names`); None when the analysis has none.

        The nursing list and the presence lists of counties and cities get their polygons for GeoPackage export.
        """
        if self.analysis is None:
            return None
        return self._cached(("gap", name, level, code), lambda: self._gap_list(name, level, code))

    def _gap_list(self, name, level, code):
        if name in TRAVEL_GAPS:
            frame = self._cached(("travel_gaps", name), lambda: self.analysis.walk_gaps(TRAVEL_GAPS[name]))
        elif name in self.targets and self.targets[name].is_presence:
            return self._presence_list(self.targets[name], level, code)
        else:
            frame = self._cached("gap_lists", self.analysis.gap_lists).get(name)
        frame = self.filter_rows(frame, level, code)
        if frame is None:
            return None
        if name == "nursing":
            keep = [c for c in ("unit_code", "unit_name", "value", "threshold", "gap", "numerator", "denominator") if c in frame]
            frame = frame[keep]
            geom = self.bounds.counties.set_index("adcode").geometry
            frame = gpd.GeoDataFrame(frame, geometry=frame["unit_code"].map(geom).to_numpy(), crs=LONLAT_CRS)
        if name.endswith("_capacity") and len(frame):
            frame = frame.assign(rank=range(1, len(frame) + 1))  # ranked within the area
        return frame.reset_index(drop=True)

    def _presence_list(self, tg: Target, level: str, code: str | None) -> pd.DataFrame | None:
        """The units of the area that break a presence rule, most populous first.

        Columns: the unit (code, name, township kind), its county and city, its population, the matching
        facilities it has (``value``), how many the rule asks for (``threshold``) and how many are missing
        (``gap``), all in the rule's unit (a count).  Only units the evaluation judged "not met" are listed,
        as in the targets panel.  Cities and counties carry their polygon, townships theirs when township
        polygons are loaded.
        """
        gaps = self.analysis.presence_gaps(tg.id)
        if gaps is None:
            return None
        ev = self.evaluation
        judged = ev[(ev["target_id"] == tg.id) & ev["period"].isna() & (ev["status"] == "not_met")]
        gaps = gaps[gaps["unit_code"].astype(str).isin(set(judged["unit_code"].astype(str)))]
        if level != "province":
            scope = self.bounds.scope(level, code)
            if tg.level == "city":
                inside = gaps["unit_code"].isin({self.bounds.county_city[c] for c in scope.county_codes})
            else:
                inside = scope.contains(gaps["county_code"].astype(str))
            gaps = gaps[np.asarray(inside, dtype=bool)]
        columns = {"township": ["unit_code", "unit_name", "unit_kind", "county_name", "city_name"],
                   "county": ["unit_code", "unit_name", "city_name"], "city": ["unit_code", "unit_name"]}[tg.level]
        frame = gaps[[c for c in columns if c in gaps]].assign(
            population=gaps["population"].to_numpy(dtype=float), value=gaps["count"].to_numpy(dtype=float),
            threshold=float(tg.threshold), gap=gaps["needed"].to_numpy(dtype=float)).reset_index(drop=True)
        if tg.level == "county":
            shapes = self.bounds.counties.set_index("adcode").geometry
        elif tg.level == "city":
            shapes = self.bounds.cities_display.set_index("adcode").geometry
        elif self.township_polygons is not None:
            shapes = self.township_polygons.drop_duplicates("code").set_index("code").geometry
        else:
            return frame
        geometry = [shapes.get(c) for c in frame["unit_code"].astype(str)]  # None where a unit has no polygon
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=LONLAT_CRS).to_numpy(), crs=LONLAT_CRS)

    def off_map(self, level: str, code: str | None) -> pd.DataFrame:
        """The loaded rows without a location ("not on the map") in the area, every layer together.

        From the analysis (:attr:`Analysis.off_map`), or from the layers when the analysis failed; the
        rows of the area are those whose county lies in it.
        """
        def rows():
            frame = self.analysis.off_map if self.analysis is not None else off_map_rows(self.layers)
            return self.filter_rows(frame, level, code).reset_index(drop=True)
        return self._cached(("off_map", level, code), rows)

    # --- scenario ------------------------------------------------------------------------
    def scenario_coverage(self, planned: dict[str, gpd.GeoDataFrame], key, level: str, code: str | None,
                          quantity: str = "fitness_walk_share") -> ScenarioCoverage | None:
        """What the planned facilities add to the walking coverage ``quantity`` of the area (None without coverage)."""
        if level == "province" or self.analysis is None or not planned:
            return None

        def compute():
            before = self.coverage(level, code, quantity)
            if before is None:
                return None
            after, _, layers = self.scenario(planned, key)
            after_ws = Workspace(layers=layers, bounds=self.bounds, township_polygons=self.township_polygons,
                                 network=self.network, mode=self.mode, analysis=after)
            now = after_ws.coverage(level, code, quantity)
            if now is None:
                return None
            return ScenarioCoverage.between(before, now)
        return self._cached(("scen_cov", key, level, code, quantity), compute)

    def scenario(self, planned: dict[str, gpd.GeoDataFrame], key) -> tuple[Analysis, pd.DataFrame, dict]:
        """Analysis with the planned facilities added, its comparison with this one, and the layers used."""
        def run():
            layers = add_planned(self.layers, planned)
            after = analyse(layers, network=self.network, township_polygons=self.township_polygons,
                            counties=self.bounds.counties, townships=self.bounds.townships, mode=self.mode)
            return after, compare(self.analysis, after), layers
        with self._lock:  # keep the last few scenarios only
            old = [k for k in self._memo if isinstance(k, tuple) and k[0] == "scenario" and k[1] != key]
            for k in old[:-3]:
                del self._memo[k]
        return self._cached(("scenario", key), run)
