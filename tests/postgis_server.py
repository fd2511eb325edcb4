"""A throw-away PostgreSQL + PostGIS server for the tests, from Debian's packages (``make database``).

:func:`postgis_server` runs ``initdb`` in a temporary folder, starts the server with ``pg_ctl`` on a free
loopback port (TCP on 127.0.0.1 only, password authentication), creates a database with the
``postgis`` extension and yields its SQLAlchemy URL; the server is stopped and the folder removed at
the end.  PostgreSQL refuses to run as root, so as root the server runs as Debian's ``postgres`` user
(``runuser``).  Anything missing is a :class:`Unavailable` with the reason, which the fixture turns
into a skip.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

INSTALL_HINT = "install it with `make database` (as root) or `apt-get install postgresql postgresql-postgis`"


class Unavailable(RuntimeError):
    """The test database cannot be run here (the message says why)."""


def _version(path: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", path)[:1]) or (0,)


def find_bin() -> Path:
    """The newest PostgreSQL ``bin`` folder whose version also has the PostGIS extension."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version, reverse=True)
    if not bins:
        raise Unavailable(f"PostgreSQL's initdb is not installed (/usr/lib/postgresql/*/bin/initdb); {INSTALL_HINT}")
    for initdb in bins:
        version = Path(initdb).parent.parent.name
        if Path(f"/usr/share/postgresql/{version}/extension/postgis.control").is_file():
            return Path(initdb).parent
    raise Unavailable(f"the PostGIS extension is not installed for PostgreSQL "
                      f"{', '.join(Path(b).parent.parent.name for b in bins)}; {INSTALL_HINT}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgis_server(user: str = "sxgeo", database: str = "sxgeo_test") -> Iterator[str]:
    """Run a PostGIS server and yield the URL of a fresh database on it (``postgresql+psycopg://…``)."""
    bindir = find_bin()
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    owner = None
    if as_root:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("running as root and there is no `postgres` user to run the server as; "
                              + INSTALL_HINT) from None
        if not shutil.which("runuser"):
            raise Unavailable("running as root and `runuser` (util-linux) is missing to run the server as postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="sxgeo-pg-"))
    data, sockets, log, pwfile = root / "data", root / "sock", root / "server.log", root / "pw"
    password = secrets.token_hex(16)
    sockets.mkdir()
    pwfile.write_text(password + "\n")
    if owner is not None:
        for p in (root, sockets, pwfile):
            os.chown(p, owner.pw_uid, owner.pw_gid)
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([*prefix, *args], cwd=root, env=env, capture_output=True, text=True, timeout=120)
        if check and proc.returncode:
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            raise Unavailable(f"`{' '.join(args[:2])}` failed ({proc.returncode}): "
                              f"{(proc.stderr or proc.stdout).strip()[-1500:]} {tail}")
        return proc

    started = False
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", user, f"--pwfile={pwfile}", "--auth-local=trust",
            "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        for attempt in range(3):
            port = free_port()
            options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off")
            proc = run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60",
                       "start", check=attempt == 2)
            if proc.returncode == 0:
                started = True
                break
        psql = [str(bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(sockets), "-p", str(port), "-U", user]
        run(*psql, "-d", "postgres", "-c", f'CREATE DATABASE "{database}"')
        run(*psql, "-d", database, "-c", "CREATE EXTENSION postgis")
        yield f"postgresql+psycopg://{user}:{password}@127.0.0.1:{port}/{database}"
    finally:
        if started:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)
