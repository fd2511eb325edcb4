"""Recognise Amap, Baidu and Tencent POI exports: their datum, their coordinate fields and their categories.

A planner's facility list is often a POI search exported from a web map.  Such
a file has its own shape: Amap's ``id, name, type, typecode, address,
location, pname, cityname, adname`` with ``location`` = ``"lng,lat"``; Baidu's
``point.x``/``point.y`` and ``tag``; Tencent's ``location.lat``/``location.lng``,
``category`` and ``ad_info.*``.  :func:`adapt` recognises the service (its
datum is the default of ``coord_system="auto"``), splits a single coordinate
field into longitude and latitude, and maps the service's category (type text
or Amap typecode) to the layer kind's category code through
``sxgeo/data/poi_categories.toml``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from sxgeo.layers.kinds import LayerKind, normalise_header
from sxgeo.resources import package_file

__all__ = ["SERVICE_DATUM", "PoiExport", "adapt", "detect_service", "poi_category"]

#: The datum each service publishes its coordinates in.
SERVICE_DATUM = {"amap": "gcj02", "baidu": "bd09", "tencent": "gcj02"}

# Normalised headers that identify each service's exports (checked in this order).
_MARKERS = {
    "baidu": {"point.x", "point.y", "uid", "detail_info.tag", "detail_info.type", "street_id"},
    "tencent": {"ad_info.adcode", "ad_info.province", "ad_info.city", "ad_info.district"},
    "amap": {"typecode", "pname", "cityname", "adname", "pcode", "citycode"},
}
#: A single field holding "lng,lat".
_LOCATION = ("location", "坐标", "经纬度", "坐标点", "lnglat", "lng_lat", "lng,lat")
#: The service's category text and Amap's typecode.
_CATEGORY_TEXT = ("type", "tag", "detail_info.tag", "category", "类别", "分类", "poi类型")
_TYPECODE = ("typecode", "type_code", "类型编码", "分类编码")
_SEGMENTS = re.compile(r"[;；:：|/、,，]")
_PAIR = re.compile(r"\s*[,，]\s*|\s+")


@dataclass
class PoiExport:
    """What :func:`adapt` made of a table.

    Attributes
    ----------
    service
        ``amap``, ``baidu``, ``tencent``, or None when the table is no recognised export.
    frame
        The table with any derived columns added under canonical names
        (``lon``, ``lat``, the kind's category column).
    consumed
        Source headers handled here, to be kept out of header mapping (they
        stay in the layer as extra columns).
    notes
        Row index -> notes ``(key, params)`` about that row.
    warnings
        File-level messages ``(key, params)``.
    """

    service: str | None
    frame: pd.DataFrame
    consumed: tuple[str, ...] = ()
    notes: dict[object, list[tuple[str, dict]]] = field(default_factory=dict)
    warnings: list[tuple[str, dict]] = field(default_factory=list)


@cache
def _table() -> dict:
    with package_file("data", "poi_categories.toml").open("rb") as fh:
        return tomllib.load(fh)


def detect_service(headers: list[str]) -> str | None:
    """The map service whose export these headers look like, or None."""
    norm = {normalise_header(h) for h in headers}
    for service, markers in _MARKERS.items():
        if norm & markers:
            return service
    if {"title", "category"} <= norm:
        return "tencent"
    return None


def poi_category(text: str, typecode: str = "") -> tuple[str, str] | None:
    """``(kind, code)`` of a POI's category text or Amap typecode, or None when neither is known.

    The text's segments are tried from the most specific (the last) to the
    least.  Only a POI without category text is looked up by its typecode, in
    full and as its 4-digit medium class: when the service's own words say
    what the POI is, they are trusted over the code table (some codes there are
    marked unsure).
    """
    table = _table()
    words = table["words"]
    segments = [s.strip() for s in _SEGMENTS.split(unicodedata.normalize("NFKC", text)) if s.strip()]
    for seg in reversed(segments):
        if seg in words:
            return tuple(words[seg].split(".", 1))
    if segments:
        return None
    codes = table["amap_typecodes"]
    for code in re.findall(r"\d{6}", typecode):  # Amap joins several typecodes with '|'
        for key in (code, code[:4]):
            if key in codes:
                return tuple(codes[key].split(".", 1))
    return None


def _find(headers: list[str], names: tuple[str, ...]) -> str | None:
    for h in headers:
        if normalise_header(h) in names:
            return h
    return None


def _split_location(frame: pd.DataFrame, header: str) -> pd.DataFrame:
    """``lon`` and ``lat`` columns from a ``"lng,lat"`` field; an unsplittable text goes to both, to be rejected."""
    text = frame[header].astype(str).map(lambda v: unicodedata.normalize("NFKC", v).strip())
    parts = text.map(lambda v: _PAIR.split(v) if v else ["", ""])
    lon = [p[0] if len(p) == 2 else v for p, v in zip(parts, text)]
    lat = [p[1] if len(p) == 2 else v for p, v in zip(parts, text)]
    return frame.assign(lon=lon, lat=lat)


def _categories(frame: pd.DataFrame, kind: LayerKind, column: str, text_h: str | None, code_h: str | None) -> PoiExport:
    """The kind's category column from the service's category, with notes for rows of another kind."""
    col = kind.column(column)
    fallback = "unknown" if column == "ownership" else (col.fallback or "other")
    texts = frame[text_h].astype(str) if text_h else pd.Series("", index=frame.index)
    codes = frame[code_h].astype(str) if code_h else pd.Series("", index=frame.index)
    values, notes = [], {}
    for i, text, code in zip(frame.index, texts, codes):
        found = poi_category(text, code)
        if found is not None and found[0] == kind.name:
            values.append(found[1])
            continue
        values.append(fallback)
        shown = text.strip() or code.strip()
        if shown:
            notes[i] = [("note_poi_category", {"value": shown})]
    out = PoiExport(None, frame.assign(**{column: values}), notes=notes)
    if column == "ownership":
        out.warnings.append(("warn_ownership_unknown", {}))
    return out


def adapt(frame: pd.DataFrame, kind: LayerKind) -> PoiExport:
    """Recognise a POI export and add the columns it implies.

    A single coordinate field (``location``, ``坐标``) is split into ``lon``
    and ``lat`` in any file without longitude/latitude columns.  In a
    recognised export the category text and typecode are kept out of header
    mapping (their ``type`` is no ownership or kind), and, unless the file
    has the kind's category column itself, that column is derived from them:
    kindergartens get ownership ``unknown`` (a POI list never says public or
    private).
    """
    headers = [str(h) for h in frame.columns]
    service = detect_service(headers)
    out = PoiExport(service, frame)
    lon_spellings = set(kind.column("lon").spellings()) | set(kind.column("lat").spellings())
    location = _find(headers, _LOCATION)
    has_lon_lat = any(normalise_header(h) in lon_spellings for h in headers)
    if location is not None and not has_lon_lat:
        out.frame = _split_location(frame, location)
        out.consumed += (location,)
    if service is None:
        return out
    text_h, code_h = _find(headers, _CATEGORY_TEXT), _find(headers, _TYPECODE)
    out.consumed += tuple(h for h in (text_h, code_h) if h is not None)
    column = _table()["columns"].get(kind.name)
    if column is None:
        return out
    spellings = set(kind.column(column).spellings())
    own = [h for h in headers if h not in out.consumed and normalise_header(h) in spellings]
    if not own:
        derived = _categories(out.frame, kind, column, text_h, code_h)
        out.frame, out.notes, out.warnings = derived.frame, derived.notes, derived.warnings
    return out
