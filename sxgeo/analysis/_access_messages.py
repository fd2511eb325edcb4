"""Messages of the walking-access analysis (:mod:`sxgeo.analysis.access`).

Kept apart from :mod:`sxgeo.text` and merged into its ``MESSAGES`` on import.
"""

from __future__ import annotations

from sxgeo.text import MESSAGES

__all__ = ["ACCESS_MESSAGES"]

ACCESS_MESSAGES: dict[str, dict[str, str]] = {
    "access_empty_demand": {
        "zh": "需求点（居住区）图层为空，无法计算步行可达性",
        "en": "the demand (residential) layer is empty; walking access cannot be computed",
    },
    "access_empty_facilities": {
        "zh": "设施图层为空：全部 {count} 个需求点均视为未覆盖",
        "en": "the facility layer is empty: all {count} demand points count as not covered",
    },
    "access_demand_no_geometry": {
        "zh": "{count} 个需求点缺少坐标：视为未覆盖并已标记",
        "en": "{count} demand points have no coordinates; they count as not covered and are flagged",
    },
    "access_facilities_no_geometry": {
        "zh": "{count} 个设施缺少坐标，未参与计算",
        "en": "{count} facilities have no coordinates and were left out",
    },
    "access_facilities_off_network": {
        "zh": "{count} 个设施距最近的路网节点超过 {max_snap_m} 米，无法接入路网，未参与计算",
        "en": "{count} facilities are more than {max_snap_m} m from the nearest street node and were left out",
    },
    "access_facilities_small_component": {
        "zh": "{count} 个设施位于孤立的小路网片段上（少于 {min_nodes} 个节点），只能服务该片段",
        "en": "{count} facilities lie on an isolated street fragment (fewer than {min_nodes} nodes) "
        "and reach only that fragment",
    },
    "access_no_usable_facilities": {
        "zh": "没有任何设施能接入路网：全部 {count} 个需求点均视为未覆盖",
        "en": "no facility could be placed on the street network: all {count} demand points count as not covered",
    },
    "access_network_disconnected": {
        "zh": "路网不连通：有 {components} 个较大的互不相连的部分（节点数 {sizes}），部分之间无法步行到达",
        "en": "the street network is disconnected: {components} large parts (nodes: {sizes}) cannot be walked between",
    },
    "access_demand_off_network": {
        "zh": "{count} 个需求点距最近的路网节点超过 {max_snap_m} 米（在路网范围以外），视为未覆盖并已标记",
        "en": "{count} demand points are more than {max_snap_m} m from the nearest street node (outside the network); "
        "they count as not covered and are flagged",
    },
    "access_demand_small_component": {
        "zh": "{count} 个需求点连接到孤立的小路网片段上（少于 {min_nodes} 个节点），结果可能不可靠，已标记",
        "en": "{count} demand points attach to an isolated street fragment (fewer than {min_nodes} nodes); "
        "their result may be unreliable and they are flagged",
    },
    "access_demand_unreachable": {
        "zh": "{count} 个需求点经路网无法到达任何设施，视为未覆盖",
        "en": "{count} demand points cannot reach any facility along the streets and count as not covered",
    },
    "access_no_population": {
        "zh": "{count} 个需求点缺少人口数：已保留并标记，但不计入人口覆盖率",
        "en": "{count} demand points have no population: kept and flagged, but left out of the population shares",
    },
    "access_unit_no_data": {"zh": "无数据", "en": "no data"},
}

MESSAGES.update(ACCESS_MESSAGES)
