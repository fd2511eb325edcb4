"""Targets as data: reading, checking, overriding and evaluating."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sxgeo.analysis.indicators import QUANTITIES
from sxgeo.analysis.targets import evaluate
from sxgeo.errors import TargetError
from sxgeo.io.targets import load_targets


def test_bundled_targets_are_valid_and_cover_the_plan():
    targets = load_targets(known_quantities=set(QUANTITIES))
    ids = {t.id for t in targets}
    assert {
        "kg_public_per_township", "gross_enrolment", "inclusive_coverage", "fitness_15min", "nursing_beds_county",
        "new_fitness_centres", "new_elderly_sites", "minor_protection_counties",
    } <= ids
    by_id = {t.id: t for t in targets}
    assert by_id["nursing_beds_county"].threshold == 0.45 and by_id["nursing_beds_county"].comparator == ">="
    assert by_id["gross_enrolment"].threshold == 0.91
    assert by_id["inclusive_coverage"].threshold == 0.80
    assert by_id["new_fitness_centres"].threshold == 20 and by_id["new_elderly_sites"].threshold == 30
    assert by_id["fitness_15min"].params["threshold_min"] == 15
    assert by_id["kg_public_per_township"].scope == ("镇", "乡")
    for t in targets:
        assert t.name_zh and t.name_en and t.clause_zh and t.clause_en


def test_overrides_change_a_threshold_without_code():
    targets = load_targets(overrides={"fitness_15min": {"params": {"threshold_min": 10}}, "gross_enrolment": {"threshold": 0.95}})
    by_id = {t.id: t for t in targets}
    assert by_id["fitness_15min"].params == {"threshold_min": 10, "speed_kmh": 4.0, "urban_only": True}
    assert by_id["gross_enrolment"].threshold == 0.95
    with pytest.raises(TargetError) as err:
        load_targets(overrides={"nope": {"threshold": 1}})
    assert "override for unknown target 'nope'" in err.value.message("en")


GOOD = """
[[target]]
id = "a"
name_zh = "甲"
name_en = "A"
quantity = "nursing_bed_share"
level = "county"
comparator = ">="
threshold = 0.45
"""


@pytest.mark.parametrize(
    "text,message",
    [
        (GOOD.replace('comparator = ">="', 'comparator = "=>"'), "targets.toml [a]: comparator '=>'"),
        (GOOD.replace('level = "county"', 'level = "village"'), "level 'village'"),
        (GOOD.replace("threshold = 0.45", 'threshold = "high"'), "threshold 'high' is not a number"),
        (GOOD.replace('quantity = "nursing_bed_share"', 'quantity = "happiness"'), "unknown quantity 'happiness'"),
        (GOOD.replace('name_en = "A"\n', ""), "missing field(s) name_en"),
        (GOOD + GOOD, "duplicate target id(s) a"),
        ("[[target]\nid=", "not valid TOML"),
        ("version = 1\n", "no [[target]] entries"),
        (GOOD + 'colour = "red"\n', "unknown field(s) colour"),
    ],
)
def test_malformed_targets_name_file_target_and_problem(tmp_path, text, message):
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TargetError) as err:
        load_targets(path, known_quantities=set(QUANTITIES))
    english = err.value.message("en")
    assert message in english and english.startswith("targets.toml")
    chinese = err.value.message("zh")
    assert chinese.startswith("目标文件有误（targets.toml") and "\n" not in chinese
    assert str(err.value) == chinese


def test_a_user_target_over_an_existing_quantity(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD.replace('id = "a"', 'id = "nursing_50"').replace("0.45", "0.5"), encoding="utf-8")
    (t,) = load_targets(path, known_quantities=set(QUANTITIES))
    assert (t.id, t.threshold) == ("nursing_50", 0.5)


def _quantities(values, level="county", quantity="nursing_bed_share", kinds=None):
    n = len(values)
    return pd.DataFrame(
        {
            "level": level,
            "unit_code": [f"U{i}" for i in range(n)],
            "unit_name": [f"单位{i}" for i in range(n)],
            "unit_kind": kinds if kinds is not None else [None] * n,
            "quantity": quantity,
            "params_key": [()] * n,
            "period": None,
            "value": values,
            "numerator": np.nan,
            "denominator": np.nan,
        }
    )


def test_evaluate_met_not_met_and_no_data(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(GOOD, encoding="utf-8")
    targets = load_targets(path)
    ev = evaluate(targets, _quantities([0.5, 0.45, 0.2, np.nan]))
    assert ev["status"].tolist() == ["met", "met", "not_met", "no_data"]
    assert ev["met"].tolist()[:3] == [True, True, False] and pd.isna(ev["met"].iat[3])
    assert ev["gap"].iloc[:3].round(6).tolist() == [-0.05, 0.0, 0.25]
    assert np.isnan(ev["gap"].iat[3])


def test_evaluate_less_than_and_scope(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(
        GOOD.replace('comparator = ">="', 'comparator = "<="').replace("0.45", "10")
        .replace('level = "county"', 'level = "township"\nscope = ["镇"]').replace("nursing_bed_share", "public_kindergartens"),
        encoding="utf-8",
    )
    targets = load_targets(path)
    q = _quantities([5, 12, 3], level="township", quantity="public_kindergartens", kinds=["镇", "镇", "街道"])
    ev = evaluate(targets, q)
    assert ev["unit_code"].tolist() == ["U0", "U1"]  # the 街道 is outside the scope
    assert ev["status"].tolist() == ["met", "not_met"]
    assert ev["gap"].tolist() == [-5, 2]
