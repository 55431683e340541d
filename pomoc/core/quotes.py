"""Fold quoted history and signatures out of the way; the full text always stays one click away.

Only the *tail* of a mail is folded: the quoted history and signature that follow what the person
wrote. An inline answer (``> question`` / answer / ``> question`` / answer) stays visible, and a
mail that would fold to nothing is shown whole. Forwarded messages are never folded: what a
customer forwards is usually what the ticket is about.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nh3
from django.utils.translation import gettext

from pomoc.core.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

# --- plain text ---------------------------------------------------------------------------------
_QUOTED = re.compile(r"^[ \t]*>")
# "On Tue, 5 Mar 2024 at 14:02, Jana <jana@example.cz> wrote:", "Dne 5. 3. 2024 v 14:02 Jana napsal(a):",
# "W dniu 5.03.2024 o 14:02, Jan pisze:", "wt., 5 mar 2024 o 14:02 Jan <jan@x> napisał(a):",
# "T, 5. märts 2024 kell 14:02 Mari <mari@x> kirjutas:", "Am 05.03.2024 um 14:02 schrieb Hans <hans@x>:"
_ATTRIBUTION_VERB = re.compile(
    r"(?:^|[\s,])(?:wrote|napsal(?:a|\(a\)|/a)?|napisał(?:a|\(a\))?|pisze|kirjutas|schrieb)(?=[\s:]|$)",
    re.IGNORECASE,
)
_ATTRIBUTION_HINT = re.compile(r"\d{1,2}:\d{2}|@|\b(?:19|20)\d{2}\b")
_ATTRIBUTION_DATE = re.compile(r"\d{1,2}:\d{2}|\b(?:19|20)\d{2}\b")
_FORWARDED = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*(?:forwarded message|přeposlaná zpráva"
    r"|przekazana wiadomość|wiadomość przekazana|edastatud kiri|edastatud sõnum|weitergeleitete nachricht)"
    r"[ \t]*-*|begin forwarded message:|začátek přeposlané zprávy:|początek przekazanej wiadomości:"
    r"|algus edastatud kirjale:|anfang der weitergeleiteten nachricht:)[ \t]*$",
    re.IGNORECASE,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^[ \t]*-{2,}[ \t]*(?:original message|původní zpráva|oryginalna wiadomość|wiadomość oryginalna"
    r"|algne sõnum|ursprüngliche nachricht|originalnachricht)[ \t]*-{2,}[ \t]*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^[ \t]*\*?(?:from|od|saatja|von)\*?[ \t]*:", re.IGNORECASE)
_HEADER_DATE = re.compile(
    r"^[ \t]*\*?(?:sent|date|odesláno|datum|wysłano|wysłane|data|saadetud|kuupäev|gesendet)\*?[ \t]*:", re.IGNORECASE
)
_HEADER_OTHER = re.compile(
    r"^[ \t]*\*?(?:to|subject|cc|komu|předmět|kopie|do|temat|adressaat|teema|koopia|an|betreff)\*?[ \t]*:",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[ \t]*_{10,}[ \t]*$")
_SIGNATURE_DELIMITER = re.compile(r"^-- ?$")
_MOBILE_SIGNATURE = re.compile(
    r"^[ \t]*(?:"
    r"sent from (?:my |the )?\S.*"
    r"|sent (?:with|via) \S.*"
    r"|get outlook for \S.*"
    r"|odesláno (?:z|ze) \S.*"
    r"|posláno (?:z|ze) \S.*"
    r"|wysłane (?:z|ze) \S.*"
    r"|wysłano (?:z|ze) \S.*"
    r"|saadetud (?:minu |mu )?\S.*"
    r"|von meinem \S.*gesendet"
    r"|gesendet (?:von|mit) \S.*"
    r")[ \t]*$",
    re.IGNORECASE,
)


def _is_attribution(line: str) -> bool:
    stripped = line.strip()
    return (
        bool(stripped)
        and len(stripped) <= 300
        and not _QUOTED.match(line)
        and stripped.endswith(":")
        and bool(_ATTRIBUTION_VERB.search(stripped))
        and bool(_ATTRIBUTION_HINT.search(stripped))
    )


def _attribution_at(lines: list[str], i: int) -> int:
    """How many lines an attribution starting at ``i`` spans (0: none); Gmail wraps long ones."""
    if _is_attribution(lines[i]):
        return 1
    if i + 1 < len(lines) and len(lines[i]) > 40 and not _QUOTED.match(lines[i]):
        second = lines[i + 1]
        # the second line must not be a whole attribution of its own (one with a date or time)
        complete = _is_attribution(second) and _ATTRIBUTION_DATE.search(second)
        if not complete and _is_attribution(lines[i].rstrip() + " " + second.strip()):
            return 2
    return 0


def _is_outlook_header(lines: list[str], i: int) -> bool:
    """A "From: … Sent: … To: … Subject: …" block (any of our languages) starts at ``i``."""
    if not _HEADER_FROM.match(lines[i]):
        return False
    block = lines[i + 1 : i + 6]
    return any(_HEADER_DATE.match(line) for line in block) and any(_HEADER_OTHER.match(line) for line in block)


def _interleaved(lines: list[str], start: int) -> bool:
    """After ``start``, does the author answer between quoted lines (text after a quote)?"""
    seen_quote = False
    for line in lines[start:]:
        if _QUOTED.match(line):
            seen_quote = True
        elif not line.strip():
            continue
        elif _is_signature(line):
            return False
        elif seen_quote:
            return True
    return False


def _is_signature(line: str) -> bool:
    return bool(_SIGNATURE_DELIMITER.match(line) or _MOBILE_SIGNATURE.match(line))


def _history_at(lines: list[str], i: int) -> int | None:
    """Where the reply history starts if it starts at line ``i``, else None."""
    if _ORIGINAL_MESSAGE.match(lines[i]):
        return i
    if _is_outlook_header(lines, i):
        return i - 1 if i > 0 and _RULE.match(lines[i - 1]) else i
    span = _attribution_at(lines, i)
    if span and not _interleaved(lines, i + span):
        return i
    return None


def _hard_cut(lines: list[str]) -> tuple[int, bool]:
    """``(cut, forwarded)``: the first line from which everything is history or signature (or
    ``len(lines)``), and whether a forwarded message follows, which must stay visible whole."""
    signature = None
    for i, line in enumerate(lines):
        if _FORWARDED.match(line):
            return len(lines), True
        if signature is None and _is_signature(line):
            signature = i
            continue
        history = _history_at(lines, i)
        if history is not None:
            return (history if signature is None else signature), False
    return (len(lines) if signature is None else signature), False


def _trailing_quote(lines: list[str], end: int) -> int:
    """Start of the block of quoted (and blank) lines that ends the visible part, with its attribution."""
    start = end
    while start > 0 and (_QUOTED.match(lines[start - 1]) or not lines[start - 1].strip()):
        start -= 1
    while start < end and not lines[start].strip():
        start += 1
    if start == end or not any(_QUOTED.match(line) for line in lines[start:end]):
        return end
    for span in (1, 2):
        if start - span >= 0 and _attribution_at(lines, start - span) == span:
            return start - span
    return start


def split_quoted(text: str) -> tuple[str, str]:
    """``(visible, folded)``: what the person wrote, and the quoted history and signature after it.

    ``folded`` is empty when there is nothing to fold, and also when folding would leave nothing
    visible (then the whole text is visible).
    """
    if not text:
        return "", ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut, forwarded = _hard_cut(lines)
    if not forwarded:
        cut = _trailing_quote(lines, cut)
    visible = "\n".join(lines[:cut]).rstrip()
    folded = "\n".join(lines[cut:]).strip("\n")
    if not visible.strip() or not folded.strip():
        return text.strip("\n"), ""
    return visible, folded


# --- HTML ---------------------------------------------------------------------------------------
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# containers that are the quoted history themselves
_QUOTE_CLASSES = {"gmail_quote", "gmail_quote_container", "yahoo_quoted", "protonmail_quote"}
# markers after which everything up to the end of the parent is history (Outlook, Thunderbird)
_TAIL_IDS = {"appendonsend", "divrplyfwdmsg", "mail-editor-reference-message-container"}
_TAIL_CLASSES = {"moz-cite-prefix"}
_MARKER_ATTRIBUTES = {"class", "id"}


@dataclass
class _Element:
    tag: str
    attrs: list[tuple[str, str | None]]
    children: list[_Element | str] = field(default_factory=list)

    def attr(self, name: str) -> str:
        for key, value in self.attrs:
            if key == name:
                return value or ""
        return ""

    @property
    def classes(self) -> set[str]:
        return set(self.attr("class").lower().split())


class _TreeBuilder(HTMLParser):
    """Builds a tree from html5ever-serialised HTML (balanced, so a simple stack is enough)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("", [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, attrs)
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Element(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _serialise(node: _Element | str) -> str:
    if isinstance(node, str):
        return html.escape(node, quote=False)
    inner = "".join(_serialise(child) for child in node.children)
    if not node.tag:
        return inner
    # the class/id markers were only needed to find the quotes; the sanitizer would drop them anyway
    attrs = "".join(
        f' {key}="{html.escape(value or "", quote=True)}"'
        for key, value in node.attrs
        if key not in _MARKER_ATTRIBUTES or _is_allowed(node.tag, key)
    )
    if node.tag in _VOID:
        return f"<{node.tag}{attrs}>"
    return f"<{node.tag}{attrs}>{inner}</{node.tag}>"


def _is_allowed(tag: str, attribute: str) -> bool:
    return attribute in ALLOWED_ATTRIBUTES.get(tag, set()) or attribute in ALLOWED_ATTRIBUTES.get("*", set())


def _is_quote(node: _Element) -> bool:
    return node.tag == "blockquote" or bool(node.classes & _QUOTE_CLASSES)


def _is_tail_marker(node: _Element) -> bool:
    return node.attr("id").lower() in _TAIL_IDS or bool(node.classes & _TAIL_CLASSES)


def _details(children: list[_Element | str]) -> _Element:
    summary = _Element("summary", [], [gettext("Show quoted text")])
    return _Element("details", [], [summary, *children])


def _fold(node: _Element) -> bool:
    """Wrap quotes under ``node`` in <details>; True when anything was folded."""
    folded = False
    children: list[_Element | str] = []
    for index, child in enumerate(node.children):
        if isinstance(child, str):
            children.append(child)
            continue
        if _is_tail_marker(child):
            tail = node.children[index:]
            # Outlook puts a rule right before its "From: … Sent: …" block
            while children and isinstance(children[-1], str) and not children[-1].strip():
                tail.insert(0, children.pop())
            if children and isinstance(children[-1], _Element) and children[-1].tag == "hr":
                tail.insert(0, children.pop())
            children.append(_details(list(tail)))
            node.children = children
            return True
        if _is_quote(child):
            children.append(_details([child]))
            folded = True
            continue
        folded = _fold(child) or folded
        children.append(child)
    node.children = children
    return folded


def _has_visible_content(node: _Element | str) -> bool:
    if isinstance(node, str):
        return bool(node.replace("\xa0", " ").strip())
    if node.tag == "details":
        return False
    if node.tag == "img":
        return True
    return any(_has_visible_content(child) for child in node.children)


def _tree(normalised: str) -> _Element:
    builder = _TreeBuilder()
    builder.feed(normalised)
    builder.close()
    return builder.root


def fold_quoted_html(value: str) -> str:
    """HTML with Gmail/Outlook/Thunderbird/Apple quote containers and <blockquote>s wrapped in a
    collapsed ``<details>``. Call it on the mail's raw HTML (the markers live in ``class`` and ``id``
    attributes) and sanitize the result with ``sanitize_html`` afterwards, as for any mail HTML.
    Nothing is folded when folding would leave nothing visible.
    """
    if not value or not value.strip():
        return value or ""
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = attributes.get("*", set()) | _MARKER_ATTRIBUTES
    # html5ever (through nh3) turns whatever mail clients send into balanced, well-formed HTML
    normalised = nh3.clean(
        value,
        tags=ALLOWED_TAGS | {"details", "summary"},
        attributes=attributes,
        url_schemes={"http", "https", "mailto", "cid", "tel"},
        link_rel=None,
        strip_comments=True,
    )
    root = _tree(normalised)
    if _fold(root) and _has_visible_content(root):
        return _serialise(root)
    return _serialise(_tree(normalised))
