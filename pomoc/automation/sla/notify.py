"""Telling people about SLA warnings and breaches: notifications (the bell, the browser, and e-mail for
those who chose it), written in each recipient's language."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from pomoc.accounts.selectors import supervisors_of
from pomoc.automation.sla.models import Target

logger = logging.getLogger(__name__)


def recipients(ticket, kind: str) -> list:
    """A warning goes to the assignee (the supervisors when nobody has the ticket), a breach to the
    supervisors."""
    if kind == "warn" and ticket.assignee_id and ticket.assignee.is_active and ticket.assignee.email:
        return [ticket.assignee]
    return supervisors_of(ticket.department_id)


def text_of(notice: dict, ticket) -> str:
    target = str(Target(notice["target"]).label) if notice["target"] in Target.values else notice["target"]
    due = formats.date_format(timezone.localtime(timezone.datetime.fromisoformat(notice["due"])),
                              "SHORT_DATETIME_FORMAT")
    values = {"target": target, "number": ticket.number, "subject": ticket.subject, "due": due}
    if notice["kind"] == "warn":
        return _("SLA warning: %(target)s of ticket #%(number)s “%(subject)s” is due at %(due)s.") % values
    return _("SLA breached: %(target)s of ticket #%(number)s “%(subject)s” was due at %(due)s.") % values


def send(ticket, notices: list[dict]) -> None:
    """Each notice to its recipients, in each recipient's language."""
    for notice in notices:
        by_language: dict[str, list] = defaultdict(list)
        for user in recipients(ticket, notice["kind"]):
            by_language[user.language or settings.LANGUAGE_CODE].append(user)
        for language, users in by_language.items():
            with override(language):
                _notify(users, ticket, text_of(notice, ticket), notice["kind"])


def _notify(users, ticket, text: str, kind: str) -> None:
    """Tell ``users`` ``text`` about ``ticket`` (a warning, or a breach)."""
    from pomoc.notifications.models import NotificationKind
    from pomoc.notifications.services import notify

    notify(users, kind=NotificationKind.SLA_WARNING if kind == "warn" else NotificationKind.SLA_BREACHED,
           ticket=ticket, text=text)
