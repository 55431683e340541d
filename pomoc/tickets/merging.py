"""Merging and splitting done with care: find the ticket to merge into, see what the merge (or the
split) will do, and take it back within a short window (``MERGE_UNDO_MINUTES``).

``services.ticket_merge`` writes the merge and records in its two ``merged`` events exactly what
moved and what the merged ticket was; ``ticket_merge_undo`` reads those events and puts back that,
and only that. After the window the merge stands (replies may have gone out on the merged
conversation, reports counted it): undo is refused with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from pomoc.contacts.models import Contact
from pomoc.core import refusals
from pomoc.core.ids import is_id
from pomoc.tickets import events, search_index, selectors
from pomoc.tickets.models import EventType, Message, Status, Ticket, TicketEvent
from pomoc.tickets.permissions import visible_tickets
from pomoc.tickets.services import change_status, ticket_merge

CANDIDATES = 10  # tickets offered when searching for the one to merge into


def undo_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.MERGE_UNDO_MINUTES)


# --- reads ------------------------------------------------------------------------------------
def merge_candidates(user, source: Ticket, text: str) -> list[Ticket]:
    """Tickets ``user`` may see that ``source`` could be merged into, matching ``text`` (a number,
    words of the subject or messages, the customer's address); the requester's own tickets first
    when nothing is typed."""
    text = (text or "").strip()[:200]
    qs = (visible_tickets(user).filter(merged_into__isnull=True).exclude(pk=source.pk)
          .select_related("requester"))
    if not text:
        qs = qs.filter(requester_id=source.requester_id)
    elif len(text.lstrip("#")) < 2 and not is_id(text.lstrip("#")):
        return []
    else:
        qs = selectors.matching_text(qs, text)
    return list(qs.order_by("-updated_at", "-id")[:CANDIDATES])


@dataclass
class MergePreview:
    """What merging ``source`` into ``target`` will do, shown before the agent confirms."""

    source: Ticket
    target: Ticket
    messages: int
    new_participants: list[Contact]
    new_tags: list[str]
    problem: str  # why the merge cannot be done, or ""


def merge_preview(source: Ticket, target: Ticket) -> MergePreview:
    problem = ""
    if source.pk == target.pk:
        problem = _("A ticket cannot be merged into itself.")
    elif source.merged_into_id or target.merged_into_id:
        problem = _("A merged ticket cannot be merged again.")
    joining = {source.requester_id, *source.participants.values_list("pk", flat=True)}
    # The target's own requester is on it already, whatever the participants list says.
    joining -= {target.requester_id, *target.participants.values_list("pk", flat=True)}
    target_tags = set(target.tags.values_list("name", flat=True))
    return MergePreview(
        source=source, target=target, messages=source.messages.count(),
        new_participants=list(Contact.objects.filter(pk__in=joining).order_by("name", "id")),
        new_tags=sorted(set(source.tags.values_list("name", flat=True)) - target_tags),
        problem=problem,
    )


@dataclass
class UndoableMerge:
    """A merge (or split) that can still be undone, as the ticket pages offer it. For a split,
    ``source_number`` is the ticket split off and ``target_number`` the one it came from."""

    source_number: int
    target_number: int
    until: dt.datetime
    kind: str = "merge"  # or "split"


def undoable_merges(ticket: Ticket, now: dt.datetime | None = None,
                    events: list | None = None) -> list[UndoableMerge]:
    """The merges of ``ticket`` (into another) or into ``ticket``, and the split that made ``ticket``,
    still inside the undo window: one query (none when the page already read the ticket's ``events``),
    one more when other tickets were merged into this one."""
    now = now or timezone.now()
    window = undo_window()
    kinds = (EventType.MERGED, EventType.SPLIT)
    if events is None:
        recent = list(ticket.events.filter(type__in=kinds, at__gt=now - window).order_by("-at", "-id"))
    else:
        recent = sorted((e for e in events if e.type in kinds and e.at > now - window),
                        key=lambda e: (e.at, e.pk), reverse=True)
    if not recent:
        return []
    merge_events = [e for e in recent if e.type == EventType.MERGED]
    if ticket.merged_into_id:
        latest = next((e for e in merge_events if e.data.get("into") == ticket.merged_into_id), None)
        return [UndoableMerge(ticket.number, latest.data.get("into_number"), latest.at + window)] if latest else []
    found = [UndoableMerge(ticket.number, e.data.get("from_number"), e.at + window, kind="split")
             for e in recent if e.type == EventType.SPLIT and e.data.get("from")][:1]
    sources = {}
    for event in merge_events:
        sources.setdefault(event.data.get("from"), event)
    sources.pop(None, None)
    if sources:
        still_merged = set(Ticket.objects.filter(pk__in=sources, merged_into=ticket).values_list("pk", flat=True))
        found += [UndoableMerge(e.data.get("from_number"), ticket.number, e.at + window)
                  for source_id, e in sources.items() if source_id in still_merged]
    return found


# --- writes -----------------------------------------------------------------------------------
def _latest_merge(source: Ticket) -> tuple[TicketEvent, TicketEvent]:
    """The ``merged`` events (on the source, on the target) of ``source``'s current merge."""
    source_event = (source.events.filter(type=EventType.MERGED, data__into=source.merged_into_id)
                    .order_by("-at", "-id").first())
    target_event = (TicketEvent.objects.filter(ticket_id=source.merged_into_id, type=EventType.MERGED,
                                               data__from=source.pk).order_by("-at", "-id").first())
    if source_event is None or target_event is None or "messages" not in (target_event.data or {}):
        raise refusals.conflict("ticket", _("This merge was not recorded in a way that can be undone."))
    return source_event, target_event


def ticket_merge_undo(*, source: Ticket, actor, now: dt.datetime | None = None) -> Ticket:
    """Undo the merge of ``source``: the messages that moved go back, the participants and tags it
    brought to the target are taken off again, ``source`` gets back its status (and the times that
    went with it) and is no longer read-only. Only within ``MERGE_UNDO_MINUTES`` of the merge, and
    only while the target has not itself been merged on. Returns ``source``."""
    if not source.merged_into_id:
        raise refusals.conflict("ticket", _("This ticket is not merged into another."))
    now = now or timezone.now()
    with transaction.atomic():
        source = Ticket.objects.select_for_update().get(pk=source.pk)
        if not source.merged_into_id:
            raise refusals.conflict("ticket", _("This ticket is not merged into another."))
        target = Ticket.objects.select_for_update().get(pk=source.merged_into_id)
        source_event, target_event = _latest_merge(source)
        if now - source_event.at > undo_window():
            raise refusals.conflict("ticket", _(
                "The merge can only be undone within %(minutes)d minutes; it was done at %(at)s. "
                "Split the messages off instead.") % {
                "minutes": settings.MERGE_UNDO_MINUTES,
                "at": timezone.localtime(source_event.at).strftime("%Y-%m-%d %H:%M")})
        if target.merged_into_id:
            raise refusals.conflict("ticket", _(
                "Ticket #%(number)s was merged on into another ticket since; undo that merge first.")
                % {"number": target.number})
        moved = target_event.data
        message_ids = [pk for pk in moved.get("messages", []) if isinstance(pk, int)]
        returned = list(Message.objects.filter(pk__in=message_ids, ticket=target).values_list("pk", flat=True))
        Message.objects.filter(pk__in=returned).update(ticket=source)
        participants = [pk for pk in moved.get("participants", []) if isinstance(pk, int)]
        # The source's requester and participants were added to the target; those that were new go.
        target.participants.remove(*participants)
        tag_names = [name for name in moved.get("tags", []) if isinstance(name, str)]
        if tag_names:
            old_tags = sorted(target.tags.values_list("name", flat=True))
            target.tags.remove(*target.tags.filter(name__in=tag_names))
            new_tags = sorted(target.tags.values_list("name", flat=True))
            if new_tags != old_tags:
                events.field_changed(target, EventType.TAGS_CHANGED, actor, old_tags, new_tags)
        events.merge_undone(target, source, actor, {"messages": sorted(returned), "participants": participants,
                                                    "tags": tag_names})
        before = source_event.data.get("before") or {}
        update: dict = {"merged_into": None, "updated_at": now}
        status = before.get("status") if before.get("status") in Status.values else Status.OPEN
        change_status(source, status, actor, now, update)
        # The times the status carries, exactly as they were (change_status reckons them anew).
        for name in ("snoozed_until", "resolved_at", "closed_at"):
            update[name] = parse_datetime(before[name]) if before.get(name) else None
        if update.get("snoozed_until") is None and status == Status.SNOOZED:
            update["status"] = Status.OPEN
        if "reopen_count" in update:  # taking back the merge's closing is not a reopening
            update.pop("reopen_count")
        for key, value in update.items():
            setattr(source, key, value)
        source.save(update_fields=list(update))
        target.updated_at = now
        target.save(update_fields=["updated_at"])
        search_index.refresh([source.pk, target.pk])
    return source


def ticket_split_undo(*, ticket: Ticket, actor, now: dt.datetime | None = None) -> Ticket:
    """Undo the split that made ``ticket``: it is merged back into the ticket it was split off from
    (its messages, the split one and any that came since, go back there; ``ticket`` is closed as
    merged and points there). Only within ``MERGE_UNDO_MINUTES`` of the split. Returns that ticket."""
    now = now or timezone.now()
    split = (ticket.events.filter(type=EventType.SPLIT).order_by("-at", "-id")).first()
    origin_id = split.data.get("from") if split is not None else None
    if not origin_id:
        raise refusals.conflict("ticket", _("This ticket was not split off from another."))
    if now - split.at > undo_window():
        raise refusals.conflict("ticket", _(
            "The split can only be undone within %(minutes)d minutes; it was done at %(at)s. "
            "Merge the tickets instead.") % {
            "minutes": settings.MERGE_UNDO_MINUTES,
            "at": timezone.localtime(split.at).strftime("%Y-%m-%d %H:%M")})
    origin = Ticket.objects.filter(pk=origin_id).first()
    if origin is None or origin.merged_into_id or ticket.merged_into_id:
        raise refusals.conflict("ticket", _("One of the tickets was merged since; the split cannot be undone."))
    return ticket_merge(source=ticket, target=origin, actor=actor)
