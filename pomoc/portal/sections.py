"""The portal's sections, in the order its navigation and home page show them.

A section appears once its URL exists (the knowledge base, community, ideas, the customer's tickets
and the contact form each come with their own app), so the shell never links to a page that is not
there."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str
    summary: str
    needs_account: bool = False
    key: str = ""  # what a page sets as ``portal_section``; the URL's namespace when empty


SECTIONS = (
    Section("kb:home", _("Knowledge base"), _("Guides, how-tos and answers to common questions.")),
    Section("community:home", _("Community"), _("Ask other customers and our team.")),
    Section("ideas:home", _("Ideas"), _("Suggest improvements and vote for the ones you want.")),
    Section("portal:my-tickets", _("My requests"), _("Follow and answer your requests."), needs_account=True,
            key="tickets"),
    Section("portal:contact", _("Contact us"), _("Write to us; we answer by e-mail and here."), key="contact"),
)


def available_sections() -> list[dict]:
    """The sections whose pages exist, each with its resolved ``url``."""
    found = []
    for section in SECTIONS:
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        found.append({"url": url, "label": section.label, "summary": section.summary,
                      "needs_account": section.needs_account, "key": section.key or section.url_name.split(":")[0]})
    return found
