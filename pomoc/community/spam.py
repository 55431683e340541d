"""Spam limits for the community: a ceiling on posts per account per hour, and links from new
accounts held until an agent lets them through. (The honeypot field is the forms'.)"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from pomoc.community.rendering import has_links
from pomoc.tickets.permissions import is_staff_user


class TooManyPosts(Exception):
    """The account wrote more than the hourly ceiling allows."""


def posts_per_hour() -> int:
    return settings.POMOC_COMMUNITY_POSTS_PER_HOUR


def new_account_days() -> int:
    return settings.POMOC_COMMUNITY_NEW_ACCOUNT_DAYS


def check_rate(user) -> None:
    """Raise TooManyPosts when ``user`` has posted (topics, replies, ideas) the hourly ceiling."""
    if is_staff_user(user):
        return
    from pomoc.community.models import Idea, Reply, Topic

    since = timezone.now() - dt.timedelta(hours=1)
    written = sum(model.objects.filter(author=user, created_at__gte=since).count() for model in (Topic, Reply, Idea))
    if written >= posts_per_hour():
        raise TooManyPosts


def should_hold(user, *texts: str) -> bool:
    """A new account's post with a link waits for an agent."""
    if is_staff_user(user):
        return False
    joined = getattr(user, "date_joined", None) or timezone.now()
    if timezone.now() - joined >= dt.timedelta(days=new_account_days()):
        return False
    return any(has_links(text) for text in texts)
