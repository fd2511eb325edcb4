"""The embedded workspace backend: one GeoPackage per workspace, written atomically (a copy, then a rename).

Each workspace is ``<home>/workspaces/<name>.gpkg``: its layers and scenarios
are GeoPackage tables, and its description (versions, summaries, access,
scenarios, views, trash) is one JSON document in the table ``sxgeo_meta``.
A write takes the workspace's lock file, copies the GeoPackage, changes the
copy and renames it over the original; a writer killed half-way leaves the
previous file untouched (and a ``.tmp.gpkg`` copy that the next writer removes).
Deleted workspaces move to ``<home>/trash/``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from sxgeo.errors import StoreError

__all__ = ["GeoPackageBackend"]

_META = "sxgeo_meta"


class _Txn:
    """One write: the document to change and the tables to add, applied to a copy of the GeoPackage."""

    def __init__(self, path: Path, doc: dict) -> None:
        self.path = path
        self.doc = doc

    def write_table(self, table: str, frame: pd.DataFrame) -> None:
        """Add a table (a layer with geometry, or plain rows) under a new name."""
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
            frame.to_file(self.path, layer=table, driver="GPKG", engine="pyogrio")
        else:
            pyogrio.write_dataframe(pd.DataFrame(frame), self.path, layer=table, driver="GPKG")

    def _save_doc(self) -> None:
        with contextlib.closing(sqlite3.connect(self.path)) as con, con:
            con.execute(f"CREATE TABLE IF NOT EXISTS {_META} (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL)")
            con.execute(f"INSERT OR REPLACE INTO {_META} (id, doc) VALUES (1, ?)", (json.dumps(self.doc, ensure_ascii=False),))


class GeoPackageBackend:
    """Workspaces as GeoPackage files under ``home`` (``SXGEO_HOME``, default ``~/.sxgeo``)."""

    kind = "gpkg"

    def __init__(self, home: str | Path) -> None:
        self.home = Path(home).expanduser()
        self.folder = self.home / "workspaces"
        self.trash_folder = self.home / "trash"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.trash_folder.mkdir(parents=True, exist_ok=True)

    def location(self, name: str | None = None) -> str:
        """Where a workspace (or the store) lives, for messages."""
        return str(self._path(name)) if name else str(self.folder)

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.gpkg"

    @contextlib.contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        with open(self.folder / f".{name}.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- reading ------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """The workspaces, by name."""
        return sorted(p.stem for p in self.folder.glob("*.gpkg") if not p.name.startswith("."))

    def exists(self, name: str) -> bool:
        """Whether the workspace exists (not in the trash)."""
        return self._path(name).is_file()

    def read_doc(self, name: str) -> dict:
        """The workspace's document; a file that is no readable sxgeo GeoPackage is a :class:`StoreError`."""
        return _read_doc(self._path(name))

    def read_table(self, name: str, table: str) -> pd.DataFrame:
        """A stored table (a GeoDataFrame when it has geometry)."""
        path = self._path(name)
        try:
            info = pyogrio.read_info(path, layer=table)
            if info.get("geometry_type"):
                return gpd.read_file(path, layer=table, engine="pyogrio")
            return pyogrio.read_dataframe(path, layer=table, read_geometry=False)
        except Exception as exc:  # noqa: BLE001 - any driver error: the file is damaged
            raise StoreError("store.err_corrupt", file=str(path), problem=" ".join(str(exc).split())[:200]) from None

    # --- writing ------------------------------------------------------------------------------
    def create(self, name: str, doc: dict) -> None:
        """A new workspace file with its document (atomic; an existing name is an error)."""
        with self._lock(name):
            path = self._path(name)
            if path.exists():
                raise StoreError("store.err_exists", name=name)
            tmp = self._tmp(name)
            pyogrio.write_dataframe(pd.DataFrame({"workspace": [name]}), tmp, layer="sxgeo_info", driver="GPKG")
            _Txn(tmp, doc)._save_doc()
            self._commit(tmp, path)

    @contextlib.contextmanager
    def writing(self, name: str) -> Iterator[_Txn]:
        """Change a workspace: yields the transaction (its ``doc`` and ``write_table``); all or nothing."""
        with self._lock(name):
            path = self._path(name)
            if not path.exists():
                raise StoreError("store.err_missing", name=name)
            doc = _read_doc(path)  # also refuses a damaged file, which is never overwritten
            self._clean(name)
            tmp = self._tmp(name)
            shutil.copy2(path, tmp)
            txn = _Txn(tmp, doc)
            try:
                yield txn
                txn._save_doc()
                self._commit(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)

    def _tmp(self, name: str) -> Path:
        return self.folder / f".{name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp.gpkg"

    def _clean(self, name: str) -> None:
        """Remove the copies left by writers that were killed (only ever called under the lock)."""
        for stale in self.folder.glob(f".{name}.*.tmp.gpkg"):
            stale.unlink(missing_ok=True)

    def _commit(self, tmp: Path, path: Path) -> None:
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def rename(self, name: str, new: str) -> None:
        """Rename a workspace (its document is updated by the caller)."""
        with self._lock(name), self._lock(new):
            if self._path(new).exists():
                raise StoreError("store.err_exists", name=new)
            os.replace(self._path(name), self._path(new))

    def to_trash(self, name: str) -> str:
        """Move a workspace to the trash; returns its trash id."""
        with self._lock(name):
            trash_id = f"{name}@{time.strftime('%Y%m%d-%H%M%S')}@{uuid.uuid4().hex[:6]}"  # '@' never occurs in a name
            shutil.move(self._path(name), self.trash_folder / f"{trash_id}.gpkg")
            return trash_id

    def trash(self) -> list[dict]:
        """The deleted workspaces: ``id``, ``name``, ``deleted`` (text)."""
        out = []
        for p in sorted(self.trash_folder.glob("*.gpkg")):
            name, stamp, _ = p.stem.split("@")
            out.append({"id": p.stem, "name": name, "deleted": stamp})
        return out

    def restore(self, trash_id: str, name: str) -> None:
        """Bring a workspace back from the trash under ``name``."""
        src = self.trash_folder / f"{trash_id}.gpkg"
        if not src.exists():
            raise StoreError("store.err_missing", name=trash_id)
        with self._lock(name):
            if self._path(name).exists():
                raise StoreError("store.err_exists", name=name)
            shutil.move(src, self._path(name))


def _read_doc(path: Path) -> dict:
    if not path.exists():
        raise StoreError("store.err_missing", name=path.stem)
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("integrity check failed")
            row = con.execute(f"SELECT doc FROM {_META} WHERE id = 1").fetchone()
        if row is None:
            raise sqlite3.DatabaseError("no workspace description")
        return json.loads(row[0])
    except (sqlite3.DatabaseError, json.JSONDecodeError) as exc:
        raise StoreError("store.err_corrupt", file=str(path), problem=str(exc)[:200]) from None
