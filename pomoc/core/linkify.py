"""Addresses in message text made clickable: ``https://…``, ``www.…`` and e-mail addresses become links.

Runs over sanitized HTML (text between tags only, never inside an existing link, a ``<pre>`` or
``<code>``); what it adds is escaped and passes the sanitizer again where it is shown, so only
``http``, ``https`` and ``mailto`` links come out of it.
"""

from __future__ import annotations

import html
import re

_URL = re.compile(
    r"(?P<url>\b(?:https?://|www\.)[^\s<>\"']+)"
    r"|(?P<mail>\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}\b)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\""
_TAG = re.compile(r"(<[^>]*>)")
_SKIP = {"a", "pre", "code"}


def _link(match: re.Match) -> str:
    # The text is already HTML-escaped: unescape for the address, escape again for the attribute.
    if match.group("mail"):
        shown = match.group("mail")
        return f'<a href="mailto:{html.escape(html.unescape(shown))}">{shown}</a>'
    shown = match.group("url")
    tail = ""
    while shown and shown[-1] in _TRAILING and not (shown[-1] == ")" and shown.count("(") >= shown.count(")")):
        tail = shown[-1] + tail
        shown = shown[:-1]
    if shown.endswith("&amp"):  # "…&amp;" split by the trailing ";" above
        shown, tail = shown[:-4], "&amp" + tail
    href = html.unescape(shown)
    if href.lower().startswith("www."):
        href = "https://" + href
    return f'<a href="{html.escape(href)}">{shown}</a>{tail}'


def linkify_html(value: str) -> str:
    """``value`` (sanitized HTML) with the bare web and e-mail addresses in its text as links."""
    if not value or not _URL.search(value):
        return value
    out: list[str] = []
    skipping: list[str] = []
    for part in _TAG.split(value):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            tag = name.group(1).lower() if name else ""
            if tag in _SKIP:
                if part.startswith("</"):
                    if tag in skipping:
                        skipping.remove(tag)
                elif not part.endswith("/>"):
                    skipping.append(tag)
            out.append(part)
        elif skipping:
            out.append(part)
        else:
            out.append(_URL.sub(_link, part))
    return "".join(out)
