"""Writes for contacts: one person, many identities, found again by any of them."""

import functools
import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.accounts.services import validate_language
from pomoc.contacts import registry
from pomoc.contacts.freemail import is_free_mail
from pomoc.contacts.history import record_change
from pomoc.contacts.models import (
    Company,
    Contact,
    ContactChange,
    ContactTag,
    Identity,
    IdentityKind,
    PortalVisibility,
)
from pomoc.core import refusals
from pomoc.core.upsert import insert_new, upsert, upsert_defaults

# RFC 6531 (internationalised e-mail): a dot-atom local part in any script, e.g. "jdöe".
UNICODE_LOCAL_PART_RE = re.compile(r'[^\s@"(),:;<>\[\]\\.]+(\.[^\s@"(),:;<>\[\]\\.]+)*')
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@functools.lru_cache(maxsize=8192)  # a pure check; an import meets the same address on many rows
def is_valid_email(value: str) -> bool:
    """Django's check, plus internationalised addresses (RFC 6531) whose local part is not ASCII."""
    try:
        validate_email(value)
        return True
    except ValidationError:
        pass
    local, _at, domain = value.rpartition("@")
    if len(value) > 320 or local.isascii() or not UNICODE_LOCAL_PART_RE.fullmatch(local):
        return False
    try:
        validate_email(f"x@{domain}")  # the domain by Django's rules (IDNs included)
    except ValidationError:
        return False
    return True


def normalize_identity(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == IdentityKind.EMAIL:
        value = value.lower()
        if not is_valid_email(value):
            message = _("“%(value)s” is not a valid e-mail address.") % {"value": value}
            raise ValidationError({"value": message})
        return value
    if kind == IdentityKind.PHONE:
        digits = re.sub(r"[^\d+]", "", value)
        if digits.startswith("00"):
            digits = "+" + digits[2:]
        if not re.fullmatch(r"\+?\d{5,15}", digits):
            raise ValidationError({"value": _("“%(value)s” is not a valid phone number.") % {"value": value}})
        return digits if digits.startswith("+") else "+" + digits
    if kind not in IdentityKind.values:
        raise ValidationError({"kind": _("Unknown identity kind “%(kind)s”.") % {"kind": kind}})
    if not value:
        raise ValidationError({"value": _("This field cannot be blank.")})
    return value


def company_for_email(email: str) -> Company | None:
    """The company whose domains include this address's; never for a free-mail domain (gmail.com)."""
    domain = email.rsplit("@", 1)[-1].lower()
    if is_free_mail(domain):
        return None
    return _companies_by_domain({domain}).get(domain)


def contact_find(*, kind: str, value: str) -> Contact | None:
    value = normalize_identity(kind, value)
    identity = Identity.objects.select_related("contact").filter(kind=kind, value=value).first()
    return identity.contact if identity else None


def contact_get_or_create(*, kind: str, value: str, name: str = "") -> tuple[Contact, bool]:
    """The contact owning this identity, created (with a company guessed from the domain) if new."""
    value = normalize_identity(kind, value)
    identity = Identity.objects.select_related("contact").filter(kind=kind, value=value).first()
    if identity:
        return identity.contact, False
    try:
        with transaction.atomic():
            company = company_for_email(value) if kind == IdentityKind.EMAIL else None
            contact = Contact.objects.create(name=name.strip()[:200], company=company)
            Identity.objects.create(contact=contact, kind=kind, value=value)
            return contact, True
    except IntegrityError:
        # Another process created the same identity a moment ago: use theirs.
        return Identity.objects.select_related("contact").get(kind=kind, value=value).contact, False


def contacts_by_email(senders: Iterable[tuple[str, str]]) -> dict[str, Contact]:
    """The contact of each ``(address, display name)``, created (with a company guessed from the
    domain) when new, keyed by the normalized address: what ``contact_get_or_create`` does for one
    sender, in a few queries for a whole batch of mail. An invalid address raises ValidationError."""
    ids = contact_ids_by_email(senders)
    contacts = Contact.objects.in_bulk(set(ids.values()))
    return {address: contacts[pk] for address, pk in ids.items()}


def contact_ids_by_email(senders: Iterable[tuple[str, str]]) -> dict[str, int]:
    """``contacts_by_email`` as ids, without loading a contact: the contacts found by address, and the
    new ones written set-wise (``core.upsert``: one statement for the contacts, one for their
    addresses, whatever the number) for a CSV import's batch. A new contact gets the name of the
    address's first row (trimmed, at most 200 characters) and the company whose domains include the
    address's, never through a free-mail domain. An invalid address raises ValidationError."""
    names: dict[str, str] = {}
    for address, name in senders:
        names.setdefault(normalize_identity(IdentityKind.EMAIL, address), name)
    found = dict(Identity.objects.filter(kind=IdentityKind.EMAIL, value__in=list(names))
                 .values_list("value", "contact_id"))
    missing = sorted(address for address in names if address not in found)  # one order: no deadlock between two
    if not missing:
        return found
    companies = _companies_by_domain({a.rsplit("@", 1)[-1] for a in missing})
    contact_row = upsert_defaults(Contact)
    ours = dict(zip(missing, insert_new(Contact, [
        {**contact_row, "name": (names[a] or "").strip()[:200],
         "company": company.pk if (company := companies.get(a.rsplit("@", 1)[-1])) else None}
        for a in missing]), strict=True))
    identity_row = upsert_defaults(Identity)
    # an identity another process created a moment ago is skipped (its transaction is waited for)
    stored = {value for value, _pk in upsert(Identity, [
        {**identity_row, "contact": ours[a], "kind": IdentityKind.EMAIL, "value": a} for a in missing],
        unique=["kind", "value"], returning=["value"])}
    theirs = [a for a in missing if a not in stored]
    if theirs:  # theirs wins: ours is dropped before anything refers to it
        Contact.objects.filter(pk__in=[ours[a] for a in theirs]).delete()
        ours.update(Identity.objects.filter(kind=IdentityKind.EMAIL, value__in=theirs)
                    .values_list("value", "contact_id"))
    found.update(ours)
    return found


def _companies_by_domain(domains: set[str]) -> dict[str, Company]:
    """``company_for_email`` for many domains in a few queries."""
    domains = {d for d in domains if not is_free_mail(d)}
    result: dict[str, Company] = {}
    ordered = sorted(domains)
    for start in range(0, len(ordered), 200):  # SQLite refuses an expression 1,000 ORs deep
        chunk = set(ordered[start:start + 200])
        query = Q()
        for domain in chunk:
            query |= Q(domains__icontains=domain)
        for company in Company.objects.filter(query).order_by("id"):
            for domain in (d.lower() for d in company.domains):
                if domain in chunk:
                    result.setdefault(domain, company)
    return result


def contact_create(*, name: str, identities: list[tuple[str, str]], company: Company | None = None,
                   language: str = "", notes: str = "") -> Contact:
    # The same identity twice in one request is one identity.
    normalized = list(dict.fromkeys((kind, normalize_identity(kind, value)) for kind, value in identities))
    try:
        language = validate_language(language)
    except ValidationError as exc:
        raise ValidationError({"language": exc.messages}) from None
    taken = [v for k, v in normalized if Identity.objects.filter(kind=k, value=v).exists()]
    if taken:
        message = _("Already used by another contact: %(values)s") % {"values": ", ".join(taken)}
        raise refusals.conflict("identities", message)
    with transaction.atomic():
        contact = Contact.objects.create(name=name, company=company, language=language, notes=notes)
        Identity.objects.bulk_create([Identity(contact=contact, kind=k, value=v) for k, v in normalized])
    return contact


def identity_add(*, contact: Contact, kind: str, value: str, actor=None, verified: bool = False) -> Identity:
    """Add an identity; one that another contact owns is refused, and the two contacts are proposed
    for a merge (a chat visitor who gives an e-mail address an earlier ticket came from)."""
    from pomoc.contacts import proposals

    value = normalize_identity(kind, value)
    existing = Identity.objects.filter(kind=kind, value=value).first()
    if existing and existing.contact_id != contact.pk:
        proposals.propose_for_claim(contact=contact, owner_id=existing.contact_id, kind=kind, value=value)
        raise refusals.conflict("value", _("Already used by another contact."))
    if existing:
        return existing
    with transaction.atomic():
        identity = Identity.objects.create(contact=contact, kind=kind, value=value, verified=verified)
        record_change(contact=contact, actor=actor, field="identity_added", new=f"{kind}:{value}")
        if kind == IdentityKind.EMAIL and not contact.company_id and (company := company_for_email(value)):
            contact.company = company
            contact.save(update_fields=["company"])
            record_change(contact=contact, actor=actor, field="company", old=None, new=company.name)
    transaction.on_commit(lambda: proposals.proposals_for_contact_later(contact.pk))
    return identity


def identities_add(items: list[tuple[int, str, str]], *, actor=None) -> list[ValidationError | None]:
    """``identity_add`` for many ``(contact id, kind, value)`` at once, in a few queries whatever their
    number (a CSV import's phone numbers), each item as ``identity_add`` would take it in turn: an
    invalid value is refused; one another contact owns (or an earlier item gave another contact) is
    refused and the two contacts are proposed for a merge; one the contact has is left as it is; a
    new one is stored with its line in the contact's history, and a new e-mail address gives a
    contact without a company its domain's. The contacts with a new identity are searched for merge
    proposals after the commit. Returns, item by item, None or the ValidationError refusing it."""
    from pomoc.contacts import proposals

    refused: list[ValidationError | None] = [None] * len(items)
    wanted: list[tuple[int, int, tuple[str, str]]] = []
    for i, (contact_id, kind, value) in enumerate(items):
        try:
            wanted.append((i, contact_id, (kind, normalize_identity(kind, value))))
        except ValidationError as exc:
            refused[i] = exc
    by_kind: dict[str, set[str]] = {}
    for _i, _contact, (kind, value) in wanted:
        by_kind.setdefault(kind, set()).add(value)
    owner: dict[tuple[str, str], int] = {}
    for kind, values in by_kind.items():
        owner.update(((kind, v), c) for v, c in Identity.objects.filter(kind=kind, value__in=list(values))
                     .values_list("value", "contact_id"))
    new: dict[tuple[str, str], int] = {}  # the first item asking for an identity no one has gets it
    for _i, contact_id, key in wanted:
        if key not in owner and key not in new:
            new[key] = contact_id
    now = timezone.now()
    if new:
        ordered = sorted(new)  # one order: no deadlock between two
        row = {**upsert_defaults(Identity), "created_at": now}
        stored = {(k, v) for k, v, _pk in upsert(Identity, [
            {**row, "contact": new[key], "kind": key[0], "value": key[1]} for key in ordered],
            unique=["kind", "value"], returning=["kind", "value"])}
        theirs = [key for key in ordered if key not in stored]  # another process stored it a moment ago
        for kind in {k for k, _v in theirs}:
            owner.update(((kind, v), c) for v, c in Identity.objects.filter(
                kind=kind, value__in=[v for k, v in theirs if k == kind]).values_list("value", "contact_id"))
        new = {key: contact_id for key, contact_id in new.items() if key in stored}
        owner.update(new)
    for i, contact_id, (kind, value) in wanted:
        if owner.get((kind, value), contact_id) != contact_id:
            proposals.propose_for_claim(contact=Contact(pk=contact_id), owner_id=owner[(kind, value)], kind=kind,
                                        value=value)
            refused[i] = refusals.conflict("value", _("Already used by another contact."))
    if not new:
        return refused
    change = {**upsert_defaults(ContactChange), "actor": _actor_id(actor), "field": "identity_added", "at": now}
    upsert(ContactChange, [{**change, "contact": contact_id, "new": f"{kind}:{value}"}
                           for (kind, value), contact_id in new.items()])
    _companies_for_new_addresses([(contact_id, value) for (kind, value), contact_id in new.items()
                                  if kind == IdentityKind.EMAIL], actor=actor, now=now)
    contact_ids = sorted(set(new.values()))
    transaction.on_commit(lambda: proposals.proposals_for_contacts_later(contact_ids))
    return refused


def _actor_id(actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def _companies_for_new_addresses(addresses: list[tuple[int, str]], *, actor, now) -> None:
    """Contacts without a company join the company of the first of their new addresses whose domain
    has one."""
    if not addresses:
        return
    loose = set(Contact.objects.filter(pk__in={c for c, _a in addresses}, company__isnull=True)
                .values_list("pk", flat=True))
    domains = [(c, a.rsplit("@", 1)[-1]) for c, a in addresses if c in loose]
    companies = _companies_by_domain({d for _c, d in domains})
    first: dict[int, Company] = {}
    for contact_id, domain in domains:
        if domain in companies:
            first.setdefault(contact_id, companies[domain])
    joining: dict[Company, list[int]] = {}
    for contact_id, company in first.items():
        joining.setdefault(company, []).append(contact_id)
    for company, contact_ids in joining.items():
        Contact.objects.filter(pk__in=contact_ids).update(company=company)
    upsert(ContactChange, [{**upsert_defaults(ContactChange), "contact": contact_id, "actor": _actor_id(actor),
                            "field": "company", "old": None, "new": company.name, "at": now}
                           for company, contact_ids in joining.items() for contact_id in contact_ids])


def identity_remove(*, identity: Identity, actor=None) -> None:
    """Remove one way to reach a contact (tickets that replied through it choose another route)."""
    with transaction.atomic():
        record_change(contact=identity.contact, actor=actor, field="identity_removed",
                      old=f"{identity.kind}:{identity.value}")
        identity.delete()


def tag_add(*, contact: Contact, name: str, actor=None) -> ContactTag:
    name = " ".join((name or "").split())[:50]
    if not name:
        raise ValidationError({"name": _("This field cannot be blank.")})
    tag, created = ContactTag.objects.get_or_create(contact=contact, name=name)
    if created:
        record_change(contact=contact, actor=actor, field="tag_added", new=name)
    return tag


def tag_remove(*, contact: Contact, name: str, actor=None) -> None:
    if ContactTag.objects.filter(contact=contact, name=name).delete()[0]:
        record_change(contact=contact, actor=actor, field="tag_removed", old=name)


# --- companies --------------------------------------------------------------------------------
def company_by_id(company_id: int | None, *, field: str = "company") -> Company | None:
    """The company with this id, None for None; an unknown id is an error on ``field``."""
    if company_id is None:
        return None
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise refusals.invalid_reference(field, _("Unknown company."))
    return company


def _clean_domains(domains: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for domain in domains:
        domain = str(domain).strip().lower().lstrip("@")
        if not DOMAIN_RE.match(domain):
            raise ValidationError({"domains": _("“%(value)s” is not a domain name.") % {"value": domain}})
        if is_free_mail(domain):
            message = _("“%(value)s” is a free e-mail service: its users are not one company.") % {"value": domain}
            raise ValidationError({"domains": message})
        if domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def _clean_company_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("This field cannot be blank.")})
    return name[:200]


def company_create(*, name: str, domains: Iterable[str] = (), notes: str = "", actor=None) -> Company:
    """A company; contacts without a company whose e-mail domain is in ``domains`` join it, now and later."""
    with transaction.atomic():
        company = Company.objects.create(name=_clean_company_name(name), domains=_clean_domains(domains), notes=notes)
        record_change(company=company, actor=actor, field="created", new=company.name)
        company_link_contacts(company=company)
    return company


def company_update(*, company: Company, changes: Mapping, actor=None) -> Company:
    """Change only the keys given: ``name``, ``domains``, ``notes``, ``custom_fields`` (merged into
    the stored values; None or "" clears one), ``portal_visibility`` (inherit, yes, no: whether the
    company's contacts see each other's tickets in the portal). Each change is recorded in the history."""
    with transaction.atomic():
        before = {"name": company.name, "domains": list(company.domains), "notes": company.notes,
                  "custom_fields": dict(company.custom_fields), "portal_visibility": company.portal_visibility}
        if "name" in changes:
            company.name = _clean_company_name(changes["name"])
        if "domains" in changes:
            company.domains = _clean_domains(changes["domains"] or [])
        if "notes" in changes:
            company.notes = changes["notes"] or ""
        if "custom_fields" in changes:
            company.custom_fields = _merged_fields(company.custom_fields, "company", changes["custom_fields"])
        if "portal_visibility" in changes:
            if changes["portal_visibility"] not in PortalVisibility.values:
                raise ValidationError({"portal_visibility": _("Choose inherit, yes or no.")})
            company.portal_visibility = changes["portal_visibility"]
        company.save()
        for key, old in before.items():
            if getattr(company, key) != old:
                record_change(company=company, actor=actor, field=key, old=old, new=getattr(company, key))
        if company.domains != before["domains"]:
            company_link_contacts(company=company)
    return company


def company_link_contacts(*, company: Company) -> int:
    """Contacts without a company whose e-mail domain is one of the company's join it."""
    linked = 0
    for domain in company.domains:
        ids = Identity.objects.filter(kind=IdentityKind.EMAIL, value__endswith="@" + domain,
                                      contact__company__isnull=True).values("contact_id")
        linked += Contact.objects.filter(pk__in=ids).update(company=company)
    return linked


def _merged_fields(stored: Mapping, target: str, changes: Mapping) -> dict:
    """Stored custom field values with ``changes`` applied, checked against the target's definitions."""
    if not isinstance(changes, Mapping):
        raise ValidationError({"custom_fields": _("Send an object of field keys and values.")})
    cleaned = registry.validate_fields(target, changes)
    merged = {k: v for k, v in stored.items() if k not in changes}
    merged.update(cleaned)
    return merged


def validate_time_zone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    import zoneinfo

    if value not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": _("“%(value)s” is not a time zone.") % {"value": value[:64]}})
    return value


def contact_update(*, contact: Contact, changes: Mapping, actor=None) -> Contact:
    """Name, company (an id), language, time zone, notes and custom fields (merged into the stored
    values); identities change through ``identity_add``/``identity_remove``. Every change is
    recorded in the contact's history (who, when, the old and new value)."""
    before = {"name": contact.name, "company": contact.company.name if contact.company_id else None,
              "language": contact.language, "time_zone": contact.time_zone, "notes": contact.notes,
              "custom_fields": dict(contact.custom_fields)}
    fields = []
    if "name" in changes:
        contact.name = (changes["name"] or "").strip()[:200]
        fields.append("name")
    if "company" in changes:
        contact.company = company_by_id(changes["company"])
        fields.append("company")
    if "language" in changes:
        try:
            contact.language = validate_language(changes["language"])
        except ValidationError as exc:
            raise ValidationError({"language": exc.messages}) from None
        fields.append("language")
    if "time_zone" in changes:
        contact.time_zone = validate_time_zone(changes["time_zone"])
        fields.append("time_zone")
    if "notes" in changes:
        contact.notes = changes["notes"] or ""
        fields.append("notes")
    if "custom_fields" in changes:
        contact.custom_fields = _merged_fields(contact.custom_fields, "contact", changes["custom_fields"])
        fields.append("custom_fields")
    if fields:
        with transaction.atomic():
            contact.save(update_fields=fields)
            after = {**{f: getattr(contact, f) for f in before if f != "company"},
                     "company": contact.company.name if contact.company_id else None}
            for key, old in before.items():
                if after[key] != old:
                    record_change(contact=contact, actor=actor, field=key, old=old, new=after[key])
    return contact


def identities_mark_bounced(*, kind: str, values: Iterable[str] = (),
                            identity_ids: Iterable[int] = ()) -> list[Identity]:
    """Mark identities whose delivery fails for good (a permanent bounce); returns those of ours that
    match (marked now or before)."""
    values = [normalize_identity(kind, v) for v in values]
    identities = list(Identity.objects.filter(Q(kind=kind, value__in=values) | Q(pk__in=list(identity_ids))))
    Identity.objects.filter(pk__in=[i.pk for i in identities if not i.bounced]).update(bounced=True)
    for identity in identities:
        identity.bounced = True
    return identities


def identity_bounce_clear(*, identity: Identity) -> Identity:
    """Send to this identity again (the customer fixed their mailbox, or the bounce was a mistake)."""
    Identity.objects.filter(pk=identity.pk).update(bounced=False)
    identity.bounced = False
    return identity
