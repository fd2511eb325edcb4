"""Read tabular and spatial files into a raw table, whatever their format.

This module only reads: it does not map headers or validate values (that is
:mod:`sxgeo.io.load`).  Every reader returns a :class:`RawTable` whose rows are
numbered as the user sees them in the source file, so rejected rows can be
reported against the original.

Any file that cannot be read at all raises :class:`LayerReadError`, which
names the file and the problem in Chinese and English, never a traceback.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.errors import LayerReadError
from sxgeo.settings import MAX_UPLOAD_BYTES

__all__ = ["RawTable", "read_table", "MAX_BYTES", "TABULAR_SUFFIXES", "SPATIAL_SUFFIXES"]

TABULAR_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
SPATIAL_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")
#: Files larger than this are refused (uploads especially).
MAX_BYTES = MAX_UPLOAD_BYTES
_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class RawTable:
    """What a reader found in a file.

    Attributes
    ----------
    frame
        The attribute columns, all values as strings ('' for empty); the
        original headers are kept.
    rows
        Source row number of each record: the spreadsheet row for CSV/XLSX
        (the header is row 1, so data start at 2), the feature number
        (from 1) for spatial files.
    geometry
        The geometries of a spatial file (in its own CRS), else None.
    name
        The file's name, for messages.
    delimiter
        The field separator of a CSV file (``;`` means numbers may have
        decimal commas), else None.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    geometry: gpd.GeoSeries | None
    name: str
    delimiter: str | None = None


def read_table(
    source: str | Path,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    display_name: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> RawTable:
    """Read a CSV, XLSX, GeoJSON, GeoPackage or (zipped) Shapefile.

    Parameters
    ----------
    source
        Path to the file.
    sheet
        XLSX sheet name or index (default: the first sheet).
    encoding
        Text encoding for CSV or a Shapefile's DBF; by default UTF-8 (with or
        without BOM) is tried, then GBK/GB18030.
    display_name
        Name to use in messages (for an upload saved under a temporary name).
    max_bytes
        Larger files are refused.

    Raises
    ------
    LayerReadError
        When the file cannot be read at all.
    """
    path = Path(source)
    name = display_name or path.name
    if not path.is_file():
        raise LayerReadError(name, "err_not_found")
    size = path.stat().st_size
    if size > max_bytes:
        raise LayerReadError(
            name, "err_too_large", size_mb=round(size / 2**20, 1), limit_mb=round(max_bytes / 2**20)
        )
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        table = _read_csv(path, name, encoding)
    elif suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, name, sheet)
    elif suffix in (".geojson", ".json", ".gpkg", ".shp"):
        table = _read_spatial(str(path), name, encoding)
    elif suffix == ".zip":
        table = _read_zip(path, name, encoding)
    else:
        raise LayerReadError(name, "err_format", suffix=suffix or name)
    if len(table.frame) == 0:
        raise LayerReadError(name, "err_empty")
    return table


def _decode(data: bytes, name: str, encoding: str | None) -> str:
    encodings = (encoding,) if encoding else _ENCODINGS
    for enc in encodings:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise LayerReadError(name, "err_encoding")


def _read_csv(path: Path, name: str, encoding: str | None) -> RawTable:
    text = _decode(path.read_bytes(), name, encoding)
    if not text.strip():
        raise LayerReadError(name, "err_empty")
    delimiter = _sniff_delimiter(text[:20000])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise LayerReadError(name, "err_parse", detail=str(exc)) from None
    header = [h.strip() for h in records[0]]
    body = records[1:]
    width = len(header)
    # Keep every line: a short line is padded, extra cells go to columns named '_extra_N'
    # so that nothing a user typed is dropped.
    extra = max((len(r) for r in body), default=width) - width
    if extra > 0:
        header = header + [f"_extra_{i + 1}" for i in range(extra)]
        width = len(header)
    rows = [list(r) + [""] * (width - len(r)) for r in body]
    header = _dedupe_headers(header)
    frame = pd.DataFrame(rows, columns=header, dtype=object).fillna("")
    # Spreadsheet numbering: header is line 1.  Quoted multi-line cells shift
    # physical lines, but record numbers are what spreadsheet programs show.
    numbers = np.arange(2, len(frame) + 2)
    # A trailing newline is not a record; wholly blank records remain and are reported.
    return RawTable(frame=frame.astype(str), rows=numbers, geometry=None, name=name, delimiter=delimiter)


def _sniff_delimiter(sample: str) -> str:
    """The separator of the header line: the most frequent of ``,``, tab, ``;`` and ``|`` outside quotes (``,`` if none).

    Counting on the header alone is robust where :class:`csv.Sniffer` is not: a
    ``;``-separated file whose values have decimal commas (``112,565``) is
    still read as ``;``-separated.
    """
    header = sample.splitlines()[0] if sample else ""
    unquoted = "".join(part for k, part in enumerate(header.split('"')) if k % 2 == 0)
    counts = {d: unquoted.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _dedupe_headers(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        h = h or "_unnamed"
        if h in seen:
            seen[h] += 1
            out.append(f"{h}_{seen[h]}")
        else:
            seen[h] = 0
            out.append(h)
    return out


def _cell_to_str(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return str(v)


def _read_xlsx(path: Path, name: str, sheet: str | int | None) -> RawTable:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad workbook
        raise LayerReadError(name, "err_parse", detail=f"{type(exc).__name__}: {exc}") from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        else:
            ws = wb[sheet]
        values = [list(r) for r in ws.iter_rows(values_only=True)]
    except (KeyError, IndexError):
        raise LayerReadError(name, "err_parse", detail=f"sheet {sheet!r} not found") from None
    finally:
        wb.close()
    # Trailing rows that are entirely empty are formatting residue, not records.
    while values and all(v is None or str(v).strip() == "" for v in values[-1]):
        values.pop()
    if len(values) < 2:
        raise LayerReadError(name, "err_empty")
    header = [_cell_to_str(h).strip() for h in values[0]]
    width = max(len(r) for r in values)
    header = _dedupe_headers(header + [f"_extra_{i + 1}" for i in range(width - len(header))])
    body = [[_cell_to_str(v) for v in r] + [""] * (width - len(r)) for r in values[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object).astype(str)
    # Drop fully empty trailing columns created by formatting, keep anything with a header.
    return RawTable(frame=frame, rows=np.arange(2, len(frame) + 2), geometry=None, name=name)


def _read_spatial(uri: str, name: str, encoding: str | None) -> RawTable:
    kwargs = {"encoding": encoding} if encoding else {}
    try:
        gdf = gpd.read_file(uri, engine="pyogrio", **kwargs)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise LayerReadError(name, "err_parse", detail=str(exc).splitlines()[0][:300]) from None
    geometry = gdf.geometry if "geometry" in gdf else None
    attrs = pd.DataFrame(gdf.drop(columns="geometry", errors="ignore"))
    frame = attrs.apply(lambda col: col.map(_cell_to_str)) if len(attrs.columns) else attrs
    frame = frame.astype(str) if len(frame.columns) else pd.DataFrame(index=gdf.index)
    frame = frame.reset_index(drop=True)
    if geometry is not None:
        geometry = geometry.reset_index(drop=True)
    return RawTable(frame=frame, rows=np.arange(1, len(gdf) + 1), geometry=geometry, name=name)


def check_zip(path: Path, name: str) -> list[str]:
    """Return the archive's member names, refusing absolute paths and ``..``.

    Raises
    ------
    LayerReadError
        For an unreadable archive or an unsafe entry.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise LayerReadError(name, "err_parse", detail=str(exc)) from None
    for m in members:
        p = PurePosixPath(m.replace("\\", "/"))
        if p.is_absolute() or ".." in p.parts or (len(m) > 1 and m[1] == ":"):
            raise LayerReadError(name, "err_zip_unsafe", entry=m)
    return members


def _read_zip(path: Path, name: str, encoding: str | None) -> RawTable:
    members = check_zip(path, name)
    layers = [m for m in members if PurePosixPath(m).suffix.lower() in (".shp", ".gpkg", ".geojson", ".json")]
    layers = [m for m in layers if not PurePosixPath(m).name.startswith("._")]  # macOS resource forks
    if not layers:
        raise LayerReadError(name, "err_zip_no_layer")
    if len(layers) > 1:
        raise LayerReadError(name, "err_zip_many_layers", names=", ".join(layers))
    inner = layers[0]
    uri = f"/vsizip/{path.resolve()}/{inner}"
    if inner.lower().endswith(".shp") and encoding is None:
        encoding = _shapefile_encoding(path, inner)
    return _read_spatial(uri, name, encoding)


def _shapefile_encoding(path: Path, shp: str) -> str | None:
    """Pick the DBF encoding: the .cpg file if any, else UTF-8 when it decodes, else GB18030."""
    stem = shp[: -len(".shp")]
    with zipfile.ZipFile(path) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        cpg = names.get(f"{stem}.cpg".lower())
        if cpg is not None:
            return None  # GDAL honours the .cpg itself
        dbf = names.get(f"{stem}.dbf".lower())
        if dbf is None:
            return None
        data = zf.read(dbf)
    # DBF: header length at bytes 8-9; the records follow.
    header_len = int.from_bytes(data[8:10], "little") if len(data) > 10 else 0
    try:
        data[header_len:].decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"
