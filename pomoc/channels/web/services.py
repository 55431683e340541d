"""Writes of the web form channel: a sent contact form becomes a ticket through the inbound pipeline;
an unknown sender may first confirm their address; an opened suggestion is a visit (deflection)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pomoc.channels import inbound
from pomoc.channels.models import Inbox
from pomoc.channels.web import tasks
from pomoc.channels.web.config import WebFormConfig
from pomoc.channels.web.kind import KEY
from pomoc.channels.web.models import FormVisit, PendingSubmission
from pomoc.contacts.models import IdentityKind
from pomoc.contacts.services import contact_find, is_valid_email, normalize_identity
from pomoc.tickets import services as ticket_services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.custom_fields import validate_custom_fields
from pomoc.tickets.models import Ticket

SUBJECT_MAX = 300
TEXT_MAX = 20_000


@dataclass(frozen=True)
class Submission:
    """What the form carries, already read from the request."""

    email: str
    name: str
    subject: str
    text: str
    form_id: str  # from the signed form token: the same form sent twice opens one ticket
    custom_fields: dict = field(default_factory=dict)
    attachments: list[NewAttachment] = field(default_factory=list)
    visit_key: str = ""
    language: str = ""


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket | None = None  # opened (or found again)
    pending: bool = False  # waiting for the sender to confirm their address


def web_inboxes():
    return Inbox.objects.filter(kind=KEY, active=True).select_related("department").order_by("id")


def form_inbox(department_id=None) -> Inbox | None:
    """The active web form of ``department_id`` (an id, as given), else the first active one."""
    inboxes = web_inboxes()
    if department_id not in (None, ""):
        try:
            return inboxes.filter(department_id=int(department_id)).first()
        except (TypeError, ValueError):
            return None
    return inboxes.first()


def _check(inbox: Inbox, submission: Submission) -> tuple[str, dict]:
    errors: dict[str, str] = {}
    try:
        email = normalize_identity(IdentityKind.EMAIL, submission.email) if submission.email else ""
    except ValidationError:
        email = ""
    if not email or not is_valid_email(email):
        errors["email"] = _("Enter your e-mail address, such as name@example.com.")
    if not submission.subject.strip():
        errors["subject"] = _("Say in a few words what it is about.")
    elif len(submission.subject) > SUBJECT_MAX:
        errors["subject"] = _("At most %(count)s characters.") % {"count": SUBJECT_MAX}
    if not submission.text.strip() and not submission.attachments:
        errors["text"] = _("Tell us what you need.")
    elif len(submission.text) > TEXT_MAX:
        errors["text"] = _("At most %(count)s characters.") % {"count": TEXT_MAX}
    config = WebFormConfig.from_dict(inbox.config)
    values = {key: submission.custom_fields.get(key) for key in config.fields}
    cleaned = {}
    try:
        cleaned = validate_custom_fields(values, partial=False)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors[f"cf_{key.removeprefix('custom_fields.')}"] = " ".join(messages)
    if errors:
        raise ValidationError(errors)
    return email, cleaned


def form_submit(*, inbox: Inbox, submission: Submission, signed_in_contact=None) -> Outcome:
    """Open a ticket from a sent form (channel web, requester found or created by e-mail address), or
    keep it until the sender confirms their address: when the form asks unknown senders to confirm
    and nobody is signed in with a contact that has no contact yet. Raises ``ValidationError`` keyed
    by form field; a second send of the same form returns the ticket the first one opened."""
    email, custom_fields = _check(inbox, submission)
    config = WebFormConfig.from_dict(inbox.config)
    known = signed_in_contact is not None or contact_find(kind=IdentityKind.EMAIL, value=email) is not None
    if config.confirm_unknown and not known:
        with transaction.atomic():
            pending, created = PendingSubmission.objects.get_or_create(
                form_id=submission.form_id[:64] or secrets.token_hex(16), defaults={
                    "token": secrets.token_urlsafe(24), "inbox": inbox, "email": email, "name": submission.name[:200],
                    "subject": submission.subject[:SUBJECT_MAX], "text": submission.text,
                    "custom_fields": custom_fields, "visit_key": submission.visit_key[:64],
                    "language": submission.language[:10]})
            if created:
                transaction.on_commit(lambda: tasks.send_confirmation.enqueue(pending.pk))
        return Outcome(pending=True)
    ticket = _open(inbox=inbox, email=email, name=submission.name, subject=submission.subject,
                   text=submission.text, custom_fields=custom_fields, attachments=submission.attachments,
                   external_id=f"web-{submission.form_id}", visit_key=submission.visit_key)
    return Outcome(ticket=ticket)


def _open(*, inbox: Inbox, email: str, name: str, subject: str, text: str, custom_fields: dict,
          attachments: list[NewAttachment], external_id: str, visit_key: str) -> Ticket:
    with transaction.atomic():
        [result] = inbound.receive(inbox=inbox, messages=[inbound.InboundMessage(
            identity_kind=IdentityKind.EMAIL, identity_value=email, external_id=external_id, name=name[:200],
            subject=subject.strip()[:SUBJECT_MAX], text=text, attachments=list(attachments))],
            threading=())  # a form is always a new request: it joins no open ticket
        if result.error:
            raise ValidationError({"text": result.error})
        ticket = result.ticket
        if result.created and custom_fields:
            ticket = ticket_services.ticket_update(ticket=ticket, actor=None, changes={"custom_fields": custom_fields})
        if visit_key:
            FormVisit.objects.filter(key=visit_key[:64], ticket__isnull=True).update(ticket=ticket)
        if result.created:
            ticket_id = ticket.pk
            transaction.on_commit(lambda: tasks.send_acknowledgement.enqueue(ticket_id))
    return ticket


def pending_confirm(*, token: str) -> Ticket | None:
    """Open the ticket of a confirmed form (once); None for a token that is not one."""
    if not token or len(token) > 64:
        return None
    with transaction.atomic():
        pending = PendingSubmission.objects.select_for_update().filter(token=token).select_related("inbox").first()
        if pending is None:
            return None
        if pending.ticket_id:
            return pending.ticket
        ticket = _open(inbox=pending.inbox, email=pending.email, name=pending.name, subject=pending.subject,
                       text=pending.text, custom_fields=pending.custom_fields, attachments=[],
                       external_id=f"web-confirmed-{pending.pk}", visit_key=pending.visit_key)
        PendingSubmission.objects.filter(pk=pending.pk).update(ticket=ticket)
    return ticket


def visit_article_opened(*, inbox: Inbox, visit_key: str, article_url: str) -> None:
    """Record that a visit of ``inbox``'s form opened a suggested article (a deflection unless the
    same visit then sends the form)."""
    visit_key = (visit_key or "")[:64]
    if len(visit_key) < 16 or not article_url.startswith("/"):
        raise ValidationError({"article": _("Not a suggested article.")})
    with transaction.atomic():
        visit, created = FormVisit.objects.get_or_create(
            key=visit_key, defaults={"inbox": inbox, "department_id": inbox.department_id,
                                     "article_url": article_url[:500]})
        if not created:
            FormVisit.objects.filter(pk=visit.pk).update(articles_opened=visit.articles_opened + 1)
