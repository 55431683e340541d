"""Tests that need an outside service (Redis, a browser) skip locally but fail on CI.

A skipped test on CI hides a broken pipeline, so with ``CI=true`` a missing service is an error.
"""

import atexit
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_service(name: str, reachable: bool, *, hint: str = "") -> None:
    """Skip the calling test when ``name`` is not reachable, or fail it when running on CI."""
    if reachable:
        return
    reason = f"{name} is not available" + (f" ({hint})" if hint else "")
    if on_ci():
        pytest.fail(f"{reason}; CI=true requires it, so this test fails instead of being skipped", pytrace=False)
    pytest.skip(reason)


def tcp_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_url() -> str:
    """The Redis the tests use: ``REDIS_URL``, else the conventional local one."""
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def redis_reachable(url: str | None = None) -> bool:
    parsed = urlparse(url or redis_url())
    return tcp_reachable(parsed.hostname or "127.0.0.1", parsed.port or 6379)


# --- running ``pomoc`` as a real process (serve, browser tests) -----------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pomoc_env(data_dir, **extra: str) -> dict:
    """The environment of a production-like ``pomoc`` process on a fresh SQLite data directory.

    The test run's own database, Redis and inline task backend are left out on purpose: the
    process gets the defaults a laptop install gets (SQLite, in-memory channel layer, database
    task queue).
    """
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "POMOC_TASKS_BACKEND", "POMOC_TEST_DB_NAME",
                          "POMOC_TESTING", "EMAIL_BACKEND", "SECRET_KEY"}}
    env.update({"DJANGO_SETTINGS_MODULE": "pomoc.settings", "POMOC_DATA_DIR": str(data_dir),
                "PYTHONUNBUFFERED": "1", **extra})
    return env


# What a test's environment may set that no migration reads: a migrated copy serves them all.
_NOT_IN_THE_DATABASE = {
    "POMOC_DATA_DIR", "PYTEST_CURRENT_TEST", "POMOC_BASE_URL", "REDIS_URL", "EMAIL_HOST", "EMAIL_PORT",
    "DEFAULT_FROM_EMAIL", "POMOC_TIME_TRACKING_HEARTBEAT_SECONDS", "POMOC_SCHEDULER", "POMOC_SCHEDULER_TICK",
    "POMOC_LOGIN_RATE_LIMIT", "TRUSTED_PROXIES", "POMOC_LOG_TASKS", "POMOC_SIGN_IN_NOTICE"}
_WHOLE_MIGRATE = {"--verbosity", "-v", "0", "1", "--no-input", "--noinput"}  # options only: every app, to the end
_TEMPLATES: dict[tuple, Path] = {}  # (commands so far, environment) → a data directory in that state
# a data directory made from a template → (its commands, its database's stat then)
_COPIES: dict[Path, tuple[tuple, tuple]] = {}


def _database_stat(data_dir: Path) -> tuple:
    files = [data_dir / name for name in ("pomoc.sqlite3", "pomoc.sqlite3-wal")]
    return tuple((f.stat().st_size, f.stat().st_mtime_ns) if f.exists() else None for f in files)


def _cacheable(args: tuple[str, ...], env: dict) -> tuple | None:
    """The commands a data directory went through, this one included, when ``args`` is one whose
    outcome is the same every time: ``migrate`` into a new SQLite data directory, or a seeded ``demo``
    right after such a migrate (or demo). None otherwise."""
    data_dir = Path(env.get("POMOC_DATA_DIR", ""))
    if env.get("DATABASE_URL") or not env.get("POMOC_DATA_DIR"):
        return None
    if args[:1] == ("migrate",) and set(args[1:]) <= _WHOLE_MIGRATE and not (data_dir / "pomoc.sqlite3").exists():
        return (("migrate",),)
    if args[:1] == ("demo",) and "--seed" in args:
        history, stat = _COPIES.get(data_dir, ((), None))
        if history and stat == _database_stat(data_dir):  # nothing else ran on it since
            return (*history, args)
    return None


def _templated(args: tuple[str, ...], env: dict, timeout: float) -> subprocess.CompletedProcess | None:
    """``migrate`` and a seeded ``demo`` into a fresh SQLite data directory, as a copy of one this test
    process brought into the same state with the same environment (once: migrating from scratch takes
    twenty seconds, and the demo data as long again, and most modules that run ``pomoc serve`` begin
    with both). None when this call is not such a command."""
    history = _cacheable(args, env)
    if history is None:
        return None
    data_dir = Path(env["POMOC_DATA_DIR"])
    ignored = _NOT_IN_THE_DATABASE if history == (("migrate",),) else {"POMOC_DATA_DIR", "PYTEST_CURRENT_TEST"}
    key = (history, frozenset((name, value) for name, value in env.items() if name not in ignored))
    template = _TEMPLATES.get(key)
    if template is None:
        template = Path(tempfile.mkdtemp(prefix="pomoc-template-"))
        atexit.register(shutil.rmtree, template, ignore_errors=True)
        if len(history) > 1:  # from the state before this command
            shutil.copytree(data_dir, template, dirs_exist_ok=True)
        _run(args, {**env, "POMOC_DATA_DIR": str(template)}, timeout=max(timeout, 600))
        _TEMPLATES[key] = template
    shutil.copytree(template, data_dir, dirs_exist_ok=True)
    _COPIES[data_dir] = (history, _database_stat(data_dir))
    return subprocess.CompletedProcess(["pomoc", *args], 0, stdout="", stderr="")


def pomoc(*args: str, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run one ``pomoc`` management command; fail the test with its output when it fails.

    ``migrate`` into a new SQLite data directory, and a seeded ``demo`` after it, copy a data
    directory this process brought into that state before."""
    return _templated(args, env, timeout) or _run(args, env, timeout=timeout)


def _run(args, env: dict, *, timeout: float) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "pomoc.cli", *args], env=env, capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        pytest.fail(f"pomoc {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def child_pids(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


class PomocServer:
    """``pomoc serve`` on a free port, started and stopped around a test."""

    def __init__(self, data_dir, *args: str, env: dict | None = None, own_session: bool = False):
        self.data_dir = Path(data_dir)
        self.own_session = own_session  # kill() then takes the worker child down with the server
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # links in the mail it sends (survey answers, password resets) point at this server
        self.env = {"POMOC_BASE_URL": self.url, **(env or pomoc_env(data_dir))}
        self.args = args
        self.log_path = self.data_dir / "serve.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "PomocServer":
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "pomoc.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.args],
            env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=self.own_session,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"pomoc serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except (OSError, http.client.HTTPException):  # not up yet, or another server took the port
                pass
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"pomoc serve did not answer /healthz within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 40) -> int:
        """SIGTERM, as a service manager would send it; returns the exit status."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would (its whole session when started in one)."""
        if self.process is None or self.process.poll() is not None:
            return
        if self.own_session:
            os.killpg(self.process.pid, signal.SIGKILL)
        else:
            self.process.kill()
        self.process.wait()

    def __enter__(self) -> "PomocServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
