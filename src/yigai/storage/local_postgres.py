"""A private PostgreSQL server in a directory: for the test suite, the benchmarks and trials.

Uses the distribution's binaries (Debian's ``postgresql`` package): ``initdb`` in the given
directory, a Unix socket there only (no TCP port, so nothing outside the machine can reach it),
trust authentication for the one local user, durability settings relaxed because the data is
thrown away. As root the server runs as the ``postgres`` system user, since PostgreSQL refuses
to run as root. Not for production: docs/deploy.md describes a real server.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCAL_USER = "yigai"


def postgres_bin() -> Path | None:
    """The directory holding initdb and pg_ctl, newest version first; None when not installed."""
    found = shutil.which("pg_ctl")
    if found and (Path(found).resolve().parent / "initdb").exists():
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(versions[0]).parent if versions else None


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def running_postgres(base: Path, bindir: Path, *, max_connections: int = 100) -> Iterator[str]:
    """Start a server under ``base`` (an empty top-level folder, e.g. from mkdtemp); yields a libpq DSN."""
    data, sock = base / "data", base / "socket"
    sock.mkdir(parents=True)
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        for path in (base, sock):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    subprocess.run(
        _as_server_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                LOCAL_USER,
                "-E",
                "UTF8",
                "--locale=C",
                "--auth=trust",
                "-N",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-k {sock} -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off "
        f"-c shared_buffers=128MB -c work_mem=64MB -c max_connections={max_connections}"
    )
    subprocess.run(
        _as_server_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "-l",
                str(base / "server.log"),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"host={sock} user={LOCAL_USER} dbname=postgres"
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
        )


def sqlalchemy_url(dsn: str, dbname: str) -> str:
    """SQLAlchemy URL of database ``dbname`` on the server of a ``host=/socket user=…`` DSN."""
    parts = dict(p.split("=", 1) for p in dsn.split())
    return f"postgresql+psycopg://{parts['user']}@/{dbname}?host={parts['host']}"


def create_database(dsn: str, name: str, template: str | None = None) -> str:
    """CREATE DATABASE (optionally as a copy of ``template``); returns its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return sqlalchemy_url(dsn, name)
