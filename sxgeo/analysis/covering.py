"""The two covering location models, MCLP and LSCP, on a travel-time matrix (spopt, PuLP's CBC).

Rows are demand points, columns candidate sites; a row is covered by a column
when its travel time is within the threshold.  :func:`solve_mclp` picks the
N columns covering the most demand weight, :func:`solve_lscp` the fewest
columns covering every row that any column covers.  Siting proposals built on
them are in :mod:`sxgeo.analysis.siting`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pulp
from spopt.locate import LSCP, MCLP

__all__ = ["CoverSolution", "coverage", "solve_lscp", "solve_mclp"]


def _solver(time_limit_s: float | None = None) -> pulp.LpSolver:
    """PuLP's bundled CBC, quiet."""
    kwargs = {"msg": False}
    if time_limit_s:
        kwargs["timeLimit"] = float(time_limit_s)
    return pulp.PULP_CBC_CMD(**kwargs)


@dataclass
class CoverSolution:
    """A covering model's answer.

    Attributes
    ----------
    chosen
        Column (candidate) indices of the chosen sites, in increasing order.
    covered
        Per demand row: covered by a chosen site.
    objective
        MCLP: covered weight; LSCP: number of sites.
    reachable
        Per demand row: some candidate covers it at all.
    status
        PuLP's status text (``Optimal``) or ``trivial`` when no model was needed.
    """

    chosen: np.ndarray
    covered: np.ndarray
    objective: float
    reachable: np.ndarray
    status: str = "Optimal"


def coverage(minutes: np.ndarray, threshold_min: float) -> np.ndarray:
    """The coverage matrix: True where a row's travel time to a column is within the threshold."""
    return np.asarray(minutes, dtype=float) <= float(threshold_min) + 1e-9


def _reduce_rows(a: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge demand rows with identical coverage patterns (their weights add up).

    Returns the distinct rows, their weights and, for every original row, the
    index of its distinct row.  The optimum is unchanged and the model shrinks.
    """
    uniq, inverse = np.unique(a, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    w = np.ones(len(a)) if weights is None else np.asarray(weights, dtype=float)
    summed = np.bincount(inverse, weights=w, minlength=len(uniq))
    return uniq, summed, inverse


def _chosen(model) -> np.ndarray:
    """Column indices of the sites a solved spopt model opened."""
    return np.array([j for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5], dtype=np.int64)


def solve_mclp(
    minutes: np.ndarray,
    weights: np.ndarray,
    threshold_min: float,
    n_sites: int,
    *,
    time_limit_s: float | None = None,
) -> CoverSolution:
    """Choose ``n_sites`` columns that cover the most demand weight (spopt MCLP, CBC).

    Columns that cover nothing and rows that no column covers (or that weigh
    nothing) are left out of the model; rows with the same coverage pattern
    are merged.  When ``n_sites`` is at least the number of useful columns,
    all of them are chosen without a model.  Sites that add nothing are
    never returned, so fewer than ``n_sites`` may come back.
    """
    minutes = np.atleast_2d(np.asarray(minutes, dtype=float))
    weights = np.asarray(weights, dtype=float)
    a = coverage(minutes, threshold_min)
    reachable = a.any(axis=1)
    n_rows = a.shape[0]
    rows = np.flatnonzero(reachable & (weights > 0))
    cols = np.flatnonzero(a[rows].any(axis=0)) if len(rows) else np.empty(0, dtype=np.int64)
    if n_sites <= 0 or len(cols) == 0:
        return CoverSolution(np.empty(0, dtype=np.int64), np.zeros(n_rows, bool), 0.0, reachable, "trivial")
    sub = a[np.ix_(rows, cols)]
    if n_sites >= len(cols):
        picked, status = cols, "trivial"
    else:
        uniq, w, _ = _reduce_rows(sub, weights[rows])
        cost = np.where(uniq, 0.0, 1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # PuLP 3.3 on its 4.0 API, inside spopt
            model = MCLP.from_cost_matrix(cost, w, service_radius=0.5, p_facilities=int(n_sites), name="sxgeo-mclp")
            model.solve(_solver(time_limit_s), results=False)
        status = pulp.LpStatus[model.problem.status]
        picked = cols[_chosen(model)]
    picked = _drop_useless(a, weights, picked)
    covered = a[:, picked].any(axis=1) if len(picked) else np.zeros(n_rows, bool)
    return CoverSolution(np.sort(picked), covered, float(weights[covered].sum()), reachable, status)


def _drop_useless(a: np.ndarray, weights: np.ndarray, picked: np.ndarray) -> np.ndarray:
    """Remove chosen sites whose removal loses no covered weight (one at a time)."""
    keep = list(picked)
    for j in sorted(picked, key=lambda j: (weights[a[:, j]].sum(), j)):
        others = [k for k in keep if k != j]
        before = weights[a[:, keep].any(axis=1)].sum() if keep else 0.0
        after = weights[a[:, others].any(axis=1)].sum() if others else 0.0
        if after >= before - 1e-9:
            keep = others
    return np.array(sorted(keep), dtype=np.int64)


def solve_lscp(minutes: np.ndarray, threshold_min: float, *, time_limit_s: float | None = None) -> CoverSolution:
    """The fewest columns that cover every coverable row (spopt LSCP, CBC).

    Rows that no column covers are left out (see ``reachable`` in the result).
    """
    minutes = np.atleast_2d(np.asarray(minutes, dtype=float))
    a = coverage(minutes, threshold_min)
    reachable = a.any(axis=1)
    rows = np.flatnonzero(reachable)
    if len(rows) == 0:
        return CoverSolution(np.empty(0, dtype=np.int64), np.zeros(a.shape[0], bool), 0.0, reachable, "trivial")
    cols = np.flatnonzero(a[rows].any(axis=0))
    uniq, _, _ = _reduce_rows(a[np.ix_(rows, cols)], None)
    cost = np.where(uniq, 0.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PuLP 3.3 on its 4.0 API, inside spopt
        model = LSCP.from_cost_matrix(cost, service_radius=0.5, name="sxgeo-lscp")
        model.solve(_solver(time_limit_s), results=False)
    picked = cols[_chosen(model)]
    covered = a[:, picked].any(axis=1)
    return CoverSolution(np.sort(picked), covered, float(len(picked)), reachable, pulp.LpStatus[model.problem.status])
