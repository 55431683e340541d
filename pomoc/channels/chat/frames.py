"""The server → client frames of the chat protocol (docs/decisions/0021-live-chat-protocol.md)."""

from __future__ import annotations

from django.urls import reverse

from pomoc.channels.chat.models import Conversation, Line


def attachment(item, *, inbox_key: str = "", for_agent: bool = False) -> dict:
    """A file of a line. The visitor downloads it through the chat's file endpoint (their token); an
    agent through the ticket attachment download, which checks their access to the ticket."""
    if for_agent:
        url = reverse("tickets:attachment", args=[item.public_id])
    else:
        url = reverse("chat:file", args=[inbox_key, item.public_id]) if inbox_key else ""
    return {"name": item.file_name, "url": url, "size": item.size, "type": item.content_type}


def message(line: Line, *, inbox_key: str = "", for_agent: bool = False) -> dict:
    files = list(line.message.attachments.all()) if line.message_id else []
    key = inbox_key or (getattr(getattr(line.conversation.inbox, "chat", None), "key", "") if files else "")
    return {"type": "message", "seq": line.seq, "client_id": line.client_id or None, "author": line.author,
            "name": line.name, "body": line.body,
            "attachments": [attachment(f, inbox_key=key, for_agent=for_agent) for f in files],
            "at": line.created_at.isoformat(), "state": line.state, "conversation": line.conversation_id}


def status(conversation: Conversation, *, position: int | None = None, online: bool = True) -> dict:
    frame = {"type": "status", "status": conversation.status, "online": online, "conversation": conversation.pk}
    if position is not None:
        frame["queue_position"] = position
    if conversation.agent_id:
        frame["agent"] = {"name": conversation.agent.display_name}
    return frame
