"""The test kind's inbound adapter: what the provider posts to our webhook → ``InboundMessage``.

The provider posts ``{"messages": [...]}``, each message::

    {"id": "m-1", "from": {"handle": "@jana", "name": "Jana"}, "conversation": "c-1",
     "text": "Hello", "subject": "", "sent_at": "2026-01-05T10:00:00+00:00",
     "in_reply_to": "pomoc-42",             # the provider's "quoted message": one of our replies
     "files": [{"name": "a.png", "type": "image/png", "base64": "..."}]}

and takes our answer as the acknowledgement; without one it posts the same payload again.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable

from pomoc.channels import inbound
from pomoc.channels.inbound import InboundMessage, InboundResult, ThreadContext
from pomoc.channels.models import Inbox
from pomoc.channels.tests.testkind.config import HookConfig
from pomoc.contacts.models import IdentityKind
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import Message, MessageKind, Ticket

OUR_ID_PREFIX = "pomoc-"  # the ids our outbound adapter gives replies (outbound.py)


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _files(items) -> list[NewAttachment]:
    files = []
    for item in items if isinstance(items, list) else []:
        try:
            content = base64.b64decode(_text(item.get("base64")), validate=True)
        except (AttributeError, binascii.Error):
            continue  # a broken file is left out, the message is not
        files.append(NewAttachment(file_name=_text(item.get("name")), content=content,
                                   content_type=_text(item.get("type"))))
    return files


def _sent_at(value) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(_text(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def to_inbound(payload: dict) -> InboundMessage:
    """One posted message in the common shape. Never raises: what is missing stays empty and the
    pipeline refuses the message with the reason (no id, no sender, no text)."""
    payload = payload if isinstance(payload, dict) else {}
    sender = payload.get("from") if isinstance(payload.get("from"), dict) else {}
    return InboundMessage(
        identity_kind=IdentityKind.SOCIAL, identity_value=_text(sender.get("handle")), name=_text(sender.get("name")),
        external_id=_text(payload.get("id")), subject=_text(payload.get("subject")), text=_text(payload.get("text")),
        attachments=_files(payload.get("files")), thread_key=_text(payload.get("conversation")),
        meta={"in_reply_to": _text(payload.get("in_reply_to"))}, received_at=_sent_at(payload.get("sent_at")),
    )


def by_quoted_reply(ctx: ThreadContext) -> Ticket | None:
    """The kind's own strategy, tried before the neutral ones: a customer quoting one of our replies
    (the provider's "reply to this message") writes in that reply's ticket."""
    quoted = ctx.message.meta.get("in_reply_to", "")
    if not quoted.startswith(OUR_ID_PREFIX) or not quoted[len(OUR_ID_PREFIX):].isdigit():
        return None
    reply = (Message.objects.filter(pk=int(quoted[len(OUR_ID_PREFIX):]), inbox=ctx.inbox, kind=MessageKind.REPLY)
             .select_related("ticket").first())
    return reply.ticket if reply is not None and reply.ticket.is_active else None


def threading_for(inbox: Inbox) -> tuple:
    config = HookConfig.from_dict(inbox.config)
    window = (inbound.latest_open_ticket(hours=config.window_hours),) if config.window_hours else ()
    return (by_quoted_reply, *inbound.DEFAULT_THREADING, *window)


def webhook(inbox: Inbox, payload: dict, acknowledge: Callable[[dict], None]) -> list[InboundResult]:
    """What the webhook view does with one posted payload: store, then acknowledge. A crash before
    the acknowledgement makes the provider post again; the redelivery finds everything stored."""
    messages = payload.get("messages") if isinstance(payload, dict) else None
    results = inbound.receive(inbox=inbox, messages=[to_inbound(m) for m in messages or []],
                              threading=threading_for(inbox))
    acknowledge({"results": [{"id": r.external_id, "stored": r.stored, "duplicate": r.duplicate, "error": r.error}
                             for r in results]})
    return results
