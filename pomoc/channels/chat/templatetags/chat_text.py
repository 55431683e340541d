"""Visitor text on agent pages: escaped, links made clickable (never HTML from the visitor)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from pomoc.core.linkify import linkify_html
from pomoc.core.sanitize import sanitize_html

register = template.Library()


@register.filter
def chat_linkify(text: str):
    escaped = escape(text or "").replace("\n", "<br>")
    return mark_safe(sanitize_html(linkify_html(escaped)))  # noqa: S308 -- escaped, linkified, sanitized again
