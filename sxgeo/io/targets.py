"""Reading and checking the plan's targets file (TOML, ``sxgeo/data/targets.toml`` by default)."""

from __future__ import annotations

import copy
import operator
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sxgeo.errors import TargetError
from sxgeo.layers.kinds import KINDS
from sxgeo.resources import package_file
from sxgeo.text import choose

__all__ = ["COMPARATORS", "DEFAULT_TARGETS", "LEVELS", "PRESENCE", "PlanTask", "Target", "load_plan_tasks", "load_targets"]

DEFAULT_TARGETS = package_file("data", "targets.toml")
LEVELS = ("township", "county", "city", "province")
COMPARATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
UNITS = ("share", "count", "per100", "per1000", "per10000", "ratio", "minutes", "rate")
#: Target parameters that judge a value rather than compute it (not part of :meth:`Target.params_key`).
JUDGEMENT_PARAMS = frozenset({"network_min_share"})
_REQUIRED = ("id", "name_zh", "name_en", "quantity", "level", "comparator", "threshold")
#: The quantity of every presence rule (``rule = "presence"`` in the targets file).
PRESENCE = "presence"
_PRESENCE_REQUIRED = ("id", "name_zh", "name_en", "level", "kind")
_PRESENCE_LEVELS = ("township", "county", "city")
#: Fields every target may have besides its computation.
_DESCRIPTIVE = ("unit", "clause_zh", "clause_en", "scope", "params", "task", "source_zh", "source_en", "assumption")


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
    task: str = ""
    source_zh: str = ""
    source_en: str = ""
    assumption: bool = False

    @property
    def is_presence(self) -> bool:
        """True for a presence rule ("every <level> has at least N <kind> [with …]")."""
        return self.quantity == PRESENCE

    @property
    def kind(self) -> str | None:
        """The layer kind a presence rule counts (None for other targets)."""
        return self.params.get("kind") if self.is_presence else None

    def where(self) -> dict[str, Any]:
        """A presence rule's attribute filter ``{column: value}`` (empty for other targets)."""
        return dict(self.params.get("where", ())) if self.is_presence else {}

    def source(self, lang: str = "zh") -> str:
        """The document the target comes from, in ``lang`` (empty when the file names none)."""
        return choose({"zh": self.source_zh, "en": self.source_en}, lang)

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


@dataclass(frozen=True)
class PlanTask:
    """One task of the plan (``[[task]]`` in the targets file): its id, name and what sxgeo leaves out of it."""

    id: str
    name_zh: str
    name_en: str
    out_of_scope_zh: str = ""
    out_of_scope_en: str = ""

    def name(self, lang: str = "zh") -> str:
        """The task's name in ``lang``."""
        return choose({"zh": self.name_zh, "en": self.name_en}, lang)

    def out_of_scope(self, lang: str = "zh") -> str:
        """What of the task sxgeo does not check, in ``lang``."""
        return choose({"zh": self.out_of_scope_zh, "en": self.out_of_scope_en}, lang)


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetError("target.err_not_found", where=path.name) from None
    except tomllib.TOMLDecodeError as exc:
        raise TargetError("target.err_toml", where=path.name, problem=str(exc)) from None


def load_plan_tasks(path: str | Path | None = None) -> list[PlanTask]:
    """The plan's tasks declared in a targets file (``[[task]]``), in file order; empty when it declares none."""
    path = Path(path) if path is not None else DEFAULT_TARGETS
    out = []
    for i, raw in enumerate(_read(path).get("task", [])):
        where = f"{path.name} [task {raw.get('id', i + 1)}]"
        missing = [k for k in ("id", "name_zh", "name_en") if k not in raw]
        if missing:
            raise TargetError("target.err_missing", where=where, fields=", ".join(missing))
        out.append(PlanTask(str(raw["id"]), str(raw["name_zh"]), str(raw["name_en"]),
                            str(raw.get("out_of_scope_zh", "")), str(raw.get("out_of_scope_en", ""))))
    return out


def _descriptive(raw: dict, where: str) -> dict[str, Any]:
    """The fields that describe a target rather than compute it (task, source, assumption, clause)."""
    assumption = raw.get("assumption", False)
    if not isinstance(assumption, bool):
        raise TargetError("target.err_field", where=where, field="assumption", problem="true / false")
    return {
        "clause_zh": str(raw.get("clause_zh", "")),
        "clause_en": str(raw.get("clause_en", "")),
        "task": str(raw.get("task", "")),
        "source_zh": str(raw.get("source_zh", "")),
        "source_en": str(raw.get("source_en", "")),
        "assumption": assumption,
    }


def _check(raw: dict, where: str, known_quantities: set[str] | None) -> Target:
    if raw.get("rule", "quantity") == "presence":
        return _check_presence(raw, where)
    if raw.get("rule", "quantity") != "quantity":
        raise TargetError("target.err_choice", where=where, field="rule", value=raw["rule"], allowed="quantity, presence")
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
    unknown = set(raw) - {*_REQUIRED, *_DESCRIPTIVE, "rule"}
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
        scope=tuple(raw.get("scope", ())),
        params=dict(params),
        **_descriptive(raw, where),
    )


def _check_where(filters: Any, kind, where: str) -> dict[str, Any]:
    """A presence rule's ``where`` table: each column of the kind, each value one of its codes (or a boolean)."""
    if not isinstance(filters, dict):
        raise TargetError("target.err_field", where=where, field="where", problem="{ column = value }")
    for column, value in filters.items():
        try:
            col = kind.column(str(column))
        except KeyError:
            allowed = ", ".join(c.name for c in kind.columns if c.dtype in ("category", "bool"))
            raise TargetError("target.err_choice", where=where, field="where", value=column, allowed=allowed) from None
        codes = [*col.values, *([col.fallback] if col.fallback else [])]
        if col.dtype == "category" and value not in codes:
            raise TargetError("target.err_choice", where=where, field=f"where.{column}", value=value, allowed=", ".join(codes))
        if col.dtype == "bool" and not isinstance(value, bool):
            raise TargetError("target.err_field", where=where, field=f"where.{column}", problem="true / false")
        if col.dtype not in ("category", "bool", "str"):
            raise TargetError("target.err_field", where=where, field=f"where.{column}", problem="category / bool / str")
    return filters


def _check_presence(raw: dict, where: str) -> Target:
    """A presence rule: every unit of ``level`` has at least ``min_count`` facilities of ``kind`` [with ``where``].

    Optional ``min_population``: only units with at least that many residents
    are judged (the others are "not applicable").  Every problem is one
    :class:`TargetError` naming the rule and the field.
    """
    missing = [k for k in _PRESENCE_REQUIRED if k not in raw]
    if missing:
        raise TargetError("target.err_missing", where=where, fields=", ".join(missing))
    unknown = set(raw) - {*_PRESENCE_REQUIRED, *_DESCRIPTIVE, "rule", "where", "min_count", "min_population"}
    if unknown:
        raise TargetError("target.err_unknown_fields", where=where, fields=", ".join(sorted(unknown)))
    if raw["level"] not in _PRESENCE_LEVELS:
        raise TargetError(
            "target.err_choice", where=where, field="level", value=raw["level"], allowed=", ".join(_PRESENCE_LEVELS)
        )
    kind = KINDS.get(str(raw["kind"]))
    if kind is None or not kind.has_points or kind.name == "residential":
        allowed = ", ".join(k for k, v in KINDS.items() if v.has_points and k != "residential")
        raise TargetError("target.err_choice", where=where, field="kind", value=raw["kind"], allowed=allowed)
    filters = _check_where(raw.get("where", {}), kind, where)
    min_count = raw.get("min_count", 1)
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise TargetError("target.err_field", where=where, field="min_count", problem="≥ 1")
    params: dict[str, Any] = {"kind": kind.name, "where": tuple(sorted((str(k), v) for k, v in filters.items()))}
    if "min_population" in raw:
        pop = raw["min_population"]
        if isinstance(pop, bool) or not isinstance(pop, (int, float)) or pop < 0:
            raise TargetError("target.err_number", where=where, field="min_population", value=pop)
        params["min_population"] = float(pop)
    scope = raw.get("scope", ())
    if scope and raw["level"] != "township":
        raise TargetError("target.err_field", where=where, field="scope", problem="township")
    return Target(
        id=str(raw["id"]),
        name_zh=str(raw["name_zh"]),
        name_en=str(raw["name_en"]),
        quantity=PRESENCE,
        level=raw["level"],
        comparator=">=",
        threshold=float(min_count),
        unit="count",
        scope=tuple(scope),
        params=params,
        **_descriptive(raw, where),
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
    data = _read(path)
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
    tasks = {str(task.get("id")) for task in data.get("task", [])}
    for tg in targets:
        if tasks and tg.task and tg.task not in tasks:
            where = f"{path.name} [{tg.id}]"
            raise TargetError("target.err_choice", where=where, field="task", value=tg.task, allowed=", ".join(sorted(tasks)))
    return targets
