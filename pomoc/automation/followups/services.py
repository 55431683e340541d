"""The follow-ups themselves: each one a real reply (or, for closing, a status change) recorded once
per ticket and period in ``FollowUpDone``, so a second worker, a retried task or a run after a
downtime never does it again."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from pomoc.automation.followups.models import FollowUpDone, FollowUpKind, FollowUpPolicy
from pomoc.automation.followups.texts import DEFAULT_TEXTS, rating_link
from pomoc.automation.placeholders import context_for, render, template_error
from pomoc.core import refusals
from pomoc.tickets import services as ticket_services
from pomoc.tickets.models import Message, MessageKind, Status, Ticket

logger = logging.getLogger(__name__)

POLICY_FIELDS = ("acknowledge", "acknowledgement_text", "remind_after_days", "reminder_text", "close_after_days",
                 "request_rating", "rating_text")
TEXT_FIELDS = {"acknowledgement_text", "reminder_text", "rating_text"}
MAX_DAYS = 365


def policy_for(ticket: Ticket) -> FollowUpPolicy | None:
    """The policy of the inbox the ticket came in through (its reply inbox), else of its department."""
    inbox_id = ticket.reply_inbox_id or (
        Message.objects.filter(ticket=ticket, kind=MessageKind.CUSTOMER, inbox__isnull=False)
        .order_by("created_at", "id").values_list("inbox_id", flat=True).first())
    policies = {}
    if inbox_id or ticket.department_id:
        for policy in FollowUpPolicy.objects.filter(inbox_id=inbox_id) | FollowUpPolicy.objects.filter(
                department_id=ticket.department_id):
            policies["inbox" if policy.inbox_id else "department"] = policy
    return policies.get("inbox") or policies.get("department")


def asks_for_rating(ticket: Ticket) -> bool:
    """This ticket's policy sends a rating request after resolution."""
    policy = policy_for(ticket)
    return bool(policy is not None and policy.request_rating)


def policy_save(*, inbox=None, department=None, values: dict) -> FollowUpPolicy:
    """Create or change the policy of ``inbox`` or ``department`` (one of them)."""
    if (inbox is None) == (department is None):
        raise ValidationError({"__all__": _("A policy belongs to one inbox or one department.")})
    errors = {}
    for field in TEXT_FIELDS & set(values):
        problem = template_error(values[field] or "")
        if problem:
            errors[field] = refusals.refusal(problem, refusals.INVALID_CONTENT)
    for field in ("remind_after_days", "close_after_days"):
        days = values.get(field)
        if days is not None and not 1 <= days <= MAX_DAYS:
            errors[field] = _("Between 1 and %(max)d days, or empty for never.") % {"max": MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, _created = FollowUpPolicy.objects.get_or_create(inbox=inbox, department=department)
        for field in POLICY_FIELDS:
            if field in values:
                setattr(policy, field, values[field])
        policy.updated_at = timezone.now()
        policy.save()
    return policy


def _text(policy: FollowUpPolicy, kind: str) -> str:
    own = {FollowUpKind.ACKNOWLEDGEMENT: policy.acknowledgement_text, FollowUpKind.REMINDER: policy.reminder_text,
           FollowUpKind.RATING_REQUEST: policy.rating_text}[kind]
    return own if own.strip() else str(DEFAULT_TEXTS[kind])


def follow_up_text(*, ticket: Ticket, policy: FollowUpPolicy, kind: str) -> str:
    """The follow-up's text for ``ticket``, in its customer's language, placeholders filled."""
    language = (ticket.requester.language or "").split("-")[0] or None
    with override(language):
        template = _text(policy, kind)
    context = context_for(ticket=ticket, language=language)
    context["rating"] = {"link": rating_link(ticket) if kind == FollowUpKind.RATING_REQUEST else ""}
    return render(template, context)


def _claim(ticket: Ticket, kind: str, cycle: str) -> FollowUpDone | None:
    """The row saying this follow-up is done, inserted now; None when it was done already."""
    try:
        with transaction.atomic():
            return FollowUpDone.objects.create(ticket=ticket, kind=kind, cycle=cycle)
    except IntegrityError:
        return None


def follow_up_send(*, ticket: Ticket, policy: FollowUpPolicy, kind: str, cycle: str = "") -> FollowUpDone | None:
    """Send the follow-up ``kind`` to ``ticket``'s customer as a reply, once per ``cycle``. Returns the
    record, or None when it was sent before. A ticket with nowhere to reply gets the record with the
    reason and no message: it is not tried again every run."""
    with transaction.atomic():
        done = _claim(ticket, kind, cycle)
        if done is None:
            return None
        try:
            message = ticket_services.automatic_reply_add(
                ticket=ticket, body_text=follow_up_text(ticket=ticket, policy=policy, kind=kind))
        except ValidationError as error:
            done.note = "; ".join(error.messages)[:300]
            done.save(update_fields=["note"])
            logger.info("follow-up %s of ticket %s not sent: %s", kind, ticket.pk, done.note)
            return done
        done.message = message
        done.save(update_fields=["message"])
    return done


def ticket_auto_close(*, ticket: Ticket, days: int, cycle: str) -> FollowUpDone | None:
    """Close a ticket left pending (by nobody), with a note saying why; once per pending period."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status != Status.PENDING:
            return None
        done = _claim(ticket, FollowUpKind.AUTO_CLOSE, cycle)
        if done is None:
            return None
        ticket_services.ticket_update(ticket=ticket, actor=None, changes={"status": Status.CLOSED})
        with override(None):
            text = _("Closed automatically: the customer had not answered for %(days)d days.") % {"days": days}
        ticket_services.system_note_add(ticket=ticket, text=text, channel=ticket.channel)
        done.at = timezone.now()  # after the resolution time the closing stamped: no rating request for it
        done.save(update_fields=["at"])
    return done
