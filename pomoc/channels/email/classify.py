"""Is this mail from a person? Auto-replies, bounces, mailing lists and spam are recognised here.

Pomoc never auto-answers anything but ``human`` mail, and never opens a ticket for a bounce. The
checks run in a fixed order, first match wins:

1. bounce: an RFC 3464 delivery report (``multipart/report; report-type=delivery-status``) with a
   failed recipient, or a non-standard report told by its structure (``_classify_plain_bounce``,
   words in ``bounce_words``): a mail-system sender (MAILER-DAEMON, postmaster, "Mail Delivery
   System"…) or another automatic sign (null envelope sender, ``Auto-Submitted``), a subject or text
   saying that delivery failed (in many languages), the returned mail, the failing recipient; Exim's
   ``X-Failed-Recipients`` alone is enough. A report that only says *delayed* (``is_delay``) or
   *delivered*, a read receipt (MDN) and an abuse report (ARF) are ``auto-reply``: they are noise,
   never a new ticket, and a delay must not mark an address as bouncing.
2. spam: the local filter said so (``X-Spam-Flag: YES``, ``X-Spam-Status: Yes``). It comes after
   bounces because a bounce never opens a ticket anyway and the bounce handling only acts when the
   report names one of our own Message-IDs.
3. auto-reply: ``Auto-Submitted`` other than ``no``, ``X-Autoreply``, ``X-Autorespond``,
   ``X-Auto-Response-Suppress`` (All/OOF/AutoReply), ``X-MS-Exchange-Inbox-Rules-Loop``, or an
   out-of-office subject (en, cs, pl, et, de).
4. mailing-list: ``List-Id``, ``List-Unsubscribe``, ``List-Post``, ``Precedence: list``. A list
   that is one of our own addresses (a support@ Google Group forwarding to Pomoc) does not count.
5. auto-reply again for the weaker signs: ``Precedence: bulk/junk/auto_reply`` and a null envelope
   sender (``Return-Path: <>``).

Cost: ingestion classifies every mail, so the header fields are read once per call (``_Headers``)
and a value goes through the ``policy.default`` header parser only where that parser could give
something else than the raw text (encoded words, 8-bit bytes, address and MIME headers); the parsed
From is kept in a small cache keyed by its raw text, so ``is_from_ourselves`` after ``classify``
does not parse it again. The body text is only read when a bounce sign asks for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address, UnstructuredHeader
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from email.utils import getaddresses, parseaddr
from enum import StrEnum
from functools import lru_cache

from pomoc.channels.email import bounce_words
from pomoc.channels.email.mime_policy import STANDARD_FACTORIES


class Kind(StrEnum):
    HUMAN = "human"
    AUTO_REPLY = "auto-reply"
    BOUNCE = "bounce"
    MAILING_LIST = "mailing-list"
    SPAM = "spam"


@dataclass(frozen=True)
class Classification:
    """What kind of mail this is and why. ``failed_recipients``, ``original_message_id`` and
    ``status`` are filled for delivery reports: for a bounce the recipients that failed, for a delay
    warning (``is_delay``) those not delivered yet, for an abuse report (ARF) the complaining one.
    ``original_message_id`` keeps its angle brackets (``<id@host>``)."""

    kind: Kind
    reason: str
    failed_recipients: tuple[str, ...] = ()
    original_message_id: str | None = None
    status: str = ""  # the first RFC 3463 status code of the report, e.g. "5.1.1" (a delay: "4.4.7")

    @property
    def is_delay(self) -> bool:
        """A delay warning: delivery is still being tried. Noise, and it never marks an address bouncing."""
        return self.reason.endswith(":delayed")

    @property
    def is_human(self) -> bool:
        return self.kind == Kind.HUMAN

    @property
    def may_auto_respond(self) -> bool:
        """Only mail from a person may ever get an automatic answer."""
        return self.kind == Kind.HUMAN


HUMAN = Classification(Kind.HUMAN, "human")

# --- headers ------------------------------------------------------------------------------------
_PRECEDENCE_AUTO = {"bulk", "junk", "auto_reply", "auto-reply"}
_SUPPRESS_TOKENS = {"all", "oof", "autoreply"}

# --- out of office subjects (anchored at the start: "Re: I was out of office" is a person) -------
_OOF_PHRASES = [
    # English
    r"auto(?:matic)?[ -]?(?:reply|response|answer)",
    r"autoreply",
    r"out of (?:the )?office(?: auto ?reply)?",
    r"away from (?:the )?office",
    r"on vacation",
    r"vacation (?:reply|notice)",
    # Czech
    r"automatick[áa] odpov[ěe]ď",
    r"nep[řr][íi]tomnost",
    r"mimo kancel[áa][řr]",
    # Polish
    r"automatyczna odpowied[źz]",
    r"odpowied[źz] automatyczna",
    r"poza biurem",
    r"nieobecno[śs][ćc]",
    # Estonian
    r"automaatne vastus",
    r"kontorist v[äa]ljas",
    # German
    r"abwesenheitsnotiz",
    r"automatische antwort",
    r"abwesenheit",
    r"au[ßs]er haus",
]
_OOF_SUBJECT = re.compile(
    r"^\s*(?:" + "|".join(_OOF_PHRASES) + r")"
    # the phrase ends the subject, or a separator / "until <date>" follows; "out of office hours?" stays human
    r"(?:\s*$|\s*[:\-–—(/|,\[]|\s+(?:until|till|from|to|bis|vom|ab|do|od|kuni|alates)\b)",
    re.IGNORECASE,
)

# --- bounces: the words live in bounce_words -----------------------------------------------------
_STATUS_PART_TYPES = ("message/delivery-status", "message/global-delivery-status")
_WORDS_READ = 8000  # characters of a report's own text searched for its words
_RETURNED_PART_TYPES = ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers",
                        "message/global-headers")


# --- header fields ------------------------------------------------------------------------------
_LINE_BREAK = re.compile(r"\n|\r")  # what policy.default removes from a value before parsing it
_TOKEN = r"[!#$%&'*+.^_`{|}~0-9A-Za-z-]+"
_NAME = r"[!#$%&'+.^_`{|}~0-9A-Za-z-]+"  # a token without "*" (RFC 2231 parameters)
_PLAIN_PARAMETER = rf"""[ \t]*{_NAME}[ \t]*=[ \t]*(?:{_TOKEN}|"[^"\\]*")[ \t]*"""
# a MIME field the header parser reads without surprises: "type/subtype; name=value; name="value"",
# no comments, no RFC 2231 (name*=), no encoded words (the parser raises on some malformed parameters)
_PLAIN_MIME_VALUE = re.compile(rf"[ \t]*({_TOKEN}(?:/{_TOKEN})?)[ \t]*(?:;{_PLAIN_PARAMETER})*;?[ \t]*\Z")


class _Headers:
    """The header fields of one message, read once, giving the same strings as ``msg.get(name)`` and
    ``msg.get_all(name)`` (turned into ``str``) would.

    ``msg.get`` runs the ``policy.default`` header parser on every call (tens of microseconds each,
    and classify asks for about twenty fields); here a field's value is only parsed when the parser
    can change it (see ``_fetched``). Names are asked for in lower case."""

    __slots__ = ("_fields", "_msg", "default_policy")

    def __init__(self, msg: Message) -> None:
        self._msg = msg
        fields: dict[str, list[tuple[str, object]]] = {}
        for name, value in msg.raw_items():
            fields.setdefault(name.lower(), []).append((name, value))
        self._fields = fields
        self.default_policy = getattr(msg.policy, "header_factory", None) in STANDARD_FACTORIES

    def has(self, name: str) -> bool:
        return name in self._fields

    def first_field(self, name: str) -> tuple[str, object] | None:
        found = self._fields.get(name)
        return found[0] if found else None

    def get(self, name: str) -> str | None:
        found = self._fields.get(name)
        return self._fetched(*found[0]) if found else None

    def raw_all(self, name: str) -> list[str]:
        """The values as they stand in the mail (no header parser), as text."""
        return [value if type(value) is str else str(value) for _key, value in self._fields.get(name, ())]

    def get_all(self, name: str) -> list[str]:
        return [self._fetched(key, value) for key, value in self._fields.get(name, ())]

    def text(self, name: str) -> str:
        """The stripped value of the first such field, "" when there is none."""
        value = self.get(name)
        return value.strip() if value is not None else ""

    def parsed(self, key: str, value: object) -> object:
        """The field as ``msg.get`` gives it (a header object under ``policy.default``)."""
        return self._msg.policy.header_fetch_parse(key, value)

    def _fetched(self, key: str, value: object) -> str:
        if self.default_policy and type(value) is str:
            return _default_policy_text(key, value)
        return str(self.parsed(key, value))


def _is_unstructured(name: str) -> bool:
    factory = policy.default.header_factory
    kind = factory.registry.get(name.lower(), factory.default_class)
    return issubclass(kind, UnstructuredHeader)


def _default_policy_text(key: str, value: str) -> str:
    """``str(policy.default.header_fetch_parse(key, value))`` for a value as parsed from the mail.

    An unstructured field in plain ASCII without encoded words (``=?``) comes out of the parser as
    it went in, line breaks removed: only the other values need the parser."""
    if value.isascii() and "=?" not in value and _is_unstructured(key):
        return _LINE_BREAK.sub("", value)
    return str(policy.default.header_fetch_parse(key, value))


def _main_value(part: Message, name: str) -> str | None:
    """``_splitparam(str(part.get(name)))[0].lower()`` (what ``get_content_type`` and
    ``get_content_disposition`` look at) read from the raw field when it is plain (see
    ``_PLAIN_MIME_VALUE``): the MIME header parser gives such a value back unchanged. None when the
    parser is needed, also for its errors on malformed fields (or the field is missing)."""
    if getattr(part.policy, "header_factory", None) not in STANDARD_FACTORIES:
        return None
    for key, value in part.raw_items():
        if key.lower() == name:
            if type(value) is not str or not value.isascii() or "=?" in value:
                return None
            plain = _PLAIN_MIME_VALUE.match(_LINE_BREAK.sub("", value))
            return plain.group(1).lower() if plain else None
    return None


def _content_type(part: Message) -> str:
    """``part.get_content_type()`` without parsing the Content-Type field when it is plain."""
    value = _main_value(part, "content-type")
    if value is None or value.count("/") != 1:
        return part.get_content_type()
    return value


def _content_disposition(part: Message) -> str | None:
    """``part.get_content_disposition()`` without parsing the field when it is plain."""
    value = _main_value(part, "content-disposition")
    return value if value is not None else part.get_content_disposition()


def _addresses(headers: _Headers, name: str) -> list[str]:
    values = headers.get_all(name)
    return [addr.lower() for _name, addr in getaddresses(values) if addr]


def _from_address(headers: _Headers) -> tuple[str, str]:
    """(display name, lower-cased address) of From, tolerant of malformed headers."""
    field = headers.first_field("from")
    if field is None:
        return "", ""
    key, value = field
    if headers.default_policy and type(value) is str:
        return _default_policy_sender(value)
    return _sender_of(lambda: headers.parsed(key, value), value)


@lru_cache(maxsize=512)
def _default_policy_sender(value: str) -> tuple[str, str]:
    """The sender of a raw From value under ``policy.default``: a pure function of the text, so
    ``classify`` and ``is_from_ourselves`` of one mail parse the address once."""
    return _sender_of(lambda: policy.default.header_fetch_parse("From", value), value)


def forget_parsed_senders() -> None:
    """Empty the cache of parsed From values, so that a benchmark round starts cold."""
    _default_policy_sender.cache_clear()


def _sender_of(parsed: Callable[[], object], raw: object = "") -> tuple[str, str]:
    try:
        value = parsed()
        if getattr(value, "addresses", None):
            addr: Address = value.addresses[0]
            return addr.display_name or "", (addr.addr_spec or "").lower()
    except (IndexError, TypeError, ValueError):
        pass
    try:
        text = str(parsed())
    except ValueError:  # a display name that decodes to a line break: the value as it came
        text = " ".join(str(raw).split())
    name, addr = parseaddr(text.strip())
    return name, addr.lower()


def _local_part(address: str) -> str:
    return address.rsplit("@", 1)[0].lower() if "@" in address else address.lower()


def _text_of(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else part.get_payload(decode=True)
    except (LookupError, KeyError, ValueError, AssertionError, TypeError, AttributeError):
        content = part.get_payload(decode=True)
    if isinstance(content, bytes):
        try:
            return content.decode(part.get_content_charset() or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know: the words we look for are ASCII anyway
            return content.decode("latin-1")
    return content if isinstance(content, str) else ""


def _body_text(msg: Message, limit: int = 100_000) -> str:
    """The text of the mail's own (non-attached) text parts, for phrase matching."""
    texts: list[str] = []
    for part in _walk_skipping_attached_messages(msg):
        ctype = _content_type(part)
        if ctype in ("text/plain", "text/html"):
            if _content_disposition(part) == "attachment":
                continue
            text = _text_of(part)
            if ctype == "text/html":
                text = re.sub(r"<[^>]+>", " ", text)
            texts.append(text)
        if sum(len(t) for t in texts) > limit:
            break
    return "\n".join(texts)[:limit]


def _walk_skipping_attached_messages(msg: Message):
    """Parts of this mail, without descending into attached messages (their bodies are not ours)."""
    yield msg
    if _content_type(msg) in ("message/rfc822", "message/global"):
        return
    if msg.is_multipart():
        for sub in msg.get_payload():
            if isinstance(sub, Message):
                yield from _walk_skipping_attached_messages(sub)


# --- delivery status notifications --------------------------------------------------------------
def _status_fields(part: Message) -> list[dict[str, str]]:
    """The field groups of a message/delivery-status part (per-message first, then per-recipient)."""
    payload = part.get_payload()
    groups: list[dict[str, str]] = []
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                groups.append({k.lower(): _LINE_BREAK.sub(" ", str(v)).strip() for k, v in block.raw_items()})
        if groups:
            return groups
        text = ""
    else:
        text = _text_of(part)
    for block in re.split(r"\r?\n[ \t]*\r?\n", text.strip()):
        headers = HeaderParser().parsestr(block.strip() + "\n")
        fields = {k.lower(): str(v).strip() for k, v in headers.items()}
        if fields:
            groups.append(fields)
    return groups


def _recipient_of(fields: dict[str, str]) -> str:
    raw = fields.get("final-recipient") or fields.get("original-recipient") or ""
    address = raw.split(";", 1)[1] if ";" in raw else raw
    address = address.strip().strip("<>").strip()
    return address.lower()


def _embedded_message_id(msg: Message) -> str | None:
    """The Message-ID of the original mail a report carries (message/rfc822 or text/rfc822-headers)."""
    for part in msg.walk():
        ctype = _content_type(part)
        if ctype in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                found = _clean_message_id(inner.get("Message-ID"))
                if found:
                    return found
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers"):
            found = _clean_message_id(HeaderParser().parsestr(_text_of(part)).get("Message-ID"))
            if found:
                return found
    return None


def _clean_message_id(value: object) -> str | None:
    if value is None:
        return None
    match = re.search(r"<[^<>\s]+>", str(value))
    return match.group(0) if match else None


_DSN_TYPES = ("delivery-status", "global-delivery-status")


def _report_type(msg: Message) -> str:
    return str(msg.get_param("report-type") or "").strip().lower()


def _classify_report(msg: Message) -> Classification | None:
    content_type = _content_type(msg)
    if content_type != "multipart/report":
        # a gateway's report: multipart/mixed with a delivery-status part of its own (one of an
        # attached mail does not count: a person forwarding a bounce as an attachment is a person)
        if content_type != "multipart/mixed" or not any(
                isinstance(part, Message) and _declares_delivery_status(part) for part in msg.get_payload()):
            return None
    report_type = _report_type(msg)
    if report_type == "disposition-notification":
        original = None
        for part in msg.walk():
            if _content_type(part).endswith("disposition-notification"):
                for fields in _status_fields(part):
                    original = original or _clean_message_id(fields.get("original-message-id"))
        return Classification(Kind.AUTO_REPLY, "report:disposition-notification", original_message_id=original)
    if report_type == "feedback-report":
        return _feedback_report(msg)
    status_parts = [part for part in _walk_skipping_attached_messages(msg) if _content_type(part) in _STATUS_PART_TYPES]
    if report_type not in _DSN_TYPES and not status_parts:
        return None
    failed: list[str] = []
    delayed: list[str] = []
    delivered = False
    first_status = delay_status = ""
    for part in status_parts:
        for fields in _status_fields(part):
            recipient = _recipient_of(fields)
            if not recipient:
                continue
            action = fields.get("action", "").lower()
            status = fields.get("status", "").split()[0] if fields.get("status") else ""
            if action == "failed" or (not action and status.startswith("5")):
                if recipient not in failed:
                    failed.append(recipient)
                first_status = first_status or status
            elif action == "delayed" or status.startswith("4"):
                if recipient not in delayed:
                    delayed.append(recipient)
                delay_status = delay_status or status
            elif action in ("delivered", "relayed", "expanded"):
                delivered = True
    original = _embedded_message_id(msg) or _message_id_in_text(_body_text(msg))
    if failed:
        return Classification(Kind.BOUNCE, "dsn:failed", tuple(failed), original, first_status)
    if delayed:
        return Classification(Kind.AUTO_REPLY, "dsn:delayed", tuple(delayed), original, delay_status)
    if delivered:
        return Classification(Kind.AUTO_REPLY, "dsn:delivered", original_message_id=original)
    # a delivery report we could not read: a bounce without recipients, decided by its text below
    return None


def _declares_delivery_status(part: Message) -> bool:
    """The part is a delivery-status part: its raw Content-Type says so (cheap), the parser agrees."""
    for key, value in part.raw_items():
        if key.lower() == "content-type":
            return "delivery-status" in str(value).lower() and _content_type(part) in _STATUS_PART_TYPES
    return False


def _feedback_report(msg: Message) -> Classification:
    """An abuse report (ARF, RFC 5965): a recipient marked our mail as spam. Noise, never a ticket,
    and no bounce either (the address works); the recipient and our Message-ID are kept."""
    recipients: list[str] = []
    for part in msg.walk():
        if _content_type(part) == "message/feedback-report":
            for fields in _status_fields(part):
                for name in ("original-rcpt-to", "removal-recipient"):
                    for address in bounce_words.ADDRESS.findall(fields.get(name, "")):
                        if address.lower() not in recipients:
                            recipients.append(address.lower())
    return Classification(Kind.AUTO_REPLY, "report:feedback-report", tuple(recipients), _embedded_message_id(msg))


# --- non-standard bounces -----------------------------------------------------------------------
def _original_start(text: str) -> int | None:
    """Where the text starts quoting the returned mail: a marker line, or a block of its header
    fields; None when it quotes nothing."""
    marker = bounce_words.ORIGINAL_MARKER.search(text)
    block = bounce_words.QUOTED_HEADER_BLOCK.search(text)
    starts = [found.start() for found in (marker, block) if found]
    return min(starts) if starts else None


def _message_id_in_text(text: str) -> str | None:
    start = _original_start(text)
    tail = text[start:] if start is not None else text
    match = bounce_words.ORIGINAL_MESSAGE_ID.search(tail) or bounce_words.ORIGINAL_MESSAGE_ID.search(text)
    return match.group(1) if match else None


def _returned_sender(msg: Message, text: str, start: int | None) -> set[str]:
    """The From and Sender of the returned mail (ours): never a failing recipient."""
    found: set[str] = set()
    for part in msg.walk():
        if _content_type(part) in _RETURNED_PART_TYPES:
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            headers = inner if isinstance(inner, Message) else HeaderParser().parsestr(_text_of(part))
            for name in ("from", "sender", "return-path"):
                found.update(a.lower() for a in bounce_words.ADDRESS.findall(str(headers.get(name) or "")))
    if start is not None:
        for line in re.findall(r"^[ \t>]*(?:from|sender|return-path):(.*)$", text[start:], re.I | re.M):
            found.update(a.lower() for a in bounce_words.ADDRESS.findall(line))
    return found


def _failed_recipients_in_text(msg: Message, headers: _Headers, text: str, sender: str) -> tuple[str, ...]:
    header = [a.lower() for a in bounce_words.ADDRESS.findall(", ".join(headers.get_all("x-failed-recipients")))]
    if header:
        return tuple(dict.fromkeys(header))
    start = _original_start(text)
    diagnostic = text[:start] if start is not None else text
    excluded = {sender, *_addresses(headers, "to"), *_addresses(headers, "delivered-to"),
                *_addresses(headers, "return-path"), *_returned_sender(msg, text, start)}
    excluded.update(m.lower() for m in bounce_words.MAIL_FROM_LINE.findall(diagnostic))
    found: list[str] = []
    for match in bounce_words.ADDRESS.finditer(diagnostic):
        address = match.group(0).lower().rstrip(".")
        local = _local_part(address)
        if diagnostic[max(0, match.start() - 8):match.start()].lower().endswith(("://", "/")):
            continue  # part of a link, not an address
        if address in excluded or local.startswith(bounce_words.SYSTEM_LOCAL_PARTS) or address in found:
            continue
        found.append(address)
    return tuple(found)


def _null_envelope_sender(headers: _Headers) -> bool:
    """``Return-Path: <>`` (the last one, the envelope sender the final MTA recorded): a report or
    an automatic reply. Read from the raw value: an empty address needs no address parser."""
    values = headers.raw_all("return-path")
    return bool(values) and re.sub(r"\s+|\([^()]*\)", "", values[-1]) in ("<>", "")


def _is_mail_system_sender(headers: _Headers, name: str, address: str) -> bool:
    """A mail system's address or name, or a null From (``From: <>``) as some gateways send."""
    if not address and re.search(r"<\s*>", headers.get("from") or ""):
        return True
    return _local_part(address).startswith(bounce_words.SYSTEM_LOCAL_PARTS) or bool(
        bounce_words.SYSTEM_NAME.search(bounce_words.casefolded(name.strip())))


def _status_in_text(text: str, *, delayed: bool) -> str:
    """The first RFC 3463 status code the report gives: a permanent (5.x.x) one for a failure where
    it gives one, a temporary (4.x.x) one for a delay."""
    codes = [code for code in bounce_words.ENHANCED_STATUS.findall(text) if code[0] in "45"]
    wanted = [code for code in codes if code[0] == ("4" if delayed else "5")]
    return (wanted or codes or [""])[0]


def _classify_plain_bounce(msg: Message, headers: _Headers, subject: str) -> Classification | None:
    """A non-standard bounce (or delay warning) told by its structure: who sent it (a mail system,
    a null envelope sender, ``Auto-Submitted``), a subject or text saying the delivery failed or is
    delayed, the returned mail (where the report's own text ends), the failing recipient.

    It takes a mail-system sender with a sign of failure or delay in the subject or the text, or
    another automatic sender (null envelope, ``Auto-Submitted``) with such a subject and the
    report's own text agreeing; Exim's ``X-Failed-Recipients`` alone is enough. A person's mail
    never has the automatic signs, and a reply or forward (``Re:``, ``Fwd:``) of a report is not a
    report. The body text, the costly part, is only read when one of the header signs is there.
    An out-of-office subject ("Automatic reply: …") is never a report."""
    if _OOF_SUBJECT.search(subject):
        return None  # "Automatic reply: Undeliverable parcel": an out-of-office reply, whatever it quotes
    name, sender = _from_address(headers)
    system_sender = _is_mail_system_sender(headers, name, sender)
    exim_header = bool(headers.get("x-failed-recipients"))
    auto_submitted = headers.text("auto-submitted").lower().split(";")[0].strip()
    automatic = system_sender or exim_header or _null_envelope_sender(headers) or auto_submitted not in ("", "no")
    if not automatic:
        return None
    subject = bounce_words.casefolded(subject)
    own_subject = not bounce_words.REPLY_OR_FORWARD.search(subject)
    delay_subject = own_subject and bool(bounce_words.DELAY_SUBJECT.search(subject))
    failure_subject = own_subject and not delay_subject and bool(bounce_words.FAILURE_SUBJECT.search(subject))
    report_subject = own_subject and bool(bounce_words.REPORT_SUBJECT.search(subject))
    if not (system_sender or exim_header or delay_subject or failure_subject or report_subject):
        return None
    text = _body_text(msg)
    start = _original_start(text)
    diagnostic = text[:start] if start is not None else text
    words = bounce_words.casefolded(diagnostic[:_WORDS_READ])  # reports say it at the start
    failure_text = bool(bounce_words.FAILURE_TEXT.search(words))
    delay_text = bool(bounce_words.DELAY_TEXT.search(words))
    if system_sender or exim_header:
        recognised = delay_subject or failure_subject or report_subject or failure_text or delay_text or exim_header
    else:
        recognised = (delay_subject or failure_subject or report_subject) and (failure_text or delay_text)
    if not recognised:
        return None
    permanent_text = bool(bounce_words.PERMANENT_TEXT.search(words))
    delayed = delay_subject or (not failure_subject and not exim_header and delay_text and not permanent_text)
    recipients = _failed_recipients_in_text(msg, headers, text, sender)
    original = _embedded_message_id(msg) or _message_id_in_text(text)
    status = _status_in_text(diagnostic, delayed=delayed)
    if delayed:
        return Classification(Kind.AUTO_REPLY, "bounce-text:delayed", recipients, original, status)
    reason = "x-failed-recipients" if exim_header else "bounce-text"
    return Classification(Kind.BOUNCE, reason, recipients, original, status)


# --- auto-replies, lists, spam ------------------------------------------------------------------
def _spam_reason(headers: _Headers) -> str | None:
    if headers.text("x-spam-flag").lower().startswith("yes"):
        return "x-spam-flag"
    if headers.text("x-spam-status").lower().startswith("yes"):
        return "x-spam-status"
    return None


def _auto_reply_reason(headers: _Headers, subject: str) -> str | None:
    auto_submitted = headers.text("auto-submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return "auto-submitted:" + auto_submitted.split(";")[0].strip()
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-mail-autoreply"):
        if headers.has(name) and headers.text(name).lower() not in ("no", "false", "0"):
            return name
    suppress = {t.strip().lower() for t in headers.text("x-auto-response-suppress").split(",")}
    if suppress & _SUPPRESS_TOKENS:
        return "x-auto-response-suppress"
    if headers.has("x-ms-exchange-inbox-rules-loop"):
        return "x-ms-exchange-inbox-rules-loop"
    if headers.text("x-autogenerated").lower() == "reply":
        return "x-autogenerated"
    if _OOF_SUBJECT.search(subject):
        return "subject:out-of-office"
    return None


def _is_own_list(headers: _Headers, our_addresses: set[str]) -> bool:
    if not our_addresses:
        return False
    posts = {a.lower() for a in re.findall(r"mailto:([^>?\s,]+)", headers.text("list-post"), re.IGNORECASE)}
    if posts & our_addresses:
        return True
    list_id = re.search(r"<([^>]+)>", headers.text("list-id"))
    if list_id:
        ident = list_id.group(1).lower()
        return any(ident == a.replace("@", ".", 1) for a in our_addresses)
    return False


def _mailing_list_reason(headers: _Headers, our_addresses: set[str]) -> str | None:
    for name in ("list-id", "list-unsubscribe", "list-post", "x-mailing-list"):
        if headers.has(name):
            return None if _is_own_list(headers, our_addresses) else name
    if headers.text("precedence").lower() == "list":
        return "precedence:list"
    return None


def _weak_auto_reason(headers: _Headers) -> str | None:
    precedence = headers.text("precedence").lower() or headers.text("x-precedence").lower()
    if precedence in _PRECEDENCE_AUTO:
        return "precedence:" + precedence
    if _null_envelope_sender(headers):
        return "return-path:null"
    return None


def _normalised(addresses: Iterable[str]) -> set[str]:
    return {a.strip().lower() for a in addresses if a and a.strip()}


def classify(msg: EmailMessage, *, our_addresses: Iterable[str] = ()) -> Classification:
    """Classify an incoming mail (parsed with ``email.policy.default``).

    ``our_addresses`` are the channel's own addresses: a mailing list posting to one of them (a
    support@ group forwarding to Pomoc) is not treated as a mailing list.
    """
    ours = _normalised(our_addresses)
    headers = _Headers(msg)
    subject = headers.text("subject")

    report = _classify_report(msg)
    if report is not None:
        return report
    bounce = _classify_plain_bounce(msg, headers, subject)
    if bounce is not None:
        return bounce
    if _content_type(msg) == "multipart/report" and _report_type(msg) in _DSN_TYPES:
        # a delivery report whose status we could not read: still a bounce, never a ticket
        original = _embedded_message_id(msg) or _message_id_in_text(_body_text(msg))
        return Classification(Kind.BOUNCE, "dsn:unreadable", (), original)
    spam = _spam_reason(headers)
    if spam:
        return Classification(Kind.SPAM, spam)
    auto = _auto_reply_reason(headers, subject)
    if auto:
        return Classification(Kind.AUTO_REPLY, auto)
    listed = _mailing_list_reason(headers, ours)
    if listed:
        return Classification(Kind.MAILING_LIST, listed)
    weak = _weak_auto_reason(headers)
    if weak:
        return Classification(Kind.AUTO_REPLY, weak)
    return HUMAN


# --- loops and our own automatic mail -----------------------------------------------------------
def is_from_ourselves(msg: EmailMessage, our_addresses: Iterable[str]) -> bool:
    """True when the mail was sent by one of our own addresses, or carries our ``X-Loop`` marker.

    An entry starting with ``@`` (``@support.example.com``) stands for a whole domain.
    """
    ours = _normalised(our_addresses)
    if not ours:
        return False
    domains = {a for a in ours if a.startswith("@")}
    headers = _Headers(msg)
    senders = [_from_address(headers)[1], *_addresses(headers, "sender"), *_addresses(headers, "return-path")]
    for address in senders:
        if not address:
            continue
        if address in ours or any(address.endswith(domain) for domain in domains):
            return True
    loops = " ".join(headers.get_all("x-loop")).lower()
    return any(a in loops for a in ours if not a.startswith("@"))


AUTO_SUBMITTED_VALUES = ("auto-replied", "auto-generated")


def auto_response_headers(auto_submitted: str = "auto-replied") -> dict[str, str]:
    """Headers Pomoc stamps on every mail it sends on its own (acknowledgements, notices), so other
    systems neither auto-answer it nor loop with us (RFC 3834)."""
    if auto_submitted not in AUTO_SUBMITTED_VALUES:
        raise ValueError(f"Auto-Submitted must be one of {AUTO_SUBMITTED_VALUES}")
    return {
        "Auto-Submitted": auto_submitted,
        "X-Auto-Response-Suppress": "All",
        "Precedence": "bulk",
    }
