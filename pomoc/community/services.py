"""Every write of the forum. Side effects (search index, notices) run after commit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pomoc.community import indexing, spam
from pomoc.community.models import Ban, Category, Reply, ReplyVote, Subscription, Topic, TopicVote
from pomoc.community.permissions import is_banned, moderates
from pomoc.community.rendering import render
from pomoc.core import refusals
from pomoc.core.sanitize import html_to_text
from pomoc.core.text import check_line, check_text
from pomoc.tickets.permissions import PermissionDenied, is_staff_user

TITLE_MAX = 200
BODY_MAX = 20000


def _check_writer(user) -> None:
    if not user or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Sign in to take part in the community."))
    if is_banned(user):
        raise PermissionDenied(_("Your account may no longer post in the community."))


def clean_title(title: str) -> str:
    title = check_line((title or "").strip())
    if not title:
        raise ValidationError({"title": _("Give it a title.")})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("The title is too long (%(max)d characters at most).") % {"max": TITLE_MAX}})
    return title


def clean_body(body: str, field: str = "body") -> str:
    body = check_text((body or "").strip())
    if not body:
        raise ValidationError({field: _("Write something first.")})
    if len(body) > BODY_MAX:
        raise ValidationError({field: _("The text is too long (%(max)d characters at most).") % {"max": BODY_MAX}})
    return body


def topic_create(*, author, category: Category, title: str, body: str, language: str | None = None,
                 files=()) -> Topic:
    """A new topic by ``author`` (who follows it from now on), with ``files`` (uploads or bytes with a
    ``name``: ``pomoc.community.files``). A new account's links are held for an agent; more posts
    than the hourly ceiling raise ``spam.TooManyPosts``."""
    from pomoc.community import files as post_files

    _check_writer(author)
    title, body = clean_title(title), clean_body(body)
    checked = post_files.checked(files)
    spam.check_rate(author)
    now = timezone.now()
    with transaction.atomic():
        topic = Topic.objects.create(
            category=category, title=title, body=body, body_html=render(body), author=author,
            by_staff=is_staff_user(author), language=(language or get_language() or "")[:10],
            created_at=now, last_activity_at=now, held=spam.should_hold(author, title, body))
        Subscription.objects.create(topic=topic, user=author)
        post_files.store(files=checked, actor=author, topic=topic)
        indexing.topic_changed(topic.pk)
    return topic


def reply_create(*, topic: Topic, author, body: str, files=()) -> Reply:
    """A reply to ``topic`` (with ``files``, as for a topic); its followers get a notice in the next
    batch (unless it is held)."""
    from pomoc.community import files as post_files

    _check_writer(author)
    body = clean_body(body)
    checked = post_files.checked(files)
    if topic.locked and not moderates(author):
        raise PermissionDenied(_("This topic is locked: it takes no more replies."))
    spam.check_rate(author)
    now = timezone.now()
    with transaction.atomic():
        reply = Reply.objects.create(topic=topic, body=body, body_html=render(body), author=author,
                                     by_staff=is_staff_user(author), created_at=now,
                                     held=spam.should_hold(author, body))
        post_files.store(files=checked, actor=author, reply=reply)
        if not reply.held:
            _reply_published(reply, now)
        Subscription.objects.get_or_create(topic=topic, user=author)
    return reply


def _reply_published(reply: Reply, now) -> None:
    Topic.objects.filter(pk=reply.topic_id).update(reply_count=F("reply_count") + 1, last_activity_at=now)
    Subscription.objects.filter(topic_id=reply.topic_id, pending_since__isnull=True).exclude(
        user_id=reply.author_id).update(pending_since=now)


def _toggle(model, user, **target) -> bool:
    """Add ``user``'s vote, or take it back; True when the vote now exists."""
    deleted, _rows = model.objects.filter(user=user, **target).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            model.objects.create(user=user, **target)
    except IntegrityError:  # a double click that raced: the vote is there either way
        return True
    return True


def topic_vote_toggle(*, topic: Topic, user) -> bool:
    _check_writer(user)
    with transaction.atomic():
        voted = _toggle(TopicVote, user, topic=topic)
        Topic.objects.filter(pk=topic.pk).update(vote_count=TopicVote.objects.filter(topic=topic).count())
    return voted


def reply_vote_toggle(*, reply: Reply, user) -> bool:
    _check_writer(user)
    with transaction.atomic():
        voted = _toggle(ReplyVote, user, reply=reply)
        Reply.objects.filter(pk=reply.pk).update(vote_count=ReplyVote.objects.filter(reply=reply).count())
    return voted


def answer_accept(*, topic: Topic, reply: Reply | None, actor) -> Topic:
    """Mark ``reply`` as the topic's answer (None takes the mark away): the topic's author or an agent."""
    if not (moderates(actor) or topic.author_id == getattr(actor, "pk", None)):
        raise PermissionDenied(_("Only the topic's author or an agent can choose the answer."))
    if reply is not None and (reply.topic_id != topic.pk or not reply.public):
        raise refusals.invalid_reference("reply", _("That reply is not part of this topic."))
    topic.accepted_reply = reply
    topic.save(update_fields=["accepted_reply"])
    return topic


def subscription_toggle(*, topic: Topic, user) -> bool:
    """Follow ``topic`` or stop following it; True when ``user`` follows it now."""
    if not user or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to follow topics."))
    deleted, _rows = Subscription.objects.filter(topic=topic, user=user).delete()
    if deleted:
        return False
    Subscription.objects.get_or_create(topic=topic, user=user)
    return True


def unsubscribe(subscription_id: int) -> bool:
    return bool(Subscription.objects.filter(pk=subscription_id).delete()[0])


# --- moderation ----------------------------------------------------------------------------------
TOPIC_ACTIONS = {
    "hide": {"hidden": True}, "show": {"hidden": False}, "approve": {"held": False},
    "lock": {"locked": True}, "unlock": {"locked": False}, "pin": {"pinned": True}, "unpin": {"pinned": False},
}


def _moderator(actor) -> None:
    if not moderates(actor):
        raise PermissionDenied(_("Only agents moderate the community."))


def topic_moderate(*, topic: Topic, actor, action: str, category: Category | None = None) -> Topic:
    """Hide, show, approve (a held one), lock, unlock, pin, unpin or move (to ``category``) a topic."""
    _moderator(actor)
    if action == "move":
        if category is None:
            raise refusals.invalid_reference("category", _("Choose the category to move the topic to."))
        changes = {"category": category}
    elif action in TOPIC_ACTIONS:
        changes = TOPIC_ACTIONS[action]
    else:
        raise ValidationError({"action": _("Unknown moderation action.")})
    with transaction.atomic():
        for name, value in changes.items():
            setattr(topic, name, value)
        topic.save(update_fields=list(changes))
        indexing.topic_changed(topic.pk)
    return topic


def reply_moderate(*, reply: Reply, actor, action: str) -> Reply:
    """Hide, show or approve (a held one) a reply; the topic's counter follows what is public."""
    _moderator(actor)
    changes = {"hide": {"hidden": True}, "show": {"hidden": False}, "approve": {"held": False}}.get(action)
    if changes is None:
        raise ValidationError({"action": _("Unknown moderation action.")})
    with transaction.atomic():
        was_public = reply.public
        for name, value in changes.items():
            setattr(reply, name, value)
        reply.save(update_fields=list(changes))
        if reply.public and not was_public:
            if action == "approve":
                _reply_published(reply, timezone.now())
            else:
                Topic.objects.filter(pk=reply.topic_id).update(reply_count=F("reply_count") + 1)
        elif was_public and not reply.public:
            Topic.objects.filter(pk=reply.topic_id).update(reply_count=F("reply_count") - 1)
            Topic.objects.filter(pk=reply.topic_id, accepted_reply=reply).update(accepted_reply=None)
    return reply


def ban(*, user, actor, reason: str = "") -> Ban:
    """``user`` (a customer) may no longer post, reply or vote."""
    _moderator(actor)
    if is_staff_user(user):
        raise refusals.conflict("user", _("Agents cannot be banned from the community."))
    ban_row, _created = Ban.objects.update_or_create(user=user, defaults={
        "reason": check_line(reason.strip())[:300], "banned_by": actor})
    return ban_row


def unban(*, user, actor) -> None:
    _moderator(actor)
    Ban.objects.filter(user=user).delete()


def topic_to_ticket(*, topic: Topic, actor):
    """Open a ticket for the topic's author with its text; the topic and the ticket link to each other."""
    from pomoc.tickets import services as tickets
    from pomoc.tickets.models import Channel

    _moderator(actor)
    if topic.ticket_id is not None:
        return topic.ticket
    contact = getattr(topic.author, "contact", None)
    if contact is None:
        raise refusals.conflict("topic", _("The topic's author has no contact to open a ticket for."))
    topic_url = indexing_url(topic)
    with transaction.atomic():
        ticket = tickets.ticket_create(requester=contact, subject=topic.title, body_html=topic.body_html,
                                       body_text=html_to_text(topic.body_html), channel=Channel.WEB, actor=actor)
        tickets.system_note_add(ticket=ticket, channel=Channel.WEB, text=_(
            "Opened from the community topic “%(title)s”: %(url)s") % {"title": topic.title, "url": topic_url})
        topic.ticket = ticket
        topic.save(update_fields=["ticket"])
    return ticket


def indexing_url(topic: Topic) -> str:
    from pomoc.community.links import absolute

    return absolute(reverse("community:topic", args=[topic.pk]))


def category_save(*, actor, category: Category | None = None, name: str, slug: str, description: str = "",
                  position: int = 0) -> Category:
    """Create or change a category: administrators only."""
    from pomoc.community.permissions import configures

    if not configures(actor):
        raise PermissionDenied(_("Only administrators configure the community's categories."))
    category = category or Category()
    category.name, category.slug = clean_title(name)[:100], slug
    category.description, category.position = check_line(description.strip())[:300], position
    if Category.objects.filter(slug=slug).exclude(pk=category.pk).exists():
        raise refusals.conflict("slug", _("Another category has this address."))
    category.save()
    return category
