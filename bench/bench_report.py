"""Benchmark: ``sxgeo report --all`` on the bundled demo data (117 counties).

Runs the real command in a subprocess (``python -m sxgeo report --all``) into
a temporary folder, then prints the time of every county (as measured inside
the command, in its worker processes), the slowest counties and the total
wall-clock time of the whole command, start-up, loading and analysis
included.  The goal is under 2 minutes on 2 cores.

    python bench/bench_report.py [--jobs 2] [--keep DIR] [--budget 120]

Exit code 1 when the command fails or the total exceeds ``--budget`` seconds.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--keep", metavar="DIR", help="write the reports here and keep them")
    ap.add_argument("--budget", type=float, default=120.0, help="seconds allowed (default 120)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep) if args.keep else Path(tmp) / "reports"
        timings = Path(tmp) / "timings.csv"
        cmd = [sys.executable, "-m", "sxgeo", "report", "--all", "--out", str(out), "--jobs", str(args.jobs),
               "--timings", str(timings), "--no-progress"]
        print("$", " ".join(cmd), flush=True)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        total = time.perf_counter() - start
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        if proc.returncode != 0:
            print(f"FAILED: exit code {proc.returncode}")
            return 1
        with timings.open(encoding="utf-8") as fh:
            rows = [(r["county_code"], float(r["seconds"])) for r in csv.DictReader(fh)]
        n_html = len(list((out / "counties").glob("*.html")))

    print(f"\n{'county':<8} {'seconds':>8}")
    for code, sec in rows:
        print(f"{code:<8} {sec:8.2f}")
    secs = sorted(s for _, s in rows)
    print(f"\ncounties: {len(rows)} (HTML reports written: {n_html}), jobs: {args.jobs}, cores: {os.cpu_count()}")
    print(f"per county: mean {sum(secs) / len(secs):.2f} s, median {secs[len(secs) // 2]:.2f} s, max {secs[-1]:.2f} s")
    print(f"slowest: {', '.join(f'{c} {s:.2f}s' for c, s in sorted(rows, key=lambda r: -r[1])[:5])}")
    print(f"TOTAL wall-clock time of `sxgeo report --all`: {total:.1f} s (budget {args.budget:.0f} s)")
    ok = len(rows) == 117 and n_html == 117 and total <= args.budget
    print("OK" if ok else "OVER BUDGET or incomplete")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
