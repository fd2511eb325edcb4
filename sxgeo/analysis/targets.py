"""The plan's targets as data, and their evaluation against computed quantities.

Targets live in a TOML file (``sxgeo/data/targets.toml`` by default): id,
names, plan clause, quantity, level, comparator, threshold and optional
parameters.  :func:`evaluate` joins them with a tidy quantity table and returns
one row per unit × target: value, threshold, met, and status ``met``,
``not_met`` or ``no_data``.  A target whose data are missing is never counted
as a pass or a fail.
"""

from __future__ import annotations

import copy
import operator
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sxgeo.resources import package_file

__all__ = ["Target", "TargetError", "DEFAULT_TARGETS", "load_targets", "evaluate", "LEVELS", "COMPARATORS"]

DEFAULT_TARGETS = package_file("data", "targets.toml")
LEVELS = ("township", "county", "city", "province")
COMPARATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
UNITS = ("share", "count", "per100", "minutes", "rate")
_REQUIRED = ("id", "name_zh", "name_en", "quantity", "level", "comparator", "threshold")


class TargetError(ValueError):
    """A targets file is malformed; the message names the file, the target and the problem."""


@dataclass(frozen=True)
class Target:
    """One target of the plan (see the module docstring)."""

    id: str
    name_zh: str
    name_en: str
    quantity: str
    level: str
    comparator: str
    threshold: float
    unit: str = "share"
    clause_zh: str = ""
    clause_en: str = ""
    scope: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def clause(self, lang: str = "zh") -> str:
        return self.clause_zh if lang == "zh" else self.clause_en

    def params_key(self) -> tuple:
        """A hashable form of the parameters: targets with equal keys share one computation."""
        return tuple(sorted(self.params.items()))


def _check(raw: dict, where: str, known_quantities: set[str] | None) -> Target:
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise TargetError(f"{where}: missing field(s) {', '.join(missing)}")
    if raw["level"] not in LEVELS:
        raise TargetError(f"{where}: level {raw['level']!r} is not one of {', '.join(LEVELS)}")
    if raw["comparator"] not in COMPARATORS:
        raise TargetError(f"{where}: comparator {raw['comparator']!r} is not one of {', '.join(COMPARATORS)}")
    try:
        threshold = float(raw["threshold"])
    except (TypeError, ValueError):
        raise TargetError(f"{where}: threshold {raw['threshold']!r} is not a number") from None
    unit = raw.get("unit", "share")
    if unit not in UNITS:
        raise TargetError(f"{where}: unit {unit!r} is not one of {', '.join(UNITS)}")
    if known_quantities is not None and raw["quantity"] not in known_quantities:
        raise TargetError(
            f"{where}: unknown quantity {raw['quantity']!r}; known: {', '.join(sorted(known_quantities))}"
        )
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise TargetError(f"{where}: params must be a table")
    unknown = set(raw) - {*_REQUIRED, "unit", "clause_zh", "clause_en", "scope", "params"}
    if unknown:
        raise TargetError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    return Target(
        id=str(raw["id"]),
        name_zh=str(raw["name_zh"]),
        name_en=str(raw["name_en"]),
        quantity=str(raw["quantity"]),
        level=raw["level"],
        comparator=raw["comparator"],
        threshold=threshold,
        unit=unit,
        clause_zh=str(raw.get("clause_zh", "")),
        clause_en=str(raw.get("clause_en", "")),
        scope=tuple(raw.get("scope", ())),
        params=dict(params),
    )


def load_targets(
    path: str | Path | None = None,
    *,
    overrides: dict[str, dict[str, Any]] | None = None,
    known_quantities: set[str] | None = None,
) -> list[Target]:
    """Read and check a targets file.

    Parameters
    ----------
    path
        TOML file; the bundled plan targets by default.
    overrides
        ``{target_id: {field: value}}`` applied after reading, for example
        ``{"fitness_15min": {"params": {"threshold_min": 10}}}`` (a ``params``
        override is merged into the existing table).
    known_quantities
        When given, a target over any other quantity is an error.

    Raises
    ------
    TargetError
        For a malformed file, naming the file, the target and the problem.
    """
    path = Path(path) if path is not None else DEFAULT_TARGETS
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetError(f"{path.name}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{path.name}: not valid TOML ({exc})") from None
    raws = data.get("target", [])
    if not isinstance(raws, list) or not raws:
        raise TargetError(f"{path.name}: no [[target]] entries")
    raws = copy.deepcopy(raws)
    for tid, change in (overrides or {}).items():
        hit = [r for r in raws if r.get("id") == tid]
        if not hit:
            raise TargetError(f"{path.name}: override for unknown target {tid!r}")
        for key, value in change.items():
            if key == "params":
                hit[0].setdefault("params", {}).update(value)
            else:
                hit[0][key] = value
    targets = [_check(r, f"{path.name}, target {r.get('id', i + 1)!r}", known_quantities) for i, r in enumerate(raws)]
    ids = [t.id for t in targets]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise TargetError(f"{path.name}: duplicate target id(s) {', '.join(sorted(dup))}")
    return targets


QUANTITY_COLUMNS = ("level", "unit_code", "unit_name", "quantity", "params_key", "period", "value", "numerator", "denominator")


def evaluate(targets: list[Target], quantities: pd.DataFrame) -> pd.DataFrame:
    """Judge every target on every unit of its level.

    Parameters
    ----------
    targets
        From :func:`load_targets`.
    quantities
        Tidy table with :data:`QUANTITY_COLUMNS`; ``value`` NaN means no data.
        ``params_key`` is :meth:`Target.params_key` of the parameters the value
        was computed with; ``scope`` rows (township kind) may be given in an
        optional ``unit_kind`` column.

    Returns
    -------
    pandas.DataFrame
        One row per unit × target (× period): ``level, unit_code, unit_name,
        target_id, target_zh, target_en, quantity, period, value, threshold,
        comparator, unit, met`` (nullable boolean), ``status`` and ``gap``
        (how far the value is from the threshold, positive when short).
    """
    frames = []
    for tg in targets:
        q = quantities[
            (quantities["quantity"] == tg.quantity)
            & (quantities["level"] == tg.level)
            & (quantities["params_key"].map(lambda k: k == tg.params_key()))
        ]
        if tg.scope and "unit_kind" in q:
            q = q[q["unit_kind"].isin(tg.scope)]
        if q.empty:
            continue
        q = q.copy()
        value = pd.to_numeric(q["value"], errors="coerce").astype(float)
        compare = COMPARATORS[tg.comparator]
        has = value.notna() & np.isfinite(value)
        met = pd.array([pd.NA] * len(q), dtype="boolean")
        met[has.to_numpy()] = compare(value[has], tg.threshold).to_numpy()
        status = np.where(~has, "no_data", np.where(met.fillna(False), "met", "not_met"))
        sign = 1.0 if tg.comparator in (">=", ">", "==") else -1.0
        frames.append(
            pd.DataFrame(
                {
                    "level": tg.level,
                    "unit_code": q["unit_code"].to_numpy(),
                    "unit_name": q["unit_name"].to_numpy(),
                    "unit_kind": q["unit_kind"].to_numpy() if "unit_kind" in q else None,
                    "target_id": tg.id,
                    "target_zh": tg.name_zh,
                    "target_en": tg.name_en,
                    "quantity": tg.quantity,
                    "period": q["period"].to_numpy(),
                    "value": value.to_numpy(),
                    "threshold": tg.threshold,
                    "comparator": tg.comparator,
                    "unit": tg.unit,
                    "met": met,
                    "status": status,
                    "gap": np.where(has, sign * (tg.threshold - value.to_numpy()), np.nan),
                    "numerator": q["numerator"].to_numpy(),
                    "denominator": q["denominator"].to_numpy(),
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=["level", "unit_code", "unit_name", "unit_kind", "target_id", "target_zh", "target_en", "quantity",
                     "period", "value", "threshold", "comparator", "unit", "met", "status", "gap", "numerator", "denominator"]
        )
    out = pd.concat(frames, ignore_index=True)
    out["met"] = out["met"].astype("boolean")
    return out
