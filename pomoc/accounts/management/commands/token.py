"""``pomoc token create|list|revoke``: API tokens from the command line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pomoc.accounts.models import ApiToken
from pomoc.accounts.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, list and revoke REST API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = actions.add_parser("create", help="Create a token for USERNAME and print it once.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for, e.g. “CRM sync”.")
        listing = actions.add_parser("list", help="List USERNAME's tokens (prefixes only, never the token).")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="Revoke the token starting with PREFIX.")
        revoke.add_argument("prefix")
        revoke.add_argument("--user", default="", help="Only among this user's tokens.")

    def handle(self, *args, action: str, **options):
        getattr(self, f"handle_{action}")(**options)

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named “%(username)s”.") % {"username": username})
        return user

    def handle_create(self, *, username: str, name: str, **options):
        user = self._user(username)
        if not user.is_active:
            raise CommandError(_("The account “%(username)s” is deactivated.") % {"username": username})
        token, raw = api_token_create(user=user, name=name)
        self.stderr.write(_("Token %(prefix)s… created for %(username)s. It is shown only this once:")
                          % {"prefix": token.key_prefix, "username": user.username})
        self.stdout.write(raw)

    def handle_list(self, *, username: str, **options):
        user = self._user(username)
        tokens = ApiToken.objects.filter(user=user).order_by("created_at", "id")
        if not tokens:
            self.stdout.write(_("%(username)s has no API tokens.") % {"username": user.username})
            return
        for token in tokens:
            state = (_("revoked %(at)s") % {"at": token.revoked_at.isoformat(timespec="seconds")}
                     if token.revoked_at else _("active"))
            last_used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else _("never")
            self.stdout.write(
                "\t".join([token.key_prefix, token.name or "-", token.created_at.isoformat(timespec="seconds"),
                           _("last used: %(at)s") % {"at": last_used}, state])
            )

    def handle_revoke(self, *, prefix: str, user: str, **options):
        prefix = prefix.strip().rstrip("…")
        if len(prefix) < len(ApiToken.PREFIX) + 4:
            raise CommandError(_("Give at least the first %(n)d characters of the token, as `token list` shows them.")
                               % {"n": len(ApiToken.PREFIX) + 4})
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        tokens = tokens.filter(key_prefix__startswith=prefix[: len(ApiToken.PREFIX) + 4])
        if user:
            tokens = tokens.filter(user=self._user(user))
        # Only the first characters are stored; a longer argument (the whole token, say) matches on them.
        matches = [t for t in tokens.select_related("user")
                   if t.key_prefix.startswith(prefix) or prefix.startswith(t.key_prefix)]
        if not matches:
            raise CommandError(_("No active token starts with “%(prefix)s”.") % {"prefix": prefix})
        if len(matches) > 1:
            owners = ", ".join(sorted({t.user.username for t in matches}))
            raise CommandError(_("%(n)d active tokens start with “%(prefix)s” (%(owners)s); give more characters "
                                 "or --user.") % {"n": len(matches), "prefix": prefix, "owners": owners})
        token = api_token_revoke(token=matches[0])
        self.stdout.write(_("Revoked %(prefix)s… of %(username)s.")
                          % {"prefix": token.key_prefix, "username": token.user.username})
