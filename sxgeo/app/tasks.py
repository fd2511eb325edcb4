"""The plan's tasks in the app: their order, what describes each target, and which targets each gap list follows.

Besides the core's gap lists (:meth:`~sxgeo.analysis.run.Analysis.gap_lists`) the app shows the residential
points outside a travel target's reach (:data:`TRAVEL_GAPS`) and one list per presence rule, named by its
target id.  Every list belongs to the task of the first target it follows.  No streamlit here.
"""

from __future__ import annotations

from functools import cache

from sxgeo.io.targets import PlanTask, Target, load_plan_tasks

__all__ = [
    "GAP_QUANTITIES",
    "KINDERGARTEN_KIND",
    "TARGET_ROW_COLUMNS",
    "TRAVEL_GAPS",
    "described",
    "followed_targets",
    "plan_tasks",
    "presence_lists",
    "task_rank",
]

#: Gap lists of the residential points outside a travel target's reach: list name -> travel quantity.
TRAVEL_GAPS = {"medical": "medical_15min_share", "hospital": "hospital_drive_share"}
#: The plan quantity whose targets each gap list of a quantity follows.
GAP_QUANTITIES = {
    "fitness": "fitness_walk_share",
    "elderly": "elderly_walk_share",
    "nursing": "nursing_bed_share",
    "kindergartens_capacity": "kg_seats_per_1000",
    "elderly_capacity": "elderly_beds_per_1000",
    **TRAVEL_GAPS,
}
#: The layer kind whose presence rules the kindergarten list follows (it has a list of its own, with the
#: nearest public kindergarten); every other presence rule gets a list named by its target id.
KINDERGARTEN_KIND = "kindergartens"
#: Columns of :meth:`sxgeo.app.data.Workspace.target_rows`.
TARGET_ROW_COLUMNS = [
    "target_id", "target_zh", "target_en", "period", "value", "threshold", "comparator", "unit", "status",
    "units_met", "units_total", "units_level", "network_share", "units_not_met", "units_not_applicable",
    "task", "presence", "assumption", "source_zh", "source_en",
]


@cache
def plan_tasks() -> tuple[PlanTask, ...]:
    """The plan's tasks of the bundled targets file (:func:`~sxgeo.io.targets.load_plan_tasks`), in file order."""
    return tuple(load_plan_tasks())


def task_rank(task: str) -> int:
    """Where a target's task comes in the plan's order (targets without a known task last)."""
    order = [p.id for p in plan_tasks()]
    return order.index(task) if task in order else len(order)


def described(tg: Target | None) -> dict:
    """What describes a target in its row: its task, whether it is a presence rule or an assumption, its source."""
    if tg is None:
        return {"task": "", "presence": False, "assumption": False, "source_zh": "", "source_en": ""}
    return {"task": tg.task, "presence": tg.is_presence, "assumption": tg.assumption, "source_zh": tg.source_zh,
            "source_en": tg.source_en}


def presence_lists(targets: dict[str, Target]) -> list[str]:
    """The presence rules with a gap list of their own (by target id, in file order).

    Every presence rule but those of :data:`KINDERGARTEN_KIND`, which the kindergarten list follows.
    """
    return [tg.id for tg in targets.values() if tg.is_presence and tg.kind != KINDERGARTEN_KIND]


def followed_targets(targets: dict[str, Target], name: str) -> list[Target]:
    """The targets (by id) that gap list ``name`` follows: its task is theirs; it judges nothing where they do not.

    The kindergarten list follows the kindergarten presence rule only (not every presence rule), a list of a
    quantity that quantity's targets, a presence rule's list its rule.
    """
    if name == "kindergarten":
        return [tg for tg in targets.values() if tg.is_presence and tg.kind == KINDERGARTEN_KIND]
    if name in GAP_QUANTITIES:
        return [tg for tg in targets.values() if tg.quantity == GAP_QUANTITIES[name]]
    return [targets[name]] if name in targets else []
