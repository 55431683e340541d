"""Merge two contacts into one, and undo it.

A merge moves everything of ``source`` to ``target`` in one transaction, both rows locked, through
every registered personal-data source (identities, tags, notes and fields here; tickets, messages and
survey answers by the apps that own them), and records in a ``ContactMerge`` exactly what each
moved. ``source`` stays, hidden, marked ``merged_into``: undoing the merge moves back what was
recorded (what has gone since stays gone) and shows it again. Decision 0026.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.contacts import registry
from pomoc.contacts.history import record_change
from pomoc.contacts.models import Contact, ContactMerge, ContactTag, Identity, MergeProposal, ProposalStatus
from pomoc.core import refusals


def _locked(*ids: int) -> dict[int, Contact]:
    # one order for every merge: two merges of the same pair never wait on each other in a circle
    return {c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk")}


def contact_merge(*, source: Contact, target: Contact, actor=None) -> ContactMerge:
    """Move everything of ``source`` to ``target``; returns the record that can undo it."""
    if source.pk == target.pk:
        raise refusals.conflict("source", _("A contact cannot be merged into itself."))
    with transaction.atomic():
        locked = _locked(source.pk, target.pk)
        source, target = locked.get(source.pk), locked.get(target.pk)
        if source is None or target is None:
            raise refusals.invalid_reference("source", _("There is no contact with this id."))
        if source.merged_into_id or target.merged_into_id:
            raise refusals.conflict("source", _("This contact has already been merged into another."))
        if source.erased_at or target.erased_at:
            raise refusals.conflict("source", _("An erased contact cannot be merged."))
        moved = {}
        for data in registry.personal_data():
            if data.move is not None:
                moved[data.name] = data.move(source, target)
        source.merged_into = target
        source.save(update_fields=["merged_into"])
        merge = ContactMerge.objects.create(source=source, target=target, moved=moved, merged_by=_user(actor))
        record_change(contact=target, actor=actor, field="merged", new={"contact": source.pk, "name": source.name})
        MergeProposal.objects.filter(status=ProposalStatus.OPEN, first_id__in=[source.pk, target.pk],
                                     second_id__in=[source.pk, target.pk]).update(
            status=ProposalStatus.ACCEPTED, decided_by=_user(actor), decided_at=timezone.now())
    return merge


def contact_unmerge(*, merge: ContactMerge, actor=None) -> Contact:
    """Undo ``merge``: what it moved goes back to the source, which is shown again."""
    with transaction.atomic():
        merge = ContactMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise refusals.conflict("merge", _("This merge has already been undone."))
        locked = _locked(merge.source_id, merge.target_id)
        source, target = locked[merge.source_id], locked[merge.target_id]
        if target.merged_into_id:
            raise refusals.conflict("merge", _("Undo the later merge of this contact first."))
        for data in reversed(registry.personal_data()):
            if data.restore is not None and data.name in merge.moved:
                data.restore(target, source, merge.moved[data.name])
        source.merged_into = None
        source.save(update_fields=["merged_into"])
        merge.undone_at, merge.undone_by = timezone.now(), _user(actor)
        merge.save(update_fields=["undone_at", "undone_by"])
        record_change(contact=target, actor=actor, field="unmerged", old={"contact": source.pk, "name": source.name})
    return source


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- what contacts itself moves ---------------------------------------------------------------------
def _move_profile(source: Contact, target: Contact) -> dict:
    record = {
        "identities": list(Identity.objects.filter(contact=source).values_list("pk", flat=True)),
        "tags": [], "tags_dropped": [],
        "target_notes": target.notes, "target_company": target.company_id,
        "target_fields": dict(target.custom_fields), "target_name": target.name,
    }
    Identity.objects.filter(pk__in=record["identities"]).update(contact=target)
    have = set(ContactTag.objects.filter(contact=target).values_list("name", flat=True))
    for tag in ContactTag.objects.filter(contact=source):
        if tag.name in have:
            record["tags_dropped"].append(tag.name)  # the target has it: the source's row goes back on undo
        else:
            record["tags"].append(tag.pk)
    ContactTag.objects.filter(pk__in=record["tags"]).update(contact=target)
    if source.notes:
        target.notes = f"{target.notes}\n\n{source.notes}".strip()
    if not target.company_id and source.company_id:
        target.company_id = source.company_id
    if not target.name and source.name:
        target.name = source.name
    target.custom_fields = {**source.custom_fields, **target.custom_fields}
    target.save(update_fields=["notes", "company", "custom_fields", "name"])
    return record


def _restore_profile(target: Contact, source: Contact, record: dict) -> None:
    Identity.objects.filter(pk__in=record.get("identities", []), contact=target).update(contact=source)
    ContactTag.objects.filter(pk__in=record.get("tags", []), contact=target).update(contact=source)
    target.notes = record.get("target_notes", target.notes)
    target.company_id = record.get("target_company", target.company_id)
    target.custom_fields = record.get("target_fields", target.custom_fields)
    target.name = record.get("target_name", target.name)
    target.save(update_fields=["notes", "company", "custom_fields", "name"])
