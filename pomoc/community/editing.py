"""Editing posts: who may edit what and until when, and the edits themselves.

A customer edits their own topic, reply or idea for ``POMOC_COMMUNITY_EDIT_HOURS`` (24) after posting
it, and only until somebody answered it: a topic until another person's reply is public, a reply until
a later reply by another person is public (or it was accepted as the answer), an idea until an agent
set its status or an official answer. A locked topic (and its replies) and a merged idea are not
edited by their authors any more. Agents (moderators) edit any post at any time.

Every edit keeps the previous version as a ``Revision`` (read by moderators only), marks the post
``edited_at``/``edited_by``, renders it again and refreshes the search index. A new account's edit that
adds a link is held for a moderator, like a new post with one."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.community import indexing, spam
from pomoc.community.models import Idea, IdeaStatus, Reply, Revision, Topic
from pomoc.community.permissions import moderates
from pomoc.community.rendering import has_links, render
from pomoc.community.services import _check_writer, clean_body, clean_title
from pomoc.tickets.permissions import PermissionDenied


def edit_window() -> dt.timedelta:
    return dt.timedelta(hours=settings.POMOC_COMMUNITY_EDIT_HOURS)


def _own_and_recent(post, user) -> str | None:
    if not user or not user.is_authenticated or post.author_id != user.pk:
        return _("Only the author or a moderator can edit this.")
    if timezone.now() - post.created_at > edit_window():
        return _("It can no longer be edited: posts can be edited for %(hours)d hours.") % {
            "hours": settings.POMOC_COMMUNITY_EDIT_HOURS}
    return None


def _answered(replies, author_id: int, after=None) -> bool:
    return any(r.public and r.author_id != author_id and (after is None or (r.created_at, r.pk) > after)
               for r in replies)


def topic_edit_refusal(topic: Topic, user, replies: list[Reply] | None = None) -> str | None:
    """Why ``user`` may not edit ``topic`` now, or None when they may. ``replies`` (the topic's, as
    the page already read them) saves a query."""
    if moderates(user):
        return None
    refusal = _own_and_recent(topic, user)
    if refusal:
        return refusal
    if topic.locked:
        return _("This topic is locked.")
    if replies is None:
        replies = list(Reply.objects.filter(topic=topic, hidden=False, held=False).exclude(author_id=topic.author_id))
    if _answered(replies, topic.author_id):
        return _("Somebody has answered already, so it can no longer be edited.")
    return None


def reply_edit_refusal(reply: Reply, user, replies: list[Reply] | None = None,
                       topic: Topic | None = None) -> str | None:
    if moderates(user):
        return None
    refusal = _own_and_recent(reply, user)
    if refusal:
        return refusal
    topic = topic or reply.topic
    if topic.locked:
        return _("This topic is locked.")
    if topic.accepted_reply_id == reply.pk:
        return _("This reply was accepted as the answer, so it can no longer be edited.")
    if replies is None:
        replies = list(Reply.objects.filter(topic_id=reply.topic_id, hidden=False, held=False,
                                            created_at__gte=reply.created_at).exclude(author_id=reply.author_id))
    if _answered(replies, reply.author_id, after=(reply.created_at, reply.pk)):
        return _("Somebody has answered already, so it can no longer be edited.")
    return None


def editable(user, topic: Topic, replies: list[Reply]) -> tuple[bool, set[int]]:
    """Whether ``user`` may edit ``topic``, and which of ``replies`` (all the topic's replies the user
    sees): no query."""
    if not user.is_authenticated:
        return False, set()
    return (topic_edit_refusal(topic, user, replies) is None,
            {r.pk for r in replies if reply_edit_refusal(r, user, replies, topic) is None})


def idea_edit_refusal(idea: Idea, user) -> str | None:
    if moderates(user):
        return None
    refusal = _own_and_recent(idea, user)
    if refusal:
        return refusal
    if idea.merged_into_id is not None:
        return _("This idea was merged into another one.")
    if idea.status != IdeaStatus.NEW or idea.answered_at is not None:
        return _("Somebody has answered already, so it can no longer be edited.")
    return None


def _check(refusal: str | None, user) -> None:
    _check_writer(user)
    if refusal:
        raise PermissionDenied(refusal)


def _hold(user, old_texts: tuple[str, ...], new_texts: tuple[str, ...]) -> bool:
    """A new account's edit that brings a link where there was none waits for a moderator."""
    return not any(has_links(t) for t in old_texts) and spam.should_hold(user, *new_texts)


def _keep(post, field: str, actor, title: str = "") -> None:
    Revision.objects.create(**{field: post}, title=title, body=post.body, body_html=post.body_html,
                            replaced_by=actor)


def _rewrite(post, field: str, actor, *, body: str, title: str | None = None) -> None:
    """Keep the current version for moderators and write the new one (held for a moderator when a
    new account adds a link). ``title`` None: the post has none (a reply)."""
    titled = title is not None
    _keep(post, field, actor, title=post.title if titled else "")
    old, new = ((post.title, post.body), (title, body)) if titled else ((post.body,), (body,))
    hold = not post.held and _hold(actor, old, new)
    fields = ["body", "body_html", "edited_at", "edited_by"]
    if titled:
        post.title = title
        fields.append("title")
    post.body, post.body_html = body, render(body)
    post.edited_at, post.edited_by = timezone.now(), actor
    if hold:
        post.held = True
        fields.append("held")
    post.save(update_fields=fields)


def topic_edit(*, topic: Topic, actor, title: str, body: str) -> Topic:
    """Change a topic's title and text; the previous version is kept for moderators."""
    _check(topic_edit_refusal(topic, actor), actor)
    title, body = clean_title(title), clean_body(body)
    if (title, body) == (topic.title, topic.body):
        return topic
    with transaction.atomic():
        _rewrite(topic, "topic", actor, title=title, body=body)
        indexing.topic_changed(topic.pk)
    return topic


def reply_edit(*, reply: Reply, actor, body: str) -> Reply:
    """Change a reply's text; the previous version is kept for moderators."""
    _check(reply_edit_refusal(reply, actor), actor)
    body = clean_body(body)
    if body == reply.body:
        return reply
    with transaction.atomic():
        was_public = reply.public
        _rewrite(reply, "reply", actor, body=body)
        if was_public and not reply.public:
            Topic.objects.filter(pk=reply.topic_id).update(reply_count=F("reply_count") - 1)
        # the topic's search document holds the title and first post only: nothing to refresh
    return reply


def idea_edit(*, idea: Idea, actor, title: str, body: str) -> Idea:
    """Change an idea's title and description; the previous version is kept for moderators."""
    _check(idea_edit_refusal(idea, actor), actor)
    title, body = clean_title(title), clean_body(body)
    if (title, body) == (idea.title, idea.body):
        return idea
    with transaction.atomic():
        _rewrite(idea, "idea", actor, title=title, body=body)
        indexing.idea_changed(idea.pk)
    return idea


def revisions(post) -> list[Revision]:
    """The earlier versions of a post, newest first (for moderators: the views check)."""
    return list(post.revisions.select_related("replaced_by"))
