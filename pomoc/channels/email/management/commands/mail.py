"""``pomoc mail ingest [--inbox NAME]``: the MTA pipe. Reads one RFC 5322 message on stdin, stores it
and prints one JSON line (see docs/email.md).

Exit status: 0 when the mail is durably kept (stored, duplicate, ignored noise, unprocessable, or
pending: it failed for its own reasons and the workers try it again later); 75 (EX_TEMPFAIL, "try
again later") when it could not be kept or processed because of a database outage, or when there is
no inbox to put it in. The MTA then keeps the mail in its queue and retries, so nothing is lost.
A mail over the inbox's size limit is kept whole but never parsed whole (``ingest``).

``pomoc mail ingest`` run from the ``pomoc`` console script first hands the mail to the running
Pomoc (``pipe_client``, before Django starts); this command is what stores it when that did not
work, and what ``--env-file`` was read for already.
"""

import json
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils.translation import gettext as _

from pomoc.channels.email import pipe_client
from pomoc.channels.email.ingest import process, receive_raw
from pomoc.channels.email.pipe_inbox import InboxNotFound, resolve_inbox
from pomoc.channels.models import Inbox, InboxKind

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = _("E-mail channel tools. `mail ingest` reads one message on stdin (for an MTA pipe).")
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        ingest = actions.add_parser("ingest", help=_("Read one RFC 5322 message on stdin and store it."))
        ingest.add_argument("--inbox", "--channel", dest="inbox", default=None,
                            help=_("Name of the inbox (default: the only active e-mail inbox)."))
        ingest.add_argument("--env-file", dest="env_file", default=None,
                            help=_("Read Pomoc's settings from this environment file (NAME=value lines) "
                                   "before starting."))
        fetch = actions.add_parser("fetch", help=_("Fetch new mail of the IMAP and POP3 inboxes once."))
        fetch.add_argument("--inbox", "--channel", dest="inbox", default=None,
                           help=_("Name of the inbox (default: every active IMAP or POP3 inbox)."))
        watch = actions.add_parser(
            "watch", help=_("Keep fetching the IMAP and POP3 inboxes: IMAP IDLE where the server offers it, "
                            "else every minute. Runs until stopped."))
        watch.add_argument("--inbox", "--channel", dest="inbox", default=None,
                           help=_("Name of the inbox (default: every active IMAP or POP3 inbox)."))
        actions.add_parser("process-pending",
                           help=_("Process again the mail left pending for over a minute (after an outage)."))

    def handle(self, *args, **options):
        if options["action"] == "ingest":
            self.ingest(options["inbox"])
        elif options["action"] == "fetch":
            self.fetch(options["inbox"])
        elif options["action"] == "watch":
            self.watch(options["inbox"])
        elif options["action"] == "process-pending":
            self.process_pending()

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(EX_TEMPFAIL)

    def ingest(self, inbox_name: str | None) -> None:
        if pipe_client.fallback_reason:
            self.stderr.write(_("The running Pomoc did not take the mail (%(reason)s); storing it directly.")
                              % {"reason": pipe_client.fallback_reason})
        raw = sys.stdin.buffer.read()
        try:
            inbox = resolve_inbox(inbox_name, self.stderr.write)
            raw_mail = receive_raw(inbox=inbox, raw=raw)
        except InboxNotFound as exc:
            self._fail(str(exc))
        except DatabaseError as exc:
            self._fail(_("The database is unavailable (%(error)s); the mail was not stored, try again later.")
                       % {"error": type(exc).__name__})
        try:
            result = process(raw_mail.pk)
        except DatabaseError as exc:
            # an outage (anything else is recorded on the mail): the bytes are kept (pending); the MTA
            # delivers again and the Message-ID dedupes
            self._fail(_("The mail was kept but not processed (%(error)s); try again later.")
                       % {"error": type(exc).__name__})
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))

    def fetch(self, inbox_name: str | None) -> None:
        """One JSON line per inbox; exit 75 when any stopped early (the next run goes on from there)."""
        from pomoc.channels.email.fetch import fetch_all

        try:
            if inbox_name and not Inbox.objects.filter(kind=InboxKind.EMAIL, name=inbox_name).exists():
                self._fail(_("There is no e-mail inbox named “%(name)s”.") % {"name": inbox_name})
            reports = fetch_all(inbox_name)
        except DatabaseError as exc:
            self._fail(_("The database is unavailable (%(error)s); try again later.") % {"error": type(exc).__name__})
        for report in reports:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        if any(not report.complete for report in reports):
            sys.exit(EX_TEMPFAIL)

    def watch(self, inbox_name: str | None) -> None:
        """Until SIGTERM/SIGINT: one JSON line (as ``fetch`` prints) per fetch that found mail or failed."""
        import signal
        import threading

        from pomoc.channels.email.watch import Watcher

        if inbox_name and not Inbox.objects.filter(kind=InboxKind.EMAIL, name=inbox_name).exists():
            self._fail(_("There is no e-mail inbox named “%(name)s”.") % {"name": inbox_name})
        lock = threading.Lock()

        def report(fetch_report) -> None:
            with lock:
                self.stdout.write(json.dumps(fetch_report.as_json(), ensure_ascii=False))
                self.stdout.flush()

        watcher = Watcher(inbox_name, on_report=report)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: watcher.stopping.set())
        watcher.run()
        watcher.stop()

    def process_pending(self) -> None:
        """One JSON line with how many pending mails ended in which state; exit 75 if some must wait."""
        from pomoc.channels.email.tasks import process_pending_mail

        try:
            counts = process_pending_mail.call()
        except DatabaseError as exc:
            self._fail(_("The database is unavailable (%(error)s); try again later.") % {"error": type(exc).__name__})
        self.stdout.write(json.dumps(counts, ensure_ascii=False))
        if counts.get("retry_later"):
            sys.exit(EX_TEMPFAIL)
