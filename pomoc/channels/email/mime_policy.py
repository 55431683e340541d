"""``INCOMING``: the standard library's ``policy.default`` for parsing incoming mail, with the MIME
structure fields parsed once.

``policy.default`` parses a header field again every time it is read, and reading a mail's
structure reads each part's ``Content-Type`` many times (the feed parser alone asks about eight
times per mail, then ``get_body``, ``iter_attachments`` and our walk). Parsing it is about a tenth
of a millisecond each time: roughly a third of the parse of an ordinary mail. The few MIME fields
that drive the structure have a handful of distinct values across all mail ("text/plain;
charset=utf-8", "base64"…), so their parsed header objects are kept by (name, value) and handed out
again. Header objects are immutable (a ``str`` with read-only properties), so sharing one between
messages is safe; every other field is parsed exactly as ``policy.default`` does.
"""

from __future__ import annotations

from email import policy
from email.headerregistry import HeaderRegistry

__all__ = ["INCOMING", "STANDARD_FACTORIES"]

CACHED_FIELDS = frozenset({"content-type", "content-transfer-encoding", "content-disposition"})
MAX_CACHED = 4096


class MimeFieldCache(HeaderRegistry):
    """``policy.default``'s header factory, remembering the parsed MIME structure fields."""

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[tuple[str, str], object] = {}

    def __call__(self, name: str, value: str):
        if name.lower() not in CACHED_FIELDS:
            return super().__call__(name, value)
        key = (name, value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= MAX_CACHED:  # a mail full of unique boundaries: start again
                self._parsed.clear()
            header = self._parsed[key] = super().__call__(name, value)
        return header


INCOMING = policy.default.clone(header_factory=MimeFieldCache())

# factories whose parsed values are ``policy.default``'s: code reading raw values where that is the
# same (``classify``) accepts either
STANDARD_FACTORIES = (policy.default.header_factory, INCOMING.header_factory)
