"""The built-in texts of follow-ups (used when a policy leaves its own text empty), and the hook
the surveys put their rating link into."""

from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pomoc.automation.followups.models import FollowUpKind

DEFAULT_TEXTS = {
    FollowUpKind.ACKNOWLEDGEMENT: _(
        "Hello {{ customer.first_name }},\n\nthank you for your message. We have received it as ticket "
        "#{{ ticket.number }} ({{ ticket.subject }}) and will answer as soon as we can. If you write to us "
        "about it again, simply reply to this message.\n\n{{ organisation.name }}"),
    FollowUpKind.REMINDER: _(
        "Hello {{ customer.first_name }},\n\nwe are still waiting for your answer about ticket "
        "#{{ ticket.number }} ({{ ticket.subject }}). Reply to this message and we will carry on.\n\n"
        "{{ organisation.name }}"),
    FollowUpKind.RATING_REQUEST: _(
        "Hello {{ customer.first_name }},\n\nyour ticket #{{ ticket.number }} ({{ ticket.subject }}) is "
        "resolved. How did we do? Tell us here: {{ rating.link }}\n\n{{ organisation.name }}"),
}


def _placeholder_rating_link(ticket) -> str:
    return f"{settings.POMOC_BASE_URL.rstrip('/')}/rate/{ticket.number}/"


_rating_link: Callable = _placeholder_rating_link


def set_rating_link(func: Callable) -> None:
    """THE HOOK for surveys: ``func(ticket) -> str`` gives the signed link of the rating form that the
    rating request carries as ``{{ rating.link }}``. Until surveys install one, the link is a
    placeholder (``<POMOC_BASE_URL>/rate/<number>/``)."""
    global _rating_link
    _rating_link = func


def rating_link(ticket) -> str:
    return _rating_link(ticket)
