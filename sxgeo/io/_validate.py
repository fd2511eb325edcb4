"""Private helpers: validate a table row by row, keeping each row's first rejection reason.

The loaders (:func:`sxgeo.io.load.load_layer`,
:func:`sxgeo.io.townships.load_township_polygons`) run their checks in order
through one :class:`Rejects`, so every rejected row gets exactly one reason,
the first check it failed; :func:`rejected_frame` then lists those rows with
their reasons in Chinese and English next to the original values.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from sxgeo.io.lenient import is_plain_number, parse_number, show_number
from sxgeo.layers.kinds import BOOL_FALSE, BOOL_TRUE, Column, LayerKind, normalise_value
from sxgeo.text import t

__all__ = ["Rejects", "add_note", "cross_checks", "nfkc", "parse_columns", "rejected_frame", "to_number"]

#: Years outside this range are rejected as bad values.
_YEAR_RANGE = (1900, 2100)


def nfkc(s: pd.Series) -> pd.Series:
    """Strings in NFKC form (full-width digits and letters made ASCII), stripped."""
    return s.map(lambda v: unicodedata.normalize("NFKC", v).strip())


def to_number(s: pd.Series) -> pd.Series:
    """Numbers from text with thousands separators and spaces; NaN for empty or unreadable text."""
    cleaned = s.str.replace(",", "", regex=False).str.replace(" ", "", regex=False)
    return pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce")


class Rejects:
    """Collects the first rejection reason of each row."""

    def __init__(self, index: pd.Index) -> None:
        self.key = pd.Series([None] * len(index), index=index, dtype=object)
        self.params: dict[object, dict[str, object]] = {}

    def add(self, mask: pd.Series, key: str, params=None) -> None:
        """Reject rows in ``mask`` not yet rejected; ``params(i)`` gives message parameters."""
        new = mask & self.key.isna()
        for i in new[new].index:
            self.key.at[i] = key
            self.params[i] = params(i) if params else {}

    @property
    def ok(self) -> pd.Series:
        """Mask of the rows not rejected so far."""
        return self.key.isna()


def rejected_frame(rej: Rejects, row_no: pd.Series, original: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows: number, reason key, reason in both languages, then the original values."""
    bad = rej.key.notna()
    idx = rej.key.index[bad]
    head = pd.DataFrame(
        {
            "row": row_no[bad].to_numpy(),
            "reason_key": rej.key[bad].to_numpy(),
            "reason": [t(rej.key.at[i], "zh", **rej.params.get(i, {})) for i in idx],
            "reason_en": [t(rej.key.at[i], "en", **rej.params.get(i, {})) for i in idx],
        }
    )
    return pd.concat([head, original.loc[bad].reset_index(drop=True)], axis=1)


def add_note(notes: pd.Series | None, mask: pd.Series, key: str, params) -> None:
    """Append the note ``key`` with ``params(i)`` to the rows in ``mask`` (nothing when ``notes`` is None)."""
    if notes is None:
        return
    for i in mask[mask].index:
        notes.at[i] = notes.at[i] + [(key, params(i))]


def _numbers(
    raw: pd.Series, typed: pd.Series, col: Column, rej: Rejects, notes: pd.Series | None, decimal_comma: bool
) -> pd.Series:
    """A numeric column: plain numbers as they are, lenient forms read with a note (quoting ``typed``), the rest rejected."""
    empty = raw == ""
    label = col.label_zh
    # Counts and years have no fraction: a comma in them is a thousands separator even in a ';' file.
    comma = decimal_comma and col.dtype == "float"
    num = pd.to_numeric(raw.map(lambda v: parse_number(v, decimal_comma=comma)), errors="coerce").astype(float)

    def params(i):
        return {"column": label, "value": raw.at[i]}

    rej.add(~empty & num.isna(), "bad_value", params)
    rej.add(num < 0, "negative_value", params)
    read = num.notna() & ~typed.map(is_plain_number)
    add_note(
        notes, read, "note_value_read", lambda i: {"column": label, "value": typed.at[i], "parsed": show_number(num.at[i])}
    )
    if col.dtype == "int":
        rej.add(num.notna() & (num != np.floor(num)), "bad_value", params)
        return num.round().astype("Int64")
    if col.dtype == "year":
        outside = (num < _YEAR_RANGE[0]) | (num > _YEAR_RANGE[1])
        rej.add(num.notna() & (outside | (num != np.floor(num))), "bad_value", params)
        return num.round().astype("Int64")
    return num


def _category(raw: pd.Series, col: Column, rej: Rejects, notes: pd.Series | None) -> pd.Series:
    """A category column: known spellings -> codes; an unknown value -> the column's fallback with a note."""
    empty = raw == ""
    label = col.label_zh
    lookup = col.category_lookup()
    value = raw.map(lambda v: lookup.get(normalise_value(v)) if v else None)
    unknown = ~empty & value.isna()
    if col.fallback is None:
        rej.add(unknown, "bad_value", lambda i: {"column": label, "value": raw.at[i]})
    else:
        other = t(f"cat.{col.name}.{col.fallback}", "zh")
        add_note(notes, unknown, "note_category_other", lambda i: {"column": label, "value": raw.at[i], "other": other})
        value[unknown] = col.fallback
    if col.default is not None:
        default = t(f"cat.{col.name}.{col.default}", "zh")
        add_note(notes, empty & rej.ok, "note_default_value", lambda i: {"column": label, "value": default})
        value[empty] = col.default
    return value.astype(object)


def parse_columns(
    frame: pd.DataFrame,
    kind: LayerKind,
    rej: Rejects,
    notes: pd.Series | None = None,
    *,
    decimal_comma: bool = False,
) -> dict[str, pd.Series]:
    """Parse every canonical column present; reject rows with values that cannot be understood.

    Numbers with units, thousands separators, full-width digits or Chinese
    numerals are read (:func:`sxgeo.io.lenient.parse_number`) and noted in
    ``notes``; an unknown category value becomes the column's fallback code
    (其他) with a note, or rejects the row when the column has none.
    ``decimal_comma`` (a ``;``-separated file) reads ``112,565`` as 112.565 in
    decimal columns.
    """
    parsed: dict[str, pd.Series] = {}
    for col in kind.columns:
        if col.name not in frame or col.name in ("lon", "lat", "coord_system"):
            continue
        raw = nfkc(frame[col.name].astype(str))
        empty = raw == ""
        label = col.label_zh

        def params(i, raw=raw, label=label):
            return {"column": label, "value": raw.at[i]}

        if col.required and col.default is None:
            rej.add(empty, "missing_value", lambda i, label=label: {"column": label})
        if col.dtype in ("int", "float", "year"):
            typed = frame[col.name].astype(str).str.strip()
            parsed[col.name] = _numbers(raw, typed, col, rej, notes, decimal_comma)
        elif col.dtype == "bool":
            norm = raw.map(normalise_value)
            true = set(BOOL_TRUE) | {normalise_value(v) for v in col.values.get("true", ())}
            false = set(BOOL_FALSE) | {normalise_value(v) for v in col.values.get("false", ())}
            value = pd.Series(pd.NA, index=raw.index, dtype="boolean")
            value[norm.isin(true)] = True
            value[norm.isin(false)] = False
            rej.add(~empty & value.isna(), "bad_value", params)
            parsed[col.name] = value
        elif col.dtype == "category":
            parsed[col.name] = _category(raw, col, rej, notes)
        else:
            parsed[col.name] = raw.astype(object)
    return parsed


def cross_checks(kind: LayerKind, parsed: dict[str, pd.Series], rej: Rejects) -> None:
    """Reject rows whose values contradict each other (more nursing beds than beds, a part above the whole)."""
    if "beds" in parsed and "nursing_beds" in parsed:
        beds, nursing = parsed["beds"], parsed["nursing_beds"]
        bad = (nursing > beds).fillna(False).astype(bool)
        rej.add(bad, "nursing_gt_beds", lambda i: {"nursing": nursing.at[i], "beds": beds.at[i]})
    if "population" in parsed:
        pop = parsed["population"]
        for name in ("pop_3_5", "pop_60_plus"):
            if name in parsed:
                part = parsed[name]
                bad = (part > pop).fillna(False).astype(bool)
                label = kind.column(name).label_zh
                rej.add(
                    bad,
                    "age_gt_population",
                    lambda i, part=part, label=label: {"column": label, "value": part.at[i], "population": pop.at[i]},
                )
