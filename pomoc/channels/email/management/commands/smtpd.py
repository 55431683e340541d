"""``pomoc smtpd [--host 127.0.0.1] [--port 2525] [--inbox NAME]``: the built-in SMTP receiver.

Accepts mail for the addresses of the active e-mail inboxes (or only the one named with
``--inbox``) and feeds it into the ingestion pipeline; see ``pomoc.channels.email.smtpd`` and docs/email.md.
``--tls-cert``/``--tls-key`` offer STARTTLS; ``--auth-user`` with the password in
``POMOC_SMTPD_PASSWORD`` (or the file named by ``POMOC_SMTPD_PASSWORD_FILE``) makes senders log in.
Runs until SIGTERM or SIGINT.
"""

import os
import signal
import ssl
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from pomoc.channels.email.smtpd import PasswordAuthenticator, PomocSMTPHandler, SMTPReceiver, load_routes, tls_context


class Command(BaseCommand):
    help = _("Receive mail by SMTP for the e-mail inboxes' addresses (the built-in SMTP receiver).")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on (default 127.0.0.1)."))
        parser.add_argument("--port", type=int, default=2525, help=_("Port to listen on (default 2525)."))
        parser.add_argument("--inbox", default=None,
                            help=_("Accept mail only for this inbox's addresses (default: every active e-mail "
                                   "inbox)."))
        parser.add_argument("--hostname", default=None,
                            help=_("Name this server gives in its greeting and Received: lines (default: the "
                                   "machine's host name)."))
        parser.add_argument("--tls-cert", default=None,
                            help=_("Certificate chain (PEM file): offer STARTTLS with it."))
        parser.add_argument("--tls-key", default=None, help=_("Private key of --tls-cert (PEM file)."))
        parser.add_argument("--require-starttls", action="store_true",
                            help=_("Refuse mail from senders that do not start TLS first."))
        parser.add_argument("--auth-user", default=None,
                            help=_("Senders must log in with this user name and the password in "
                                   "POMOC_SMTPD_PASSWORD (or the file named by POMOC_SMTPD_PASSWORD_FILE); "
                                   "needs --tls-cert."))

    def _security(self, options) -> dict:
        """STARTTLS and AUTH settings for the receiver, or a CommandError saying what is missing."""
        kwargs: dict = {}
        if bool(options["tls_cert"]) != bool(options["tls_key"]):
            raise CommandError(_("Give both --tls-cert and --tls-key."))
        if options["tls_cert"]:
            try:
                kwargs["tls_context"] = tls_context(options["tls_cert"], options["tls_key"])
            except (OSError, ssl.SSLError) as exc:
                raise CommandError(_("The TLS certificate or key cannot be used: %(error)s")
                                   % {"error": exc}) from None
            kwargs["require_starttls"] = options["require_starttls"]
        elif options["require_starttls"]:
            raise CommandError(_("--require-starttls needs --tls-cert and --tls-key."))
        if options["auth_user"]:
            if not options["tls_cert"]:
                raise CommandError(_("--auth-user needs --tls-cert and --tls-key: passwords are only accepted "
                                     "over TLS."))
            password = self._password()
            if not password:
                raise CommandError(_("--auth-user needs a password in POMOC_SMTPD_PASSWORD or "
                                     "POMOC_SMTPD_PASSWORD_FILE."))
            kwargs["authenticator"] = PasswordAuthenticator(options["auth_user"], password)
        return kwargs

    @staticmethod
    def _password() -> str:
        file_name = os.environ.get("POMOC_SMTPD_PASSWORD_FILE")
        if file_name:
            try:
                with open(file_name, encoding="utf-8") as fh:
                    return fh.read().strip()
            except OSError as exc:
                raise CommandError(_("POMOC_SMTPD_PASSWORD_FILE cannot be read: %(error)s")
                                   % {"error": exc.strerror or exc}) from None
        return os.environ.get("POMOC_SMTPD_PASSWORD", "")

    def handle(self, *args, **options):
        inbox_name = options["inbox"]
        security = self._security(options)
        handler = PomocSMTPHandler(inbox_name=inbox_name, hostname=options["hostname"])
        try:
            routes = load_routes(inbox_name)
        except DatabaseError as exc:
            # start anyway: senders get 451 (try again later) until the database is back
            self.stderr.write(_("The database is unavailable (%(error)s); mail is answered “try again later” "
                                "until it is back.") % {"error": type(exc).__name__})
        else:
            if inbox_name and not routes.limit_by_inbox:
                raise CommandError(_("There is no e-mail inbox named “%(name)s”.") % {"name": inbox_name})
            if not routes.inbox_by_address:
                self.stderr.write(_("No e-mail inbox has an address yet: every recipient is refused."))
            handler.routes = routes
        receiver = SMTPReceiver(handler, host=options["host"], port=options["port"], **security)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
        receiver.start()
        addresses = ", ".join(sorted(handler.routes.inbox_by_address)) if handler.routes else "?"
        self.stdout.write(_("Listening for SMTP on %(host)s:%(port)s for %(addresses)s.")
                          % {"host": options["host"], "port": options["port"], "addresses": addresses or "-"})
        self.stdout.flush()
        try:
            while not stop.wait(1):
                pass
        finally:
            receiver.stop()
            self.stdout.write(_("SMTP receiver stopped."))
