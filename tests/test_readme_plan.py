"""The README lists every plan task and every target sxgeo checks for it, in both languages."""

from __future__ import annotations

from pathlib import Path

from sxgeo.io.targets import load_plan_tasks, load_targets

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_lists_every_task_with_its_targets_and_what_is_left_out():
    text = README.read_text(encoding="utf-8")
    zh, en = text.split("# sxgeo — public-service gap analysis for Shanxi (English)")
    targets = load_targets()
    tasks = load_plan_tasks()
    assert [t.id for t in tasks] == ["2", "4", "5", "6", "10", "11", "12"]
    for half, lang in ((zh, "zh"), (en, "en")):
        for task in tasks:
            start = half.index(f"**{task.name(lang)}**")
            block = half[start:].split("\n\n**", 1)[0]
            assert task.out_of_scope(lang) in block, (lang, task.id)
            for tg in (t for t in targets if t.task == task.id):
                line = next(x for x in block.splitlines() if f"`{tg.id}`" in x)
                assert tg.name(lang) in line and (("※" in line) == tg.assumption), (lang, tg.id)
    assert {t.task for t in targets} == {t.id for t in tasks}
