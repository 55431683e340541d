"""The MTA pipe's fast path: ``pomoc mail ingest`` hands the mail to the running Pomoc.

An MTA starts ``pomoc mail ingest`` once per mail. Starting Django for each costs about a third of
a second, so ``pomoc.cli`` calls ``ingest`` here before Django is imported: it reads the mail on
standard input and POSTs it to the running ``pomoc serve`` (``pipe_endpoint``), which stores the
bytes, commits, queues the processing and only then answers. When no Pomoc answers, or it answers
anything but success, the mail is stored by this process itself through the full Django command
(``management/commands/mail.py``), exactly as before. Either way the exit status is the MTA's:
0 when the mail is kept, 75 (``EX_TEMPFAIL``) when it must be delivered again later, also when
the pipe cannot even start (an unreadable environment file, Django failing to start).

Where the running Pomoc is: ``POMOC_MAIL_PIPE_URL``, else the address ``pomoc serve`` writes to
``$POMOC_DATA_DIR/mail-pipe-url`` when it starts. The token: ``POMOC_MAIL_PIPE_TOKEN`` (or
``POMOC_MAIL_PIPE_TOKEN_FILE``), else ``$POMOC_DATA_DIR/mail-pipe-token``, which ``pomoc serve``
creates once (mode 0600). The token is never printed or logged.

Nothing here imports Django: it must stay that way, or the fast path is not fast.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

from pomoc.core.env import data_dir, env_str, read_env_file

PIPE_PATH = "/__pomoc/mail"
TOKEN_FILE = "mail-pipe-token"
URL_FILE = "mail-pipe-url"
EX_TEMPFAIL = 75
CONNECT_TIMEOUT = 2.0  # a Pomoc that does not even accept the connection by then is not running
ANSWER_TIMEOUT = 60.0  # storing waits for the database; beyond this the mail is stored directly
MAX_ANSWER = 65536
QUEUED = "queued"

# why the running Pomoc did not take the mail ("" when it was not asked): the full command says so
fallback_reason = ""


class NotTaken(Exception):
    """The running Pomoc did not take the mail; the message says why (never the token)."""


# --- configuration ------------------------------------------------------------------------------
def load_env_file(path: str) -> None:
    """Put the variables of an environment file (``core.env.read_env_file``: systemd's format, never
    run through a shell) into the environment. OSError when the file cannot be read."""
    os.environ.update(read_env_file(path))


def pipe_url() -> str:
    """The running Pomoc's pipe endpoint, or "" when none is known."""
    url = os.environ.get("POMOC_MAIL_PIPE_URL", "").strip()
    if url:
        return url
    try:
        return (data_dir() / URL_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def pipe_token(directory: Path | None = None) -> str:
    """The installation's pipe token, or "" when there is none (yet)."""
    try:
        token = env_str("POMOC_MAIL_PIPE_TOKEN")
        return token or ((directory or data_dir()) / TOKEN_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def ensure_token(directory: Path) -> str:
    """The token in ``directory``, created once (only the owner may read it) when it is missing."""
    path = directory / TOKEN_FILE
    directory.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    import secrets

    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="utf-8").strip()


def publish_url(directory: Path, url: str) -> None:
    """Tell pipes started later where this Pomoc listens (atomically: a reader sees old or new)."""
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{URL_FILE}.{os.getpid()}"
    partial.write_text(url + "\n", encoding="utf-8")
    partial.replace(directory / URL_FILE)


# --- handing a mail over ------------------------------------------------------------------------
def _connect(host: str, port: int, secure: bool) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
    if secure:
        import ssl

        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    sock.settimeout(ANSWER_TIMEOUT)
    return sock


def _answer(sock: socket.socket) -> tuple[int, bytes]:
    """Status and body of the one HTTP/1.1 response (``Connection: close``: it ends with the connection)."""
    data = b""
    while len(data) < MAX_ANSWER:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/1.") or not status_line[1].isdigit():
        raise NotTaken("no HTTP answer")
    return int(status_line[1]), body


def hand_over(raw: bytes, *, inbox: str | None, url: str, token: str) -> dict:
    """POST the mail to the running Pomoc; its answer once the bytes are committed. ``NotTaken``
    otherwise: nothing answered, the answer was not success, or the connection broke.

    A plain socket rather than ``http.client``: that module imports the ``email`` package, which
    alone doubles the time of the whole call. Both ends are ours; the request is one POST with a
    ``Content-Length`` and the answer a small JSON body ending with the connection."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotTaken(f"not an http(s) address: {url!r}")
    secure = parts.scheme == "https"
    host = parts.hostname
    path = (parts.path or PIPE_PATH) + (f"?inbox={quote(inbox, safe='')}" if inbox else "")
    host_header = f"[{host}]" if ":" in host else host
    head = (f"POST {path} HTTP/1.1\r\nHost: {host_header}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: message/rfc822\r\nContent-Length: {len(raw)}\r\nConnection: close\r\n\r\n")
    try:
        with _connect(host, parts.port or (443 if secure else 80), secure) as sock:
            sock.sendall(head.encode("utf-8") + raw)
            status, body = _answer(sock)
    except OSError as exc:  # refused, reset, timed out, TLS
        raise NotTaken(f"{type(exc).__name__}: {exc.strerror or exc}") from None
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        answer = {}
    if status != 200 or not isinstance(answer, dict) or answer.get("status") != QUEUED:
        error = answer.get("error", "") if isinstance(answer, dict) else ""
        raise NotTaken(f"HTTP {status}" + (f": {error}" if error else ""))
    return answer


def _options(argv: list[str]) -> tuple[dict, bool]:
    """``--inbox``/``--channel`` and ``--env-file`` (``--name value`` or ``--name=value``), and
    whether anything else was given (help, a typo: the full command answers that)."""
    names = {"--inbox": "inbox", "--channel": "inbox", "--env-file": "env_file"}
    options: dict = {"inbox": None, "env_file": None}
    index = 0
    while index < len(argv):
        name, equals, value = argv[index].partition("=")
        if name not in names:
            return options, True
        if not equals:
            index += 1
            if index == len(argv):
                return options, True
            value = argv[index]
        options[names[name]] = value
        index += 1
    return options, False


def ingest(argv: list[str]) -> int:
    """``pomoc mail ingest [--inbox NAME] [--env-file FILE]`` (the arguments after ``ingest``): the
    exit status for the MTA. Hands the mail over, or else stores it through the full command."""
    global fallback_reason

    options, other = _options(argv)
    if other:
        return _full_command(argv, None)  # help, or arguments the full command refuses (with 75)
    raw = sys.stdin.buffer.read()
    if options["env_file"]:
        try:
            load_env_file(options["env_file"])
        except (OSError, UnicodeDecodeError) as exc:
            print(f"pomoc mail ingest: cannot read the environment file {options['env_file']} "
                  f"({getattr(exc, 'strerror', None) or type(exc).__name__}); the mail was not taken, "
                  f"the MTA will deliver it again later.", file=sys.stderr)
            return EX_TEMPFAIL
    url, token = pipe_url(), pipe_token()
    if url and token:
        try:
            hand_over(raw, inbox=options["inbox"], url=url, token=token)
        except NotTaken as exc:
            fallback_reason = str(exc)
        else:
            print(json.dumps({"ticket": None, "message": None, "created": False, "duplicate": False,
                              "classification": None, "status": QUEUED}))
            return 0
    return _full_command(argv, raw)


def _full_command(argv: list[str], raw: bytes | None) -> int:
    """Django's ``mail ingest`` in this process, on ``raw`` as its standard input. Whatever keeps
    it from running (settings that do not load, Django failing to start, arguments it refuses, a
    bug) is a temporary failure: the MTA keeps the mail and delivers it again later."""
    if raw is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pomoc.settings")
    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["pomoc", "mail", "ingest", *argv])
    except SystemExit as exc:
        return 0 if exc.code in (0, None) else EX_TEMPFAIL
    except BaseException as exc:  # anything at all: never a bounce
        # the type and a file name only: an error's text may quote a setting, and settings hold secrets
        where = f" {exc.filename}" if isinstance(exc, OSError) and exc.filename else ""
        print(f"pomoc mail ingest: could not start ({type(exc).__name__}{where}); the mail was not taken, "
              f"the MTA will deliver it again later.", file=sys.stderr)
        return EX_TEMPFAIL
    return 0
