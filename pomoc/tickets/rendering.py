"""How a stored message body is shown on the ticket page.

``Message.body_html`` was sanitized with nh3 when it was written. Here it passes through nh3 once
more, with an attribute filter that only looks at ``<img src>``:

* ``cid:`` images point to the message's own inline attachment (served by ``inline_image_response``);
  a cid with no such attachment loses its ``src`` (nothing is requested);
* remote (http/https) images lose their ``src`` unless the agent asked to see them, so that opening
  a ticket never tells a sender that the mail was read.

Plain-text messages (stored as ``text_to_html(body_text)``) show what the person wrote and fold the
quoted history and signature into a ``<details>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from pomoc.core.linkify import linkify_html
from pomoc.core.middleware import AGENT_CSP
from pomoc.core.quotes import split_quoted
from pomoc.core.sanitize import sanitize_html, text_to_html
from pomoc.tickets.models import Attachment, Message

# Only types that browsers decode as pictures and nothing else; the type was sniffed at upload.
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
# The Content-Security-Policy of a ticket page on which the agent asked to see remote images.
REMOTE_IMAGES_CSP = AGENT_CSP.replace("img-src 'self' data:", "img-src 'self' data: https: http:")
ALL = "all"


@dataclass(frozen=True)
class RenderedBody:
    html: SafeString
    folded_html: SafeString  # plain-text messages: the quoted history, shown in a <details>
    blocked_remote_images: bool  # there were remote images and they were not loaded


def parse_remote_images(value: str | None) -> set[int] | str:
    """``?images=`` of the ticket page: "all", or message ids separated by commas."""
    if not value:
        return set()
    if value.strip().lower() == ALL:
        return ALL
    return {int(part) for part in value.split(",") if part.strip().isdigit()}


def remote_images_allowed(message: Message, allowed: set[int] | str) -> bool:
    return allowed == ALL or (isinstance(allowed, set) and message.pk in allowed)


def _inline_urls(message: Message) -> dict[str, str]:
    # message.attachments is prefetched by the timeline selector
    return {
        attachment.content_id.lower(): reverse("tickets:inline-image", args=[attachment.public_id])
        for attachment in message.attachments.all()
        if attachment.content_id and attachment.content_type in INLINE_IMAGE_TYPES
    }


def _is_text_only(message: Message) -> bool:
    return bool(message.body_text) and message.body_html == text_to_html(message.body_text)


def _clean(value: str, attribute_filter) -> SafeString:
    # Bare web and e-mail addresses become links first; nh3 then checks them like any other link.
    return mark_safe(sanitize_html(linkify_html(value), attribute_filter=attribute_filter))  # noqa: S308 - nh3's output


def render_body(message: Message, *, allow_remote: bool = False) -> RenderedBody:
    if _is_text_only(message):
        visible, folded = split_quoted(message.body_text)
        if folded:
            return RenderedBody(
                html=_clean(text_to_html(visible), None),
                folded_html=_clean(text_to_html(folded), None),
                blocked_remote_images=False,
            )
    inline = _inline_urls(message) if "cid:" in message.body_html.lower() else {}
    blocked = False

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        nonlocal blocked
        if tag != "img" or attribute != "src":
            return value
        source = value.strip()
        lowered = source.lower()
        if lowered.startswith("cid:"):
            return inline.get(source[4:].strip("<>").lower())
        if lowered.startswith(("http:", "https:", "//")):
            if allow_remote and not lowered.startswith("//"):
                return source
            blocked = True
            return None
        return None  # anything else (relative URLs, data:) is never loaded from a mail

    html = _clean(message.body_html, attribute_filter) if message.body_html else SafeString("")
    return RenderedBody(html=html, folded_html=SafeString(""), blocked_remote_images=blocked)


def _looks_like(head: bytes, content_type: str) -> bool:
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    magic = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/gif": b"GIF8"}
    return head.startswith(magic[content_type])


def inline_image_response(attachment: Attachment) -> FileResponse:
    """A picture from a mail, shown in the page; anything that is not a raster image is not served."""
    if attachment.content_type not in INLINE_IMAGE_TYPES:
        raise Http404
    handle = attachment.file.open("rb")
    head = handle.read(16)
    if not _looks_like(head, attachment.content_type):  # a declared type with other bytes behind it
        handle.close()
        raise Http404
    handle.seek(0)
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
