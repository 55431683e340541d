"""Every write of live chat: sessions, visitor messages with their sequence numbers, delivery and read
marks, the queue (accept, transfer, invite), ending, rating, offline messages, transcripts, blocking.

Visitor messages get their line (and ``seq``) in one short transaction and enter the channel
platform's inbound pipeline (``inbound.receive``: deduplicated by ``external_id``) in the same one
when they open the ticket or carry files, else right after through the intake task (``intake``,
ADR 0031). Agent replies are ordinary ticket replies, delivered by the kind's outbound adapter
(``outbound.py``), which gives them theirs. Frames for sockets go out through ``publish_on_commit``
(after the commit, never for a rolled-back write)."""

from __future__ import annotations

import collections
import secrets
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.accounts.models import Department, User
from pomoc.channels import inbound
from pomoc.channels.chat import frames, intake, ports, tokens
from pomoc.channels.chat.config import ChatInboxConfig
from pomoc.channels.chat.groups import conversation_group, department_group, visitor_group
from pomoc.channels.chat.models import (
    BlockedAddress,
    ChatInbox,
    Conversation,
    ConversationStatus,
    Line,
    LineState,
    Upload,
    Visitor,
)
from pomoc.channels.models import Inbox
from pomoc.contacts.models import IdentityKind
from pomoc.contacts.services import contact_find, contact_get_or_create, identity_add, is_valid_email
from pomoc.core.realtime import publish_on_commit
from pomoc.core.upsert import typed_values
from pomoc.tickets import services as ticket_services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import Message, MessageKind, Ticket

MAX_PAGES = 30
SECRET_NAME = "identity_secret"
OPEN_STATUSES = (ConversationStatus.QUEUED, ConversationStatus.OPEN)


class Refused(Exception):
    """A visitor's request that cannot be done: ``code`` for machines, ``message`` for people."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def config_of(inbox: Inbox) -> ChatInboxConfig:
    return ChatInboxConfig.from_dict(inbox.config)


def inbox_key(inbox: Inbox) -> str:
    """The public key of a chat inbox (made on first use)."""
    existing = ChatInbox.objects.filter(inbox=inbox).values_list("key", flat=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return ChatInbox.objects.create(inbox=inbox, key=secrets.token_urlsafe(18)).key
    except IntegrityError:
        return ChatInbox.objects.get(inbox=inbox).key


def _publish(visitor_id: int | None, conversation_id: int | None, frame: dict) -> None:
    groups = ([visitor_group(visitor_id)] if visitor_id else []) + \
             ([conversation_group(conversation_id)] if conversation_id else [])
    publish_on_commit([(groups, frame)])


# --- sessions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Session:
    visitor: Visitor
    token: str


def _ip(value) -> str | None:
    """An address to store, or None (a test client or a proxy without one says "unknown")."""
    import ipaddress

    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def _clean(value, limit: int) -> str:
    return value.strip()[:limit].replace("\x00", "") if isinstance(value, str) else ""


def _page(page) -> dict | None:
    if not isinstance(page, dict) or not isinstance(page.get("url"), str) or not page["url"].strip():
        return None
    return {"url": _clean(page.get("url"), 1000), "title": _clean(page.get("title"), 300),
            "referrer": _clean(page.get("referrer"), 1000), "at": timezone.now().isoformat()}


def is_blocked(*, inbox: Inbox, visitor: Visitor | None, ip: str | None) -> bool:
    if visitor is not None and visitor.blocked_at is not None:
        return True
    ip = _ip(ip)
    return bool(ip) and BlockedAddress.objects.filter(inbox=inbox, ip=ip).exists()


def session_open(*, inbox: Inbox, token: str = "", identity=None, language: str = "", page=None,
                 ip: str | None = None, user_agent: str = "", time_zone: str = "") -> Session:
    """The visitor ``token`` names (a new one for no, a forged or another inbox's token), with the
    signed ``identity`` checked (``Refused`` 403 when its hash is wrong) and this page recorded."""
    key = tokens.visitor_key_from(token, inbox_id=inbox.pk)
    visitor = Visitor.objects.filter(inbox=inbox, key=key).first() if key else None
    verified = None
    if identity is not None:
        if not isinstance(identity, dict) or not identity.get("user_id"):
            raise Refused("identity", _("The signed identity is incomplete."), 403)
        user_id = str(identity["user_id"])[:200]
        if not tokens.identity_valid(inbox.get_secret(SECRET_NAME), user_id, identity.get("hash") or ""):
            raise Refused("identity", _("The signed identity does not match."), 403)
        email = _clean(identity.get("email"), 254).lower()
        verified = {"user_id": user_id, "email": email if is_valid_email(email) else "",
                    "name": _clean(identity.get("name"), 200)}
        if visitor is not None and visitor.user_id and visitor.user_id != user_id:
            visitor = None  # another person signed in on this browser: their own visitor
        if visitor is None:
            visitor = Visitor.objects.filter(inbox=inbox, user_id=user_id).order_by("-last_seen_at").first()
    now = timezone.now()
    with transaction.atomic():
        if visitor is None:
            visitor = Visitor(inbox=inbox, key=uuid.uuid4().hex, created_at=now)
        else:
            visitor.visits += 1 if (now - visitor.last_seen_at).total_seconds() > 30 * 60 else 0
        visitor.last_seen_at = now
        visitor.language = _clean(language, 20) or visitor.language
        visitor.user_agent = _clean(user_agent, 400) or visitor.user_agent
        visitor.time_zone = _clean(time_zone, 60) or visitor.time_zone
        visitor.ip = _ip(ip) or visitor.ip
        if verified:
            visitor.user_id = verified["user_id"]
            visitor.email = verified["email"] or visitor.email
            visitor.name = verified["name"] or visitor.name
        viewed = _page(page)
        if viewed:
            visitor.referrer = visitor.referrer or viewed["referrer"]
            visitor.pages = [*visitor.pages, viewed][-MAX_PAGES:]
        visitor.save()
        if verified:
            _link_contact(visitor)
    return Session(visitor=visitor, token=tokens.visitor_token(inbox_id=inbox.pk, visitor_key=visitor.key))


def page_view(*, visitor: Visitor, page) -> Visitor:
    viewed = _page(page)
    if viewed:
        visitor.pages = [*visitor.pages, viewed][-MAX_PAGES:]
        visitor.last_seen_at = timezone.now()
        visitor.save(update_fields=["pages", "last_seen_at"])
    return visitor


def _link_contact(visitor: Visitor) -> None:
    """The visitor's contact: the one of their verified e-mail (so a follow-up mail lands with the same
    person), else one made for the chat identity. The chat identity belongs to it."""
    if visitor.contact_id is None:
        contact = contact_find(kind=IdentityKind.EMAIL, value=visitor.email) if visitor.email else None
        if contact is None:
            # a name of its own: a nameless contact is named by a query per message on ticket pages
            name = visitor.name or visitor.label
            contact, _created = contact_get_or_create(kind=IdentityKind.CHAT, value=visitor.key, name=name)
        visitor.contact = contact
        visitor.save(update_fields=["contact"])
    contact = visitor.contact
    _name_contact(visitor)
    try:
        identity_add(contact=contact, kind=IdentityKind.CHAT, value=visitor.key)
        if visitor.email and contact_find(kind=IdentityKind.EMAIL, value=visitor.email) is None:
            identity_add(contact=contact, kind=IdentityKind.EMAIL, value=visitor.email)
    except ValidationError:
        pass  # the address belongs to another contact: the chat stays with this one


def _name_contact(visitor: Visitor) -> None:
    """A visitor who gives their name later (pre-chat, signed identity): it replaces the "Visitor 4821"
    their contact was made with (a name an agent typed is kept)."""
    contact = visitor.contact
    if contact is None or not visitor.name or contact.name == visitor.name:
        return
    if not contact.name or contact.name == visitor.label:
        contact.name = visitor.name[:200]
        contact.save(update_fields=["name"])


# --- conversations --------------------------------------------------------------------------
def current_conversation(visitor: Visitor) -> Conversation | None:
    """The visitor's conversation: the open one, else the latest (its history stays readable)."""
    mine = Conversation.objects.filter(visitor=visitor).select_related("agent").order_by("-id")
    return mine.filter(status__in=OPEN_STATUSES).first() or mine.first()


def _clean_prechat(inbox: Inbox, values) -> dict:
    values = values if isinstance(values, dict) else {}
    cleaned = {}
    for spec in config_of(inbox).prechat_fields:
        value = _clean(values.get(spec["name"]), 2000)
        if spec["required"] and not value:
            raise Refused("prechat", _("Please fill in “%(label)s”.") % {"label": spec["label"]})
        if value and spec["type"] == "email" and not is_valid_email(value):
            raise Refused("prechat", _("“%(value)s” is not a valid e-mail address.") % {"value": value})
        if value and spec["type"] == "select" and value not in spec.get("options", []):
            raise Refused("prechat", _("Choose one of the options for “%(label)s”.") % {"label": spec["label"]})
        cleaned[spec["name"]] = value
    return cleaned


def conversation_start(*, visitor: Visitor, prechat=None) -> Conversation:
    """The visitor's open conversation, or a new one (queued) with the pre-chat answers."""
    open_one = Conversation.objects.filter(visitor=visitor, status__in=OPEN_STATUSES).order_by("-id").first()
    if open_one is not None:
        return open_one
    inbox = visitor.inbox
    answers = _clean_prechat(inbox, prechat) if prechat is not None else {}
    with transaction.atomic():
        if answers.get("name") and not visitor.name:
            visitor.name = answers["name"][:200]
        if answers.get("email") and not visitor.email and is_valid_email(answers["email"]):
            visitor.email = answers["email"].lower()
        visitor.save(update_fields=["name", "email"])
        _name_contact(visitor)
        return Conversation.objects.create(inbox=inbox, visitor=visitor, department=inbox.department,
                                           prechat=answers)


def _contact_for_message(visitor: Visitor) -> None:
    if visitor.contact_id is None:
        _link_contact(visitor)


@dataclass(frozen=True)
class Stored:
    line: Line
    duplicate: bool


@dataclass(frozen=True)
class VisitorText:
    """One message as a visitor's socket or the chat API hands it over."""

    visitor: Visitor
    client_id: str
    body: str
    upload_ids: list | tuple = ()


def visitor_message(*, visitor: Visitor, client_id: str, body: str, upload_ids=()) -> Stored:
    """Store one visitor message (see ``visitor_messages``); ``Refused`` when it cannot be."""
    result = visitor_messages([VisitorText(visitor, client_id, body, upload_ids)])[0]
    if isinstance(result, Refused):
        raise result
    return result


def _checked_text(item: VisitorText) -> str:
    """The message's text as it is stored; ``Refused`` for a message that can never be."""
    if not isinstance(item.client_id, str) or not 1 <= len(item.client_id) <= 64 or "\x00" in item.client_id:
        raise Refused("client_id", _("A message needs its client id."))
    if item.visitor.blocked_at is not None:
        raise Refused("blocked", _("This chat is not available."), 403)
    body = (item.body if isinstance(item.body, str) else "").replace("\x00", "").strip()
    limit = config_of(item.visitor.inbox).max_message_chars
    if len(body) > limit:
        raise Refused("too_long", _("Keep a message under %(limit)s characters.") % {"limit": limit}, 413)
    return body


def _upload_ids(value) -> list[int]:
    return [i for i in value if isinstance(i, int) and not isinstance(i, bool)][:10] \
        if isinstance(value, list | tuple) else []


def visitor_messages(items: list[VisitorText]) -> list[Stored | Refused]:
    """Store visitors' messages, each once per ``client_id`` with its ``seq``; one result per item, in
    order: its line (a resend returns the stored one, ``duplicate``) or why it was ``Refused``.

    A text in a conversation that has its ticket is stored as a pending line, its ticket message made
    by the intake right after (``intake``). Those are stored set-wise (the chat sockets of a process
    hand over together what arrived while the previous batch was stored): one lookup for resends,
    the conversations locked in one statement, the lines inserted in one, one commit, their frames
    published together. The first message (it opens the ticket and rings) and a message with files
    go through the inbound pipeline one by one, after the conversation's pending lines, so the ticket
    keeps the chat's order; once a visitor's message goes that way, so do their next ones in
    ``items``."""
    results: list[Stored | Refused | None] = [None] * len(items)
    bodies: dict[int, str] = {}
    for n, item in enumerate(items):
        try:
            bodies[n] = _checked_text(item)
        except Refused as refused:
            results[n] = refused
    resent = _resent_lines([items[n] for n in bodies])
    one_by_one: set[int] = set()  # visitors whose messages go the full way from here on
    quick: list[int] = []
    for n in bodies:
        item = items[n]
        if (line := resent.get((item.visitor.pk, item.client_id))) is not None:
            results[n] = Stored(line=line, duplicate=True)
        elif item.visitor.pk in one_by_one or _upload_ids(item.upload_ids):
            one_by_one.add(item.visitor.pk)
        else:
            quick.append(n)
    if quick:
        for n, result in _pending_lines([(n, items[n], bodies[n]) for n in quick]).items():
            if result is None:
                one_by_one.add(items[n].visitor.pk)
            else:
                results[n] = result
    for n, result in enumerate(results):
        if result is None and n in bodies:
            try:
                results[n] = _visitor_message_one(items[n], bodies[n])
            except Refused as refused:
                results[n] = refused
    return results


def _resent_lines(items: list[VisitorText]) -> dict[tuple[int, str], Line]:
    """The stored lines of these messages' client ids, by (visitor, client id). A resend is rare: the
    ids are looked for in one plain statement (the ORM's query cost more Python than the trip), and
    only lines found are read as models."""
    if not items:
        return {}
    line, conversation = (connection.ops.quote_name(model._meta.db_table) for model in (Line, Conversation))
    visitors, client_ids = sorted({i.visitor.pk for i in items}), sorted({i.client_id for i in items})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {line}.id FROM {line} JOIN {conversation} ON {conversation}.id = {line}.conversation_id "  # noqa: S608 -- names from the models, values bound
            f"WHERE {line}.client_id IN ({', '.join(['%s'] * len(client_ids))}) "
            f"AND {conversation}.visitor_id IN ({', '.join(['%s'] * len(visitors))})", [*client_ids, *visitors])
        found = [row[0] for row in cursor.fetchall()]
    if not found:
        return {}
    return {(stored.conversation.visitor_id, stored.client_id): stored
            for stored in Line.objects.filter(pk__in=found).select_related("conversation")}


def _pending_lines(items: list[tuple[int, VisitorText, str]]) -> dict[int, Stored | Refused | None]:
    """The texts of conversations that have their ticket, stored as pending lines in one transaction;
    None for a message that must take the full way (no conversation or ticket yet, the same client
    id twice in the batch)."""
    results: dict[int, Stored | Refused | None] = {}
    with transaction.atomic():
        newest: dict[int, Conversation] = {}
        for conversation in (Conversation.objects.select_for_update()  # one order: no deadlock between two
                             .filter(visitor_id__in={item.visitor.pk for _n, item, _b in items},
                                     status__in=OPEN_STATUSES).order_by("id")):
            newest[conversation.visitor_id] = conversation
        lines: dict[int, Line] = {}
        seen: set[tuple[int, str]] = set()
        for n, item, body in items:
            conversation = newest.get(item.visitor.pk)
            key = (item.visitor.pk, item.client_id)
            if conversation is None or conversation.ticket_id is None or key in seen:
                results[n] = None
                continue
            seen.add(key)
            if not body:
                results[n] = Refused("empty", _("Write a message or attach a file."))
                continue
            conversation.last_seq += 1
            lines[n] = Line(conversation=conversation, seq=conversation.last_seq, author="visitor",
                            name=item.visitor.name[:200], body=body, client_id=item.client_id, pending=True)
        if lines:
            changed = {line.conversation_id: line.conversation for line in lines.values()}
            added = collections.Counter(line.conversation_id for line in lines.values())
            for count in sorted(set(added.values())):  # one statement for all conversations with one line
                Conversation.objects.filter(pk__in=[pk for pk, n in added.items() if n == count]) \
                    .update(last_seq=F("last_seq") + count)
            stored = Line.objects.bulk_create(list(lines.values()))
            for inbox_id in sorted({c.inbox_id for c in changed.values()}):
                intake.queue(inbox_id)
            transaction.on_commit(lambda: _publish_lines(stored))
            results.update((n, Stored(line=line, duplicate=False)) for n, line in lines.items())
    return results


def _visitor_message_one(item: VisitorText, body: str) -> Stored:
    """One message the full way (a first message, files), in its own transaction."""
    visitor, client_id = item.visitor, item.client_id
    inbox = visitor.inbox
    known = Line.objects.filter(conversation__visitor=visitor, client_id=client_id).first()
    if known is not None:
        return Stored(line=known, duplicate=True)
    with transaction.atomic():
        uploads = list(Upload.objects.select_for_update().filter(visitor=visitor, pk__in=_upload_ids(item.upload_ids),
                                                                 used=False))
        if not body and not uploads:
            raise Refused("empty", _("Write a message or attach a file."))
        conversation = (Conversation.objects.select_for_update().filter(visitor=visitor, status__in=OPEN_STATUSES)
                        .order_by("-id").first())
        if conversation is not None and conversation.ticket_id is not None and not uploads:
            line = _append(conversation, message=None, author="visitor", name=visitor.name, body=body,
                           client_id=client_id, pending=True)
            intake.queue(inbox.pk)
            return Stored(line=line, duplicate=False)
        _contact_for_message(visitor)
        if conversation is None:
            conversation = conversation_start(visitor=visitor)
            conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if intake.run(inbox_id=inbox.pk, conversation_id=conversation.pk):
            conversation.refresh_from_db(fields=["ticket"])  # the intake may have threaded it elsewhere
        result = inbound.receive(inbox=inbox, messages=[inbound.InboundMessage(
            identity_kind=IdentityKind.CHAT, identity_value=visitor.key,
            external_id=intake.external_id(visitor.key, client_id), name=visitor.name, text=body,
            thread_key=conversation.thread_key,
            attachments=[NewAttachment(file_name=u.name, content=bytes(u.content), content_type=u.content_type)
                         for u in uploads],
        )])[0]
        if result.error:
            raise Refused("invalid", result.error)
        if result.duplicate:
            line = Line.objects.filter(message=result.message).first()
            if line is not None:
                return Stored(line=line, duplicate=True)
        Upload.objects.filter(pk__in=[u.pk for u in uploads]).update(used=True, content=b"")
        first = conversation.ticket_id is None
        if conversation.ticket_id != result.ticket.pk:
            conversation.ticket = result.ticket
        line = _append(conversation, message=result.message, author="visitor", name=visitor.name,
                       body=body, client_id=client_id)
        if first:
            transaction.on_commit(lambda: _queue_changed(conversation.department_id, conversation))
            _ring(conversation)
    return Stored(line=line, duplicate=False)


def _append(conversation: Conversation, *, message: Message | None, author: str, name: str, body: str,
            client_id: str = "", pending: bool = False) -> Line:
    """The next line of ``conversation`` (locked by the caller): its ``seq`` is the row's last + 1."""
    conversation.last_seq += 1
    conversation.save(update_fields=["last_seq", "ticket"])
    line = Line.objects.create(conversation=conversation, seq=conversation.last_seq, message=message, author=author,
                               name=name[:200], body=body, client_id=client_id, pending=pending)
    transaction.on_commit(lambda: _publish_line(line))
    return line


def _publish_line(line: Line) -> None:
    from pomoc.channels.chat.selectors import lines_by_ids

    if line.message_id is not None:  # read again with its files
        line = next(iter(lines_by_ids([line.pk])), None)
        if line is None:
            return
    _publish_lines([line])


def _publish_lines(lines: list[Line]) -> None:
    """Each line to its visitor and its agents, in one trip: the same line, its files linked for each
    side (the visitor's token, the agent's access)."""
    from pomoc.core.realtime import publish_many

    publish_many([send for line in lines for send in (
        ([visitor_group(line.conversation.visitor_id)], frames.message(line)),
        ([conversation_group(line.conversation_id)], frames.message(line, for_agent=True)))])


def system_line(*, conversation: Conversation, text: str) -> Line:
    """A line from Pomoc itself (transfers, the end): in the transcript the visitor sees, not a ticket
    message."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        return _append(conversation, message=None, author="system", name="", body=text)


def reply_line(message: Message) -> Line | None:
    """The line of an agent reply (the outbound adapter's delivery): made once, in its conversation,
    the ticket's newest. None when the ticket has no conversation."""
    with transaction.atomic():
        existing = Line.objects.filter(message=message).first()
        if existing is not None:
            return existing
        conversation = (Conversation.objects.select_for_update().filter(ticket_id=message.ticket_id)
                        .order_by("-id").first())
        if conversation is None:
            return None
        name = message.author_user.display_name if message.author_user_id else ""
        return _append(conversation, message=message, author="agent", name=name, body=message.body_text)


# --- delivery and read marks ----------------------------------------------------------------
def agent_lines_seen(*, conversation_id: int, upto: int, state: str) -> int:
    """The visitor's socket holds (delivered) or has read the agent's lines up to ``upto``."""
    states = [LineState.SENT] if state == LineState.DELIVERED else [LineState.SENT, LineState.DELIVERED]
    changed = Line.objects.filter(conversation_id=conversation_id, author="agent", seq__lte=upto,
                                  state__in=states).update(state=state)
    if changed:
        _publish(None, conversation_id, {"type": "state", "seq": upto, "state": state, "author": "agent"})
    return changed


def visitor_lines_seen(*, conversation: Conversation, upto: int, state: str) -> int:
    """An agent's page received (delivered) or shows (read) the visitor's lines up to ``upto``."""
    return visitor_lines_seen_many([(conversation.pk, conversation.visitor_id, upto)], state=state)


def visitor_lines_seen_many(marks: list[tuple[int, int, int]], *, state: str) -> int:
    """``visitor_lines_seen`` for many ``(conversation, visitor, upto)`` at once (the agents' sockets of a
    process mark what they received together): one statement whatever the number; the visitors
    whose lines changed hear it (the agents' pages show only the marks of the agents' lines)."""
    upto: dict[int, tuple[int, int]] = {}
    for conversation_id, visitor_id, seq in marks:
        if seq and seq > upto.get(conversation_id, (0, 0))[1]:
            upto[conversation_id] = (visitor_id, seq)
    if not upto:
        return 0
    states = [LineState.SENT] if state == LineState.DELIVERED else [LineState.SENT, LineState.DELIVERED]
    changed = _lines_state_upto({c: seq for c, (_visitor, seq) in upto.items()}, author="visitor",
                                states=states, state=state)
    publish_on_commit([([visitor_group(upto[c][0])], {"type": "state", "seq": upto[c][1], "state": state})
                       for c in sorted(set(changed))])
    return len(changed)


def _lines_state_upto(upto: dict[int, int], *, author: str, states: list[str], state: str) -> list[int]:
    """Set ``state`` on ``author``'s lines in ``states`` up to each conversation's seq in ``upto``; the
    conversation of each line changed. One ``UPDATE … FROM (VALUES …)`` (PostgreSQL and SQLite ≥ 3.35):
    built with the ORM, a condition per conversation cost more Python than the statement itself."""
    table = connection.ops.quote_name(Line._meta.db_table)
    pairs = sorted(upto.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s FROM ({typed_values(Line, ['conversation', 'seq'], len(pairs))}) AS v "  # noqa: S608 -- names from the model, values bound
            f"WHERE {table}.conversation_id = v.column1 AND {table}.seq <= v.column2 AND {table}.author = %s "
            f"AND {table}.state IN ({', '.join(['%s'] * len(states))}) RETURNING {table}.conversation_id",
            [state, *(value for pair in pairs for value in pair), author, *states])
        return [row[0] for row in cursor.fetchall()]


# --- queue ----------------------------------------------------------------------------------
def _queue_changed(department_id: int | None, moved: Conversation) -> None:
    """``moved`` joined or left the department's queue: it and the visitors waiting behind it hear
    their place (those ahead keep theirs, so a chat joining at the end tells nobody else); agents
    and supervisors see the queue change."""
    from pomoc.channels.chat.selectors import queue
    from pomoc.core.realtime import publish_many

    ahead, behind = queue(department_id, from_place_of=moved)
    sends = [([visitor_group(c.visitor_id)], frames.status(c, position=n, online=True))
             for n, c in enumerate(behind, start=ahead + 1)]
    sends.append(([department_group(department_id)], {"type": "queue", "department": department_id,
                                                      "length": ahead + len(behind)}))
    sends.append(_chats_changed(department_id, "queue"))
    publish_many(sends)


def _chats_changed(department_id: int | None, reason: str) -> tuple[list[str], dict]:
    """For the agents' live sockets (``/ws/live/``) in the department's group: the live chats page
    fetches itself again. Only the department and why, nothing about a visitor."""
    from pomoc.core.realtime import department_group as inbox_department_group

    return ([inbox_department_group(department_id)],
            {"event": "chats.changed", "department": department_id, "reason": reason})


def _ring(conversation: Conversation) -> None:
    """The available agents of the department hear the bell (a notification, with its sound)."""
    from pomoc.channels.chat.selectors import available_agents

    agents = available_agents(conversation.department_id)
    if agents and conversation.ticket_id:
        name = conversation.visitor.display_name
        ports.notify(agents, kind="chat_waiting", ticket=conversation.ticket,
                     text=_("%(name)s is waiting in the chat queue.") % {"name": name})


def chat_limit(agent: User, inbox: Inbox) -> int:
    presence = getattr(agent, "presence", None)
    own = presence.chat_capacity if presence is not None else 0
    return own or config_of(inbox).max_chats_per_agent


def conversation_accept(*, conversation: Conversation, agent: User, force: bool = False) -> Conversation:
    """``agent`` takes the chat: open, theirs, and the ticket assigned to them. Refused when someone
    took it first, or (unless ``force``: a transfer by a supervisor) when the agent is at their limit."""
    from pomoc.channels.chat.selectors import open_chats_of

    with transaction.atomic():
        conversation = (Conversation.objects.select_for_update(of=("self",)).select_related("ticket")
                        .get(pk=conversation.pk))
        if conversation.status == ConversationStatus.ENDED:
            raise Refused("ended", _("This chat has ended."), 409)
        taken = conversation.status == ConversationStatus.OPEN and conversation.agent_id not in (None, agent.pk)
        if not force and taken:
            raise Refused("taken", _("Another agent took this chat."), 409)
        if not force and conversation.agent_id != agent.pk and \
                open_chats_of(agent.pk) >= chat_limit(agent, conversation.inbox):
            raise Refused("limit", _("You have as many chats as you can take at a time."), 409)
        was_queued = conversation.status == ConversationStatus.QUEUED
        conversation.status, conversation.agent = ConversationStatus.OPEN, agent
        conversation.accepted_at = conversation.accepted_at or timezone.now()
        conversation.save(update_fields=["status", "agent", "accepted_at"])
        if conversation.ticket is not None and conversation.ticket.assignee_id != agent.pk:
            ticket_services.ticket_update(ticket=conversation.ticket, actor=agent, changes={"assignee": agent})
        _publish(conversation.visitor_id, conversation.pk, frames.status(conversation, online=True))
        # what the visitor wrote while waiting has reached an agent now
        visitor_lines_seen(conversation=conversation, upto=conversation.last_seq, state=LineState.DELIVERED)
        publish_on_commit([_chats_changed(conversation.department_id, "accepted")])
        if was_queued:
            department_id = conversation.department_id
            transaction.on_commit(lambda: _queue_changed(department_id, conversation))
    return conversation


def conversation_transfer(*, conversation: Conversation, actor: User, agent: User | None = None,
                          department: Department | None = None) -> Conversation:
    """To another agent (theirs at once) or to a department (queued there again)."""
    if agent is not None:
        conversation = conversation_accept(conversation=conversation, agent=agent, force=True)
        system_line(conversation=conversation, text=_("%(name)s joined the chat.") % {"name": agent.display_name})
        return conversation
    if department is None:
        raise Refused("target", _("Choose an agent or a department."))
    with transaction.atomic():
        conversation = (Conversation.objects.select_for_update(of=("self",)).select_related("ticket")
                        .get(pk=conversation.pk))
        old = conversation.department_id
        conversation.department, conversation.agent = department, None
        conversation.status = ConversationStatus.QUEUED
        conversation.save(update_fields=["department", "agent", "status"])
        if conversation.ticket is not None:
            ticket_services.ticket_update(ticket=conversation.ticket, actor=actor,
                                          changes={"department": department, "assignee": None})
        system_line(conversation=conversation, text=_("You are being transferred to %(department)s.")
                    % {"department": department.name})
        transaction.on_commit(lambda: (_queue_changed(old, conversation), _queue_changed(department.pk, conversation)))
        _ring(conversation)
    return conversation


def conversation_invite(*, conversation: Conversation, actor: User, agent: User) -> Conversation:
    """A second agent joins (sees and writes in the chat); the chat stays the first agent's."""
    conversation.invited.add(agent)
    if conversation.ticket_id:
        ports.notify([agent], kind="mentioned", ticket=conversation.ticket, actor=actor,
                     text=_("%(name)s invited you to a chat.") % {"name": actor.display_name})
    return conversation


def conversation_end(*, conversation: Conversation, by_visitor: bool, actor: User | None = None) -> Conversation:
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if conversation.status == ConversationStatus.ENDED:
            return conversation
        was_queued = conversation.status == ConversationStatus.QUEUED
        conversation.status, conversation.ended_at = ConversationStatus.ENDED, timezone.now()
        conversation.save(update_fields=["status", "ended_at"])
        text = _("The visitor ended the chat.") if by_visitor else _("The chat has ended.")
        system_line(conversation=conversation, text=text)
        _publish(conversation.visitor_id, conversation.pk, frames.status(conversation, online=True))
        publish_on_commit([_chats_changed(conversation.department_id, "ended")])
        if was_queued:
            department_id = conversation.department_id
            transaction.on_commit(lambda: _queue_changed(department_id, conversation))
    return conversation


def follow_ticket(ticket_id: int) -> None:
    """The ticket's assignee changed (routing gave it, an agent took it on the ticket page): the
    conversation follows, and its visitor hears who answers."""
    conversation = (Conversation.objects.filter(ticket_id=ticket_id, status__in=OPEN_STATUSES)
                    .select_related("ticket").order_by("-id").first())
    if conversation is None or conversation.ticket is None:
        return
    assignee_id = conversation.ticket.assignee_id
    if assignee_id and assignee_id != conversation.agent_id:
        agent = User.objects.filter(pk=assignee_id).first()
        if agent is not None:
            conversation_accept(conversation=conversation, agent=agent, force=True)


# --- the end: rating, transcript, offline ---------------------------------------------------
def rating_record(*, conversation: Conversation, score, comment: str = ""):
    """The visitor's CSAT (1–5) with an optional comment, stored as a survey answer about the
    conversation's ticket, agent, department and channel; once per conversation."""
    if not config_of(conversation.inbox).rating_enabled:
        raise Refused("rating_off", _("Rating is switched off for this chat."), 404)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise Refused("score", _("Choose a score from %(low)s to %(high)s.") % {"low": 1, "high": 5})
    comment = _clean(comment, 2000)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update(of=("self",)).select_related(
            "ticket", "visitor").get(pk=conversation.pk)
        if conversation.rated:
            raise Refused("rated", _("You have rated this chat already. Thank you!"), 409)
        if conversation.ticket is None:
            raise Refused("no_chat", _("There is nothing to rate yet."), 409)
        now = timezone.now()
        answer = ports.csat_answer_create(
            score=score, comment=comment, contact_id=conversation.visitor.contact_id,
            ticket=conversation.ticket, agent_id=conversation.agent_id or conversation.ticket.assignee_id,
            department_id=conversation.department_id, channel=conversation.ticket.channel, now=now,
        )
        conversation.rated = True
        conversation.save(update_fields=["rated"])
        ticket_services.system_note_add(
            ticket=conversation.ticket, channel=conversation.ticket.channel, external_id=f"chat-rating-{answer.pk}",
            text=_("The visitor rated the chat %(score)s of 5.") % {"score": score}
            + (f"\n{comment}" if comment else ""))
    return answer


def transcript_text(conversation: Conversation) -> str:
    lines = Line.objects.filter(conversation=conversation).order_by("seq")
    out = []
    for line in lines:
        who = line.name or {"visitor": _("You"), "agent": _("Agent"), "system": "—"}.get(line.author, "")
        out.append(f"[{timezone.localtime(line.created_at):%Y-%m-%d %H:%M}] {who}: {line.body}")
    return "\n".join(out)


def transcript_send(*, conversation: Conversation, email: str = "") -> str:
    """E-mail the transcript to ``email`` (else the visitor's); returns the address."""
    address = (_clean(email, 254) or conversation.visitor.email).lower()
    if not is_valid_email(address):
        raise Refused("email", _("Enter a valid e-mail address."))
    inbox = conversation.inbox
    subject = _("Your chat with %(name)s") % {"name": config_of(inbox).title or inbox.name}
    body = transcript_text(conversation)
    sender = inbox.address if is_valid_email(inbox.address) else None
    transaction.on_commit(lambda: send_mail(subject, body, sender, [address], fail_silently=True))
    return address


@dataclass(frozen=True)
class OfflineResult:
    ticket: Ticket
    answer_by: object  # datetime | None


def offline_message(*, inbox: Inbox, name: str, email: str, message: str, fields=None,
                    visitor: Visitor | None = None) -> OfflineResult:
    """A message left while nobody is available: a ticket answered by e-mail (its reply route is the
    customer's e-mail address), with when someone will answer (business hours) when known."""
    email = _clean(email, 254).lower()
    text = (message if isinstance(message, str) else "").replace("\x00", "").strip()
    if not is_valid_email(email):
        raise Refused("email", _("Enter a valid e-mail address."))
    if not text:
        raise Refused("message", _("Write a message."))
    if len(text) > config_of(inbox).max_message_chars:
        raise Refused("too_long", _("Keep a message under %(limit)s characters.")
                      % {"limit": config_of(inbox).max_message_chars}, 413)
    extra = _clean_prechat(inbox, fields) if fields else {}
    body = text + ("\n\n" + "\n".join(f"{k}: {v}" for k, v in extra.items() if v) if extra else "")
    with transaction.atomic():
        contact, _created = contact_get_or_create(kind=IdentityKind.EMAIL, value=email, name=_clean(name, 200))
        identity = contact.identities.get(kind=IdentityKind.EMAIL, value=email)
        ticket = ticket_services.ticket_create(
            requester=contact, subject=inbound._subject(inbound.InboundMessage(
                identity_kind=IdentityKind.EMAIL, identity_value=email, external_id="-", text=text)),
            body_text=body, channel="chat", department=inbox.department, reply_identity=identity,
        )
        if visitor is not None and visitor.contact_id is None:
            visitor.contact = contact
            visitor.save(update_fields=["contact"])
    return OfflineResult(ticket=ticket, answer_by=_answer_by(inbox))


def _answer_by(inbox: Inbox):
    """When someone will answer: ``answer_within_hours`` business hours of the inbox's calendar from
    now (None without a calendar)."""
    import datetime as dt

    from pomoc.calendars.hours import schedule_of
    from pomoc.calendars.models import Calendar

    config = config_of(inbox)
    calendar = Calendar.objects.filter(pk=config.calendar).first() if config.calendar else None
    if calendar is None:
        return None
    from pomoc.calendars.schedule import NeverOpen

    try:
        return schedule_of(calendar).add(timezone.now(), dt.timedelta(hours=config.answer_within_hours))
    except NeverOpen:
        return None


# --- abuse ----------------------------------------------------------------------------------
def visitor_block(*, visitor: Visitor, actor: User) -> Visitor:
    """Refused from now on: the visitor (their token) and their IP address in this inbox."""
    with transaction.atomic():
        visitor.blocked_at = timezone.now()
        visitor.save(update_fields=["blocked_at"])
        if visitor.ip:
            BlockedAddress.objects.get_or_create(inbox=visitor.inbox, ip=visitor.ip)
        for conversation in Conversation.objects.filter(visitor=visitor, status__in=OPEN_STATUSES):
            conversation_end(conversation=conversation, by_visitor=False, actor=actor)
        _publish(visitor.pk, None, {"type": "error", "code": "blocked", "message": _("This chat is not available.")})
    return visitor


def upload_store(*, visitor: Visitor, name: str, content: bytes, declared_type: str = "") -> Upload:
    """A visitor's file, kept when its content is of an accepted type (by its first bytes, whatever
    its name or declared type says) and within the inbox's size."""
    from pomoc.channels.chat.files import sniff

    config = config_of(visitor.inbox)
    if visitor.blocked_at is not None:
        raise Refused("blocked", _("This chat is not available."), 403)
    if len(content) > config.max_upload_bytes:
        raise Refused("too_large", _("The file is too large (at most %(size)s MB).")
                      % {"size": round(config.max_upload_bytes / 1024 / 1024, 1)}, 413)
    if not content:
        raise Refused("empty", _("The file is empty."))
    kind = sniff(content)
    if kind is None:
        raise Refused("type", _("This kind of file cannot be sent in the chat."), 415)
    safe_name = "".join(ch for ch in _clean(name, 150) if ch.isprintable() and ch not in "/\\") or "file"
    return Upload.objects.create(visitor=visitor, name=safe_name, content_type=kind, size=len(content),
                                 content=content)


def reply_as_agent(*, conversation: Conversation, agent: User, body: str) -> Message:
    """The agent writes in the chat (the chat panel): an ordinary ticket reply, delivered to the
    visitor by the kind's outbound adapter."""
    body = (body or "").strip()
    if not body:
        raise Refused("empty", _("Write a message."))
    if conversation.ticket_id is None:
        raise Refused("no_ticket", _("The visitor has not written yet."), 409)
    if conversation.status == ConversationStatus.QUEUED or conversation.agent_id is None:
        # answering a waiting chat takes it (the agent chose to; their limit does not stop an answer)
        conversation = conversation_accept(conversation=conversation, agent=agent, force=True)
    # what the visitor wrote before it becomes ticket messages first: the ticket keeps the chat's order
    if intake.run(inbox_id=conversation.inbox_id, conversation_id=conversation.pk):
        conversation.refresh_from_db(fields=["ticket"])  # the intake may have threaded it elsewhere
    ticket = Ticket.objects.get(pk=conversation.ticket_id)
    message = ticket_services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=body,
                                          channel="chat")
    return message
