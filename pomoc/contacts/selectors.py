"""Reads of contacts."""

from __future__ import annotations

import re

from django.db.models import Q

from pomoc.contacts.models import Contact, Identity, IdentityKind, Segment

LOOKUP_LIMIT = 8


def contacts_matching(text: str, *, limit: int = LOOKUP_LIMIT) -> list[Contact]:
    """Contacts whose name, e-mail address or phone number contains ``text`` (for "find as you type"):
    names and addresses case-insensitively, phone numbers by their digits whatever the spacing typed.
    Identities are prefetched; at most ``limit``, by name."""
    text = " ".join((text or "").split())[:200]
    if len(text) < 2:
        return []
    identities = Q(value__icontains=text.lower())
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3 and re.fullmatch(r"[\d\s()+./-]+", text):
        identities |= Q(kind=IdentityKind.PHONE, value__contains=digits)
    matching = Identity.objects.filter(identities).values("contact_id")
    return list(Contact.objects.filter(Q(name__icontains=text) | Q(pk__in=matching), merged_into__isnull=True)
                .select_related("company").prefetch_related("identities").order_by("name", "id")[:limit])


def segments_list() -> list[Segment]:
    return list(Segment.objects.order_by("name", "pk"))


def segment_preview(conditions: list[dict], *, limit: int = 10) -> tuple[int, list[Contact]]:
    """How many contacts (not merged away, not erased) the conditions match, and the first ``limit``
    by name (their addresses prefetched), in three queries."""
    from pomoc.contacts import segments

    matching = segments.apply(conditions, Contact.objects.filter(merged_into__isnull=True, erased_at__isnull=True))
    sample = list(matching.select_related("company").prefetch_related("identities").order_by("name", "pk")[:limit])
    return matching.count(), sample
