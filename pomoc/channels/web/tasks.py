"""Mails of the web form: the acknowledgement of a new request (with its link in the portal) and the
confirmation an unknown sender clicks. Tasks take ids and send at most once per id."""

from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import reverse
from django.utils.translation import override
from django_tasks import task

from pomoc.accounts.mail import email_context

DONE_TTL = 7 * 24 * 60 * 60


def _once(key: str) -> bool:
    """True the first time ``key`` is claimed (a retried task sends nothing twice)."""
    return cache.add(f"pomoc:web-mail:{key}", 1, timeout=DONE_TTL)


def _send(template: str, context: dict, to: str, language: str) -> None:
    with override(language or None):
        subject = "".join(loader.render_to_string(f"web/{template}_subject.txt", context).splitlines())
        body = loader.render_to_string(f"web/{template}_email.txt", context)
    EmailMultiAlternatives(subject, body, None, [to]).send()


@task(queue_name="mail")
def send_acknowledgement(ticket_id: int) -> int:
    """Tells the requester of a ticket opened through the form that it arrived, with its portal link."""
    from pomoc.tickets.models import Ticket

    ticket = Ticket.objects.filter(pk=ticket_id).select_related("requester").first()
    if ticket is None or not ticket.requester.email or not _once(f"ack:{ticket_id}"):
        return 0
    context = {**email_context(), "ticket": ticket,
               "link": reverse("portal:ticket", args=[ticket.number])}
    _send("acknowledgement", context, ticket.requester.email, ticket.requester.language)
    return 1


@task(queue_name="mail")
def send_confirmation(pending_id: int) -> int:
    """The link an unknown sender clicks to have their form become a ticket."""
    from pomoc.channels.web.models import PendingSubmission

    pending = PendingSubmission.objects.filter(pk=pending_id, ticket__isnull=True).first()
    if pending is None or not _once(f"confirm:{pending_id}"):
        return 0
    context = {**email_context(), "pending": pending,
               "link": reverse("portal:contact-confirm", args=[pending.token])}
    _send("confirmation", context, pending.email, pending.language)
    return 1
