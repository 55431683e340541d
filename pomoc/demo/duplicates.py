"""Likely duplicates among the demo's contacts, so the merge proposals list has something to show on a
new install: the same phone number typed without its country code on a second contact, a chat
visitor who later gives the address of an earlier customer, and the same person at the same company
under a second address with the name the other way round. Each goes through the services a real one
would (``contact_create``, ``identity_add``), and ``find_proposals`` proposes them. Once per database."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from pomoc.contacts import proposals, services
from pomoc.contacts.models import Contact, Identity, IdentityKind

VISITOR = "demo-visitor-0001"  # the chat visitor's id: its presence says the duplicates exist


def load_duplicates() -> list[int]:
    """Create the duplicates (unless they exist) and propose them; the ids of the contacts created."""
    if Identity.objects.filter(kind=IdentityKind.CHAT, value=VISITOR).exists():
        return []
    live = Contact.objects.filter(merged_into__isnull=True, erased_at__isnull=True, name__contains=" ")
    with_phone = (live.filter(identities__kind=IdentityKind.PHONE, identities__value__startswith="+")
                  .order_by("pk").first())
    at_company = (live.filter(company__isnull=False, identities__kind=IdentityKind.EMAIL)
                  .exclude(pk=getattr(with_phone, "pk", None)).order_by("pk").first())
    created: list[int] = []
    if with_phone is not None:
        phone = with_phone.identities.filter(kind=IdentityKind.PHONE).order_by("pk").first().value
        digits = phone[-9:]
        first, _space, last = with_phone.name.partition(" ")
        twin = services.contact_create(
            name=f"{first[:1]}. {last}", language=with_phone.language,
            identities=[(IdentityKind.EMAIL, f"{first[:1].lower()}.{_plain(last)}.{with_phone.pk}@seznam.cz"),
                        (IdentityKind.PHONE, f"{digits[:3]} {digits[3:6]} {digits[6:]}")])
        created.append(twin.pk)
    if at_company is not None:
        first, _space, last = at_company.name.partition(" ")
        address = at_company.identities.filter(kind=IdentityKind.EMAIL).order_by("pk").first().value
        domain = address.rsplit("@", 1)[-1]
        reversed_name = services.contact_create(
            name=f"{last} {first}", company=at_company.company, language=at_company.language,
            identities=[(IdentityKind.EMAIL, f"{_plain(first)}.{at_company.pk}@{domain}")])
        created.append(reversed_name.pk)
        # a chat visitor, later, types the address the earlier customer's tickets came from
        visitor = services.contact_create(name="", identities=[(IdentityKind.CHAT, VISITOR)])
        created.append(visitor.pk)
        try:
            services.identity_add(contact=visitor, kind=IdentityKind.EMAIL, value=address)
        except ValidationError:  # refused (the address is the other contact's): proposed instead
            pass
    if created:
        proposals.find_proposals(contact_ids=created)
    return created


def _plain(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "") or "x"
