"""Reading and checking the plan's targets file (TOML, ``sxgeo/data/targets.toml`` by default)."""

from __future__ import annotations

import copy
import operator
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sxgeo.errors import TargetError
from sxgeo.resources import package_file
from sxgeo.text import choose

__all__ = ["COMPARATORS", "DEFAULT_TARGETS", "LEVELS", "Target", "load_targets"]

DEFAULT_TARGETS = package_file("data", "targets.toml")
LEVELS = ("township", "county", "city", "province")
COMPARATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
UNITS = ("share", "count", "per100", "per1000", "per10000", "ratio", "minutes", "rate")
#: Target parameters that judge a value rather than compute it (not part of :meth:`Target.params_key`).
JUDGEMENT_PARAMS = frozenset({"network_min_share"})
_REQUIRED = ("id", "name_zh", "name_en", "quantity", "level", "comparator", "threshold")


@dataclass(frozen=True)
class Target:
    """One target of the plan.

    Its id, names, plan clause, quantity, level, comparator, threshold, unit,
    optional scope (township kinds) and parameters of the computation.
    """

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
        """The target's name in ``lang``."""
        return choose({"zh": self.name_zh, "en": self.name_en}, lang)

    def clause(self, lang: str = "zh") -> str:
        """The plan clause the target comes from, in ``lang``."""
        return choose({"zh": self.clause_zh, "en": self.clause_en}, lang)

    def params_key(self) -> tuple:
        """A hashable form of the parameters: targets with equal keys share one computation.

        Parameters that only judge a computed value (:data:`JUDGEMENT_PARAMS`)
        are left out, so changing them never recomputes anything.
        """
        return tuple(sorted((k, v) for k, v in self.params.items() if k not in JUDGEMENT_PARAMS))


def _check(raw: dict, where: str, known_quantities: set[str] | None) -> Target:
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise TargetError("target.err_missing", where=where, fields=", ".join(missing))
    if raw["level"] not in LEVELS:
        raise TargetError("target.err_choice", where=where, field="level", value=raw["level"], allowed=", ".join(LEVELS))
    if raw["comparator"] not in COMPARATORS:
        raise TargetError(
            "target.err_choice", where=where, field="comparator", value=raw["comparator"], allowed=", ".join(COMPARATORS)
        )
    try:
        threshold = float(raw["threshold"])
    except (TypeError, ValueError):
        raise TargetError("target.err_number", where=where, field="threshold", value=raw["threshold"]) from None
    unit = raw.get("unit", "share")
    if unit not in UNITS:
        raise TargetError("target.err_choice", where=where, field="unit", value=unit, allowed=", ".join(UNITS))
    if known_quantities is not None and raw["quantity"] not in known_quantities:
        raise TargetError(
            "target.err_quantity", where=where, value=raw["quantity"], allowed=", ".join(sorted(known_quantities))
        )
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise TargetError("target.err_params", where=where)
    unknown = set(raw) - {*_REQUIRED, "unit", "clause_zh", "clause_en", "scope", "params"}
    if unknown:
        raise TargetError("target.err_unknown_fields", where=where, fields=", ".join(sorted(unknown)))
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
        raise TargetError("target.err_not_found", where=path.name) from None
    except tomllib.TOMLDecodeError as exc:
        raise TargetError("target.err_toml", where=path.name, problem=str(exc)) from None
    raws = data.get("target", [])
    if not isinstance(raws, list) or not raws:
        raise TargetError("target.err_empty", where=path.name)
    raws = copy.deepcopy(raws)
    for tid, change in (overrides or {}).items():
        hit = [r for r in raws if r.get("id") == tid]
        if not hit:
            raise TargetError("target.err_override", where=path.name, target=tid)
        for key, value in change.items():
            if key == "params":
                hit[0].setdefault("params", {}).update(value)
            else:
                hit[0][key] = value
    targets = [_check(r, f"{path.name} [{r.get('id', i + 1)}]", known_quantities) for i, r in enumerate(raws)]
    ids = [t.id for t in targets]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise TargetError("target.err_duplicate", where=path.name, ids=", ".join(sorted(dup)))
    return targets
