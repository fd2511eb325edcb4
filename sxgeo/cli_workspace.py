"""``sxgeo workspace``: create, list, show, delete, restore, add to, export and import workspaces.

Like the rest of the command line it only parses arguments, calls the store
(:mod:`sxgeo.io.store`) and prints; messages are in Chinese, or English with
``--lang en``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sxgeo.text import t

__all__ = ["add_parser", "run"]

#: What ``workspace add --kind`` accepts: the layer kinds, township polygons, population data, targets, an OSM file.
ADD_KINDS = ("residential", "kindergartens", "elderly_care", "fitness", "minor_protection", "primary_care", "hospitals",
             "special_education", "culture", "child_welfare", "township_polygons", "population_table",
             "population_grid", "targets", "osm")


def add_parser(sub, parents) -> None:
    """The ``workspace`` subcommand and its actions."""
    wp = sub.add_parser("workspace", parents=parents, help="工作空间 / workspaces (SXGEO_HOME 或 SXGEO_DATABASE_URL)")
    actions = wp.add_subparsers(dest="action", required=True)
    for action, help_text in (("create", "新建 / create"), ("show", "查看 / show"), ("delete", "删除到回收站 / to the trash")):
        p = actions.add_parser(action, parents=parents, help=help_text)
        p.add_argument("name")
    actions.add_parser("list", parents=parents, help="列出 / list (and the trash)")
    p = actions.add_parser("restore", parents=parents, help="从回收站恢复 / restore from the trash")
    p.add_argument("trash_id")
    p.add_argument("--name", default=None)
    p = actions.add_parser("add", parents=parents, help="加入图层（新版本）/ add a layer (a new version)")
    p.add_argument("name")
    p.add_argument("file")
    p.add_argument("--kind", required=True, choices=ADD_KINDS)
    p.add_argument("--coord-system", default="auto")
    p = actions.add_parser("export", parents=parents, help="导出为文件夹或 zip / export as a folder or zip")
    p.add_argument("name")
    p.add_argument("--out", required=True, metavar="DIR|ZIP")
    p = actions.add_parser("import", parents=parents, help="导入 / import a folder or zip")
    p.add_argument("path")
    p.add_argument("--name", default=None)


def _say(key: str, lang: str, **params) -> None:
    print(t(f"cli.ws.{key}", lang, **params))


def run(args: argparse.Namespace) -> int:
    """Run one ``workspace`` action; errors are :class:`sxgeo.errors.SxgeoError` (one line, exit 2, in ``cli``)."""
    from sxgeo.io.store import open_store

    store = open_store()
    lang = args.lang
    if args.action == "create":
        store.create(args.name)
        _say("created", lang, name=args.name, where=store.backend.location(args.name))
    elif args.action == "list":
        for name in store.names():
            info = store.info(name)
            _say("row", lang, name=name, layers=len(info.layers), scenarios=len(info.scenarios))
        for entry in store.deleted():
            _say("trash_row", lang, **entry)
    elif args.action == "show":
        _show(store, args.name, lang)
    elif args.action == "delete":
        _say("deleted", lang, name=args.name, id=store.delete(args.name))
    elif args.action == "restore":
        _say("restored", lang, name=store.restore(args.trash_id, args.name))
    elif args.action == "add":
        _add(store, args)
    elif args.action == "export":
        _say("exported", lang, name=args.name, path=store.export(args.name, args.out))
    elif args.action == "import":
        _say("imported", lang, name=store.import_(args.path, args.name))
    return 0


def _show(store, name: str, lang: str) -> None:
    info = store.info(name)
    _say("show_head", lang, name=name, created=info.created, owner=info.owner or "—",
         targets=t("bool.true" if info.has_targets else "bool.false", lang), osm=info.osm or "—")
    for kind in info.layers:
        for v in store.versions(name, kind).itertuples(index=False):
            _say("version_row", lang, kind=_kind_label(kind, lang),
                 version=v.version, created=v.created, source=v.source, rows=v.rows, rejected=v.rejected,
                 current="*" if v.current else "")
    for scenario in info.scenarios:
        _say("scenario_row", lang, scenario=scenario)
    for item in info.trash:
        _say("item_trash_row", lang, id=item["id"], type=item["type"], key=item["key"], deleted=item["deleted"])


def _kind_label(kind: str, lang: str) -> str:
    """A stored kind in words (population data are stored as the residential layer)."""
    if kind.startswith("population"):
        kind = "residential"
    return t("app.township_polygons", lang) if kind == "township_polygons" else t(f"kind.{kind}", lang)


def _add(store, args: argparse.Namespace) -> None:
    """Load a file the way the other commands do, and store it as a new version (or the targets / OSM reference)."""
    lang, name, path = args.lang, args.name, Path(args.file)
    if not path.is_file():
        from sxgeo.errors import InputError

        raise InputError("report.err_missing_file", path=str(path))
    if args.kind == "targets":
        from sxgeo.io.targets import load_targets

        load_targets(path)  # a bad targets file is refused before it is kept
        store.set_targets(name, path.read_text(encoding="utf-8"), path.name)
        _say("targets_set", lang, name=name, file=path.name)
        return
    if args.kind == "osm":
        store.set_osm(name, path)
        _say("osm_set", lang, name=name, file=str(path.resolve()))
        return
    result = _load(args.kind, path, args.coord_system, store, name)
    version = store.add_layer(name, result, kind="residential" if args.kind.startswith("population") else None)
    print(result.summary(lang), file=sys.stderr)
    _say("added", lang, name=name, kind=_kind_label(args.kind, lang), version=version)


def _load(kind: str, path: Path, coord_system: str, store, name: str):
    from sxgeo.io import load_layer, load_township_polygons
    from sxgeo.io.population import load_population_grid, load_population_table

    polygons = None
    if "township_polygons" in store.info(name).layers:
        polygons = store.layer(name, "township_polygons").layer
    if kind == "township_polygons":
        return load_township_polygons(path, coord_system="wgs84" if coord_system == "auto" else coord_system)
    if kind == "population_table":
        return load_population_table(path, township_polygons=polygons)
    if kind == "population_grid":
        return load_population_grid(path)
    return load_layer(path, kind, coord_system=coord_system, township_polygons=polygons)
