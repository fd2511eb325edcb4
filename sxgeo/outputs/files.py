"""Output folders and files, checked before any work starts."""

from __future__ import annotations

import os
from pathlib import Path

from sxgeo.errors import InputError

__all__ = ["check_output_dir"]


def check_output_dir(path: str | Path) -> Path:
    """Create ``path`` (and parents) and check that a file can be written in it.

    Raises
    ------
    InputError
        When the folder cannot be created or written (for example a path
        below a regular file).
    """
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
        probe = p / f".sxgeo-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError("report.err_output_dir", path=str(path), problem=exc.strerror or type(exc).__name__) from None
    return p
