"""The plain-text part of a message written as HTML (the agent's rich text editor, the API's ``body_html``).

Mail carries both parts; the plain one must read well on its own: paragraphs and line breaks kept,
list items as "- " (or "1. ") lines, a link as its text followed by its address, an image as its alt
text. Only sanitized HTML (``pomoc.core.sanitize.sanitize_html``) is converted here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {"p", "blockquote", "pre", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ul", "ol",
          "details", "summary"}


class _Plain(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []  # [kind, counter] per open list
        self.links: list[str] = []
        self.link_text: list[int] = []
        self.pre = 0

    def _newline(self, count: int = 1) -> None:
        text = "".join(self.out)
        have = len(text) - len(text.rstrip("\n"))
        if text.strip():
            self.out.append("\n" * max(0, count - have))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "br":
            self.out.append("\n")
        elif tag in ("ul", "ol"):
            self._newline(1 if self.lists else 2)
            self.lists.append([tag, 0])
        elif tag == "li":
            self._newline(1)
            depth = max(len(self.lists) - 1, 0)
            marker = "-"
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                marker = f"{self.lists[-1][1]}."
            self.out.append("  " * depth + marker + " ")
        elif tag == "div":  # a line of a contenteditable area
            self._newline(1)
        elif tag in BLOCKS:
            self._newline(2)
            if tag == "pre":
                self.pre += 1
            if tag == "hr":
                self.out.append("----\n\n")
        elif tag == "a":
            self.links.append(attrs.get("href") or "")
            self.link_text.append(len(self.out))
        elif tag == "img":
            alt = (attrs.get("alt") or "").strip()
            if alt:
                self.out.append(f"[{alt}]")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline(1 if self.lists else 2)
        elif tag == "div":
            self._newline(1)
        elif tag in BLOCKS:
            if tag == "pre" and self.pre:
                self.pre -= 1
            self._newline(2)
        elif tag == "a" and self.links:
            href = self.links.pop()
            start = self.link_text.pop()
            text = "".join(self.out[start:]).strip()
            shown = href.removeprefix("mailto:").removeprefix("tel:")
            if href and shown != text and href != text:
                self.out.append(f" <{shown}>")

    def handle_data(self, data):
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
            if "".join(self.out).endswith(("\n", " ")) or not self.out:
                data = data.lstrip(" ")
        self.out.append(data)

    def text(self) -> str:
        lines = "".join(self.out).split("\n")
        lines = [line.rstrip() for line in lines]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_text(html: str) -> str:
    """``html`` (sanitized) as plain text for the text part of a mail and for search."""
    if not html:
        return ""
    parser = _Plain()
    parser.feed(html)
    parser.close()
    return parser.text()
