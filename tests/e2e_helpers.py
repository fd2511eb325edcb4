"""Helpers for driving the real app in headless Chromium (tests and bench/bench_app.py).

Starts ``streamlit run app.py`` on a free loopback port and drives Debian's
``chromium`` with Playwright's Python API.  Every request the browser makes is
routed through :func:`guard_network`: anything not addressed to 127.0.0.1 is
recorded and aborted, so a test can assert that the app needs no network.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_HOSTS = {"127.0.0.1"}
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def ensure_chromium() -> str:
    """Path of Debian's chromium, installed with apt-get when missing (needs root)."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise RuntimeError("chromium is missing: install Debian's package with `apt-get install chromium` (as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-noto-cjk"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """``streamlit run app.py`` on a free port, as a context manager."""

    def __init__(self, env: dict[str, str] | None = None, log: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.log = log
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> StreamlitServer:
        out = open(self.log, "w") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError("streamlit did not become healthy within 90 s")

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def launch(playwright):
    """Headless Debian chromium with the flags the project uses."""
    return playwright.chromium.launch(executable_path=ensure_chromium(), args=CHROMIUM_ARGS, headless=True)


def guard_network(context) -> list[str]:
    """Abort and record every request that is not addressed to 127.0.0.1."""
    outside: list[str] = []

    def route(r):
        url = r.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    context.route("**/*", route)
    return outside


def map_state(page) -> dict:
    """Height of the map iframe and what Leaflet drew in it."""
    frame = page.frame_locator(MAP_IFRAME).first
    box = page.locator(MAP_IFRAME).first.bounding_box()
    return {
        "height": box["height"] if box else 0,
        "containers": frame.locator(".leaflet-container").count(),
        "polygons": frame.locator("path.leaflet-interactive").count(),
        "markers": frame.locator(".sx-icon").count(),
    }


def wait_for_map(page, min_polygons: int = 1, timeout_ms: int = 120_000) -> dict:
    """Wait until the map iframe is visible with real height and Leaflet drew polygons."""
    page.wait_for_selector(MAP_IFRAME, state="visible", timeout=timeout_ms)
    frame = page.frame_locator(MAP_IFRAME).first
    frame.locator(".leaflet-container").first.wait_for(state="visible", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    state = map_state(page)
    while time.monotonic() < deadline:
        state = map_state(page)
        if state["height"] > 100 and state["polygons"] >= min_polygons:
            return state
        time.sleep(0.25)
    raise AssertionError(f"the map did not appear: {state}")


def wait_idle(page, timeout_s: float = 120) -> None:
    """Wait until the script run has finished (and stays finished for a moment); fail after ``timeout_s``.

    It first gives a click's rerun a moment to start, so that it waits for that run and not for the one before.
    """
    page.wait_for_timeout(300)
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while time.monotonic() < deadline:
        state = page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state")
        quiet = quiet + 1 if state == "notRunning" else 0
        if quiet >= 3:
            return
        time.sleep(0.25)
    raise AssertionError("the app kept running")
