"""Agent presence: online, away or offline (see ``AgentPresence``).

An agent is *seen* while a page of theirs is open (the live socket's connect and pings call
``presence_seen``): seen and not away means online. They choose *away* themselves and stay away until
they choose online again. Not seen for ``OFFLINE_AFTER`` makes them offline (``presence_expire``, run
every minute by the scheduler). Each change returns what changed, so that routing can hand the
agent's new, unanswered tickets back to the queue.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from pomoc.accounts.models import AgentPresence, Presence

OFFLINE_AFTER = dt.timedelta(minutes=3)
SEEN_WRITE_EVERY = dt.timedelta(seconds=30)  # pings come every 25 s: at most one write per half minute


def presence_choose(user, status: str, *, now: dt.datetime | None = None) -> tuple[str, str]:
    """The agent chooses online or away (or offline, signing off); returns (before, after)."""
    if status not in Presence.values:
        raise ValueError(status)
    now = now or timezone.now()
    with transaction.atomic():
        presence, _created = AgentPresence.objects.select_for_update().get_or_create(user=user)
        before = presence.status
        presence.status = status
        presence.away_chosen = status == Presence.AWAY
        presence.changed_at = now
        if status == Presence.ONLINE:
            presence.last_seen_at = now
        presence.save()
    cache.delete(_seen_key(user.pk))
    return before, status


def _seen_key(user_id: int) -> str:
    return f"pomoc:presence:seen:{user_id}"


def presence_seen(user_id: int, *, now: dt.datetime | None = None) -> bool:
    """A page of the agent's is open. Returns True when this made them online (from offline)."""
    if not cache.add(_seen_key(user_id), 1, int(SEEN_WRITE_EVERY.total_seconds())):
        return False  # written less than half a minute ago
    now = now or timezone.now()
    AgentPresence.objects.get_or_create(user_id=user_id)
    came_online = AgentPresence.objects.filter(user_id=user_id, status=Presence.OFFLINE, away_chosen=False).update(
        status=Presence.ONLINE, changed_at=now, last_seen_at=now)
    if came_online:
        return True
    # back after being away and then gone: away again, as they left it
    if not AgentPresence.objects.filter(user_id=user_id, status=Presence.OFFLINE, away_chosen=True).update(
            status=Presence.AWAY, changed_at=now, last_seen_at=now):
        AgentPresence.objects.filter(user_id=user_id).update(last_seen_at=now)
    return False


def presence_expire(*, now: dt.datetime | None = None) -> list[int]:
    """Agents not seen for ``OFFLINE_AFTER`` become offline; returns their user ids."""
    now = now or timezone.now()
    stale = AgentPresence.objects.filter(status__in=(Presence.ONLINE, Presence.AWAY)).exclude(
        last_seen_at__gte=now - OFFLINE_AFTER)
    user_ids = list(stale.values_list("user_id", flat=True))
    if user_ids:
        AgentPresence.objects.filter(user_id__in=user_ids).update(status=Presence.OFFLINE, changed_at=now)
        cache.delete_many([_seen_key(user_id) for user_id in user_ids])
    return user_ids
