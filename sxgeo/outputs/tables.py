"""Export tables and layers: CSV (UTF-8 with BOM, for Excel), XLSX and GeoPackage.

Column headers are translated to Chinese (default) or English with
:func:`localise_columns`; the values are left as they are so that ids and
codes survive a round trip unchanged.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sxgeo.layers.kinds import KINDS

__all__ = ["COLUMN_LABELS", "localise_columns", "to_csv_bytes", "to_xlsx_bytes", "to_gpkg_bytes", "write_table"]

#: Labels of analysis and administrative columns (layer columns come from sxgeo.layers.kinds).
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "row": ("行号", "Row"),
    "county_code": ("区县代码", "County code"),
    "county_name": ("区县", "County"),
    "city_code": ("地级市代码", "City code"),
    "city_name": ("地级市", "City"),
    "township_code": ("乡镇代码", "Township code"),
    "township_name": ("乡镇名称", "Township"),
    "township_kind": ("乡镇类型", "Township kind"),
    "admin_method": ("乡镇判定方法", "Township method"),
    "notes": ("备注", "Notes (zh)"),
    "notes_en": ("备注（英文）", "Notes"),
    "unit_code": ("单位代码", "Unit code"),
    "unit_name": ("单位名称", "Unit"),
    "unit_kind": ("单位类型", "Unit kind"),
    "level": ("层级", "Level"),
    "target_id": ("目标编号", "Target id"),
    "target_zh": ("目标", "Target (zh)"),
    "target_en": ("目标（英文）", "Target"),
    "quantity": ("指标", "Quantity"),
    "period": ("年份", "Year"),
    "value": ("数值", "Value"),
    "threshold": ("目标值", "Threshold"),
    "comparator": ("比较", "Comparator"),
    "unit": ("单位", "Unit of measure"),
    "met": ("是否达标", "Met"),
    "status": ("状态", "Status"),
    "gap": ("差距", "Gap"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "public": ("公办园数", "Public kindergartens"),
    "central": ("公办中心园数", "Central kindergartens"),
    "inclusive_private": ("普惠性民办园数", "Inclusive private kindergartens"),
    "private": ("民办园数", "Private kindergartens"),
    "passes": ("有公办园", "Has a public kindergarten"),
    "anchor": ("定位依据", "Location basis"),
    "nearest_public_id": ("最近公办园编号", "Nearest public kindergarten id"),
    "nearest_public_name": ("最近公办园", "Nearest public kindergarten"),
    "nearest_public_county": ("最近公办园所在区县", "Nearest public kindergarten county"),
    "nearest_public_m": ("最近公办园距离（米）", "Distance to nearest public kindergarten (m)"),
    "minutes": ("步行时间（分钟）", "Walking time (min)"),
    "distance_m": ("距离（米）", "Distance (m)"),
    "covered": ("已覆盖", "Covered"),
    "nearest_facility_id": ("最近设施编号", "Nearest facility id"),
    "nearest_facility_name": ("最近设施", "Nearest facility"),
    "mode": ("计算方式", "Mode"),
    "snap_m": ("接入路网距离（米）", "Snap distance (m)"),
    "flag": ("标记", "Flag"),
    "planned": ("规划新增", "Planned"),
    "covered_population": ("覆盖人口", "Covered population"),
    "share": ("覆盖比例", "Share"),
}


def _labels(lang: str) -> dict[str, str]:
    out = {}
    for kind in KINDS.values():
        for col in kind.columns:
            out.setdefault(col.name, col.label(lang))
    i = 0 if lang == "zh" else 1
    out.update({k: v[i] for k, v in COLUMN_LABELS.items()})
    return out


def localise_columns(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Rename known columns to their Chinese (or English) labels; others keep their name.

    A label that would clash with another column's name is left untranslated.
    """
    labels = _labels(lang)
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    mapping: dict[str, str] = {}
    taken = set(frame.columns)
    for c in frame.columns:
        label = labels.get(c)
        if c == geometry or label is None or label == c:
            continue
        if label in taken or label in mapping.values():
            continue
        mapping[c] = label
    return frame.rename(columns=mapping)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return frame


def to_csv_bytes(frame: pd.DataFrame, lang: str = "zh") -> bytes:
    """CSV in UTF-8 with BOM so that Excel opens Chinese text correctly; geometry dropped."""
    return localise_columns(_plain(frame), lang).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame], lang: str = "zh") -> bytes:
    """An XLSX workbook with one sheet per table (sheet names cut to Excel's 31 characters)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        used: set[str] = set()
        for name, frame in sheets.items():
            sheet = _sheet_name(name, used)
            table = localise_columns(_plain(frame), lang)
            table = table.apply(lambda c: c.astype(object).where(c.notna(), None) if c.dtype.name in ("boolean", "Int64", "Float64") else c)
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
        if not isinstance(frame, gpd.GeoDataFrame):
            raise ValueError(f"{path.name}: a GeoPackage needs a layer with geometry")
        out = localise_columns(frame, lang)
        out = out.apply(lambda c: c.astype(object).where(c.notna(), None) if c.dtype.name in ("boolean",) else c)
        out = gpd.GeoDataFrame(out, geometry=frame.geometry.name, crs=frame.crs).to_crs("EPSG:4326")
        out.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    else:
        raise ValueError(f"{path.name}: unsupported format {suffix!r} (use .csv, .xlsx or .gpkg)")
    return path
