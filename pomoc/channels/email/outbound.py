"""Outbound mail: agent replies (and Pomoc's own automatic mail) through the inbox's SMTP server.

``EmailOutbound`` is the e-mail kind's outbound adapter: the channel-neutral delivery
(``pomoc.channels.outbound``) stores, locks, retries and records; this module turns one reply into
one mail and says whether a failure is temporary (server unreachable, a 4xx answer: retried with
backoff) or permanent (a 5xx answer, a bouncing address, a broken configuration: failed, with the
reason shown to the agent).

Which server: the reply's inbox (its route's, ``pomoc.channels.routes``), else Django's ``EMAIL_*``
settings (the installation's default outgoing mail). An inbox without an SMTP host sends From its
address through Django's ``EMAIL_*`` connection.

No header value is taken as it was typed: names, subjects and file names pass ``header_text`` (line
breaks and control characters become spaces), addresses ``clean_address``, Message-IDs
``clean_message_id``. No field of a ticket, contact or inbox can add a header.

TLS to an inbox's SMTP server (SMTPS or STARTTLS) is verified against the system's CAs plus the
inbox's ``tls_ca_certificates``, as its IMAP/POP3 server is; a certificate that is not trusted fails
the mail with the reason and the way out. Mail to or from an internationalised address (a local part
that is not ASCII, RFC 6531) leaves as UTF-8 with ``SMTPUTF8``; a server that does not offer it
fails the mail visibly, never with the address rewritten.
"""

from __future__ import annotations

import base64
import hmac
import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy as email_policy
from email.generator import BytesGenerator
from email.mime.image import MIMEImage
from email.utils import make_msgid, parseaddr
from io import BytesIO

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address
from django.utils.encoding import punycode
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from pomoc.channels.email.classify import auto_response_headers
from pomoc.channels.email.config import EmailInboxConfig
from pomoc.channels.email.rate_limit import AutoResponseLimiter
from pomoc.channels.email.threading import subject_tag_pattern
from pomoc.channels.email.tls import client_context
from pomoc.channels.models import Inbox, InboxKind
from pomoc.channels.registry import DeliveryFailed
from pomoc.contacts.models import Identity, IdentityKind
from pomoc.core.crypto import SecretUnreadable
from pomoc.core.models import OrganisationSettings
from pomoc.core.sanitize import html_to_text, text_to_html
from pomoc.tickets import replies, services
from pomoc.tickets.models import Channel, Message, MessageKind, Ticket

logger = logging.getLogger(__name__)

SENT, FAILED, RETRY, SKIPPED = "sent", "failed", "retry", "skipped"  # outcomes of send_automatic

MAX_REFERENCES = 20  # the first Message-ID of the thread and the latest ones (RFC 5322 3.6.4)
DEFAULT_TIMEOUT = 30  # seconds, when EMAIL_TIMEOUT is not set
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


# --- header hygiene ---------------------------------------------------------------------------
# Everything str.splitlines() or a mail parser could take for a line break, and other controls.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_ADDRESS = re.compile(r"[^\s\x00-\x1f\x7f@<>()\[\],;:\"\\]+@[^\s\x00-\x1f\x7f@<>()\[\],;:\"\\]+")
_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,496}>")  # printable ASCII, no angle brackets inside
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")
_REPLY_PREFIX = re.compile(
    r"^(?:\s*(?:re|aw|sv|vs|odp|odg|antw|ynt|res|rif|atb|vá)\s*(?:\[\d+\]|\(\d+\))?\s*:)+\s*", re.IGNORECASE
)


def header_text(value: object, limit: int = 900) -> str:
    """``value`` as one line of header text: line breaks and control characters become single spaces."""
    return " ".join(_CONTROL.sub(" ", str(value or "")).split())[:limit]


def clean_address(value: object) -> str:
    """``value`` when it is one plain ``local@domain`` address (nothing else on the line), else ""."""
    value = str(value or "").strip()
    return value if len(value) <= 254 and _ADDRESS.fullmatch(value) else ""


def clean_message_id(value: object) -> str:
    """``value`` when it is one well-formed ``<id@host>``, else "" (a hostile id is left out, never sent)."""
    value = str(value or "").strip()
    return value if _MESSAGE_ID.fullmatch(value) else ""


def mailbox(name: object, address: str) -> str:
    """``"Name" <address>`` with the name quoted (Django encodes non-ASCII names per RFC 2047)."""
    name = header_text(name, 200)
    if not name:
        return address
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def without_tags(subject: str, prefix: str) -> str:
    """``subject`` without any ticket tag (``[#1234]``, the organisation's prefix): a mail we send
    carries exactly one, its own ticket's, so the answer is threaded into that one."""
    return " ".join(subject_tag_pattern(prefix).sub(" ", subject).split())


def reply_subject(subject: str, number: int, prefix: str) -> str:
    """``Re: <subject> [#<number>]``: one "Re:", one tag, whatever the subject already carried (a
    ticket opened by someone quoting another ticket's tag keeps it in its subject, not in replies)."""
    prefix = header_text(prefix, 20) or "#"
    tag = f"[{prefix}{number}]"
    subject = without_tags(header_text(subject), prefix)
    subject = " ".join(_REPLY_PREFIX.sub("", subject.strip()).split())
    return f"Re: {subject} {tag}" if subject else f"Re: {tag}"


def _content_type(value: str) -> str:
    value = (value or "").strip().lower()
    return value if _CONTENT_TYPE.fullmatch(value) else "application/octet-stream"


# --- where mail leaves from -------------------------------------------------------------------
@dataclass
class Route:
    """The inbox (or Django's settings) a mail leaves through, and the From it carries."""

    inbox: Inbox | None
    address: str
    display_name: str
    config: EmailInboxConfig = field(default_factory=EmailInboxConfig)

    @property
    def from_header(self) -> str:
        return mailbox(self.display_name, self.address)

    @property
    def domain(self) -> str:
        """The address's domain in ASCII (an IDN as its A-label): Message-IDs are made of it."""
        domain = self.address.rsplit("@", 1)[-1] or "localhost"
        try:
            return punycode(domain)
        except UnicodeError:
            return "localhost"

    @property
    def our_addresses(self) -> set[str]:
        return {a.lower() for a in [self.address, *self.config.extra_addresses] if a}

    def connection(self) -> EmailBackend:
        """A connection to the inbox's SMTP server, or the one Django's settings describe."""
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_TIMEOUT
        config = self.config
        if self.inbox is not None and config.smtp_host:
            return _SMTPBackend(
                host=config.smtp_host, port=config.smtp_port,
                # "" (not None): Django would fall back to EMAIL_HOST_USER/PASSWORD of another server
                username=config.smtp_username or "", password=self.inbox.get_secret("smtp_password") or "",
                use_tls=config.smtp_security == "starttls", use_ssl=config.smtp_security == "ssl",
                timeout=timeout, fail_silently=False, ca_certificates=config.tls_ca_certificates,
            )
        if settings.EMAIL_BACKEND == SMTP_BACKEND:
            return _SMTPBackend(fail_silently=False)
        return get_connection(fail_silently=False)


def inbox_for(ticket: Ticket | None) -> Inbox | None:
    """The inbox Pomoc's own mail about ``ticket`` leaves through: its reply route's e-mail inbox,
    else the first active e-mail inbox (None: Django's ``EMAIL_*`` settings)."""
    if ticket is not None:
        route = replies.route_for(ticket)
        if route is not None and route.kind == InboxKind.EMAIL:
            return Inbox.objects.filter(pk=route.inbox_id).first() if route.inbox_id else None
    return Inbox.objects.filter(kind=InboxKind.EMAIL, active=True).order_by("id").first()


def route_for(inbox: Inbox | None) -> Route:
    org_name = OrganisationSettings.get().name
    if inbox is not None and clean_address(inbox.address):
        config = EmailInboxConfig.from_dict(inbox.config)
        return Route(inbox=inbox, address=inbox.address, display_name=config.from_name or org_name, config=config)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Route(inbox=None, address=clean_address(address) or "pomoc@localhost", display_name=name or org_name)


class _UTF8Auth:
    """smtplib encodes user names and passwords as ASCII, so a password such as "Heslo-Žluťoučký"
    raises ``UnicodeEncodeError``; SASL (RFC 4616, RFC 4954) sends them as UTF-8."""

    def auth(self, mechanism, authobject, *, initial_response_ok=True):
        def encoded(text: str) -> str:
            return base64.b64encode(text.encode("utf-8")).decode("ascii")

        mechanism = mechanism.upper()
        initial = authobject() if initial_response_ok else None
        if initial is not None:
            code, resp = self.docmd("AUTH", f"{mechanism} {encoded(initial)}")
        else:
            code, resp = self.docmd("AUTH", mechanism)
        challenges = 0
        while code == 334:
            challenges += 1
            if challenges > 5:
                raise smtplib.SMTPException(f"Server AUTH mechanism infinite loop. Last response: {code!r}")
            code, resp = self.docmd(encoded(authobject(base64.decodebytes(resp))))
        if code in (235, 503):
            return code, resp
        raise smtplib.SMTPAuthenticationError(code, resp)

    def auth_cram_md5(self, challenge=None):
        if challenge is None:
            return None
        return self.user + " " + hmac.HMAC(self.password.encode("utf-8"), challenge, "md5").hexdigest()


class _SMTP(_UTF8Auth, smtplib.SMTP):
    pass


class _SMTP_SSL(_UTF8Auth, smtplib.SMTP_SSL):  # noqa: N801 - named after smtplib's class
    pass


# Headers as they are written in mail that needs SMTPUTF8: UTF-8 addresses and names (RFC 6532).
_UTF8_POLICY = email_policy.SMTPUTF8
_ADDRESS_HEADERS = (("From", "from_email"), ("To", "to"), ("Cc", "cc"), ("Reply-To", "reply_to"))


def _bare_address(value: str) -> str:
    return parseaddr(value)[1] or value


def needs_smtputf8(addresses: Sequence[str]) -> bool:
    """Whether any of ``addresses`` (bare or with a name) has a local part that is not ASCII: such an
    address cannot be written in ASCII at all (RFC 6531), unlike a domain, which has its A-label."""
    return any(not _bare_address(address).rpartition("@")[0].isascii() for address in addresses)


def _utf8_envelope_address(value: str) -> str:
    """The bare address with its local part as it is and its domain as an A-label."""
    local, _at, domain = _bare_address(value).rpartition("@")
    return f"{local}@{punycode(domain)}"


def _utf8_bytes(message) -> bytes:
    """The mail with its headers in UTF-8 where they hold it (RFC 6532), lines ending in CRLF."""
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_UTF8_POLICY).flatten(message, linesep="\r\n")
    return out.getvalue()


class SMTPUTF8Unsupported(Exception):
    """The server cannot carry an internationalised address (it does not offer SMTPUTF8)."""


class _SMTPBackend(EmailBackend):
    """Django's SMTP backend with UTF-8 credentials, keeping what the server refused: ``sendmail``
    only raises when it refuses every recipient, and a requester refused while a CC was accepted
    must not go unnoticed.

    ``ca_certificates`` (an inbox's ``tls_ca_certificates``; None for Django's ``EMAIL_*`` server)
    are trusted beside the system's CAs for SMTPS and STARTTLS, as for the inbox's IMAP/POP3."""

    refused: dict

    def __init__(self, *args, ca_certificates: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ca_certificates = ca_certificates

    @cached_property
    def ssl_context(self):
        if self.ca_certificates is None:
            return EmailBackend.ssl_context.func(self)
        return client_context(self.ca_certificates)

    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    def _send(self, email_message):
        recipients = email_message.recipients()
        if not recipients:
            return False
        if needs_smtputf8([email_message.from_email, *recipients]):
            self.refused = self._send_smtputf8(email_message, recipients)
            return True
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        self.refused = self.connection.sendmail(
            sanitize_address(email_message.from_email, encoding),
            [sanitize_address(address, encoding) for address in recipients],
            email_message.message().as_bytes(linesep="\r\n"),
        )
        return True

    def _send_smtputf8(self, email_message, recipients) -> dict:
        """Send with SMTPUTF8: Django would write a non-ASCII local part as an RFC 2047 encoded word
        (in the envelope too), which is another, usually non-existent, mailbox."""
        self.connection.ehlo_or_helo_if_needed()
        if not self.connection.has_extn("smtputf8"):
            international = [_bare_address(a) for a in [email_message.from_email, *recipients] if needs_smtputf8([a])]
            raise SMTPUTF8Unsupported(_(
                "Not sent: the SMTP server does not accept addresses with non-ASCII characters before the @ "
                "(it does not offer SMTPUTF8), such as %(addresses)s. Send through a server that does, or use "
                "another address.") % {"addresses": ", ".join(international)})
        message = email_message.message()
        for header, attribute in _ADDRESS_HEADERS:
            values = getattr(email_message, attribute)
            values = [values] if isinstance(values, str) else list(values or [])
            if values and header in message:
                message.replace_header(header, ", ".join(header_text(value) for value in values))
        return self.connection.sendmail(
            _utf8_envelope_address(email_message.from_email),
            [_utf8_envelope_address(address) for address in recipients],
            _utf8_bytes(message),
            mail_options=["SMTPUTF8", "BODY=8BITMIME"],
        )


# --- failures ---------------------------------------------------------------------------------
class Undeliverable(Exception):
    """A mail that no retry can send (no address, a bouncing address, a broken configuration)."""


def _answer(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return header_text(f"{code} {text}", 500)


def certificate_not_trusted(exc: ssl.SSLCertVerificationError) -> str:
    """The reason shown for a refused SMTP certificate, with the way out (as fetching says it)."""
    detail = header_text(exc.verify_message or exc.reason or exc, 300)
    return _("The SMTP server's certificate is not trusted (%(detail)s); nothing was sent. If the server uses a "
             "certificate of a private CA or a self-signed one, add it to the inbox's TLS CA certificates, "
             "then send again.") % {"detail": detail}


def classify_failure(exc: BaseException) -> tuple[bool, str]:
    """(temporary?, reason) for an exception raised while sending."""
    if isinstance(exc, smtplib.SMTPResponseException):  # the server answered with a code
        temporary = not 500 <= exc.smtp_code < 600
        return temporary, f"{type(exc).__name__}: {_answer(exc.smtp_code, exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = exc.recipients or {}
        temporary = any(not 500 <= code < 600 for code, _text in answers.values())
        detail = "; ".join(f"{address}: {_answer(code, text)}" for address, (code, text) in answers.items())
        return temporary, f"{type(exc).__name__}: {detail}"
    if isinstance(exc, ssl.SSLCertVerificationError):  # a configuration to fix: retrying cannot help
        return False, certificate_not_trusted(exc)
    if isinstance(exc, SMTPUTF8Unsupported):
        return False, str(exc)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, smtplib.SMTPException):  # no STARTTLS or AUTH where the settings ask for it
        return False, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, OSError):  # refused, unreachable, timed out, TLS handshake
        return True, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, (ValueError, Undeliverable, SecretUnreadable)):
        return False, f"{type(exc).__name__}: {exc}"
    return True, f"{type(exc).__name__}: {exc}"  # unknown: retried, and failed after the last attempt


# --- the reply as a mail ----------------------------------------------------------------------
def _thread_ids(message: Message) -> tuple[str, list[str]]:
    """(In-Reply-To, References) of a reply: the latest customer mail, and the ticket's mail chain."""
    earlier = (
        Message.objects.filter(ticket_id=message.ticket_id, channel=Channel.EMAIL,
                               kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY],
                               created_at__lte=message.created_at)
        .exclude(pk=message.pk).exclude(external_id="").order_by("created_at", "id")
        .values_list("kind", "external_id")
    )
    chain: list[str] = []
    in_reply_to = ""
    for kind, external_id in earlier:
        key = clean_message_id(external_id)
        if not key or key in chain:
            continue
        chain.append(key)
        if kind == MessageKind.CUSTOMER:
            in_reply_to = key
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1):]]
    if in_reply_to and in_reply_to not in chain:
        chain = [*chain[:1], *chain[-(MAX_REFERENCES - 2):], in_reply_to]
    return in_reply_to, chain


INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
_CONTENT_ID = re.compile(r"[\x21-\x3b\x3d\x3f-\x7e]{1,200}")  # printable ASCII, no angle brackets


def _attach_files(mail: EmailMultiAlternatives, message: Message) -> None:
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as fh:
            content = fh.read()
        # Django writes non-ASCII names as RFC 2231 parameters (filename*=utf-8''...)
        name = header_text(attachment.file_name, 255) or "attachment"
        content_type = _content_type(attachment.content_type)
        content_id = attachment.content_id if _CONTENT_ID.fullmatch(attachment.content_id or "") else ""
        if content_id and content_type in INLINE_IMAGE_TYPES:
            # A picture the HTML part shows (``<img src="cid:…">``): inline, found by its Content-ID.
            part = MIMEImage(content, _subtype=content_type.split("/", 1)[1])
            part.add_header("Content-ID", f"<{content_id}>")
            part.add_header("Content-Disposition", "inline", filename=name)
            mail.attach(part)
        else:
            mail.attach(name, content, content_type)


def _copies(values: Sequence[str], skip: set[str]) -> list[str]:
    """A message's own Cc or Bcc addresses that are usable and not already among the recipients."""
    found = []
    for value in values or ():
        address = clean_address(value)
        if address and address.lower() not in skip:
            skip.add(address.lower())
            found.append(address)
    return found


def build_reply(message: Message, route: Route) -> EmailMultiAlternatives:
    """The mail for one agent reply, to the identity its route chose (``Message.recipient``) with the
    ticket's other participants in copy. Raises ``Undeliverable`` when it has nobody to go to."""
    ticket = message.ticket
    requester = ticket.requester
    recipient = message.recipient
    if recipient is None or recipient.kind != IdentityKind.EMAIL:
        raise Undeliverable(_("The reply has no e-mail address to go to: choose where to reply, then send again."))
    to = clean_address(recipient.value)
    if not to:
        raise Undeliverable(_("The address %(address)s cannot be used for e-mail.") % {"address": recipient.value})
    if recipient.bounced:
        raise Undeliverable(_("Not sent: mail to %(address)s bounces. Correct the contact's address or clear "
                              "its bounce mark, then send again.") % {"address": to})
    skip = {to.lower(), *route.our_addresses}
    cc: list[str] = []
    copies = (Identity.objects.filter(contact__in=ticket.participants.exclude(pk=requester.pk),
                                      kind=IdentityKind.EMAIL, bounced=False)
              .select_related("contact").order_by("contact_id", "id"))
    seen_contacts: set[int] = set()
    for identity in copies:
        address = clean_address(identity.value)
        if identity.contact_id in seen_contacts or not address or address.lower() in skip:
            continue
        seen_contacts.add(identity.contact_id)
        skip.add(address.lower())
        cc.append(mailbox(identity.contact.name, address))
    cc += _copies(message.cc, skip)
    bcc = _copies(message.bcc, skip)  # in the envelope only: Django never writes a Bcc header
    in_reply_to, references = _thread_ids(message)
    headers = {"Message-ID": message.external_id}
    if message.author_user_id is None:  # written by Pomoc itself (a follow-up): no robot answers it
        headers.update({**auto_response_headers(), "X-Loop": route.address})
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = " ".join(references)
    prefix = OrganisationSettings.get().ticket_tag_prefix
    text = message.body_text or html_to_text(message.body_html)
    mail = EmailMultiAlternatives(
        subject=reply_subject(ticket.subject, ticket.number, prefix), body=text,
        from_email=route.from_header, to=[mailbox(recipient.contact.name, to)], cc=cc, bcc=bcc,
        reply_to=[route.address], headers=headers,
    )
    mail.attach_alternative(message.body_html or text_to_html(text), "text/html")
    _attach_files(mail, message)
    return mail


def forward_subject(subject: str, number: int, prefix: str) -> str:
    """``Fwd: <subject> [#<number>]``: answers to a forward find their way back to the ticket."""
    prefix = header_text(prefix, 20) or "#"
    subject = " ".join(without_tags(header_text(subject), prefix).split())
    return f"Fwd: {subject} [{prefix}{number}]" if subject else f"Fwd: [{prefix}{number}]"


def build_forward(message: Message, route: Route) -> EmailMultiAlternatives:
    """The mail for one forward (``pomoc.tickets.forwarding``): to its ``forward_to`` addresses with its
    own Cc and Bcc, a new thread whose Message-ID still leads answers back to the ticket."""
    skip = set(route.our_addresses)
    to = _copies(message.forward_to, skip)
    if not to:
        raise Undeliverable(_("The forward has no usable address to go to."))
    cc = _copies(message.cc, skip)
    bcc = _copies(message.bcc, skip)
    prefix = OrganisationSettings.get().ticket_tag_prefix
    text = message.body_text or html_to_text(message.body_html)
    mail = EmailMultiAlternatives(
        subject=forward_subject(message.ticket.subject, message.ticket.number, prefix), body=text,
        from_email=route.from_header, to=to, cc=cc, bcc=bcc, reply_to=[route.address],
        headers={"Message-ID": message.external_id},
    )
    mail.attach_alternative(message.body_html or text_to_html(text), "text/html")
    _attach_files(mail, message)
    return mail


def _send(mail: EmailMultiAlternatives, route: Route) -> dict:
    """Send one mail; returns the recipients the server refused (when it accepted the others)."""
    backend = route.connection()
    backend.send_messages([mail])
    return getattr(backend, "refused", None) or {}


# --- delivery of agent replies ----------------------------------------------------------------
# Django's mail backends that send nothing anywhere: the console one is the default while EMAIL_HOST is unset.
NOT_SENDING_BACKENDS = ("django.core.mail.backends.console.EmailBackend",
                        "django.core.mail.backends.dummy.EmailBackend")


def sending_problem(inbox) -> str:
    """Why replies through ``inbox`` (None: the installation's outgoing mail) cannot be sent: neither
    the inbox has an SMTP server nor the installation one (``EMAIL_HOST``); "" when one is set."""
    if inbox is not None and EmailInboxConfig.from_dict(inbox.config).smtp_host:
        return ""
    if settings.EMAIL_BACKEND not in NOT_SENDING_BACKENDS:
        return ""
    return _("No outgoing mail server is configured, so replies cannot be sent. An administrator can give "
             "the inbox an SMTP server (Administration → Inboxes) or set EMAIL_HOST for the installation; "
             "then send the reply again.")


class EmailOutbound:
    """The e-mail kind's outbound adapter: one stored reply as one mail through the route's SMTP server
    (``pomoc.channels.outbound`` holds the state machine: locking, retries, events)."""

    def deliver(self, message: Message) -> str:
        inbox = message.inbox if message.inbox_id and message.inbox.active else None
        problem = sending_problem(inbox)
        if problem:  # nothing would leave (Django's console backend): never report it as sent
            raise DeliveryFailed(problem, temporary=False)
        try:
            route = route_for(inbox)
            # The Message-ID is fixed before the first attempt so that a retry can never thread apart.
            if not message.external_id:
                services.message_external_id_set(message=message, external_id=make_msgid(domain=route.domain))
            mail = build_forward(message, route) if message.kind == MessageKind.FORWARD else build_reply(message, route)
            refused = _send(mail, route)
        except Exception as exc:
            temporary, reason = classify_failure(exc)
            raise DeliveryFailed(reason[:1000], temporary=temporary) from exc
        if not refused:
            return ""
        return _("Not accepted for %(recipients)s") % {
            "recipients": "; ".join(f"{address} ({_answer(code, text)})" for address, (code, text) in refused.items())}


# --- Pomoc's own automatic mail ---------------------------------------------------------------
@dataclass(frozen=True)
class AutomaticResult:
    outcome: str  # SENT, SKIPPED (not to be answered), RETRY (temporary failure) or FAILED
    message_id: str = ""
    reason: str = ""


def send_automatic(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    ticket: Ticket | None = None,
    inbox: Inbox | None = None,
    in_reply_to: str = "",
    references: Sequence[str] = (),
    auto_submitted: str = "auto-replied",
    limiter: AutoResponseLimiter | None = None,
) -> AutomaticResult:
    """Send a mail Pomoc writes on its own (acknowledgement, notice), now.

    Stamped ``Auto-Submitted`` (RFC 3834) and ``X-Loop`` so that no robot answers it and it never
    loops; never sent to an automated or bouncing address; at most ``limiter``'s count per sender
    (``AutoResponseLimiter()`` by default). Leaves through ``inbox``, else the ticket's inbox.
    """
    address = clean_address(to)
    if not address:
        return AutomaticResult(SKIPPED, reason=_("No usable address."))
    bounced = Identity.objects.filter(kind=IdentityKind.EMAIL, value=address.lower(), bounced=True).exists()
    if bounced:
        return AutomaticResult(SKIPPED, reason=_("Mail to this address bounces."))
    limiter = limiter if limiter is not None else AutoResponseLimiter()
    if not limiter.allow(address):
        return AutomaticResult(SKIPPED, reason=_("No more automatic answers to this address for now."))
    route = route_for(inbox if inbox is not None else inbox_for(ticket))
    subject = header_text(subject)
    if ticket is not None:
        prefix = header_text(OrganisationSettings.get().ticket_tag_prefix, 20) or "#"
        subject = f"{without_tags(subject, prefix)} [{prefix}{ticket.number}]".strip()
    message_id = make_msgid(domain=route.domain)
    headers = {**auto_response_headers(auto_submitted), "X-Loop": route.address, "Message-ID": message_id}
    parent = clean_message_id(in_reply_to)
    chain = [key for key in (clean_message_id(r) for r in references) if key][-MAX_REFERENCES:]
    if parent:
        headers["In-Reply-To"] = parent
        chain = [key for key in chain if key != parent][-(MAX_REFERENCES - 1):] + [parent]
    if chain:
        headers["References"] = " ".join(chain)
    text = body_text or html_to_text(body_html)
    mail = EmailMultiAlternatives(subject=subject, body=text, from_email=route.from_header, to=[address],
                                  reply_to=[route.address], headers=headers)
    mail.attach_alternative(body_html or text_to_html(text), "text/html")
    try:
        _send(mail, route)
    except Exception as exc:
        temporary, reason = classify_failure(exc)
        logger.warning("automatic mail failed (%s): %s", "temporary" if temporary else "permanent",
                       type(exc).__name__)
        return AutomaticResult(RETRY if temporary else FAILED, message_id, reason[:1000])
    return AutomaticResult(SENT, message_id)
