"""Evaluating the plan's targets against computed quantities: met, not met or no data per unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sxgeo.io.targets import COMPARATORS, Target
from sxgeo.settings import NETWORK_MIN_SHARE

__all__ = ["evaluate"]

QUANTITY_COLUMNS = ("level", "unit_code", "unit_name", "quantity", "params_key", "period", "value", "numerator", "denominator")


def evaluate(targets: list[Target], quantities: pd.DataFrame) -> pd.DataFrame:
    """Judge every target on every unit of its level.

    Parameters
    ----------
    targets
        From :func:`sxgeo.io.targets.load_targets`.
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
        (how far the value is from the threshold, positive when short).  A
        target whose data are missing (status ``no_data``) is never counted
        as a pass or a fail.
    """
    frames = []
    for tg in targets:
        params_key = tg.params_key()
        q = quantities[
            (quantities["quantity"] == tg.quantity)
            & (quantities["level"] == tg.level)
            & (quantities["params_key"].map(lambda k, key=params_key: k == key))
        ]
        if tg.scope and "unit_kind" in q:
            q = q[q["unit_kind"].isin(tg.scope)]
        if "applicable" in q and not tg.is_presence:
            q = q.drop(columns="applicable")  # only presence rules say which units they apply to
        if q.empty:
            continue
        q = q.copy()
        value = pd.to_numeric(q["value"], errors="coerce").astype(float)
        compare = COMPARATORS[tg.comparator]
        has = value.notna() & np.isfinite(value)
        met = pd.array([pd.NA] * len(q), dtype="boolean")
        met[has.to_numpy()] = compare(value[has], tg.threshold).to_numpy()
        status = np.where(~has, "no_data", np.where(met.fillna(False), "met", "not_met"))
        network_share = _network_share(q)
        if network_share is not None:
            # the network reaches too little of the unit: its coverage says nothing about the streets
            thin = np.isfinite(network_share) & (network_share < float(tg.params.get("network_min_share", NETWORK_MIN_SHARE)))
            status = np.where(thin, "no_network", status)
            met[thin] = pd.NA
        if "applicable" in q:
            # a presence rule limited to populous units does not judge the others
            applicable = q["applicable"].astype("boolean")
            outside = applicable.eq(False).fillna(False).to_numpy()
            status = np.where(outside, "not_applicable", status)
            met[outside] = pd.NA
            # population unknown: a unit short of the rule may be too small for it, so it is not judged
            unknown = applicable.isna().to_numpy() & (status == "not_met")
            status = np.where(unknown, "no_data", status)
            met[unknown] = pd.NA
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
                    **({"network_share": network_share} if network_share is not None else {}),
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


def _network_share(q: pd.DataFrame) -> np.ndarray | None:
    """The share of each unit the street network reaches (None for quantities that use no network)."""
    if "network_share" not in q or q["network_share"].isna().all():
        return None
    return pd.to_numeric(q["network_share"], errors="coerce").to_numpy(dtype=float)
