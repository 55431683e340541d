"""What a search answers: ``Hit``s with a highlighted snippet made from the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from pomoc.search.text import fold

SNIPPET_WORDS = 28
SCAN_CHARS = 20_000
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    title: str
    url: str
    snippet: SafeString
    score: float
    language: str = ""
    title_html: SafeString = mark_safe("")  # noqa: S308 (the title, escaped, matches in <mark>)


def _matches(word: str, alternatives: list[list[str]]) -> bool:
    folded = fold(word)
    for group in alternatives:
        for alt in group:
            if alt.endswith("*") and folded.startswith(alt[:-1]) or folded == alt:
                return True
    return False


def snippet(body: str, alternatives: list[list[str]], *, words: int = SNIPPET_WORDS) -> SafeString:
    """About ``words`` words of ``body`` around the densest cluster of matches, escaped, with every
    matching word in ``<mark>``; the start of the body when nothing in it matches (a title match)."""
    text = " ".join(body[:SCAN_CHARS].split())
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return mark_safe("")  # noqa: S308 (empty)
    hits = [i for i, token in enumerate(tokens) if _matches(token.group(), alternatives)]
    start = 0
    if hits:
        best = max(range(len(hits)), key=lambda i: sum(1 for h in hits[i:] if h < hits[i] + words))
        start = max(0, hits[best] - 4)
    end = min(len(tokens), start + words)
    first = tokens[start].start() if start else 0
    last = tokens[end - 1].end() if end < len(tokens) else len(text)
    marked = set(hits)
    out, cursor = [], first
    for i in range(start, end):
        token = tokens[i]
        out.append(escape(text[cursor:token.start()]))
        out.append(f"<mark>{escape(token.group())}</mark>" if i in marked else escape(token.group()))
        cursor = token.end()
    out.append(escape(text[cursor:last]))
    prefix = "… " if first > 0 else ""
    suffix = " …" if last < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 (every piece escaped above)


def highlight(text: str, alternatives: list[list[str]]) -> SafeString:
    """All of ``text``, escaped, with every matching word in ``<mark>``."""
    out, cursor = [], 0
    for token in _TOKEN.finditer(text):
        out.append(escape(text[cursor:token.start()]))
        word = escape(token.group())
        out.append(f"<mark>{word}</mark>" if _matches(token.group(), alternatives) else word)
        cursor = token.end()
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)
