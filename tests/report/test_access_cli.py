"""``sxgeo access``: the files hold exactly the capacity measure of the core, for the chosen area."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pyogrio
import pytest

from sxgeo.analysis.inputs import load_inputs
from sxgeo.cli import main
from sxgeo.report.capacity import run_access

COUNTY = "140105"


@pytest.fixture(scope="module")
def core():
    inputs = load_inputs()
    return inputs, run_access(inputs, "kindergartens")


def test_csv_is_the_township_gap_list_of_the_county(tmp_path, core, capsys):
    _, result = core
    out = tmp_path / "学位缺口.csv"
    assert main(["access", "--kind", "kindergartens", "--county", COUNTY, "--format", "csv", "--out", str(out)]) == 0
    gaps = result.gap_list()
    gaps = gaps[gaps["county_code"] == COUNTY]
    assert f"供给不足的乡镇 {len(gaps)} 个" in capsys.readouterr().out
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"乡镇代码": str})
    assert table["乡镇代码"].tolist() == gaps["township_code"].tolist()
    assert table["排序"].tolist() == list(range(1, len(gaps) + 1))
    assert table["供给缺口"].tolist() == pytest.approx(gaps["shortfall"].round(1).tolist(), abs=1e-9)
    assert (table["供给缺口"] > 0).all() and table["供给缺口"].is_monotonic_decreasing


def test_xlsx_holds_every_table_and_gpkg_the_scored_points(tmp_path, core):
    _, result = core
    xlsx = tmp_path / "a.xlsx"
    assert main(["access", "--kind", "kindergartens", "--city", "140100", "--out", str(xlsx)]) == 0
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    assert wb.sheetnames == ["容量缺口（乡镇）", "乡镇可达性", "区县可达性与公平性", "居民点得分", "设施供需比"]
    counties = list(wb["区县可达性与公平性"].iter_rows(values_only=True))
    wb.close()
    header = counties[0]
    assert "基尼系数" in header and "城乡比" in header and "泰尔指数" in header
    eq = result.equity("county")
    got = {row[0]: row[header.index("基尼系数")] for row in counties[1:]}
    assert set(got) == {c for c in eq.index if c.startswith("1401")}
    for code, value in got.items():
        assert value == pytest.approx(round(eq.at[code, "gini"], 4), abs=1e-12)
    gpkg = tmp_path / "p.gpkg"
    assert main(["access", "--kind", "kindergartens", "--county", COUNTY, "--format", "gpkg", "--out", str(gpkg)]) == 0
    points = pyogrio.read_dataframe(gpkg, layer="capacity_points")
    gap_layer = pyogrio.read_dataframe(gpkg, layer="capacity_gaps")
    county_gaps = result.gap_list()[result.gap_list()["county_code"] == COUNTY]
    assert gap_layer["乡镇代码"].tolist() == county_gaps["township_code"].tolist()
    assert gap_layer.geometry.notna().all()  # each township at the demand-weighted centre of its points
    want = result.points[result.points["county_code"] == COUNTY]
    assert len(points) == len(want) > 0
    assert points["可达性得分"].tolist() == pytest.approx(want["score"].tolist())


def test_options_override_the_targets_file(tmp_path, capsys):
    out = tmp_path / "e.csv"
    code = main(["access", "--kind", "elderly", "--county", COUNTY, "--method", "e2sfca", "--threshold", "1e9",
                 "--format", "csv", "--out", str(out), "--lang", "en"])
    assert code == 0
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"Township code": str})
    # with an unreachable threshold every township of the county with older residents is short
    assert len(table) > 0 and (table["Share of demand below the target"] == "100.0%").all()
    assert "townships short of the target" in capsys.readouterr().out


def test_site_pmedian_writes_the_sites_and_the_before_after_table(tmp_path, core, capsys):
    from sxgeo.layers.scope import resolve_scope
    from sxgeo.report.capacity import run_capacity_sites

    inputs, _ = core
    out = tmp_path / "pm"
    code = main(["site", "--kind", "elderly", "--method", "pmedian", "-n", "2", "--capacity", "60", "--county", COUNTY,
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    scope = resolve_scope(inputs.counties, "county", COUNTY)
    want = run_capacity_sites(inputs, "elderly", scope, 2, capacity=60)
    assert f"选出 {len(want.sites)} 处新设施（每处 60）" in printed
    sites = pyogrio.read_dataframe(out / "capacity_sites.gpkg")
    assert sites["服务人数"].tolist() == pytest.approx(want.sites["served"].tolist())
    assert (sites["服务人数"] <= 60 + 1e-6).all()
    wb = openpyxl.load_workbook(out / "capacity_sites.xlsx", read_only=True)
    rows = list(wb["选址前后对比"].iter_rows(values_only=True))
    wb.close()
    table = pd.DataFrame(rows[1:], columns=rows[0]).set_index("单位代码")
    cmp = want.comparison.set_index("unit_code")
    for col, label in (("shortfall_before", "缺口（前）"), ("shortfall_after", "缺口（后）")):
        assert table.at["all", label] == pytest.approx(round(cmp.at["all", col], 4))
    assert table.at["all", "缺口（后）"] <= table.at["all", "缺口（前）"]


def test_site_pmedian_is_refused_for_fitness(tmp_path, capsys):
    code = main(["site", "--kind", "fitness", "--method", "pmedian", "--county", COUNTY, "--out", str(tmp_path / "x")])
    assert code == 2
    assert "p-中位选址只用于幼儿园" in capsys.readouterr().err
