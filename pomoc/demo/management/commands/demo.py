"""``pomoc demo``: load realistic demo data (staff, contacts, tickets in four languages)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _
from tqdm import tqdm

from pomoc.demo import generator
from pomoc.demo.chat import ensure_chat
from pomoc.demo.community import load_community
from pomoc.demo.duplicates import load_duplicates
from pomoc.demo.portal import ensure_portal


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, and translations are only ready at run time
        return _(
            "Load demo data: an administrator, a supervisor, agents, departments, companies, contacts and "
            "tickets with conversations in English, Czech, Polish and Estonian. Running it again adds more tickets. "
            "Contacts, agents and departments grow with the number of tickets unless given."
        )

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=300,
                            help=_("How many tickets to add (default 300)."))
        parser.add_argument("--password", default=generator.DEFAULT_PASSWORD,
                            help=_("Password for the demo users (default “pomoc-demo”)."))
        parser.add_argument("--seed", type=int, default=None,
                            help=_("Random seed, for the same data on every run."))
        parser.add_argument("--mode", choices=("auto", "services", "bulk"), default="auto",
                            help=_(
                                "How tickets are written: through the ticket services (slower, used up to "
                                "%(n)d tickets) or in bulk.") % {"n": generator.BULK_THRESHOLD})
        parser.add_argument("--batch-size", type=int, default=2000,
                            help=_("Tickets per bulk insert batch (default 2000)."))
        parser.add_argument("--contacts", type=int, default=None,
                            help=_("How many contacts to add (default: one for every five tickets, at most "
                                   "250,000)."))
        parser.add_argument("--agents", type=int, default=None,
                            help=_("How many agents to use, at least %(min)d (default: grows with the number of "
                                   "tickets, up to 50).") % {"min": generator.MIN_AGENTS})
        parser.add_argument("--departments", type=int, default=None,
                            help=_("How many departments to use, at least %(min)d (default: grows with the number "
                                   "of tickets, up to 10).") % {"min": generator.MIN_DEPARTMENTS})
        parser.add_argument("--workers", type=int, default=2,
                            help=_("Processes writing in bulk on PostgreSQL (default 2)."))

    def handle(self, *args, tickets: int, password: str, seed, mode: str, batch_size: int, verbosity: int = 1,
               contacts=None, agents=None, departments=None, workers: int = 2, **options):
        if tickets < 0:
            raise CommandError(_("--tickets must be zero or more."))
        if contacts is not None and contacts < (1 if tickets else 0):
            raise CommandError(_("--contacts must be at least 1 when tickets are added."))
        if agents is not None and agents < generator.MIN_AGENTS:
            raise CommandError(_("--agents must be at least %(min)d.") % {"min": generator.MIN_AGENTS})
        if departments is not None and departments < generator.MIN_DEPARTMENTS:
            raise CommandError(_("--departments must be at least %(min)d.") % {"min": generator.MIN_DEPARTMENTS})
        default = generator.scale_for(tickets)
        scale = generator.Scale(contacts=default.contacts if contacts is None else contacts,
                                agents=default.agents if agents is None else agents,
                                departments=default.departments if departments is None else departments)
        if not password:
            raise CommandError(_("--password must not be empty."))
        bulk = None if mode == "auto" else mode == "bulk"
        started = time.monotonic()
        bar = tqdm(total=tickets, unit=_("tickets"), disable=verbosity < 1 or tickets == 0)
        try:
            summary = generator.load(tickets=tickets, password=password, seed=seed, bulk=bulk,
                                     batch_size=max(1, batch_size), scale=scale, workers=max(1, workers),
                                     progress=bar.update)
        finally:
            bar.close()
        ensure_portal(password)
        load_community(password=password, agent=summary.staff.agents[0])
        load_duplicates()
        ensure_chat(summary.staff.departments)
        elapsed = time.monotonic() - started
        if verbosity < 1:
            return
        self.stdout.write(self.style.SUCCESS(
            _("Added %(tickets)d tickets (%(messages)d messages, %(events)d events) and %(contacts)d contacts "
              "in %(seconds).1f s.") % {"tickets": summary.tickets, "messages": summary.messages,
                                       "events": summary.events, "contacts": summary.contacts,
                                       "seconds": elapsed}))
        login_url = settings.POMOC_BASE_URL.rstrip("/") + reverse("accounts:login")
        self.stdout.write(_("Sign in at %(url)s with one of these users:") % {"url": login_url})
        for user in summary.staff.users:
            self.stdout.write(f"  {user.username:<11} {user.get_full_name():<24} {user.get_role_display()}")
        if summary.staff.password_unchanged:
            self.stdout.write(_("Password for every demo user: %(password)s, except %(users)s, which existed "
                                "before the demo and kept its own password.")
                              % {"password": password, "users": ", ".join(summary.staff.password_unchanged)})
        else:
            self.stdout.write(_("Password for every demo user: %(password)s") % {"password": password})
