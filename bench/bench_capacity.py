"""Benchmark: 2SFCA on one sparse cost table, sxgeo against PySAL ``access``.

Run::

    python bench/bench_capacity.py               # 100,000 demand points x 5,000 facilities, 15-minute walk
    python bench/bench_capacity.py --scale 0.1   # 10,000 x 500 (same density: side shrinks with sqrt(scale))
    python bench/bench_capacity.py --cutoff 30   # a wider catchment: ~4x the pairs
    python bench/bench_capacity.py --network 3000000                  # on the 3M-node synthetic street grid
    python bench/bench_capacity.py --network 3000000 --cache-dir DIR  # keep (and reuse) the grid file in DIR

Synthetic data: demand points and facilities uniform at random in a square
(100 km x 100 km at full size, in metres), straight-line walking minutes at
``--speed`` km/h, pairs within ``--cutoff`` minutes found with scipy's
``cKDTree.sparse_distance_matrix`` (the dense demand x facility matrix is
never built).  Population 1-2,000 per demand point and 30-300 seats per
facility, both random.

Both methods read the same pairs:

- ``sxgeo``: :func:`sxgeo.analysis.capacity.two_step` on a
  :class:`~sxgeo.analysis.capacity.CostTable` built directly from the pairs;
- ``access``: ``access.Access(...)`` on the same pairs as its cost data
  frame, then ``two_stage_fca(max_cost=cutoff)``; its construction
  (validation of the three data frames) is timed apart.

Network mode (``--network N_NODES``): the cost table comes from sxgeo's
network cost function instead of straight lines.

1. ``bench/synthetic_osm.py``'s ``grid(path, N_NODES)`` (the plain grid of
   ``bench_osm.py``: central Shanxi, ~80 m x 100 m blocks, every 10th way a
   motorway that the walk filter drops) is written in a child process (so
   its memory is not counted) to a temporary folder, or taken from
   ``--cache-dir`` as ``grid-N.osm.pbf`` (the names ``bench_osm.py`` uses,
   so ``--cache-dir $TMPDIR/sxgeo-bench-osm`` reuses its files);
2. ``sxgeo.io.osm.read_osm(path, cache_dir=...)``, walk mode, timed: a full
   build from the file unless ``--cache-dir`` already holds its ``.npz``
   (then a cache load; the output says which);
3. the demand points and facilities (``--demand``/``--facilities`` x
   ``--scale``) are drawn uniform at random (seeded) in the grid's lon/lat
   bounding box (``--side-km`` is not used: the area is the grid's), as
   EPSG:4326 GeoDataFrames (geometry only), with the same random population
   and seats;
4. ``CostTable.from_layers(demand, facilities, TravelCost(network=net,
   speed_kmh=--speed), --cutoff)``, timed: snapping both layers to their
   nearest street node, then scipy Dijkstra from the facilities' nodes in
   chunks, limited to the cutoff (``TravelCost.pairs``); minutes = demand
   snap leg + path + facility snap leg at the walking speed;
5. ``two_step`` against ``access`` on that table, as above.

Peak memory is the process's ``ru_maxrss`` after each step.

The scores must agree to 1e-9 relative (``access`` gives NaN where no
facility is in reach; read as 0, as sxgeo returns).  Steps under 1 s are run
``--repeat`` times and the median is shown.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))


def _timed(step: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """(median seconds, result of the first run); a step of 1 s or more runs once."""
    start = time.perf_counter()
    out = step()
    times = [time.perf_counter() - start]
    if times[0] < 1.0:
        for _ in range(repeat - 1):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def build_case(n_demand: int, n_fac: int, side_m: float, speed_kmh: float, cutoff_min: float, seed: int = 1):
    """Random points, and the (origin, dest, minutes) pairs within the cutoff from a KD-tree."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    dem_xy = rng.uniform(0, side_m, (n_demand, 2))
    fac_xy = rng.uniform(0, side_m, (n_fac, 2))
    pop = rng.integers(1, 2001, n_demand).astype(float)
    seats = rng.integers(30, 301, n_fac).astype(float)
    per_min = speed_kmh * 1000.0 / 60.0
    pairs = cKDTree(dem_xy).sparse_distance_matrix(cKDTree(fac_xy), cutoff_min * per_min, output_type="coo_matrix")
    return pairs.row.astype(np.int64), pairs.col.astype(np.int64), pairs.data / per_min, pop, seats


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def grid_file(folder: Path, n_nodes: int) -> tuple[Path, bool]:
    """``folder/grid-N.osm.pbf`` (``synthetic_osm.grid``), written in a child process unless there; (path, reused)."""
    path = folder / f"grid-{n_nodes}.osm.pbf"
    meta = folder / f"grid-{n_nodes}.json"
    if path.is_file() and path.stat().st_size > 0 and meta.is_file():
        return path, True
    tmp = folder / f"grid-{n_nodes}.part.osm.pbf"
    if tmp.exists():
        tmp.unlink()
    code = ("import json, sys, time; sys.path.insert(0, sys.argv[1]); import synthetic_osm; t = time.perf_counter(); "
            "n = synthetic_osm.grid(sys.argv[2], int(sys.argv[3])); "
            "print(json.dumps({'nodes_written': n, 'generate_s': time.perf_counter() - t}))")
    print(f"generating {path} ...", flush=True)
    out = subprocess.run([sys.executable, "-c", code, str(HERE), str(tmp), str(n_nodes)], capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"could not generate {path}:\n{out.stderr}")
    os.replace(tmp, path)
    meta.write_text(out.stdout.strip().splitlines()[-1])
    return path, False


def network_case(args: argparse.Namespace, n_dem: int, n_fac: int, folder: Path):
    """Network mode: the grid file, ``read_osm``, random points in its bounding box, ``CostTable.from_layers``."""
    import geopandas as gpd

    from sxgeo.analysis.capacity import CostTable
    from sxgeo.analysis.costs import TravelCost
    from sxgeo.io.osm import read_osm

    sys.path.insert(0, str(HERE))
    from synthetic_osm import LAT0, LON0, STEP

    path, reused = grid_file(folder, args.network)
    meta = json.loads(path.with_name(f"grid-{args.network}.json").read_text())
    how = "reused" if reused else f"written in {meta['generate_s']:.1f} s, not timed below"
    print(f"file: {path} ({how}), {meta['nodes_written']:,} nodes, {path.stat().st_size / 2**20:.1f} MB", flush=True)

    npz_dir = folder / "read_osm-cache"
    cached = npz_dir.is_dir() and any(npz_dir.glob("*.npz"))
    start = time.perf_counter()
    net = read_osm(path, cache_dir=npz_dir)
    read_s = time.perf_counter() - start
    read_mb = _maxrss_mb()
    print(f"read_osm (walk{', .npz cache load' if cached else ', built from the file'}): {read_s:.2f} s, "
          f"{net.n_nodes:,} nodes, {net.n_edges:,} edges, peak RSS {read_mb:,.0f} MB", flush=True)

    side = math.isqrt(args.network)  # synthetic_osm.grid: isqrt(n) nodes a side, STEP degrees apart
    west, south = LON0, LAT0
    east, north = LON0 + (side - 1) * STEP, LAT0 + (side - 1) * STEP
    rng = np.random.default_rng(1)
    dem_ll = rng.uniform((west, south), (east, north), (n_dem, 2))
    fac_ll = rng.uniform((west, south), (east, north), (n_fac, 2))
    pop = rng.integers(1, 2001, n_dem).astype(float)
    seats = rng.integers(30, 301, n_fac).astype(float)
    demand = gpd.GeoDataFrame(geometry=gpd.points_from_xy(dem_ll[:, 0], dem_ll[:, 1]), crs="EPSG:4326")
    facilities = gpd.GeoDataFrame(geometry=gpd.points_from_xy(fac_ll[:, 0], fac_ll[:, 1]), crs="EPSG:4326")
    travel = TravelCost(network=net, speed_kmh=args.speed)
    start = time.perf_counter()
    table = CostTable.from_layers(demand, facilities, travel, args.cutoff)
    pairs_s = time.perf_counter() - start
    pairs_mb = _maxrss_mb()
    print(f"case: {n_dem:,} demand points x {n_fac:,} facilities uniform in lon {west:g}-{east:.4f}, "
          f"lat {south:g}-{north:.4f}, {args.cutoff:g} min at {args.speed:g} km/h along the streets", flush=True)
    print(f"CostTable.from_layers (snap + chunked Dijkstra): {pairs_s:.2f} s, {len(table.cost):,} pairs, "
          f"peak RSS {pairs_mb:,.0f} MB", flush=True)
    steps = [("sxgeo read_osm", read_s, f"{net.n_nodes:,} nodes, {net.n_edges:,} edges"
              + (" (.npz cache load)" if cached else " (built from the file)"), read_mb),
             ("sxgeo from_layers", pairs_s, f"{len(table.cost):,} pairs: snap + chunked Dijkstra", pairs_mb)]
    return table, pop, seats, steps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demand", type=int, default=100_000, help="demand points at scale 1 (default 100,000)")
    ap.add_argument("--facilities", type=int, default=5_000, help="facilities at scale 1 (default 5,000)")
    ap.add_argument("--side-km", type=float, default=100.0, help="side of the square at scale 1 (default 100 km)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply both counts (and the area) by this (default 1)")
    ap.add_argument("--speed", type=float, default=4.0, help="walking speed, km/h (default 4)")
    ap.add_argument("--cutoff", type=float, default=15.0, help="catchment, minutes (default 15)")
    ap.add_argument("--repeat", type=int, default=11, help="runs of a step under 1 s, median shown (default 11)")
    ap.add_argument("--no-access", action="store_true", help="time sxgeo only")
    ap.add_argument("--network", type=int, metavar="N_NODES",
                    help="cost table along the synthetic street grid of about N_NODES nodes (e.g. 3000000) "
                         "instead of straight lines")
    ap.add_argument("--cache-dir", metavar="DIR",
                    help="--network: keep the grid file (and read_osm's .npz cache) in DIR and reuse them "
                         "(default: a temporary folder, removed at the end)")
    args = ap.parse_args()

    import pandas as pd

    from sxgeo.analysis.capacity import CostTable, two_step

    n_dem, n_fac = round(args.demand * args.scale), round(args.facilities * args.scale)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB RAM, "
          f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}", flush=True)
    steps: list[tuple[str, float, str, float]] = []
    if args.network:
        folder = Path(args.cache_dir) if args.cache_dir else Path(tempfile.mkdtemp(prefix="sxgeo-bench-capacity-"))
        folder.mkdir(parents=True, exist_ok=True)
        try:
            table, pop, seats, steps = network_case(args, n_dem, n_fac, folder)
        finally:
            if not args.cache_dir:
                shutil.rmtree(folder, ignore_errors=True)
        origin, dest, minutes = table.origin, table.dest, table.cost
    else:
        side_m = args.side_km * 1000.0 * np.sqrt(args.scale)
        start = time.perf_counter()
        origin, dest, minutes, pop, seats = build_case(n_dem, n_fac, side_m, args.speed, args.cutoff)
        build_s = time.perf_counter() - start
        print(f"case: {n_dem:,} demand points x {n_fac:,} facilities in {side_m / 1000:.1f} km x "
              f"{side_m / 1000:.1f} km, {args.cutoff:g} min at {args.speed:g} km/h: {len(minutes):,} pairs "
              f"(KD-tree {build_s:.2f} s, not timed below)")

    rows: list[tuple[str, float, str]] = []
    ratio = ""
    table_s, table = _timed(lambda: CostTable(origin, dest, minutes, n_dem, n_fac, args.cutoff), args.repeat)
    ours_s, (ours, _) = _timed(lambda: two_step(table, pop, seats), args.repeat)
    rows.append(("sxgeo two_step", ours_s, f"{np.count_nonzero(ours):,} points reach a facility"))
    ok = True
    if not args.no_access:
        import access

        cost_df = pd.DataFrame({"origin": origin, "dest": dest, "cost": minutes})
        demand_df = pd.DataFrame({"id": np.arange(n_dem), "pop": pop})
        supply_df = pd.DataFrame({"id": np.arange(n_fac), "seats": seats})

        def model():
            return access.Access(
                demand_df=demand_df, demand_index="id", demand_value="pop",
                supply_df=supply_df, supply_index="id", supply_value="seats",
                cost_df=cost_df, cost_origin="origin", cost_dest="dest", cost_name="cost",
            )

        init_s, acc = _timed(model, args.repeat)
        logging.getLogger("access").setLevel(logging.WARNING)  # its INFO "Overwriting a_seats" on every rerun
        theirs_s, out = _timed(lambda: acc.two_stage_fca(name="a", max_cost=args.cutoff), args.repeat)
        theirs = out.iloc[:, 0].reindex(np.arange(n_dem)).fillna(0.0).to_numpy(float)
        diff = np.abs(ours - theirs)
        rel = float(np.max(diff / np.maximum(np.abs(theirs), 1e-300), where=theirs != 0, initial=0.0))
        ok = bool(np.allclose(ours, theirs, rtol=1e-9, atol=0.0))
        rows.append(("access Access()", init_s, "construction: validates the three data frames"))
        rows.append(("access two_stage_fca", theirs_s,
                     f"max relative difference {rel:.1e}: {'agree to 1e-9' if ok else 'DISAGREE'}"))
        ratio = (f"\nratio sxgeo / access two_stage_fca: {ours_s / theirs_s:.4f} (sxgeo {theirs_s / ours_s:,.0f}x faster; "
                 f"{(init_s + theirs_s) / ours_s:,.0f}x counting access's construction)")

    print(f"\n{'method':<22} {'seconds':>9}  notes")
    print("-" * 80)
    for name, sec, note, mb in steps:
        print(f"{name:<22} {sec:9.2f}  {note}; peak RSS {mb:,.0f} MB")
    print(f"{'sxgeo CostTable':<22} {table_s:9.4f}  from the pairs (no copy)")
    for name, sec, note in rows:
        print(f"{name:<22} {sec:9.4f}  {note}")
    print(ratio or "(access not run)")
    if args.network:
        print(f"peak RSS of the whole run: {_maxrss_mb():,.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
