"""A person's data: exported (GDPR article 15/20) as one zip, erased (article 17), and retention
policies applied by the worker. Every registered personal-data source takes part (registry.py), so
an app with a new table of people's data registers it once. Each export and erasure writes a
``PrivacyAudit`` row: who, when, how many rows of which source; never the data. Decision 0026.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zipfile
from pathlib import PurePosixPath

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.contacts import registry
from pomoc.contacts.models import (
    Contact,
    ContactChange,
    ContactMerge,
    ContactTag,
    Identity,
    MergeProposal,
    PrivacyAction,
    PrivacyAudit,
    RetentionAction,
    RetentionPolicy,
)
from pomoc.core import refusals

logger = logging.getLogger(__name__)

ERASED_NAME = ""  # an erased contact shows as "#<id>"


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def contact_export(*, contact: Contact, actor=None) -> bytes:
    """One zip: ``data.json`` (every source's rows of this person) and ``files/…`` (their attachments)."""
    if contact.erased_at:
        raise refusals.conflict("contact", _("This contact has been erased: there is nothing to export."))
    buffer = io.BytesIO()
    counts = {}
    data = {"exported_at": timezone.now(), "contact_id": contact.pk}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in registry.personal_data():
            rows = source.export(contact)
            data[source.name] = rows
            counts[source.name] = len(rows)
            for path, file in source.files(contact):
                name = str(PurePosixPath("files") / source.name / PurePosixPath(path).name)
                try:
                    with file.open("rb") as handle:
                        archive.writestr(name, handle.read())
                except OSError:  # a file gone from storage: the export says so instead of failing
                    logger.warning("export: file of %s missing", source.name)
                    archive.writestr(name + ".missing", b"")
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    PrivacyAudit.objects.create(action=PrivacyAction.EXPORT, contact_id=contact.pk, actor=_actor(actor), counts=counts)
    return buffer.getvalue()


def contact_erase(*, contact: Contact, actor=None, action: str = PrivacyAction.ERASURE) -> PrivacyAudit:
    """Anonymise the person and their messages; tickets, their timestamps and events stay, so
    reports count them as before. Irreversible."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.merged_into_id:
            raise refusals.conflict("contact", _("Erase the contact this one was merged into."))
        merged_away = list(Contact.objects.filter(merged_into=contact))
        counts: dict[str, int] = {}
        for person in [*merged_away, contact]:
            # the contact's own rows last: the other sources still find its identities
            for source in reversed(registry.personal_data()):
                counts[source.name] = counts.get(source.name, 0) + source.erase(person)
        audit = PrivacyAudit.objects.create(action=action, contact_id=contact.pk, actor=_actor(actor), counts=counts)
    return audit


def contact_delete(*, contact: Contact, actor=None) -> PrivacyAudit:
    """Erase, then delete the row where nothing refers to it any more (tickets keep their requester)."""
    audit = contact_erase(contact=contact, actor=actor, action=PrivacyAction.RETENTION)
    from django.db.models import ProtectedError

    try:
        contact.delete()
    except ProtectedError:  # tickets still name it as requester: it stays, anonymised
        pass
    return audit


# --- what contacts itself holds -----------------------------------------------------------------
def _export_profile(contact: Contact) -> list[dict]:
    return [{
        "name": contact.name, "company": contact.company.name if contact.company_id else None,
        "language": contact.language, "time_zone": contact.time_zone, "notes": contact.notes,
        "custom_fields": contact.custom_fields, "created_at": contact.created_at,
        "identities": [{"kind": i.kind, "value": i.value, "verified": i.verified, "created_at": i.created_at}
                       for i in Identity.objects.filter(contact=contact)],
        "tags": list(ContactTag.objects.filter(contact=contact).values_list("name", flat=True)),
        "history": list(ContactChange.objects.filter(contact=contact).values("field", "old", "new", "at")),
    }]


def _erase_profile(contact: Contact) -> int:
    touched = Identity.objects.filter(contact=contact).delete()[0]
    touched += ContactTag.objects.filter(contact=contact).delete()[0]
    touched += ContactChange.objects.filter(contact=contact).delete()[0]
    touched += MergeProposal.objects.filter(first=contact).delete()[0]
    touched += MergeProposal.objects.filter(second=contact).delete()[0]
    # a merge record keeps the other contact's notes and name as they were: it goes too
    touched += ContactMerge.objects.filter(source=contact).delete()[0]
    touched += ContactMerge.objects.filter(target=contact).delete()[0]
    if contact.user_id:
        user = contact.user
        user.username = f"erased-{contact.pk}"
        user.email = ""
        user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
    Contact.objects.filter(pk=contact.pk).update(
        name=ERASED_NAME, notes="", custom_fields={}, language="", time_zone="", company=None,
        erased_at=timezone.now(), merged_into=None)
    return touched + 1


# --- retention --------------------------------------------------------------------------------------
def last_activity_cutoff(years: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def retention_candidates(policy: RetentionPolicy, *, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Contacts not erased whose newest activity (their own creation, a ticket's last change) is older
    than the policy's years. The activity is what the registered ``activity`` annotations say."""
    from pomoc.contacts import segments

    cutoff = last_activity_cutoff(policy.years, now)
    contacts = Contact.objects.filter(erased_at__isnull=True, merged_into__isnull=True, created_at__lt=cutoff)
    if policy.segment_id:
        contacts = segments.apply(policy.segment, contacts)
    latest = contacts.annotate(last_ticket=Max("tickets__updated_at"))
    idle = latest.filter(Q(last_ticket__isnull=True) | Q(last_ticket__lt=cutoff))
    return list(idle.order_by("pk").values_list("pk", flat=True)[:limit])


def retention_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Raw data older than the shortest active policy's period (webhook bodies, import files: the
    registered sweeps) goes, whoever it names: it cannot be told apart by contact, and what it fed
    (orders, contacts) stays."""
    years = RetentionPolicy.objects.filter(active=True).order_by("years").values_list("years", flat=True).first()
    if years is None:
        return {}
    cutoff = last_activity_cutoff(years, now)
    swept = {}
    for sweep in registry.retention_sweeps():
        try:
            swept[sweep.name] = sweep.sweep(cutoff)
        except Exception:
            logger.exception("retention: the sweep %s failed", sweep.name)
    return swept


def retention_apply(*, now: dt.datetime | None = None) -> int:
    """Every active policy, in batches: one contact that fails never stops the others. Then the
    sweeps of raw data older than the shortest period."""
    done = 0
    retention_sweep(now=now)
    for policy in RetentionPolicy.objects.filter(active=True).select_related("segment"):
        for contact_id in retention_candidates(policy, now=now):
            contact = Contact.objects.filter(pk=contact_id).first()
            if contact is None:
                continue
            try:
                if policy.action == RetentionAction.DELETE:
                    contact_delete(contact=contact)
                else:
                    contact_erase(contact=contact, action=PrivacyAction.RETENTION)
                done += 1
            except Exception:
                logger.exception("retention: contact %s could not be erased", contact_id)
    return done


def retention_has_work() -> bool:
    return RetentionPolicy.objects.filter(active=True).exists()
