"""Which inbox a mail handed over by the MTA pipe goes to: the one named, or the only active one.

Used by ``pomoc mail ingest`` storing a mail itself and by the running Pomoc taking it over the
pipe's endpoint (``pipe_endpoint``), so both choose alike.
"""

from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from pomoc.channels.models import Inbox, InboxKind

DEFAULT_INBOX_NAME = "E-mail"


class InboxNotFound(Exception):
    pass


def resolve_inbox(name: str | None, notify) -> Inbox:
    """The inbox named ``name``, or the only active e-mail inbox (created on first use if none exists;
    ``notify`` is told so)."""
    inboxes = Inbox.objects.filter(kind=InboxKind.EMAIL)
    if name:
        inbox = inboxes.filter(name=name).first()
        if inbox is None:
            raise InboxNotFound(_("There is no e-mail inbox named “%(name)s”.") % {"name": name})
        return inbox
    active = list(inboxes.filter(active=True)[:2])
    if len(active) == 1:
        return active[0]
    if len(active) > 1:
        raise InboxNotFound(_("There are several e-mail inboxes: name one with --inbox."))
    if inboxes.exists():
        raise InboxNotFound(_("No e-mail inbox is active: name one with --inbox."))
    with transaction.atomic():
        inbox, created = Inbox.objects.get_or_create(
            name=DEFAULT_INBOX_NAME,
            defaults={"kind": InboxKind.EMAIL, "address": parseaddr(settings.DEFAULT_FROM_EMAIL)[1]},
        )
    if created:
        notify(_("Created the e-mail inbox “%(name)s” (%(address)s) for incoming mail.")
               % {"name": inbox.name, "address": inbox.address})
    return inbox
