"""Everything one analysis run needs, read through sxgeo.io: layers, targets, township polygons, network."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from sxgeo.analysis.indicators import QUANTITIES
from sxgeo.analysis.run import WALK_QUANTITIES, Analysis, analyse
from sxgeo.errors import InputError, LayerReadError
from sxgeo.io.coords import normalise_coord_system
from sxgeo.io.demo import load_demo
from sxgeo.io.load import LoadResult, load_layer
from sxgeo.io.osm import read_osm
from sxgeo.io.population import load_population_grid, load_population_table
from sxgeo.io.result import combine_results
from sxgeo.io.targets import PlanTask, load_plan_tasks, load_targets
from sxgeo.io.townships import load_township_polygons
from sxgeo.layers import boundaries
from sxgeo.resources import demo_dir
from sxgeo.settings import CROSS_BORDER_M, DETOUR_FACTOR

__all__ = [
    "LAYER_KINDS",
    "Inputs",
    "analyse_inputs",
    "check_file",
    "check_inputs",
    "load_inputs",
    "presence_in",
    "require_layers",
    "targets_on",
    "travel_modes",
]

#: Layer kinds the command line reads, in the order of their options.
LAYER_KINDS = (
    "residential", "kindergartens", "elderly_care", "fitness", "minor_protection",
    "primary_care", "hospitals", "special_education", "culture", "child_welfare",
)


@dataclass
class Inputs:
    """Everything read from disk for one command."""

    layers: dict[str, gpd.GeoDataFrame]
    loaded: dict[str, LoadResult]
    synthetic: bool
    targets: list
    targets_source: str | None
    counties: gpd.GeoDataFrame
    townships: pd.DataFrame
    township_polygons: gpd.GeoDataFrame | None = None
    networks: dict = field(default_factory=dict)
    detour_factor: float = DETOUR_FACTOR
    mode: str = "walk"
    cross_border: bool = True
    area: shapely.Geometry | None = None
    margin_m: float = CROSS_BORDER_M
    tasks: list[PlanTask] = field(default_factory=list)

    def network(self, mode: str | None = None):
        """The street network of a travel mode (default: :attr:`mode`), or None in distance mode."""
        return self.networks.get(mode or self.mode)


def check_file(path: str | Path | None) -> Path | None:
    """``path`` as a Path, after checking it names an existing file (None passes through)."""
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise InputError("report.err_missing_file", path=str(path))
    return p


def load_inputs(
    files: dict[str, str | Path] | None = None,
    *,
    coord_system: str = "auto",
    targets_path: str | Path | None = None,
    township_polygons: str | Path | None = None,
    osm: str | Path | None = None,
    cache_dir: str | Path | None = None,
    area: shapely.Geometry | None = None,
    detour_factor: float = DETOUR_FACTOR,
    mode: str = "walk",
    cross_border: bool = True,
    margin_m: float = CROSS_BORDER_M,
    road_speeds: str | Path | None = None,
    population_table: str | Path | None = None,
    population_grid: str | Path | None = None,
    workspace: str | None = None,
    store=None,
) -> Inputs:
    """Read the layers, targets, township polygons and street networks.

    ``files`` maps a layer kind to a file or a list of files (a bureau's
    registry plus a map-service export): several files of a kind are loaded
    one by one and combined (:func:`sxgeo.io.result.combine_results`).
    Without any layer file the bundled synthetic demo data are used (and the
    reports say so); with at least one, only the given layers are used and the
    other kinds have no data.  ``area`` (lon/lat polygon: the scope grown by
    the cross-border margin ``margin_m``) limits the street network read from
    ``osm`` and the facilities that travel analyses count; with
    ``cross_border`` False only a point's own county's facilities count.  A
    network is read for ``mode`` and for every mode a travel target names.
    ``population_table`` (census per township) or ``population_grid``
    (GeoTIFF) replaces the residential layer and counts as the user's own data;
    with both, the grid's points take the table's age shares.
    ``workspace`` names a stored workspace (:func:`sxgeo.io.store.open_store`,
    or ``store``): its current layers, township polygons, targets file and
    OSM file are used, each unless given here; their summaries name the
    workspace and the version used.

    Raises
    ------
    sxgeo.errors.InputError, sxgeo.errors.LayerReadError, sxgeo.errors.TargetError
        With a one-line message.
    """
    files = {k: _paths(v) for k, v in (files or {}).items() if _paths(v)}
    stored: dict = {}
    if workspace is not None:
        stored, stored_targets, stored_osm = _workspace(workspace, store)
        osm = osm if osm is not None else stored_osm
        if targets_path is None and stored_targets is not None:
            return _with_targets_text(stored_targets, locals())
    layer_files = [p for paths in files.values() for p in paths]
    check_inputs([*layer_files, targets_path, township_polygons, osm, road_speeds, population_table, population_grid],
                 coord_system)
    targets = load_targets(targets_path, known_quantities=set(QUANTITIES))
    tasks = load_plan_tasks(targets_path)
    counties, townships = boundaries.load_counties(), boundaries.load_townships()
    tp = stored.pop("township_polygons").layer if "township_polygons" in stored and township_polygons is None else None
    if township_polygons is not None:
        tp_system = "wgs84" if coord_system == "auto" else coord_system  # boundary files are no map-service exports
        tp = load_township_polygons(township_polygons, coord_system=tp_system, counties=counties, townships=townships).layer
    population = _population(population_table, population_grid, tp, counties, townships)
    if files or population or stored:
        loaded = {k: v for k, v in stored.items() if k in LAYER_KINDS}
        loaded |= {
            kind: combine_results([
                load_layer(path, kind, coord_system=coord_system, township_polygons=tp, counties=counties, townships=townships)
                for path in paths
            ])
            for kind, paths in files.items()
        }
        loaded.update(population)
        synthetic = False
    else:
        loaded, synthetic = _demo(), True
    networks = {}
    if osm is not None:
        for m in sorted(travel_modes(targets, mode)):
            try:
                networks[m] = read_osm(osm, cache_dir=cache_dir, bbox_or_polygon=area, mode=m, road_speeds=road_speeds)
            except LayerReadError:
                raise
            except Exception as exc:  # pyosmium raises many kinds of errors on bad files
                raise InputError("report.err_osm", path=str(osm), problem=" ".join(str(exc).split())[:200]) from None
    return Inputs(
        layers={k: r.layer for k, r in loaded.items()},
        loaded=loaded,
        synthetic=synthetic,
        targets=targets,
        targets_source=str(targets_path) if targets_path else None,
        counties=counties,
        townships=townships,
        township_polygons=tp,
        networks=networks,
        detour_factor=detour_factor,
        mode=mode,
        cross_border=cross_border,
        area=area if cross_border else None,
        margin_m=margin_m,
        tasks=tasks,
    )


def _workspace(name: str, store) -> tuple[dict, str | None, str | None]:
    """A workspace's current layers (by kind), targets text and OSM file."""
    from sxgeo.io.store import open_store

    store = store or open_store()
    info = store.info(name)
    return store.layers(name), store.targets(name), info.osm


def _with_targets_text(text: str, args: dict) -> Inputs:
    """:func:`load_inputs` again with a workspace's targets file written to a temporary file."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sxgeo-targets-") as tmp:
        path = Path(tmp) / f"{args['workspace']}-targets.toml"
        path.write_text(text, encoding="utf-8")
        keys = ("coord_system", "township_polygons", "osm", "cache_dir", "area", "detour_factor", "mode", "cross_border",
                "margin_m", "road_speeds", "population_table", "population_grid", "workspace", "store")
        inputs = load_inputs(args["files"], targets_path=path, **{k: args[k] for k in keys})
    inputs.targets_source = f"{args['workspace']}:targets.toml"
    return inputs


def _paths(value) -> list:
    """A layer option's files: one path, several, or none."""
    if value is None:
        return []
    return [p for p in value if p is not None] if isinstance(value, list | tuple) else [value]


def _population(table, grid, township_polygons, counties, townships) -> dict[str, LoadResult]:
    """The residential layer from a census table or a population grid (empty when neither is given)."""
    if table is None and grid is None:
        return {}
    res = None
    if table is not None:
        res = load_population_table(table, townships=townships, counties=counties, township_polygons=township_polygons)
    if grid is not None:
        res = load_population_grid(grid, age_shares=res, counties=counties, townships=townships)
    return {"residential": res}


def travel_modes(targets, default: str = "walk") -> set[str]:
    """The travel modes the targets need: ``default`` and every mode a travel target names.

    A target's ``params.mode`` (``drive`` for hospital access) and, for
    targets whose rural residents travel otherwise, its ``params.rural_mode``
    both count, so that each gets the street network of its own mode.
    """
    modes = {default}
    for tg in targets:
        if tg.quantity in WALK_QUANTITIES:
            modes.add(str(tg.params.get("mode", default)))
            if "rural_mode" in tg.params:
                modes.add(str(tg.params["rural_mode"]))
    return modes


def targets_on(targets, kind: str) -> list:
    """The targets judged on the facility layer ``kind``, in file order.

    Presence rules counting ``kind`` and travel targets whose facilities are
    of ``kind`` (:data:`sxgeo.analysis.run.WALK_QUANTITIES`).
    """
    return [tg for tg in targets
            if tg.kind == kind or (tg.quantity in WALK_QUANTITIES and WALK_QUANTITIES[tg.quantity][0] == kind)]


_DEMO: dict[str, dict[str, LoadResult]] = {}


def _demo() -> dict[str, LoadResult]:
    """The bundled demo layers, read once per process (the layers are never modified)."""
    key = str(demo_dir())
    if key not in _DEMO:
        _DEMO[key] = load_demo()
    return dict(_DEMO[key])


def check_inputs(paths, coord_system: str = "auto") -> None:
    """Every given path is an existing file and the coordinate system is known (else :class:`InputError`)."""
    for path in paths:
        check_file(path)
    if coord_system != "auto" and normalise_coord_system(coord_system) is None:
        raise InputError("report.err_crs", value=coord_system)


def analyse_inputs(inputs: Inputs, *, county_codes: tuple[str, ...] | None = None, targets=None) -> Analysis:
    """Run :func:`sxgeo.analysis.run.analyse` on the inputs.

    With ``county_codes`` the residential layer is cut to those counties first
    (faster, and enough for the gap lists and siting of those counties; the
    evaluation of other units is then meaningless).
    """
    layers = dict(inputs.layers)
    res = layers.get("residential")
    if county_codes is not None and res is not None:
        layers["residential"] = res[res["county_code"].isin(county_codes)]
    return analyse(
        layers,
        targets=inputs.targets if targets is None else targets,
        network=inputs.networks,
        township_polygons=inputs.township_polygons,
        counties=inputs.counties,
        townships=inputs.townships,
        detour_factor=inputs.detour_factor,
        same_county=not inputs.cross_border,
        mode=inputs.mode,
        facility_area=inputs.area,
    )


def require_layers(available, needed: tuple[str, ...]) -> None:
    """Raise :class:`InputError` naming the first kind of ``needed`` not in ``available``."""
    for kind in needed:
        if kind not in set(available):
            raise InputError("report.err_no_layer", layer=kind)


def presence_in(frame: pd.DataFrame, tg, county_codes, city_codes) -> pd.DataFrame:
    """The rows of a presence rule's gap list (``Analysis.presence_gaps``) in an area, in order.

    Townships and counties by their county (``county_codes``), cities by
    ``city_codes`` (the gap list already keeps to the rule's scope).
    """
    if tg.level == "city":
        keep = frame["city_code"].isin(set(city_codes))
    else:
        keep = frame["county_code"].astype(str).str[:6].isin(set(county_codes))
    return frame[keep.to_numpy()].reset_index(drop=True)
