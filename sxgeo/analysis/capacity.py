"""Supply–demand accessibility on one sparse cost table: 2SFCA, enhanced 2SFCA and the Hansen gravity model.

The core works on matrices, in the style of spopt's ``from_cost_matrix``: a
:class:`CostTable` holds the origin–destination pairs (demand point ×
facility) within a cutoff, in minutes, and every measure reads that one
table (as PySAL ``access`` does with its cost data frame).
:meth:`CostTable.from_layers` is the thin geographic adaptor: it asks the one
travel-cost function (:class:`sxgeo.analysis.costs.TravelCost`: distance
mode, walk network or drive network) for the minutes.

A catchment includes its boundary: a pair counts when cost ≤ cutoff.

Measures, for demand ``P_i`` (children aged 3–5, residents aged 60+ …),
supply ``S_j`` (seats, beds, facilities) and weights ``w(d_ij)``:

- 2SFCA (Luo & Wang 2003): ``R_j = S_j / Σ_i P_i w_ij``, ``A_i = Σ_j R_j w_ij``
  with ``w = 1`` inside the catchment;
- enhanced 2SFCA (Luo & Qi 2009): the same with stepwise weights
  (:func:`step_weights`) or a Gaussian decay (:func:`gaussian_weights`);
- Hansen gravity: ``A_i = Σ_j S_j w_ij`` (the supply within reach, weighted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from scipy import sparse

from sxgeo.analysis.costs import TravelCost

__all__ = [
    "CostTable",
    "Weights",
    "gaussian_weights",
    "gravity",
    "power_weights",
    "step_weights",
    "supply_within_reach",
    "two_step",
]

#: A weight function: costs (minutes) -> weights, elementwise.
Weights = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class CostTable:
    """Origin–destination pairs within a cutoff: ``origin`` (demand row), ``dest`` (facility row), ``cost`` (minutes)."""

    origin: np.ndarray
    dest: np.ndarray
    cost: np.ndarray
    n_origins: int
    n_dests: int
    cutoff: float

    @classmethod
    def from_matrix(cls, matrix: np.ndarray, cutoff: float) -> CostTable:
        """The pairs of a dense minutes matrix (demand × facility) with a finite cost ≤ ``cutoff``."""
        m = np.asarray(matrix, dtype=float)
        if m.ndim != 2:
            raise ValueError("the cost matrix must be two-dimensional (demand × facility)")
        keep = np.isfinite(m) & (m <= cutoff)
        origin, dest = np.nonzero(keep)
        return cls(origin, dest, m[origin, dest], m.shape[0], m.shape[1], float(cutoff))

    @classmethod
    def from_layers(
        cls, demand: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, travel: TravelCost, cutoff: float
    ) -> CostTable:
        """The pairs within ``cutoff`` minutes, from the one travel-cost function (rows without geometry reach nothing)."""
        origin, dest, cost = travel.pairs(demand, facilities, cutoff)
        return cls(origin, dest, cost, len(demand), len(facilities), float(cutoff))

    def weighted(self, weights: Weights | None = None) -> sparse.csr_matrix:
        """The sparse demand × facility matrix of weights ``w(cost)`` (1 inside the catchment by default)."""
        w = np.ones(len(self.cost)) if weights is None else np.asarray(weights(self.cost), dtype=float)
        return sparse.csr_matrix((w, (self.origin, self.dest)), shape=(self.n_origins, self.n_dests))


def step_weights(steps: dict[float, float]) -> Weights:
    """Stepwise weights (Luo & Qi 2009): ``{10: 1, 20: 0.68, 30: 0.22}`` gives 1 up to 10 minutes, 0.68 up to 20 …, 0 beyond."""
    bounds = np.array(sorted(steps), dtype=float)
    values = np.array([steps[b] for b in sorted(steps)], dtype=float)
    if (values < 0).any():
        raise ValueError("step weights must not be negative")

    def weights(cost: np.ndarray) -> np.ndarray:
        k = np.searchsorted(bounds, np.asarray(cost, dtype=float), side="left")  # cost ≤ bound → that step
        return np.where(k < len(bounds), values[np.minimum(k, len(bounds) - 1)], 0.0)

    return weights


def gaussian_weights(sigma: float) -> Weights:
    """Gaussian decay ``exp(-d² / 2σ²)`` (1 at zero cost), as in PySAL ``access.weights.gaussian``."""
    if sigma <= 0:
        raise ValueError("sigma must be positive")
    return lambda cost: np.exp(-(np.asarray(cost, dtype=float) ** 2) / (2.0 * sigma**2))


def power_weights(beta: float, min_cost: float = 1.0) -> Weights:
    """Gravity decay ``max(d, min_cost)^-β`` (a floor keeps a facility next door from weighing infinitely)."""
    if beta < 0 or min_cost <= 0:
        raise ValueError("beta must not be negative and min_cost must be positive")
    return lambda cost: np.maximum(np.asarray(cost, dtype=float), min_cost) ** -beta


def two_step(
    table: CostTable, demand: np.ndarray, supply: np.ndarray, weights: Weights | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two-step floating catchment: (score per demand point, supply-to-demand ratio per facility).

    With ``weights`` None this is the classic 2SFCA; with :func:`step_weights`
    or :func:`gaussian_weights` the enhanced 2SFCA.  A facility that no demand
    reaches has ratio NaN and adds nothing; a demand point that reaches no
    facility scores 0.
    """
    p, s = _vector(demand, table.n_origins, "demand"), _vector(supply, table.n_dests, "supply")
    w = table.weighted(weights)
    load = w.T @ p  # weighted demand in each facility's catchment
    ratio = np.divide(s, load, out=np.full(table.n_dests, np.nan), where=load > 0)
    score = w @ np.nan_to_num(ratio)
    return score, ratio


def gravity(table: CostTable, supply: np.ndarray, weights: Weights) -> np.ndarray:
    """Hansen gravity accessibility: ``Σ_j S_j w(d_ij)`` over the facilities within the cutoff."""
    return table.weighted(weights) @ _vector(supply, table.n_dests, "supply")


def supply_within_reach(table: CostTable, supply: np.ndarray) -> np.ndarray:
    """The supply (seats, beds, facilities) within the cutoff of each demand point, unweighted."""
    return table.weighted() @ _vector(supply, table.n_dests, "supply")


def _vector(values, n: int, name: str) -> np.ndarray:
    v = np.nan_to_num(np.asarray(values, dtype=float))
    if v.shape != (n,):
        raise ValueError(f"{name} has {v.shape[0] if v.ndim else 0} values; the cost table has {n}")
    if (v < 0).any():
        raise ValueError(f"{name} must not be negative")
    return v
