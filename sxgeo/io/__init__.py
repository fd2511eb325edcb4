"""Loading layers: read any supported file, validate it, convert it to WGS-84.

Public API::

    from sxgeo.io import load_layer, load_township_polygons
"""

from sxgeo.io.load import ADMIN_COLUMNS, LoadResult, load_layer, map_headers
from sxgeo.io.read import MAX_BYTES, RawTable, check_zip, read_table
from sxgeo.io.townships import load_township_polygons

__all__ = [
    "ADMIN_COLUMNS",
    "LoadResult",
    "MAX_BYTES",
    "RawTable",
    "check_zip",
    "load_layer",
    "load_township_polygons",
    "map_headers",
    "read_table",
]
