"""HTML from customers is never trusted: everything passes through nh3 (ammonia) first."""

import html

import nh3

from pomoc.core.text import clean_text

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "details", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "*": {"dir", "lang"},
}


def sanitize_html(value: str, *, attribute_filter=None) -> str:
    """Sanitized HTML safe to render in an agent page: no scripts, styles, events or odd URLs.

    ``attribute_filter`` (nh3's) may rewrite or drop attribute values on top of the allow-list.
    NUL characters and lone surrogates (which nh3 cannot take, nor a database store) are dropped:
    input checks refuse them, this keeps any other way in (mail, stored text) from failing here.
    """
    if not value:
        return ""
    return nh3.clean(
        clean_text(value),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "cid", "tel"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=attribute_filter,
    )


def text_to_html(text: str) -> str:
    """Plain text as safe HTML paragraphs (line breaks kept)."""
    paragraphs = [p for p in clean_text(text).replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs if p.strip()
    )


def html_to_text(value: str) -> str:
    """A rough plain-text rendering of HTML, for search and previews."""
    return nh3.clean(clean_text(value).replace("<br", "\n<br").replace("</p>", "</p>\n\n"), tags=set()).strip()
