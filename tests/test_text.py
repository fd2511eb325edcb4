"""The one text system: the TOML catalogues, t(), the column and value localiser, and no language branches elsewhere."""

from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from sxgeo import text
from sxgeo.formatting import fmt_gap
from sxgeo.layers.kinds import KINDS
from sxgeo.outputs.tables import localise
from sxgeo.text import LANGS, catalogue, choose, labels, t

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sxgeo"
TEXT_DIR = PACKAGE / "data" / "text"

#: Namespaces each catalogue file may define (messages.toml also holds the core's unprefixed keys).
NAMESPACES = {
    "messages.toml": ("kind.", "gap.", "load.", "fmt.", "target.", "asset.", "net.", "store."),
    "columns.toml": ("col.",),
    "values.toml": ("val.", "cat.", "bool."),
    "app.toml": ("app.",),
    "map.toml": ("map.",),
    "cli.toml": ("cli.",),
    "report.toml": ("report.",),
    "siting.toml": ("site.",),
    "print.toml": ("print.",),
    "regional.toml": ("regional.",),
}
ALL_NAMESPACES = tuple(ns for spaces in NAMESPACES.values() for ns in spaces)



def _entries(path: Path) -> dict[str, dict]:
    out: dict[str, dict] = {}

    def walk(table: dict, prefix: str) -> None:
        for k, v in table.items():
            if isinstance(v, dict) and any(isinstance(x, str) for x in v.values()):
                out[prefix + k] = v
            else:
                walk(v, f"{prefix}{k}.")

    with path.open("rb") as fh:
        walk(tomllib.load(fh), "")
    return out


def _fields(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


# --- the catalogue files ---------------------------------------------------------------------


def test_the_catalogue_is_read_from_every_toml_file_of_the_text_folder():
    assert sorted(p.name for p in TEXT_DIR.glob("*.toml")) == sorted(text.CATALOGUE_FILES) == sorted(NAMESPACES)
    total = sum(len(_entries(TEXT_DIR / name)) for name in NAMESPACES)
    assert len(catalogue()) == total > 350  # no key defined twice across files


@pytest.mark.parametrize("name", sorted(NAMESPACES))
def test_every_entry_has_chinese_and_english_with_the_same_placeholders(name):
    for key, entry in _entries(TEXT_DIR / name).items():
        assert set(entry) == set(LANGS), key
        assert all(isinstance(v, str) and v.strip() for v in entry.values()), key
        assert _fields(entry["zh"]) == _fields(entry["en"]), key


@pytest.mark.parametrize("name", sorted(NAMESPACES))
def test_keys_carry_their_files_namespace(name):
    for key in _entries(TEXT_DIR / name):
        if name == "messages.toml" and "." not in key:
            continue  # the core's message keys are stored in results and have no prefix
        assert key.startswith(NAMESPACES[name]), f"{name}: {key}"


def test_plan_numbers_are_parameters_not_text():
    for key, entry in catalogue().items():
        for template in entry.values():
            for number in ("45%", "45 %", "1.3", "15 分钟", "15-minute", "15 min", "91%", "95%"):
                assert number not in template, (key, number)


def test_the_package_ships_the_catalogue():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/text/*.toml"' in pyproject


# --- t() -------------------------------------------------------------------------------------


def test_t_fills_parameters_in_either_language():
    assert t("gap.fitness", "zh", minutes=15.0) == "15 分钟健身圈未覆盖的社区"
    assert t("gap.fitness", "en", minutes=10) == "Communities outside the 10-minute fitness circle"
    assert t("gap.nursing", "zh", threshold="45.0%") == "护理型床位占比低于 45.0% 的区县"
    assert t("duplicate_id", "en", id="K1", first=3) == "duplicate id K1 (same as row 3)"
    assert t("cli.site_cov", "zh", label="甲", sites=2, covered=1234.4, population=5000, share="24.7%", added=100) == (
        "甲：新增 2 处，覆盖人口 1,234 / 5,000（24.7%），新增覆盖 100 人"
    )


def test_t_never_crashes():
    assert t("no.such.key", "en") == "no.such.key"
    assert t("empty_row", "fr") == t("empty_row", "zh") == "空行"  # unknown language: Chinese
    assert t("empty_row") == "空行"
    # a missing parameter keeps its placeholder, a value of the wrong type is written as it is
    assert t("bad_coords", "en", lon=1) == "unparsable coordinates: longitude 1, latitude {lat}"
    assert t("gap.fitness", "zh") == "{minutes:g} 分钟健身圈未覆盖的社区"
    assert t("cli.unreachable", "en", pop="—") == "— residents live where no candidate site is within walking range"


def test_labels_and_choose():
    assert labels("val.status", "en") == {"met": "met", "not_met": "not met", "no_data": "no data",
                                          "no_network": "network does not cover the area",
                                          "not_applicable": "not applicable"}
    assert labels("col", "zh")["county_name"] == "区县"
    assert choose({"zh": "学前三年毛入园率", "en": "Gross enrolment"}, "en") == "Gross enrolment"
    assert choose({"zh": "学前三年毛入园率", "en": ""}, "en") == "学前三年毛入园率"  # missing English: Chinese
    assert choose({"zh": 1, "en": 2}, "xx") == 1


def test_percentage_points_come_from_the_catalogue():
    assert fmt_gap(0.052, "share", "zh") == "5.2 个百分点"
    assert fmt_gap(0.052, "share", "en") == "5.2 pp"


def test_layer_kinds_columns_and_categories_have_texts():
    for kind in KINDS.values():
        assert text.has(f"kind.{kind.name}")
        assert kind.label("en") != kind.label("zh")
        for col in kind.columns:
            assert text.has(f"col.{col.name}"), col.name
            if col.dtype == "category":
                for code in col.values:
                    assert text.has(f"cat.{col.name}.{code}"), (col.name, code)


def test_literal_keys_in_the_code_exist():
    """Keys written in the code, ``t("key")``, ``t(f"prefix.{...}")`` or ``SomeError("key", ...)``, are in the catalogue."""
    literal = re.compile(r"""(?<![\w.])t\(\s*f?["']([a-z_]+(?:\.[a-z_]+)*)(\.?\{|["'])""")
    error = re.compile(r"""\b(?:SxgeoError|InputError|LayerReadError|TargetError|AssetError)\(\s*(?:[^"'()]*?,\s*)?"""
                       r"""["']([a-z_]+(?:\.[a-z_]+)*)["']""")
    missing, seen = [], 0
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for key, end in literal.findall(source) + [(k, '"') for k in error.findall(source)]:
            seen += 1
            if end.endswith("{"):  # t(f"prefix.{...}"): the prefix must hold entries
                ok = any(k.startswith(key + ("." if end == ".{" else "")) for k in catalogue())
            else:
                ok = text.has(key)
            if not ok:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert seen > 100
    assert not missing, missing


# --- one column and value localiser ----------------------------------------------------------


def test_localise_renames_known_columns_and_words_coded_values():
    frame = gpd.GeoDataFrame(
        {"unit_code": ["140105"], "status": ["not_met"], "scenario": ["mclp"], "ownership": ["public"],
         "rank": [1], "自定义": ["x"]},
        geometry=[Point(112.5, 37.8)], crs=4326,
    )
    zh = localise(frame, "zh")
    assert list(zh.columns) == ["单位代码", "状态", "方案", "性质", "排序", "自定义", "geometry"]
    assert zh.iloc[0]["状态"] == "未达标" and zh.iloc[0]["方案"] == "最大覆盖（MCLP）"
    assert zh.iloc[0]["性质"] == "公办"  # coded layer values in words (cat.ownership.public)
    en = localise(frame, "en")
    assert list(en.columns)[:3] == ["Unit code", "Status", "Scenario"] and en.iloc[0]["Status"] == "not met"
    plain = localise(frame, "zh", values=False)
    assert plain.iloc[0]["状态"] == "not_met"
    assert list(frame.columns)[0] == "unit_code" and frame.iloc[0]["status"] == "not_met"  # the input is not changed


def test_localise_never_clashes():
    frame = pd.DataFrame({"name": [1], "名称": [2], "level": [3], "admin_level": [4]})
    assert list(localise(frame, "en").columns) == ["Name", "名称", "Level", "admin_level"]
    assert list(localise(frame, "zh").columns) == ["name", "名称", "层级", "级别"]


# --- the language is chosen only in sxgeo.text -------------------------------------------------

_BRANCH = re.compile(r"""\blang\s*[!=]=\s*["'](zh|en)["']|\bif\s+zh\b|\b[01]\s+if\s+lang\b|\bpick\(""")


def _branches() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "sxgeo/text.py":
            continue
        lines = [f"{i}: {ln.strip()}" for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if _BRANCH.search(ln)]
        if lines:
            out[rel] = lines
    return out


def test_no_language_branches_outside_the_text_module():
    assert _branches() == {}
