"""Demo content of the portal: a contact form per department (channel "web") and a customer account
with requests visible under "My requests" (one answered, one solved, one waiting)."""

from __future__ import annotations

from django.db import transaction

from pomoc.accounts.models import Role, User
from pomoc.channels.models import Inbox
from pomoc.contacts.models import Contact, IdentityKind
from pomoc.contacts.services import contact_get_or_create
from pomoc.tickets import services
from pomoc.tickets.models import Channel, DeliveryState, Message, MessageKind, Status, Ticket

CUSTOMER_EMAIL = "customer@example.org"
CUSTOMER_NAME = "Klára Dvořáková"

REQUESTS = [
    ("The invoice for November shows the wrong address", Channel.EMAIL,
     "Hello, our invoice for November still shows our old address in Brno. Could you correct it?",
     "Thank you, Klára. The address is corrected and a new invoice is on its way.", Status.RESOLVED),
    ("Two-factor login does not send the code", Channel.WEB,
     "When I sign in, the text message with the code never arrives. My number ends in 472.",
     "We are looking into it with our SMS provider. Could you tell us which network you use?", Status.PENDING),
    ("Can I add a second user to our plan?", Channel.CHAT,
     "We would like a colleague to see our orders too. Is that possible on our plan?", "", Status.NEW),
]


def ensure_portal(password: str) -> None:
    """Idempotent: forms and the demo customer are created once; their requests only on the first run."""
    with transaction.atomic():
        _forms()
        contact, _created = contact_get_or_create(kind=IdentityKind.EMAIL, value=CUSTOMER_EMAIL, name=CUSTOMER_NAME)
        user = User.objects.filter(username=CUSTOMER_EMAIL).first()
        if user is None:
            user = User(username=CUSTOMER_EMAIL, email=CUSTOMER_EMAIL, first_name=CUSTOMER_NAME, role=Role.CUSTOMER)
        user.set_password(password)
        user.save()
        Contact.objects.filter(pk=contact.pk).update(user=user)
        if not Ticket.objects.filter(requester=contact).exists():
            _requests(contact)


def _forms() -> None:
    from pomoc.accounts.models import Department

    for department in Department.objects.order_by("name"):
        if not Inbox.objects.filter(kind="web", department=department).exists():
            Inbox.objects.create(name=f"{department.name}: contact form", kind="web", department=department,
                                 config={"min_seconds": 3})


def _requests(contact: Contact) -> None:
    agent = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("id").first()
    for subject, channel, question, answer, status in REQUESTS:
        ticket = services.ticket_create(requester=contact, subject=subject, body_text=question, channel=channel)
        if answer and agent is not None:
            services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=answer)
        if status != Status.NEW:
            services.ticket_update(ticket=ticket, actor=agent, changes={"status": status})
        # History, not news: the demo's replies were delivered long ago.
        Message.objects.filter(ticket=ticket, delivery_state__in=[DeliveryState.QUEUED, DeliveryState.FAILED]).update(
            delivery_state=DeliveryState.SENT, delivery_error="")
