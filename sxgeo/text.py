"""User-facing messages in simplified Chinese (default) and English.

Every message has a key; :func:`t` formats it in the requested language.
Analyses and loaders store message *keys* plus parameters, and the shells
(app, CLI, reports) render them, so the core never hard-codes one language.
"""

from __future__ import annotations

__all__ = ["LANGS", "MESSAGES", "pick", "t"]

LANGS = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # --- rejected-row reasons ---------------------------------------------------------------
    "empty_row": {"zh": "空行", "en": "empty row"},
    "missing_coords": {"zh": "缺少坐标（经度或纬度为空）", "en": "missing coordinates (longitude or latitude is empty)"},
    "bad_coords": {"zh": "坐标无法解析：经度 {lon}，纬度 {lat}", "en": "unparsable coordinates: longitude {lon}, latitude {lat}"},
    "swapped_coords": {
        "zh": "经纬度疑似颠倒：经度 {lon}，纬度 {lat}（请交换两列）",
        "en": "longitude and latitude look swapped: longitude {lon}, latitude {lat} (swap the two columns)",
    },
    "outside_shanxi": {
        "zh": "点位在山西省范围以外：经度 {lon}，纬度 {lat}",
        "en": "point lies outside Shanxi: longitude {lon}, latitude {lat}",
    },
    "duplicate_id": {"zh": "编号重复：{id}（与第 {first} 行相同）", "en": "duplicate id {id} (same as row {first})"},
    "unknown_township": {"zh": "未知乡镇：{value}", "en": "unknown township: {value}"},
    "unknown_crs": {
        "zh": "未知坐标系：{value}（可用：WGS84/CGCS2000、GCJ02、BD09）",
        "en": "unknown coordinate system: {value} (use WGS84/CGCS2000, GCJ02 or BD09)",
    },
    "missing_value": {"zh": "必填字段“{column}”为空", "en": "required field '{column}' is empty"},
    "bad_value": {"zh": "字段“{column}”的值无法识别：{value}", "en": "field '{column}' has an unrecognised value: {value}"},
    "negative_value": {"zh": "字段“{column}”不能为负数：{value}", "en": "field '{column}' cannot be negative: {value}"},
    "nursing_gt_beds": {
        "zh": "护理型床位数（{nursing}）大于床位数（{beds}）",
        "en": "nursing-type beds ({nursing}) exceed beds ({beds})",
    },
    "age_gt_population": {
        "zh": "“{column}”（{value}）大于人口（{population}）",
        "en": "'{column}' ({value}) exceeds the population ({population})",
    },
    "no_geometry": {"zh": "缺少几何图形", "en": "missing geometry"},
    "bad_geometry": {"zh": "几何图形无效：{detail}", "en": "invalid geometry: {detail}"},
    "township_not_matched": {
        "zh": "乡镇界线无法与乡镇名录匹配：代码 {code}，名称 {name}",
        "en": "township polygon matches no township in the list: code {code}, name {name}",
    },
    "township_ambiguous": {
        "zh": "乡镇名称“{name}”在多个区县中存在，请提供乡镇代码或区县",
        "en": "township name '{name}' exists in several counties; give the township code or the county",
    },
    "duplicate_township": {
        "zh": "乡镇 {code} 已由第 {first} 行提供",
        "en": "township {code} already given by row {first}",
    },
    # --- notes on loaded rows ---------------------------------------------------------------
    "note_near_border": {
        "zh": "点位在区县边界外 {distance} 米内，已归入最近的区县",
        "en": "point lies within {distance} m outside the county boundary; assigned to the nearest county",
    },
    "note_county_mismatch": {
        "zh": "乡镇代码属于 {township_county}，但坐标落在 {point_county}",
        "en": "the township code belongs to {township_county} but the point lies in {point_county}",
    },
    "note_polygon_centroid": {"zh": "面要素，已取其内部代表点", "en": "polygon feature; its representative point is used"},
    "note_generated_id": {"zh": "缺少编号，已自动生成", "en": "no id given; one was generated"},
    # --- admin-assignment methods ----------------------------------------------------------
    "method_township_polygon": {"zh": "乡镇界线", "en": "township polygon"},
    "method_township_code": {"zh": "乡镇代码", "en": "township code"},
    "method_township_name": {"zh": "乡镇名称", "en": "township name"},
    "method_address": {"zh": "地址解析", "en": "address text"},
    "method_county_only": {"zh": "仅区县（未确定乡镇）", "en": "county only (township not determined)"},
    # --- whole-file errors -----------------------------------------------------------------
    "err_read": {"zh": "无法读取文件 {file}：{problem}", "en": "cannot read file {file}: {problem}"},
    "err_not_found": {"zh": "文件不存在", "en": "the file does not exist"},
    "err_format": {
        "zh": "不支持的文件格式“{suffix}”（支持 CSV、XLSX、GeoJSON、GeoPackage、压缩的 Shapefile）",
        "en": "unsupported file format '{suffix}' (use CSV, XLSX, GeoJSON, GeoPackage or a zipped Shapefile)",
    },
    "err_empty": {"zh": "文件中没有数据行", "en": "the file has no data rows"},
    "err_encoding": {
        "zh": "文本编码无法识别（已尝试 UTF-8 和 GBK/GB18030）",
        "en": "the text encoding is not recognised (tried UTF-8 and GBK/GB18030)",
    },
    "err_missing_column": {
        "zh": "缺少必需的列“{column}”（可用的列名：{accepted}）",
        "en": "required column '{column}' is missing (accepted headers: {accepted})",
    },
    "err_no_coords": {
        "zh": "找不到坐标：需要“经度”和“纬度”两列，或带几何图形的空间文件",
        "en": "no coordinates found: need 'longitude' and 'latitude' columns, or a spatial file with geometry",
    },
    "err_crs": {
        "zh": "未知坐标系“{value}”（可用：WGS84/CGCS2000、GCJ02、BD09）",
        "en": "unknown coordinate system '{value}' (use WGS84/CGCS2000, GCJ02 or BD09)",
    },
    "err_zip_unsafe": {
        "zh": "压缩包含有不安全的路径“{entry}”，已拒绝",
        "en": "the zip archive has an unsafe entry '{entry}'; refused",
    },
    "err_zip_no_layer": {
        "zh": "压缩包中没有 .shp、.gpkg 或 .geojson 文件",
        "en": "the zip archive holds no .shp, .gpkg or .geojson file",
    },
    "err_zip_many_layers": {
        "zh": "压缩包中有多个图层（{names}），请只放一个",
        "en": "the zip archive holds several layers ({names}); include only one",
    },
    "err_parse": {"zh": "文件内容无法解析：{detail}", "en": "the file content cannot be parsed: {detail}"},
    "err_header_conflict": {
        "zh": "列“{first}”和“{second}”都对应字段“{column}”，请删除或改名其中一列",
        "en": "columns '{first}' and '{second}' both map to field '{column}'; remove or rename one",
    },
    "err_too_large": {
        "zh": "文件过大（{size_mb} MB，上限 {limit_mb} MB）",
        "en": "the file is too large ({size_mb} MB; the limit is {limit_mb} MB)",
    },
    "err_not_polygons": {"zh": "乡镇界线文件必须是面图层", "en": "the township boundary file must be a polygon layer"},
}


def t(key: str, lang: str = "zh", /, **params: object) -> str:
    """Format message ``key`` in ``lang`` (``zh`` or ``en``) with ``params``.

    Unknown keys are returned as is, so a missing translation never crashes a
    report; an unknown language falls back to Chinese.
    """
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["zh"]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def pick(catalogue: dict[str, tuple[str, str]], key: str, lang: str = "zh", /, **params: object) -> str:
    """Format ``key`` of a shell's own ``{key: (zh, en)}`` catalogue in ``lang``.

    The app, the reports and the CLI keep their labels in such catalogues; this
    is the one place that picks the language and fills in the parameters.
    """
    zh, en = catalogue[key]
    template = en if lang == "en" else zh
    return template.format(**params) if params else template
