import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import Department
from pomoc.contacts.models import Contact, Identity


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    # Put aside until ``Ticket.snoozed_until``: out of the active views until the wake-up job (or the
    # customer writing) opens it again. See pomoc.tickets.snooze.
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)
# Not done yet: a customer's new message threads into these, and (but for new and open) opens them again.
UNRESOLVED_STATUSES = (*ACTIVE_STATUSES, Status.SNOOZED)
REOPENED_BY_CUSTOMER = (Status.RESOLVED, Status.CLOSED, Status.PENDING, Status.SNOOZED)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")

    @classmethod
    def from_name(cls, name: str) -> "Priority":
        return cls[name.upper()]

    @property
    def key(self) -> str:
        return self.name.lower()


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Live chat")
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    SOCIAL = "social", _("Social media")
    API = "api", _("API")
    AGENT = "agent", _("Agent")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(_("color"), max_length=7, default="#64748b")

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice")
    DATE = "date", _("Date")


class CustomFieldTarget(models.TextChoices):
    TICKET = "ticket", _("Tickets")
    CONTACT = "contact", _("Contacts")
    COMPANY = "company", _("Companies")


class CustomFieldDefinition(models.Model):
    key = models.SlugField(_("key"), max_length=50, unique=True)
    target = models.CharField(_("for"), max_length=10, choices=CustomFieldTarget.choices,
                              default=CustomFieldTarget.TICKET)
    label = models.CharField(_("label"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=CustomFieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return self.label


class TicketManager(models.Manager):
    def get_queryset(self):
        # The search document is for the database's eyes only: never carry it into Python.
        return super().get_queryset().defer("search_vector")


class Ticket(models.Model):
    """One customer need, whatever channels the conversation about it used."""

    number = models.BigIntegerField(_("number"), unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets",
        verbose_name=_("department"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_tickets", verbose_name=_("assignee"),
    )
    requester = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("requester")
    )
    participants = models.ManyToManyField(
        Contact, blank=True, related_name="participating_tickets", verbose_name=_("participants")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # The reply route (pomoc.tickets.replies): the inbox replies leave through and the requester's
    # identity they go to. Chosen when the ticket is opened and changeable; when unset or no longer
    # usable, the channel platform picks one (pomoc.channels.routes).
    reply_inbox = models.ForeignKey(
        "inboxes.Inbox", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reply inbox"),
    )
    reply_identity = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reply to"),
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    # subject + messages as one tsvector on PostgreSQL (maintained by tickets.search_index); empty elsewhere
    search_vector = SearchVectorField(null=True, editable=False)

    objects = TicketManager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # One index per inbox view: equality columns first, then the keyset sort (updated_at, id).
            models.Index(fields=["status", "-updated_at", "-id"], name="ticket_status_upd"),
            models.Index(fields=["department", "status", "-updated_at", "-id"], name="ticket_dept_status_upd"),
            models.Index(fields=["assignee", "status", "-updated_at", "-id"], name="ticket_assignee_status_upd"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_upd"),
            models.Index(fields=["-priority", "-updated_at", "-id"], name="ticket_priority_upd"),
            # The queues agents live in hold the few active tickets among years of resolved ones: partial
            # indexes over just those keep every page of them (first or deep) a short ordered index walk.
            models.Index(fields=["-updated_at", "-id"], condition=models.Q(status__in=ACTIVE_STATUSES),
                         name="ticket_active_upd"),
            models.Index(fields=["assignee", "-updated_at", "-id"], condition=models.Q(status__in=ACTIVE_STATUSES),
                         name="ticket_active_assignee_upd"),
            models.Index(fields=["department", "-updated_at", "-id"],
                         condition=models.Q(status__in=ACTIVE_STATUSES), name="ticket_active_dept_upd"),
            models.Index(fields=["-created_at", "-id"], name="ticket_created"),
            models.Index(fields=["requester", "-updated_at"], name="ticket_requester_upd"),
            # the wake-up job's question: which snoozed tickets are due
            models.Index(fields=["snoozed_until"], condition=models.Q(status="snoozed"), name="ticket_snoozed_until"),
            # The reports' backlog "now" (reports.metrics.backlog): the unresolved tickets by status and
            # age, for any viewer and rollup filter, read from this index alone (PostgreSQL: an
            # index-only scan of the few unresolved tickets instead of the table).
            models.Index(fields=["status", "created_at"], include=["department", "assignee", "priority", "channel"],
                         condition=models.Q(status__in=UNRESOLVED_STATUSES, merged_into__isnull=True),
                         name="ticket_unresolved"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def priority_key(self) -> str:
        return Priority(self.priority).key


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer message")
    REPLY = "reply", _("Agent reply")
    NOTE = "note", _("Internal note")
    SYSTEM = "system", _("System event")
    FORWARD = "forward", _("Forwarded")


class DeliveryState(models.TextChoices):
    NONE = "", _("Not delivered")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML (sanitized)"), blank=True)
    # Mail Message-ID (with angle brackets), provider or chat client id: unique per inbox, the idempotency key.
    external_id = models.CharField(max_length=500, blank=True, default="")
    # A kind's conversation key (a chat session, a provider's conversation id): the channel platform
    # threads the next message carrying it into this message's ticket (pomoc.channels.inbound).
    thread_key = models.CharField(max_length=200, blank=True, default="")
    inbox = models.ForeignKey(
        "inboxes.Inbox", null=True, blank=True, on_delete=models.PROTECT, related_name="messages",
        verbose_name=_("inbox"),
    )
    # For an agent reply: the identity it was sent to (its route's), kept as it was when written.
    recipient = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recipient"),
    )
    # An agent reply's extra copies (e-mail addresses, as typed and checked): Cc is in the mail's
    # headers, Bcc only in its envelope. A forward's recipients (kind "forward") are in ``forward_to``.
    cc = models.JSONField(_("Cc"), default=list, blank=True)
    bcc = models.JSONField(_("Bcc"), default=list, blank=True)
    forward_to = models.JSONField(_("forwarded to"), default=list, blank=True)
    delivery_state = models.CharField(
        max_length=10, choices=DeliveryState.choices, blank=True, default=DeliveryState.NONE
    )
    delivery_error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_created"),
            # mail threading: In-Reply-To/References looked up across inboxes and our outgoing replies
            models.Index(fields=["external_id"], condition=~models.Q(external_id=""), name="message_external_id"),
            # threading by conversation key: only messages that carry one are in it (mail never does)
            models.Index(fields=["inbox", "thread_key"], condition=~models.Q(thread_key=""),
                         name="message_inbox_thread_key"),
        ]
        constraints = [
            # Messages without an inbox (outgoing replies, API, chat): unique per channel.
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id="") & models.Q(inbox__isnull=True),
                name="message_unique_external_id",
            ),
            # Messages that came in through an inbox: unique per inbox.
            models.UniqueConstraint(
                fields=["inbox", "external_id"],
                condition=~models.Q(external_id="") & models.Q(inbox__isnull=False),
                name="message_unique_inbox_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"

    @property
    def is_outgoing(self) -> bool:
        """A message Pomoc sends (a reply or a forward): it has a delivery state."""
        return self.kind in (MessageKind.REPLY, MessageKind.FORWARD)

    @property
    def is_public(self) -> bool:
        return self.kind in (MessageKind.CUSTOMER, MessageKind.REPLY)

    @property
    def author_name(self) -> str:
        if self.author_user_id:
            return self.author_user.display_name
        if self.author_contact_id:
            return str(self.author_contact)
        return ""


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never contains the user's file name: no path tricks, no guessing.
    return f"attachments/{instance.public_id[:2]}/{instance.public_id}"


def new_public_id() -> str:
    return secrets.token_urlsafe(24)


class Attachment(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=new_public_id, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    content_id = models.CharField(_("inline content id"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.file_name


class EventType(models.TextChoices):
    CREATED = "created", _("Ticket created")
    MESSAGE_ADDED = "message_added", _("Message added")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    ASSIGNED = "assigned", _("Assignee changed")
    DEPARTMENT_CHANGED = "department_changed", _("Department changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    SUBJECT_CHANGED = "subject_changed", _("Subject changed")
    CUSTOM_FIELDS_CHANGED = "custom_fields_changed", _("Custom fields changed")
    MERGED = "merged", _("Merged")
    MERGE_UNDONE = "merge_undone", _("Merge undone")
    SPLIT = "split", _("Split")
    PARTICIPANT_ADDED = "participant_added", _("Participant added")
    DELIVERY_QUEUED = "delivery_queued", _("Reply queued for delivery")
    DELIVERY_SENT = "delivery_sent", _("Reply sent")
    DELIVERY_FAILED = "delivery_failed", _("Reply delivery failed")
    IDENTITY_BOUNCED = "identity_bounced", _("Mail to the customer bounced")
    REPLY_ROUTE_CHANGED = "reply_route_changed", _("Reply route changed")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")
    SLA_BREACHED = "sla_breached", _("SLA target breached")
    SLA_MET = "sla_met", _("SLA target met")
    RULE_FIRED = "rule_fired", _("Rule applied")
    RULE_STOPPED = "rule_stopped", _("Rules stopped on this ticket")
    MACRO_APPLIED = "macro_applied", _("Macro applied")
    RETURN_CHANGED = "return_changed", _("Return state changed")


class TicketEvent(models.Model):
    """Append-only log of everything that happens to a ticket. Never updated, never deleted."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=40, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [
            models.Index(fields=["ticket", "at"], name="event_ticket_at"),
            models.Index(fields=["type", "at"], name="event_type_at"),
        ]

    def __str__(self) -> str:
        return f"{self.type} on {self.ticket_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("TicketEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("TicketEvent is append-only")


class SavedView(models.Model):
    """A named set of inbox filters; personal, or shared with every agent."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(_("name"), max_length=100)
    filters = models.JSONField(_("filters"), default=dict)
    shared = models.BooleanField(_("shared with all agents"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name
