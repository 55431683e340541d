"""Signatures under outgoing messages: the agent's own (preferences) above the inbox's (administration).

Both are plain text. They are added by the server when the message is stored, so that what the ticket
shows is what left, with or without the browser's editor; the agent can leave them out per message.
"""

from __future__ import annotations

from pomoc.core.sanitize import text_to_html

SEPARATOR = "-- "  # the usenet signature separator, which mail programs recognise


def signature_text(*, author, inbox_signature: str = "") -> str:
    """The signature a message by ``author`` through an inbox with ``inbox_signature`` ends with ("" for none)."""
    parts = [(getattr(author, "signature", "") or "").strip(), (inbox_signature or "").strip()]
    return "\n\n".join(part for part in parts if part)


def with_signature(text: str, html: str, signature: str) -> tuple[str, str]:
    """The message's text and HTML parts with ``signature`` added under them."""
    if not signature:
        return text, html
    signed_text = f"{text.rstrip()}\n\n{SEPARATOR}\n{signature}" if text.strip() else f"{SEPARATOR}\n{signature}"
    return signed_text, html + text_to_html(f"{SEPARATOR}\n{signature}")
