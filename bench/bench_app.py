"""Benchmark of the planner app on the demo data: load, county switch, bytes sent to the browser.

    python bench/bench_app.py                # server-side figures + the real browser
    python bench/bench_app.py --no-browser   # server-side figures only

Measures
  1. cold start: boundaries + demo layers + the full analysis (what the app caches once);
  2. a county switch on the server: one full script run of the app (AppTest), warm caches;
  3. the map payload per view: the Leaflet script streamlit-folium sends (bytes, polygons, vertices),
     against the full-detail geometry of the whole province;
  4. a county switch as the user sees it, in headless Chromium: from choosing the county in the
     sidebar to the new county's facility icons being drawn in the map iframe.
Prints a Markdown section; paste it into bench/APP.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _switch_row(label: str, times: list[float]) -> str:
    return f"| {label} | {_ms(statistics.median(times))} | {_ms(max(times))} | {len(times)} |"


def cold_start() -> tuple[dict, object]:
    from sxgeo.app.data import Boundaries, Workspace
    from sxgeo.io.demo import load_demo

    t0 = time.perf_counter()
    b = Boundaries.load()
    b.simplified  # noqa: B018
    t1 = time.perf_counter()
    layers = {k: r.layer for k, r in load_demo().items()}
    t2 = time.perf_counter()
    ws = Workspace.build(layers, b)
    t3 = time.perf_counter()
    assert ws.error is None, ws.error
    return {"boundaries": t1 - t0, "demo layers": t2 - t1, "analysis": t3 - t2}, ws


def payloads(ws) -> list[dict]:
    """Size of what the browser receives for the map of each kind of view."""
    from streamlit_folium import _get_map_string

    from sxgeo.app.mapview import build_map
    from sxgeo.layers import boundaries

    full = boundaries.load_counties()
    full_json = len(full.to_json().encode())
    indicator = ws.map_targets().set_index("target_id").loc["fitness_15min"].to_dict() | {"target_id": "fitness_15min"}
    rows = []
    for label, level, code in [("province", "province", None), ("city 太原市", "city", "140100"),
                               ("county 小店区", "county", "140105"), ("county 保德县", "county", "140931")]:
        t0 = time.perf_counter()
        m = build_map(ws, level, code, indicator, "zh", "none", None, {}, minutes=15)
        m.get_root().render()
        script = _get_map_string(m)
        elapsed = time.perf_counter() - t0
        units = ws.choropleth_units(level, code, "fitness_15min")
        rows.append({
            "view": label,
            "build+render": elapsed,
            "script_kb": len(script.encode()) / 1024,
            "polygons": len(units),
            "vertices": int(units.geometry.count_coordinates().sum()),
        })
    rows.append({"view": "(whole province, full detail, for comparison)", "build+render": float("nan"),
                 "script_kb": full_json / 1024, "polygons": len(full), "vertices": int(full.geometry.count_coordinates().sum())})
    return rows


def apptest_switch(counties: list[tuple[str, str]]) -> tuple[list[float], list[float]]:
    """Script-run times of county switches: first visits (nothing precomputed) and revisits."""
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["SXGEO_APP_WARM"] = "0"  # no background warm-up: measure first visits honestly
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600).run()
    at.sidebar.radio(key="level@zh").set_value("county").run()
    passes = []
    for _ in range(2):
        times = []
        for city, county in counties:
            at.sidebar.selectbox(key="city@zh").set_value(city).run()
            t0 = time.perf_counter()
            at.sidebar.selectbox(key="county@zh").set_value(county).run()
            times.append(time.perf_counter() - t0)
            assert not at.exception, [e.value for e in at.exception]
        passes.append(times)
    os.environ.pop("SXGEO_APP_WARM")
    return passes[0], passes[1]


_NEW_MAP_JS = """old => {
    const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    const d = f && f.contentDocument;
    if (!d) return false;
    const c = d.querySelector('.leaflet-control-layers');
    return c && c.innerText !== old && d.querySelectorAll('.sx-icon').length > 0;
}"""


def browser_switch(names: list[str], warm_s: float = 30) -> list[float]:
    from e2e_helpers import MAP_IFRAME, StreamlitServer, guard_network, launch, wait_for_map
    from playwright.sync_api import sync_playwright

    times = []
    with StreamlitServer() as server, sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        outside = guard_network(context)
        page = context.new_page()
        page.goto(server.url)
        wait_for_map(page, min_polygons=117, timeout_ms=300_000)
        page.locator('[data-testid="stSidebar"] label').filter(has_text="区县").first.click()
        frame = page.frame_locator(MAP_IFRAME).first
        frame.locator(".sx-icon").first.wait_for(timeout=120_000)
        combo = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="区县", exact=True)
        time.sleep(warm_s)  # let the background warm-up finish, as after a minute of use
        for name in names:
            combo.click()
            option = page.get_by_role("option", name=name, exact=True).first
            old = frame.locator(".leaflet-control-layers").first.inner_text()
            t0 = time.perf_counter()
            option.click()
            page.wait_for_function(_NEW_MAP_JS, arg=old, polling="raf", timeout=60_000)
            times.append(time.perf_counter() - t0)
        browser.close()
    assert not outside, outside
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--n", type=int, default=8, help="counties per switching run")
    args = ap.parse_args()

    cold, ws = cold_start()
    rows = payloads(ws)
    counties = ws.bounds.counties
    rng = random.Random(2021)
    picks = counties.iloc[rng.sample(range(len(counties)), args.n)]
    first, again = apptest_switch(list(zip(picks["city_code"], picks["adcode"])))
    # in the browser, stay in one city (the sidebar shows one city's counties)
    taiyuan = counties[counties["city_code"] == "140100"]
    names = [f"{n} {c}" for n, c in zip(taiyuan["name"], taiyuan["adcode"])][1: args.n + 1]
    browser = [] if args.no_browser else browser_switch(names)

    out = [f"### Measured {time.strftime('%Y-%m-%d')} on {platform.processor() or platform.machine()}, "
           f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}", ""]
    out += ["| cold start (once, then cached) | time |", "| --- | --- |"]
    out += [f"| {k} | {_ms(v)} |" for k, v in cold.items()]
    out += ["", "| county switch | median | max | n |", "| --- | --- | --- | --- |"]
    out += [_switch_row("server, first visit of a county (full script run, AppTest, no warm-up)", first)]
    out += [_switch_row("server, county already computed (revisit, or after the background warm-up)", again)]
    if browser:
        out += [_switch_row("browser: choose county → new county map drawn (Chromium, after warm-up)", browser)]
    out += ["", "| map view | build + render | Leaflet script sent | polygons | vertices |", "| --- | --- | --- | --- | --- |"]
    for r in rows:
        bt = "—" if r["build+render"] != r["build+render"] else _ms(r["build+render"])
        out += [f"| {r['view']} | {bt} | {r['script_kb']:.0f} KiB | {r['polygons']} | {r['vertices']:,} |"]
    print("\n".join(out))


if __name__ == "__main__":
    main()
