"""The test kind's outbound adapter: a stored reply → a JSON POST to the provider (the inbox's ``url``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from pomoc.channels.registry import DeliveryFailed
from pomoc.channels.tests.testkind.config import HookConfig
from pomoc.tickets.models import Message, MessageKind


def reply_payload(message: Message) -> dict:
    """What the provider receives. ``id`` is the same on every attempt: the provider recognises a
    second post of one reply (``deliver`` may run twice after a crash)."""
    conversation = (Message.objects.filter(ticket_id=message.ticket_id, inbox_id=message.inbox_id,
                                           kind=MessageKind.CUSTOMER).exclude(thread_key="")
                    .order_by("-id").values_list("thread_key", flat=True).first())
    return {"id": f"pomoc-{message.pk}", "to": message.recipient.value, "conversation": conversation or "",
            "ticket": message.ticket.number, "text": message.body_text}


class HookOutbound:
    def deliver(self, message: Message) -> str:
        config = HookConfig.from_dict(message.inbox.config if message.inbox_id else {})
        if not config.url:
            raise DeliveryFailed("The inbox has no address to post replies to.", temporary=False)
        if message.recipient_id is None:
            raise DeliveryFailed("The reply has no recipient.", temporary=False)
        headers = {"Content-Type": "application/json"}
        token = message.inbox.get_secret("token") if message.inbox_id else ""
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(  # noqa: S310 -- http(s) only (HookConfig.from_dict)
            config.url, data=json.dumps(reply_payload(message)).encode(), method="POST", headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310 -- as above
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(200).decode("utf-8", "replace").strip()
            # the provider's server errors and rate limits pass; anything else it refused for good
            raise DeliveryFailed(f"The provider answered {exc.code}: {detail}"[:1000],
                                 temporary=exc.code >= 500 or exc.code == 429) from exc
        except OSError as exc:  # refused, reset, timed out, no such host
            raise DeliveryFailed(f"The provider could not be reached: {exc}"[:1000], temporary=True) from exc
        return ""
