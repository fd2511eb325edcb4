"""Private: which OSM ways make the walk and drive networks (osmnx's filters), and the area asked for.

The filters reproduce osmnx 2.x's ``network_type="walk"`` and ``"drive"``
Overpass filters tag by tag, so a network read from a local file holds the
same ways osmnx would download.  Everything here is private:
the public entry point is :func:`sxgeo.io.osm.read_osm`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

__all__ = [
    "DRIVE_EXCLUDED",
    "EXCLUDED_HIGHWAY",
    "EXCLUDED_TAGS",
    "FILTER_VERSION",
    "OSM_SUFFIXES",
    "as_polygon",
    "is_drivable",
    "is_walkable",
    "polygon_key",
    "suffix_ok",
]

#: Bump whenever the filter below changes: it is part of the network cache key.
FILTER_VERSION = 2

#: Suffixes of the OSM files sxgeo reads.
OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.pbf", ".pbf", ".osm.xml", ".xml")

#: ``highway`` values excluded from the walk network.  This is osmnx 2.x's
#: ``network_type="walk"`` Overpass filter, and like Overpass's ``!~`` each
#: entry is an unanchored, case-sensitive regular expression, so ``motor``
#: excludes ``motorway`` and ``motorway_link``.  Note that osmnx keeps
#: ``trunk`` roads (pedestrians use them in many places); a trunk road that
#: may not be walked on is expected to carry ``foot=no``, which is excluded.
EXCLUDED_HIGHWAY = (
    "abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|raceway|razed|rest_area|services"
)

#: Other tag conditions of osmnx's walk filter: a way is dropped when the tag
#: exists and its value matches the pattern (again an unanchored regex).
#:
#: - ``area=yes``: squares and plazas mapped as areas, not as lines;
#: - ``access=private`` (osmnx's ``settings.default_access``);
#: - ``foot=no``: pedestrians prohibited;
#: - ``service=private``: private driveways;
#: - ``sidewalk*=separate``: the street's sidewalks are mapped as separate
#:   footways, which are kept instead.
EXCLUDED_TAGS: dict[str, str] = {
    "area": "yes",
    "access": "private",
    "highway": EXCLUDED_HIGHWAY,
    "foot": "no",
    "service": "private",
    "sidewalk": "separate",
    "sidewalk:both": "separate",
    "sidewalk:left": "separate",
    "sidewalk:right": "separate",
}
_EXCLUDED_RE = {key: re.compile(pattern) for key, pattern in EXCLUDED_TAGS.items()}


#: osmnx's ``network_type="drive"`` filter: tag -> unanchored regex of excluded values.
DRIVE_EXCLUDED: dict[str, str] = {
    "area": "yes",
    "access": "private",
    "highway": "abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|escalator|footway|no|path|"
    "pedestrian|planned|platform|proposed|raceway|razed|rest_area|service|services|steps|track",
    "motor_vehicle": "no",
    "motorcar": "no",
    "service": "alley|driveway|emergency_access|parking|parking_aisle|private",
}
_DRIVE_RE = {key: re.compile(pattern) for key, pattern in DRIVE_EXCLUDED.items()}


def _passes(tags: Mapping[str, str], excluded: dict[str, re.Pattern]) -> bool:
    if "highway" not in tags:
        return False
    for key, pattern in excluded.items():
        value = tags.get(key)
        if value is not None and pattern.search(value):
            return False
    return True


def is_drivable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these OSM tags belongs to osmnx's drive network (``network_type="drive"``)."""
    return _passes(tags, _DRIVE_RE)


def is_walkable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these OSM tags belongs to the walk network.

    Parameters
    ----------
    tags
        The way's tags (any mapping; pyosmium's ``TagList`` works).

    Returns
    -------
    bool
        True when the way has a ``highway`` tag and no tag in
        :data:`EXCLUDED_TAGS` matches (osmnx's ``network_type="walk"``).
    """
    return _passes(tags, _EXCLUDED_RE)


def as_polygon(area: object) -> BaseGeometry | None:
    """Turn ``bbox_or_polygon`` into a shapely geometry in lon/lat (or None).

    Parameters
    ----------
    area
        None, a ``(west, south, east, north)`` tuple in degrees, or a shapely
        (Multi)Polygon in EPSG:4326.
    """
    if area is None:
        return None
    if isinstance(area, BaseGeometry):
        if area.is_empty:
            raise ValueError("bbox_or_polygon is empty")
        return area
    values = tuple(float(v) for v in area)  # type: ignore[union-attr]
    if len(values) != 4:
        raise ValueError("bbox_or_polygon must be (west, south, east, north) or a polygon")
    west, south, east, north = values
    if not (west < east and south < north):
        raise ValueError(f"bbox (west, south, east, north) is inverted or empty: {values}")
    return box(west, south, east, north)


def suffix_ok(path: Path) -> bool:
    """Whether ``path`` has the suffix of an OSM file libosmium reads."""
    name = path.name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def polygon_key(polygon: BaseGeometry | None) -> str:
    """A stable text form of the area, for cache keys ('' for none)."""
    if polygon is None:
        return ""
    return polygon.normalize().wkb_hex
