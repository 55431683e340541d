"""Editing posts: who may edit what and until when, and the edits themselves.

A customer edits their own topic, reply or idea for ``POMOC_COMMUNITY_EDIT_HOURS`` (24) after posting
it, and only until somebody answered it: a topic until another person's reply is public, a reply until
a later reply by another person is public (or it was accepted as the answer), an idea until an agent
set its status or an official answer. A locked topic (and its replies) and a merged idea are not
edited by their authors any more. Agents (moderators) edit any post at any time.

Every edit keeps the previous version as a ``Revision`` (read by moderators only), marks the post
``edited_at``/``edited_by``, renders it again and refreshes the search index. A new account's edit that
adds a link is held for a moderator, like a new post with one.

An edit also adds files (checked and limited as when posting: ``pomoc.community.files``) and removes
the post's files; the revision records which (name, type, size, SHA-256), and a removed file's bytes
are deleted once the edit has committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.community import files as post_files
from pomoc.community import indexing, spam
from pomoc.community.models import Idea, IdeaStatus, PostFile, Reply, Revision, Topic
from pomoc.community.permissions import moderates
from pomoc.community.rendering import has_links, render
from pomoc.community.services import _check_writer, clean_body, clean_title
from pomoc.core import refusals
from pomoc.core.ids import is_id
from pomoc.core.transactional_files import delete_after_commit
from pomoc.tickets.permissions import PermissionDenied

Post = Topic | Reply | Idea


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


def edit_refusal(post: Post, user) -> str | None:
    """Why ``user`` may not edit ``post`` (a topic, reply or idea) now, or None when they may."""
    if isinstance(post, Topic):
        return topic_edit_refusal(post, user)
    if isinstance(post, Reply):
        return reply_edit_refusal(post, user)
    return idea_edit_refusal(post, user)


def _check(refusal: str | None, user) -> None:
    _check_writer(user)
    if refusal:
        raise PermissionDenied(refusal)


def _hold(user, old_texts: tuple[str, ...], new_texts: tuple[str, ...]) -> bool:
    """A new account's edit that brings a link where there was none waits for a moderator."""
    return not any(has_links(t) for t in old_texts) and spam.should_hold(user, *new_texts)


def _file_ids(remove_files: Iterable[PostFile | int | str]) -> set[int]:
    ids = set()
    for item in remove_files:
        value = item.pk if isinstance(item, PostFile) else item
        if not is_id(value):
            raise _not_its_file()
        ids.add(int(value))
    return ids


def _not_its_file():
    return refusals.invalid_reference("remove_files", _("That file is not attached to this post."))


def _rewrite(post: Post, field: str, actor, *, body: str, title: str | None, add: list, remove: set[int]
             ) -> list[PostFile]:
    """Keep the current version for moderators (with the files this edit adds and removes) and write
    the new one (held for a moderator when a new account adds a link). ``title`` None: the post has none
    (a reply). Answers the files added."""
    list(type(post).objects.select_for_update().filter(pk=post.pk).values_list("pk"))  # one edit at a time
    removing = list(post.files.filter(pk__in=remove))
    if len(removing) != len(remove):
        raise _not_its_file()
    post_files.check_room(post, len(add), len(removing))
    added = post_files.store(files=add, actor=actor, **{field: post})
    titled = title is not None
    Revision.objects.create(**{field: post}, title=post.title if titled else "", body=post.body,
                            body_html=post.body_html, replaced_by=actor,
                            files_added=[post_files.describe(f) for f in added],
                            files_removed=[post_files.describe(f) for f in removing])
    if removing:
        PostFile.objects.filter(pk__in=[f.pk for f in removing]).delete()
        delete_after_commit(removing[0].file.storage, [f.file.name for f in removing])
    fields = ["edited_at", "edited_by"]
    old, new = ((post.title, post.body), (title, body)) if titled else ((post.body,), (body,))
    if old != new:
        if not post.held and _hold(actor, old, new):
            post.held = True
            fields.append("held")
        if titled:
            post.title = title
            fields.append("title")
        post.body, post.body_html = body, render(body)
        fields += ["body", "body_html"]
    post.edited_at, post.edited_by = timezone.now(), actor
    post.save(update_fields=fields)
    return added


def _edit(post: Post, actor, *, title: str | None, body: str | None, add_files: Sequence,
          remove_files: Iterable) -> list[PostFile]:
    """Check, then change ``post``'s text (None: as it is) and files in one step, kept as one revision."""
    field = "topic" if isinstance(post, Topic) else "reply" if isinstance(post, Reply) else "idea"
    _check(edit_refusal(post, actor), actor)
    titled = field != "reply"
    title = (post.title if title is None else clean_title(title)) if titled else None
    body = post.body if body is None else clean_body(body)
    add, remove = post_files.checked(add_files), _file_ids(remove_files)
    text_changed = (title, body) != (post.title, post.body) if titled else body != post.body
    if not (text_changed or add or remove):
        return []
    with transaction.atomic():
        was_public = post.public
        added = _rewrite(post, field, actor, body=body, title=title, add=add, remove=remove)
        if field == "reply" and was_public and not post.public:
            Topic.objects.filter(pk=post.topic_id).update(reply_count=F("reply_count") - 1)
        # a topic's search document holds its title and first post (not its replies), an idea's its text
        if text_changed and field == "topic":
            indexing.topic_changed(post.pk)
        elif text_changed and field == "idea":
            indexing.idea_changed(post.pk)
    return added


def topic_edit(*, topic: Topic, actor, title: str, body: str, add_files: Sequence = (),
               remove_files: Iterable = ()) -> Topic:
    """Change a topic's title and text, add files and remove some of its files (ids); the previous
    version is kept for moderators."""
    _edit(topic, actor, title=title, body=body, add_files=add_files, remove_files=remove_files)
    return topic


def reply_edit(*, reply: Reply, actor, body: str, add_files: Sequence = (), remove_files: Iterable = ()) -> Reply:
    """Change a reply's text and files; the previous version is kept for moderators."""
    _edit(reply, actor, title=None, body=body, add_files=add_files, remove_files=remove_files)
    return reply


def idea_edit(*, idea: Idea, actor, title: str, body: str, add_files: Sequence = (),
              remove_files: Iterable = ()) -> Idea:
    """Change an idea's title, description and files; the previous version is kept for moderators."""
    _edit(idea, actor, title=title, body=body, add_files=add_files, remove_files=remove_files)
    return idea


def files_add(*, post: Post, actor, files: Sequence) -> list[PostFile]:
    """Attach ``files`` to a post (an edit: the same checks, and a revision that records them)."""
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    return _edit(post, actor, title=None, body=None, add_files=files, remove_files=())


def file_remove(*, item: PostFile, actor) -> None:
    """Take a file off its post (an edit); its bytes are deleted once the edit has committed."""
    _edit(item.post, actor, title=None, body=None, add_files=(), remove_files=[item.pk])


def revisions(post) -> list[Revision]:
    """The earlier versions of a post, newest first (for moderators: the views check)."""
    return list(post.revisions.select_related("replaced_by"))
