"""``sxgeo regional``: the regional medical projects scenario by the real command, on the hand-checked case.

The case of tests/regional_case.py is handed in as a planner would: residents and hospitals
as CSV files, the roads as a local OSM file (tests/regional_osm.py), the two planned sites
in a scenario file.  The expected figures are the hand figures of
tests/analysis/test_regional.py (``HAND``), read from that file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import openpyxl
import pytest
import regional_case as rc
import regional_osm as ro
from cli_run import run

_spec = importlib.util.spec_from_file_location("regional_hand", Path(__file__).parent / "analysis" / "test_regional.py")
_hand = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_hand)
#: (level, unit code, minutes) -> (residents, in reach before, in reach after), worked out by hand.
HAND = _hand.HAND


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("regional_cli")
    return {**ro.write_layers(folder), "osm": ro.write_osm(folder), "scenario": rc.write_scenario(folder),
            "cache": folder / "cache", "folder": folder}


def _args(case, *extra: str) -> list[str]:
    return ["regional", "--scenario", str(case["scenario"]), "--residential", str(case["residential"]),
            "--hospitals", str(case["hospitals"]), "--osm", str(case["osm"]), "--cache-dir", str(case["cache"]),
            *extra]


def _pct(part: float, whole: float) -> str:
    return f"{part / whole * 100:.1f}%"


def _rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_regional_prints_the_hand_figures_and_writes_them_to_the_workbook(case, capsys):
    out = case["folder"] / "全省.xlsx"
    code, stdout, err = run(_args(case, "--out", str(out)), capsys)
    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[0] == "测试情景" and lines[1] == "按驾车路网计算"  # the scenario's title; drive times on the roads
    assert lines[2] == "注意：位置为近似（测试）"
    for minutes in (60, 120):
        pop, before, after = HAND[("province", "140000", minutes)]
        gain = (after - before) / pop * 100
        assert (f"【山西省】驾车 {minutes} 分钟内可达三级及以上医院的人口比例：{_pct(before, pop)} → {_pct(after, pop)}"
                f"（+{gain:.1f} 个百分点；可达人口 {before:,} → {after:,}，共 {pop:,} 人）") in lines
    # 120 min: 夏县 and 尧都区 both gain 1,500 residents; 夏县 gains the larger share and ranks first
    at = lines.index("驾车 120 分钟内新增可达人口最多的区县：")
    assert lines[at + 1:at + 3] == [
        f"  1. 夏县（运城市）：新增可达 1,500 人，{_pct(2000, 3700)} → {_pct(3500, 3700)}",
        f"  2. 尧都区（临汾市）：新增可达 1,500 人，{_pct(3000, 5100)} → {_pct(4500, 5100)}",
    ]
    # R7 (尧都区, 600) and R8 (夏县, 200) stay beyond 120 minutes
    assert "建设后仍有居民在驾车 120 分钟以外的区县：2 个（有居民的区县共 3 个），合计 800 人" in lines
    assert lines[-1] == f"输出文件：{out}"

    wb = openpyxl.load_workbook(out)
    summary = _rows(wb["全省"])
    assert [(r["驾车时间（分钟）"], r["人口"], r["可达人口（建设前）"], r["可达人口（建设后）"]) for r in summary] == [
        (m, *HAND[("province", "140000", m)]) for m in (60, 120)]
    counties = {(r["区县代码"], r["驾车时间（分钟）"]): (r["人口"], r["可达人口（建设前）"], r["可达人口（建设后）"])
                for r in _rows(wb["各区县"])}
    assert counties == {(code, m): v for (level, code, m), v in HAND.items() if level == "county"}
    cities = {(r["地级市代码"], r["驾车时间（分钟）"]): (r["人口"], r["可达人口（建设前）"], r["可达人口（建设后）"])
              for r in _rows(wb["各市"])}
    assert cities == {(code, m): v for (level, code, m), v in HAND.items() if level == "city"}
    assert [(r["区县"], r["服务圈外人口"]) for r in _rows(wb["仍在服务圈外的区县"])] == [("尧都区", 600), ("夏县", 200)]


def test_a_city_in_english_shows_the_province_and_the_city_and_keeps_to_the_city(case, capsys):
    out = case["folder"] / "linfen"  # the suffix is added
    code, stdout, err = run(_args(case, "--city", "141000", "--out", str(out), "--lang", "en"), capsys)
    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[:2] == ["Test scenario", "Along the drive network"]
    for area, level, unit in (("山西省", "province", "140000"), ("临汾市", "city", "141000")):
        for minutes in (60, 120):
            pop, before, after = HAND[(level, unit, minutes)]
            assert (f"[{area}] Residents within a {minutes}-minute drive of a level 3 or higher hospital: "
                    f"{_pct(before, pop)} → {_pct(after, pop)}") in "\n".join(lines)
    assert not any(line.startswith("[运城市]") for line in lines)
    at = lines.index("Counties gaining the most residents within a 120-minute drive:")
    assert lines[at + 1] == f"  1. 尧都区 (临汾市): 1,500 more residents in reach, {_pct(3000, 5100)} → {_pct(4500, 5100)}"
    assert lines[at + 2].startswith("Counties with residents still beyond a 120-minute drive")  # 夏县 is not listed
    assert "1 of 1 with residents, 600 residents in all" in lines[at + 2]
    path = case["folder"] / "linfen.xlsx"
    assert lines[-1] == f"files written: {path}"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Province", "Cities", "Counties"]
    assert len(_rows(wb["Province"])) == 2  # the province stays as context
    assert {r["City code"] for r in _rows(wb["Cities"])} == {"141000"}
    assert {r["County code"] for r in _rows(wb["Counties"])} == {"141002"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bad_scenario_file_gives_one_line_and_exit_code_2(tmp_path, capsys, lang):
    bad = tmp_path / "坏情景.toml"
    bad.write_text(rc.SCENARIO.replace(f"lon = {rc.NODES['D'][0]}\n", "", 1), encoding="utf-8")  # P2 without lon
    code, stdout, err = run(["regional", "--scenario", str(bad), "--out", str(tmp_path / "x.xlsx"), "--lang", lang],
                            capsys)
    assert code == 2 and stdout == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sxgeo: ")
    assert "坏情景.toml" in lines[0] and "P2" in lines[0] and "lon" in lines[0]
    assert ("缺少字段" in lines[0]) == (lang == "zh") and ("missing field" in lines[0]) == (lang == "en")
    assert not (tmp_path / "x.xlsx").exists()
    code, _, err = run(["regional", "--scenario", str(tmp_path / "无此文件.toml"), "--out", str(tmp_path / "y.xlsx")],
                       capsys)
    assert code == 2 and err.splitlines() == [err.strip()] and "无此文件.toml" in err and "文件不存在" in err
