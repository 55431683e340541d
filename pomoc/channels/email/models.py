"""The e-mail channel's own tables: every mail exactly as it arrived, and how far fetching got.

``RawMail.raw`` is a ``BinaryField``: the bytes live in the same row and the same transaction as
their status, so a mail is either durably stored or not at all (no file without a row, no row
without its file), and what comes back is byte-for-byte what arrived. Mail is bounded in size by the
MTA (tens of MB), well within what PostgreSQL ``bytea`` and SQLite blobs hold.

The tables keep the names they had when they belonged to the inboxes app (ADR 0008).
"""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.channels.models import Inbox


class RawMailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    STORED = "stored", _("Stored")
    DUPLICATE = "duplicate", _("Duplicate")
    IGNORED = "ignored", _("Ignored (automatic mail)")
    UNPROCESSABLE = "unprocessable", _("Unprocessable")


class RawMail(models.Model):
    """One mail exactly as it arrived, persisted before anything else can fail."""

    inbox = models.ForeignKey(Inbox, on_delete=models.PROTECT, related_name="raw_mails", verbose_name=_("inbox"))
    raw = models.BinaryField(_("raw message"))
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size"))
    message_id_header = models.CharField(_("Message-ID"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=RawMailStatus.choices, default=RawMailStatus.PENDING
    )
    classification = models.CharField(_("classification"), max_length=20, blank=True)
    error = models.TextField(_("error"), blank=True)
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="raw_mails",
        verbose_name=_("message"),
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # a pending mail whose last attempt failed (not for a database outage) waits until then (backoff)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    # when the sender was told that this mail was kept but not turned into a ticket (pomoc.channels.email.notices)
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)

    class Meta:
        db_table = "inboxes_rawmail"
        ordering = ["-received_at", "-id"]
        verbose_name = _("raw mail")
        verbose_name_plural = _("raw mails")
        indexes = [
            # the administrators' list of unprocessable mail and the retry of pending mail
            models.Index(fields=["status", "received_at"], name="rawmail_status_received"),
            # the same mail delivered again (redelivery, several MTAs)
            models.Index(fields=["inbox", "message_id_header"], name="rawmail_inbox_msgid"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id_header or self.sha256[:12]} ({self.status})"

    @staticmethod
    def digest(raw: bytes) -> str:
        return hashlib.sha256(raw).hexdigest()


class MailboxState(models.Model):
    """Where fetching a remote mailbox got to, per inbox, protocol and folder.

    IMAP: ``uidvalidity`` and ``last_uid`` (every UID above it is new; advanced only after the mail
    is stored). POP3: ``seen_uidls``, the UIDLs already stored (bounded, newest last).
    """

    class Protocol(models.TextChoices):
        IMAP = "imap", "IMAP"
        POP3 = "pop3", "POP3"

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="mailbox_states", verbose_name=_("inbox"))
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices)
    folder = models.CharField(_("folder"), max_length=500, blank=True)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    last_uid = models.BigIntegerField(_("last UID"), default=0)
    seen_uidls = models.JSONField(_("seen UIDLs"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "inboxes_mailboxstate"
        verbose_name = _("mailbox state")
        verbose_name_plural = _("mailbox states")
        constraints = [
            models.UniqueConstraint(fields=["inbox", "protocol", "folder"], name="mailboxstate_unique_folder"),
        ]

    def __str__(self) -> str:
        return f"{self.inbox} {self.protocol} {self.folder}".strip()


class AwaitedMail(models.Model):
    """A Message-ID that a stored mail names in its In-Reply-To or References but that was not among
    the stored messages when the mail arrived, with the ticket the mail went to.

    MTAs deliver in any order: a reply may come before the mail it answers. When that mail arrives
    (``threading.by_awaiting_ticket``) it joins this ticket, and any other ticket that awaited it is
    merged in, so a conversation ends in one ticket whatever the order. The row is deleted then.
    """

    message_id_header = models.CharField(_("Message-ID"), max_length=500)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("awaited mail")
        verbose_name_plural = _("awaited mail")
        indexes = [models.Index(fields=["message_id_header"], name="awaitedmail_msgid")]
        constraints = [
            models.UniqueConstraint(fields=["message_id_header", "ticket"], name="awaitedmail_unique_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id_header} → {self.ticket_id}"
