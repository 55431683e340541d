"""Reads for the customer pages: a contact's profile and timeline, a company, the merge proposals.
Each costs a fixed number of queries whatever the customer's history (tests/test_query_costs.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from pomoc.contacts import registry
from pomoc.contacts.models import (
    Company,
    Contact,
    ContactChange,
    ContactMerge,
    MergeProposal,
    ProposalStatus,
)
from pomoc.contacts.registry import Cursor, TimelineEntry
from pomoc.tickets.models import Ticket
from pomoc.tickets.permissions import visible_tickets

TIMELINE_PAGE = 25
HISTORY_SHOWN = 15
COMPANY_PAGE = 50
PROPOSALS_PAGE = 50


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    next_cursor: str  # "" on the last page


def timeline(contact: Contact, viewer, *, before: Cursor | None = None, limit: int = TIMELINE_PAGE) -> TimelinePage:
    """One page of everything the contact did on every channel, newest first: each registered source
    gives at most ``limit`` entries older than ``before`` (one query each), the newest ``limit`` win."""
    entries: list[TimelineEntry] = []
    for source in registry.timeline_sources():
        entries.extend(source.entries(contact, viewer, before, limit + 1))
    entries.sort(key=lambda e: (e.at, e.key), reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    return TimelinePage(entries=page, next_cursor=page[-1].cursor.encode() if more and page else "")


def field_rows(definitions: list, values: dict) -> list[tuple]:
    return [(d, values.get(d.key)) for d in definitions]


def profile(contact: Contact, viewer, *, before: Cursor | None = None) -> dict:
    definitions = registry.field_definitions("contact")
    return {
        "contact": contact,
        "identities": list(contact.identities.all()),
        "tags": [t.name for t in contact.tags.all()],
        "fields": field_rows(definitions, contact.custom_fields),
        "definitions": definitions,
        "timeline": timeline(contact, viewer, before=before),
        "history": list(ContactChange.objects.filter(contact=contact).select_related("actor")[:HISTORY_SHOWN]),
        "last_merge": ContactMerge.objects.filter(target=contact, undone_at__isnull=True)
        .select_related("source").first(),
        "proposals": list(MergeProposal.objects.filter(Q(first=contact) | Q(second=contact), status=ProposalStatus.OPEN)
                          .select_related("first", "second")[:5]),
    }


def customer_panel(ticket: Ticket, viewer) -> dict:
    """The compact context beside a ticket: who, where, how to reach them, what else they asked."""
    contact = ticket.requester
    return {
        "panel_contact": contact,
        "panel_tags": [t.name for t in contact.tags.all()],
        "panel_fields": [(d, contact.custom_fields.get(d.key)) for d in registry.field_definitions("contact")
                         if contact.custom_fields.get(d.key) not in (None, "")],
        "panel_ticket_count": visible_tickets(viewer).filter(requester_id=contact.pk).count(),
    }


def company_page(company: Company, viewer, *, after_contact: int | None = None) -> dict:
    contacts = Contact.objects.filter(company=company, merged_into__isnull=True).prefetch_related("identities")
    if after_contact:
        contacts = contacts.filter(pk__gt=after_contact)
    contacts = list(contacts.order_by("pk")[:COMPANY_PAGE + 1])
    more = len(contacts) > COMPANY_PAGE
    contacts = contacts[:COMPANY_PAGE]
    tickets = list(visible_tickets(viewer).filter(requester__company=company).select_related("requester")
                   .only("pk", "number", "subject", "status", "updated_at", "requester__name")
                   .order_by("-updated_at", "-pk")[:25])
    definitions = registry.field_definitions("company")
    return {
        "company": company, "contacts": contacts, "next_contact": contacts[-1].pk if more else None,
        "tickets": tickets, "fields": field_rows(definitions, company.custom_fields), "definitions": definitions,
        "history": list(ContactChange.objects.filter(company=company).select_related("actor")[:HISTORY_SHOWN]),
    }


def open_proposals(*, after: int | None = None) -> tuple[list[MergeProposal], int | None]:
    """Open proposals, newest first (keyset on id)."""
    proposals = MergeProposal.objects.filter(status=ProposalStatus.OPEN, first__merged_into__isnull=True,
                                             second__merged_into__isnull=True)
    if after:
        proposals = proposals.filter(pk__lt=after)
    found = list(proposals.select_related("first__company", "second__company")
                 .prefetch_related("first__identities", "second__identities").order_by("-pk")[:PROPOSALS_PAGE + 1])
    more = len(found) > PROPOSALS_PAGE
    found = found[:PROPOSALS_PAGE]
    return found, (found[-1].pk if more else None)
