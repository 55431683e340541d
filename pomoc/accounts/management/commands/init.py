"""``pomoc init``: first-run set-up, safe to run again at every start.

Creates the data directory, applies migrations and, while no administrator exists, creates the
user ``admin`` with a random password that is printed once and stored nowhere in plain text.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from pomoc.accounts.models import Role, User
from pomoc.core.models import OrganisationSettings

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, and translations are only ready at run time
        return _("Prepare Pomoc for its first start: data directory, database tables and an administrator.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-password",
            default="",
            help=_(
                "Password for the first administrator instead of a random one (used only when none exists)."
            ),
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help=_("Do not apply database migrations (when a deployment step already did)."),
        )

    def handle(self, *args, admin_password: str = "", no_migrate: bool = False, verbosity: int = 1, **options):
        self._make_directories()
        if not no_migrate:
            # Migration output is detail; show it only with -v 2 or more.
            call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        OrganisationSettings.get()

        login_url = settings.POMOC_BASE_URL.rstrip("/") + reverse("accounts:login")
        if User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).exists():
            self.stdout.write(_("Pomoc is already set up. Sign in at %(url)s") % {"url": login_url})
            if admin_password:
                self.stdout.write(_("An administrator exists, so --admin-password was not used."))
            self.stdout.write(
                _("To set a new password for a user, run: pomoc changepassword %(username)s")
                % {"username": ADMIN_USERNAME}
            )
            return

        password = admin_password or secrets.token_urlsafe(12)
        user = self._create_administrator(password)
        self.stdout.write(self.style.SUCCESS(_("Pomoc is set up.")))
        self.stdout.write(_("Sign in at %(url)s as:") % {"url": login_url})
        self.stdout.write(_("  user name: %(username)s") % {"username": user.username})
        if admin_password:
            self.stdout.write(_("  password:  the one given with --admin-password"))
        else:
            self.stdout.write(_("  password:  %(password)s") % {"password": password})
            self.stdout.write(_("This password is shown only now; write it down."))
        self.stdout.write(
            _("To change it, run: pomoc changepassword %(username)s") % {"username": user.username}
        )

    def _make_directories(self) -> None:
        for directory in (settings.DATA_DIR, settings.MEDIA_ROOT):
            Path(directory).mkdir(parents=True, exist_ok=True)

    def _create_administrator(self, password: str) -> User:
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            raise CommandError(
                _(
                    "No active administrator exists, but the user name %(username)s is taken."
                    " Give a user the administrator role in the admin area, or run:"
                    " pomoc createsuperuser"
                )
                % {"username": ADMIN_USERNAME}
            )
        user = User(username=ADMIN_USERNAME, role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            # The operator chose this password on purpose (a demo, a test run): warn, do not refuse.
            for message in error.messages:
                self.stderr.write(self.style.WARNING(_("Weak password: %(reason)s") % {"reason": message}))
        user.set_password(password)
        with transaction.atomic():
            user.save()
        return user
