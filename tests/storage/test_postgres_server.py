"""The test run's PostgreSQL server starts, answers and is private to the run."""

from __future__ import annotations

import psycopg


def test_the_server_answers_on_its_socket_only(postgres_dsn: str) -> None:
    with psycopg.connect(postgres_dsn) as con:
        version = con.execute("SHOW server_version").fetchone()[0]
        listen = con.execute("SHOW listen_addresses").fetchone()[0]
    assert int(version.split(".")[0]) >= 13
    assert listen == ""
