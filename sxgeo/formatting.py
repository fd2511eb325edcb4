"""Values as planners read them: the one formatter for the app, the reports and the command line."""

from __future__ import annotations

import math
from collections.abc import Iterable

from sxgeo.settings import WALK_MINUTES
from sxgeo.text import t

__all__ = [
    "COMPARATOR_SIGNS",
    "DIGITS",
    "fmt_count",
    "fmt_gap",
    "fmt_minutes",
    "fmt_percent",
    "fmt_status",
    "fmt_threshold",
    "fmt_value",
    "number_kind",
    "plan_numbers",
]

#: How a target's comparator is shown.
COMPARATOR_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def fmt_percent(share: float | None, digits: int = 1) -> str:
    """A share (0–1) in percent, for example ``0.3728`` → ``37.3%``; ``—`` when missing."""
    return "—" if _missing(share) else f"{float(share) * 100:.{digits}f}%"


def fmt_count(value: float | None) -> str:
    """A count with thousands separators; one decimal only when it is not whole."""
    if _missing(value):
        return "—"
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"


#: Decimal places of each kind of number in a table (see :func:`number_kind`; shares are shown in percent).
DIGITS = {"coordinate": 6, "minutes": 1, "metres": 0, "whole": 0, "index": 3, "amount": 1, "plain": 2}

#: Columns of whole numbers: people, places, beds, facilities, rows, ranks and years.
_WHOLE = frozenset({
    "population", "demand", "children_3_5", "served", "beds", "nursing_beds", "places", "enrolled", "capacity",
    "public", "central", "inclusive_private", "private", "unknown_ownership", "townships", "new_sites",
    "added_points", "points", "points_off_network", "row", "rank", "order", "period", "opening_year",
    "targets_met", "targets_not_met", "targets_no_data", "units_met", "units_total",
})
#: Columns of supply amounts and access scores (seats, beds, scores), read to one decimal.
_AMOUNT = frozenset({
    "reached", "needed", "shortfall", "supply", "supply_in_reach", "closed", "score", "mean_score", "urban_mean",
    "rural_mean",
})
#: Column prefixes of inequality measures and ratios, read to three decimals.
_INDEX = ("gini", "cv", "palma", "theil", "fgt1", "fgt2", "ratio", "urban_rural_ratio")


def number_kind(column: str) -> str:
    """How the numbers of a table column are read, from its name.

    ``share`` (a 0–1 share, shown in percent: ``share``, ``coverage``, ``fgt0``,
    ``*_share``, ``share_*``, ``*_coverage``), ``coordinate`` (``lon``, ``lat``),
    ``minutes``, ``metres`` (``*_m``), ``whole`` (people, places, beds, counts,
    rows, years), ``amount`` (supply and access scores), ``index`` (inequality
    measures and ratios) or ``plain``; a ``_before`` / ``_after`` suffix is
    ignored.  :data:`DIGITS` gives the decimals of each.
    """
    name = str(column).removesuffix("_before").removesuffix("_after")
    if name in ("share", "coverage", "fgt0") or name.endswith(("_share", "_coverage")) or name.startswith("share_"):
        return "share"
    if name in ("lon", "lat"):
        return "coordinate"
    if name == "minutes" or name.endswith(("_minutes", "_min")):
        return "minutes"
    if name.endswith("_m"):
        return "metres"
    if name in _WHOLE or name.startswith("pop_") or name.endswith("_population"):
        return "whole"
    if name in _AMOUNT:
        return "amount"
    if name.startswith(_INDEX) or name.endswith("_ratio"):
        return "index"
    return "plain"


def fmt_minutes(value: float | None) -> str:
    """Minutes with one decimal; ``—`` when missing or unreachable."""
    return "—" if _missing(value) else f"{float(value):.1f}"


def fmt_value(value: float | None, unit: str, lang: str = "zh") -> str:
    """A value in a target's ``unit``: shares in percent, counts whole, others with one decimal."""
    if _missing(value):
        return "—"
    if unit == "share":
        return fmt_percent(value)
    if unit == "count":
        return fmt_count(value)
    return f"{float(value):,.1f}"


#: A target's possible statuses (see :func:`sxgeo.analysis.targets.evaluate`).
STATUSES = ("met", "not_met", "no_data", "no_network", "not_applicable")


def fmt_status(status: str, lang: str = "zh", network_share: float | None = None) -> str:
    """A target status in words; ``no_network`` says how much the network reaches when ``network_share`` is known.

    An unknown status reads as "no data".
    """
    if status == "no_network" and not _missing(network_share):
        return t("net.status_share", lang, share=fmt_percent(network_share))
    return t(f"val.status.{status if status in STATUSES else 'no_data'}", lang)


def fmt_threshold(comparator: str, value: float | None, unit: str, lang: str = "zh") -> str:
    """A target's threshold with its comparator, for example ``≥ 45.0%``."""
    return f"{COMPARATOR_SIGNS.get(comparator, comparator)} {fmt_value(value, unit, lang)}"


def fmt_gap(gap: float | None, unit: str, lang: str = "zh") -> str:
    """How far a value is from its threshold (empty when met or unknown); shares in percentage points."""
    if _missing(gap) or float(gap) <= 0:
        return ""
    if unit == "share":
        return t("fmt.points", lang, points=f"{float(gap) * 100:.1f}")
    return fmt_value(gap, unit, lang)


def plan_numbers(targets: Iterable) -> dict[str, object]:
    """The plan's numbers that the gap-list names quote, read from the targets (never written into a text).

    ``minutes``: walking time of the fitness circle (``params.threshold_min`` of
    the first ``fitness_walk_share`` target); ``threshold``: the county
    nursing-bed share target as shown (``nursing_beds_county``).  Pass them to
    ``t(f"gap.{kind}", lang, **plan_numbers(targets))``.
    """
    targets = list(targets)
    fitness = next((tg for tg in targets if tg.quantity == "fitness_walk_share"), None)
    nursing = next((tg for tg in targets if tg.id == "nursing_beds_county"), None)
    return {
        "minutes": float(fitness.params.get("threshold_min", WALK_MINUTES)) if fitness is not None else WALK_MINUTES,
        "threshold": fmt_value(nursing.threshold, nursing.unit) if nursing is not None else "—",
    }
