"""The forum (categories, topics, replies, votes, subscriptions, bans) and ideas (ideas, votes).

Counters (replies, votes) are kept on the rows the lists show, so a list page never counts."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.core import models as core


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics",
                                 verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_topics")
    by_staff = models.BooleanField(default=False)
    language = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    reply_count = models.PositiveIntegerField(default=0)
    vote_count = models.IntegerField(default=0)
    # Moderation: hidden (by an agent), held (waiting for an agent: a new account's links), locked
    # (no more replies), pinned (first in its category).
    hidden = models.BooleanField(default=False)
    held = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)
    accepted_reply = models.ForeignKey("Reply", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="forum_topics")
    # Set by an edit (the author's within the window, or a moderator's); earlier versions are Revisions.
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [
            models.Index(fields=["category", "-pinned", "-last_activity_at"], name="topic_category_list"),
            models.Index(fields=["-pinned", "-last_activity_at"], name="topic_list"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def public(self) -> bool:
        return not self.hidden and not self.held


class Reply(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_replies")
    by_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    vote_count = models.IntegerField(default=0)
    hidden = models.BooleanField(default=False)
    held = models.BooleanField(default=False)
    # Set by an edit (the author's within the window, or a moderator's); earlier versions are Revisions.
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{self.topic_id}/{self.pk}"

    @property
    def public(self) -> bool:
        return not self.hidden and not self.held


class TopicVote(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="one_vote_per_topic")]


class ReplyVote(models.Model):
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reply", "user"], name="one_vote_per_reply")]


class Subscription(models.Model):
    """A user follows a topic. ``pending_since`` is set by a new reply and cleared when the batched
    notice has gone out: one mail per person per round, however many replies came."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_subscriptions")
    created_at = models.DateTimeField(default=timezone.now)
    pending_since = models.DateTimeField(null=True, blank=True)
    last_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="one_subscription_per_topic")]
        indexes = [models.Index(fields=["pending_since"], name="subscription_pending")]


class Ban(models.Model):
    """A customer who may no longer post, reply or vote in the community."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_ban")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    banned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class IdeaStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


class Idea(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"))
    body_html = models.TextField(editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas")
    language = models.CharField(max_length=10, blank=True, default="")
    status = models.CharField(_("status"), max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.NEW)
    official_answer = models.TextField(_("official answer"), blank=True, default="")
    official_answer_html = models.TextField(editable=False, blank=True, default="")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    vote_count = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="merged_ideas")
    # The status the voters were last told about: a notice task that runs twice sends once.
    notified_status = models.CharField(max_length=20, blank=True, default="")
    hidden = models.BooleanField(default=False)
    held = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Set by an edit (the author's within the window, or a moderator's); earlier versions are Revisions.
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [models.Index(fields=["-vote_count", "-created_at"], name="idea_top"),
                   models.Index(fields=["status", "-vote_count"], name="idea_status_top")]

    def __str__(self) -> str:
        return self.title

    @property
    def public(self) -> bool:
        return not self.hidden and not self.held and self.merged_into_id is None


class IdeaVote(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="one_vote_per_idea")]


class Revision(models.Model):
    """An earlier version of a topic, reply or idea, kept when it was edited: moderators read them,
    nobody else. Exactly one of ``topic``, ``reply``, ``idea`` is set. ``files_added`` and
    ``files_removed`` say which files the edit that replaced this version attached and took away
    (``{"name", "content_type", "size", "sha256"}`` each: a removed file's bytes are gone)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions")
    title = models.CharField(max_length=200, blank=True, default="")
    body = models.TextField()
    body_html = models.TextField()
    # who wrote this version's replacement, and when
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    replaced_at = models.DateTimeField(default=timezone.now)
    files_added = models.JSONField(default=list, blank=True)
    files_removed = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(topic__isnull=False, reply__isnull=True, idea__isnull=True)
                       | models.Q(topic__isnull=True, reply__isnull=False, idea__isnull=True)
                       | models.Q(topic__isnull=True, reply__isnull=True, idea__isnull=False)),
            name="revision_of_one_post")]


# Migration 0003 names these two here: the shared callables, so the fields stay as they were.
_public_id = core.new_public_id
_file_path = core.stored_file_path


class PostFile(core.StoredFile):
    """A file attached to a topic, a reply or an idea, served only through ``/community/files/<public_id>/``
    (and the API) and only to whoever may see its post. Exactly one of ``topic``, ``reply``, ``idea`` is
    set."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="files")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="files")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="files")

    class Meta(core.StoredFile.Meta):
        constraints = [models.CheckConstraint(
            condition=(models.Q(topic__isnull=False, reply__isnull=True, idea__isnull=True)
                       | models.Q(topic__isnull=True, reply__isnull=False, idea__isnull=True)
                       | models.Q(topic__isnull=True, reply__isnull=True, idea__isnull=False)),
            name="post_file_of_one_post")]

    @property
    def post(self) -> Topic | Reply | Idea:
        return self.topic or self.reply or self.idea
