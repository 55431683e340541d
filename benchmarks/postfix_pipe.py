"""A Postfix of the benchmark's own, delivering to Pomoc through the pipe set-up of docs/email.md.

A private instance (``postfix -c DIR``: its own configuration, queue and log in a temporary folder,
SMTP on a free loopback port only) with the documented ``master.cf`` transport (four deliveries at a
time), ``main.cf`` lines and transport map, and the documented wrapper script, each with the
benchmark's paths, inbox and user. Nothing leaves the machine: every destination but the
transport's one address fails at once (``default_transport = error``). Needs root and Debian's
``postfix`` package; ``unavailable()`` says what is missing.

The pipe runs as an unprivileged user (Postfix refuses root), so the Pomoc it talks to (``pomoc
serve``) runs as that user too, as the documented ``pomoc`` user does both: the token file stays
readable by its owner only. Both are started with the system's Python 3.11 and the checkout's
virtualenv on ``PYTHONPATH``, because the virtualenv's interpreter may live where that user cannot
reach.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "email.md"
PIPE_USER = "nobody"
SYSTEM_PYTHON = "/usr/bin/python3.11"

SERVICES = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
smtp      unix  -       -       n       -       -       smtp
"""


def unavailable() -> str:
    if os.geteuid() != 0:
        return "needs root (a private Postfix instance)"
    if not shutil.which("postfix") or not shutil.which("postmap"):
        return "Postfix is not installed (apt-get install postfix)"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is missing"
    return ""


def documented(marker: str, first_line: str = "") -> str:
    """The first fenced block of docs/email.md after ``marker`` (starting with ``first_line``)."""
    text = DOCS.read_text()
    rest = text[text.index(marker):]
    for block in re.findall(r"^```[a-z]*\n(.*?)^```$", rest, flags=re.S | re.M):
        if block.startswith(first_line):
            return block
    raise LookupError(marker)


def python_path() -> str:
    site = next(Path(sys.prefix, "lib").glob("python3.*/site-packages"))
    return f"{site}:{REPO}"


def as_pipe_user(args: list[str], env: dict) -> list[str]:
    """``args`` (a ``pomoc`` command) run as the pipe's user with the system's Python."""
    assignments = [f"{name}={value}" for name, value in env.items()]
    return ["runuser", "-u", PIPE_USER, "--", "env", "-i", *assignments, f"PYTHONPATH={python_path()}",
            SYSTEM_PYTHON, "-m", "pomoc.cli", *args]


class PrivatePostfix:
    """``relay_port``: route the address to ``pomoc smtpd`` there instead, as the relay set-up of
    docs/email.md does (its transport map line)."""

    def __init__(self, root: Path, *, smtp_port: int, inbox: str, env_file: Path, address: str,
                 relay_port: int | None = None):
        self.root, self.port, self.inbox = root, smtp_port, inbox
        self.etc, self.log = root / "etc", root / "maillog"
        self.address = address
        self.env_file = env_file
        self.relay_port = relay_port

    def write(self) -> None:
        self.etc.mkdir(parents=True)
        (self.root / "queue").mkdir()
        (self.root / "data").mkdir()
        shutil.chown(self.root / "data", "postfix")
        self.root.chmod(0o755)
        launcher = self.root / "pomoc"
        launcher.write_text(f"#!/bin/sh\nPYTHONPATH={python_path()} exec {SYSTEM_PYTHON} -m pomoc.cli \"$@\"\n")
        launcher.chmod(0o755)
        wrapper = self.root / "pomoc-ingest"
        wrapper.write_text(documented("### A wrapper with the environment", "#!/bin/sh")
                           .replace("/srv/pomoc/.venv/bin/pomoc", str(launcher))
                           .replace("/etc/pomoc/env", str(self.env_file)))
        wrapper.chmod(0o755)
        transport = (documented("### Postfix").replace("/usr/local/bin/pomoc-ingest", str(wrapper))
                     .replace("user=pomoc", f"user={PIPE_USER}").replace("--inbox Support", f"--inbox {self.inbox}"))
        main_lines = documented("### Postfix", "transport_maps").replace("/etc/postfix/transport",
                                                                           str(self.etc / "transport"))
        route = documented("### Postfix", "support@example.com") if self.relay_port is None else \
            documented("With Postfix, route the support addresses").replace(":2525", f":{self.relay_port}")
        (self.etc / "transport").write_text(route.replace("support@example.com", self.address))
        (self.etc / "master.cf").write_text(
            f"127.0.0.1:{self.port} inet n - n - - smtpd\n" + SERVICES + transport)
        (self.etc / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {self.root / 'queue'}
data_directory = {self.root / 'data'}
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.pomoc.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains = {self.address.split("@")[1]}
alias_maps =
alias_database =
local_recipient_maps =
# nothing leaves this machine: any destination but the transport's address fails at once
default_transport = error:5.7.1 this Postfix delivers nowhere else
relay_transport = error:5.7.1 this Postfix delivers nowhere else
maillog_file_prefixes = {self.root}
maillog_file = {self.log}
# the mails wait until all are queued, so that delivery alone is timed
defer_transports = {"pomoc-support" if self.relay_port is None else "smtp"}
{main_lines}""")
        self._run("postmap", f"hash:{self.etc / 'transport'}")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(list(args), capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: {done.stdout}{done.stderr}")
        return done

    def start(self) -> None:
        done = self._run("postfix", "-c", str(self.etc), "start", check=False)
        if done.returncode != 0:  # Postfix tells only its log why
            raise RuntimeError(f"Postfix did not start: {self.log_text()[-2000:]}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._smtp_answers():
                return
            time.sleep(0.2)
        raise RuntimeError(f"Postfix did not listen on {self.port}: {self.log_text()[-2000:]}")

    def _smtp_answers(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def release(self) -> None:
        """Deliver what was held: the transport no longer deferred, the queue flushed."""
        self._run("postconf", "-c", str(self.etc), "-e", "defer_transports =")
        self._run("postfix", "-c", str(self.etc), "reload")
        self._run("postqueue", "-c", str(self.etc), "-f")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def delivered(self) -> list[float]:
        """Per delivered mail, the time Postfix spent handing it over (the last of ``delays=a/b/c/d``):
        the pipe's run, or the SMTP transaction with ``pomoc smtpd``."""
        return [float(match) for match in re.findall(
            rf"to=<{re.escape(self.address)}>.*delays=[\d.]+/[\d.]+/[\d.]+/([\d.]+).*status=sent", self.log_text())]

    def deferred(self) -> int:
        """Deliveries Pomoc asked to try again (75, 4xx), besides the hold of ``defer_transports``."""
        return len(re.findall(r"status=deferred \((?!deferred transport)", self.log_text()))

    def stop(self) -> None:
        self._run("postfix", "-c", str(self.etc), "stop", check=False)
