"""A real Dovecot IMAP/POP3 server for the fetch tests, started without systemd.

Everything lives in a temporary folder: the configuration, ``base_dir``, ``state_dir``, the log, a
``passwd-file`` with one user and that user's Maildir (owned by ``dovecot``, the user the mail
processes run as). Dovecot listens on free loopback ports: IMAP and POP3 (plain, STARTTLS offered)
and IMAPS and POP3S, with a server certificate for ``127.0.0.1``/``localhost`` signed by a throwaway
CA made at start (``ca_pem``); plain logins are allowed on the plain ports.
It needs the ``dovecot-imapd`` and ``dovecot-pop3d`` packages and root (Dovecot switches users);
without them the tests skip, or fail with ``CI=true`` (``.ci/run`` installs the packages).
"""

from __future__ import annotations

import copy
import grp
import imaplib
import itertools
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from pomoc.channels.email.fetch import imap_mailbox_name
from pomoc.testing.services import free_port, tcp_reachable

from .tls import make_authority, write_server_certificate

USER = "support@pomoc.example"
PASSWORD = "dovecot-Test-pass-1"  # noqa: S105 - a throwaway account of a throwaway server

MAX_MAILBOXES = 1000


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
    )


def unavailable_reason() -> str:
    """Why a Dovecot cannot be started here, or "" when it can."""
    binary = dovecot_binary()
    if binary is None:
        return "the dovecot binary is not installed (apt-get install dovecot-imapd dovecot-pop3d)"
    missing = [p for p in ("imap", "pop3") if not Path("/usr/lib/dovecot", p).exists()
               and not Path(binary).resolve().parent.parent.joinpath("lib/dovecot", p).exists()]
    if missing:
        return f"Dovecot's {' and '.join(missing)} server is not installed (dovecot-imapd, dovecot-pop3d)"
    if os.geteuid() != 0:
        return "Dovecot switches to its own users, so these tests need to run as root"
    for user in ("dovecot", "dovenull"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            return f"the system user {user!r} does not exist (installed with the dovecot packages)"
    return ""


def dovecot_version(binary: str) -> tuple[int, int]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    match = re.match(r"\s*(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else (2, 3)


CONFIG_2_3 = """\
protocols = imap pop3
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/tls/server.pem
ssl_key = <{root}/tls/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%n
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {pop3s_port}
    ssl = yes
  }}
}}
"""

# Dovecot 2.4 renamed most settings (Debian 13 ships it); same server, new spelling.
CONFIG_2_4 = """\
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
protocols = imap pop3
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = yes
ssl_server_cert_file = {root}/tls/server.pem
ssl_server_key_file = {root}/tls/server.key
ssl_min_protocol = TLSv1.2
auth_allow_cleartext = yes
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
first_valid_gid = 1
mail_driver = maildir
mail_home = {root}/mail/%{{user | username}}
mail_path = {root}/mail/%{{user | username}}
passdb passwd-file {{
  passwd_file_path = {root}/passwd
  default_password_scheme = PLAIN
}}
userdb static {{
  fields {{
    uid = dovecot
    gid = dovecot
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = {pop3s_port}
    ssl = yes
  }}
}}
"""


class Dovecot:
    """One Dovecot master process (``dovecot -F -c CONF``) serving one user over IMAP and POP3."""

    host = "127.0.0.1"
    user = USER
    password = PASSWORD

    def __init__(self, *, extra_config: str = ""):
        self.extra_config = extra_config  # appended to the configuration (e.g. ``imap_capability = …``)
        self.binary = dovecot_binary()
        self.root = Path(tempfile.mkdtemp(prefix="pomoc-dovecot-"))
        self.root.chmod(0o755)  # the mail processes (user dovecot) must reach their Maildir
        self.imap_port = free_port()
        self.pop3_port = free_port()
        self.imaps_port = free_port()
        self.pop3s_port = free_port()
        self.authority = make_authority()
        self.ca_pem = self.authority.pem
        self.process: subprocess.Popen | None = None
        self._numbers = itertools.count(1)  # shared with the copies new_mailbox makes

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self, timeout: float = 20) -> Dovecot:
        uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir()
        os.chown(self.root / "mail", uid, gid)
        write_server_certificate(self.authority, self.root / "tls")
        # the fixture's user, and spare ones: each test gets its own empty mailbox (new_mailbox)
        users = [self.user, *(f"box{n}@pomoc.example" for n in range(1, MAX_MAILBOXES + 1))]
        (self.root / "passwd").write_text("".join(f"{user}:{{PLAIN}}{self.password}::::::\n" for user in users))
        template = CONFIG_2_4 if dovecot_version(self.binary) >= (2, 4) else CONFIG_2_3
        self.config = self.root / "dovecot.conf"
        self.config.write_text(template.format(root=self.root, imap_port=self.imap_port, pop3_port=self.pop3_port,
                                               imaps_port=self.imaps_port, pop3s_port=self.pop3s_port)
                               + self.extra_config)
        return self._launch(timeout)

    def _launch(self, timeout: float) -> Dovecot:
        self.process = subprocess.Popen(  # noqa: S603 - the installed dovecot and our own config
            [self.binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL, stderr=(self.root / "stderr.log").open("ab"),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.process.returncode}:\n{self.log()}")
            if all(tcp_reachable(self.host, port, 0.5) for port in self.ports):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not listen within {timeout} s:\n{self.log()}")

    @property
    def ports(self) -> tuple[int, ...]:
        return self.imap_port, self.pop3_port, self.imaps_port, self.pop3s_port

    def _terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        self._terminate()
        shutil.rmtree(self.root, ignore_errors=True)

    def halt(self) -> None:
        """Stop the server, keeping its mail for ``resume``. Its sessions are dropped first: on SIGTERM
        alone, Dovecot lets a session in IDLE live on for about ten seconds."""
        self.kick("*")
        self._terminate()
        deadline = time.monotonic() + 10
        while any(tcp_reachable(self.host, port, 0.2) for port in self.ports) and time.monotonic() < deadline:
            time.sleep(0.1)

    def resume(self, timeout: float = 20) -> Dovecot:
        """Start a halted server again: same ports, same mail."""
        return self._launch(timeout)

    def kick(self, user: str | None = None) -> None:
        """Drop every connection of ``user`` (default: this mailbox's), the server keeps running."""
        doveadm = shutil.which("doveadm") or str(Path(self.binary).with_name("doveadm"))
        out = subprocess.run([doveadm, "-c", str(self.config), "kick", user or self.user],  # noqa: S603
                             capture_output=True, text=True, check=False, timeout=10)
        assert out.returncode == 0, out.stderr + out.stdout

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in (self.root / "stderr.log", self.root / "dovecot.log")
                         if p.exists())

    def new_mailbox(self) -> Dovecot:
        """This server, seen as another user with an empty mailbox."""
        number = next(self._numbers)
        if number > MAX_MAILBOXES:
            raise RuntimeError(f"the test Dovecot has only {MAX_MAILBOXES} spare mailboxes")
        mailbox = copy.copy(self)
        mailbox.user = f"box{number}@pomoc.example"
        return mailbox

    # --- helpers for the tests ------------------------------------------------------------------
    def inbox_config(self, fetch: str = "imap", **extra) -> dict:
        """``Inbox.config`` for fetching from this server (plain connection on loopback)."""
        return {"fetch": fetch, "imap_host": self.host, "imap_port": self.imap_port, "imap_security": "none",
                "imap_username": self.user, "pop3_host": self.host, "pop3_port": self.pop3_port,
                "pop3_security": "none", "pop3_username": self.user, **extra}

    def tls_inbox_config(self, fetch: str, security: str, **extra) -> dict:
        """``Inbox.config`` for fetching over TLS (``ssl``: IMAPS/POP3S, ``starttls``: the plain ports),
        trusting this server's CA."""
        ports = {"ssl": (self.imaps_port, self.pop3s_port), "starttls": (self.imap_port, self.pop3_port)}[security]
        return self.inbox_config(fetch, imap_port=ports[0], pop3_port=ports[1], imap_security=security,
                                 pop3_security=security, **{"tls_ca_certificates": self.ca_pem, **extra})

    def imap(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.imap_port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, *raws: bytes, folder: str = "INBOX") -> None:
        client = self.imap()
        try:
            for raw in raws:
                typ, data = client.append(imap_mailbox_name(folder), "", None, raw)
                assert typ == "OK", data
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """{UID: flags} of every message in ``folder``."""
        client = self.imap()
        try:
            client.select(imap_mailbox_name(folder), readonly=True)
            typ, data = client.uid("FETCH", "1:*", "(UID FLAGS)")
            result = {}
            for line in data:
                if not line:
                    continue
                text = line.decode() if isinstance(line, bytes) else line[0].decode()
                uid = re.search(r"UID (\d+)", text)
                flags = re.search(r"FLAGS \(([^)]*)\)", text)
                if uid:
                    result[int(uid.group(1))] = set(flags.group(1).split()) if flags else set()
            return result
        finally:
            client.logout()

    def recreate(self, folder: str, *raws: bytes) -> None:
        """Delete ``folder`` and create it again with ``raws``: same mail, a new UIDVALIDITY."""
        client = self.imap()
        try:
            client.delete(imap_mailbox_name(folder))
            typ, data = client.create(imap_mailbox_name(folder))
            assert typ == "OK", data
        finally:
            client.logout()
        self.append(*raws, folder=folder)

    def create(self, folder: str) -> None:
        client = self.imap()
        try:
            typ, data = client.create(imap_mailbox_name(folder))
            assert typ == "OK", data
        finally:
            client.logout()

    def uidvalidity(self, folder: str = "INBOX") -> int:
        client = self.imap()
        try:
            typ, data = client.status(imap_mailbox_name(folder), "(UIDVALIDITY)")
            return int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))
        finally:
            client.logout()
