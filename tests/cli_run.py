"""Running the command line in-process for tests."""

from __future__ import annotations

from sxgeo.cli import main


def run(args: list[str], capsys) -> tuple[int, str, str]:
    """``main(args)`` in-process: (exit code, stdout, stderr); argparse's exits are caught."""
    try:
        code = main(args)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
