"""Drafts as the ticket page shows them: the agent's own to restore, the others' as a notice."""

from django.db.models import Exists, OuterRef

from pomoc.drafts.models import Draft, DraftKind
from pomoc.tickets.models import Ticket


def ticket_drafts(user, ticket: Ticket) -> dict:
    """``{"mine": {kind: {"text", "html"}}, "others": [{"user", "name", "kind", "updated_at"}]}`` in
    one query, however many agents have drafts on the ticket."""
    mine: dict[str, dict] = {}
    others: list[dict] = []
    if getattr(ticket, "has_drafts", True) is False:  # none, as the ticket's own query found
        return {"mine": mine, "others": others, "kinds": list(DraftKind.values)}
    drafts = (Draft.objects.filter(ticket=ticket).select_related("user")
              .only("kind", "body_text", "body_html", "updated_at", "user__id", "user__username",
                    "user__first_name", "user__last_name").order_by("updated_at", "pk"))
    for draft in drafts:
        if draft.user_id == user.pk:
            mine[draft.kind] = {"text": draft.body_text, "html": draft.body_html}
        else:
            others.append({"user": draft.user_id, "name": draft.user.display_name, "kind": draft.kind,
                           "updated_at": draft.updated_at.isoformat()})
    return {"mine": mine, "others": others, "kinds": list(DraftKind.values)}


def annotate_ticket_page(queryset, user):
    """Whether the ticket has drafts at all, in the ticket page's own query (``tickets.page_query``):
    most have none, and then ``ticket_drafts`` needs no query of its own."""
    return queryset.annotate(has_drafts=Exists(Draft.objects.filter(ticket_id=OuterRef("pk"))))
