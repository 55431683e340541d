"""``pomoc smtpd [--host 127.0.0.1] [--port 2525] [--inbox NAME]``: the built-in SMTP receiver.

Accepts mail for the addresses of the active e-mail inboxes (or only the one named with
``--inbox``) and feeds it into the ingestion pipeline; see ``pomoc.inboxes.smtpd`` and docs/email.md.
Runs until SIGTERM or SIGINT.
"""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from pomoc.inboxes.smtpd import PomocSMTPHandler, SMTPReceiver, load_routes


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

    def handle(self, *args, **options):
        inbox_name = options["inbox"]
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
        receiver = SMTPReceiver(handler, host=options["host"], port=options["port"])
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
