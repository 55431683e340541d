"""django-helpdesk, the peer Pomoc's benchmarks are measured beside, in a virtualenv of its own.

    .venv/bin/python benchmarks/peer/helpdesk.py setup
    .venv/bin/python benchmarks/peer/helpdesk.py ingest --database-url URL --corpus DIR [--repeat-clean]
    .venv/bin/python benchmarks/peer/helpdesk.py load --from-database-url POMOC_URL --database-url PEER_URL
    .venv/bin/python benchmarks/peer/helpdesk.py measure --database-url PEER_URL --iterations N --warmup W \\
        --rare WORD --common WORD --user USERNAME [--ticket ID]

Each subcommand prints one JSON object on stdout (progress goes to stderr) and exits non-zero
with a message when it fails. ``setup`` creates .bench/helpdesk-venv from requirements.txt
(python3.11 -m venv, pip); the others run it first (instantly when nothing changed) and then run
their script from helpdesk_project/ with the peer's python. See README.md beside this file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
REQUIREMENTS = HERE / "requirements.txt"
PROJECT = HERE / "helpdesk_project"
VENV = Path(os.environ.get("POMOC_PEER_VENV") or REPO / ".bench" / "helpdesk-venv")
STAMP = VENV / ".pomoc-requirements.sha256"
PEER_PYTHON = VENV / "bin" / "python"


class PeerError(Exception):
    pass


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def base_python() -> str:
    """Python 3.11 for the peer's venv (the version Pomoc runs on), or this interpreter if it is 3.11."""
    found = shutil.which("python3.11")
    if found:
        return found
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    raise PeerError("python3.11 is not on PATH: it is needed to create the peer's virtualenv")


def requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def venv_ready() -> bool:
    return PEER_PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == requirements_digest()


def setup() -> dict:
    """Create or refresh the peer's venv; nothing to do when requirements.txt has not changed."""
    started = time.perf_counter()
    created = False
    if not venv_ready():
        if not PEER_PYTHON.exists():
            where = VENV.relative_to(REPO) if VENV.is_relative_to(REPO) else VENV
            progress(f"Creating the peer's virtualenv in {where}…")
            VENV.parent.mkdir(parents=True, exist_ok=True)
            run([base_python(), "-m", "venv", str(VENV)], "creating the virtualenv")
            created = True
        progress("Installing django-helpdesk and its dependencies (requirements.txt)…")
        run([str(PEER_PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
             "--requirement", str(REQUIREMENTS)], "pip install -r benchmarks/peer/requirements.txt")
        check = subprocess.run([str(PEER_PYTHON), "-m", "pip", "check", "--disable-pip-version-check"],
                               capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise PeerError(f"the peer's virtualenv has broken requirements:\n{check.stdout}{check.stderr}")
        STAMP.write_text(requirements_digest() + "\n")
        refreshed = True
    else:
        refreshed = False
    version = subprocess.run([str(PEER_PYTHON), "-c", "from importlib.metadata import version as v; "
                              "import sys; print(v('django-helpdesk'), v('Django'), sys.version.split()[0])"],
                             capture_output=True, text=True, check=False)
    if version.returncode != 0:
        raise PeerError(f"the peer's virtualenv does not import django-helpdesk:\n{version.stderr}")
    helpdesk, django, python = version.stdout.split()
    return {"peer": f"django-helpdesk {helpdesk}", "django": django, "python": python, "venv": str(VENV),
            "created": created, "installed": refreshed, "seconds": round(time.perf_counter() - started, 2)}


def run(command: list[str], what: str) -> None:
    done = subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if done.returncode != 0:
        raise PeerError(f"{what} failed (exit {done.returncode})")


def run_peer(module: str, arguments: list[str]) -> dict:
    """Run one of helpdesk_project/peer_tools in the peer's venv; return the JSON object it printed."""
    if not venv_ready():
        progress(json.dumps(setup()))
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "DJANGO_SETTINGS_MODULE": "peer_site.settings",
           "PYTHONUNBUFFERED": "1",
           # helpdesk opens mail files in text mode: UTF-8, as on a server with a UTF-8 locale,
           # whatever the caller's locale is.
           "PYTHONUTF8": "1"}
    env.pop("DATABASE_URL", None)  # the scripts take the peer's database from --database-url only
    done = subprocess.run([str(PEER_PYTHON), "-m", f"peer_tools.{module}", *arguments], cwd=PROJECT, env=env,
                          stdout=subprocess.PIPE, stderr=sys.stderr, text=True, check=False)
    if done.returncode != 0:
        raise PeerError(f"{module} failed (exit {done.returncode}); its messages are above")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError) as exc:
        raise PeerError(f"{module} printed no JSON result: {done.stdout[-500:]!r}") from exc


def absolute_url(url: str) -> str:
    """sqlite:///relative/path made absolute: the peer's scripts run in another folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url[len(prefix):].startswith("/") and url[len(prefix):] != ":memory:":
        return prefix + str(Path(url[len(prefix):]).resolve())  # sqlite:////absolute/path
    return url


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="create or refresh the peer's virtualenv")

    ingest = commands.add_parser("ingest", help="time e-mail ingestion: get_email as shipped, then its best case")
    ingest.add_argument("--database-url", required=True, help="postgres://… or sqlite:///… (dropped and recreated)")
    ingest.add_argument("--corpus", required=True, help="a folder of .eml files")
    ingest.add_argument("--repeat-clean", action="store_true",
                        help="after the runs, recreate the database once more, empty and migrated")

    load = commands.add_parser("load", help="fill the peer's database with a Pomoc database's data")
    load.add_argument("--from-database-url", required=True, help="Pomoc's database (postgres://…)")
    load.add_argument("--database-url", required=True, help="the peer's database (postgres://…)")

    measure = commands.add_parser("measure", help="time the peer's ticket list, ticket page and search")
    measure.add_argument("--database-url", required=True)
    measure.add_argument("--iterations", type=int, default=50)
    measure.add_argument("--warmup", type=int, default=5)
    measure.add_argument("--rare", required=True)
    measure.add_argument("--common", required=True)
    measure.add_argument("--user", required=True)
    measure.add_argument("--ticket", type=int, default=None, help="the ticket id whose page is timed")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        if args.command == "setup":
            result = setup()
        elif args.command == "ingest":
            result = run_peer("ingest", ["--database-url", absolute_url(args.database_url),
                                         "--corpus", str(Path(args.corpus).resolve()),
                                         *(["--repeat-clean"] if args.repeat_clean else [])])
        elif args.command == "load":
            result = run_peer("load", ["--from-database-url", args.from_database_url,
                                       "--database-url", args.database_url])
        else:
            result = run_peer("measure", [
                "--database-url", absolute_url(args.database_url), "--iterations", str(args.iterations),
                "--warmup", str(args.warmup), "--rare", args.rare, "--common", args.common, "--user", args.user,
                *(["--ticket", str(args.ticket)] if args.ticket is not None else [])])
    except PeerError as exc:
        print(f"helpdesk.py {args.command}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
