"""What a search answers: ``Hit``s with a highlighted snippet made from the original text."""

from __future__ import annotations

import html
import itertools
import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe

from pomoc.search.text import fold

SNIPPET_WORDS = 28
LEAD_WORDS = 4  # words shown before the first match
SCAN_CHARS = 20_000
_TOKEN = re.compile(r"\w+", re.UNICODE)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


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


@lru_cache(maxsize=20_000)
def _folded(word: str) -> str:
    return word.lower() if word.isascii() else fold(word)


class _Matcher:
    """Does a word of the original text match one of the query's alternatives (after folding)?"""

    def __init__(self, alternatives: list[list[str]]):
        flat = [alt for group in alternatives for alt in group]
        self.exact = frozenset(alt for alt in flat if not alt.endswith("*"))
        self.prefixes = tuple(alt[:-1] for alt in flat if alt.endswith("*"))

    def __call__(self, word: str) -> bool:
        folded = _folded(word)
        return folded in self.exact or (bool(self.prefixes) and folded.startswith(self.prefixes))


def snippet(body: str, alternatives: list[list[str]], *, words: int = SNIPPET_WORDS) -> SafeString:
    """About ``words`` words of ``body`` from just before its first match, escaped, with every
    matching word in ``<mark>``; the start of the body when nothing in it matches (a title match).
    Reads the body only as far as it needs: the search page makes twenty of these per query."""
    text = " ".join(body[:SCAN_CHARS].split())
    matches = _Matcher(alternatives)
    recent: deque[int] = deque(maxlen=LEAD_WORDS + 1)  # where the last few words start
    window_start, count, marks, last, seen = None, 0, [], 0, 0
    for token in _TOKEN.finditer(text):
        if window_start is None:
            recent.append(token.start())
            seen += 1
            if matches(token.group()):
                window_start = recent[0] if seen > len(recent) else 0
                count = len(recent) - 1
                marks.append(token.span())
        else:
            if matches(token.group()):
                marks.append(token.span())
        if window_start is not None:
            count += 1
            last = token.end()
            if count >= words:
                break
    if window_start is None:  # no match in the body: its beginning
        tokens = list(itertools.islice(_TOKEN.finditer(text), words))
        if not tokens:
            return mark_safe("")  # noqa: S308 (empty)
        window_start, last = 0, tokens[-1].end()
    if last >= len(text.rstrip()) - 1 or not _TOKEN.search(text, last):
        last = len(text)
    out, cursor = [], window_start
    for begin, finish in marks:
        out.append(_escape(text[cursor:begin]))
        out.append(f"<mark>{_escape(text[begin:finish])}</mark>")
        cursor = finish
    out.append(_escape(text[cursor:last]))
    prefix = "… " if window_start > 0 else ""
    suffix = " …" if last < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 (every piece escaped above)


def highlight(text: str, alternatives: list[list[str]]) -> SafeString:
    """All of ``text``, escaped, with every matching word in ``<mark>``."""
    matches = _Matcher(alternatives)
    out, cursor = [], 0
    for token in _TOKEN.finditer(text):
        out.append(_escape(text[cursor:token.start()]))
        word = _escape(token.group())
        out.append(f"<mark>{word}</mark>" if matches(token.group()) else word)
        cursor = token.end()
    out.append(_escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)
