"""Defaults shared by every part of sxgeo: one place for each number that is not a plan target.

The plan's own numbers (thresholds, minutes of a service circle) are data in
the targets file; these are the technical defaults the analyses fall back on.
"""

from __future__ import annotations

__all__ = [
    "CROSS_BORDER_M",
    "DETOUR_FACTOR",
    "DRIVE_SPEED_KMH",
    "LONLAT_CRS",
    "MAX_SNAP_M",
    "MAX_UPLOAD_BYTES",
    "METRIC_CRS",
    "MIN_COMPONENT_NODES",
    "NETWORK_MIN_SHARE",
    "PROVINCE_CODE",
    "PROVINCE_NAME",
    "TRAVEL_MODES",
    "WALK_MINUTES",
    "WALK_SPEED_KMH",
]

#: Layers are stored in lon/lat (WGS-84).
LONLAT_CRS = "EPSG:4326"
#: Distances are computed in UTM zone 49N, which covers Shanxi.
METRIC_CRS = "EPSG:32649"

#: Shanxi's province code and name.
PROVINCE_CODE = "140000"
PROVINCE_NAME = "山西省"

#: Walking speed in km/h when a target does not set one.
WALK_SPEED_KMH = 4.0
#: Walking-time threshold in minutes when a target does not set one.
WALK_MINUTES = 15.0
#: Network distance / straight-line distance, used when no street network is given.
DETOUR_FACTOR = 1.3
#: Points farther than this from every street node are off the network.
MAX_SNAP_M = 500.0
#: Street fragments with fewer nodes are "small components".
MIN_COMPONENT_NODES = 50

#: A network target is judged only where the street network reaches at least this share of the unit's demand
#: points and facilities; below it the status is "network does not cover the area" (``no_network``).
NETWORK_MIN_SHARE = 0.95
#: Margin (metres) around a county or city within which facilities of the neighbouring area count as reachable.
CROSS_BORDER_M = 2000.0
#: Travel modes of the street networks: osmnx's walk and drive filters.
TRAVEL_MODES = ("walk", "drive")
#: Driving speed (km/h) in distance mode, when no drive network is given.
DRIVE_SPEED_KMH = 30.0

#: Largest input file accepted (bytes).
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
