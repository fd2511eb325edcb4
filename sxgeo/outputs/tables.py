"""Export tables and layers: CSV (UTF-8 with BOM, for Excel), XLSX and GeoPackage; headers in words.

:func:`localise` is the one column and value localiser of sxgeo: it gives
every known column its header from the text catalogue (``col.<column>``) and,
optionally, coded values their words (``val.<column>.<value>``: target status,
siting scenario, candidate source, site basis).  Ids, codes, numbers and the
layer's own values are left as they are, so they survive a round trip.
"""

from __future__ import annotations

import io
import tempfile
from functools import cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from sxgeo.text import choose, labels, lang_or_default

__all__ = ["localise", "notes_in", "to_csv_bytes", "to_xlsx_bytes", "to_gpkg_bytes", "write_table"]


@cache
def _column_labels(lang: str) -> dict[str, str]:
    """Column -> header in ``lang`` (``col.*`` of the catalogue)."""
    return labels("col", lang)


@cache
def _value_labels(lang: str) -> dict[str, dict[str, str]]:
    """Column -> {coded value -> words} in ``lang`` (``val.<column>.<value>`` of the catalogue)."""
    out: dict[str, dict[str, str]] = {}
    for key, text in labels("val", lang).items():
        column, _, value = key.partition(".")
        out.setdefault(column, {})[value] = text
    return out


def notes_in(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``frame`` with one ``notes`` column in ``lang`` (from ``notes`` / ``notes_en``), the other dropped."""
    if "notes_en" not in frame:
        return frame
    notes = choose({"zh": frame["notes"], "en": frame["notes_en"]}, lang) if "notes" in frame else frame["notes_en"]
    return frame.drop(columns="notes_en").assign(notes=notes)


def localise(frame: pd.DataFrame, lang: str = "zh", *, values: bool = True) -> pd.DataFrame:
    """Headers in Chinese (or English) for every known column and, with ``values``, coded values in words.

    Parameters
    ----------
    frame
        Any table or layer; it is not changed.
    lang
        ``zh`` (default) or ``en``.
    values
        Also write coded values in words (``met`` → 达标, ``mclp`` → 最大覆盖（MCLP）);
        only the columns with ``val.<column>.*`` entries in the catalogue are touched.

    Returns
    -------
    pandas.DataFrame
        A copy with renamed columns.  Unknown columns and the geometry column
        keep their name, and a header that would clash with another column's
        name (or an earlier column's header) is left untranslated.
    """
    lang = lang_or_default(lang)
    out = frame.copy() if values else frame
    geometry = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    if values:
        for col, words in _value_labels(lang).items():
            if col in out.columns and col != geometry:
                out[col] = out[col].map(lambda v, w=words: w[v] if isinstance(v, str) and v in w else v)
    headers = _column_labels(lang)
    mapping: dict[str, str] = {}
    taken = set(out.columns)
    for col in out.columns:
        label = headers.get(col) if isinstance(col, str) else None
        if col == geometry or label is None or label == col:
            continue
        if label in taken or label in mapping.values():
            continue
        mapping[col] = label
    return out.rename(columns=mapping)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return frame


def _nullable_as_none(col: pd.Series) -> pd.Series:
    """A nullable boolean, integer or float column as objects with None for missing (openpyxl writes no <NA>)."""
    if col.dtype.name in ("boolean", "Int64", "Float64"):
        return col.astype(object).where(col.notna(), None)
    return col


def to_csv_bytes(frame: pd.DataFrame, lang: str = "zh") -> bytes:
    """CSV in UTF-8 with BOM so that Excel opens Chinese text correctly; geometry dropped."""
    return localise(_plain(frame), lang, values=False).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame], lang: str = "zh") -> bytes:
    """An XLSX workbook with one sheet per table (sheet names cut to Excel's 31 characters)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        used: set[str] = set()
        for name, frame in sheets.items():
            sheet = _sheet_name(name, used)
            table = localise(_plain(frame), lang, values=False)
            table = table.apply(_nullable_as_none)
            table.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "A2"
            for i, col in enumerate(table.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in table[col].head(200)]) + 2
                ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(width, 8), 50)
    return buf.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        suffix = f"_{n}"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate)
    return candidate


def to_gpkg_bytes(frame: gpd.GeoDataFrame, layer: str = "gaps", lang: str = "zh") -> bytes:
    """A GeoPackage holding one layer (EPSG:4326)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.gpkg"
        write_table(frame, path, layer=layer, lang=lang)
        return path.read_bytes()


def write_table(frame: pd.DataFrame, path: str | Path, *, layer: str = "gaps", lang: str = "zh") -> Path:
    """Write one table to ``path``; the format follows the suffix (.csv, .xlsx, .gpkg)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_bytes(to_csv_bytes(frame, lang))
    elif suffix == ".xlsx":
        path.write_bytes(to_xlsx_bytes({layer: frame}, lang))
    elif suffix == ".gpkg":
        out = localise(frame, lang, values=False)
        out = out.apply(lambda c: c.astype(object).where(c.notna(), None) if c.dtype.name in ("boolean",) else c)
        if isinstance(frame, gpd.GeoDataFrame):
            out = gpd.GeoDataFrame(out, geometry=frame.geometry.name, crs=frame.crs).to_crs("EPSG:4326")
            out.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        else:  # a list without positions (records not on the map): an attribute table
            pyogrio.write_dataframe(pd.DataFrame(out), path, layer=layer, driver="GPKG")
    else:
        raise ValueError(f"{path.name}: unsupported format {suffix!r} (use .csv, .xlsx or .gpkg)")
    return path
