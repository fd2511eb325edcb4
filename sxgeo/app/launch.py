"""Start the planner app from the installed package: the command ``sxgeo app`` runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["SCRIPT", "run", "streamlit_command"]

#: The Streamlit script inside the package; its ``static/`` folder holds the offline Leaflet files.
SCRIPT = Path(__file__).resolve().parent / "streamlit_app.py"

#: Streamlit options the app needs wherever it is started (the repository's
#: ``.streamlit/config.toml`` is not read when the app runs from a wheel).
OPTIONS = {
    "server.enableStaticServing": "true",
    "server.headless": "true",
    "server.fileWatcherType": "none",
    "server.maxUploadSize": "200",
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "minimal",
    "theme.base": "light",
}


def streamlit_command(*, port: int = 8501, address: str | None = None) -> list[str]:
    """The ``python -m streamlit run`` command line for the packaged app."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(SCRIPT), "--server.port", str(port)]
    if address:
        cmd += ["--server.address", address]
    for key, value in OPTIONS.items():
        cmd += [f"--{key}", value]
    return cmd


def run(*, port: int = 8501, address: str | None = None) -> int:
    """Run the app in the foreground until it is stopped; return Streamlit's exit code."""
    try:
        return subprocess.call(streamlit_command(port=port, address=address))
    except KeyboardInterrupt:
        return 0
