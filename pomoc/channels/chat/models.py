"""Live chat's own tables: the public key of a chat inbox, visitors, conversations and their lines.

A conversation's transcript is its ticket's messages; ``Line`` gives each of them its place in the
conversation (``seq``: per conversation, from 1, gapless, assigned in the transaction that stores
the message), the client's id of a visitor message and the visitor-side delivery state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LABEL_STEP = 7919  # a prime: it shares no factor with 9 × 10ⁿ, so codes of one length never repeat


def visitor_code(visitor_id: int) -> int:
    """A short number for a nameless visitor, derived from their id: stable, unique, and not their
    id itself (4 digits for the first 9,000 visitors, then 5, and so on)."""
    digits = 4
    while visitor_id >= 9 * 10 ** (digits - 1):
        digits += 1
    span = 9 * 10 ** (digits - 1)
    return 10 ** (digits - 1) + (visitor_id * LABEL_STEP) % span


def visitor_label(visitor_id: int) -> str:
    """"Visitor 4821": what a visitor who gave no name is called."""
    return gettext("Visitor %(code)s") % {"code": visitor_code(visitor_id)}


class ChatInbox(models.Model):
    """The public key the widget names its inbox by (never the primary key)."""

    inbox = models.OneToOneField("inboxes.Inbox", on_delete=models.CASCADE, related_name="chat")
    key = models.CharField(max_length=40, unique=True)
    # an intake task is queued for the inbox's pending lines (set with the line that queued it, in its
    # transaction; cleared by the task before it reads them): one task for a burst, not one per line
    intake_queued = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.key


class Visitor(models.Model):
    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40, unique=True)  # the chat identity's value
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    user_id = models.CharField(_("user id on the site"), max_length=200, blank=True)  # signed identity only
    language = models.CharField(max_length=20, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    time_zone = models.CharField(max_length=60, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    referrer = models.CharField(max_length=1000, blank=True)
    pages = models.JSONField(default=list, blank=True)  # the latest page views, newest last
    visits = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    blocked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["inbox", "last_seen_at"], name="chat_visitor_seen")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def label(self) -> str:
        return visitor_label(self.pk or 0)

    @property
    def display_name(self) -> str:
        """Their own name when they gave one (pre-chat, signed identity), else their e-mail address,
        else "Visitor 4821"."""
        return self.name or self.email or self.label

    @property
    def current_page(self) -> dict:
        return self.pages[-1] if self.pages else {}


class BlockedAddress(models.Model):
    """An IP address whose visitors are refused (a blocked visitor's address is added)."""

    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.CASCADE, related_name="+")
    ip = models.GenericIPAddressField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inbox", "ip"], name="chat_blocked_address_unique")]


class ConversationStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    OPEN = "open", _("Open")
    ENDED = "ended", _("Ended")


class Conversation(models.Model):
    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.CASCADE, related_name="+")
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="conversations")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    invited = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.QUEUED)
    last_seq = models.PositiveIntegerField(default=0)
    prechat = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    rated = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["department", "status", "created_at"], name="chat_conversation_queue"),
                   models.Index(fields=["agent", "status"], name="chat_conversation_agent")]

    def __str__(self) -> str:
        return f"chat {self.pk}"

    @property
    def thread_key(self) -> str:
        return f"chat-{self.pk}"


class LineState(models.TextChoices):
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")


class Line(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="lines")
    seq = models.PositiveIntegerField()
    message = models.OneToOneField("tickets.Message", null=True, on_delete=models.SET_NULL, related_name="chat_line")
    author = models.CharField(max_length=10)  # visitor | agent | system
    name = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)  # plain text, as sent (kept when the message is split away)
    client_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=10, choices=LineState.choices, default=LineState.SENT)
    created_at = models.DateTimeField(default=timezone.now)
    # a visitor line stored and acknowledged whose ticket message the intake has not made yet
    pending = models.BooleanField(default=False)
    intake_error = models.CharField(max_length=500, blank=True)  # why the intake made no ticket message

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [models.UniqueConstraint(fields=["conversation", "seq"], name="chat_line_seq_unique")]
        indexes = [models.Index(fields=["id"], condition=models.Q(pending=True), name="chat_line_pending"),
                   # resent messages are found by their client ids (then kept to the visitors'): a
                   # batch's ids are many visitors', so an index led by the conversation was not used
                   models.Index(fields=["client_id"], name="chat_line_client_id")]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"


class Upload(models.Model):
    """A file a visitor uploaded before sending it with a message (checked by content and size)."""

    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="uploads")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    used = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
