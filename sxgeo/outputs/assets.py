"""Offline map assets: Leaflet's JavaScript and CSS, served by the app itself.

Out of the box folium loads Leaflet, jQuery, Bootstrap and Font Awesome from
public CDNs, which fails without a network and is unreliable from mainland
China.  sxgeo's maps need only Leaflet (icons are inline SVG, legends plain
HTML), so this module extracts ``leaflet.js`` and ``leaflet.css`` from the
PyPI package ``folium-offline`` (module ``offlinefolium``, MIT, which embeds
the files folium would otherwise fetch) into ``sxgeo/app/static/vendor/``,
beside the app's Streamlit script.  Streamlit serves that folder at
``/app/static/vendor/`` (``--server.enableStaticServing``).  The extracted files
are committed and shipped in the wheel with their SHA-256 in ``manifest.json``;
``python -m sxgeo.outputs.assets`` (``make data``) regenerates them.  Nothing
here imports streamlit.
"""

from __future__ import annotations

import hashlib
import json
import re
from importlib import metadata
from pathlib import Path

from sxgeo.errors import AssetError
from sxgeo.resources import static_dir

__all__ = [
    "LEAFLET_VERSION",
    "STATIC_DIR",
    "VENDOR_DIR",
    "VENDOR_URL",
    "css_links",
    "ensure_assets",
    "inline_assets",
    "js_links",
]

#: The Leaflet release folium 0.20 is written for (and folium-offline embeds).
LEAFLET_VERSION = "1.9.3"

#: The app's static folder (``sxgeo/app/static``, shipped in the wheel); override with ``SXGEO_STATIC_DIR``.
STATIC_DIR = static_dir()
VENDOR_DIR = STATIC_DIR / "vendor"
#: Where the browser finds :data:`VENDOR_DIR` when Streamlit serves ``static/``.
VENDOR_URL = "/app/static/vendor"

_CDN = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/"
#: File written -> key of the file in ``offlinefolium.elements._res``.
_FILES = {"leaflet.js": _CDN + "leaflet.js", "leaflet.css": _CDN + "leaflet.css"}
_MANIFEST = "manifest.json"
_PACKAGE = "folium-offline"

# Leaflet's CSS points at images/layers.png etc.  sxgeo uses no default
# marker icons, and the layer control's toggle gets an inline SVG instead, so
# no image is ever requested.
_LAYERS_SVG = (
    "data:image/svg+xml;charset=utf-8,"
    "%3Csvg xmlns='http://www.w3.org/2000/svg' width='26' height='26' viewBox='0 0 26 26'%3E"
    "%3Cpath d='M13 4 24 10 13 16 2 10Z' fill='%23888'/%3E%3Cpath d='M4 14 13 19 22 14 24 15 13 21 2 15Z' fill='%23555'/%3E"
    "%3C/svg%3E"
)


def _fix_css(css: str) -> str:
    css = css.replace("url(images/layers.png)", f'url("{_LAYERS_SVG}")')
    css = css.replace("url(images/layers-2x.png)", f'url("{_LAYERS_SVG}")')
    # Default marker images are never used (sxgeo draws DivIcons); drop the references.
    return re.sub(r"url\(images/[^)]*\)", "none", css)


def _package_version() -> str | None:
    try:
        return metadata.version(_PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def _read_manifest(vendor_dir: Path) -> dict | None:
    try:
        manifest = json.loads((vendor_dir / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for name, digest in manifest.get("files", {}).items():
        path = vendor_dir / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return None
    return manifest if set(manifest.get("files", {})) == set(_FILES) else None


def ensure_assets(vendor_dir: Path | str | None = None, *, force: bool = False) -> Path:
    """Make sure ``leaflet.js`` and ``leaflet.css`` are in ``vendor_dir``; return the folder.

    The files are extracted from the installed ``folium-offline`` package the
    first time (or when ``force`` is set, or a file was changed or removed) and
    recorded with their SHA-256 in ``manifest.json``.

    Raises
    ------
    AssetError
        If the files are absent and ``folium-offline`` is not installed.
    """
    vendor_dir = Path(vendor_dir) if vendor_dir is not None else VENDOR_DIR
    if not force and _read_manifest(vendor_dir) is not None:
        return vendor_dir
    try:
        from offlinefolium.elements import _res as embedded  # noqa: PLC0415 - heavy module, set-up time only
    except ImportError as exc:
        raise AssetError("asset.err_missing", package=_PACKAGE) from exc
    vendor_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for name, key in _FILES.items():
        text = embedded.get(key)
        if not text:
            raise AssetError("asset.err_not_embedded", package=_PACKAGE, file=key)
        if name.endswith(".css"):
            text = _fix_css(text)
        data = text.encode("utf-8")
        tmp = vendor_dir / (name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(vendor_dir / name)
        files[name] = hashlib.sha256(data).hexdigest()
    manifest = {
        "source": f"PyPI {_PACKAGE} {_package_version()} (module offlinefolium), MIT",
        "leaflet": LEAFLET_VERSION,
        "files": files,
    }
    (vendor_dir / _MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return vendor_dir


def js_links(base_url: str = VENDOR_URL) -> list[tuple[str, str]]:
    """The ``default_js`` entries of a folium map, pointing at the served copies."""
    return [("leaflet", f"{base_url}/leaflet.js")]


def css_links(base_url: str = VENDOR_URL) -> list[tuple[str, str]]:
    """The ``default_css`` entries of a folium map, pointing at the served copies."""
    return [("leaflet_css", f"{base_url}/leaflet.css")]


def inline_assets(vendor_dir: Path | str | None = None) -> tuple[str, str]:
    """``(leaflet_js, leaflet_css)`` text, for self-contained HTML (reports)."""
    folder = ensure_assets(vendor_dir)
    return (folder / "leaflet.js").read_text(encoding="utf-8"), (folder / "leaflet.css").read_text(encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - set-up helper
    print(ensure_assets(force=True))
