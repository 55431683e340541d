"""A real ``pomoc serve`` on a database of its own, for the MTA pipe's tests and its documented set-up.

The database is of the kind the test run uses: a fresh PostgreSQL database on the run's server when
``DATABASE_URL`` names one (dropped afterwards), else an SQLite file in the data directory. """

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pomoc.testing.services import pomoc, pomoc_env

POMOC = str(Path(sys.executable).with_name("pomoc"))
PIPE_VARIABLES = ("POMOC_MAIL_PIPE_URL", "POMOC_MAIL_PIPE_TOKEN", "POMOC_MAIL_PIPE_TOKEN_FILE")


class PipeDatabase:
    def __init__(self, data_dir: Path, label: str):
        self.data_dir = data_dir
        run_url = os.environ.get("DATABASE_URL", "")
        self.postgres = run_url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parts = urlsplit(run_url)
            self.name = f"{os.environ.get('POMOC_TEST_DB_NAME') or 'test'}_{label}_{os.getpid()}"
            self.server_url = f"{parts.scheme}://{parts.netloc}"
            self.url = f"{self.server_url}/{self.name}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', f'CREATE DATABASE "{self.name}"')
        else:
            self.url = f"sqlite:///{data_dir / 'pomoc.sqlite3'}"
        self.env = {key: value for key, value in pomoc_env(data_dir, DATABASE_URL=self.url).items()
                    if key not in PIPE_VARIABLES}
        pomoc("migrate", "-v0", env=self.env)

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def rows(self, sql: str) -> list[tuple]:
        """Rows of one query (no parameters: the tests' values are their own)."""
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as connection:
                return connection.execute(sql).fetchall()
        with sqlite3.connect(self.data_dir / "pomoc.sqlite3", timeout=20) as connection:
            return connection.execute(sql).fetchall()

    @contextlib.contextmanager
    def writes_held(self):
        """No new raw mail can be written until the block ends (readers go on)."""
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as connection:
                connection.execute("LOCK TABLE inboxes_rawmail IN SHARE ROW EXCLUSIVE MODE")
                yield
        else:
            connection = sqlite3.connect(self.data_dir / "pomoc.sqlite3", timeout=20, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                connection.execute("ROLLBACK")
                connection.close()

    def shell(self, code: str) -> str:
        return pomoc("shell", "-c", code, env=self.env).stdout

    def drop(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def pipe(env: dict, raw: bytes, *args: str, command: tuple[str, ...] = (POMOC, "mail", "ingest"),
         timeout: float = 120) -> subprocess.CompletedProcess:
    """One delivery, as an MTA's pipe runs it: a process, the mail on stdin."""
    return subprocess.run([*command, *args], input=raw, env=env, capture_output=True, timeout=timeout)


def wait_for(condition, what: str, timeout: float = 60, log=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}\n{log()}")
