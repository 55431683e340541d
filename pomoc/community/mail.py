"""The community's mails: batched notices of new replies to followed topics and idea status changes.

Each is written in the reader's language and carries links built from POMOC_BASE_URL, never from a
request."""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import reverse
from django.utils.translation import override

from pomoc.community.links import absolute, unsubscribe_url
from pomoc.core.models import OrganisationSettings

logger = logging.getLogger(__name__)


def _send(user, template: str, context: dict, headers: dict | None = None) -> bool:
    if not user.email:
        return False
    context = {**context, "site_name": OrganisationSettings.get().name, "user": user}
    with override(user.language or None):
        subject = "".join(loader.render_to_string(f"community/mail/{template}_subject.txt", context).splitlines())
        body = loader.render_to_string(f"community/mail/{template}.txt", context)
    EmailMultiAlternatives(subject, body, None, [user.email], headers=headers or {}).send()
    return True


def send_topic_notice(user, subscriptions: list) -> bool:
    """One mail for all the followed topics that got replies since the last notice."""
    items = [{"title": s.topic.title, "url": absolute(reverse("community:topic", args=[s.topic_id])),
              "unsubscribe": unsubscribe_url(s)} for s in subscriptions]
    headers = {"List-Unsubscribe": f"<{items[0]['unsubscribe']}>"} if len(items) == 1 else {}
    return _send(user, "topic_notice", {"items": items}, headers)


def send_idea_status(user, idea) -> bool:
    return _send(user, "idea_status", {"idea": idea, "url": absolute(reverse("ideas:idea", args=[idea.pk]))})
