"""One search box for tickets, messages and contacts, limited to what the caller may see."""

import datetime as dt

from ninja import Query, Router, Schema

from pomoc.api.schemas import Error, PriorityName, SafeStr, StatusName, ValidationErrors
from pomoc.tickets import selectors

router = Router(tags=["search"])


class TicketHit(Schema):
    number: int
    subject: str
    status: StatusName
    priority: PriorityName
    updated_at: dt.datetime


class MessageHit(Schema):
    id: int
    ticket: int
    kind: str
    excerpt: str
    created_at: dt.datetime


class ContactHit(Schema):
    id: int
    name: str
    company: str | None


class SearchOut(Schema):
    tickets: list[TicketHit]
    messages: list[MessageHit]
    contacts: list[ContactHit]


@router.get("/search", response={200: SearchOut, 401: Error, 422: ValidationErrors}, summary="Search everything")
def search(request, q: SafeStr = Query(..., max_length=200, description="At least two characters, or a number.")):
    results = selectors.global_search(request.auth, q)
    return {
        "tickets": [{"number": t.number, "subject": t.subject, "status": t.status, "priority": t.priority_key,
                     "updated_at": t.updated_at} for t in results.tickets],
        "messages": [{"id": m.pk, "ticket": m.ticket.number, "kind": m.kind, "excerpt": m.body_text[:300],
                      "created_at": m.created_at} for m in results.messages],
        "contacts": [{"id": c.pk, "name": c.name, "company": c.company.name if c.company
                      else None} for c in results.contacts],
    }
