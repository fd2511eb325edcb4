"""The capacity section of the reports: the county's equity figures and capacity gaps, and the equity ranking."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

from sxgeo.analysis.inputs import analyse_inputs, load_inputs
from sxgeo.cli import main

CITY = "140100"  # 太原市
COUNTY = "140105"


@pytest.fixture(scope="module")
def core():
    inputs = load_inputs()
    return analyse_inputs(inputs)


@pytest.fixture(scope="module")
def city_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cap_report") / "out"
    assert main(["report", "--city", CITY, "--out", str(out), "--no-progress", "--jobs", "1"]) == 0
    return out


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_county_page_shows_equity_figures_curve_map_and_capacity_gaps(city_run, core):
    html = (city_run / "counties" / f"{COUNTY}.html").read_text(encoding="utf-8")
    text = _text(html)
    kg = core.capacity_result("kindergartens")
    assert "幼儿园学位可达性：步行 15 分钟内每千名 3-5 岁儿童学位数（目标 910）" in text
    eq = kg.equity("county")
    city = eq[eq.index.str.startswith("1401") & (eq["demand"] > 0)]
    assert f"本次报告范围的 {len(city)} 个区县中排第 {int(city['gini'].rank(method='min')[COUNTY])} 位" in text
    assert f"{eq.at[COUNTY, 'gini']:.3f}" in text and f"{eq.at[COUNTY, 'urban_rural_ratio']:.3f}" in text
    # the concentration curve and the score map are drawn for each measure that has demand in the county
    assert html.count('alt="幼儿园学位可达性') == 2  # its concentration curve and its score map
    gaps = kg.gap_list()
    gaps = gaps[gaps["county_code"] == COUNTY]
    assert f"供给不足的乡镇（{len(gaps)} 个，按缺口排序）" in text
    wb = openpyxl.load_workbook(city_run / "counties" / f"{COUNTY}.xlsx", read_only=True)
    rows = list(wb["缺口-学位"].iter_rows(values_only=True))
    wb.close()
    sheet = pd.DataFrame(rows[1:], columns=rows[0])
    assert sheet["乡镇代码"].tolist() == gaps["township_code"].tolist()
    assert sheet["供给缺口"].tolist() == pytest.approx(gaps["shortfall"].round(4).tolist())


def test_summary_ranks_the_counties_by_equity(city_run, core):
    text = _text((city_run / "index.html").read_text(encoding="utf-8"))
    assert "区县幼儿园学位可达性公平性排名" in text
    wb = openpyxl.load_workbook(city_run / "summary.xlsx", read_only=True)
    rows = list(wb["区县幼儿园学位可达性公平性排名"].iter_rows(values_only=True))
    wb.close()
    sheet = pd.DataFrame(rows[1:], columns=rows[0])
    eq = core.capacity_result("kindergartens").equity("county")
    eq = eq[eq.index.str.startswith("1401")]
    assert sorted(sheet["区县代码"]) == sorted(eq.index)
    want = eq["gini"].round(4).sort_values(kind="stable")
    assert sheet["基尼系数"].tolist() == pytest.approx(want.tolist())
    assert sheet["排序"].tolist() == sorted(sheet["排序"].tolist())


def test_summary_lists_the_worst_served_tenth_of_townships(city_run, core):
    text = _text((city_run / "index.html").read_text(encoding="utf-8"))
    bottom = core.capacity_result("kindergartens").bottom_townships(0.1, [c for c in core.capacity_result(
        "kindergartens").equity("county").index if c.startswith("1401")])
    assert f"可达性最低的 10% 乡镇（{len(bottom)} 个" in text
    for name in bottom["township_name"]:
        assert name in text
