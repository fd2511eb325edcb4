"""County reports and the summary, made with the real command (``sxgeo report``) on the demo data.

The HTML is opened in headless Debian Chromium (Playwright): no console error, no failed
request, no request other than the page itself, the map image and the SVG charts drawn; a screenshot goes to
``test-artifacts/``.  The workbooks are reopened with openpyxl and checked row by row
against the core's gap lists.  A real failure (a county whose report file cannot be
written) must not stop the batch and must give exit code 1.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from e2e_helpers import CHROMIUM_ARGS, REPO, ensure_chromium

from sxgeo.analysis.inputs import analyse_inputs, load_inputs
from sxgeo.cli import main
from sxgeo.report.gaps import gap_rows

ARTIFACTS = REPO / "test-artifacts"
COUNTY = "140105"  # 小店区, 太原市
CITY = "140300"  # 阳泉市: 5 counties
BROKEN = "140302"  # 阳泉市城区 (one of the two 城区)


@pytest.fixture(scope="module")
def core():
    """The core's own analysis of the demo data, to check the reports against."""
    inputs = load_inputs()
    return inputs, analyse_inputs(inputs)


@pytest.fixture(scope="module")
def county_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    code = main(["report", "--county", COUNTY, "--out", str(out), "--no-progress", "--jobs", "1"])
    return code, out


@pytest.fixture(scope="module")
def city_run_with_failure(tmp_path_factory):
    """``--city 140300`` where one county's report path is a folder: that county fails."""
    out = tmp_path_factory.mktemp("report_city") / "out"
    (out / "counties" / f"{BROKEN}.html").mkdir(parents=True)
    return out


def _sheet(path: Path, name: str) -> pd.DataFrame:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb[name].iter_rows(values_only=True))
    wb.close()
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_county_report_files(county_run):
    code, out = county_run
    assert code == 0
    html = (out / "counties" / f"{COUNTY}.html").read_text(encoding="utf-8")
    assert "太原市小店区（140105）公共服务设施缺口报告" in html
    assert "合成演示数据" in html  # the demo data are synthetic and the report says so
    for section in ("设施、覆盖范围与缺口分布图", "目标达成情况", "图表", "缺口清单"):
        assert section in html
    for target in ("学前三年毛入园率", "城市社区 15 分钟健身圈覆盖率", "护理型床位占比（区县）"):
        assert target in html
    # the map and the two charts embedded as PNG (one chart stack: matplotlib); nothing refers to the outside
    assert len(re.findall(r'<img class="figure"[^>]*src="data:image/png;base64,', html)) == 1
    # two target charts, then per capacity measure (seats, beds) a concentration curve and a score map
    assert len(re.findall(r'<img class="chart"[^>]*src="data:image/png;base64,', html)) == 2 + 2 * 2
    assert "<svg" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower()
    assert (out / "index.html").is_file() and (out / "summary.xlsx").is_file()
    assert f'href="counties/{COUNTY}.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_county_workbook_matches_the_gap_lists(county_run, core):
    _, out = county_run
    inputs, analysis = core
    path = out / "counties" / f"{COUNTY}.xlsx"
    wb = openpyxl.load_workbook(path, read_only=True)
    names = wb.sheetnames
    wb.close()
    targets = [tg for tg in analysis.targets if tg.level in ("township", "county", "city")]
    for tg in targets:
        assert f"目标-{tg.name_zh}"[:31] in names
    for sheet in ("目标一览", "缺口-幼儿园", "缺口-健身", "缺口-养老", "缺口-护理床位", "乡镇幼儿园"):
        assert sheet in names
    for kind, sheet in (("fitness", "缺口-健身"), ("elderly", "缺口-养老")):
        expected = gap_rows(analysis, kind)
        expected = expected[expected["county_code"] == COUNTY]
        got = _sheet(path, sheet)
        assert len(expected) > 0
        assert got["编号"].tolist() == expected["id"].tolist()  # same rows, same order
        assert got["人口"].tolist() == expected["population"].tolist()
        assert {"编号", "名称", "地址", "人口", "数据来源", "步行时间（分钟）", "已覆盖"} <= set(got.columns)
    kg = analysis.kindergarten_gaps
    got = _sheet(path, "缺口-幼儿园")
    assert got["单位代码"].dropna().tolist() == kg.loc[kg["county_code"] == COUNTY, "unit_code"].tolist()
    targets_sheet = _sheet(path, "目标一览")
    ev = analysis.evaluation
    county_rows = ev[(ev["level"] == "county") & (ev["unit_code"] == COUNTY)]
    assert set(county_rows["target_id"]) <= set(targets_sheet["目标编号"])
    fitness = targets_sheet[(targets_sheet["目标编号"] == "fitness_15min")].iloc[0]
    assert fitness["数值"] == pytest.approx(county_rows.set_index("target_id").at["fitness_15min", "value"])


def test_county_report_in_headless_chromium(county_run):
    """Opens offline: no console error, no failed request, no request but the page; images drawn."""
    from playwright.sync_api import sync_playwright

    _, out = county_run
    page_url = (out / "counties" / f"{COUNTY}.html").resolve().as_uri()
    ARTIFACTS.mkdir(exist_ok=True)
    console_errors, failed, requests = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=ensure_chromium(), args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("request", lambda r: requests.append(r.url))

        def route(r):
            url = r.request.url
            if url == page_url or url.startswith("data:"):
                r.continue_()
            else:
                r.abort()

        context.route("**/*", route)
        page.goto(page_url, wait_until="load")
        images = page.eval_on_selector_all("img.figure", "els => els.map(e => [e.complete, e.naturalWidth])")
        charts = page.eval_on_selector_all("img.chart", "els => els.map(e => [e.complete, e.naturalHeight])")
        title = page.title()
        page.screenshot(path=str(ARTIFACTS / f"report_{COUNTY}.png"), full_page=True)
        browser.close()
    assert console_errors == []
    assert failed == []
    outside = [u for u in requests if u != page_url and not u.startswith("data:")]
    assert outside == []
    assert len(images) == 1 and all(done and width > 0 for done, width in images)
    assert len(charts) == 2 + 2 * 2 and all(done and h > 100 for done, h in charts)
    assert "小店区" in title
    assert (ARTIFACTS / f"report_{COUNTY}.png").stat().st_size > 10_000


def test_city_batch_with_a_failing_county(city_run_with_failure, capsys, core):
    out = city_run_with_failure
    code = main(["report", "--city", CITY, "--out", str(out), "--jobs", "2"])
    err = capsys.readouterr().err
    assert code == 1  # the batch went on, and says it failed
    assert BROKEN in err and "城区" in err
    counties = ["140302", "140303", "140311", "140321", "140322"]
    for c in counties:
        if c != BROKEN:
            assert (out / "counties" / f"{c}.html").is_file()
            assert (out / "counties" / f"{c}.xlsx").is_file()
    # the summary lists the failure and ranks all five counties on each target
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "以下区县的报告生成失败" in html and BROKEN in html
    failed = _sheet(out / "summary.xlsx", "失败区县")
    assert failed["区县代码"].tolist() == [BROKEN]
    summary = _sheet(out / "summary.xlsx", "区县汇总")
    assert sorted(summary["区县代码"]) == counties
    _, analysis = core
    ev = analysis.evaluation
    sel = ev[(ev["target_id"] == "gross_enrolment") & ev["unit_code"].isin(counties)].set_index("unit_code")["value"]
    ranked = _sheet(out / "summary.xlsx", "排名-学前三年毛入园率")
    assert ranked["区县代码"].tolist() == sel.sort_values(ascending=False).index.tolist()
    assert ranked["排序"].tolist() == [1, 2, 3, 4, 5]
    assert ranked["数值"].tolist() == pytest.approx(sel.sort_values(ascending=False).tolist())
    for c in counties:
        if c != BROKEN:
            assert f'href="counties/{c}.html"' in html
