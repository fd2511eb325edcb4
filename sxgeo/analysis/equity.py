"""Equity of an accessibility score across residents: Gini, coefficient of variation, Palma ratio, Theil T.

Every measure takes the score of each demand point and its population as
weights, so a village of 300 people counts 300 times (as in the R package
``accessibility`` of ipea).  The Theil T index splits into a between-group
and a within-group part (PySAL ``inequality.theil.TheilD``); with urban and
rural residents as the groups, the between-group share is the headline
number for the plan's 城乡一体 (the same access in town and countryside).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Theil", "coefficient_of_variation", "fgt", "gini", "lorenz", "palma", "theil"]


def _clean(values, weights) -> tuple[np.ndarray, np.ndarray]:
    """Scores and weights with the rows that have no score or no weight left out."""
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if x.shape != w.shape:
        raise ValueError("values and weights must have the same length")
    keep = np.isfinite(x) & np.isfinite(w) & (w > 0)
    if (x[keep] < 0).any():
        raise ValueError("scores must not be negative")
    return x[keep], w[keep]


def _lorenz(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Lorenz curve: cumulative population share and cumulative score share, from (0, 0)."""
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    pop = np.concatenate([[0.0], np.cumsum(w) / w.sum()])
    val = np.concatenate([[0.0], np.cumsum(w * x) / (w * x).sum()])
    return pop, val


def lorenz(values, weights=None) -> tuple[np.ndarray, np.ndarray]:
    """The concentration curve: cumulative population share and score share, worst-served first, from (0, 0).

    Empty arrays when there is no score at all.
    """
    x, w = _clean(values, weights)
    if len(x) == 0 or (w * x).sum() == 0:
        return np.empty(0), np.empty(0)
    return _lorenz(x, w)


def gini(values, weights=None) -> float:
    """The (population-weighted) Gini coefficient: 0 when everyone has the same score; NaN without data."""
    x, w = _clean(values, weights)
    if len(x) == 0 or (w * x).sum() == 0:
        return float("nan")
    pop, val = _lorenz(x, w)
    return float(1.0 - np.sum(np.diff(pop) * (val[1:] + val[:-1])))


def coefficient_of_variation(values, weights=None) -> float:
    """The (population-weighted) standard deviation of the score over its mean; NaN without data."""
    x, w = _clean(values, weights)
    if len(x) == 0:
        return float("nan")
    mean = np.average(x, weights=w)
    if mean == 0:
        return float("nan")
    return float(np.sqrt(np.average((x - mean) ** 2, weights=w)) / mean)


def palma(values, weights=None) -> float:
    """The Palma ratio: the score share of the best-served 10% of residents over that of the worst-served 40%.

    Shares are read off the Lorenz curve, so a point straddling the 40% or
    90% mark counts in part.  NaN without data; ``inf`` when the worst-served
    40% have nothing.
    """
    x, w = _clean(values, weights)
    if len(x) == 0 or (w * x).sum() == 0:
        return float("nan")
    pop, val = _lorenz(x, w)
    bottom = float(np.interp(0.4, pop, val))
    top = 1.0 - float(np.interp(0.9, pop, val))
    return float("inf") if bottom == 0 else top / bottom


@dataclass(frozen=True)
class Theil:
    """The Theil T index and its split into groups: ``total = between + within``."""

    total: float
    between: float
    within: float

    @property
    def between_share(self) -> float:
        """The part of the inequality that lies between the groups (NaN when there is none at all)."""
        return self.between / self.total if self.total > 0 else float("nan")


def _theil_t(x: np.ndarray, w: np.ndarray) -> float:
    r = x / np.average(x, weights=w)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(r), 0.0)
    return float(np.average(terms, weights=w))


def theil(values, weights=None, groups=None) -> Theil:
    """The (population-weighted) Theil T index, split between and within ``groups`` (e.g. urban / rural)."""
    x = np.asarray(values, dtype=float)
    g = np.zeros(len(x), dtype=object) if groups is None else np.asarray(groups, dtype=object)
    if g.shape != x.shape:
        raise ValueError("values and groups must have the same length")
    w_all = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    keep = np.isfinite(x) & np.isfinite(w_all) & (w_all > 0)
    x, w, g = _clean(x, w_all)[0], w_all[keep], g[keep]
    if len(x) == 0 or (w * x).sum() == 0:
        return Theil(float("nan"), float("nan"), float("nan"))
    total = _theil_t(x, w)
    mean, pop = np.average(x, weights=w), w.sum()
    between = within = 0.0
    for key in dict.fromkeys(g.tolist()):
        m = g == key
        share = w[m].sum() / pop * np.average(x[m], weights=w[m]) / mean  # the group's share of the total score
        if share > 0:
            between += share * np.log(np.average(x[m], weights=w[m]) / mean)
            within += share * _theil_t(x[m], w[m])
    return Theil(total, float(between), float(within))


def fgt(values, weights=None, threshold: float = 1.0) -> dict[str, float]:
    """The Foster–Greer–Thorbecke measures of scores below ``threshold`` (population-weighted).

    ``fgt0``: the share of residents below; ``fgt1``: the mean relative
    shortfall ``(z − x) / z`` over all residents (depth); ``fgt2``: the mean
    squared relative shortfall (severity).  NaN without data.
    """
    if threshold <= 0:
        raise ValueError("the FGT threshold must be positive")
    x, w = _clean(values, weights)
    if len(x) == 0:
        return {"fgt0": float("nan"), "fgt1": float("nan"), "fgt2": float("nan")}
    gap = np.clip((threshold - x) / threshold, 0.0, None)
    below = x < threshold
    return {
        "fgt0": float(np.average(below, weights=w)),
        "fgt1": float(np.average(gap, weights=w)),
        "fgt2": float(np.average(gap**2, weights=w)),
    }
