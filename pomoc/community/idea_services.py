"""Every write of ideas: posting, votes, the status with its official answer, merging duplicates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pomoc.community import indexing, spam
from pomoc.community.models import Idea, IdeaStatus, IdeaVote
from pomoc.community.permissions import moderates
from pomoc.community.rendering import render
from pomoc.community.services import _check_writer, _moderator, _toggle, clean_body, clean_title
from pomoc.core import refusals
from pomoc.core.text import check_text
from pomoc.tickets.permissions import PermissionDenied


def idea_create(*, author, title: str, body: str, language: str | None = None, files=()) -> Idea:
    """A new idea, with ``files`` (as for a topic: ``pomoc.community.files``); its author votes for it
    at once."""
    from pomoc.community import files as post_files

    _check_writer(author)
    title, body = clean_title(title), clean_body(body)
    checked = post_files.checked(files)
    spam.check_rate(author)
    with transaction.atomic():
        idea = Idea.objects.create(title=title, body=body, body_html=render(body), author=author,
                                   language=(language or get_language() or "")[:10], vote_count=1,
                                   held=spam.should_hold(author, title, body))
        IdeaVote.objects.create(idea=idea, user=author)
        post_files.store(files=checked, actor=author, idea=idea)
        indexing.idea_changed(idea.pk)
    return idea


def idea_vote_toggle(*, idea: Idea, user) -> bool:
    """Vote for ``idea`` or take the vote back (one per account); True when the vote now exists."""
    _check_writer(user)
    if idea.merged_into_id is not None:
        raise refusals.conflict("idea", _("This idea was merged into another one: vote there."))
    with transaction.atomic():
        voted = _toggle(IdeaVote, user, idea=idea)
        Idea.objects.filter(pk=idea.pk).update(vote_count=IdeaVote.objects.filter(idea=idea).count())
    return voted


def idea_status_set(*, idea: Idea, actor, status: str, answer: str | None = None) -> Idea:
    """Set the status and (when given) the official answer shown on top; a changed status is mailed
    to the voters after commit."""
    _moderator(actor)
    if status not in IdeaStatus.values:
        raise ValidationError({"status": _("Choose one of the statuses.")})
    with transaction.atomic():
        previous = idea.status
        idea.status = status
        fields = ["status"]
        if answer is not None:
            answer = check_text(answer.strip())
            idea.official_answer, idea.official_answer_html = answer, render(answer) if answer else ""
            idea.answered_by, idea.answered_at = actor, timezone.now()
            fields += ["official_answer", "official_answer_html", "answered_by", "answered_at"]
        idea.save(update_fields=fields)
        if previous != status:
            from pomoc.community.tasks import notify_idea_voters

            idea_id = idea.pk
            transaction.on_commit(lambda: notify_idea_voters.enqueue(idea_id, status))
    return idea


def idea_moderate(*, idea: Idea, actor, action: str) -> Idea:
    _moderator(actor)
    changes = {"hide": {"hidden": True}, "show": {"hidden": False}, "approve": {"held": False}}.get(action)
    if changes is None:
        raise ValidationError({"action": _("Unknown moderation action.")})
    with transaction.atomic():
        for name, value in changes.items():
            setattr(idea, name, value)
        idea.save(update_fields=list(changes))
        indexing.idea_changed(idea.pk)
    return idea


def idea_merge(*, source: Idea, target: Idea, actor) -> Idea:
    """Merge the duplicate ``source`` into ``target``: its votes move (someone who voted for both
    keeps one vote), and ``source`` points to ``target`` from now on."""
    _moderator(actor)
    if not moderates(actor):
        raise PermissionDenied
    if source.pk == target.pk:
        raise refusals.conflict("target", _("An idea cannot be merged into itself."))
    if target.merged_into_id is not None:
        raise refusals.conflict("target", _("That idea was itself merged; merge into the one it points to."))
    if source.merged_into_id is not None:
        raise refusals.conflict("idea", _("This idea is already merged."))
    with transaction.atomic():
        already = IdeaVote.objects.filter(idea=target).values("user_id")
        IdeaVote.objects.filter(idea=source).exclude(user_id__in=already).update(idea=target)
        IdeaVote.objects.filter(idea=source).delete()
        source.merged_into = target
        source.vote_count = 0
        source.save(update_fields=["merged_into", "vote_count"])
        Idea.objects.filter(pk=target.pk).update(vote_count=IdeaVote.objects.filter(idea=target).count())
        Idea.objects.filter(merged_into=source).update(merged_into=target)
        indexing.idea_changed(source.pk)
        indexing.idea_changed(target.pk)
    target.refresh_from_db()
    return target
