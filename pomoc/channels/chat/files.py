"""What a visitor's file is, by its first bytes (never by its name or the browser's word)."""

from __future__ import annotations

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
ACCEPTED_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain")


def sniff(content: bytes) -> str | None:
    """The accepted type ``content`` is, or None (executables, archives, HTML, SVG: refused)."""
    for magic, kind in SIGNATURES:
        if content.startswith(magic):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    head = content[:4096]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # a multi-byte character cut at the 4096th byte is still text
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    lowered = text.lstrip().lower()
    if "\x00" in text or lowered.startswith(("<", "#!", "mz")):
        return None  # HTML, SVG, XML, scripts: never served back as text to be rendered
    return "text/plain"
