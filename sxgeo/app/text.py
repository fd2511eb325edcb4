"""The app's interface texts, simplified Chinese (default) and English.

Messages of the core (rejected-row reasons, analysis warnings) come from
:mod:`sxgeo.text`; these are only the app's own labels.
"""

from __future__ import annotations

from sxgeo.text import pick

TEXT: dict[str, tuple[str, str]] = {
    "title": ("山西省公共服务设施缺口分析", "Shanxi public-service gap analysis"),
    "synthetic": (
        "⚠️ 演示数据为合成数据（非真实），仅用于展示功能，不得用于决策。行政区划边界与乡镇名录为真实数据。",
        "⚠️ The demo facilities and population are SYNTHETIC (not real) and must not be used for decisions. "
        "Boundaries and the township list are real.",
    ),
    "own_in_use": ("正在使用您上传的数据。", "Your uploaded data is in use."),
    "own_empty": (
        "尚未上传任何图层：请在“载入自己的数据”中上传，或在侧栏切换回演示数据。",
        "No layer uploaded yet: upload one under 'Load your own data', or switch back to the demo data in the sidebar.",
    ),
    "language": ("语言 / Language", "Language / 语言"),
    "data_source": ("数据来源", "Data"),
    "src_demo": ("演示数据（合成）", "Demo data (synthetic)"),
    "src_own": ("自己的数据", "My own data"),
    "area": ("范围", "Area"),
    "province": ("全省", "Whole province"),
    "city": ("地级市", "City"),
    "county": ("区县", "County"),
    "indicator": ("地图指标", "Map indicator"),
    "township_prefix": ("乡镇：", "Township: "),
    "county_prefix": ("区县：", "County: "),
    "basemap": ("底图", "Basemap"),
    "tianditu_key": ("天地图密钥（tk）", "Tianditu key (tk)"),
    "tianditu_missing": ("天地图需要密钥，已改用无底图模式。", "Tianditu needs a key; showing the map without tiles."),
    "basemap_note": (
        "高德、百度底图采用 GCJ-02/BD-09 偏移坐标，与本工具的 WGS-84 图层无法对齐，因此不提供。",
        "Amap and Baidu tiles use shifted GCJ-02/BD-09 coordinates that do not line up with sxgeo's WGS-84 layers, "
        "so they are not offered.",
    ),
    "map": ("地图", "Map"),
    "click_mode": ("点击地图", "Clicking the map"),
    "click_select": ("选择区县", "selects a county"),
    "click_add": ("添加规划设施", "adds a planned facility"),
    "province_points": (
        "全省视图只显示区县分级图；选择地级市或区县（或点击地图上的区县）以显示设施点位和步行覆盖范围。",
        "The province view shows county choropleths only; choose a city or county (or click a county on the map) "
        "to see facilities and walking coverage.",
    ),
    "city_points": (
        "地级市视图显示设施和未覆盖的居民点；全部居民点在区县视图中显示。",
        "The city view shows facilities and uncovered demand points; all demand points are shown in the county view.",
    ),
    "targets": ("规划目标", "Plan targets"),
    "target": ("目标", "Target"),
    "value": ("数值", "Value"),
    "threshold": ("目标值", "Threshold"),
    "status": ("状态", "Status"),
    "attainment": ("达成度（数值 ÷ 目标值）", "Attainment (value ÷ threshold)"),
    "met": ("达标", "met"),
    "not_met": ("未达标", "not met"),
    "no_data": ("无数据", "no data"),
    "units_met": ("{met}/{total} 个{unit}达标", "{met} of {total} {unit} meet it"),
    "unit_county": ("区县", "counties"),
    "unit_township": ("乡镇", "townships"),
    "unit_city": ("地级市", "cities"),
    "gaps": ("缺口清单", "Gap lists"),
    "gap_kindergarten": ("没有公办幼儿园的乡镇", "Townships without a public kindergarten"),
    "gap_fitness": ("15 分钟健身圈未覆盖的社区", "Communities outside the 15-minute fitness circle"),
    "gap_elderly": ("社区养老设施步行未覆盖的社区", "Communities outside walking reach of community elderly care"),
    "gap_nursing": ("护理型床位占比低于 45% 的区县", "Counties under 45% nursing-type beds"),
    "rows_n": ("共 {n} 行", "{n} rows"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 XLSX", "Download XLSX"),
    "download_gpkg": ("下载 GeoPackage", "Download GeoPackage"),
    "own_data": ("载入自己的数据", "Load your own data"),
    "kind": ("图层类型", "Layer kind"),
    "township_polygons": ("乡镇界线（面）", "Township boundaries (polygons)"),
    "crs": ("坐标系", "Coordinate system"),
    "upload": (
        "上传文件（CSV、XLSX、GeoJSON、GeoPackage、压缩的 Shapefile）",
        "Upload a file (CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile)",
    ),
    "upload_help": (
        "上传后在侧栏选择“自己的数据”，所有视图即改用上传的图层。先上传乡镇界线，再上传点图层，可按界线判定乡镇。",
        "After uploading, choose 'My own data' in the sidebar and every view uses the uploaded layers. Upload township "
        "boundaries first to have points assigned to townships by polygon.",
    ),
    "uploaded": ("已载入的图层", "Loaded layers"),
    "rejected": ("被拒绝的行", "Rejected rows"),
    "upload_failed": ("上传失败，应用继续使用原有数据：{msg}", "The upload failed; the app keeps its current data: {msg}"),
    "upload_unexpected": ("无法处理该文件（{err}）。", "The file could not be processed ({err})."),
    "remove_own": ("清除上传的图层", "Remove uploaded layers"),
    "scenario": ("情景模拟", "Scenario"),
    "scenario_help": (
        "添加规划设施：在地图上方把“点击地图”切换为“添加规划设施”后点击地图，或上传规划设施清单；下表列出每个目标的前后对比。",
        "Add planned facilities: switch 'Clicking the map' above the map to 'adds a planned facility' and click the "
        "map, or upload a list; the table shows every target before and after.",
    ),
    "planned_kind": ("规划设施类型", "Planned facility kind"),
    "planned_name": ("名称", "Name"),
    "planned_default_name": ("规划{kind}{n}", "Planned {kind} {n}"),
    "planned_upload": ("上传规划设施清单", "Upload a list of planned facilities"),
    "planned_list": ("规划设施", "Planned facilities"),
    "planned_clear": ("清空规划设施", "Clear planned facilities"),
    "planned_none": ("尚未添加规划设施。", "No planned facility yet."),
    "planned_added": ("已添加：{name}（{lon:.5f}, {lat:.5f}）", "Added: {name} ({lon:.5f}, {lat:.5f})"),
    "planned_rejected": ("该位置无法添加：{reason}", "Cannot add a facility there: {reason}"),
    "before": ("规划前", "Before"),
    "after": ("规划后", "After"),
    "change": ("变化", "Change"),
    "changed_units": ("状态改变的单位", "Units whose status changed"),
    "no_change": ("没有单位的达标状态发生变化。", "No unit changes status."),
    "kg_ownership": ("性质", "Ownership"),
    "public": ("公办", "public"),
    "private": ("民办", "private"),
    "elderly_kind": ("类型", "Kind"),
    "beds": ("床位数", "Beds"),
    "nursing_beds": ("护理型床位数", "Nursing-type beds"),
    "opening_year": ("建成年份", "Opening year"),
    "mode_network": (
        "网络模式：步行覆盖按本地 OSM 路网计算（{file}）。",
        "Network mode: walking coverage uses the local OSM street network ({file}).",
    ),
    "mode_distance": (
        "距离模式：未配置本地 OSM 路网文件（环境变量 SXGEO_OSM_FILE），步行覆盖按直线距离 × 绕行系数 1.3 估算。",
        "Distance mode: no local OSM file is configured (environment variable SXGEO_OSM_FILE); walking coverage is "
        "straight-line distance × a detour factor of 1.3.",
    ),
    "network_failed": ("无法读取 OSM 文件 {file}：{err}；改用距离模式。", "Cannot read the OSM file {file}: {err}; using distance mode."),
    "analysis_failed": ("分析失败：{err}", "The analysis failed: {err}"),
    "loading": ("正在载入数据并计算……", "Loading data and computing…"),
    "assets_missing": ("离线地图资源缺失：{err}", "Offline map assets missing: {err}"),
    "all_levels": ("全部", "all"),
}

#: Upload coordinate-system choices.
CRS_CHOICES: dict[str, tuple[str, str]] = {
    "wgs84": ("WGS-84 / CGCS2000（天地图、GPS）", "WGS-84 / CGCS2000 (Tianditu, GPS)"),
    "gcj02": ("GCJ-02（高德、腾讯）", "GCJ-02 (Amap, Tencent)"),
    "bd09": ("BD-09（百度）", "BD-09 (Baidu)"),
}


def tr(key: str, lang: str, /, **params: object) -> str:
    """The text ``key`` in ``lang``, formatted with ``params``."""
    return pick(TEXT, key, lang, **params)
