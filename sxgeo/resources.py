"""Files shipped inside the package, found through :mod:`importlib.resources`."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = ["boundaries_dir", "demo_dir", "package_file", "static_dir"]


def _folder(package: str, env: str | None = None) -> Path:
    """The folder of ``package`` (a data package of sxgeo), or the folder named by ``env``."""
    override = os.environ.get(env) if env else None
    if override:
        return Path(override)
    return Path(str(resources.files(package)))


def boundaries_dir() -> Path:
    """The shipped administrative geography (``data/boundaries/`` in the repository)."""
    return _folder("sxgeo.data.boundaries", "SXGEO_BOUNDARIES_DIR")


def demo_dir() -> Path:
    """The shipped synthetic demo layers (``data/facilities/`` in the repository)."""
    return _folder("sxgeo.data.facilities", "SXGEO_DEMO_DIR")


def static_dir() -> Path:
    """The app's static folder, served by Streamlit at ``/app/static/``."""
    override = os.environ.get("SXGEO_STATIC_DIR")
    return Path(override) if override else _folder("sxgeo.app") / "static"


def package_file(*parts: str) -> Path:
    """A file inside the ``sxgeo`` package, for example ``package_file("data", "targets.toml")``."""
    return Path(str(resources.files("sxgeo").joinpath(*parts)))
