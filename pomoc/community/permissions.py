"""Who sees and who does what in the community: pages ask here, never the models.

Hidden and held posts (and merged ideas) exist only for agents and, for held ones, their author; to
everyone else they answer 404 like a missing one. Agents moderate; administrators configure the
categories; signed-in customers who are not banned post, reply and vote."""

from django.db.models import Q, QuerySet
from django.http import Http404

from pomoc.accounts.models import Role
from pomoc.community.models import Ban, Idea, Reply, Topic
from pomoc.tickets.permissions import is_staff_user


def moderates(user) -> bool:
    return is_staff_user(user)


def configures(user) -> bool:
    return is_staff_user(user) and user.role == Role.ADMINISTRATOR


def is_banned(user) -> bool:
    return bool(user and user.is_authenticated) and Ban.objects.filter(user=user).exists()


def may_post(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and not is_banned(user)


def _public_q(user) -> Q | None:
    """A filter for the posts ``user`` sees: None means all (agents)."""
    if moderates(user):
        return None
    q = Q(hidden=False, held=False)
    if user and user.is_authenticated:
        q |= Q(hidden=False, held=True, author=user)
    return q


def visible_topics(user, queryset: QuerySet[Topic] | None = None) -> QuerySet[Topic]:
    qs = Topic.objects.all() if queryset is None else queryset
    q = _public_q(user)
    return qs if q is None else qs.filter(q)


def visible_replies(user, queryset: QuerySet[Reply]) -> QuerySet[Reply]:
    q = _public_q(user)
    return queryset if q is None else queryset.filter(q)


def visible_ideas(user, queryset: QuerySet[Idea] | None = None) -> QuerySet[Idea]:
    qs = Idea.objects.all() if queryset is None else queryset
    q = _public_q(user)
    return qs if q is None else qs.filter(q)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def access_topic(user, topic_id, *, for_update: bool = False) -> Topic:
    """The topic, if ``user`` may see it; Http404 otherwise (hidden and missing alike)."""
    qs = visible_topics(user).select_related("category", "author", "accepted_reply__author", "ticket")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    topic = qs.filter(pk=_int(topic_id)).first()
    if topic is None:
        raise Http404
    return topic


def access_reply(user, reply_id) -> Reply:
    reply = visible_replies(user, Reply.objects.select_related("topic", "author")).filter(pk=_int(reply_id)).first()
    if reply is None or not visible_topics(user).filter(pk=reply.topic_id).exists():
        raise Http404
    return reply


def access_idea(user, idea_id) -> Idea:
    """The idea, if ``user`` may see it. A merged idea stays reachable: its page leads to the target."""
    idea = visible_ideas(user).select_related("author", "answered_by", "merged_into").filter(
        pk=_int(idea_id)).first()
    if idea is None:
        raise Http404
    return idea
