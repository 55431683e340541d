"""Who may see which ticket in the portal: the one place pages and forms of the portal ask.

A customer sees the tickets whose requester is their contact and, when their company's setting says
so (a company inherits the portal's organisation-wide setting unless it says yes or no), those of
their company's contacts. Inside a ticket they see customer messages and agent replies only:
never internal notes, system entries, forwards or drafts (drafts are not messages at all)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.portal.models import PortalSettings
from pomoc.tickets.models import Message, MessageKind, Ticket

PUBLIC_KINDS = (MessageKind.CUSTOMER, MessageKind.REPLY)


def is_customer(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.CUSTOMER)


def customer_required(view):
    """Portal pages for signed-in customers: others go to the portal's sign-in (agents to their inbox)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if is_customer(user):
            return view(request, *args, **kwargs)
        if user.is_authenticated and getattr(user, "is_agent_like", False):
            return redirect("tickets:inbox")
        return redirect(f"{reverse('portal:login')}?{urlencode({'next': request.get_full_path()})}")

    return wrapper


def portal_tickets(user) -> QuerySet[Ticket]:
    """The tickets ``user`` may see in the portal (none for anybody but an active customer)."""
    if not is_customer(user):
        return Ticket.objects.none()
    contact = getattr(user, "contact", None)
    if contact is None:
        return Ticket.objects.none()
    q = Q(requester_id=contact.pk)
    if contact.company_id and company_sees_tickets(contact.company):
        q |= Q(requester__company_id=contact.company_id)
    return Ticket.objects.filter(q, merged_into__isnull=True)


def company_sees_tickets(company) -> bool:
    """Whether ``company``'s contacts see each other's tickets: the company's own setting, or the
    portal's organisation-wide one when the company inherits it."""
    from pomoc.contacts.models import PortalVisibility

    if company.portal_visibility == PortalVisibility.YES:
        return True
    if company.portal_visibility == PortalVisibility.NO:
        return False
    return PortalSettings.get().company_sees_tickets


def access_portal_ticket(user, number) -> Ticket:
    """The ticket numbered ``number`` if ``user`` may see it in the portal; Http404 otherwise (the
    same for a ticket that does not exist and one of somebody else)."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise Http404 from None
    ticket = portal_tickets(user).filter(number=number).select_related("requester").first()
    if ticket is None:
        raise Http404
    return ticket


def portal_messages(ticket: Ticket) -> QuerySet[Message]:
    """What a customer reads of a ticket they may see: the conversation, oldest first."""
    return (ticket.messages.filter(kind__in=PUBLIC_KINDS).select_related("author_user", "author_contact")
            .prefetch_related("attachments").order_by("created_at", "id"))


def access_portal_attachment(user, public_id: str):
    """An attachment of a public message of a ticket ``user`` may see in the portal."""
    from pomoc.tickets.models import Attachment

    attachment = (Attachment.objects.select_related("message__ticket")
                  .filter(public_id=str(public_id)[:64], message__kind__in=PUBLIC_KINDS).first())
    if attachment is None or not portal_tickets(user).filter(pk=attachment.message.ticket_id).exists():
        raise Http404
    return attachment
