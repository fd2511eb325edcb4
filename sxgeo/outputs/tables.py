"""Export tables and layers: CSV (UTF-8 with BOM, for Excel), XLSX and GeoPackage; headers and values in words.

:func:`localise` is the one column and value localiser of sxgeo: it gives
every known column its header from the text catalogue (``col.<column>``) and,
optionally, coded values their words (``val.<column>.<value>`` and
``cat.<column>.<code>``: target status, siting scenario, layer categories …),
yes and no for booleans, and keeps only the text column of the language
(``notes`` or ``notes_en``, ``target_zh`` or ``target_en``).  Ids, codes,
numbers and the layer's own text are left as they are.

:func:`readable` is a table as people read it, on screen and in CSV and XLSX
files: localised, without helper columns, missing values empty and numbers
rounded by what they measure (shares in percent, minutes to one decimal,
metres and people whole, coordinates to six decimals).  GeoPackages keep
their numbers as numbers (for GIS work) with localised headers and words.
"""

from __future__ import annotations

import io
import math
import re
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from sxgeo.formatting import COMPARATOR_SIGNS, DIGITS, fmt_gap, fmt_percent, number_kind
from sxgeo.text import choose, has, labels, lang_or_default, t

__all__ = [
    "localise",
    "notes_in",
    "readable",
    "sheet_title",
    "to_csv_bytes",
    "to_xlsx_bytes",
    "to_gpkg_bytes",
    "write_table",
]

#: Text columns held in both languages: the column of each language (the other one is dropped).
_LANG_PAIRS = ({"zh": "notes", "en": "notes_en"}, {"zh": "target_zh", "en": "target_en"})
#: Columns read in the unit of their row's ``unit`` column (or of the ``units`` a caller passes).
_UNIT_COLUMNS = ("value", "threshold", "gap", "value_before", "value_after", "gap_before", "gap_after")
#: Kinds of numbers (:func:`~sxgeo.formatting.number_kind`) an XLSX cell keeps unrounded, shown rounded by its
#: number format: measures whose further decimals matter to a reader who computes with them.
_EXACT = ("plain", "amount", "index")
#: Decimals of a value in a target's unit (shares are in percent).
_UNIT_DIGITS = {"count": 0, "minutes": 1}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9_]+")


@cache
def _column_labels(lang: str) -> dict[str, str]:
    """Column -> header in ``lang`` (``col.*`` of the catalogue)."""
    return labels("col", lang)


@cache
def _header_columns(lang: str) -> dict[str, str]:
    """Header in ``lang`` -> column (the first column of a shared header), to read tables localised earlier."""
    out: dict[str, str] = {}
    for column, header in _column_labels(lang).items():
        out.setdefault(header, column)
    return out


@cache
def _value_labels(lang: str) -> dict[str, dict[str, str]]:
    """Column -> {coded value -> words} in ``lang`` (``cat.<column>.<code>``, then ``val.<column>.<value>``)."""
    out: dict[str, dict[str, str]] = {}
    for prefix in ("cat", "val"):
        for key, text in labels(prefix, lang).items():
            column, _, value = key.partition(".")
            out.setdefault(column, {})[value] = text
    return out


def _missing(value: object) -> bool:
    """Whether a cell is empty: None, NaN, NA or NaT (a list or other object never is)."""
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def notes_in(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``frame`` with one ``notes`` column in ``lang`` (from ``notes`` / ``notes_en``), the other dropped."""
    if "notes_en" not in frame:
        return frame
    notes = choose({"zh": frame["notes"], "en": frame["notes_en"]}, lang) if "notes" in frame else frame["notes_en"]
    return frame.drop(columns="notes_en").assign(notes=notes)


def _in_language(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` without the text columns of the other language (when both are there)."""
    drop = [pair[other] for pair in _LANG_PAIRS for other in pair
            if other != lang and pair[other] in frame.columns and pair.get(lang) in frame.columns]
    return frame.drop(columns=drop) if drop else frame


def _is_bool(col: pd.Series) -> bool:
    """A boolean column (also an object column holding only booleans and missing values)."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return True
    if col.dtype != object:
        return False
    present = [v for v in col if not _missing(v)]
    return bool(present) and all(isinstance(v, (bool, np.bool_)) for v in present)


def _bool_words(column: str, lang: str) -> tuple[str, str]:
    """Words for true and false in ``column``: its own (``val.<column>.true``, 城镇 / 农村) or yes and no."""
    own = _value_labels(lang).get(column, {})
    return own.get("true", t("bool.true", lang)), own.get("false", t("bool.false", lang))


def _word(value: object, words: Mapping[str, str], sep: str) -> object:
    """A coded value in words; ``;``-joined codes (point flags) each in words; anything else as it is."""
    if not isinstance(value, str):
        return value
    if value in words:
        return words[value]
    parts = value.split(";")
    if len(parts) > 1 and all(p in words for p in parts):
        return sep.join(words[p] for p in parts)
    return value


def _words(frame: pd.DataFrame, lang: str, geometry: str | None) -> pd.DataFrame:
    """Coded values, booleans and comparators of ``frame`` in words (``frame`` is changed)."""
    words = _value_labels(lang)
    sep = t("load.sep", lang)
    for col in frame.columns:
        if not isinstance(col, str) or col == geometry:
            continue
        if _is_bool(frame[col]):
            yes, no = _bool_words(col, lang)
            frame[col] = pd.Series([None if _missing(v) else (yes if v else no) for v in frame[col]],
                                   index=frame.index, dtype=object)
        elif col == "comparator":
            frame[col] = frame[col].map(lambda v: COMPARATOR_SIGNS.get(v, v) if isinstance(v, str) else v)
        elif col in words:
            frame[col] = frame[col].map(lambda v, w=words[col]: _word(v, w, sep))
    return frame


def _headers(frame: pd.DataFrame, lang: str, geometry: str | None) -> pd.DataFrame:
    """``frame`` with every known column under its header; a header that would clash is left untranslated."""
    headers = _column_labels(lang)
    mapping: dict[str, str] = {}
    taken = set(frame.columns)
    for col in frame.columns:
        label = headers.get(col) if isinstance(col, str) else None
        if col == geometry or label is None or label == col:
            continue
        if label in taken or label in mapping.values():
            continue
        mapping[col] = label
    return frame.rename(columns=mapping)


def localise(frame: pd.DataFrame, lang: str = "zh", *, values: bool = True) -> pd.DataFrame:
    """Headers in Chinese (or English) for every known column and, with ``values``, coded values in words.

    Parameters
    ----------
    frame
        Any table or layer; it is not changed.
    lang
        ``zh`` (default) or ``en``.
    values
        Also write coded values in words (``met`` → 达标, ``mclp`` → 最大覆盖（MCLP）,
        ``community`` → 社区养老服务站 in ``care_kind``), booleans as yes / no
        (是 / 否; ``urban`` as 城镇 / 农村) and keep only the text column of
        ``lang`` (``notes`` in Chinese, ``notes_en`` in English).  Only columns
        with ``val.<column>.*`` or ``cat.<column>.*`` entries in the catalogue
        and boolean columns are touched; numbers stay numbers.

    Returns
    -------
    pandas.DataFrame
        A copy with renamed columns.  Unknown columns and the geometry column
        keep their name, and a header that would clash with another column's
        name (or an earlier column's header) is left untranslated.
    """
    lang = lang_or_default(lang)
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    out = frame
    if values:
        out = _words(_in_language(frame, lang).copy(), lang, geometry)
    return _headers(out, lang, geometry)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return frame


def _column_names(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with headers localised earlier (by a caller's :func:`localise`) back under their column names."""
    back = _header_columns(lang)
    known = _column_labels(lang)
    mapping: dict[str, str] = {}
    for col in frame.columns:
        name = back.get(col) if isinstance(col, str) and col not in known else None
        if name is not None and name not in frame.columns and name not in mapping.values():
            mapping[col] = name
    return frame.rename(columns=mapping) if mapping else frame


def _helper(column: object) -> bool:
    """An internal helper column (``_kind``, ``sx_*``) that has no header of its own."""
    name = str(column)
    return name.startswith("sx_") or (name.startswith("_") and name not in _column_labels("zh"))


def _numeric(col: pd.Series) -> bool:
    """A column of numbers (booleans are not), also an object column holding only numbers and missing values."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return False
    if pd.api.types.is_numeric_dtype(col.dtype):
        return True
    if col.dtype != object:
        return False
    present = [v for v in col if not _missing(v)]
    return bool(present) and all(isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))
                                 for v in present)


def _number_format(digits: int) -> str:
    """An Excel number format with ``digits`` decimals."""
    return "0" if digits == 0 else "0." + "0" * digits


def _cell(value: object, digits: int, text: bool, *, share: bool = False,
          exact: bool = False) -> tuple[object, str | None]:
    """A number as shown, and its Excel number format.

    As text: rounded to ``digits`` decimals without thousands separators, a
    share in percent.  For XLSX: the number rounded to ``digits`` decimals
    (whole numbers as int; coordinates, minutes, metres, people), or with
    ``exact`` (and for shares) the number itself, with the format that shows
    it rounded.
    """
    if _missing(value) or not math.isfinite(float(value)):
        return None, None
    v = float(value)
    if share:
        return (fmt_percent(v), None) if text else (v, "0.0%")
    if text:
        return f"{v:.{digits}f}", None
    if not exact:
        v = round(v, digits)
    return (int(v) if digits == 0 and v.is_integer() else v), _number_format(digits)


def _in_unit(value: object, unit: object, *, gap: bool, text: bool, lang: str) -> tuple[object, str | None]:
    """A value (or, with ``gap``, a distance to a threshold) in a target's unit; a met gap is empty.

    A gap in a share is written in percentage points, as text.
    """
    if _missing(value) or not math.isfinite(float(value)) or (gap and float(value) <= 0):
        return None, None
    if unit == "share":
        return (fmt_gap(value, "share", lang), None) if gap else _cell(value, 1, text, share=True)
    return _cell(value, _UNIT_DIGITS.get(unit, 1) if isinstance(unit, str) else DIGITS["plain"], text, exact=True)


def _digits(col: pd.Series, kind: str) -> int:
    """Decimals of a column: by its kind; a plain column of whole numbers gets none."""
    if kind == "plain":
        present = [float(v) for v in col if not _missing(v)]
        if all(math.isfinite(v) and v.is_integer() for v in present):
            return 0
    return DIGITS[kind]


def _row_units(frame: pd.DataFrame, lang: str) -> pd.Series | None:
    """The unit of each row (``unit`` column, also when already in words), or None without one."""
    if "unit" not in frame:
        return None
    back = {word: code for code, word in _value_labels(lang).get("unit", {}).items()}
    return frame["unit"].map(lambda u: back.get(u, u))


def _numbers(frame: pd.DataFrame, lang: str, units: Mapping[str, str],
             text: bool) -> tuple[pd.DataFrame, dict[str, list]]:
    """Numbers as shown (see :func:`_cell`), missing values None (``frame`` is changed), and their Excel formats."""
    rows = _row_units(frame, lang)
    formats: dict[str, list] = {}
    for col in frame.columns:
        series = frame[col]
        if not isinstance(col, str) or not _numeric(series):
            continue
        if col in _UNIT_COLUMNS and (rows is not None or col in units):
            unit = rows if rows is not None else pd.Series(units[col], index=frame.index)
            cells = [_in_unit(v, u, gap=col.startswith("gap"), text=text, lang=lang) for v, u in zip(series, unit)]
        else:
            kind = "share" if units.get(col) == "share" else number_kind(col)
            digits = 1 if kind == "share" else _digits(series, kind)
            exact = kind in _EXACT
            cells = [_cell(v, digits, text, share=kind == "share", exact=exact) for v in series]
        frame[col] = pd.Series([c[0] for c in cells], index=frame.index, dtype=object)
        formats[col] = [c[1] for c in cells]
    return frame, formats


def _cells(col: pd.Series, text: bool) -> pd.Series:
    """A column's cells as text (missing empty) or as they are with None for missing (openpyxl writes no NA)."""
    if text:
        return pd.Series(["" if _missing(v) else str(v) for v in col], index=col.index, dtype=object)
    return pd.Series([None if _missing(v) else v for v in col], index=col.index, dtype=object)


def _table(frame: pd.DataFrame, lang: str, units: Mapping[str, str] | None,
           text: bool) -> tuple[pd.DataFrame, dict[int, list]]:
    """:func:`readable` and the Excel number formats of its cells (by column position)."""
    lang = lang_or_default(lang)
    plain = _column_names(_plain(frame), lang)
    plain = _in_language(plain[[c for c in plain.columns if not _helper(c)]], lang).copy()
    out, formats = _numbers(plain, lang, dict(units or {}), text)
    out = _words(out, lang, None)
    out = out.apply(lambda col: _cells(col, text)) if len(out.columns) else out
    positions = {i: formats[c] for i, c in enumerate(out.columns) if c in formats}
    return _headers(out, lang, None), positions


def readable(frame: pd.DataFrame, lang: str = "zh", *, units: Mapping[str, str] | None = None,
             text: bool = True) -> pd.DataFrame:
    """A table as people read it, on screen and in CSV and XLSX files.

    Headers and coded values in ``lang`` (see :func:`localise`), booleans as
    yes / no, the text columns of the other language, helper columns (``_*``
    without a header, ``sx_*``) and the geometry dropped, missing values
    empty, and numbers rounded by what they measure (:func:`~sxgeo.formatting.number_kind`):
    shares in percent (``37.3%``), minutes to one decimal, metres, people and
    counts whole, coordinates to six decimals.  A frame already passed through
    :func:`localise` is read by its headers.

    Parameters
    ----------
    frame
        Any table or layer; it is not changed.
    lang
        ``zh`` (default) or ``en``.
    units
        Units of columns whose unit the table does not say (``{"value": "share"}``):
        the target units of ``sxgeo/data/targets.toml``.  ``value``, ``threshold``
        and ``gap`` are read in the row's ``unit`` column when there is one.
    text
        Every cell as text (for screens and CSV; missing values ``""``); else
        numbers stay numbers (for XLSX, which shows them rounded through
        number formats: ``0.0%``, ``0.0`` …; missing values None): coordinates,
        minutes, metres and people rounded, shares, supply amounts, indices and
        other numbers as they are; gaps of shares as text.

    Returns
    -------
    pandas.DataFrame
        A new table with object columns.
    """
    return _table(frame, lang, units, text)[0]


def to_csv_bytes(frame: pd.DataFrame, lang: str = "zh", *, units: Mapping[str, str] | None = None) -> bytes:
    """CSV of :func:`readable` in UTF-8 with BOM, so that Excel opens Chinese text correctly; geometry dropped."""
    return readable(frame, lang, units=units).to_csv(index=False).encode("utf-8-sig")


def sheet_title(name: str, lang: str = "zh") -> str:
    """A table's name in words: ``val.table.<name>`` of the catalogue (a ``_gaps`` suffix ignored), else ``name``."""
    for key in (f"val.table.{name}", f"val.table.{name.removesuffix('_gaps')}"):
        if has(key):
            return t(key, lang)
    return name


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame], lang: str = "zh", *,
                  units: Mapping[str, str] | None = None) -> bytes:
    """An XLSX workbook with one sheet of :func:`readable` per table; numbers stay numbers, shown rounded.

    Each number cell gets the Excel format of its kind (``0.0%`` for shares,
    ``0.0`` for minutes, ``0`` for metres and people, ``0.000000`` for
    coordinates), so Excel shows ``37.3%`` while the cell keeps the value.
    The keys of ``sheets`` are table names (``kindergarten``, ``off_map``: their
    :func:`sheet_title` in ``lang``) or titles in words; sheet names are cut to
    Excel's 31 characters and kept unique.  ``units`` is passed to :func:`readable`.
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        used: set[str] = set()
        for name, frame in sheets.items():
            sheet = _sheet_name(sheet_title(str(name), lang), used)
            table, formats = _table(frame, lang, units, text=False)
            table.to_excel(writer, sheet_name=sheet, index=False)
            _format_sheet(writer.sheets[sheet], table, formats)
    return buf.getvalue()


def _shown(value: object, fmt: str | None) -> str:
    """A cell as Excel shows it through its number format (for the column width)."""
    if isinstance(value, float) and fmt:
        return fmt_percent(value) if fmt.endswith("%") else f"{value:.{len(fmt.partition('.')[2])}f}"
    return str(value)


def _format_sheet(ws, table: pd.DataFrame, formats: dict[int, list]) -> None:
    """Freeze the header, set the number formats and fit each column to its header or longest cell (8 to 50)."""
    ws.freeze_panes = "A2"
    for i, col in enumerate(table.columns):
        fmts = formats.get(i, [None] * len(table))
        width = max([len(str(col))] + [len(_shown(v, f)) for v, f in zip(table[col].head(200), fmts)]) + 2
        ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = min(max(width, 8), 50)
        for row, fmt in enumerate(fmts, start=2):
            if fmt is not None:
                ws.cell(row=row, column=i + 1).number_format = fmt


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("", name).strip("'")[:31] or "Sheet"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        suffix = f"_{n}"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate)
    return candidate


def _layer_name(layer: str) -> str:
    """A GeoPackage layer name in ASCII letters, digits and underscores (``gaps`` when nothing is left)."""
    return _NOT_ASCII_NAME.sub("_", str(layer)).strip("_") or "gaps"


def to_gpkg_bytes(frame: gpd.GeoDataFrame, layer: str = "gaps", lang: str = "zh") -> bytes:
    """A GeoPackage holding one layer (EPSG:4326); the layer name is made ASCII-safe."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.gpkg"
        write_table(frame, path, layer=layer, lang=lang)
        return path.read_bytes()


def _for_gis(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A layer for a GeoPackage: :func:`localise` without helper columns; numbers kept, missing values None."""
    frame = _column_names(frame, lang)  # the geometry column has no header: it keeps its name
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    frame = frame[[c for c in frame.columns if c == geometry or not _helper(c)]]
    out = localise(frame, lang)
    nullable = ("boolean", "Int64", "Float64", "string")
    return out.apply(lambda c: c.astype(object).where(c.notna(), None) if c.dtype.name in nullable else c)


def write_table(frame: pd.DataFrame, path: str | Path, *, layer: str = "gaps", lang: str = "zh",
                units: Mapping[str, str] | None = None) -> Path:
    """Write one table to ``path``; the format follows the suffix (.csv, .xlsx, .gpkg).

    CSV and XLSX hold :func:`readable` (``units`` as there); a GeoPackage holds
    :func:`localise` (numbers as numbers) in the ASCII-safe layer ``layer``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_bytes(to_csv_bytes(frame, lang, units=units))
    elif suffix == ".xlsx":
        path.write_bytes(to_xlsx_bytes({layer: frame}, lang, units=units))
    elif suffix == ".gpkg":
        out = _for_gis(frame, lang)
        name = _layer_name(layer)
        if isinstance(frame, gpd.GeoDataFrame):
            out = gpd.GeoDataFrame(out, geometry=frame.geometry.name, crs=frame.crs).to_crs("EPSG:4326")
            out.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        else:  # a list without positions (records not on the map): an attribute table
            pyogrio.write_dataframe(pd.DataFrame(out), path, layer=name, driver="GPKG")
    else:
        raise ValueError(f"{path.name}: unsupported format {suffix!r} (use .csv, .xlsx or .gpkg)")
    return path
