"""Sending the community's notices (called by its tasks)."""

from __future__ import annotations

import logging
from itertools import groupby

from django.utils import timezone

from pomoc.community import mail
from pomoc.community.models import Idea, IdeaVote, Subscription

logger = logging.getLogger(__name__)


def subscription_notices_send() -> int:
    """One mail per person for the followed topics with replies since their last notice. Hidden and
    held topics are skipped (and their pending mark cleared)."""
    now = timezone.now()
    pending = list(Subscription.objects.filter(pending_since__lte=now).select_related("topic", "user")
                   .order_by("user_id", "topic_id"))
    sent = 0
    for _user_id, group in groupby(pending, key=lambda s: s.user_id):
        subscriptions = list(group)
        user = subscriptions[0].user
        readable = [s for s in subscriptions if s.topic.public and user.is_active]
        try:
            if readable and mail.send_topic_notice(user, readable):
                sent += 1
        except Exception:  # one address failing never blocks the others; the mark stays for a retry
            logger.exception("community notice to user %s failed", user.pk)
            continue
        Subscription.objects.filter(pk__in=[s.pk for s in subscriptions], pending_since__lte=now).update(
            pending_since=None, last_notified_at=now)
    return sent


def idea_voters_notify(idea_id: int, status: str) -> int:
    claimed = Idea.objects.filter(pk=idea_id, status=status).exclude(notified_status=status).update(
        notified_status=status)
    if not claimed:  # the status changed again since, or this notice went out already
        return 0
    idea = Idea.objects.get(pk=idea_id)
    sent = 0
    votes = IdeaVote.objects.filter(idea=idea).exclude(user_id=idea.answered_by_id).select_related("user")
    for vote in votes:
        if not vote.user.is_active:
            continue
        try:
            sent += mail.send_idea_status(vote.user, idea)
        except Exception:
            logger.exception("idea status notice to user %s failed", vote.user_id)
    return sent
