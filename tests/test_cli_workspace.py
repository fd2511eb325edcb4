"""``sxgeo workspace`` and ``--workspace``: a store in SXGEO_HOME used by the command line, with versions and trash."""

from __future__ import annotations

import pandas as pd
import pytest
from cli_run import run

from sxgeo.io.store import open_store


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SXGEO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SXGEO_DATABASE_URL", raising=False)
    return tmp_path


def _csv(path, rows):
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_create_add_show_report_delete_restore(home, capsys):
    kg1 = _csv(home / "名录.csv", [{"名称": "甲园", "性质": "公办", "地址": "山西省太原市小店区北格镇", "经度": "", "纬度": ""}])
    kg2 = _csv(home / "名录2.csv", [{"名称": "乙园", "性质": "公办", "经度": 112.5647, "纬度": 37.8135},
                                   {"名称": "丙园", "性质": "民办", "经度": 112.5650, "纬度": 37.8135}])
    assert run(["workspace", "create", "太原"], capsys)[0] == 0
    for path in (kg1, kg2):
        code, out, err = run(["workspace", "add", "太原", str(path), "--kind", "kindergartens"], capsys)
        assert code == 0 and "载入" in err
    assert "幼儿园 第 2 版" in out
    code, out, _ = run(["workspace", "show", "太原"], capsys)
    assert "幼儿园 第 1 版：名录.csv，1 行" in out and "幼儿园 第 2 版*：名录2.csv，2 行" in out
    # a report on the workspace uses the current version and says which one
    code, _, err = run(["report", "--county", "140105", "--workspace", "太原", "--out", str(home / "r"), "--no-progress"], capsys)
    assert code == 0 and "工作空间“太原”第 2 版" in err
    html = (home / "r" / "counties" / "140105.html").read_text(encoding="utf-8")
    assert "工作空间“太原”第 2 版" in html
    # delete moves to the trash; list shows how to restore
    code, out, _ = run(["workspace", "delete", "太原"], capsys)
    assert code == 0 and "回收站" in out
    trash_id = open_store().deleted()[0]["id"]
    code, out, _ = run(["workspace", "list"], capsys)
    assert f"sxgeo workspace restore {trash_id}" in out
    assert run(["workspace", "restore", trash_id], capsys)[0] == 0
    assert open_store().info("太原").layers == {"kindergartens": 2}


def test_export_import_and_bad_names(home, capsys):
    kg = _csv(home / "k.csv", [{"名称": "乙园", "性质": "公办", "经度": 112.5647, "纬度": 37.8135}])
    run(["workspace", "create", "甲"], capsys)
    run(["workspace", "add", "甲", str(kg), "--kind", "kindergartens"], capsys)
    code, out, _ = run(["workspace", "export", "甲", "--out", str(home / "甲.zip")], capsys)
    assert code == 0 and (home / "甲.zip").exists()
    code, out, _ = run(["workspace", "import", str(home / "甲.zip"), "--name", "乙"], capsys)
    assert code == 0 and "乙" in out
    assert open_store().layer("乙", "kindergartens").layer["name"].tolist() == ["乙园"]
    for bad in ("../x", "a/b"):
        code, _, err = run(["workspace", "create", bad], capsys)
        assert code == 2 and "工作空间名称" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(["workspace", "create", "甲"], capsys)
    assert code == 2 and "已存在" in err
    code, _, err = run(["report", "--county", "140105", "--workspace", "无此空间", "--out", str(home / "x")], capsys)
    assert code == 2 and "找不到工作空间“无此空间”" in err
