"""The wheel is complete: built, installed into a fresh virtualenv and run from outside the checkout.

The fresh virtualenv gets only the sxgeo wheel (``--no-deps``); its
dependencies come from the test environment through a ``.pth`` file, so the
test needs no download.  ``pip check`` in the new environment confirms the
wheel's declared dependencies are all satisfied there.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    """``(python, sxgeo, workdir)`` of a fresh venv holding only the freshly built wheel."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = dist.glob("sxgeo-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # Dependencies from the test environment; sxgeo itself only from the wheel.
    Path(purelib, "_sxgeo_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True, capture_output=True, text=True,
    )
    work = base / "elsewhere"
    work.mkdir()
    return python, venv / "bin" / "sxgeo", work, wheel


def _run(cmd, cwd, timeout=600, **extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SXGEO_")} | extra_env
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_wheel_ships_data_and_assets(wheel_env):
    *_, wheel = wheel_env
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (
        "sxgeo/data/boundaries/counties.geojson",
        "sxgeo/data/boundaries/townships.csv",
        "sxgeo/data/facilities/residential.csv",
        "sxgeo/data/targets.toml",
        "sxgeo/data/scenarios/regional_medical.toml",
        "sxgeo/data/road_speeds.toml",
        "sxgeo/data/poi_categories.toml",
        "sxgeo/data/population_defaults.toml",
        "sxgeo/data/text/messages.toml",
        "sxgeo/data/text/report.toml",
        "sxgeo/app/static/vendor/leaflet.js",
        "sxgeo/app/static/vendor/leaflet.css",
        "sxgeo/app/streamlit_app.py",
    ):
        assert path in names, path


def test_installed_package_is_imported_from_the_venv_not_the_checkout(wheel_env):
    python, _, work, _ = wheel_env
    out = _run([python, "-c", "import sxgeo, sxgeo.resources as r; print(sxgeo.__file__); print(r.boundaries_dir())"], work)
    assert out.returncode == 0, out.stderr
    module, data = out.stdout.split()
    assert "site-packages" in module and not module.startswith(str(REPO))
    assert "site-packages" in data and data.endswith("sxgeo/data/boundaries")


def test_report_gaps_and_site_run_from_any_folder(wheel_env):
    python, sxgeo, work, _ = wheel_env
    out = _run([sxgeo, "report", "--county", "140105", "--out", "x", "--no-progress", "--jobs", "1"], work)
    assert out.returncode == 0, out.stderr
    html = (work / "x" / "counties" / "140105.html").read_text(encoding="utf-8")
    assert "小店区" in html and (work / "x" / "counties" / "140105.xlsx").stat().st_size > 0
    assert (work / "x" / "index.html").is_file()
    out = _run([sxgeo, "gaps", "--kind", "fitness", "--county", "140105", "--format", "csv", "--out", "g.csv"], work)
    assert out.returncode == 0, out.stderr
    assert (work / "g.csv").read_text(encoding="utf-8-sig").count("\n") > 1
    out = _run([sxgeo, "site", "--kind", "fitness", "--county", "140105", "-n", "2", "--out", "s"], work)
    assert out.returncode == 0, out.stderr
    assert any((work / "s").iterdir())


def test_the_wheel_holds_every_module_of_the_checkout(wheel_env):
    # the test venv's editable install could hide a missing subpackage at import time: read the wheel itself
    *_, wheel = wheel_env
    with zipfile.ZipFile(wheel) as zf:
        shipped = {n for n in zf.namelist() if n.endswith(".py")}
    checkout = {p.relative_to(REPO).as_posix() for p in (REPO / "sxgeo").rglob("*.py")}
    assert checkout - shipped == set()


def test_workspaces_and_capacity_access_run_from_the_wheel(wheel_env):
    python, sxgeo, work, _ = wheel_env
    home = {"SXGEO_HOME": str(work / "home")}
    kg = work / "kg.csv"
    kg.write_text("名称,性质,学位数,经度,纬度\n甲园,公办,120,112.5647,37.8135\n", encoding="utf-8-sig")
    for cmd in (["workspace", "create", "太原"], ["workspace", "add", "太原", kg, "--kind", "kindergartens"]):
        out = _run([sxgeo, *cmd], work, **home)
        assert out.returncode == 0, out.stderr
    out = _run([sxgeo, "workspace", "show", "太原"], work, **home)
    assert out.returncode == 0 and "幼儿园 第 1 版*：kg.csv，1 行" in out.stdout, out.stderr
    out = _run([sxgeo, "access", "--kind", "kindergartens", "--county", "140105", "--format", "csv", "--out", "a.csv"], work)
    assert out.returncode == 0, out.stderr
    # the app's modules (workspaces, login) import from the installed package
    out = _run([python, "-c", "import sxgeo.app.workspaces, sxgeo.app.login, sxgeo.io.store.postgis"], work)
    assert out.returncode == 0, out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sxgeo_app_serves_the_app_and_its_offline_assets(wheel_env):
    _, sxgeo, work, _ = wheel_env
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SXGEO_")}
    env["SXGEO_APP_WARM"] = "0"
    proc = subprocess.Popen(
        [str(sxgeo), "app", "--port", str(port), "--address", "127.0.0.1"], cwd=work, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            assert time.monotonic() < deadline, "the app did not start within 90 s"
            time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/app/static/vendor/leaflet.js", timeout=10) as r:
            assert r.status == 200 and b"Leaflet" in r.read()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
