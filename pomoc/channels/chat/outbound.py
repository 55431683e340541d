"""The chat kind's outbound adapter: an agent reply → a line of the conversation, sent to the
visitor's sockets (after commit). ``sent`` for the platform; the line is ``delivered`` when a visitor
socket holds it and ``read`` when the visitor says so (``services.agent_lines_seen``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pomoc.channels.registry import DeliveryFailed
from pomoc.tickets.models import Message


class ChatOutbound:
    def deliver(self, message: Message) -> str:
        from pomoc.channels.chat.services import reply_line

        line = reply_line(message)  # once per message: a second call finds the line made the first time
        if line is None:
            raise DeliveryFailed(_("This ticket has no chat: answer by e-mail instead."), temporary=False)
        if line.conversation.status == "ended":
            return _("The chat had ended; the visitor sees the reply when they come back.")
        return ""
