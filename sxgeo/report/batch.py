"""Reports for many counties at once: forked workers share one analysis; failures are collected."""

from __future__ import annotations

import multiprocessing as mp
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from sxgeo.outputs.fonts import setup_fonts
from sxgeo.report.builder import ReportBuilder

__all__ = ["BatchResult", "run_batch"]


@dataclass
class BatchResult:
    """What a batch run produced."""

    written: dict[str, Path] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    summary_html: Path | None = None
    summary_xlsx: Path | None = None

    def write_timings(self, path: str | Path) -> Path:
        """Write each county's seconds to a CSV file (``county_code``, ``seconds``)."""
        frame = pd.DataFrame({"county_code": list(self.seconds), "seconds": list(self.seconds.values())})
        frame.to_csv(path, index=False)
        return Path(path)


#: What a worker process writes with: set once per process by :func:`_init_worker`.
_JOB: dict[str, object] = {}


def _init_worker(builder: ReportBuilder, out_dir: Path) -> None:
    """Keep the builder and folder for this process (with ``fork`` they are inherited, not pickled)."""
    _JOB.update(builder=builder, out_dir=out_dir)


def _one(code: str) -> tuple[str, float, str | None]:
    """Write one county's report in this process; return its code, seconds and error (None if fine)."""
    builder: ReportBuilder = _JOB["builder"]  # type: ignore[assignment]
    start = time.perf_counter()
    try:
        builder.write_county(code, _JOB["out_dir"])  # type: ignore[arg-type]
        error = None
    except Exception as exc:  # one county's failure must not stop the batch
        error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    return code, time.perf_counter() - start, error


def run_batch(
    builder: ReportBuilder,
    codes: list[str] | tuple[str, ...],
    out_dir: str | Path,
    *,
    jobs: int = 1,
    progress: bool = True,
    desc: str | None = None,
    unit: str = "it",
) -> BatchResult:
    """Write the reports of ``codes`` and the summary; failures are collected, not raised.

    With ``jobs`` > 1 the counties are drawn in forked worker processes that
    share the one analysis (where ``fork`` is available; otherwise in this
    process).  A progress bar goes to stderr when ``progress``.
    """
    start = time.perf_counter()
    setup_fonts()  # once, before forking
    out_dir = Path(out_dir)
    result = BatchResult()
    use_fork = jobs > 1 and len(codes) > 1 and "fork" in mp.get_all_start_methods()
    # fork before the progress bar exists, so that no thread is running at the fork
    pool = None
    if use_fork:
        pool = mp.get_context("fork").Pool(min(jobs, len(codes)), initializer=_init_worker, initargs=(builder, out_dir))
    else:
        _init_worker(builder, out_dir)
    bar = tqdm(total=len(codes), desc=desc, unit=unit, file=sys.stderr, disable=not progress, dynamic_ncols=True)
    try:
        outcomes = pool.imap_unordered(_one, codes, chunksize=1) if pool is not None else map(_one, codes)
        for outcome in outcomes:
            _record(result, out_dir, outcome)
            bar.update(1)
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        bar.close()
        if pool is not None:
            pool.terminate()  # no-op after a clean join; stops the workers on an interrupt
        _JOB.clear()
    result.seconds = {c: result.seconds[c] for c in codes if c in result.seconds}
    result.failures = {c: result.failures[c] for c in codes if c in result.failures}
    result.summary_html, result.summary_xlsx = builder.write_summary(codes, out_dir, result)
    result.total_seconds = time.perf_counter() - start
    return result


def _record(result: BatchResult, out_dir: Path, outcome: tuple[str, float, str | None]) -> None:
    """Add one county's outcome to ``result``."""
    code, seconds, error = outcome
    result.seconds[code] = seconds
    if error is None:
        result.written[code] = out_dir / "counties" / f"{code}.html"
    else:
        result.failures[code] = error
