"""The architecture holds: layered imports, Streamlit only in the app, small modules with a docstring."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "sxgeo"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True)


def test_the_contracts_are_kept():
    out = _lint_imports(REPO)
    assert out.returncode == 0, out.stdout[-2000:]
    assert out.stdout.count("KEPT") == 3 and "BROKEN" not in out.stdout


def test_an_upward_import_breaks_the_layered_contract(tmp_path):
    """The contract really bites: a layer type that imports the report shell is caught."""
    shutil.copytree(PACKAGE, tmp_path / "sxgeo", ignore=shutil.ignore_patterns("__pycache__", "static", "data"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    geometry = tmp_path / "sxgeo" / "layers" / "geometry.py"
    geometry.write_text(geometry.read_text(encoding="utf-8") + "\nimport sxgeo.report.builder  # planted\n", encoding="utf-8")
    out = _lint_imports(tmp_path)
    assert out.returncode != 0
    assert "Data flows one way" in out.stdout and "BROKEN" in out.stdout
    assert "sxgeo.layers.geometry -> sxgeo.report.builder" in out.stdout


def test_streamlit_is_not_loaded_outside_the_app():
    code = (
        "import sys; import sxgeo.cli, sxgeo.report.batch, sxgeo.report.gaps, sxgeo.report.sites, "
        "sxgeo.analysis.inputs, sxgeo.outputs.webmap, sxgeo.app.data, sxgeo.app.launch; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'streamlit', 'streamlit_folium'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "static" not in p.parts)


def test_every_module_is_small_and_says_what_it_is_for():
    too_long, undocumented = {}, []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > 600:
            too_long[str(path.relative_to(REPO))] = lines
        doc = ast.get_docstring(ast.parse(text))
        if path.name != "__init__.py" and (not doc or not doc.splitlines()[0].strip()):
            undocumented.append(str(path.relative_to(REPO)))
    assert too_long == {}
    assert undocumented == []


def test_the_public_api_is_at_the_top_level():
    import sxgeo

    for name in ("load_layer", "load_township_polygons", "read_osm", "snap", "nearest_facility", "walking_access",
                 "analyse"):
        assert callable(getattr(sxgeo, name)), name
        assert name in sxgeo.__all__
    assert sxgeo.read_osm.__module__ == "sxgeo.io.osm"
    assert sxgeo.walking_access.__module__ == "sxgeo.analysis.access"
