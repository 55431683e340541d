"""The built-in texts of follow-ups (used when a policy leaves its own text empty), and the hook
the surveys put their rating link into."""

from collections.abc import Callable

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


def _survey_rating_link(ticket) -> str:
    from pomoc.surveys.services import rating_link_for

    return rating_link_for(ticket)


_rating_link: Callable = _survey_rating_link


def set_rating_link(func: Callable) -> None:
    """Replace how the rating request's ``{{ rating.link }}`` is made: ``func(ticket) -> str``. By default
    it is the ticket's signed CSAT link from the surveys (``surveys.services.rating_link_for``)."""
    global _rating_link
    _rating_link = func


def rating_link(ticket) -> str:
    return _rating_link(ticket)
