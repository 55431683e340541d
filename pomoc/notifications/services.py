"""Notifications: one service the rest of Pomoc calls (``notify``), following, read state, e-mail.

A notification is stored for each recipient who may see its ticket; after the commit every page
the recipient has open gets it over the websocket (the bell, a browser notification), and the kinds
the recipient chose reach them by e-mail, several in one mail (``send_email_digests``, a periodic
job), and only those still unread when the mail goes.
"""

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from pomoc.accounts.mail import email_context
from pomoc.accounts.models import User
from pomoc.core.realtime import publish_many, publish_on_commit, user_group
from pomoc.notifications import selectors, wording
from pomoc.notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreferences,
    TicketFollower,
    TicketRead,
)
from pomoc.tickets.models import Ticket
from pomoc.tickets.permissions import is_staff_user, staff_who_can_see

MAX_TEXT = 500
logger = logging.getLogger(__name__)


def _user_ids(users: Iterable) -> set[int]:
    return {getattr(u, "pk", u) for u in users if getattr(u, "pk", u) is not None}


def notify(users: Iterable, *, kind: str, ticket: Ticket | None = None, actor=None,
           text: str = "") -> list[Notification]:
    """Tell ``users`` (users or ids) about something: ``kind`` (a ``NotificationKind`` value; other
    apps may add theirs), about ``ticket``, done by ``actor`` (never told about their own doing),
    with an optional ``text``. Only active staff who may see the ticket are told. Returns the
    stored notifications; the live push and the e-mail follow the commit."""
    ids = _user_ids(users) - _user_ids([actor] if actor is not None else [])
    if kind == NotificationKind.CHAT_WAITING:
        ids -= selectors.chat_ring_off(ids)  # they switched the chat ring off
    if not ids:
        return []
    recipients = staff_who_can_see(ticket) if ticket is not None else User.objects.filter(is_active=True)
    recipients = list(recipients.filter(pk__in=ids).only("id", "language", "role", "is_active"))
    if ticket is None:
        recipients = [u for u in recipients if is_staff_user(u)]
    if not recipients:
        return []
    by_email = selectors.email_kinds_of([u.pk for u in recipients])
    now = timezone.now()
    actor_id = getattr(actor, "pk", None)
    notifications = Notification.objects.bulk_create([
        Notification(recipient=user, kind=kind, ticket=ticket, actor_id=actor_id, text=text[:MAX_TEXT],
                     created_at=now, email_pending=kind in by_email[user.pk])
        for user in recipients
    ])
    for notification in notifications:
        notification.actor = actor if actor_id else None
    transaction.on_commit(lambda: _push([n.pk for n in notifications]))
    return notifications


def _push(notification_ids: list[int]) -> None:
    """The live payload of each new notification, to its recipient's pages, in their language."""
    notifications = list(Notification.objects.filter(pk__in=notification_ids)
                         .select_related("recipient", "ticket", "actor"))
    if not notifications:
        return
    counts = selectors.unread_counts({n.recipient_id for n in notifications})
    sends = []
    for notification in notifications:
        with override(notification.recipient.language or None):
            payload = {"event": "notification.created", "id": notification.pk, "kind": notification.kind,
                       "sound": "ring" if notification.kind == NotificationKind.CHAT_WAITING else "",
                       "title": wording.headline(notification), "body": wording.details(notification),
                       "url": notification_url(notification), "unread": counts.get(notification.recipient_id, 0)}
        sends.append(([user_group(notification.recipient_id)], payload))
    publish_many(sends)


def notification_url(notification: Notification) -> str:
    return reverse("notifications:open", args=[notification.pk])


def _read_pushed(user) -> None:
    publish_on_commit([([user_group(user.pk)], {"event": "notifications.read",
                                                 "unread": selectors.unread_count(user)})])


def notifications_read(*, user, ids: Iterable[int] | None = None, ticket: Ticket | None = None) -> int:
    """Mark ``user``'s notifications read: those of ``ids``, of ``ticket``, or all. Returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if ticket is not None:
        qs = qs.filter(ticket=ticket)
    changed = qs.update(read_at=timezone.now(), email_pending=False)
    if changed:
        _read_pushed(user)
    return changed


def ticket_opened(user, ticket: Ticket) -> None:
    """``user`` opened ``ticket``: its customer messages so far are read, and so are the
    notifications about it."""
    if not is_staff_user(user):
        return
    # A ticket loaded for its page knows what this agent last read and whether notifications about it
    # wait: opening it again with nothing new writes nothing.
    known = hasattr(ticket, "my_read_at")
    newest = ticket.last_customer_message_at
    if not known or (newest is not None and (ticket.my_read_at is None or ticket.my_read_at < newest)):
        TicketRead.objects.bulk_create([TicketRead(ticket=ticket, user=user, read_at=timezone.now())],
                                       update_conflicts=True, unique_fields=["ticket", "user"],
                                       update_fields=["read_at"])
    if not known or ticket.my_unread_notifications:
        notifications_read(user=user, ticket=ticket)


def ticket_follow(*, user, ticket: Ticket, follow: bool = True) -> None:
    """Start or stop following ``ticket`` (the caller checked that ``user`` may see it)."""
    if follow:
        TicketFollower.objects.get_or_create(user=user, ticket=ticket)
    else:
        TicketFollower.objects.filter(user=user, ticket=ticket).delete()


def preferences_save(*, user, email_kinds: Iterable[str], chat_ring: bool | None = None) -> NotificationPreferences:
    kinds = sorted(set(email_kinds) & set(NotificationKind.values))
    values: dict = {"email_kinds": kinds}
    if chat_ring is not None:
        values["chat_ring"] = bool(chat_ring)
    preferences, _created = NotificationPreferences.objects.update_or_create(user=user, defaults=values)
    return preferences


def send_email_digests() -> int:
    """One mail per agent with the notifications waiting for e-mail that are still unread; the
    others are dropped from the queue. Returns how many mails went out."""
    pending = list(Notification.objects.filter(email_pending=True).select_related("recipient", "ticket", "actor")
                   .order_by("recipient_id", "pk"))
    if not pending:
        return 0
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        by_user.setdefault(notification.recipient_id, []).append(notification)
    sent = 0
    context = email_context()
    for items in by_user.values():
        user = items[0].recipient
        unread = [n for n in items if n.read_at is None]
        if unread and user.email and is_staff_user(user):
            with override(user.language or None):
                lines = [{"headline": wording.headline(n), "details": wording.details(n),
                          "url": context["base_url"] + notification_url(n)} for n in unread]
                mail_context = {**context, "user": user, "lines": lines, "count": len(lines)}
                subject = "".join(loader.render_to_string("notifications/email_subject.txt",
                                                          mail_context).splitlines())
                body = loader.render_to_string("notifications/email.txt", mail_context)
            try:
                EmailMultiAlternatives(subject, body, None, [user.email]).send()
            except Exception:  # one agent's mail failing must not hold back the others'
                logger.exception("notification mail to user %s failed; tried again at the next run", user.pk)
                continue
            sent += 1
        # Cleared after the send: a mail that failed stays pending for the next run.
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(email_pending=False)
    return sent


KEEP_READ_FOR = dt.timedelta(days=90)


def prune_read_notifications(*, now=None) -> int:
    """Delete notifications read more than ``KEEP_READ_FOR`` ago (the list shows the newest anyway).
    Returns how many went."""
    cutoff = (now or timezone.now()) - KEEP_READ_FOR
    deleted, _kinds = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted


def has_old_read_notifications() -> bool:
    return Notification.objects.filter(read_at__lt=timezone.now() - KEEP_READ_FOR).exists()


def has_pending_email() -> bool:
    return Notification.objects.filter(email_pending=True).exists()


def mark_unread(tickets: list) -> None:
    """``ticket.unread``: a customer message came after the assignee last opened the ticket (one
    query for the whole page). The tickets carry ``assignee_id`` and ``last_customer_message_at``."""
    waiting = [t for t in tickets if t.assignee_id and t.last_customer_message_at]
    if not waiting:
        return
    reads = {(ticket_id, user_id): at for ticket_id, user_id, at in TicketRead.objects.filter(
        ticket_id__in=[t.pk for t in waiting], user_id__in={t.assignee_id for t in waiting})
        .values_list("ticket_id", "user_id", "read_at")}
    for ticket in waiting:
        read_at = reads.get((ticket.pk, ticket.assignee_id))
        ticket.unread = read_at is None or read_at < ticket.last_customer_message_at
