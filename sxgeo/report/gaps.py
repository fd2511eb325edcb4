"""Gap lists: which townships, communities and counties fall short, exported for siting.

``sxgeo gaps --kind`` of a walking kind (``fitness``, ``elderly``) or
``kindergarten`` writes one list.  ``--kind`` of a plan task's facility layer
(``primary_care``, ``hospitals``, ``special_education``, ``culture``,
``child_welfare``) writes one list per target of the targets file on that
layer: for a presence rule the units without the facility
(:meth:`sxgeo.analysis.run.Analysis.presence_gaps`), for a travel target the
villages and communities beyond its travel time
(:meth:`sxgeo.analysis.run.Analysis.walk_gaps`), each by the mode its
parameters name.  An XLSX file holds a contents sheet and one sheet per list,
a GeoPackage one layer per list (presence lists as attribute tables) and the
contents table, and CSV one file per list (``<name>_<target id>.csv``) next
to the contents file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.analysis.inputs import Inputs, analyse_inputs, presence_in, require_layers, targets_on
from sxgeo.analysis.run import Analysis
from sxgeo.errors import InputError
from sxgeo.io.targets import Target
from sxgeo.layers.geometry import off_map_rows
from sxgeo.layers.scope import Scope
from sxgeo.outputs.tables import localise, notes_in, to_xlsx_bytes, write_table
from sxgeo.text import t

__all__ = [
    "GAP_KINDS",
    "GAP_LAYERS",
    "OFF_MAP",
    "TARGET_KINDS",
    "TargetGaps",
    "export_gaps",
    "export_target_gaps",
    "gap_rows",
    "numbered_sheet",
    "presence_table",
    "target_gaps",
    "travel_table",
]

#: ``sxgeo gaps --kind`` -> walking quantity (None: the kindergarten gap list).
GAP_KINDS: dict[str, str | None] = {
    "kindergarten": None,
    "fitness": "fitness_walk_share",
    "elderly": "elderly_walk_share",
}
#: ``sxgeo gaps --kind`` of a plan task's facility layer: one list per target on the layer.
TARGET_KINDS = ("primary_care", "hospitals", "special_education", "culture", "child_welfare")
#: ``sxgeo gaps --kind off_map``: the loaded records without a location, every layer together.
OFF_MAP = "off_map"


def gap_rows(analysis: Analysis, kind: str) -> gpd.GeoDataFrame | None:
    """The full gap list of ``kind`` (``kindergarten``, ``fitness``, ``elderly``).

    See :meth:`sxgeo.analysis.run.Analysis.gap_lists`: walking gap lists keep
    every column of the source demand layer plus the access results; the
    kindergarten list holds townships keyed by ``unit_code``.  None when the
    layers needed are missing.
    """
    return analysis.gap_lists().get(kind)


#: Layer kinds each gap list needs.
GAP_LAYERS: dict[str, tuple[str, ...]] = {
    "kindergarten": ("kindergartens",),
    "fitness": ("residential", "fitness"),
    "elderly": ("residential", "elderly_care"),
    # travel targets and population minimums need the residents; the culture and child-welfare rules do not
    "primary_care": ("residential", "primary_care"),
    "hospitals": ("residential", "hospitals"),
    "special_education": ("residential", "special_education"),
    "culture": ("culture",),
    "child_welfare": ("child_welfare",),
    OFF_MAP: (),
}


def export_gaps(inputs: Inputs, kind: str, scope: Scope, path: str | Path, *, lang: str = "zh") -> tuple[Path, int]:
    """Write the gap list of ``kind`` in ``scope`` to ``path`` (.csv, .xlsx or .gpkg).

    ``kind`` ``off_map`` writes the records without a location instead (a
    table without geometry: a GeoPackage gets it as an attribute table).
    Returns the path and the number of rows written.
    """
    require_layers([k for k, v in inputs.layers.items() if v is not None], GAP_LAYERS[kind])
    if kind == OFF_MAP:
        rows = notes_in(scope.rows(off_map_rows(inputs.layers)), lang)
        return _write(localise(rows, lang), path, kind, lang), len(rows)
    quantity = GAP_KINDS[kind]
    targets = inputs.targets
    if quantity is not None:
        targets = [tg for tg in inputs.targets if tg.quantity == quantity][:1]
        if not targets:
            raise InputError("report.err_no_target", quantity=quantity)
    else:
        targets = [tg for tg in inputs.targets if tg.kind == "kindergartens"][:1] or inputs.targets[:1]
    analysis = analyse_inputs(inputs, county_codes=scope.county_codes, targets=targets)
    rows = scope.rows(gap_rows(analysis, kind))
    return _write(localise(rows, lang), path, kind, lang), len(rows)


def _write(frame, path: str | Path, kind: str, lang: str) -> Path:
    """Write one list; a file that cannot be written is an :class:`InputError` naming it."""
    path = Path(path)
    try:
        write_table(frame, path, layer=f"{kind}_gaps", lang=lang)
    except OSError as exc:
        raise InputError("report.err_output_file", path=str(path), problem=exc.strerror or type(exc).__name__) from None
    return path


# --------------------------------------------------------------------- the plan tasks' layers
@dataclass
class TargetGaps:
    """One target's gap list in a scope: units without the facility, or residential points beyond reach.

    Attributes
    ----------
    target
        The target (a presence rule or a travel target).
    rows
        Presence rule: the rows of :meth:`Analysis.presence_gaps` in the
        scope; travel target: the rows of :meth:`Analysis.walk_gaps` in the
        scope with ``target_id`` and ``travel_mode`` (the mode of each
        resident: the target's ``mode``, or ``rural_mode`` for rural
        residents when the target names one).
    """

    target: Target
    rows: pd.DataFrame


def _travel_modes(rows: pd.DataFrame, params: dict) -> np.ndarray:
    """Each resident's travel mode: the target's, or ``rural_mode`` for rural residents when it names one."""
    mode = str(params.get("travel_mode", "walk"))
    if "rural_mode" not in params:
        return np.full(len(rows), mode, dtype=object)
    urban = rows["urban"].fillna(False).astype(bool).to_numpy() if "urban" in rows else np.ones(len(rows), bool)
    return np.where(urban, mode, str(params["rural_mode"])).astype(object)


def travel_rows(analysis: Analysis, tg: Target, county_codes) -> pd.DataFrame | None:
    """A travel target's uncovered residential points in ``county_codes`` (see :class:`TargetGaps`), or None."""
    gaps = analysis.walk_gaps(tg.quantity, tg.id)
    if gaps is None:
        return None
    rows = gaps[gaps["county_code"].astype(str).isin(set(county_codes)).to_numpy()].reset_index(drop=True)
    rows["rank"] = np.arange(1, len(rows) + 1)
    rows.insert(1, "target_id", tg.id)
    rows["travel_mode"] = _travel_modes(rows, analysis.walk_result(tg.quantity, tg.id).params)
    return rows


def _cities(inputs: Inputs, county_codes) -> list[str]:
    counties = inputs.counties
    return list(dict.fromkeys(counties.loc[counties["adcode"].isin(set(county_codes)), "city_code"]))


def target_gaps(inputs: Inputs, kind: str, scope: Scope) -> list[TargetGaps]:
    """Every target's gap list on the facility layer ``kind`` in ``scope``, in the targets file's order.

    Presence rules are counted with the residents of every county of the
    scope's cities (a city rule's population is the whole city's), travel
    targets with those of the scope (by the modes their parameters name,
    over the networks :func:`sxgeo.analysis.inputs.load_inputs` read for them).

    Raises
    ------
    InputError
        When a layer the lists need is missing, or no target is judged on ``kind``.
    """
    require_layers([k for k, v in inputs.layers.items() if v is not None], GAP_LAYERS[kind])
    targets = targets_on(inputs.targets, kind)
    if not targets:
        raise InputError("report.err_no_kind_target", layer=kind)
    cities = _cities(inputs, scope.county_codes)
    out: dict[str, pd.DataFrame] = {}
    presence = [tg for tg in targets if tg.is_presence]
    if presence:
        counties = inputs.counties
        codes = scope.county_codes
        if any(tg.level == "city" for tg in presence):
            codes = tuple(counties.loc[counties["city_code"].isin(cities), "adcode"])
        analysis = analyse_inputs(inputs, county_codes=codes, targets=presence)
        for tg in presence:
            out[tg.id] = presence_in(analysis.presence_gaps(tg.id), tg, scope.county_codes, cities)
    travel = [tg for tg in targets if not tg.is_presence]
    if travel:
        analysis = analyse_inputs(inputs, county_codes=scope.county_codes, targets=travel)
        for tg in travel:
            out[tg.id] = travel_rows(analysis, tg, scope.county_codes)
    return [TargetGaps(tg, out[tg.id]) for tg in targets]


_PRESENCE_COLUMNS = ("target_id", "target_zh", "target_en", "unit_code", "unit_name", "unit_kind", "county_code",
                     "county_name", "city_code", "city_name", "population", "count", "needed")


def presence_table(rows: pd.DataFrame, tg: Target, lang: str = "zh") -> pd.DataFrame:
    """A presence rule's gap rows as exported: the rule, the unit, its residents, facilities present and missing, source.

    Headers and words in ``lang`` (pass the result to the table writers as it is).
    """
    frame = rows.assign(target_zh=tg.name("zh"), target_en=tg.name("en"))
    cols = [c for c in _PRESENCE_COLUMNS if c in frame.columns]
    frame = pd.DataFrame(frame[cols])
    if tg.level in ("city", "county"):  # a county is its own county; a city has none
        frame = frame.drop(columns=["county_code", "county_name"], errors="ignore")
    frame[t("report.col_present", lang)] = frame.pop("count").astype(int)
    frame[t("report.col_missing", lang)] = frame.pop("needed").astype(int)
    frame[t("report.col_rule_source", lang)] = tg.source(lang)
    frame[t("report.col_assumption", lang)] = t("bool.true" if tg.assumption else "bool.false", lang)
    return localise(frame, lang)


def travel_table(rows: pd.DataFrame, tg: Target, lang: str = "zh") -> pd.DataFrame:
    """A travel target's uncovered points as exported: every column of the points, the travel mode in words."""
    frame = notes_in(rows.copy(), lang)
    frame["travel_mode"] = [t(f"report.travel_{m}", lang) for m in frame["travel_mode"]]
    # minutes by each resident's own mode (walking or driving), to one decimal as every minutes column
    minutes = pd.to_numeric(frame.pop("minutes"), errors="coerce").round(1)
    frame.insert(frame.columns.get_loc("distance_m") if "distance_m" in frame else len(frame.columns),
                 t("report.col_travel_minutes", lang), minutes)
    frame = frame.rename(columns={"travel_mode": t("report.col_travel_mode", lang)})
    return localise(frame, lang)


def numbered_sheet(number: int, title: str) -> str:
    r"""A sheet name ``"<number> <title>"`` as Excel keeps it: without ``[]:*?/\\`` and at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "", f"{number} {title}")[:31]


def _contents(lists: list[TargetGaps], names: list[str], lang: str) -> pd.DataFrame:
    """One row per list: where it is, the target, its level, what it lists, how many rows, its source."""
    tr = {k: t(f"report.{k}", lang) for k in ("col_list", "col_list_kind", "col_rows", "col_rule_source",
                                              "col_assumption")}
    rows = []
    for item, name in zip(lists, names, strict=True):
        tg = item.target
        kind = "list_presence" if tg.is_presence else "list_travel"
        rows.append({
            tr["col_list"]: name, "target_id": tg.id, "target_zh": tg.name("zh"), "target_en": tg.name("en"),
            "level": tg.level, tr["col_list_kind"]: t(f"report.{kind}", lang),
            tr["col_rows"]: 0 if item.rows is None else len(item.rows),
            tr["col_rule_source"]: tg.source(lang),
            tr["col_assumption"]: t("bool.true" if tg.assumption else "bool.false", lang),
        })
    return localise(pd.DataFrame(rows), lang)


def _table(item: TargetGaps, lang: str) -> pd.DataFrame:
    if item.rows is None:
        return pd.DataFrame()
    if item.target.is_presence:
        return presence_table(item.rows, item.target, lang)
    return travel_table(item.rows, item.target, lang)


def export_target_gaps(inputs: Inputs, kind: str, scope: Scope, path: str | Path, *,
                       lang: str = "zh") -> tuple[list[Path], list[TargetGaps]]:
    """Write every target's gap list on the facility layer ``kind`` (see :func:`target_gaps`).

    ``path``'s suffix chooses the format: ``.xlsx`` one workbook (a contents
    sheet, then one sheet per target, numbered in the targets file's order),
    ``.gpkg`` one GeoPackage (a ``contents`` table and one layer per
    target named by its id; an empty list is only in the contents), ``.csv``
    the contents at ``path`` and one file per target beside it
    (``<stem>_<target id>.csv``).  Returns the files written and the lists.
    """
    path = Path(path)
    lists = target_gaps(inputs, kind, scope)
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            names = [numbered_sheet(i, item.target.name(lang)) for i, item in enumerate(lists, start=1)]
            sheets = {t("report.sheet_contents", lang): _contents(lists, names, lang)}
            sheets.update({name: _table(item, lang) for name, item in zip(names, lists, strict=True)})
            path.write_bytes(to_xlsx_bytes(sheets, lang))
            return [path], lists
        if suffix == ".gpkg":
            if path.exists():
                path.unlink()
            names = [item.target.id for item in lists]
            write_table(_contents(lists, names, lang), path, layer="contents", lang=lang)
            for item in lists:
                if item.rows is not None and len(item.rows):
                    write_table(_table(item, lang), path, layer=item.target.id, lang=lang)
            return [path], lists
        files = [path.with_name(f"{path.stem}_{item.target.id}{path.suffix}") for item in lists]
        write_table(_contents(lists, [f.name for f in files], lang), path, layer="contents", lang=lang)
        for item, file in zip(lists, files, strict=True):
            write_table(_table(item, lang), file, layer=item.target.id, lang=lang)
        return [path, *files], lists
    except OSError as exc:
        raise InputError("report.err_output_file", path=str(path), problem=exc.strerror or type(exc).__name__) from None
