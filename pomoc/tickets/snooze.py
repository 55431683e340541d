"""Snoozing: put a ticket aside until a date. It leaves the active views (its status is
``snoozed``) and comes back as ``open`` when the periodic wake-up job finds it due, or earlier when
the customer writes (``services.message_add`` and the intake reopen it like a pending one)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.tickets.models import Status, Ticket
from pomoc.tickets.services import change_status

WAKE_BATCH = 200  # tickets woken per run of the job; the next run takes the rest


def ticket_snooze(*, ticket: Ticket, actor, until: dt.datetime) -> Ticket:
    """Snooze ``ticket`` until ``until`` (in the future), with its status event."""
    now = timezone.now()
    if timezone.is_naive(until):
        raise ValidationError({"until": _("Give the time with its time zone.")})
    if until <= now:
        raise ValidationError({"until": _("Choose a time in the future.")})
    if ticket.merged_into_id:
        raise ValidationError({"until": _("A merged ticket cannot be snoozed.")})
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        update: dict = {}
        change_status(ticket, Status.SNOOZED, actor, now, update)
        update.update(snoozed_until=until, updated_at=now)
        for key, value in update.items():
            setattr(ticket, key, value)
        ticket.save(update_fields=list(update))
    return ticket


def due_snoozed(now: dt.datetime | None = None):
    return Ticket.objects.filter(status=Status.SNOOZED, snoozed_until__lte=now or timezone.now())


def has_due_snoozed() -> bool:
    return due_snoozed().exists()


def tickets_wake_due(now: dt.datetime | None = None) -> int:
    """Open again the snoozed tickets whose time has come (each with its status event, by nobody).
    Idempotent: a ticket already woken (or reopened by its customer) is no longer snoozed."""
    now = now or timezone.now()
    woken = 0
    for pk in list(due_snoozed(now).order_by("snoozed_until", "id").values_list("pk", flat=True)[:WAKE_BATCH]):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=pk, status=Status.SNOOZED).first()
            if ticket is None:
                continue
            update: dict = {"updated_at": now}
            change_status(ticket, Status.OPEN, None, now, update)
            for key, value in update.items():
                setattr(ticket, key, value)
            ticket.save(update_fields=list(update))
            woken += 1
    return woken
