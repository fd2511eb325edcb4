"""Synthetic street grids (WalkNetwork) for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sxgeo.layers.network import WalkNetwork


def synthetic_grid(
    n_cols: int,
    n_rows: int,
    *,
    spacing_m: float = 100.0,
    origin: tuple[float, float] = (500_000.0, 4_180_000.0),
    crs: str = "EPSG:32649",
    drop_share: float = 0.0,
    jitter_m: float = 0.0,
    seed: int = 0,
) -> WalkNetwork:
    """A synthetic street grid, for tests and benchmarks.

    Parameters
    ----------
    n_cols, n_rows
        Grid size in nodes; node ``r * n_cols + c`` sits at
        ``origin + (c, r) * spacing_m``.
    spacing_m
        Block length in metres.
    origin
        Coordinates of node 0 in ``crs`` (default: near Taiyuan in UTM 49N).
    crs
        Metric CRS.
    drop_share
        Share of edges removed at random (missing street links).
    jitter_m
        Move every node by up to this many metres in x and y (uniformly at
        random), so that blocks differ in length as in real streets; edge
        lengths are then the straight-line distances.
    seed
        Random seed for ``drop_share`` and ``jitter_m``.

    Returns
    -------
    WalkNetwork
    """
    ids = np.arange(n_cols * n_rows, dtype=np.int64).reshape(n_rows, n_cols)
    rng = np.random.default_rng(seed)
    x = (origin[0] + (ids % n_cols) * spacing_m).ravel()
    y = (origin[1] + (ids // n_cols) * spacing_m).ravel()
    if jitter_m > 0:
        x = x + rng.uniform(-jitter_m, jitter_m, len(x))
        y = y + rng.uniform(-jitter_m, jitter_m, len(y))
    u = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    v = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    if drop_share > 0:
        keep = rng.random(len(u)) >= drop_share
        u, v = u[keep], v[keep]
    length = np.hypot(x[u] - x[v], y[u] - y[v]) if jitter_m > 0 else np.full(len(u), float(spacing_m))
    return WalkNetwork(
        node_ids=ids.ravel(),
        x=x,
        y=y,
        crs=crs,
        u=u,
        v=v,
        length_m=length,
        source=f"synthetic {n_cols}x{n_rows} grid",
    )


def shifted_osm(src: str | Path, dst: str | Path, lon: float, lat: float) -> Path:
    """Copy a real OSM extract with every node moved so that its centre lies at ``lon``, ``lat``.

    Real street topology in a Shanxi county (GOALS: "translate a real extract
    into a Shanxi county by shifting every node's lon/lat").  Nodes without a
    location are copied as they are.
    """
    import osmium

    lons, lats = [], []
    for node in osmium.FileProcessor(str(src), osmium.osm.NODE):
        if node.location.valid():
            lons.append(node.location.lon)
            lats.append(node.location.lat)
    dx, dy = lon - float(np.median(lons)), lat - float(np.median(lats))
    writer = osmium.SimpleWriter(str(dst))
    try:
        for obj in osmium.FileProcessor(str(src)):
            if obj.is_node() and obj.location.valid():
                writer.add_node(obj.replace(location=(obj.location.lon + dx, obj.location.lat + dy)))
            elif obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
            else:
                writer.add_relation(obj)
    finally:
        writer.close()
    return Path(dst)
