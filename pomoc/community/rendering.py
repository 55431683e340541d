"""Posts are written in Markdown (plain text is Markdown too) and rendered safely: raw HTML is not
interpreted by the Markdown parser, and what it produces still passes through nh3."""

import re

from markdown_it import MarkdownIt

from pomoc.core.sanitize import sanitize_html
from pomoc.core.text import clean_text

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False}).enable("table")
_LINK = re.compile(r"(https?://|www\.|\]\()", re.IGNORECASE)


def render(text: str) -> str:
    """Safe HTML for a post written in Markdown or plain text."""
    return sanitize_html(_markdown.render(clean_text(text)))


def has_links(text: str) -> bool:
    return bool(_LINK.search(text or ""))
