"""Load test of the app on loopback: N concurrent browser sessions on one server, each opening a workspace and switching counties.

    python bench/bench_load.py                 # 20 sessions, 2 county switches each
    python bench/bench_load.py --sessions 1    # the single-session baseline

One Streamlit server (``streamlit run app.py``) with its own ``SXGEO_HOME``
holding a workspace of the demo layers; one headless Debian Chromium with one
browser context per session (separate cookies, separate Streamlit sessions),
all started at once.  Each session opens ``/?ws=<workspace>``, waits for the
map, switches to the county level and then to two counties of its own (every
session its own pair), timing each switch until the new county's map is drawn.

Reported for the server: time to first map (median and max over sessions), time
of a county switch, peak RSS of the server process tree (sampled every
0.2 s), and errors: Streamlit exceptions on a page, console errors, requests
that left the machine.  A cross-session leak is a session whose sidebar or map
shows another session's county at the end (each session's choice is unsaved
state of that session only).  Not run in CI (minutes of CPU on 2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

#: (city, county name) pairs the sessions switch to: session i takes pairs i and i+1 (mod the list).
#: None is the county level's default (太原市 小店区), so that every switch changes the map.
COUNTIES = [
    ("太原市", "迎泽区"), ("太原市", "晋源区"), ("大同市", "平城区"), ("阳泉市", "盂县"), ("长治市", "潞州区"),
    ("晋城市", "泽州县"), ("朔州市", "朔城区"), ("晋中市", "榆次区"), ("运城市", "盐湖区"), ("忻州市", "保德县"),
    ("临汾市", "尧都区"), ("吕梁市", "离石区"), ("太原市", "清徐县"), ("大同市", "云冈区"), ("长治市", "襄垣县"),
    ("晋城市", "高平市"), ("晋中市", "平遥县"), ("运城市", "永济市"), ("临汾市", "侯马市"), ("吕梁市", "孝义市"),
]


def _workspace(home: Path, name: str) -> None:
    """A workspace holding the demo layers."""
    from sxgeo.io.demo import load_demo
    from sxgeo.io.store import open_store

    store = open_store(home=home)
    store.create(name)
    for result in load_demo().values():
        store.add_layer(name, result)


def _tree(pid: int) -> list[int]:
    """The process and its descendants (from /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return out


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _rss_sampler(pid: int, stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], sum(_rss(p) for p in _tree(pid)))
        time.sleep(0.2)


#: counts finished script runs of the page (the stApp element's script state going from running to notRunning)
RUN_COUNTER = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__runs = 0;
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'notRunning') window.__runs += 1;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


IDLE_AFTER = """([n, label, option]) => window.__runs > n
  && document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state') === 'notRunning'
  && [...document.querySelectorAll('[data-testid=stSidebar] input[role=combobox]')]
       .some(el => el.getAttribute('aria-label') === label && el.value === option)"""


async def _choose(page, label: str, option: str, step: list[str]) -> None:
    """Choose a sidebar option and wait until its rerun finished.

    Under load a rerun that was already on its way (streamlit-folium reports
    the map's state after it mounts) can redraw the sidebar while the list is
    open and swallow the click, so the choice is retried until the box shows it.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label, exact=True)
    if await box.input_value() == option:
        return
    for attempt in range(1, 6):
        runs = await page.evaluate("() => window.__runs")
        step[0] = f"choose {label} {option} (attempt {attempt})"
        try:
            await box.click(timeout=120_000)
            await page.get_by_role("option", name=option, exact=True).first.click(timeout=120_000)
            await page.wait_for_function(IDLE_AFTER, arg=[runs, label, option], timeout=180_000)
            return
        except PlaywrightTimeout:
            if await box.input_value() == option:  # chosen, only slow: wait on
                await page.wait_for_function(IDLE_AFTER, arg=[runs, label, option])
                return
            await page.keyboard.press("Escape")
    raise RuntimeError(f"{label} {option} not taken after 5 attempts")


COUNTY_LEVEL = """n => window.__runs > n
  && document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state') === 'notRunning'
  && [...document.querySelectorAll('[data-testid=stSidebar] label')]
       .some(l => l.innerText.trim() === '区县' && l.querySelector('input[type=radio]')?.checked)"""


async def _county_level(page, step: list[str]) -> None:
    """Choose the county level (retried like :func:`_choose` when a rerun swallows the click)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    radio = page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="区县", exact=True)
    for attempt in range(1, 6):
        step[0] = f"switch to the county level (attempt {attempt})"
        runs = await page.evaluate("() => window.__runs")
        try:
            await radio.check(force=True, timeout=120_000)
            await page.wait_for_function(COUNTY_LEVEL, arg=runs, timeout=180_000)
            return
        except PlaywrightTimeout:
            continue
    raise RuntimeError("the county level was not taken after 5 attempts")


async def _switch(page, city: str, county: str, step: list[str]) -> None:
    """Switch to a county (its city first) and wait until a new map of it with its facility icons is drawn."""
    from e2e_helpers import MAP_IFRAME

    frame = page.frame_locator(MAP_IFRAME).first
    step[0] = "mark the old map"
    await frame.locator(".leaflet-container").first.evaluate("el => el.dataset.old = '1'")
    await _choose(page, "地级市", city, step)
    await _choose(page, "区县", county, step)  # nothing to do when it is the city's first county
    step[0] = f"new map of {county}"
    await frame.locator(".leaflet-container:not([data-old]) .sx-icon").first.wait_for()
    await frame.locator("body").evaluate(
        "(b, code) => new Promise(ok => { const f = () => b.innerHTML.includes(code) ? ok() : setTimeout(f, 200); f(); })",
        county.split()[-1])


async def _session(browser, url: str, i: int, labels: list[tuple[str, str]], out: dict) -> None:
    from e2e_helpers import MAP_IFRAME

    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    outside, console = [], []

    async def route(r):
        host = r.request.url.split("/")[2] if "://" in r.request.url else ""
        if r.request.url.startswith(("data:", "blob:", "about:")) or host.split(":")[0] in ("127.0.0.1", "localhost"):
            await r.continue_()
        else:
            outside.append(r.request.url)
            await r.abort()

    await context.route("**/*", route)
    page = await context.new_page()
    page.set_default_timeout(300_000)  # 20 sessions on 2 cores: a click can wait minutes for its rerun
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    step = ["open the workspace"]
    rec = {"first_map": None, "switches": [], "errors": [], "leak": False, "step": step}
    out[i] = rec  # partial figures survive a session stopped by SESSION_LIMIT_S
    t0 = time.perf_counter()
    try:
        await page.goto(url, timeout=600_000)
        frame = page.frame_locator(MAP_IFRAME).first
        await frame.locator("path.leaflet-interactive").first.wait_for(timeout=600_000)
        rec["first_map"] = time.perf_counter() - t0
        step[0] = "switch to the county level"
        await page.evaluate(RUN_COUNTER)
        await _county_level(page, step)
        await frame.locator(".sx-icon").first.wait_for()
        mine = [labels[i % len(labels)], labels[(i + 1) % len(labels)]]
        for city, county in mine:
            t1 = time.perf_counter()
            await _switch(page, city, county, step)
            rec["switches"].append(time.perf_counter() - t1)
        step[0] = "check for leaks"
        # still its own county after everyone else switched: no cross-session leak
        await asyncio.sleep(2)
        shown = await page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="区县", exact=True).input_value()
        drawn = await frame.locator("body").evaluate("(b, code) => b.innerHTML.includes(code)", mine[-1][1].split()[-1])
        rec["leak"] = shown != mine[-1][1] or not drawn
        rec["errors"] += [f"exception: {e}" for e in await page.locator('[data-testid="stException"]').all_inner_texts()]
    except Exception as exc:  # noqa: BLE001 - counted as an error of the run
        rec["errors"].append(f"{step[0]}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    rec["errors"] += [f"console: {c[:200]}" for c in console] + [f"outside: {u}" for u in outside]
    await context.close()


#: A session that has not finished after this long is stopped and counted as an error.
SESSION_LIMIT_S = 1200


async def _limited(session, i: int, out: dict) -> None:
    try:
        await asyncio.wait_for(session, SESSION_LIMIT_S)
    except TimeoutError:
        out[i]["errors"].append(f"{out[i]['step'][0]}: session stopped after {SESSION_LIMIT_S} s")


def _option_labels() -> list[tuple[str, str]]:
    """The sidebar's option labels ("name code") of the city and county of every pair in COUNTIES."""
    from sxgeo.layers.boundaries import load_counties

    counties = load_counties()
    out = []
    for city, county in COUNTIES:
        row = counties[(counties["city_name"] == city) & (counties["name"] == county)].iloc[0]
        out.append((f"{city} {row['city_code']}", f"{county} {row['adcode']}"))
    return out


async def _run(url: str, n: int) -> dict:
    from e2e_helpers import CHROMIUM_ARGS, ensure_chromium
    from playwright.async_api import async_playwright

    out: dict = {}
    labels = _option_labels()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=ensure_chromium(), args=CHROMIUM_ARGS, headless=True)
        await asyncio.gather(*(_limited(_session(browser, url, i, labels, out), i, out) for i in range(n)))
        await browser.close()
    return out


def main() -> int:
    from e2e_helpers import StreamlitServer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="sxgeo-load-"))
    name = "负载测试"
    _workspace(home, name)
    peak = [0]
    stop = threading.Event()
    with StreamlitServer(env={"SXGEO_HOME": str(home)}) as server:
        sampler = threading.Thread(target=_rss_sampler, args=(server.proc.pid, stop, peak), daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        results = asyncio.run(_run(f"{server.url}/?ws={name}", args.sessions))
        wall = time.perf_counter() - t0
        stop.set()
    first = [r["first_map"] for r in results.values() if r["first_map"] is not None]
    switches = [s for r in results.values() for s in r["switches"]]
    errors = [e for r in results.values() for e in r["errors"]]
    leaks = sum(r["leak"] for r in results.values())
    print(f"## Load test: {args.sessions} concurrent sessions ({platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()})\n")
    print("| figure | value |\n| --- | --- |")
    print(f"| sessions that drew the map | {len(first)} of {args.sessions} |")
    if first:
        print(f"| time to first map | median {statistics.median(first):.1f} s, max {max(first):.1f} s |")
    if switches:
        print(f"| county switch | median {statistics.median(switches):.1f} s, max {max(switches):.1f} s (n = {len(switches)}) |")
    print(f"| server peak RSS (process tree) | {peak[0] / 2**20:,.0f} MB |")
    print(f"| errors | {len(errors)} |")
    print(f"| cross-session leaks | {leaks} |")
    print(f"| wall time | {wall:.0f} s |")
    for e in errors[:20]:
        print(f"- {e}")
    return 0 if not errors and not leaks and len(first) == args.sessions else 1


if __name__ == "__main__":
    raise SystemExit(main())
