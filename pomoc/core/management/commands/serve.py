"""``pomoc serve``: the whole help desk in one command.

Runs uvicorn on the ASGI application (pages, API, static files through whitenoise, websockets),
the scheduler of periodic jobs (``pomoc.core.scheduler``) and, unless told not to, the
django-tasks-db worker as a child process that is restarted when it dies and stopped when the
server stops. Bigger installations run ``pomoc db_worker`` separately
and set ``POMOC_RUN_WORKER_IN_SERVE=false``.
"""

import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from pomoc.core import serving
from pomoc.core.scheduler import Scheduler
from pomoc.core.serving import local_address

logger = logging.getLogger("pomoc.serve")

ASGI_APP = "pomoc.asgi:application"
STOP_TIMEOUT = 30.0  # seconds a worker gets to finish its current task
# `make run` hands `pomoc init`'s sign-in notice (with a new administrator's password) over in this
# variable, to be shown last, below the server's and the worker's start-up lines, where it is seen.
NOTICE_VARIABLE = "POMOC_SIGN_IN_NOTICE"
WORKER_SETTLE = 3.0  # seconds a worker needs to start up and log its first line
MAX_RESTART_DELAY = 30.0


def db_worker_commands() -> list[list[str]]:
    """One ``db_worker`` command line per database task backend, covering all of its queues."""
    from django_tasks_db import DatabaseBackend

    commands = []
    for alias, config in settings.TASKS.items():
        try:
            backend_class = import_string(config["BACKEND"])
        except ImportError:
            continue
        if not (isinstance(backend_class, type) and issubclass(backend_class, DatabaseBackend)):
            continue
        queues = config.get("QUEUES") or ["default"]
        commands.append([
            sys.executable, "-m", "pomoc.cli", "db_worker",
            "--backend", alias, "--queue-name", ",".join(queues), "--no-reload", "--interval", "1",
        ])
    return commands


class WorkerSupervisor:
    """Keeps a child process running until ``stop()``; restarts it with backoff when it dies."""

    def __init__(self, command: list[str], *, should_stop=lambda: False, env: dict | None = None):
        self.command = command
        self.env = env or {}
        self.should_stop = should_stop
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="pomoc-worker-supervisor", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.process = subprocess.Popen(self.command, env={**os.environ, **self.env})  # noqa: S603 - our own argv
            self.started_at = time.monotonic()

    def _stop_requested(self) -> bool:
        return self._stopping.is_set() or self.should_stop()

    def _watch(self) -> None:
        delay = 1.0
        while not self._stopping.wait(0.5):
            process = self.process
            if process is None or process.poll() is None:
                continue
            if self._stop_requested():
                return
            if time.monotonic() - self.started_at > 60:
                delay = 1.0  # it ran fine for a while: start again quickly
            logger.warning("The background worker exited with code %s; restarting in %.0f s.",
                           process.returncode, delay)
            if self._stopping.wait(delay) or self._stop_requested():
                return
            delay = min(delay * 2, MAX_RESTART_DELAY)
            self.restarts += 1
            self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()  # db_worker finishes the task in hand, then exits
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _relay_for_worker(host: str, port: int) -> dict:
    """Without Redis the worker's live updates come back through this process
    (``pomoc.core.realtime_relay``): a token for this run (unless one is configured) and the
    address the worker posts them to. This process itself sends to its own layer."""
    from pomoc.core.realtime_relay import RELAY_PATH

    token = settings.POMOC_REALTIME_RELAY_TOKEN or secrets.token_urlsafe(32)
    settings.POMOC_REALTIME_RELAY_TOKEN = token
    settings.POMOC_REALTIME_RELAY_URL = ""
    return {"POMOC_REALTIME_RELAY_URL": f"http://{local_address(host)}:{port}{RELAY_PATH}",
            "POMOC_REALTIME_RELAY_TOKEN": token}


def _raise_system_exit(signum, frame):
    raise SystemExit(0)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, and translation is only ready at run time
        return _("Run Pomoc: the web server (HTTP and websockets) and the background worker.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("POMOC_HOST", "127.0.0.1"),
                            help=_("Address to listen on (default: %(default)s)."))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")),
                            help=_("Port to listen on (default: %(default)s)."))
        parser.add_argument("--no-worker", action="store_true",
                            help=_("Do not run the background worker (run 'pomoc db_worker' yourself)."))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")),
                            help=_("Web server processes (default: %(default)s). More than one needs Redis."))
        parser.add_argument("--no-access-log", action="store_true", help=_("Do not log every request."))
        parser.add_argument("--no-scheduler", action="store_true",
                            help=_("Do not enqueue the periodic jobs (fetching mailboxes, mail left pending)."))

    def handle(self, *args, host: str, port: int, no_worker: bool, workers: int, no_access_log: bool,
               no_scheduler: bool = False, **options) -> None:
        import uvicorn

        if workers < 1:
            raise CommandError(_("--workers must be at least 1."))
        layer_backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
        if workers > 1 and layer_backend.endswith("InMemoryChannelLayer"):
            raise CommandError(_("Several web server processes need a shared channel layer: set REDIS_URL."))
        self.check_migrations()
        # whitenoise serves from the finders; an empty STATIC_ROOT only keeps it from warning.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        # whitenoise streams files with a sync iterator; Django warns about it under ASGI on every file.
        warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")

        notice = os.environ.pop(NOTICE_VARIABLE, "").strip()  # popped: the worker child never sees it
        run_worker = not no_worker and settings.POMOC_RUN_WORKER_IN_SERVE
        worker_commands = db_worker_commands() if run_worker else []
        if run_worker and not worker_commands:
            self.stdout.write(_("No database task backend is configured; not starting a background worker."))

        config = uvicorn.Config(
            ASGI_APP,
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            access_log=not no_access_log,
            # Forwarded headers only from the proxies in TRUSTED_PROXIES (none unless configured):
            # the same list pomoc.accounts.ratelimit.client_ip believes.
            proxy_headers=bool(settings.TRUSTED_PROXIES),
            forwarded_allow_ips=list(settings.TRUSTED_PROXIES) or None,
            # the sockets' frames are small JSON: compressing each cost more CPU than it saved bytes
            # (a sixth of the web process's time under chat load)
            ws_per_message_deflate=False,
            log_config=None,  # Django's LOGGING already configured the root logger
            log_level=logging.INFO,
        )
        server = uvicorn.Server(config)
        serving.starting(host=host, port=port)
        relay = _relay_for_worker(host, port) if worker_commands and layer_backend.endswith("InMemoryChannelLayer") \
            else {}
        supervisors = [WorkerSupervisor(command, should_stop=lambda: server.should_exit, env=relay)
                       for command in worker_commands]

        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(_("Pomoc is running at http://%(host)s:%(port)s/ (press Ctrl+C to stop)")
                          % {"host": shown_host, "port": port})
        if supervisors:
            self.stdout.write(_("Background worker started for queues: %(queues)s")
                              % {"queues": ", ".join(cmd[cmd.index("--queue-name") + 1] for cmd in worker_commands)})
        self.stdout.flush()

        # uvicorn re-raises the signal that stopped it once it has shut down; with these handlers
        # that becomes SystemExit, so the ``finally`` below still stops the worker.
        previous = {sig: signal.signal(sig, _raise_system_exit) for sig in (signal.SIGTERM, signal.SIGINT)}
        # every instance runs one; a job is enqueued once per interval for all of them together
        scheduler = Scheduler() if settings.POMOC_SCHEDULER and not no_scheduler else None
        try:
            for supervisor in supervisors:
                supervisor.start()
            if scheduler is not None:
                scheduler.start()
            if notice:
                threading.Thread(target=self._show_last, args=(server, supervisors, notice), daemon=True,
                                 name="pomoc-sign-in-notice").start()
            if workers > 1:
                from uvicorn.supervisors import Multiprocess

                Multiprocess(config, sockets=[config.bind_socket()]).run()
            else:
                server.run()
        finally:
            if scheduler is not None:
                scheduler.stop()
            for supervisor in supervisors:
                supervisor.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _show_last(self, server, supervisors: list[WorkerSupervisor], notice: str) -> None:
        """Write ``notice`` once the server listens and the workers have had time to log their start."""
        deadline = time.monotonic() + 60
        while not getattr(server, "started", True) and time.monotonic() < deadline:
            time.sleep(0.1)
        for supervisor in supervisors:
            while (supervisor.process is not None and supervisor.process.poll() is None
                   and time.monotonic() - supervisor.started_at < WORKER_SETTLE and time.monotonic() < deadline):
                time.sleep(0.1)
        self.stdout.write("\n" + notice + "\n")
        self.stdout.flush()
