"""sxgeo: public-service gap analysis for planners in Shanxi Province.

The core is pure functions over GeoDataFrames: ``sxgeo.io`` loads and
validates layers, ``sxgeo.layers.boundaries`` gives the shipped administrative
geography, ``sxgeo.io.coords`` converts between WGS-84, GCJ-02 and BD-09.
"""

__version__ = "0.1.0"
