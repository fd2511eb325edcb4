"""The regional medical scenario's workbook and report section, on the hand-checked case of tests/regional_case.py."""

from __future__ import annotations

import io

import openpyxl
import pytest
import regional_case as rc

from sxgeo.analysis.regional import load_regional_scenario, regional_reach
from sxgeo.outputs.regional import SHEETS, regional_html, regional_sheets, regional_xlsx_bytes, write_regional_xlsx
from sxgeo.text import t


@pytest.fixture(scope="module")
def reach(tmp_path_factory):
    scenario = load_regional_scenario(rc.write_scenario(tmp_path_factory.mktemp("regional_out")))
    return regional_reach(rc.layers(), scenario, network={"drive": rc.network()})


def _rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_the_workbook_has_every_sheet_in_chinese_with_the_approximate_note(reach, tmp_path):
    path = write_regional_xlsx(reach, tmp_path / "regional.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [t(f"regional.sheet.{s}", "zh") for s in SHEETS]
    assert wb.sheetnames == ["全省", "各市", "各区县", "受益最多的区县", "仍在服务圈外的区县", "项目位置", "说明"]
    note = "位置为近似（测试）"  # the scenario file's note
    sites = _rows(wb["项目位置"])
    assert [s["编号"] for s in sites] == ["P1", "P2"]
    assert all(s["位置说明"] == note and s["位置为近似"] == "是" for s in sites)
    assert {s["等级"] for s in sites} == {t("cat.hospital_level.level3", "zh")}
    about = {r["项目"]: r["内容"] for r in _rows(wb["说明"])}
    assert about["项目位置"] == note and about["情景"] == "测试情景" and about["方案条款"] == "测试条款"
    assert about["出行时间"] == t("regional.travel.network", "zh")


def test_the_workbook_holds_the_hand_figures_as_numbers(reach):
    wb = openpyxl.load_workbook(io.BytesIO(regional_xlsx_bytes(reach)))
    # province: 13,800 residents; 60 min 5,000 → 13,000, 120 min 10,000 → 13,000 (tests/analysis/test_regional.py)
    summary = _rows(wb["全省"])
    assert [r["驾车时间（分钟）"] for r in summary] == [60, 120]
    assert [(r["人口"], r["可达人口（建设前）"], r["可达人口（建设后）"]) for r in summary] == [
        (13800, 5000, 13000), (13800, 10000, 13000)]
    assert summary[1]["可达人口比例（建设后）"] == pytest.approx(13000 / 13800)
    assert summary[1]["比例提高"] == pytest.approx(3000 / 13800)
    ws = wb["全省"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=3, column=header.index("比例提高") + 1).number_format == "0.0%"
    cities = _rows(wb["各市"])
    assert {(r["地级市"], r["驾车时间（分钟）"]): r["可达人口（建设后）"] for r in cities} == {
        ("运城市", 60): 8500, ("运城市", 120): 8500, ("临汾市", 60): 4500, ("临汾市", 120): 4500}
    counties = _rows(wb["各区县"])
    assert len(counties) == 6 and {r["地级市"] for r in counties} == {"运城市", "临汾市"}
    # gainers: 120 min first (夏县 before 尧都区: equal residents gained, larger share), then 60 min
    gainers = _rows(wb["受益最多的区县"])
    assert [(r["驾车时间（分钟）"], r["排序"], r["区县"], r["新增可达人口"]) for r in gainers] == [
        (120, 1, "夏县", 1500), (120, 2, "尧都区", 1500), (60, 1, "尧都区", 4500), (60, 2, "夏县", 3500)]
    outside = _rows(wb["仍在服务圈外的区县"])
    assert [(r["区县"], r["服务圈外人口"]) for r in outside] == [("尧都区", 600), ("夏县", 200)]
    assert outside[0]["服务圈外人口比例"] == pytest.approx(600 / 5100)


def test_the_workbook_in_english(reach):
    wb = openpyxl.load_workbook(io.BytesIO(regional_xlsx_bytes(reach, "en")))
    assert wb.sheetnames == [t(f"regional.sheet.{s}", "en") for s in SHEETS]
    sites = _rows(wb[t("regional.sheet.sites", "en")])
    assert sites[0]["Name"] == "Planned hospital P1" and sites[0]["Position note"] == "Approximate position (test)"
    assert set(regional_sheets(reach, "en")) == set(SHEETS)


def test_the_report_section_is_chinese_by_default(reach):
    section = regional_html(reach)
    assert section.startswith('<section class="regional" lang="zh">') and section.endswith("</section>")
    assert "<h2>测试情景</h2>" in section and '<div class="notice">位置为近似（测试）</div>' in section
    assert "可达人口比例（建设前）" in section and "<h3>全省</h3>" in section
    assert t("regional.html.gainers", "zh", minutes=120) in section
    assert "94.2%" in section  # 13,000 / 13,800 after
    assert "拟建医院P1" in section and "Share in reach" not in section
    english = regional_html(reach, "en")
    assert 'lang="en"' in english and "Test scenario" in english and "Share in reach (before)" in english
    assert "Approximate position (test)" in english and "可达人口" not in english
