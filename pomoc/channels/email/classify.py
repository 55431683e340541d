"""Is this mail from a person? Auto-replies, bounces, mailing lists and spam are recognised here.

Pomoc never auto-answers anything but ``human`` mail, and never opens a ticket for a bounce. The
checks run in a fixed order, first match wins:

1. bounce: an RFC 3464 delivery report (``multipart/report; report-type=delivery-status``) with a
   failed recipient, or the non-standard reports of Postfix, Exim, qmail, Exchange, Gmail, Yahoo and
   Sendmail (at least two of: a bounce subject, a mail-system sender, a bounce phrase in the text;
   Exim's ``X-Failed-Recipients`` alone is enough). A delivery report that only says *delayed* or
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

from pomoc.channels.email.mime_policy import STANDARD_FACTORIES


class Kind(StrEnum):
    HUMAN = "human"
    AUTO_REPLY = "auto-reply"
    BOUNCE = "bounce"
    MAILING_LIST = "mailing-list"
    SPAM = "spam"


@dataclass(frozen=True)
class Classification:
    """What kind of mail this is and why. ``failed_recipients`` and ``original_message_id`` are
    only filled for bounces; ``original_message_id`` keeps its angle brackets (``<id@host>``)."""

    kind: Kind
    reason: str
    failed_recipients: tuple[str, ...] = ()
    original_message_id: str | None = None
    status: str = ""  # the first failing RFC 3463 status code of a bounce, e.g. "5.1.1"

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

# --- bounces ------------------------------------------------------------------------------------
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:"
    r"undelivered mail returned to sender"  # Postfix
    r"|mail delivery failed"  # Exim
    r"|failure notice"  # qmail, Yahoo
    r"|undeliverable\b"  # Exchange / Outlook ("Undeliverable: <subject>")
    r"|undelivered\b"
    r"|nicht zustellbar"  # Exchange, German
    r"|nedoručiteln[ée]"  # Exchange, Czech
    r"|niedostarczalne"  # Exchange, Polish
    r"|kättetoimetamatu"  # Exchange, Estonian
    r"|delivery status notification \(failure\)"  # Gmail
    r"|returned mail\b"  # Sendmail ("Returned mail: see transcript for details")
    r"|delivery failure"
    r"|mail system error"
    r"|non[- ]?deliver(?:able|y)"
    r"|message not delivered"
    r"|delivery notification: delivery has failed"  # Lotus Domino
    r"|unzustellbar"
    r")",
    re.IGNORECASE,
)
_DELAY_SUBJECT = re.compile(
    r"^\s*(?:delayed mail|delivery status notification \(delay\)|delivery delayed|warning: could not send message"
    r"|warning: message .* delayed)",
    re.IGNORECASE,
)
_BOUNCE_TEXT = re.compile(
    r"this is the mail system at host"  # Postfix
    r"|could not be delivered to one or more recipients"  # Postfix
    r"|this message was created automatically by mail delivery software"  # Exim
    r"|the following address\(es\) failed"  # Exim
    r"|this is the qmail-send program"  # qmail
    r"|i'm afraid i wasn't able to deliver your message"  # qmail
    r"|delivery has failed to these recipients or groups"  # Exchange 2007+
    r"|your message (?:to \S+ )?couldn't be delivered"  # Exchange Online
    r"|your message did not reach some or all of the intended recipients"  # Exchange 2003
    r"|delivery to the following recipients? failed"  # Gmail (old)
    r"|your message wasn't delivered to"  # Gmail
    r"|address not found"  # Gmail
    r"|sorry, we were unable to deliver your message"  # Yahoo
    r"|the following addresses had permanent fatal errors"  # Sendmail
    r"|the original message was received at"  # Sendmail
    r"|message could not be delivered"
    r"|permanent error\b.*\bgiven up"
    r"|delivery to the following recipient has been delayed",
    re.IGNORECASE,
)
_DELAY_TEXT = re.compile(
    r"delivery to the following recipients? (?:has been|is) delayed"
    r"|will continue trying|no action is required on your part"
    r"|message delivery has been delayed|could not send message for past \d+ hours"
    r"|this is a warning message only",
    re.IGNORECASE,
)
_MAIL_SYSTEM_LOCALS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
_MAIL_SYSTEM_NAMES = re.compile(r"mail delivery (?:subsystem|system|service)|^microsoft outlook$", re.IGNORECASE)
# where a non-standard bounce starts quoting the original mail
_ORIGINAL_MARKER = re.compile(
    r"^(?:-{2,}\s*)?(?:"
    r"below this line is a copy of the message"  # qmail
    r"|this is a copy of the message"  # Exim
    r"|original message(?: follows| headers)?"
    r"|forwarded message"
    r"|returned message"
    r"|unsent message below"
    r")",
    re.IGNORECASE | re.MULTILINE,
)
_ORIGINAL_MESSAGE_ID = re.compile(r"^[ \t>]*(?:original[- ])?message-id:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
_MAIL_FROM_LINE = re.compile(r"mail from:\s*<?([^>\s]+)", re.IGNORECASE)


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
                groups.append({k.lower(): str(v).strip() for k, v in block.items()})
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
    if _content_type(msg) != "multipart/report":
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
        return Classification(Kind.AUTO_REPLY, "report:feedback-report")
    status_parts = [
        part
        for part in msg.walk()
        if _content_type(part) in ("message/delivery-status", "message/global-delivery-status")
    ]
    if report_type not in _DSN_TYPES and not status_parts:
        return None
    failed: list[str] = []
    delayed = delivered = False
    first_status = ""
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
                delayed = True
            elif action in ("delivered", "relayed", "expanded"):
                delivered = True
    original = _embedded_message_id(msg) or _message_id_in_text(_body_text(msg))
    if failed:
        return Classification(Kind.BOUNCE, "dsn:failed", tuple(failed), original, first_status)
    if delayed:
        return Classification(Kind.AUTO_REPLY, "dsn:delayed", original_message_id=original)
    if delivered:
        return Classification(Kind.AUTO_REPLY, "dsn:delivered", original_message_id=original)
    # a delivery report we could not read: a bounce without recipients, decided by its text below
    return None


# --- non-standard bounces -----------------------------------------------------------------------
def _message_id_in_text(text: str) -> str | None:
    marker = _ORIGINAL_MARKER.search(text)
    tail = text[marker.start():] if marker else text
    match = _ORIGINAL_MESSAGE_ID.search(tail) or _ORIGINAL_MESSAGE_ID.search(text)
    return match.group(1) if match else None


def _failed_recipients_in_text(headers: _Headers, text: str, sender: str) -> tuple[str, ...]:
    header = [a.lower() for a in _ADDRESS.findall(", ".join(headers.get_all("x-failed-recipients")))]
    if header:
        return tuple(dict.fromkeys(header))
    marker = _ORIGINAL_MARKER.search(text)
    diagnostic = text[: marker.start()] if marker else text
    excluded = {sender, *_addresses(headers, "to"), *_addresses(headers, "delivered-to"),
                *_addresses(headers, "return-path")}
    excluded.update(m.lower() for m in _MAIL_FROM_LINE.findall(diagnostic))
    found: list[str] = []
    for address in _ADDRESS.findall(diagnostic):
        address = address.lower().rstrip(".")
        local = _local_part(address)
        if address in excluded or local.startswith(_MAIL_SYSTEM_LOCALS) or address in found:
            continue
        found.append(address)
    return tuple(found)


def _is_mail_system_sender(name: str, address: str) -> bool:
    local = _local_part(address)
    return (
        local.startswith(_MAIL_SYSTEM_LOCALS)
        or local.startswith("microsoftexchange")
        or bool(_MAIL_SYSTEM_NAMES.search(name.strip()))
    )


def _classify_plain_bounce(msg: Message, headers: _Headers, subject: str) -> Classification | None:
    """A non-standard bounce (or delay warning) told by its subject, sender and text.

    The body text is the costly part, and most mail shows none of the signs that need it: it is
    read only with a delay subject, a bounce subject, a mail-system sender or X-Failed-Recipients.
    Without any of these the text alone is one sign at most, never the two a bounce needs."""
    name, sender = _from_address(headers)
    system_sender = _is_mail_system_sender(name, sender)
    delay_subject = bool(_DELAY_SUBJECT.search(subject))
    bounce_subject = bool(_BOUNCE_SUBJECT.search(subject))
    exim_header = bool(headers.get("x-failed-recipients"))
    if not (delay_subject or bounce_subject or system_sender or exim_header):
        return None
    text = _body_text(msg)
    if delay_subject and (system_sender or _DELAY_TEXT.search(text)):
        return Classification(Kind.AUTO_REPLY, "bounce-text:delayed", original_message_id=_message_id_in_text(text))
    signals = [bounce_subject, system_sender, bool(_BOUNCE_TEXT.search(text))]
    if sum(signals) < 2 and not exim_header:
        return None
    if not exim_header and _DELAY_TEXT.search(text) and not re.search(r"permanent|fatal|failed", text, re.I):
        return Classification(Kind.AUTO_REPLY, "bounce-text:delayed", original_message_id=_message_id_in_text(text))
    failed = _failed_recipients_in_text(headers, text, sender)
    original = _embedded_message_id(msg) or _message_id_in_text(text)
    status = re.search(r"\b(5\.\d{1,3}\.\d{1,3})\b", text)
    reason = "x-failed-recipients" if exim_header else "bounce-text"
    return Classification(Kind.BOUNCE, reason, failed, original, status.group(1) if status else "")


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
    return_path = headers.get_all("return-path")
    if return_path and return_path[-1].strip() in ("<>", ""):
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
