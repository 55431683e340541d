"""How a notification reads, in the language active when it is shown (page, browser, e-mail)."""

from django.utils.translation import gettext as _

from pomoc.notifications.models import Notification, NotificationKind


def headline(notification: Notification) -> str:
    number = notification.ticket.number if notification.ticket_id else ""
    actor = notification.actor.display_name if notification.actor_id else ""
    kind = notification.kind
    if kind == NotificationKind.ASSIGNED:
        if actor:
            return _("%(actor)s assigned ticket #%(number)s to you") % {"actor": actor, "number": number}
        return _("Ticket #%(number)s was assigned to you") % {"number": number}
    if kind == NotificationKind.CUSTOMER_REPLIED:
        return _("The customer replied on ticket #%(number)s") % {"number": number}
    if kind == NotificationKind.MENTIONED:
        return _("%(actor)s mentioned you on ticket #%(number)s") % {"actor": actor or _("Somebody"),
                                                                     "number": number}
    if kind == NotificationKind.FOLLOWED_TICKET_CHANGED:
        return _("Ticket #%(number)s, which you follow, changed") % {"number": number}
    # Kinds added by other apps say it all in their text.
    return notification.text or str(notification.get_kind_display())


def details(notification: Notification) -> str:
    """The ticket's subject and the notification's own text, as one line."""
    parts = [notification.ticket.subject] if notification.ticket_id else []
    if notification.text and notification.text != headline(notification):
        parts.append(notification.text)
    return " · ".join(parts)
