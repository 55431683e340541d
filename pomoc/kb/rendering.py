"""Markdown in, sanitized HTML out (nh3, the same allow-list as everything else in Pomoc)."""

from __future__ import annotations

from markdown_it import MarkdownIt

from pomoc.core.sanitize import html_to_text, sanitize_html

# CommonMark with tables and strikethrough; raw HTML in the Markdown is escaped, not passed through
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])


def render(markdown: str) -> str:
    """Safe HTML for an article's body."""
    return sanitize_html(_md.render(markdown or ""))


def plain_text(markdown: str) -> str:
    """The body as plain text (for the search index and meta descriptions)."""
    return html_to_text(render(markdown))
