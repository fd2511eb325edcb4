"""sxgeo: public-service gap analysis for planners in Shanxi Province.

The public API, as in osmnx and geopandas, lives at the top level::

    import sxgeo

    res = sxgeo.load_layer("幼儿园.csv", "kindergartens", coord_system="gcj02")
    network = sxgeo.read_osm("shanxi-latest.osm.pbf")
    access = sxgeo.walking_access(residential, fitness, network=network)
    analysis = sxgeo.analyse({"kindergartens": res.layer, ...})

The package is layered by data flow: ``sxgeo.layers`` (layer types and
administrative geography) < ``sxgeo.io`` (files in) < ``sxgeo.analysis`` <
``sxgeo.outputs`` (tables, charts, maps) < the shells ``sxgeo.report``,
``sxgeo.app`` and ``sxgeo.cli``.  Names are imported on first use, so
``import sxgeo`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> module that defines it.
_API = {
    "load_layer": "sxgeo.io.load",
    "load_township_polygons": "sxgeo.io.townships",
    "read_osm": "sxgeo.io.osm",
    "snap": "sxgeo.analysis.network",
    "nearest_facility": "sxgeo.analysis.network",
    "walking_access": "sxgeo.analysis.access",
    "analyse": "sxgeo.analysis.run",
}

__all__ = [*sorted(_API), "__version__"]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'sxgeo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
