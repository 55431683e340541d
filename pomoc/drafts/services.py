"""Drafts: saved as an agent types, ended by the reply or note they became.

Other agents on the ticket are told when a draft starts or ends (``draft.changed`` to the ticket's
live group, after the commit): not on every keystroke, only when there is a draft where there was
none, or none where there was one.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.core.realtime import publish_on_commit, ticket_group
from pomoc.core.sanitize import sanitize_html
from pomoc.core.text import text_problem
from pomoc.drafts.models import Draft, DraftKind
from pomoc.tickets.models import EventType, MessageKind, Ticket, TicketEvent

MAX_DRAFT_CHARS = 100_000
SENT_KINDS = {MessageKind.REPLY: DraftKind.REPLY, MessageKind.NOTE: DraftKind.NOTE}


def _changed(ticket: Ticket, user, kind: str, exists: bool) -> None:
    payload = {"event": "draft.changed", "ticket": ticket.pk, "number": ticket.number, "actor": user.pk,
               "user": user.pk, "name": user.display_name, "kind": kind, "exists": exists}
    publish_on_commit([([ticket_group(ticket.pk)], payload)])


def draft_save(*, user, ticket: Ticket, kind: str, text: str, html: str = "") -> Draft | None:
    """Keep what ``user`` typed into ``ticket``'s ``kind`` box (HTML sanitized); empty text and HTML
    end the draft. Returns the draft, or None when there is none now. The caller checked access."""
    if kind not in DraftKind.values:
        raise ValidationError({"kind": _("Drafts are kept for replies and notes only.")})
    for name, value in (("text", text), ("html", html)):
        if len(value) > MAX_DRAFT_CHARS:
            raise ValidationError({name: _("A draft can hold at most %(count)d characters.") % {
                "count": MAX_DRAFT_CHARS}})
        problem = text_problem(value)
        if problem:
            raise ValidationError({name: problem})
    html = sanitize_html(html) if html.strip() else ""
    with transaction.atomic():
        if not text.strip() and not html:
            deleted, _kinds = Draft.objects.filter(user=user, ticket=ticket, kind=kind).delete()
            if deleted:
                _changed(ticket, user, kind, exists=False)
            return None
        draft, created = Draft.objects.update_or_create(
            user=user, ticket=ticket, kind=kind,
            defaults={"body_text": text, "body_html": html, "updated_at": timezone.now()})
        if created:
            _changed(ticket, user, kind, exists=True)
        return draft


def forget_sent_drafts(events: list[TicketEvent]) -> None:
    """Dispatcher subscriber: a reply or note stored by an agent ends that agent's draft of it."""
    sent = {(e.ticket_id, e.actor_id, SENT_KINDS[e.data.get("kind")]): e.ticket for e in events
            if e.type == EventType.MESSAGE_ADDED and e.actor_id and (e.data or {}).get("kind") in SENT_KINDS}
    if not sent:
        return
    match = Q()
    for ticket_id, user_id, kind in sent:
        match |= Q(ticket_id=ticket_id, user_id=user_id, kind=kind)
    drafts = list(Draft.objects.filter(match).select_related("user"))
    if not drafts:
        return
    Draft.objects.filter(pk__in=[d.pk for d in drafts]).delete()
    for draft in drafts:
        _changed(sent[(draft.ticket_id, draft.user_id, draft.kind)], draft.user, draft.kind, exists=False)
