"""Benchmark: building a street network from an OSM file (``read_osm``) against pyrosm and a bare pyosmium pass.

Run::

    python bench/bench_osm.py                         # grids of 0.3M, 1.2M, 3M nodes + realistic 1.2M
    python bench/bench_osm.py --sizes 0.3e6           # quick debug run (realistic at 0.3M too)
    python bench/bench_osm.py --province              # also ``sxgeo report --all --osm <3M grid>``
    python bench/bench_osm.py --keep DIR              # keep the generated files in DIR
    python bench/bench_osm.py --repeat 3              # best of 3 fresh processes per case

Files (``bench/synthetic_osm.py``, written once and reused from the cache
folder, default ``$TMPDIR/sxgeo-bench-osm``):

- ``grid`` (the reference case): a square grid of nodes in central Shanxi
  (lon 111.6+, lat 37.2+), 25-node ways along rows and columns, all
  ``highway=residential`` except every 10th way, a motorway (not walkable);
- ``realistic``: highway classes with names, ``maxspeed`` and ``oneway``
  tags, curved ways with shape nodes, dangling service roads and footways,
  buildings and tagged nodes; 1.2M nodes (or the largest ``--sizes`` if
  smaller).

Methods, each in a FRESH subprocess (so ``peak MB`` is that case's own):

- ``sxgeo``: ``read_osm(path, cache_dir=<new empty dir>)``, walk mode,
  nothing cached: SHA-256 of the file, the pyosmium pass, the numpy build,
  the projection and writing the ``.npz`` cache;
- ``sxgeo cached``: a second ``read_osm`` call in the same child with the
  same cache dir (the ``.npz`` load); time only (its memory is below the
  build's);
- ``pyrosm``: ``pyrosm.OSM(path).get_network("walking", nodes=True)``;
- ``bare pass``: an ``osmium.SimpleHandler`` whose ``way()`` adds
  ``len(w.nodes)``, ``apply_file(path, locations=True)``: reading the file
  with node locations and nothing else, the lower bound.

``seconds`` is the wall-clock time of the call alone (imports done before);
``peak MB`` is the child's ``ru_maxrss`` read right after the call
(interpreter, imports and result included), ``base MB`` its ``ru_maxrss``
after the imports, before the call.  Node and edge counts come from the
result: sxgeo's edges are undirected and de-duplicated; pyrosm's are its edge
rows (one per segment) and, in brackets when different, its distinct
undirected node pairs without self-loops.

Targets (issue): sxgeo <= 1.5x pyrosm's time and <= 1x its peak memory;
stretch <= 0.5x both and within 5x of the bare pass.

``--province`` also runs the end-to-end command::

    python -m sxgeo report --all --osm <3M grid> --cache-dir <new dir> --out <tmp> --no-progress --jobs 2

as a subprocess and measures its wall time and peak memory three ways: the
sum of the RSS of the process and all its descendants, polled every 0.5 s
with ``ps`` (the goal is judged on it; it counts pages that the forked report
workers share with the parent once per process, so it overstates), the sum of
their PSS (``/proc/PID/smaps_rollup``: shared pages split among the sharers,
the real footprint) polled at the same moments, and ``ru_maxrss`` of the
finished tree from ``os.wait4`` (the largest single process).  Goal: under
10 minutes and 6 GB (stretch under 2 minutes and 3 GB).  The grid covers a
small part of central Shanxi: most counties lie outside it, as expected.

The machine is shared, so wall times are noisy: ``--repeat N`` runs every
case N times (each in a fresh process) and shows the fastest, and every row
also gives the CPU time (user + system) of the call, which other work on the
machine disturbs much less.

Results are printed and written to ``bench/OSM.md`` (a hand-written section
headed ``## Notes (hand-written, kept across runs)`` at its end is kept).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_SIZES = (0.3e6, 1.2e6, 3e6)
REALISTIC_SIZE = 1.2e6
PROVINCE_SIZE = 3e6
METHODS = ("sxgeo", "pyrosm", "bare pass")
#: Heading of the hand-written part of OSM.md, kept when the results are rewritten.
NOTES = "## Notes (hand-written, kept across runs)"
#: The code measured: its fingerprint goes into the results (the working tree may hold uncommitted changes).
CODE_FILES = ("sxgeo/io/osm.py", "sxgeo/io/_streets.py", "sxgeo/io/_osm.py", "sxgeo/layers/network.py")


def code_fingerprint() -> str:
    """The git commit and a short hash of :data:`CODE_FILES` as they are now."""
    import hashlib

    digest = hashlib.sha256()
    for name in CODE_FILES:
        f = REPO / name
        digest.update(f.read_bytes() if f.is_file() else b"")
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *CODE_FILES], capture_output=True, text=True,
                               cwd=REPO, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head, dirty = "?", ""
    return f"commit {head or '?'}{' + uncommitted changes' if dirty else ''}, reader files sha256 {digest.hexdigest()[:12]}"


def _label(n: int) -> str:
    return f"{n / 1e6:g}M"


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# --------------------------------------------------------------------------- children


def _child_generate(kind: str, n: int, path: str) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    import synthetic_osm

    tmp = path + ".part.osm.pbf"
    if os.path.exists(tmp):
        os.remove(tmp)
    start = time.perf_counter()
    written = getattr(synthetic_osm, kind)(tmp, n)
    os.replace(tmp, path)
    return {"nodes_written": written, "s": time.perf_counter() - start}


def _child_sxgeo(path: str) -> dict[str, Any]:
    from sxgeo.io.osm import read_osm

    base = _maxrss_mb()
    cache = tempfile.mkdtemp(prefix="sxgeo-bench-osm-cache-")
    try:
        start, cpu = time.perf_counter(), _cpu_s()
        net = read_osm(path, cache_dir=cache)
        s, cpu = time.perf_counter() - start, _cpu_s() - cpu
        peak = _maxrss_mb()
        n_nodes, n_edges = net.n_nodes, net.n_edges
        del net
        start = time.perf_counter()
        again = read_osm(path, cache_dir=cache)
        cached_s = time.perf_counter() - start
        same = again.n_nodes == n_nodes and again.n_edges == n_edges
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {"s": s, "cpu": cpu, "peak": peak, "base": base, "nodes": n_nodes, "edges": n_edges,
            "cached_s": cached_s, "cached_same": same}


def _child_pyrosm(path: str) -> dict[str, Any]:
    import numpy as np
    import pyrosm

    base = _maxrss_mb()
    start, cpu = time.perf_counter(), _cpu_s()
    nodes, edges = pyrosm.OSM(path).get_network("walking", nodes=True)
    s, cpu = time.perf_counter() - start, _cpu_s() - cpu
    peak = _maxrss_mb()
    uv = edges[["u", "v"]].to_numpy(dtype=np.int64)
    uv = uv[uv[:, 0] != uv[:, 1]]
    pairs = len(np.unique(np.sort(uv, axis=1), axis=0))
    return {"s": s, "cpu": cpu, "peak": peak, "base": base, "nodes": len(nodes), "edges": len(edges), "pairs": pairs}


def _child_bare(path: str) -> dict[str, Any]:
    import osmium

    class Refs(osmium.SimpleHandler):
        def __init__(self) -> None:
            super().__init__()
            self.refs = 0

        def way(self, w: Any) -> None:
            self.refs += len(w.nodes)

    base = _maxrss_mb()
    handler = Refs()
    start, cpu = time.perf_counter(), _cpu_s()
    handler.apply_file(path, locations=True)
    s, cpu = time.perf_counter() - start, _cpu_s() - cpu
    return {"s": s, "cpu": cpu, "peak": _maxrss_mb(), "base": base, "refs": handler.refs}


def child_main(argv: list[str]) -> None:
    """``--child METHOD ARGS...``: run one case, print its result as one JSON line."""
    method, *rest = argv
    if method == "generate":
        out = _child_generate(rest[0], int(rest[1]), rest[2])
    elif method == "sxgeo":
        out = _child_sxgeo(rest[0])
    elif method == "pyrosm":
        out = _child_pyrosm(rest[0])
    elif method == "bare pass":
        out = _child_bare(rest[0])
    else:
        raise SystemExit(f"unknown child method {method!r}")
    sys.stdout.flush()
    print("\n" + json.dumps(out), flush=True)


# --------------------------------------------------------------------------- parent


def run_child(args: list[str], timeout_s: float) -> dict[str, Any]:
    """Run ``bench_osm.py --child ARGS`` in a fresh interpreter; its JSON, or ``{"error": ...}``."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout_s:.0f} s (killed)"}
    wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-25:])
        return {"error": f"exit code {proc.returncode}", "traceback": tail}
    out = json.loads(lines[-1])
    out["process_s"] = wall
    if proc.stderr.strip():
        out["stderr"] = proc.stderr.strip()
    return out


def measure(method: str, path: Path, timeout_s: float, repeat: int) -> dict[str, Any]:
    """``repeat`` fresh children: the fastest run, with the largest peak and the fastest cached load of all runs."""
    runs = [run_child([method, str(path)], timeout_s) for _ in range(repeat)]
    for r in runs:
        if "error" in r:
            return r
    best = dict(min(runs, key=lambda r: r["s"]))
    best["peak"] = max(r["peak"] for r in runs)
    best["all_s"] = [r["s"] for r in runs]
    best["cpu"] = min(r["cpu"] for r in runs)
    if "cached_s" in best:
        best["cached_s"] = min(r["cached_s"] for r in runs)
    return best


def ensure_file(folder: Path, kind: str, n: int, timeout_s: float) -> Path:
    """The synthetic file ``kind`` of ``n`` nodes, generated (in a child process) unless already there."""
    path = folder / f"{kind}-{n}.osm.pbf"
    meta = folder / f"{kind}-{n}.json"
    if path.is_file() and path.stat().st_size > 0 and meta.is_file():
        return path
    print(f"generating {path} ...", flush=True)
    out = run_child(["generate", kind, str(n), str(path)], timeout_s)
    if "error" in out:
        raise SystemExit(f"could not generate {path}: {out['error']}\n{out.get('traceback', '')}")
    print(f"  {out['nodes_written']:,} nodes, {path.stat().st_size / 2**20:.1f} MB, {out['s']:.1f} s", flush=True)
    meta.write_text(json.dumps({"nodes_written": out["nodes_written"], "generate_s": out["s"]}))
    return path


def _pss_kb(pid: int) -> int:
    """Proportional set size of ``pid`` (KiB): shared pages split among their sharers; 0 if unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """Sums of the RSS and of the PSS of ``root`` and all its descendants (KiB), from one ``ps`` snapshot."""
    ps = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss="], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for line in ps.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        pid, ppid, kb = (int(p) for p in parts)
        rss[pid] = kb
        children.setdefault(ppid, []).append(pid)
    total = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        pss += _pss_kb(pid) if pid in rss else 0
        todo.extend(children.get(pid, ()))
    return total, pss


def run_province(osm: Path, timeout_s: float, jobs: int) -> dict[str, Any]:
    """``sxgeo report --all --osm`` end to end, polled for the process tree's memory."""
    tmp = Path(tempfile.mkdtemp(prefix="sxgeo-bench-province-"))
    try:
        cmd = [sys.executable, "-m", "sxgeo", "report", "--all", "--osm", str(osm), "--cache-dir", str(tmp / "cache"),
               "--out", str(tmp / "out"), "--no-progress", "--jobs", str(jobs), "--timings", str(tmp / "timings.csv")]
        print("$", " ".join(cmd), flush=True)
        with (tmp / "stdout").open("wb") as so, (tmp / "stderr").open("wb") as se:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=so, stderr=se, cwd=REPO, start_new_session=True,
                                    env={**os.environ, "PYTHONUNBUFFERED": "1"})
            peak_kb, peak_at, peak_pss, status, usage, killed = 0, 0.0, 0, None, None, False
            while True:
                pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
                if pid == proc.pid:
                    status, usage = st, ru
                    break
                kb, pss = _tree_rss_kb(proc.pid)
                peak_pss = max(peak_pss, pss)
                if kb > peak_kb:
                    peak_kb, peak_at = kb, time.perf_counter() - start
                if time.perf_counter() - start > timeout_s and not killed:
                    os.killpg(proc.pid, signal.SIGKILL)  # this command's own process group only
                    killed = True
                time.sleep(0.5)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 above
        out: dict[str, Any] = {
            "s": wall, "tree_peak": peak_kb / 1024.0, "tree_peak_at": peak_at, "tree_pss": peak_pss / 1024.0,
            "single_peak": usage.ru_maxrss / 1024.0, "returncode": proc.returncode,
            "stdout": (tmp / "stdout").read_text(errors="replace"), "stderr": (tmp / "stderr").read_text(errors="replace"),
            "html": len(list((tmp / "out").rglob("*.html"))) if (tmp / "out").is_dir() else 0,
        }
        if killed:
            out["error"] = f"did not finish within {timeout_s:.0f} s (killed)"
        elif proc.returncode != 0:
            out["error"] = f"exit code {proc.returncode}"
        timings = tmp / "timings.csv"
        if timings.is_file():
            import csv

            with timings.open(encoding="utf-8") as fh:
                secs = sorted((float(r["seconds"]), r["county_code"]) for r in csv.DictReader(fh))
            out["counties"] = len(secs)
            out["slowest"] = [(c, s) for s, c in secs[::-1][:5]]
            out["county_s_sum"] = sum(s for s, _ in secs)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- report


def _fmt_s(r: dict[str, Any], key: str = "s") -> str:
    return f"{r[key]:.2f}" if key in r else "-"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def build_markdown(rows: list[dict[str, Any]], province: dict[str, Any] | None, args: argparse.Namespace) -> str:
    import numpy
    import osmium.version
    import pyrosm

    today = dt.date.today().isoformat()
    lines = [
        "# Benchmark: street network from an OSM file (`read_osm`)",
        "",
        f"Run on {today}. Machine: {platform.machine()}, **{os.cpu_count()} cores**, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB RAM, Python "
        f"{platform.python_version()}, pyosmium {osmium.version.pyosmium_release} (libosmium "
        f"{osmium.version.libosmium_version}), pyrosm {pyrosm.__version__}, numpy {numpy.__version__}.",
        "",
        f"Code measured: {args.fingerprint} ({', '.join(f'`{f}`' for f in CODE_FILES)})."
        + (f" **The reader files changed during the run** (at the end: {args.fingerprint_end})."
           if args.fingerprint_end != args.fingerprint else ""),
        "",
        "```sh",
        "python bench/bench_osm.py [--sizes 0.3e6,1.2e6,3e6] [--keep DIR] [--province]",
        "```",
        "",
        "## Method",
        "",
        "Synthetic PBFs from `bench/synthetic_osm.py`: `grid` (square grid in central Shanxi, 25-node ways,",
        "`highway=residential`, every 10th way a motorway, which the walk filter drops) and `realistic`",
        "(road classes with names, maxspeed, oneway, curved ways with shape nodes, dangling service roads",
        "and footways, buildings, tagged nodes). Each measurement runs in a **fresh subprocess**:",
        "",
        "- **sxgeo**: `read_osm(path, cache_dir=<new empty dir>)`, walk mode, no cache hit (SHA-256 of the",
        "  file, one pyosmium pass, numpy build, UTM projection, `.npz` cache written);",
        "- **sxgeo cached**: a second `read_osm` call in the same child, same cache dir (the `.npz` load), time only;",
        "- **pyrosm**: `pyrosm.OSM(path).get_network(\"walking\", nodes=True)`;",
        "- **bare pass**: `osmium.SimpleHandler` whose `way()` adds `len(w.nodes)`,",
        "  `apply_file(path, locations=True)`: the lower bound for any pyosmium reader.",
        "",
        f"`seconds` = wall time of the call alone (imports done before), the fastest of {args.repeat} run(s)"
        f"{' (all runs in brackets)' if args.repeat > 1 else ''}; `peak MB` = the child's `ru_maxrss`",
        "right after the call (interpreter + imports + result; the largest over the runs); `base MB` = its",
        "`ru_maxrss` after the imports. `CPU s` = user + system CPU time of the call (the least over the runs):",
        "the machine is shared and other work on it makes wall times noisy; CPU time much less so.",
        "sxgeo's edges are undirected and de-duplicated; pyrosm's are its edge rows (one per segment), with",
        "its distinct undirected node pairs in brackets when they differ.",
        "",
        "## Results",
        "",
        "| file | nodes in file | PBF MB | method | seconds | CPU s | peak MB | base MB | nodes | edges |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        head = f"| {r['case']} | {r['file_nodes']:,} | {r['file_mb']:.1f} | {r['method']} |"
        if "error" in r:
            lines.append(f"{head} failed: {r['error']} | | | | | |")
            continue
        nodes = f"{r['nodes']:,}" if "nodes" in r else "-"
        edges = f"{r['edges']:,}" if "edges" in r else (f"({r['refs']:,} way refs)" if "refs" in r else "-")
        if r.get("pairs") is not None and r["pairs"] != r["edges"]:
            edges += f" [{r['pairs']:,}]"
        runs = f" ({', '.join(f'{t:.1f}' for t in r['all_s'])})" if len(r.get("all_s", ())) > 1 else ""
        lines.append(f"{head} {_fmt_s(r)}{runs} | {r['cpu']:.2f} | {r['peak']:,.0f} | {r['base']:,.0f} | {nodes} | {edges} |")
        if r["method"] == "sxgeo":
            lines.append(f"| {r['case']} | | | sxgeo cached | {_fmt_s(r, 'cached_s')} | | | | | |")
    lines += ["", "## Ratios (sxgeo / pyrosm, sxgeo / bare pass)", "",
              "Targets: time <= 1.5x pyrosm, peak memory <= 1x pyrosm; stretch <= 0.5x both and <= 5x the bare pass.",
              "",
              "| file | time / pyrosm | CPU / pyrosm | peak MB / pyrosm | (peak - base) / pyrosm's | time / bare pass | "
              "same nodes & edges as pyrosm |",
              "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for case, rat in ratios(rows).items():
        lines.append(f"| {case} | {rat['time']} | {rat['cpu']} | {rat['mem']} | {rat['step']} | {rat['bare']} | {rat['same']} |")
    if province is not None:
        lines += ["", "## Province: `sxgeo report --all --osm <3M grid>`", "",
                  "```sh", f"python -m sxgeo report --all --osm grid-3000000.osm.pbf --cache-dir <new dir> "
                  f"--out <tmp> --no-progress --jobs {args.jobs}", "```", "",
                  "Peak memory three ways: the sum of the RSS of the whole process tree polled every 0.5 s with `ps`",
                  "(the goal is judged on it; it counts the pages the forked report workers share with the parent",
                  "once per process, so it overstates), the sum of the PSS (`/proc/PID/smaps_rollup`, shared pages",
                  "split among their sharers: the real footprint) polled at the same time, and `ru_maxrss` of the",
                  "finished tree from `os.wait4` (the largest single process).",
                  "Goal: under 10 minutes and 6 GB (stretch: under 2 minutes and 3 GB). The grid covers only part",
                  "of central Shanxi, so most counties have no network there (expected).", ""]
        lines += province_lines(province)
    return "\n".join(lines) + "\n"


def province_lines(p: dict[str, Any]) -> list[str]:
    out = ["| wall seconds | tree RSS peak MB (polled sum) | tree PSS peak MB (polled sum) | "
           "largest single process MB (wait4) | exit | HTML files |",
           "| ---: | ---: | ---: | ---: | ---: | ---: |",
           f"| {p['s']:.1f} | {p['tree_peak']:,.0f} (at {p['tree_peak_at']:.0f} s) | {p['tree_pss']:,.0f} | "
           f"{p['single_peak']:,.0f} | "
           f"{p['returncode']} | {p['html']} |", ""]
    if "error" in p:
        out.append(f"**Failed**: {p['error']}.")
    else:
        t_ok = "met" if p["s"] <= 600 else "missed"
        m_ok = "met" if p["tree_peak"] <= 6 * 1024 else "missed"
        st_t = "met" if p["s"] <= 120 else "missed"
        st_m = "met" if p["tree_peak"] <= 3 * 1024 else "missed"
        st_pss = "met" if p["tree_pss"] <= 3 * 1024 else "missed"
        out.append(f"Goal < 10 min: **{t_ok}**; < 6 GB (RSS sum): **{m_ok}**. Stretch < 2 min: **{st_t}**; "
                   f"< 3 GB: **{st_m}** on the RSS sum, **{st_pss}** on the PSS sum.")
    if "counties" in p:
        slow = ", ".join(f"{c} {s:.1f} s" for c, s in p["slowest"])
        out.append(f"{p['counties']} counties in the timings file, their seconds summed {p['county_s_sum']:.0f} s; "
                   f"slowest: {slow}.")
    return out


def ratios(rows: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    by = {(r["case"], r["method"]): r for r in rows if "error" not in r}
    out = {}
    for case in dict.fromkeys(r["case"] for r in rows):
        sx, pr, bare = by.get((case, "sxgeo")), by.get((case, "pyrosm")), by.get((case, "bare pass"))
        if sx is None:
            continue
        rat = {"time": "n/a", "cpu": "n/a", "mem": "n/a", "step": "n/a", "bare": "n/a", "same": "n/a"}
        if pr is not None:
            rat["time"] = _ratio(sx["s"], pr["s"])
            rat["cpu"] = _ratio(sx["cpu"], pr["cpu"])
            rat["mem"] = _ratio(sx["peak"], pr["peak"])
            rat["step"] = _ratio(sx["peak"] - sx["base"], pr["peak"] - pr["base"])
            same_n = sx["nodes"] == pr["nodes"]
            same_e = sx["edges"] in (pr["edges"], pr["pairs"])
            rat["same"] = ("yes" if same_n and same_e else "no") + (
                f" (sxgeo {sx['nodes']:,} / {sx['edges']:,}, pyrosm {pr['nodes']:,} / {pr['edges']:,})")
        if bare is not None:
            rat["bare"] = _ratio(sx["s"], bare["s"])
        out[case] = rat
    return out


def print_rows(rows: list[dict[str, Any]]) -> None:
    header = f"{'file':<16} {'method':<13} {'seconds':>8} {'CPU s':>8} {'peak MB':>8} {'base MB':>8} {'nodes':>11} {'edges':>11}"
    print("\n" + header)
    print("-" * len(header))
    for r in rows:
        if "error" in r:
            print(f"{r['case']:<16} {r['method']:<13} FAILED: {r['error']}")
            continue
        nodes = f"{r['nodes']:,}" if "nodes" in r else ""
        edges = f"{r['edges']:,}" if "edges" in r else (f"{r['refs']:,} refs" if "refs" in r else "")
        print(f"{r['case']:<16} {r['method']:<13} {r['s']:>8.2f} {r['cpu']:>8.2f} {r['peak']:>8.0f} {r['base']:>8.0f} "
              f"{nodes:>11} {edges:>11}")
        if r["method"] == "sxgeo":
            print(f"{r['case']:<16} {'sxgeo cached':<13} {r['cached_s']:>8.2f}")
    print()
    for case, rat in ratios(rows).items():
        print(f"{case}: sxgeo/pyrosm time {rat['time']} (CPU {rat['cpu']}), peak memory {rat['mem']} "
              f"(above imports {rat['step']}); sxgeo/bare pass time {rat['bare']}; same nodes & edges: {rat['same']}")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(f"{s:g}" for s in DEFAULT_SIZES),
                    help="grid sizes in nodes, comma-separated (default 0.3e6,1.2e6,3e6)")
    ap.add_argument("--realistic", type=float, default=None,
                    help="size of the realistic file (default 1.2e6, or the largest --sizes if smaller; 0 = skip)")
    ap.add_argument("--keep", metavar="DIR", help="folder for the generated files (default $TMPDIR/sxgeo-bench-osm)")
    ap.add_argument("--province", action="store_true", help="also run `sxgeo report --all --osm <3M grid>`")
    ap.add_argument("--jobs", type=int, default=2, help="--jobs of the province run (default 2)")
    ap.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset of: " + ", ".join(METHODS))
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per case, each in a fresh process: the fastest is shown, with the largest peak (1)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per case before it is killed")
    ap.add_argument("--province-timeout", type=float, default=900.0, help="seconds for the province run (900)")
    ap.add_argument("--out", default=str(HERE / "OSM.md"), help="Markdown results file (default bench/OSM.md)")
    args = ap.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.gettempdir()) / "sxgeo-bench-osm"
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(float(s)) for s in args.sizes.split(",") if s.strip()]
    realistic = args.realistic if args.realistic is not None else min(REALISTIC_SIZE, max(sizes, default=0))
    files = [("grid", n) for n in sizes] + ([("realistic", int(realistic))] if realistic else [])
    methods = [m.strip() for m in args.methods.split(",")]

    args.fingerprint = code_fingerprint()
    print(f"code: {args.fingerprint}", flush=True)
    rows: list[dict[str, Any]] = []
    for kind, n in files:
        path = ensure_file(folder, kind, n, args.timeout)
        written = json.loads(path.with_name(f"{kind}-{n}.json").read_text())["nodes_written"]
        info = {"case": f"{kind} {_label(n)}", "file_nodes": written, "file_mb": path.stat().st_size / 2**20}
        for method in methods:
            print(f"{info['case']}: {method} ...", end=" ", flush=True)
            r = {**info, "method": method, **measure(method, path, args.timeout, args.repeat)}
            done = ", ".join(f"{t:.2f}" for t in r.get("all_s", ()))
            print(f"{done} s, peak {r['peak']:.0f} MB" if "error" not in r else f"FAILED: {r['error']}", flush=True)
            if "traceback" in r:
                print(r["traceback"], flush=True)
            rows.append(r)

    province = None
    if args.province:
        path = ensure_file(folder, "grid", int(PROVINCE_SIZE), args.timeout)
        province = run_province(path, args.province_timeout, args.jobs)
        if "error" in province:
            print(f"province FAILED: {province['error']}")
        print("--- stdout (tail) ---\n" + "\n".join(province["stdout"].splitlines()[-30:]))
        print("--- stderr (tail) ---\n" + "\n".join(province["stderr"].splitlines()[-40:]))

    args.fingerprint_end = code_fingerprint()
    if args.fingerprint_end != args.fingerprint:
        print(f"WARNING: the reader files changed during the run (now: {args.fingerprint_end})")
    print_rows(rows)
    text = build_markdown(rows, province, args)
    out_md = Path(args.out)
    old = out_md.read_text(encoding="utf-8") if out_md.is_file() else ""
    if NOTES in old:  # hand-written notes at the end are kept across runs
        text += "\n" + old[old.index(NOTES):]
    out_md.write_text(text, encoding="utf-8")
    print("\n" + text)
    print(f"written to {args.out}; files kept in {folder}")
    return 1 if any("error" in r for r in rows) or (province is not None and "error" in province) else 0


if __name__ == "__main__":
    sys.exit(main())
