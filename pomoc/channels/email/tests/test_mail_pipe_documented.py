"""The MTA pipe exactly as the documentation sets it up: the wrapper of docs/email.md, run as it is
written there, against the environment file of docs/install.md (only paths, the database and
Redis are this test's own). A mail is kept; whatever keeps the pipe from running is 75, never a
status that makes the MTA bounce the mail."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from pomoc.core.env import read_env_file
from pomoc.testing.services import PomocServer

from .helpers import mail
from .pipe_server import POMOC, PipeDatabase

DOCS = Path(__file__).resolve().parents[4] / "docs"
DOCUMENTED_POMOC = "/srv/pomoc/.venv/bin/pomoc"
DOCUMENTED_ENV_FILE = "/etc/pomoc/env"


def _block_after(text: str, marker: str, first_line: str = "") -> str:
    """The first fenced block after ``marker`` (whose first line is ``first_line``, if given)."""
    rest = text[text.index(marker):]
    for block in re.findall(r"^```[a-z]*\n(.*?)^```$", rest, flags=re.S | re.M):
        if block.startswith(first_line):
            return block
    raise AssertionError(f"no block after {marker!r}")


def documented_env_file() -> str:
    return _block_after((DOCS / "install.md").read_text(), "Put the configuration in one environment file")


def documented_wrapper() -> str:
    return _block_after((DOCS / "email.md").read_text(), "### A wrapper with the environment", "#!/bin/sh")


def _with_values(env_file: str, values: dict[str, str]) -> str:
    lines = env_file.splitlines()
    for name, value in values.items():
        matching = [index for index, line in enumerate(lines) if line.startswith(f"{name}=")]
        assert len(matching) == 1, f"the documented env file has no single {name} line"
        lines[matching[0]] = f"{name}={value}"
    return "\n".join(lines) + "\n"


def test_the_documented_env_file_reads_alike_in_the_shell_and_in_the_pipe(tmp_path):
    text = documented_env_file()
    path = tmp_path / "env"
    path.write_text(text)
    shell = subprocess.run(["/bin/sh", "-c", f"set -a; . {path}; set +a; env -0"], capture_output=True,
                           env={"PATH": os.environ["PATH"]}, timeout=30)
    assert shell.returncode == 0, shell.stderr
    from_shell = dict(item.split("=", 1) for item in shell.stdout.decode().split("\0") if "=" in item)
    from_pipe = read_env_file(path)
    assert from_pipe["DEFAULT_FROM_EMAIL"] == "Example Support <help@example.com>"
    assert from_pipe["POMOC_DATA_DIR"] == "/srv/pomoc-data"
    assert {name: from_shell.get(name) for name in from_pipe} == from_pipe


@pytest.mark.slow
class TestTheDocumentedWrapper:
    @pytest.fixture(scope="class")
    @classmethod
    def setup(cls, tmp_path_factory):
        root = tmp_path_factory.mktemp("documented")
        database = PipeDatabase(root / "data", "docs")
        secret = root / "secret_key"
        secret.write_text("a-long-random-value-for-this-test-only-" * 2)
        (root / "smtp_password").write_text("unused")
        values = {"DATABASE_URL": database.url, "REDIS_URL": "", "POMOC_DATA_DIR": str(database.data_dir),
                  "SECRET_KEY_FILE": str(secret), "EMAIL_HOST_PASSWORD_FILE": str(root / "smtp_password")}
        env_file = root / "env"
        env_file.write_text(_with_values(documented_env_file(), values))
        yield root, database, env_file
        database.drop()

    @staticmethod
    def _wrapper(root: Path, *, pomoc: str = POMOC, env_file: Path | str) -> Path:
        text = documented_wrapper()
        assert text.count(DOCUMENTED_POMOC) == 1 and text.count(DOCUMENTED_ENV_FILE) == 1
        path = root / f"pomoc-ingest-{abs(hash((pomoc, str(env_file))))}"
        path.write_text(text.replace(DOCUMENTED_POMOC, pomoc).replace(DOCUMENTED_ENV_FILE, str(env_file)))
        path.chmod(0o755)
        return path

    @staticmethod
    def _deliver(wrapper: Path, raw: bytes, *args: str) -> subprocess.CompletedProcess:
        # the almost empty environment an MTA gives its pipe
        return subprocess.run([str(wrapper), *args], input=raw, capture_output=True, timeout=120,
                              env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})

    def test_it_keeps_a_mail_with_the_documented_settings(self, setup):
        root, database, env_file = setup
        done = self._deliver(self._wrapper(root, env_file=env_file), mail(message_id="<documented-1@example.cz>"))
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["status"] == "stored"
        # the inbox made on first use has the address of DEFAULT_FROM_EMAIL, a value with spaces
        assert database.rows("SELECT name, address FROM inboxes_inbox") == [("E-mail", "help@example.com")]

    def test_it_hands_the_mail_to_the_running_pomoc(self, setup):
        root, database, env_file = setup
        settings = read_env_file(env_file)
        server = PomocServer(database.data_dir, env={**database.env, **settings}).start()
        try:
            done = self._deliver(self._wrapper(root, env_file=env_file), mail(message_id="<documented-2@example.cz>"),
                                 "--inbox", "E-mail")
        finally:
            server.stop()
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["status"] == "queued"
        assert database.rows("SELECT status FROM inboxes_rawmail WHERE message_id_header = "
                             "'<documented-2@example.cz>'") == [("pending",)]

    @pytest.mark.parametrize("problem", ["missing env file", "missing secret key file", "database away",
                                         "pomoc not installed there"])
    def test_a_pipe_that_cannot_run_asks_the_mta_to_try_again(self, setup, problem):
        root, database, env_file = setup
        pomoc, path = POMOC, env_file
        if problem == "missing env file":
            path = root / "no-such-env"
        elif problem in ("missing secret key file", "database away"):
            path = root / f"env-{problem.replace(' ', '-')}"
            text = env_file.read_text()
            path.write_text(_with_values(text, {"SECRET_KEY_FILE": str(root / "no-such-key")})
                            if problem == "missing secret key file" else
                            _with_values(text, {"DATABASE_URL": "postgres://pomoc@127.0.0.1:1/pomoc"}))
        else:
            pomoc = str(root / "no-such-venv" / "bin" / "pomoc")
        done = self._deliver(self._wrapper(root, pomoc=pomoc, env_file=path),
                             mail(message_id="<documented-fail@example.cz>"))
        assert done.returncode == 75, (problem, done.stderr)
        assert database.rows("SELECT COUNT(*) FROM inboxes_rawmail WHERE message_id_header = "
                             "'<documented-fail@example.cz>'") == [(0,)]
