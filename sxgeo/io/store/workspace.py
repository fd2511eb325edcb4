"""The workspace store: layers with versions, a targets file, scenarios, views, access and a trash, on a backend.

A workspace is described by one document (JSON) and holds its data in
tables.  The store keeps the rules the same whatever the backend:

- **versions**: storing a layer again adds a version and keeps the old
  ones; restoring a version makes a new version from it;
- **trash**: deleting a layer, a scenario or a workspace moves it to a
  recoverable trash; nothing is destroyed;
- **access**: each workspace has an owner, editors and readers; a user
  (None: single-user mode, no login) reads and writes only where allowed;
- every change is one transaction of the backend: all of it or none.

Backends: :class:`~sxgeo.io.store.gpkg.GeoPackageBackend` (default: one
GeoPackage per workspace under ``SXGEO_HOME``) and
:class:`~sxgeo.io.store.postgis.PostGISBackend` (``SXGEO_DATABASE_URL``).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from sxgeo.errors import StoreError
from sxgeo.text import t

__all__ = ["StoredLayer", "WorkspaceInfo", "WorkspaceStore", "open_store", "valid_name"]

#: A workspace or scenario name: letters (Chinese too), digits, ``_`` and ``-``; no path characters.
_NAME = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff\-]{0,63}$")


def valid_name(name: object) -> str:
    """``name`` if it can name a workspace or scenario, else a :class:`StoreError` saying why."""
    text = str(name).strip()
    if not _NAME.match(text) or text in (".", ".."):
        raise StoreError("store.err_name", name=text)
    return text


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


@dataclass
class WorkspaceInfo:
    """What a workspace holds: current layer versions, scenarios, targets, OSM file, access."""

    name: str
    owner: str | None
    editors: list[str]
    readers: list[str]
    created: str
    layers: dict[str, int]
    scenarios: list[str]
    has_targets: bool
    osm: str | None
    trash: list[dict] = field(default_factory=list)


@dataclass
class StoredLayer:
    """One version of a stored layer, with what its load said (usable wherever a load result is)."""

    kind: str
    version: int
    layer: pd.DataFrame
    rejected: pd.DataFrame
    summaries: dict[str, str]
    source: str
    created: str
    user: str | None
    workspace: str = ""

    def summary(self, lang: str = "zh") -> str:
        """The load summary, naming the workspace and the version (a report records which data it used)."""
        return t("store.layer_version", lang, summary=self.summaries.get(lang, self.summaries.get("zh", "")),
                 workspace=self.workspace, version=self.version, created=self.created)


class WorkspaceStore:
    """Named workspaces on one backend (see the module docstring for the rules)."""

    def __init__(self, backend) -> None:
        self.backend = backend

    # --- workspaces ---------------------------------------------------------------------------
    def create(self, name: str, *, owner: str | None = None) -> WorkspaceInfo:
        """A new, empty workspace owned by ``owner`` (a bad or taken name is a :class:`StoreError`)."""
        name = valid_name(name)
        doc = {"name": name, "id": uuid.uuid4().hex[:12], "owner": owner, "editors": [], "readers": [],
               "created": _now(), "layers": {}, "scenarios": {}, "targets": None, "osm": None, "views": {},
               "trash": [], "log": []}
        self.backend.create(name, doc)
        return self.info(name)

    def names(self, user: str | None = None) -> list[str]:
        """The workspaces ``user`` may read (all of them in single-user mode)."""
        return [n for n in self.backend.names() if self._allowed(self.backend.read_doc(n), user, write=False)]

    def info(self, name: str, user: str | None = None) -> WorkspaceInfo:
        """What the workspace holds."""
        doc = self._doc(name, user)
        return WorkspaceInfo(
            name=doc["name"], owner=doc.get("owner"), editors=list(doc.get("editors", [])),
            readers=list(doc.get("readers", [])), created=doc["created"],
            layers={k: v["current"] for k, v in doc["layers"].items()}, scenarios=sorted(doc["scenarios"]),
            has_targets=doc.get("targets") is not None, osm=doc.get("osm"), trash=list(doc.get("trash", [])),
        )

    def rename(self, name: str, new: str, *, user: str | None = None) -> None:
        """Rename a workspace (owner or editors)."""
        new = valid_name(new)
        if self.backend.exists(new):
            raise StoreError("store.err_exists", name=new)
        with self._writing(name, user) as txn:
            txn.doc["name"] = new
        self.backend.rename(name, new)

    def delete(self, name: str, *, user: str | None = None) -> str:
        """Move a workspace to the trash (owner only); returns its trash id."""
        doc = self._doc(name, user)
        if user is not None and doc.get("owner") not in (None, user):
            raise StoreError("store.err_forbidden", name=name, user=user)
        return self.backend.to_trash(name)

    def deleted(self) -> list[dict]:
        """The workspaces in the trash."""
        return self.backend.trash()

    def restore(self, trash_id: str, name: str | None = None) -> str:
        """Bring a deleted workspace back (under its old name unless ``name`` is given)."""
        entry = next((e for e in self.backend.trash() if e["id"] == trash_id), None)
        if entry is None:
            raise StoreError("store.err_missing", name=trash_id)
        target = valid_name(name or entry["name"])
        self.backend.restore(trash_id, target)
        with self.backend.writing(target) as txn:
            txn.doc["name"] = target
        return target

    def set_access(self, name: str, *, owner: str | None = None, editors=None, readers=None,
                   user: str | None = None) -> None:
        """Change who may read and write (the owner, or anyone in single-user mode)."""
        doc = self._doc(name, user)
        if user is not None and doc.get("owner") not in (None, user):
            raise StoreError("store.err_forbidden", name=name, user=user)
        with self.backend.writing(name) as txn:
            if owner is not None:
                txn.doc["owner"] = owner
            if editors is not None:
                txn.doc["editors"] = sorted(set(editors))
            if readers is not None:
                txn.doc["readers"] = sorted(set(readers))

    def can_write(self, name: str, user: str | None) -> bool:
        """Whether ``user`` may change the workspace."""
        return self._allowed(self.backend.read_doc(name), user, write=True)

    # --- layers ------------------------------------------------------------------------------
    def add_layer(self, name: str, result, *, user: str | None = None, kind: str | None = None) -> int:
        """Store a loaded layer (a :class:`~sxgeo.io.LoadResult`) as its kind's new version; returns the version."""
        kind = kind or result.kind.name
        summary = {lang: result.summary(lang) for lang in ("zh", "en")}
        return self._add_version(name, kind, result.layer, result.rejected, summary, result.source, user)

    def _add_version(self, name, kind, layer, rejected, summary, source, user) -> int:
        with self._writing(name, user) as txn:
            entry = txn.doc["layers"].setdefault(kind, {"current": 0, "versions": []})
            # numbered past every version ever stored, those in the trash too; table names never repeat
            trashed = [v["version"] for i in txn.doc["trash"] if i["type"] == "layer" and i["key"] == kind
                       for v in i["entry"]["versions"]]
            version = max([v["version"] for v in entry["versions"]] + trashed, default=0) + 1
            table = f"layer_{kind}_v{version}_{uuid.uuid4().hex[:6]}"
            frame, columns = _storable(layer)
            txn.write_table(table, frame)
            rejected_table, rejected_columns = None, None
            if rejected is not None and len(rejected):
                rejected_table = f"rejected_{kind}_v{version}_{uuid.uuid4().hex[:6]}"
                frame, rejected_columns = _storable(rejected)
                txn.write_table(rejected_table, frame)
            entry["versions"].append({
                "version": version, "table": table, "rejected_table": rejected_table, "created": _now(),
                "source": source, "summary": summary, "rows": int(len(layer)),
                "rejected": int(0 if rejected is None else len(rejected)), "user": user,
                "columns": columns, "rejected_columns": rejected_columns,
            })
            entry["current"] = version
            txn.doc["log"].append({"at": _now(), "user": user, "action": "add_layer", "kind": kind, "version": version})
            return version

    def layer(self, name: str, kind: str, version: int | None = None, *, user: str | None = None) -> StoredLayer:
        """A layer's current version (or ``version``)."""
        doc = self._doc(name, user)
        entry = doc["layers"].get(kind)
        if entry is None:
            raise StoreError("store.err_no_layer", name=name, kind=kind)
        version = entry["current"] if version is None else int(version)
        v = next((v for v in entry["versions"] if v["version"] == version), None)
        if v is None:
            raise StoreError("store.err_no_version", name=name, kind=kind, version=version)
        layer = _restored(self.backend.read_table(name, v["table"]), v["columns"])
        rejected = (_restored(self.backend.read_table(name, v["rejected_table"]), v["rejected_columns"])
                    if v.get("rejected_table") else pd.DataFrame())
        return StoredLayer(kind, version, layer, pd.DataFrame(rejected), v["summary"], v["source"], v["created"],
                           v.get("user"), doc["name"])

    def layers(self, name: str, *, user: str | None = None) -> dict[str, StoredLayer]:
        """Every layer's current version, by kind."""
        return {kind: self.layer(name, kind, user=user) for kind in self._doc(name, user)["layers"]}

    def versions(self, name: str, kind: str, *, user: str | None = None) -> pd.DataFrame:
        """A layer's version history: version, created, source, rows, rejected, user, current."""
        entry = self._doc(name, user)["layers"].get(kind)
        if entry is None:
            raise StoreError("store.err_no_layer", name=name, kind=kind)
        rows = [{k: v[k] for k in ("version", "created", "source", "rows", "rejected", "user")} for v in entry["versions"]]
        frame = pd.DataFrame(rows)
        frame["current"] = frame["version"] == entry["current"]
        return frame

    def restore_version(self, name: str, kind: str, version: int, *, user: str | None = None) -> int:
        """Make an old version current again, as a new version (the history keeps every step)."""
        old = self.layer(name, kind, version, user=user)
        return self._add_version(name, kind, old.layer, old.rejected, old.summaries, old.source, user)

    def delete_layer(self, name: str, kind: str, *, user: str | None = None) -> None:
        """Move a layer (with all its versions) to the workspace's trash."""
        with self._writing(name, user) as txn:
            entry = txn.doc["layers"].pop(kind, None)
            if entry is None:
                raise StoreError("store.err_no_layer", name=name, kind=kind)
            txn.doc["trash"].append({"id": uuid.uuid4().hex[:8], "type": "layer", "key": kind, "deleted": _now(),
                                     "user": user, "entry": entry})

    def restore_item(self, name: str, item_id: str, *, user: str | None = None) -> None:
        """Bring a deleted layer or scenario back from the workspace's trash."""
        with self._writing(name, user) as txn:
            item = next((i for i in txn.doc["trash"] if i["id"] == item_id), None)
            if item is None:
                raise StoreError("store.err_missing", name=item_id)
            place = txn.doc["layers" if item["type"] == "layer" else "scenarios"]
            if item["key"] in place:
                raise StoreError("store.err_exists", name=item["key"])
            place[item["key"]] = item["entry"]
            txn.doc["trash"].remove(item)

    # --- targets, OSM file, views ----------------------------------------------------------------
    def set_targets(self, name: str, text: str, source: str, *, user: str | None = None) -> None:
        """Keep a targets file (TOML text) with the workspace."""
        with self._writing(name, user) as txn:
            txn.doc["targets"] = {"text": text, "source": source, "created": _now()}

    def targets(self, name: str, *, user: str | None = None) -> str | None:
        """The workspace's targets file text, or None."""
        t = self._doc(name, user).get("targets")
        return None if t is None else t["text"]

    def set_osm(self, name: str, path: str | Path | None, *, user: str | None = None) -> None:
        """Refer to an OSM file (the file itself stays where it is)."""
        with self._writing(name, user) as txn:
            txn.doc["osm"] = None if path is None else str(Path(path).resolve())

    def set_view(self, name: str, view: dict, *, user: str | None = None) -> None:
        """Remember what ``user`` was looking at (area, indicator …); readers may keep their own view."""
        self._doc(name, user)
        with self.backend.writing(name) as txn:
            txn.doc["views"][user or ""] = dict(view)

    def view(self, name: str, *, user: str | None = None) -> dict:
        """``user``'s last view of the workspace ({} if none)."""
        return dict(self._doc(name, user)["views"].get(user or "", {}))

    # --- scenarios ---------------------------------------------------------------------------------
    def save_scenario(self, name: str, scenario: str, planned: dict[str, pd.DataFrame], *,
                      user: str | None = None) -> int:
        """Store planned facilities (by layer kind) as the scenario's new version; returns the version."""
        scenario = valid_name(scenario)
        with self._writing(name, user) as txn:
            entry = txn.doc["scenarios"].setdefault(scenario, {"current": 0, "versions": [], "key": uuid.uuid4().hex[:8]})
            version = max([v["version"] for v in entry["versions"]], default=0) + 1
            tables, columns = {}, {}
            for kind, frame in planned.items():
                if frame is None or not len(frame):
                    continue
                tables[kind] = f"scenario_{entry['key']}_{kind}_v{version}_{uuid.uuid4().hex[:6]}"
                stored, columns[kind] = _storable(frame)
                txn.write_table(tables[kind], stored)
            entry["versions"].append({"version": version, "tables": tables, "created": _now(), "user": user,
                                      "columns": columns})
            entry["current"] = version
            return version

    def scenario(self, name: str, scenario: str, *, user: str | None = None) -> dict[str, pd.DataFrame]:
        """A scenario's planned facilities by layer kind (current version)."""
        entry = self._doc(name, user)["scenarios"].get(scenario)
        if entry is None:
            raise StoreError("store.err_no_scenario", name=name, scenario=scenario)
        v = next(v for v in entry["versions"] if v["version"] == entry["current"])
        return {k: _restored(self.backend.read_table(name, table), v["columns"][k]) for k, table in v["tables"].items()}

    def delete_scenario(self, name: str, scenario: str, *, user: str | None = None) -> None:
        """Move a scenario to the workspace's trash."""
        with self._writing(name, user) as txn:
            entry = txn.doc["scenarios"].pop(scenario, None)
            if entry is None:
                raise StoreError("store.err_no_scenario", name=name, scenario=scenario)
            txn.doc["trash"].append({"id": uuid.uuid4().hex[:8], "type": "scenario", "key": scenario,
                                     "deleted": _now(), "user": user, "entry": entry})

    # --- portable copies ---------------------------------------------------------------------------
    def export(self, name: str, out: str | Path, *, user: str | None = None) -> Path:
        """Write the workspace as a portable folder (``workspace.json`` + ``tables.gpkg``), or a zip of it."""
        doc = self._doc(name, user)
        out = Path(out)
        folder = Path(tempfile.mkdtemp(prefix="sxgeo-export-")) if out.suffix.lower() == ".zip" else out
        folder.mkdir(parents=True, exist_ok=True)
        for table in _tables_of(doc):
            frame = self.backend.read_table(name, table)
            if isinstance(frame, gpd.GeoDataFrame):
                frame.to_file(folder / "tables.gpkg", layer=table, driver="GPKG", engine="pyogrio")
            else:
                pyogrio.write_dataframe(frame, folder / "tables.gpkg", layer=table, driver="GPKG")
        (folder / "workspace.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        if folder is not out:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in folder.iterdir():
                    zf.write(f, f.name)
            shutil.rmtree(folder, ignore_errors=True)
        return out

    def import_(self, path: str | Path, name: str | None = None, *, owner: str | None = None) -> str:
        """Create a workspace from an exported folder or zip (under its own name unless ``name`` is given)."""
        path = Path(path)
        folder = path
        if path.suffix.lower() == ".zip":
            folder = Path(tempfile.mkdtemp(prefix="sxgeo-import-"))
            with zipfile.ZipFile(path) as zf:
                for member in zf.namelist():
                    if Path(member).name != member or member not in ("workspace.json", "tables.gpkg"):
                        raise StoreError("store.err_import", file=path.name, problem=member)
                zf.extractall(folder)
        try:
            doc = json.loads((folder / "workspace.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError("store.err_import", file=path.name, problem=str(exc)[:200]) from None
        target = valid_name(name or doc["name"])
        doc.update(name=target, id=uuid.uuid4().hex[:12], owner=owner if owner is not None else doc.get("owner"))
        self.backend.create(target, {**doc, "layers": {}, "scenarios": {}, "trash": []})
        with self.backend.writing(target) as txn:
            for table in _tables_of(doc):
                info = pyogrio.read_info(folder / "tables.gpkg", layer=table)
                frame = (gpd.read_file(folder / "tables.gpkg", layer=table, engine="pyogrio") if info.get("geometry_type")
                         else pyogrio.read_dataframe(folder / "tables.gpkg", layer=table, read_geometry=False))
                txn.write_table(table, frame)
            txn.doc.update(layers=doc["layers"], scenarios=doc["scenarios"], trash=doc.get("trash", []))
        return target

    # --- helpers -----------------------------------------------------------------------------------
    def _doc(self, name: str, user: str | None) -> dict:
        if not self.backend.exists(name):
            raise StoreError("store.err_missing", name=name)
        doc = self.backend.read_doc(name)
        if not self._allowed(doc, user, write=False):
            raise StoreError("store.err_forbidden", name=name, user=user)
        return doc

    def _writing(self, name: str, user: str | None):
        doc = self._doc(name, user)
        if not self._allowed(doc, user, write=True):
            raise StoreError("store.err_read_only", name=name, user=user)
        return self.backend.writing(name)

    @staticmethod
    def _allowed(doc: dict, user: str | None, *, write: bool) -> bool:
        if user is None or doc.get("owner") in (None, user):
            return True
        if user in doc.get("editors", []):
            return True
        return not write and user in doc.get("readers", [])


def _tables_of(doc: dict) -> list[str]:
    """Every table the document refers to: layer versions, their rejected rows, scenarios, and those in the trash."""
    out: list[str] = []

    def layer_entry(entry):
        for v in entry["versions"]:
            out.extend(t for t in (v.get("table"), v.get("rejected_table")) if t)

    def scenario_entry(entry):
        for v in entry["versions"]:
            out.extend(v["tables"].values())

    for entry in doc["layers"].values():
        layer_entry(entry)
    for entry in doc["scenarios"].values():
        scenario_entry(entry)
    for item in doc.get("trash", []):
        (layer_entry if item["type"] == "layer" else scenario_entry)(item["entry"])
    return list(dict.fromkeys(out))


def _storable(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[list[str]]]:
    """A table any backend stores as it is, and how to undo it: ``[[original name, dtype], ...]``.

    Columns are stored as ``c0``, ``c1`` …: a user's header (long Chinese
    text, brackets, dots) is kept exactly, whatever a database allows in an
    identifier (PostgreSQL cuts them at 63 bytes).  Nullable and object
    columns are stored as plain values.
    """
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    out = {}
    columns = []
    for i, c in enumerate(col for col in frame.columns if col != geometry):
        col = frame[c]
        dtype = str(col.dtype)
        if dtype in ("boolean", "Int64", "Float64", "string", "str") or col.dtype == object:
            col = col.astype(object).where(col.notna(), None)
            if dtype not in ("boolean", "Int64", "Float64"):
                col = col.map(lambda v: v if v is None or isinstance(v, (str, bool, int, float)) else str(v))
        out[f"c{i}"] = col.to_numpy()
        columns.append([str(c), dtype, bool(frame[c].isna().any())])
    if geometry is not None:
        return gpd.GeoDataFrame(out, geometry=frame.geometry.to_numpy(), crs=frame.crs), columns
    return pd.DataFrame(out, index=range(len(frame))), columns


def _restored(frame: pd.DataFrame, columns: list[list[str]]) -> pd.DataFrame:
    """A stored table under its original column names and types (nullable integers, booleans, text)."""
    out = frame.rename(columns={f"c{i}": spec[0] for i, spec in enumerate(columns)})
    for name, dtype, had_null in columns:
        if name not in out:
            continue
        try:
            if dtype in ("Int64", "boolean", "Float64"):
                out[name] = out[name].astype(dtype)
            elif dtype == "bool":
                out[name] = out[name].astype(bool)
            elif dtype in ("object", "str", "string"):
                col = out[name].astype(object)
                # a backend may read an empty text as null: a column that had no null gets its '' back
                out[name] = col.where(col.notna(), None) if had_null else col.where(col.notna(), "")
        except (TypeError, ValueError):
            pass  # keep what the backend gave
    if isinstance(out, gpd.GeoDataFrame):
        out = out[[spec[0] for spec in columns if spec[0] in out] + [out.geometry.name]]
    return out


def open_store(url: str | None = None, home: str | Path | None = None) -> WorkspaceStore:
    """The store: PostGIS at ``url`` (or ``SXGEO_DATABASE_URL``), else GeoPackages under ``home`` (``SXGEO_HOME``, ``~/.sxgeo``)."""
    url = url or os.environ.get("SXGEO_DATABASE_URL")
    if url:
        from sxgeo.io.store.postgis import PostGISBackend

        return WorkspaceStore(PostGISBackend(url))
    from sxgeo.io.store.gpkg import GeoPackageBackend

    return WorkspaceStore(GeoPackageBackend(home or os.environ.get("SXGEO_HOME") or Path.home() / ".sxgeo"))
