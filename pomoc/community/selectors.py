"""Reads of the forum and ideas: lists that cost the same number of queries however long they are."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet

from pomoc.community.models import (
    Category,
    Idea,
    IdeaStatus,
    IdeaVote,
    Reply,
    ReplyVote,
    Subscription,
    Topic,
    TopicVote,
)
from pomoc.community.permissions import visible_ideas, visible_replies, visible_topics

PAGE_SIZE = 25


def categories() -> list[Category]:
    return list(Category.objects.all())


def topic_page(user, *, category: Category | None = None, page: str | int | None = 1, query: QuerySet | None = None):
    qs = visible_topics(user, query).select_related("category", "author")
    if category is not None:
        qs = qs.filter(category=category)
    qs = qs.order_by("-pinned", "-last_activity_at", "-pk")
    return Paginator(qs, PAGE_SIZE).get_page(page)


def topic_replies(user, topic: Topic) -> list[Reply]:
    return list(visible_replies(user, topic.replies.select_related("author").prefetch_related("files")))


def voted_topic(user, topic: Topic) -> bool:
    return bool(user.is_authenticated) and TopicVote.objects.filter(topic=topic, user=user).exists()


def voted_replies(user, replies: list[Reply]) -> set[int]:
    if not user.is_authenticated or not replies:
        return set()
    votes = ReplyVote.objects.filter(user=user, reply__in=[r.pk for r in replies])
    return set(votes.values_list("reply_id", flat=True))


def follows(user, topic: Topic) -> bool:
    return bool(user.is_authenticated) and Subscription.objects.filter(topic=topic, user=user).exists()


IDEA_SORTS = {"top": ("-vote_count", "-created_at", "-pk"), "new": ("-created_at", "-pk")}


def idea_page(user, *, status: str = "", sort: str = "top", page: str | int | None = 1):
    qs = visible_ideas(user).filter(merged_into__isnull=True).select_related("author")
    if status in IdeaStatus.values:
        qs = qs.filter(status=status)
    qs = qs.order_by(*IDEA_SORTS.get(sort, IDEA_SORTS["top"]))
    return Paginator(qs, PAGE_SIZE).get_page(page)


def voted_ideas(user, ideas) -> set[int]:
    if not user.is_authenticated:
        return set()
    ids = [idea.pk for idea in ideas]
    return set(IdeaVote.objects.filter(user=user, idea__in=ids).values_list("idea_id", flat=True)) if ids else set()


def moderation_queue() -> dict:
    """What waits for an agent: held posts, and the latest hidden ones."""
    return {
        "held_topics": list(Topic.objects.filter(held=True).select_related("author", "category")
                            .order_by("created_at")[:100]),
        "held_replies": list(Reply.objects.filter(held=True).select_related("author", "topic")
                             .order_by("created_at")[:100]),
        "held_ideas": list(Idea.objects.filter(held=True).select_related("author").order_by("created_at")[:100]),
        "hidden_topics": list(Topic.objects.filter(hidden=True).select_related("author", "category")
                              .order_by("-last_activity_at")[:50]),
        "new_ideas": list(Idea.objects.filter(status=IdeaStatus.NEW, merged_into__isnull=True, hidden=False, held=False)
                          .select_related("author").order_by("-vote_count", "-created_at")[:20]),
        "recent_topics": list(Topic.objects.filter(hidden=False, held=False).select_related("author", "category")
                              .order_by("-last_activity_at")[:20]),
    }


