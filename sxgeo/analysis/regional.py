"""The "four regional medical projects" scenario: drive-time reach of high-level hospitals before and after."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.analysis.run import Analysis
from sxgeo.analysis.scenario import run_scenario
from sxgeo.errors import TargetError
from sxgeo.io import load_layer
from sxgeo.io.targets import Target
from sxgeo.layers import boundaries
from sxgeo.layers.kinds import get_kind, normalise_value
from sxgeo.resources import package_file
from sxgeo.text import LANGS, choose, t

__all__ = [
    "DEFAULT_SCENARIO",
    "LEVELS",
    "QUANTITY",
    "RegionalReach",
    "RegionalScenario",
    "RegionalScenarioError",
    "load_regional_scenario",
    "regional_reach",
    "scenario_targets",
]

#: The shipped scenario file.
DEFAULT_SCENARIO = package_file("data", "scenarios", "regional_medical.toml")
#: The quantity every reach is computed with (:data:`sxgeo.analysis.run.WALK_QUANTITIES`).
QUANTITY = "hospital_drive_share"
#: The levels of the reach table, largest first.
LEVELS = ("province", "city", "county")
#: Comparison threshold of the built targets: everybody within reach.  Only the shares are reported
#: (the targets' met / not met status is not used), so this is no plan number.
_EVERYBODY = 1.0
#: Hospital level code -> rank (the ``hospital_level`` codes of the hospitals layer kind).
_LEVEL_RANK = {"level1": 1, "level2": 2, "level3": 3}

_TOP_REQUIRED = ("title_zh", "title_en", "clause_zh", "clause_en", "source_zh", "source_en", "thresholds_min",
                 "min_level", "site")
_TOP_OPTIONAL = ("task", "position_note_zh", "position_note_en")
_SITE_REQUIRED = ("id", "name", "city_code", "lon", "lat", "hospital_level", "admin_tier")
_SITE_OPTIONAL = ("name_en", "approximate")
#: The unit columns of county rows under their county names.
_COUNTY = {"unit_code": "county_code", "unit_name": "county_name"}
_TABLE_COLUMNS = ["level", "unit_code", "unit_name", "threshold_min", "population", "covered_before", "covered_after",
                  "share_before", "share_after", "gain"]


class RegionalScenarioError(TargetError):
    """A malformed scenario file; the one-line message names the file, the site and the field.

    A parameter given as ``{"zh": ..., "en": ...}`` (a loader's reason) is shown in the message's language.
    """

    def localised_params(self, lang: str) -> dict[str, object]:
        """The parameters as shown in ``lang``: per-language values in that language."""
        return {k: choose(v, lang) if isinstance(v, dict) else v for k, v in self.params.items()}


@dataclass(eq=False)
class RegionalScenario:
    """A regional medical scenario read from its file.

    Attributes
    ----------
    title_zh, title_en, clause_zh, clause_en, source_zh, source_en
        The scenario's title, the plan clause it comes from and the document.
    thresholds_min
        The drive times (minutes) compared, ascending.
    min_level
        Hospitals of at least this level serve (1, 2 or 3).
    sites
        The projects as a validated hospitals layer (:func:`sxgeo.io.load_layer`)
        with ``name_en`` and ``approximate`` (bool) added.
    position_note_zh, position_note_en
        What an approximate position means (for every site with ``approximate``).
    task, path
        The plan task and the file read.
    """

    title_zh: str
    title_en: str
    clause_zh: str
    clause_en: str
    source_zh: str
    source_en: str
    thresholds_min: tuple[float, ...]
    min_level: int
    sites: gpd.GeoDataFrame
    position_note_zh: str = ""
    position_note_en: str = ""
    task: str = ""
    path: Path | None = None

    def title(self, lang: str = "zh") -> str:
        """The scenario's title in ``lang``."""
        return choose({"zh": self.title_zh, "en": self.title_en}, lang)

    def clause(self, lang: str = "zh") -> str:
        """The plan clause in ``lang``."""
        return choose({"zh": self.clause_zh, "en": self.clause_en}, lang)

    def source(self, lang: str = "zh") -> str:
        """The document the scenario comes from, in ``lang``."""
        return choose({"zh": self.source_zh, "en": self.source_en}, lang)

    def position_note(self, lang: str = "zh") -> str:
        """The note on approximate positions in ``lang`` (empty when the file gives none)."""
        return choose({"zh": self.position_note_zh, "en": self.position_note_en}, lang)

    def level(self, lang: str = "zh") -> str:
        """The lowest hospital level that serves, in words (三级)."""
        return _level_word(self.min_level, lang)

    @property
    def any_approximate(self) -> bool:
        """Whether any site's position is approximate."""
        return bool(self.sites["approximate"].any())


def _level_word(rank: int, lang: str) -> str:
    """A hospital level rank in words (``cat.hospital_level.<code>``: 三级)."""
    code = next(c for c, r in _LEVEL_RANK.items() if r == rank)
    return t(f"cat.hospital_level.{code}", lang)


# --------------------------------------------------------------------------- reading the file
def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegionalScenarioError("regional.err.not_found", where=path.name) from None
    except tomllib.TOMLDecodeError as exc:
        raise RegionalScenarioError("regional.err.toml", where=path.name, problem=str(exc)) from None


def _check_fields(raw: dict, required: tuple[str, ...], optional: tuple[str, ...], where: str) -> None:
    missing = [k for k in required if k not in raw]
    if missing:
        raise RegionalScenarioError("regional.err.missing", where=where, fields=", ".join(missing))
    unknown = sorted(set(raw) - {*required, *optional})
    if unknown:
        raise RegionalScenarioError("regional.err.unknown_fields", where=where, fields=", ".join(unknown))


def _text(raw: dict, name: str, where: str, *, required: bool = True) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise RegionalScenarioError("regional.err.text", where=where, field=name)
    return value.strip()


def _number(value: Any, name: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise RegionalScenarioError("regional.err.number", where=where, field=name, value=value)
    return float(value)


def _thresholds(raw: dict, where: str) -> tuple[float, ...]:
    values = raw["thresholds_min"]
    ok = isinstance(values, list) and values and all(
        not isinstance(v, bool) and isinstance(v, (int, float)) and np.isfinite(v) and v > 0 for v in values
    )
    if not ok or len(set(values)) != len(values):
        raise RegionalScenarioError("regional.err.thresholds", where=where, field="thresholds_min")
    return tuple(sorted(float(v) for v in values))


def _code(raw: dict, column: str, allowed_codes: tuple[str, ...], where: str) -> str:
    """A category value of the hospitals kind, by any accepted spelling, as its code (one of ``allowed_codes``)."""
    col = get_kind("hospitals").column(column)
    value = raw[column]
    code = col.category_lookup().get(normalise_value(value)) if isinstance(value, str) else None
    if code not in allowed_codes:
        allowed = ", ".join(col.values[c][0] for c in allowed_codes)
        raise RegionalScenarioError("regional.err.choice", where=where, field=column, value=value, allowed=allowed)
    return code


def _site_record(raw: Any, i: int, min_level: int, cities: dict[str, str], file: str) -> dict[str, Any]:
    """One ``[[site]]`` table checked and in the hospitals layer's columns."""
    if not isinstance(raw, dict):
        raise RegionalScenarioError("regional.err.site_table", where=f"{file} [site {i + 1}]")
    where = f"{file} [site {raw.get('id', i + 1)}]"
    _check_fields(raw, _SITE_REQUIRED, _SITE_OPTIONAL, where)
    site_id, name = _text(raw, "id", where), _text(raw, "name", where)
    lon, lat = _number(raw["lon"], "lon", where), _number(raw["lat"], "lat", where)
    city_code = str(raw["city_code"]).strip()
    if city_code not in cities:
        raise RegionalScenarioError("regional.err.choice", where=where, field="city_code", value=raw["city_code"],
                                    allowed=", ".join(sorted(cities)))
    level = _code(raw, "hospital_level", tuple(_LEVEL_RANK), where)
    if _LEVEL_RANK[level] < min_level:
        raise RegionalScenarioError("regional.err.level_low", where=where, value=raw["hospital_level"],
                                    level={lang: _level_word(min_level, lang) for lang in LANGS})
    tier = _code(raw, "admin_tier", ("county", "city", "province"), where)
    approximate = raw.get("approximate", False)
    if not isinstance(approximate, bool):
        raise RegionalScenarioError("regional.err.bool", where=where, field="approximate")
    return {"id": site_id, "name": name, "name_en": _text(raw, "name_en", where, required=False) or name,
            "lon": lon, "lat": lat, "coord_system": "wgs84", "hospital_level": level, "admin_tier": tier,
            "source": file, "approximate": approximate, "declared_city": city_code, "where": where}


def _load_sites(records: list[dict], file: str, cities: dict[str, str], counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The sites through :func:`sxgeo.io.load_layer`; each must load, be located and lie in its declared city."""
    frame = pd.DataFrame(records)
    columns = ["id", "name", "lon", "lat", "coord_system", "hospital_level", "admin_tier", "source"]
    result = load_layer(frame[columns], "hospitals", coord_system="wgs84", display_name=file, counties=counties)
    for _, rej in result.rejected.iterrows():
        rec = records[int(rej["row"]) - 1]
        raise RegionalScenarioError("regional.err.rejected", where=rec["where"],
                                    reason={"zh": rej["reason"], "en": rej["reason_en"]})
    layer = result.layer.reset_index(drop=True)
    by_id = frame.set_index("id")
    for _, row in layer.iterrows():
        rec = by_id.loc[row["id"]]
        if not bool(row["located"]) or row["city_code"] != rec["declared_city"]:
            found = row["county_name"] if isinstance(row["county_name"], str) else "—"
            raise RegionalScenarioError(
                "regional.err.outside_city", where=rec["where"], lon=rec["lon"], lat=rec["lat"], found=found,
                city_code=rec["declared_city"], city=cities[rec["declared_city"]],
            )
    layer["name_en"] = layer["id"].map(by_id["name_en"]).astype(object)
    layer["approximate"] = layer["id"].map(by_id["approximate"]).astype(bool)
    return layer


def load_regional_scenario(path: str | Path | None = None, *, counties: gpd.GeoDataFrame | None = None
                           ) -> RegionalScenario:
    """Read and check a regional medical scenario file (the shipped one by default).

    Parameters
    ----------
    path
        TOML file: titles, plan clause and source (``_zh`` / ``_en``),
        ``thresholds_min`` (drive times), ``min_level`` and one ``[[site]]``
        per project (``id``, ``name``, ``city_code``, ``lon`` / ``lat`` in
        WGS-84, ``hospital_level``, ``admin_tier``, optional ``name_en`` and
        ``approximate``).
    counties
        County boundaries (default: the shipped ones).

    Raises
    ------
    RegionalScenarioError
        A :class:`~sxgeo.errors.TargetError` whose one-line message names the
        file, the site and the field: a missing or unknown field, a value that
        is not a number or not one of the accepted words, a level below
        ``min_level``, a site that does not load or lies outside its city.
    """
    path = Path(path) if path is not None else DEFAULT_SCENARIO
    raw = _read(path)
    _check_fields(raw, _TOP_REQUIRED, _TOP_OPTIONAL, path.name)
    texts = {k: _text(raw, k, path.name) for k in _TOP_REQUIRED[:6]}
    notes = {k: _text(raw, k, path.name, required=False) for k in ("position_note_zh", "position_note_en")}
    min_level = raw["min_level"]
    if isinstance(min_level, bool) or min_level not in tuple(_LEVEL_RANK.values()):
        allowed = ", ".join(str(v) for v in _LEVEL_RANK.values())
        raise RegionalScenarioError("regional.err.choice", where=path.name, field="min_level", value=min_level,
                                    allowed=allowed)
    thresholds = _thresholds(raw, path.name)
    sites = raw["site"]
    if not isinstance(sites, list) or not sites:
        raise RegionalScenarioError("regional.err.no_sites", where=path.name)
    counties = boundaries.load_counties() if counties is None else counties
    cities = dict(zip(counties["city_code"], counties["city_name"]))
    records = [_site_record(s, i, int(min_level), cities, path.name) for i, s in enumerate(sites)]
    ids = [r["id"] for r in records]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise RegionalScenarioError("regional.err.duplicate", where=path.name, ids=", ".join(dup))
    return RegionalScenario(
        **texts, **notes, thresholds_min=thresholds, min_level=int(min_level),
        sites=_load_sites(records, path.name, cities, counties), task=str(raw.get("task", "")), path=path,
    )


# --------------------------------------------------------------------------- the reach
def scenario_targets(scenario: RegionalScenario) -> list[Target]:
    """The targets the reach is computed with: one per drive time and level, over :data:`QUANTITY`."""
    out = []
    for minutes in scenario.thresholds_min:
        params = {"threshold_min": minutes, "mode": "drive", "min_level": scenario.min_level, "urban_only": False}
        names = {lang: t("regional.target_name", lang, minutes=minutes, level=scenario.level(lang)) for lang in LANGS}
        for level in LEVELS:
            out.append(Target(
                id=f"regional_{level}_{minutes:g}", name_zh=names["zh"], name_en=names["en"], quantity=QUANTITY,
                level=level, comparator=">=", threshold=_EVERYBODY, unit="share", clause_zh=scenario.clause_zh,
                clause_en=scenario.clause_en, params=params, task=scenario.task, source_zh=scenario.source_zh,
                source_en=scenario.source_en, assumption=True,
            ))
    return out


def _rows(analysis: Analysis, target: Target) -> pd.DataFrame:
    """The quantity rows of one target: unit, value (share), covered residents and residents."""
    q = analysis.quantities
    key = target.params_key()
    rows = q[(q["quantity"] == QUANTITY) & (q["level"] == target.level) & q["params_key"].map(lambda k: k == key)]
    out = rows[["unit_code", "unit_name", "value", "numerator", "denominator"]].set_index("unit_code")
    return out.astype({"value": float, "numerator": float, "denominator": float})


def _table(before: Analysis, after: Analysis, targets: list[Target]) -> pd.DataFrame:
    """The tidy reach table (see :class:`RegionalReach`)."""
    frames = []
    for tg in targets:
        b, a = _rows(before, tg), _rows(after, tg)
        frame = pd.DataFrame({
            "level": tg.level, "unit_code": a.index.to_numpy(), "unit_name": a["unit_name"].to_numpy(),
            "threshold_min": float(tg.params["threshold_min"]), "population": a["denominator"].to_numpy(),
            # no hospitals layer before: "no data", never "nobody in reach" (as in the target checks)
            "covered_before": b["numerator"].where(b["value"].notna()).reindex(a.index).to_numpy(),
            "covered_after": a["numerator"].where(a["value"].notna()).to_numpy(),
            "share_before": b["value"].reindex(a.index).to_numpy(),
            "share_after": a["value"].to_numpy(),
        })
        frames.append(frame[frame["population"] > 0])
    table = pd.concat(frames, ignore_index=True)
    table["gain"] = table["share_after"] - table["share_before"]
    table["_order"] = table["level"].map({level: i for i, level in enumerate(LEVELS)})
    table = table.sort_values(["_order", "threshold_min", "unit_code"], kind="stable")
    return table[_TABLE_COLUMNS].reset_index(drop=True)


@dataclass(eq=False)
class RegionalReach:
    """Drive-time reach of high-level hospitals before and after a regional scenario.

    Attributes
    ----------
    scenario
        The scenario (:func:`load_regional_scenario`).
    table
        Tidy table, one row per level (``province``, ``city``, ``county``) ×
        unit with residents × drive time: ``level, unit_code, unit_name,
        threshold_min, population, covered_before, covered_after,
        share_before, share_after, gain`` (share after − share before, in
        share points: 0.05 is 5 percentage points).  Before is NaN ("no data")
        when the layers hold no hospitals layer.
    before, after
        The two analyses (:func:`sxgeo.analysis.scenario.run_scenario`), for
        maps and the points in reach.
    targets
        The targets built from the scenario (:func:`scenario_targets`).
    counties
        County boundaries (for each county's city).
    """

    scenario: RegionalScenario
    table: pd.DataFrame
    before: Analysis
    after: Analysis
    targets: list[Target]
    counties: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    @property
    def mode(self) -> str:
        """``network`` when the drive times ran along a drive network, else ``distance``."""
        return self.after.mode

    @property
    def thresholds_min(self) -> tuple[float, ...]:
        """The drive times compared, ascending."""
        return self.scenario.thresholds_min

    @property
    def largest(self) -> float:
        """The largest drive time of the scenario."""
        return max(self.scenario.thresholds_min)

    def at(self, level: str, threshold_min: float | None = None) -> pd.DataFrame:
        """The rows of one level (and drive time), as in :attr:`table`."""
        rows = self.table[self.table["level"] == level]
        if threshold_min is not None:
            rows = rows[rows["threshold_min"] == float(threshold_min)]
        return rows.reset_index(drop=True)

    def with_city(self, rows: pd.DataFrame) -> pd.DataFrame:
        """County rows (``county_code`` or ``unit_code``) with their city's code and name after the county's name."""
        code, name = ("county_code", "county_name") if "county_code" in rows else ("unit_code", "unit_name")
        city = self.counties.set_index("adcode")[["city_code", "city_name"]] if len(self.counties) else None
        out = rows.copy()
        pos = out.columns.get_loc(name) + 1
        for i, col in enumerate(("city_code", "city_name")):
            out.insert(pos + i, col, out[code].map(city[col]) if city is not None else None)
        return out

    def gainers(self, n: int | None = 10, threshold_min: float | None = None) -> pd.DataFrame:
        """Counties whose residents in reach grew the most, at one drive time (default: the largest).

        Ranked by residents gained (``gain_population``), then by share gained
        (``gain``), then by code; only counties that gained.  ``n`` None keeps
        every one.  Columns: ``rank``, ``county_code``, ``county_name``,
        ``city_code``, ``city_name`` and the table's columns with
        ``gain_population`` (residents gained).
        """
        minutes = self.largest if threshold_min is None else float(threshold_min)
        rows = self.at("county", minutes)
        rows = rows.assign(gain_population=rows["covered_after"] - rows["covered_before"])
        rows = rows[rows["gain_population"] > 0]
        rows = rows.sort_values(["gain_population", "gain", "unit_code"], ascending=[False, False, True])
        rows = rows.head(n) if n is not None else rows
        rows.insert(0, "rank", np.arange(1, len(rows) + 1))
        cols = ["rank", "unit_code", "unit_name", "threshold_min", "population", "covered_before", "covered_after",
                "gain_population", "share_before", "share_after", "gain"]
        return self.with_city(rows[cols].rename(columns=_COUNTY).reset_index(drop=True))

    def outside(self) -> pd.DataFrame:
        """Counties with residents beyond the largest drive time of every hospital even after the scenario.

        Columns: ``county_code``, ``county_name``, ``city_code``,
        ``city_name``, ``threshold_min`` (the largest),
        ``population``, ``population_outside`` (residents not in reach after)
        and ``share_outside``; most residents outside first.
        """
        rows = self.at("county", self.largest)
        rows = rows.assign(population_outside=rows["population"] - rows["covered_after"],
                           share_outside=1.0 - rows["share_after"])
        rows = rows[rows["population_outside"] > 0]
        rows = rows.sort_values(["population_outside", "share_outside", "unit_code"], ascending=[False, False, True])
        cols = ["unit_code", "unit_name", "threshold_min", "population", "population_outside", "share_outside"]
        return self.with_city(rows[cols].rename(columns=_COUNTY).reset_index(drop=True))


def regional_reach(layers: dict[str, gpd.GeoDataFrame | None], scenario: RegionalScenario, **analyse_kwargs
                   ) -> RegionalReach:
    """Residents within each drive time of a hospital of level ≥ ``min_level``, before and after the projects.

    The same computation as the target checks: :func:`sxgeo.analysis.scenario.run_scenario`
    with targets over ``hospital_drive_share`` built from the scenario (one per
    drive time and level; :func:`scenario_targets`), the scenario's sites added
    to the ``hospitals`` layer.

    Parameters
    ----------
    layers
        Loaded layers by kind: ``residential`` and ``hospitals`` (the existing
        hospitals; without it the "before" is no data).
    scenario
        From :func:`load_regional_scenario`.
    **analyse_kwargs
        Passed to :func:`sxgeo.analysis.run.analyse` (``network={"drive": ...}``
        for drive times along roads, else straight line × detour factor at the
        default driving speed; ``counties``, ``townships``, ``facility_area`` …).

    Returns
    -------
    RegionalReach
    """
    targets = scenario_targets(scenario)
    before, after, _ = run_scenario(layers, {"hospitals": scenario.sites}, targets=targets, **analyse_kwargs)
    counties = analyse_kwargs.get("counties")
    counties = boundaries.load_counties() if counties is None else counties
    return RegionalReach(scenario=scenario, table=_table(before, after, targets), before=before, after=after,
                         targets=targets, counties=pd.DataFrame(counties.drop(columns="geometry", errors="ignore")))
