"""Compare a county report and its gap lists between two commits (a restructure must change nothing).

Usage::

    python scripts/compare_reports.py BASE_COMMIT [--county 140105] [--keep DIR]

The base commit is checked out into a temporary git worktree and run with the
same Python environment (its own source first on ``PYTHONPATH``); the working
tree is run as installed.  Both write ``sxgeo report --county CODE`` and
``sxgeo gaps`` (kindergarten, fitness, elderly; the county and the whole
province for kindergartens) as files; every sheet of the county workbook and
every gap list must be equal cell by cell.  Exit code 0 when identical.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
GAPS = [("kindergarten", "--county"), ("fitness", "--county"), ("elderly", "--county"), ("kindergarten", "--all")]


def run_sxgeo(src: Path | None, out: Path, county: str) -> None:
    """Write the county report and the gap lists with the code in ``src`` (None: the installed package)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    cmd = [sys.executable, "-m", "sxgeo"]
    subprocess.run([*cmd, "report", "--county", county, "--out", str(out / "report"), "--no-progress", "--jobs", "1"],
                   check=True, env=env, cwd=out, capture_output=True)
    for kind, scope in GAPS:
        args = [scope, county] if scope == "--county" else ["--all"]
        name = f"{kind}_{'county' if scope == '--county' else 'all'}.csv"
        subprocess.run([*cmd, "gaps", "--kind", kind, *args, "--format", "csv", "--out", str(out / name)],
                       check=True, env=env, cwd=out, capture_output=True)


def compare(before: Path, after: Path, county: str) -> list[str]:
    """Differences between the two runs (empty when identical)."""
    problems = []
    old = pd.read_excel(before / "report" / "counties" / f"{county}.xlsx", sheet_name=None)
    new = pd.read_excel(after / "report" / "counties" / f"{county}.xlsx", sheet_name=None)
    if list(old) != list(new):
        problems.append(f"workbook sheets differ: {list(old)} != {list(new)}")
    for name in set(old) & set(new):
        try:
            pd.testing.assert_frame_equal(old[name], new[name], check_dtype=False)
        except AssertionError as exc:
            problems.append(f"sheet {name}: {' '.join(str(exc).split())[:300]}")
    print(f"workbook {county}.xlsx: {len(old)} sheets, {sum(len(f) for f in old.values())} rows compared")
    for kind, scope in GAPS:
        name = f"{kind}_{'county' if scope == '--county' else 'all'}.csv"
        a = pd.read_csv(before / name, encoding="utf-8-sig", dtype=str)
        b = pd.read_csv(after / name, encoding="utf-8-sig", dtype=str)
        try:
            pd.testing.assert_frame_equal(a, b)
        except AssertionError as exc:
            problems.append(f"gap list {name}: {' '.join(str(exc).split())[:300]}")
        print(f"gap list {name}: {len(a)} rows x {a.shape[1]} columns compared")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="commit to compare against (for example the last commit before the restructure)")
    parser.add_argument("--county", default="140105")
    parser.add_argument("--keep", type=Path, help="keep the outputs in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        worktree, before, after = Path(tmp) / "base", root / "before", root / "after"
        before.mkdir(parents=True, exist_ok=True)
        after.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(worktree), args.base],
                       check=True, capture_output=True)
        try:
            run_sxgeo(worktree, before, args.county)
            run_sxgeo(None, after, args.county)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)], check=False)
        problems = compare(before, after, args.county)
    for p in problems:
        print("DIFFERENT:", p)
    print("identical" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
