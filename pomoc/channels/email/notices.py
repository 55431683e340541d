"""Telling a sender that their mail was kept but not turned into a ticket (oversized mail).

Mail larger than the inbox's ``max_message_bytes`` that arrives through the MTA pipe or a polled
mailbox cannot be refused any more: ``ingest.process`` keeps it as ``unprocessable`` and calls
``oversize_notice_later``. After the commit, the background task ``send_oversize_notice`` answers the
sender once with a short notice in their language (the contact's, else the site's
``LANGUAGE_CODE``) through ``send_automatic``: stamped ``Auto-Submitted: auto-replied``, never to
automatic mail (bounces, auto-replies, lists, our own mail: the pipeline's classification), never
to automated or bouncing addresses or our own addresses, and at most ``AutoResponseLimiter``'s count
per sender. ``RawMail.notice_sent_at`` makes it once per mail, however often the mail is processed
again.

``pomoc smtpd`` refuses oversized mail with ``552`` before storing it: the sending server returns
it to its author with that reason, so no notice is needed there.
"""

from __future__ import annotations

import email.parser
import logging
from dataclasses import dataclass
from email import policy
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pomoc.channels.email.classify import Kind
from pomoc.channels.email.config import EmailInboxConfig
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.parsing import header_block
from pomoc.channels.email.rate_limit import AutoResponseLimiter
from pomoc.contacts.models import Contact, Identity, IdentityKind

__all__ = ["NoticeResult", "oversize_notice_later", "send_oversize_notice"]

logger = logging.getLogger(__name__)

SENT, SKIPPED, RETRY, FAILED = "sent", "skipped", "retry", "failed"  # as pomoc.channels.email.outbound's outcomes


@dataclass(frozen=True)
class NoticeResult:
    outcome: str  # SENT, SKIPPED, RETRY (temporary failure: try again later) or FAILED
    reason: str = ""


def oversize_notice_later(raw_mail_id: int, *, classification: str) -> None:
    """Queue the notice for an oversized mail just kept as unprocessable (after the commit).
    Automatic mail (anything the pipeline did not classify as a person's) is never answered."""
    if classification != Kind.HUMAN:
        return
    from pomoc.channels.email.tasks import send_oversize_notice as task

    def enqueue() -> None:
        try:
            task.enqueue(raw_mail_id)
        except Exception as exc:  # a courtesy: failing to queue it must never fail the mail's ingestion
            logger.warning("raw mail %s: the oversize notice could not be queued (%s)", raw_mail_id,
                           type(exc).__name__)

    transaction.on_commit(enqueue)


def _headers(raw: bytes | memoryview):
    return email.parser.BytesHeaderParser(policy=policy.default).parsebytes(header_block(raw))


def _language(address: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    language = (
        Contact.objects.filter(pk__in=Identity.objects.filter(kind=IdentityKind.EMAIL, value=address.lower())
                               .values("contact_id")).exclude(language="").values_list("language", flat=True).first()
    )
    return language if language in codes else settings.LANGUAGE_CODE


def _our_addresses(raw_mail: RawMail, config: EmailInboxConfig) -> set[str]:
    inbox = raw_mail.inbox
    return {a.strip().lower() for a in [inbox.address, *config.extra_addresses,
                                        parseaddr(settings.DEFAULT_FROM_EMAIL)[1]] if a}


def send_oversize_notice(raw_mail_id: int, *, limiter: AutoResponseLimiter | None = None) -> NoticeResult:
    """Send the "too large" notice for one oversized mail, at most once. A temporary failure leaves it
    unsent (RETRY) so that the task tries again; anything else is final."""
    from pomoc.channels.email.outbound import clean_address, send_automatic

    raw_mail = RawMail.objects.select_related("inbox").filter(pk=raw_mail_id).first()
    if raw_mail is None or raw_mail.status != RawMailStatus.UNPROCESSABLE or raw_mail.notice_sent_at is not None:
        return NoticeResult(SKIPPED, "not an unprocessable mail, or already answered")
    config = EmailInboxConfig.from_dict(raw_mail.inbox.config)
    if raw_mail.size <= config.max_message_bytes:
        return NoticeResult(SKIPPED, "not over the inbox's limit (any more)")
    if raw_mail.classification and raw_mail.classification != Kind.HUMAN:
        return NoticeResult(SKIPPED, "automatic mail is never answered")
    headers = _headers(raw_mail.raw)  # the header block alone: the mail is over the limit
    senders = getaddresses([str(v) for v in headers.get_all("From", [])])
    address = clean_address(senders[0][1]) if len(senders) == 1 else ""
    if not address or address.lower() in _our_addresses(raw_mail, config):
        return NoticeResult(SKIPPED, "no sender to answer")
    # claimed before sending: a crash while sending loses one notice rather than sending two
    if not RawMail.objects.filter(pk=raw_mail.pk, notice_sent_at__isnull=True).update(notice_sent_at=timezone.now()):
        return NoticeResult(SKIPPED, "already answered")
    subject = " ".join(str(headers.get("Subject", "") or "").split())[:200]
    message_id = str(headers.get("Message-ID", "") or "").strip()
    with translation.override(_language(address)):
        values = {"subject": subject or _("(no subject)"), "size": filesizeformat(raw_mail.size),
                  "limit": filesizeformat(config.max_message_bytes), "address": raw_mail.inbox.address}
        body = _(
            "Hello,\n\n"
            "we received your message “%(subject)s” (%(size)s), but it is larger than the %(limit)s "
            "that %(address)s accepts, so it was not turned into a support request. It has not been lost: "
            "we keep it, but nobody has been asked to answer it yet.\n\n"
            "Please send it again with smaller attachments (for example, share large files as a link).\n\n"
            "This is an automatic message; it is sent at most a few times a day."
        ) % values
        result = send_automatic(to=address, subject=_("Your message was too large: %(subject)s") % values,
                                body_text=body, inbox=raw_mail.inbox, in_reply_to=message_id,
                                limiter=limiter)
    if result.outcome != SENT:
        RawMail.objects.filter(pk=raw_mail.pk).update(notice_sent_at=None)
        if result.outcome != SKIPPED:
            logger.warning("raw mail %s: oversize notice %s: %s", raw_mail.pk, result.outcome, result.reason[:200])
    return NoticeResult(result.outcome, result.reason)
