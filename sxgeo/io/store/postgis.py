"""The office-server workspace backend: every workspace in one PostGIS database (``SXGEO_DATABASE_URL``).

The workspace documents (versions, summaries, access, scenarios, views,
trash) live in the table ``sxgeo_workspaces``, one row per workspace, made
on first use.  A workspace's layers and scenarios are tables named after the
document's ``id`` (``ws_<id>_<table>``), so renaming or deleting a workspace
never moves a table.  Geometry is stored as PostGIS geometry in EPSG:4326.

A write is one database transaction: it locks the workspace's row
(``SELECT … FOR UPDATE``), re-reads the document, adds the tables, saves the
document and commits — all or nothing.  Writers to one workspace wait for
each other, so two people adding scenarios at once lose nothing.  A deleted
workspace keeps its row (marked deleted, with a trash id) and its tables.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import re
import threading
import uuid
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from sxgeo.errors import StoreError

__all__ = ["PostGISBackend"]

_DOCS = "sxgeo_workspaces"
_ID = re.compile(r"^[0-9a-f]{1,32}$")
#: Longest table name we make: PostgreSQL cuts identifiers at 63 bytes, and the spatial index is
#: named ``idx_<table>_<geometry column>``.
_MAX_TABLE = 45

# One engine (connection pool) per URL for the whole process; the document table is made once per URL.
_ENGINES: dict[str, sa.Engine] = {}
_READY: set[str] = set()
_LOCK = threading.Lock()

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {_DOCS} (
    id text PRIMARY KEY,
    name text NOT NULL,
    doc json NOT NULL,
    deleted_at timestamptz,
    trash_id text UNIQUE
);
CREATE UNIQUE INDEX IF NOT EXISTS {_DOCS}_live_name ON {_DOCS} (name) WHERE deleted_at IS NULL;
"""
# ``json``, not ``jsonb``: it keeps the document's key order (layers in the order they were added), as the
# GeoPackage backend does.


def _one_line(text: object, secret: str | None = None, limit: int = 300) -> str:
    """A driver's message on one line, without the password."""
    line = " ".join(str(text).split())
    if secret:
        line = line.replace(secret, "***")
    return line[:limit]


class _Txn:
    """One write inside one database transaction: the document to change and the tables to add."""

    def __init__(self, conn: sa.Connection, ws_id: str, doc: dict) -> None:
        self.conn = conn
        self.ws_id = ws_id
        self.doc = doc

    def write_table(self, table: str, frame: pd.DataFrame) -> None:
        """Add a table (a layer with geometry, or plain rows) to the workspace."""
        physical = _physical(self.ws_id, table)
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
            _write_geo(self.conn, physical, frame)
        else:
            pd.DataFrame(frame).to_sql(physical, self.conn, if_exists="replace", index=False)


def _physical(ws_id: str, table: str) -> str:
    """The database table holding a workspace's table (a hashed name when it would be too long)."""
    if not _ID.match(ws_id):
        raise StoreError("store.err_corrupt", file=f"{_DOCS}:{ws_id}", problem="bad workspace id")
    name = f"ws_{ws_id}_{table}"
    if len(name.encode("utf-8")) > _MAX_TABLE or not re.fullmatch(r"[a-z0-9_]+", table):
        name = f"ws_{ws_id}_t{hashlib.sha1(table.encode('utf-8')).hexdigest()[:24]}"
    return name


def _write_geo(conn: sa.Connection, physical: str, frame: gpd.GeoDataFrame) -> None:
    """Write a GeoDataFrame as a PostGIS table in EPSG:4326 (rows without a geometry keep a NULL)."""
    gdf = frame.set_crs(4326) if frame.crs is None else frame.to_crs(4326)
    if len(gdf) and gdf.geometry.notna().any():
        gdf.to_postgis(physical, conn, if_exists="replace", index=False)
        return
    # No geometry at all: to_postgis cannot tell the type, so the column is a generic geometry.
    from geoalchemy2 import Geometry

    plain = pd.DataFrame(gdf).astype({gdf.geometry.name: object})
    plain[gdf.geometry.name] = None
    plain.to_sql(physical, conn, if_exists="replace", index=False,
                 dtype={gdf.geometry.name: Geometry("GEOMETRY", srid=4326)})


class PostGISBackend:
    """Workspaces in a PostGIS database at ``url`` (SQLAlchemy form, e.g. ``postgresql://user:pw@host/db``)."""

    kind = "postgis"

    def __init__(self, url: str) -> None:
        try:
            self.url = sa.make_url(url)
        except (sa_exc.ArgumentError, ValueError) as exc:
            raise StoreError("store.err_database", host="SXGEO_DATABASE_URL",
                             reason=_one_line(exc, secret=str(url))) from None
        if self.url.drivername in ("postgresql", "postgres"):
            self.url = self.url.set(drivername="postgresql+psycopg")  # the driver sxgeo installs
        self.host = f"{self.url.host or 'localhost'}:{self.url.port or 5432}/{self.url.database or ''}"
        if self.url.get_backend_name() != "postgresql":
            raise StoreError("store.err_database", host=self.host,
                             reason=f"not a PostgreSQL URL ({self.url.drivername})")
        try:
            self.engine = self._engine()
        except (sa_exc.ArgumentError, ImportError) as exc:  # a driver that is not installed
            raise StoreError("store.err_database", host=self.host,
                             reason=_one_line(exc, secret=self.url.password)) from None
        self._ensure_schema()

    # --- connection -----------------------------------------------------------------------------
    def _engine(self) -> sa.Engine:
        key = self.url.render_as_string(hide_password=False)
        with _LOCK:
            engine = _ENGINES.get(key)
            if engine is None:
                connect_args = {} if "connect_timeout" in self.url.query else {"connect_timeout": 10}
                engine = sa.create_engine(self.url, pool_pre_ping=True, connect_args=connect_args)
                _ENGINES[key] = engine
            return engine

    def _error(self, exc: BaseException) -> StoreError:
        reason = getattr(exc, "orig", None) or exc
        return StoreError("store.err_database", host=self.host, reason=_one_line(reason, secret=self.url.password))

    @contextlib.contextmanager
    def _connect(self, *, write: bool) -> Iterator[sa.Connection]:
        """A connection in a transaction (committed at the end when ``write``); database failures as StoreError."""
        try:
            with self.engine.begin() if write else self.engine.connect() as conn:
                yield conn
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
            raise self._error(exc) from None

    def _ensure_schema(self) -> None:
        key = self.url.render_as_string(hide_password=False)
        if key in _READY:
            return
        with self._connect(write=True) as conn:
            has_postgis = conn.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first()
        if not has_postgis:
            try:
                with self._connect(write=True) as conn:
                    conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
            except sa_exc.DBAPIError as exc:
                raise StoreError("store.err_database", host=self.host,
                                 reason="PostGIS: " + _one_line(exc.orig, secret=self.url.password)) from None
        with self._connect(write=True) as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": _DOCS})
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(sa.text(statement))
        _READY.add(key)

    def location(self, name: str | None = None) -> str:
        """Where a workspace (or the store) lives, for messages (never with the password)."""
        user = f"{self.url.username}@" if self.url.username else ""
        base = f"postgresql://{user}{self.host}"
        return f"{base} ({name})" if name else base

    # --- reading ------------------------------------------------------------------------------
    def _row(self, conn: sa.Connection, name: str, *, lock: bool = False):
        sql = f"SELECT id, doc FROM {_DOCS} WHERE name = :name AND deleted_at IS NULL" + (" FOR UPDATE" if lock else "")
        return conn.execute(sa.text(sql), {"name": name}).first()

    def names(self) -> list[str]:
        """The workspaces (not in the trash), by name."""
        with self._connect(write=False) as conn:
            rows = conn.execute(sa.text(f"SELECT name FROM {_DOCS} WHERE deleted_at IS NULL")).scalars().all()
        return sorted(rows)

    def exists(self, name: str) -> bool:
        """Whether a workspace of that name exists (not in the trash)."""
        with self._connect(write=False) as conn:
            return self._row(conn, name) is not None

    def read_doc(self, name: str) -> dict:
        """The workspace's document."""
        with self._connect(write=False) as conn:
            row = self._row(conn, name)
        if row is None:
            raise StoreError("store.err_missing", name=name)
        return _loaded(row.doc)

    def read_table(self, name: str, table: str) -> pd.DataFrame:
        """A stored table (a GeoDataFrame in EPSG:4326 when it has geometry)."""
        with self._connect(write=False) as conn:
            row = self._row(conn, name)
            if row is None:
                raise StoreError("store.err_missing", name=name)
            physical = _physical(row.id, table)
            try:
                geom = conn.execute(sa.text(
                    "SELECT f_geometry_column, srid FROM geometry_columns "
                    "WHERE f_table_schema = current_schema() AND f_table_name = :t"), {"t": physical}).first()
                sql = sa.text(f"SELECT * FROM {conn.dialect.identifier_preparer.quote(physical)}")
                if geom is not None:
                    srid = geom.srid if geom.srid and geom.srid > 0 else 4326
                    frame = gpd.read_postgis(sql, conn, geom_col=geom.f_geometry_column, crs=srid)
                    return frame if frame.crs is not None and frame.crs.to_epsg() == 4326 else frame.to_crs(4326)
                return pd.read_sql(sql, conn)
            except sa_exc.ProgrammingError as exc:
                raise StoreError("store.err_corrupt", file=f"{self.location(name)} {table}",
                                 problem=_one_line(exc.orig, secret=self.url.password, limit=200)) from None

    # --- writing ------------------------------------------------------------------------------
    def create(self, name: str, doc: dict) -> None:
        """A new workspace with its document (an existing name is an error)."""
        try:
            with self._connect(write=True) as conn:
                if self._row(conn, name) is not None:
                    raise StoreError("store.err_exists", name=name)
                conn.execute(sa.text(f"INSERT INTO {_DOCS} (id, name, doc) VALUES (:id, :name, CAST(:doc AS json))"),
                             {"id": doc["id"], "name": name, "doc": _dumped(doc)})
        except sa_exc.IntegrityError:  # created by someone else at the same moment
            raise StoreError("store.err_exists", name=name) from None

    @contextlib.contextmanager
    def writing(self, name: str) -> Iterator[_Txn]:
        """Change a workspace in one transaction: yields its ``doc`` and ``write_table``; all or nothing."""
        with self._connect(write=True) as conn:
            row = self._row(conn, name, lock=True)  # waits for other writers, then reads their document
            if row is None:
                raise StoreError("store.err_missing", name=name)
            txn = _Txn(conn, row.id, _loaded(row.doc))
            yield txn
            conn.execute(sa.text(f"UPDATE {_DOCS} SET doc = CAST(:doc AS json) WHERE id = :id"),
                         {"doc": _dumped(txn.doc), "id": row.id})

    def rename(self, name: str, new: str) -> None:
        """Rename a workspace (its document is updated by the caller; its tables stay)."""
        try:
            with self._connect(write=True) as conn:
                row = self._row(conn, name, lock=True)
                if row is None:
                    raise StoreError("store.err_missing", name=name)
                if self._row(conn, new) is not None:
                    raise StoreError("store.err_exists", name=new)
                conn.execute(sa.text(f"UPDATE {_DOCS} SET name = :new WHERE id = :id"), {"new": new, "id": row.id})
        except sa_exc.IntegrityError:
            raise StoreError("store.err_exists", name=new) from None

    def to_trash(self, name: str) -> str:
        """Move a workspace to the trash (its tables stay); returns its trash id."""
        with self._connect(write=True) as conn:
            row = self._row(conn, name, lock=True)
            if row is None:
                raise StoreError("store.err_missing", name=name)
            now = _dt.datetime.now().astimezone()
            trash_id = f"{name}@{now:%Y%m%d-%H%M%S}@{uuid.uuid4().hex[:6]}"  # '@' never occurs in a name
            conn.execute(sa.text(f"UPDATE {_DOCS} SET deleted_at = :now, trash_id = :t WHERE id = :id"),
                         {"now": now, "t": trash_id, "id": row.id})
            return trash_id

    def trash(self) -> list[dict]:
        """The deleted workspaces: ``id``, ``name``, ``deleted`` (text)."""
        with self._connect(write=False) as conn:
            rows = conn.execute(sa.text(
                f"SELECT trash_id, name, deleted_at FROM {_DOCS} WHERE deleted_at IS NOT NULL")).all()
        return [{"id": r.trash_id, "name": r.name, "deleted": f"{r.deleted_at.astimezone():%Y%m%d-%H%M%S}"}
                for r in sorted(rows, key=lambda r: r.trash_id)]

    def restore(self, trash_id: str, name: str) -> None:
        """Bring a workspace back from the trash under ``name``."""
        try:
            with self._connect(write=True) as conn:
                row = conn.execute(sa.text(f"SELECT id FROM {_DOCS} WHERE trash_id = :t FOR UPDATE"),
                                   {"t": trash_id}).first()
                if row is None:
                    raise StoreError("store.err_missing", name=trash_id)
                if self._row(conn, name) is not None:
                    raise StoreError("store.err_exists", name=name)
                conn.execute(sa.text(f"UPDATE {_DOCS} SET name = :name, deleted_at = NULL, trash_id = NULL "
                                     "WHERE id = :id"), {"name": name, "id": row.id})
        except sa_exc.IntegrityError:
            raise StoreError("store.err_exists", name=name) from None


def _dumped(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False)


def _loaded(value: object) -> dict:
    """The document as the driver gives it (already parsed, or text)."""
    return json.loads(value) if isinstance(value, (str, bytes)) else dict(value)
